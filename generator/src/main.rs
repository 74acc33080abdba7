//! The `gatehouse` command line: turns library results into messages and exit codes.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use gatehouse::diagnostic::{Diagnostic, display_path};
use gatehouse::{BuildError, BuildOptions, Mode};

#[derive(Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "Publish onboarding docs: Markdown + themes → a checked static site",
    after_help = "Examples:\n  gatehouse build                      build ./content into ./public\n  gatehouse build --root docs --drafts build another site, drafts included\n  gatehouse check --external           check everything, list external links\n  gatehouse serve                      preview with live reload and working forms"
)]
struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more detail.
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render the site into the output folder (replaced only if the build succeeds).
    #[command(
        after_help = "Examples:\n  gatehouse build\n  gatehouse build --root site --out dist --base-url https://docs.example.com"
    )]
    Build {
        #[command(flatten)]
        site: SiteArgs,
        /// Output folder [default: <root>/public]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Do everything `build` does without writing anything.
    #[command(
        after_help = "Examples:\n  gatehouse check\n  gatehouse check --external > external-links.txt\n  gatehouse check --root docs --deny-warnings"
    )]
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// List every external link (nothing is fetched).
        #[arg(long)]
        external: bool,
        /// Fail (exit 1) on any warning too: for CI.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Preview the site with live reload; the sign-up forms work on a local store.
    #[command(
        after_help = "Examples:\n  gatehouse serve\n  gatehouse serve --port 0 --open\n  gatehouse serve --root docs --bind 0.0.0.0 --port 8080 --allow-host docs.lan"
    )]
    Serve {
        /// The site folder (with site.toml and content/).
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
        /// Address to listen on (loopback by default: the preview is for you).
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the site in a browser.
        #[arg(long)]
        open: bool,
        /// Include pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Where the forms' accounts and dev outbox live [default: <root>/.gatehouse]
        #[arg(long, value_name = "DIR")]
        state_dir: Option<PathBuf>,
        /// Also answer requests for this host name (repeatable). Loopback names and IP
        /// addresses are always answered; other names get 403 (a guard against DNS
        /// rebinding).
        #[arg(long = "allow-host", value_name = "NAME")]
        allow_host: Vec<String>,
    },
    /// List the languages code blocks may name for highlighting, with the names that
    /// select each (aliases, file extensions).
    Languages,
}

#[derive(Args)]
struct SiteArgs {
    /// The site folder (with site.toml and content/).
    #[arg(long, value_name = "DIR", default_value = ".")]
    root: PathBuf,
    /// Override site.toml's base_url (used in the sitemap and permalinks).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
}

impl SiteArgs {
    fn options(&self, out: Option<PathBuf>) -> BuildOptions {
        BuildOptions {
            root: self.root.clone(),
            out,
            base_url: self.base_url.clone(),
            drafts: self.drafts,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let progress = !cli.quiet && std::io::stderr().is_terminal();
    match cli.command {
        Command::Build { site, out } => {
            let options = site.options(out);
            if progress {
                eprint!("Building {}…\r", display_path(&options.root));
            }
            let verbose = cli.verbose;
            let result = gatehouse::build(&options, Mode::Build);
            if progress {
                // Clear the progress line before the results.
                eprint!("\r\x1b[K");
            }
            if let Ok(r) = &result {
                print_warnings(&r.warnings, cli.quiet);
                for note in r.notes.iter().filter(|_| !cli.quiet) {
                    eprintln!("{note}");
                }
            }
            warn_unknown_languages(cli.quiet);
            report(result, cli.quiet, |r| {
                let out = options
                    .out
                    .clone()
                    .unwrap_or_else(|| options.root.join("public"));
                if verbose {
                    eprintln!(
                        "front matter and layout: {} ms (git history: {} ms); pages (Markdown, templates, writing), checks and files: {} ms",
                        r.checking.as_millis(),
                        r.history.as_millis(),
                        (r.elapsed - r.checking).as_millis()
                    );
                }
                format!(
                    "Built {} pages ({} files) into {} in {:.2} s{}",
                    r.pages,
                    r.files,
                    display_path(&out),
                    r.elapsed.as_secs_f64(),
                    warning_count(&r.warnings)
                )
            })
        }
        Command::Serve {
            root,
            bind,
            port,
            open,
            drafts,
            state_dir,
            allow_host,
        } => {
            let options = gatehouse::serve::ServeOptions {
                root,
                bind,
                port,
                open,
                drafts,
                quiet: cli.quiet,
                state_dir,
                allow_hosts: allow_host,
            };
            match gatehouse::serve::run(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("error: {err}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Languages => {
            for (name, names) in gatehouse::highlight::languages() {
                println!("{name}: {}", names.join(", "));
            }
            ExitCode::SUCCESS
        }
        Command::Check {
            site,
            external,
            deny_warnings,
        } => {
            let options = site.options(None);
            let result = gatehouse::build(&options, Mode::Check);
            if let Ok(r) = &result {
                print_warnings(&r.warnings, cli.quiet);
            }
            let languages = warn_unknown_languages(cli.quiet);
            let warnings = result.as_ref().map_or(0, |r| r.warnings.len()) + languages;
            if external && let Ok(report) = &result {
                for link in &report.external_links {
                    println!(
                        "{}:{}:{}: {}",
                        display_path(&link.source),
                        link.location.line,
                        link.location.col,
                        link.href
                    );
                }
            }
            let code = report(result, cli.quiet, |r| {
                let verdict = if r.warnings.is_empty() {
                    "no problems".to_string()
                } else {
                    format!("no errors{}", warning_count(&r.warnings))
                };
                format!(
                    "Checked {} pages in {:.2} s: {verdict} ({} external links not fetched)",
                    r.pages,
                    r.elapsed.as_secs_f64(),
                    r.external_links.len()
                )
            });
            if deny_warnings && warnings > 0 && code == ExitCode::SUCCESS {
                eprintln!(
                    "error: {warnings} warning{} and --deny-warnings",
                    if warnings == 1 { "" } else { "s" }
                );
                return ExitCode::FAILURE;
            }
            code
        }
    }
}

/// Problems that did not stop the build, as `warning: path:line:col: message`.
fn print_warnings(warnings: &[Diagnostic], quiet: bool) {
    if quiet {
        return;
    }
    for warning in warnings {
        eprintln!("{}: {warning}", warning.severity.label());
    }
}

/// ", 2 warnings" for the summary line; nothing without warnings.
fn warning_count(warnings: &[Diagnostic]) -> String {
    match warnings.len() {
        0 => String::new(),
        1 => ", 1 warning".to_string(),
        n => format!(", {n} warnings"),
    }
}

/// One warning per code language nothing highlights, naming the pages (their blocks are
/// plain text; it is not an error).
fn warn_unknown_languages(quiet: bool) -> usize {
    let warnings = gatehouse::highlight::take_unknown_language_warnings();
    if !quiet {
        for warning in &warnings {
            eprintln!("warning: {warning}");
        }
    }
    warnings.len()
}

fn report<T>(
    result: Result<T, BuildError>,
    quiet: bool,
    summary: impl FnOnce(&T) -> String,
) -> ExitCode {
    match result {
        Ok(value) => {
            if !quiet {
                eprintln!("{}", summary(&value));
            }
            ExitCode::SUCCESS
        }
        Err(BuildError::Diagnostics(problems)) => {
            for problem in &problems {
                eprintln!("{}: {problem}", problem.severity.label());
            }
            eprintln!(
                "error: {} problem{} found; nothing was written",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("error: {err}; the previous output was left in place");
            ExitCode::FAILURE
        }
    }
}

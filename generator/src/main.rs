//! The `gatehouse` command line: turns library results into messages and exit codes.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use gatehouse::{BuildError, BuildOptions, Mode, diagnostic::display_path};

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
        after_help = "Examples:\n  gatehouse check\n  gatehouse check --external > external-links.txt"
    )]
    Check {
        #[command(flatten)]
        site: SiteArgs,
        /// List every external link (nothing is fetched).
        #[arg(long)]
        external: bool,
    },
    /// Preview the site with live reload; the sign-up forms work on a local store.
    #[command(
        after_help = "Examples:\n  gatehouse serve\n  gatehouse serve --port 0 --open\n  gatehouse serve --root docs --bind 0.0.0.0 --port 8080"
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
    },
    /// List the languages code blocks may name (with their aliases) for highlighting.
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
            warn_unknown_languages(cli.quiet);
            report(result, cli.quiet, |r| {
                let out = options
                    .out
                    .clone()
                    .unwrap_or_else(|| options.root.join("public"));
                if verbose {
                    eprintln!(
                        "read, Markdown and checks: {} ms; templates and writing: {} ms",
                        r.checking.as_millis(),
                        (r.elapsed - r.checking).as_millis()
                    );
                }
                format!(
                    "Built {} pages ({} files) into {} in {:.2} s",
                    r.pages,
                    r.files,
                    display_path(&out),
                    r.elapsed.as_secs_f64()
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
        } => {
            let options = gatehouse::serve::ServeOptions {
                root,
                bind,
                port,
                open,
                drafts,
                quiet: cli.quiet,
                state_dir,
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
            for (name, aliases) in gatehouse::highlight::LANGUAGES {
                if aliases.is_empty() {
                    println!("{name}");
                } else {
                    println!("{name} ({})", aliases.join(", "));
                }
            }
            ExitCode::SUCCESS
        }
        Command::Check { site, external } => {
            let options = site.options(None);
            let result = gatehouse::build(&options, Mode::Check);
            warn_unknown_languages(cli.quiet);
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
            report(result, cli.quiet, |r| {
                format!(
                    "Checked {} pages in {:.2} s: no problems ({} external links not fetched)",
                    r.pages,
                    r.elapsed.as_secs_f64(),
                    r.external_links.len()
                )
            })
        }
    }
}

/// One warning per code language no grammar knows, naming the pages (their blocks are
/// plain text; it is not an error).
fn warn_unknown_languages(quiet: bool) {
    for (lang, pages) in gatehouse::highlight::take_unknown_languages() {
        if !quiet {
            let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
            eprintln!(
                "warning: no highlighting for code language `{lang}` (shown as plain text) in {}",
                pages.join(", ")
            );
        }
    }
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
                eprintln!("error: {problem}");
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

//! What the host the site is published to takes: Cloudflare Workers static assets
//! (`wrangler deploy` with `[assets] directory = "public"`) limit how many files one
//! Worker version holds and how large each may be. A build that makes more is not an
//! error (the site may be published elsewhere), but `wrangler deploy` would refuse it,
//! so the build says so, once, with what to do.
//!
//! The plan is `[deploy] workers_plan` in `site.toml` ([`WorkersPlan`]): `"free"` (the
//! default), `"paid"`, or `"none"` for a site not published as Workers assets.
//! Limits as Cloudflare's Workers limits page gives them (Free 20,000 files, Paid
//! 100,000; 25 MiB a file on both).

use std::path::Path;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Severity};

/// The largest file Workers static assets take, on every plan.
pub const MAX_FILE_BYTES: u64 = 25 * 1024 * 1024;

const PAID_MAX_FILES: usize = 100_000;

/// Which Workers plan the site is deployed on (`[deploy] workers_plan`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WorkersPlan {
    #[default]
    Free,
    Paid,
    /// Not published as Workers static assets: no limits to check.
    None,
}

impl WorkersPlan {
    /// How many static asset files one Worker version holds on this plan.
    pub fn max_files(self) -> Option<usize> {
        match self {
            Self::Free => Some(20_000),
            Self::Paid => Some(PAID_MAX_FILES),
            Self::None => None,
        }
    }

    /// Reads `[deploy]` from the site's settings (absent: the Free plan).
    pub fn from_site(site: &Value) -> Result<Self, Vec<Diagnostic>> {
        let problem = |message: String| vec![Diagnostic::file("site.toml", message)];
        let Some(table) = site.get("deploy") else {
            return Ok(Self::default());
        };
        let Value::Object(table) = table else {
            return Err(problem("'deploy' must be a table ([deploy])".into()));
        };
        let mut plan = Self::default();
        for (key, value) in table {
            match (key.as_str(), value.as_str()) {
                ("workers_plan", Some("free")) => plan = Self::Free,
                ("workers_plan", Some("paid")) => plan = Self::Paid,
                ("workers_plan", Some("none")) => plan = Self::None,
                ("workers_plan", _) => {
                    return Err(problem(format!(
                        "[deploy] workers_plan must be \"free\", \"paid\" or \"none\" (not published as Workers assets), not {value}"
                    )));
                }
                (other, _) => {
                    return Err(problem(format!(
                        "[deploy] has no setting '{other}' (it has workers_plan)"
                    )));
                }
            }
        }
        Ok(plan)
    }
}

/// Warnings for a site built into `out` of `files` files, of which `oversized` (path in
/// the output, bytes) are larger than [`MAX_FILE_BYTES`], published on `plan`.
pub fn check(
    plan: WorkersPlan,
    out: &Path,
    files: usize,
    oversized: &[(String, u64)],
) -> Vec<Diagnostic> {
    let Some(max_files) = plan.max_files() else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    if files > max_files {
        let plan_name = match plan {
            WorkersPlan::Free => "the Free plan",
            _ => "the Paid plan",
        };
        let remedy = if plan == WorkersPlan::Free && files <= PAID_MAX_FILES {
            "the Paid plan takes 100,000 (then set [deploy] workers_plan = \"paid\" in site.toml)"
        } else {
            "publish it elsewhere, or split it over several Workers by path"
        };
        warnings.push(Diagnostic::file(
            out,
            format!(
                "the site is {} files: more than the {} Workers static assets take in one version on {plan_name}, so `wrangler deploy` will refuse it; {remedy}, or set [deploy] workers_plan = \"none\" if it is not published as Workers assets",
                thousands(files),
                thousands(max_files),
            ),
        ));
    }
    for (path, bytes) in oversized {
        warnings.push(Diagnostic::file(
            out.join(path.trim_start_matches('/')),
            format!(
                "{:.1} MiB: larger than the 25 MiB a Workers static asset may be, so `wrangler deploy` will refuse the site; host the file elsewhere (R2, a CDN) and link to it",
                *bytes as f64 / (1024.0 * 1024.0)
            ),
        ));
    }
    warnings
        .into_iter()
        .map(|warning| warning.with_severity(Severity::Warning))
        .collect()
}

/// `118228` as `118,228`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(toml: &str) -> Result<WorkersPlan, Vec<String>> {
        let site = serde_json::to_value(toml::from_str::<toml::Table>(toml).unwrap()).unwrap();
        WorkersPlan::from_site(&site)
            .map_err(|problems| problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn the_plan_is_read_from_deploy_and_defaults_to_free() {
        assert_eq!(plan(""), Ok(WorkersPlan::Free));
        assert_eq!(
            plan("[deploy]\nworkers_plan = \"paid\"\n"),
            Ok(WorkersPlan::Paid)
        );
        assert_eq!(
            plan("[deploy]\nworkers_plan = \"none\"\n"),
            Ok(WorkersPlan::None)
        );
        assert_eq!(
            plan("[deploy]\nworkers_plan = \"pro\"\n"),
            Err(vec![
                "site.toml: [deploy] workers_plan must be \"free\", \"paid\" or \"none\" (not published as Workers assets), not \"pro\"".to_string()
            ])
        );
        assert_eq!(
            plan("[deploy]\nplan = \"paid\"\n"),
            Err(vec![
                "site.toml: [deploy] has no setting 'plan' (it has workers_plan)".to_string()
            ])
        );
        assert_eq!(
            plan("deploy = 1\n"),
            Err(vec![
                "site.toml: 'deploy' must be a table ([deploy])".to_string()
            ])
        );
    }

    fn check_public(
        plan: WorkersPlan,
        files: usize,
        oversized: &[(String, u64)],
    ) -> Vec<Diagnostic> {
        check(plan, Path::new("public"), files, oversized)
    }

    #[test]
    fn too_many_files_or_too_large_a_file_is_a_warning_for_the_plan() {
        assert!(check_public(WorkersPlan::Free, 20_000, &[]).is_empty());
        let free = check_public(WorkersPlan::Free, 20_001, &[]);
        assert_eq!(free.len(), 1);
        assert_eq!(free[0].severity, Severity::Warning);
        assert!(
            free[0].message.contains("20,001 files") && free[0].message.contains("Paid plan takes"),
            "{}",
            free[0].message
        );
        assert!(
            check_public(WorkersPlan::Free, 118_228, &[])[0]
                .message
                .contains("118,228 files: more than the 20,000 Workers static assets take in one version on the Free plan, so `wrangler deploy` will refuse it; publish it elsewhere"),
            "over every plan's limit, the Paid plan is no remedy"
        );
        assert!(check_public(WorkersPlan::Paid, 100_000, &[]).is_empty());
        assert!(
            check_public(WorkersPlan::Paid, 100_001, &[])[0]
                .message
                .contains("split it")
        );
        assert!(check_public(WorkersPlan::None, 1_000_000, &[("/a".into(), u64::MAX)]).is_empty());
        let large = check_public(
            WorkersPlan::Paid,
            10,
            &[("/video/intro.mp4".into(), 30 * 1024 * 1024)],
        );
        assert_eq!(large.len(), 1);
        assert_eq!(
            large[0].to_string(),
            "public/video/intro.mp4: 30.0 MiB: larger than the 25 MiB a Workers static asset may be, so `wrangler deploy` will refuse the site; host the file elsewhere (R2, a CDN) and link to it"
        );
    }
}

/// The lines of `wrangler.toml`'s `run_worker_first` that `gatehouse build` keeps: the
/// pages with reader markers ([`crate::reader`]), which the Worker fills in for a
/// signed-in reader. Every other page is served by the assets layer without the Worker.
pub const WORKER_FIRST_BEGIN: &str = "# BEGIN reader pages (kept by gatehouse build)";
pub const WORKER_FIRST_END: &str = "# END reader pages";

/// What `gatehouse build` did about `wrangler.toml`'s reader pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerRoutes {
    /// No `wrangler.toml` beside the site, or its block already lists these pages.
    Unchanged,
    /// The file's text with the block listing these pages.
    Updated { text: String, pages: usize },
    /// The file has no block, and reader pages need one.
    Missing(Diagnostic),
}

/// `wrangler.toml`'s text (`toml`, from `path`) with the reader-page block listing `urls`.
pub fn worker_routes<'u>(
    path: &Path,
    toml: &str,
    urls: impl IntoIterator<Item = &'u str>,
) -> WorkerRoutes {
    let mut urls: Vec<&str> = urls.into_iter().collect();
    urls.sort_unstable();
    urls.dedup();
    let begin = toml.find(WORKER_FIRST_BEGIN);
    let end = toml.find(WORKER_FIRST_END);
    let (Some(begin), Some(end)) = (begin, end.filter(|e| Some(*e) > begin)) else {
        if urls.is_empty() {
            return WorkerRoutes::Unchanged;
        }
        let lines: Vec<String> = urls.iter().map(|u| format!("  \"{u}\",")).collect();
        return WorkerRoutes::Missing(
            Diagnostic::file(
                path,
                format!(
                    "{} page(s) show their reader's own details, and the Worker fills them in only for paths it runs first: add to `run_worker_first` in [assets]\n  {WORKER_FIRST_BEGIN}\n{}\n  {WORKER_FIRST_END}\n(gatehouse build keeps the lines between the two comments up to date)",
                    urls.len(),
                    lines.join("\n")
                ),
            )
            .with_severity(Severity::Warning),
        );
    };
    let line_start = toml[..begin].rfind('\n').map_or(0, |i| i + 1);
    let indent = &toml[line_start..begin];
    let after_begin = begin + WORKER_FIRST_BEGIN.len();
    let body_start = toml[after_begin..]
        .find('\n')
        .map_or(toml.len(), |i| after_begin + i + 1);
    let end_line = toml[..end].rfind('\n').map_or(0, |i| i + 1);
    let wanted: String = urls.iter().map(|u| format!("{indent}\"{u}\",\n")).collect();
    if body_start > end_line || toml[body_start..end_line] == wanted {
        return WorkerRoutes::Unchanged;
    }
    let text = format!("{}{wanted}{}", &toml[..body_start], &toml[end_line..]);
    WorkerRoutes::Updated {
        text,
        pages: urls.len(),
    }
}

#[cfg(test)]
mod worker_routes_tests {
    use super::*;

    const TOML: &str = "[assets]\nrun_worker_first = [\n  \"/api/*\",\n  # BEGIN reader pages (kept by gatehouse build)\n  \"/old/\",\n  # END reader pages\n]\n";

    #[test]
    fn the_block_lists_the_reader_pages_and_nothing_else_changes() {
        let path = Path::new("wrangler.toml");
        let WorkerRoutes::Updated { text, pages } = worker_routes(path, TOML, ["/b/", "/a/"])
        else {
            panic!("the block is updated");
        };
        assert_eq!(pages, 2);
        assert_eq!(
            text,
            "[assets]\nrun_worker_first = [\n  \"/api/*\",\n  # BEGIN reader pages (kept by gatehouse build)\n  \"/a/\",\n  \"/b/\",\n  # END reader pages\n]\n"
        );
        assert_eq!(
            worker_routes(path, &text, ["/a/", "/b/"]),
            WorkerRoutes::Unchanged
        );
    }

    #[test]
    fn without_the_block_the_build_says_what_to_add() {
        let path = Path::new("wrangler.toml");
        let toml = "[assets]\nrun_worker_first = [\"/api/*\"]\n";
        assert_eq!(worker_routes(path, toml, []), WorkerRoutes::Unchanged);
        let WorkerRoutes::Missing(warning) = worker_routes(path, toml, ["/start/"]) else {
            panic!("a warning");
        };
        assert!(
            warning.message.contains("\"/start/\","),
            "{}",
            warning.message
        );
    }
}

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

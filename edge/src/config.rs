//! What the host tells the core about the site, and the tunable limits.

use crate::limiter::Rule;

/// The site the core serves.
#[derive(Debug, Clone)]
pub struct EdgeConfig {
    /// Where the site is reached, e.g. `http://127.0.0.1:1111`; links in emails start with it
    /// and POSTs from its origin are accepted.
    pub base_url: String,
    /// The product the emails talk about, e.g. `Konnect`.
    pub product_name: String,
    pub site_title: String,
    /// The sender address the host's mailer should use.
    pub mail_from: String,
    /// Enables `/_dev/outbox`, `/_dev/clock` and `/_dev/cron`, and the development clock
    /// offset. Never on in production: anyone could move the clock.
    pub dev: bool,
    pub limits: Limits,
}

impl EdgeConfig {
    /// `base_url` without a trailing slash, ready for `format!("{}/path", …)`.
    pub fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// The origin (`scheme://host[:port]`) of `base_url` as a browser writes it in `Origin`
    /// (lower case, default port left out), or `None` if `base_url` is not an absolute URL.
    pub fn origin(&self) -> Option<String> {
        let uri: http::Uri = self.base_url.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let host = uri.host()?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        Some(match uri.port_u16() {
            Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
            _ => format!("{scheme}://{host}"),
        })
    }
}

/// Request-size and rate limits. The defaults are meant to be out of reach of a person and
/// in the way of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Larger POST bodies are refused with 413.
    pub max_body_bytes: usize,
    /// POSTs per client IP, counted per route (register, resend, sign-in, forgot, reset).
    pub posts_per_ip: Rule,
    /// Failed sign-ins per email address.
    pub sign_in_failures_per_email: Rule,
    /// Requests that send mail (register, resend, forgot) per email address.
    pub mails_per_email: Rule,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024,
            posts_per_ip: Rule {
                limit: 20,
                window_secs: 60,
            },
            sign_in_failures_per_email: Rule {
                limit: 5,
                window_secs: 15 * 60,
            },
            mails_per_email: Rule {
                limit: 5,
                window_secs: 15 * 60,
            },
        }
    }
}

impl Limits {
    /// The setting names, as `site.toml`'s `[edge.limits]` keys (`gatehouse serve`) and,
    /// upper-cased with a `LIMIT_` prefix, as Worker vars (`LIMIT_POSTS_PER_IP`).
    pub const SETTINGS: [&'static str; 7] = [
        "max_body_bytes",
        "posts_per_ip",
        "posts_per_ip_window_secs",
        "sign_in_failures_per_email",
        "sign_in_failures_window_secs",
        "mails_per_email",
        "mails_window_secs",
    ];

    /// These limits with the settings `get` knows about applied; every other one keeps its
    /// value. Each must be a whole number of at least 1: a typo must not turn a limit off.
    pub fn with_settings(mut self, get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        for name in Self::SETTINGS {
            let Some(raw) = get(name) else { continue };
            let value: u64 = raw.trim().parse().ok().filter(|v| *v >= 1).ok_or_else(|| {
                format!("limit `{name}` must be a whole number of at least 1, not `{raw}`")
            })?;
            let small = || {
                u32::try_from(value).map_err(|_| format!("limit `{name}` is too large: {value}"))
            };
            match name {
                "max_body_bytes" => {
                    self.max_body_bytes = usize::try_from(value)
                        .map_err(|_| format!("limit `{name}` is too large: {value}"))?
                }
                "posts_per_ip" => self.posts_per_ip.limit = small()?,
                "posts_per_ip_window_secs" => self.posts_per_ip.window_secs = value,
                "sign_in_failures_per_email" => self.sign_in_failures_per_email.limit = small()?,
                "sign_in_failures_window_secs" => {
                    self.sign_in_failures_per_email.window_secs = value
                }
                "mails_per_email" => self.mails_per_email.limit = small()?,
                _ => self.mails_per_email.window_secs = value,
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_settings_override_defaults_and_refuse_nonsense() {
        let settings = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let limits = Limits::default()
            .with_settings(settings(&[
                ("sign_in_failures_per_email", "3"),
                ("mails_window_secs", " 60 "),
            ]))
            .unwrap();
        assert_eq!(
            limits.sign_in_failures_per_email,
            Rule {
                limit: 3,
                window_secs: 900
            }
        );
        assert_eq!(
            limits.mails_per_email,
            Rule {
                limit: 5,
                window_secs: 60
            }
        );
        assert_eq!(limits.posts_per_ip, Limits::default().posts_per_ip);
        assert_eq!(
            Limits::default()
                .with_settings(settings(&[("posts_per_ip", "0")]))
                .unwrap_err(),
            "limit `posts_per_ip` must be a whole number of at least 1, not `0`"
        );
        assert!(
            Limits::default()
                .with_settings(settings(&[("posts_per_ip", "lots")]))
                .is_err()
        );
    }

    fn config(base_url: &str) -> EdgeConfig {
        EdgeConfig {
            base_url: base_url.to_owned(),
            product_name: "Konnect".to_owned(),
            site_title: "Docs".to_owned(),
            mail_from: "docs@example.test".to_owned(),
            dev: false,
            limits: Limits::default(),
        }
    }

    #[test]
    fn origin_of_base_url() {
        assert_eq!(
            config("http://127.0.0.1:1111/").origin().as_deref(),
            Some("http://127.0.0.1:1111")
        );
        assert_eq!(
            config("HTTPS://Docs.Example.com:443/guide/")
                .origin()
                .as_deref(),
            Some("https://docs.example.com")
        );
        assert_eq!(config("/relative").origin(), None);
        assert_eq!(config("http://x.test/").base(), "http://x.test");
    }
}

//! What the host tells the core about the site, and the tunable limits: the settings, their
//! canonical names, their defaults and their errors, in one place for both hosts.
//!
//! A host reads its settings with [`EdgeConfig::from_lookup`], handing it a function that
//! maps each canonical name ([`setting`]) to where the host keeps it:
//!
//! | canonical name | `gatehouse serve` (site.toml) | Workers (vars) | default |
//! |---|---|---|---|
//! | `site_title` | `title` | `SITE_TITLE` | `Documentation` (as the generator's) |
//! | `product_name` | `[edge] product_name` | `PRODUCT_NAME` | the site title |
//! | `mail_from` | `[edge] mail_from` | `MAIL_FROM` | `no-reply@localhost` |
//! | `limits.<name>` | `[edge.limits] <name>` | `LIMIT_<NAME>` | [`Limits::default`] |
//!
//! `<name>` is one of [`Limits::SETTINGS`]. Values are trimmed; a blank value counts as
//! unset.

use thiserror::Error;

use crate::limiter::Rule;

/// The canonical setting names [`EdgeConfig::from_lookup`] asks for.
pub mod setting {
    pub const SITE_TITLE: &str = "site_title";
    pub const PRODUCT_NAME: &str = "product_name";
    pub const MAIL_FROM: &str = "mail_from";
    /// Followed by one of [`Limits::SETTINGS`](super::Limits::SETTINGS):
    /// `limits.posts_per_ip`.
    pub const LIMITS_PREFIX: &str = "limits.";
}

/// The site title when none is set: the generator's own default title, so mail and pages
/// agree.
pub const DEFAULT_SITE_TITLE: &str = "Documentation";
/// The sender when none is set; only good for development.
pub const DEFAULT_MAIL_FROM: &str = "no-reply@localhost";

/// A setting the core cannot use. The message names the limit as in [`Limits::SETTINGS`];
/// each host says where it keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// Not a whole number, or 0: a typo must not turn a limit off.
    #[error("limit `{name}` must be a whole number of at least 1, not `{value}`")]
    NotAWholeNumber { name: &'static str, value: String },
    #[error("limit `{name}` is too large: {value}")]
    TooLarge { name: &'static str, value: u64 },
}

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
    /// The configuration from the host's settings: `lookup` answers a canonical name (see
    /// the [module docs](self)) with the value the host keeps for it, or `None`. Unset and
    /// blank settings take their defaults. A bad limit is an error.
    pub fn from_lookup(
        base_url: String,
        dev: bool,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let (config, limits) = Self::read(base_url, dev, lookup);
        Ok(Self {
            limits: limits?,
            ..config
        })
    }

    /// As [`from_lookup`](Self::from_lookup), but a bad limit leaves every limit at its
    /// default and comes back beside the configuration, for a host that must keep serving
    /// and only log it (Workers: a typo in a var must not take the forms down).
    pub fn from_lookup_or_default_limits(
        base_url: String,
        dev: bool,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> (Self, Option<ConfigError>) {
        let (config, limits) = Self::read(base_url, dev, lookup);
        match limits {
            Ok(limits) => (Self { limits, ..config }, None),
            Err(problem) => (config, Some(problem)),
        }
    }

    /// Everything but the limits, which come back apart (the config holds the defaults).
    fn read(
        base_url: String,
        dev: bool,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> (Self, Result<Limits, ConfigError>) {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let site_title = get(setting::SITE_TITLE).unwrap_or_else(|| DEFAULT_SITE_TITLE.to_owned());
        let config = Self {
            base_url,
            product_name: get(setting::PRODUCT_NAME).unwrap_or_else(|| site_title.clone()),
            site_title,
            mail_from: get(setting::MAIL_FROM).unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
            dev,
            limits: Limits::default(),
        };
        let limits = Limits::default()
            .with_settings(|name| get(&format!("{}{name}", setting::LIMITS_PREFIX)));
        (config, limits)
    }

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
    /// The limit names; the settings are `limits.<name>` (see the [module docs](self)):
    /// `site.toml`'s `[edge.limits]` keys (`gatehouse serve`) and, upper-cased with a
    /// `LIMIT_` prefix, Worker vars (`LIMIT_POSTS_PER_IP`).
    pub const SETTINGS: [&'static str; 7] = [
        "max_body_bytes",
        "posts_per_ip",
        "posts_per_ip_window_secs",
        "sign_in_failures_per_email",
        "sign_in_failures_window_secs",
        "mails_per_email",
        "mails_window_secs",
    ];

    /// These limits with the settings `get` knows about applied (by limit name, already
    /// trimmed, blanks left out); every other one keeps its value. Each must be a whole
    /// number of at least 1.
    fn with_settings(mut self, get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        for name in Self::SETTINGS {
            let Some(raw) = get(name) else { continue };
            let value: u64 = raw.parse().ok().filter(|v| *v >= 1).ok_or_else(|| {
                ConfigError::NotAWholeNumber {
                    name,
                    value: raw.clone(),
                }
            })?;
            let too_large = || ConfigError::TooLarge { name, value };
            let small = || u32::try_from(value).map_err(|_| too_large());
            match name {
                "max_body_bytes" => {
                    self.max_body_bytes = usize::try_from(value).map_err(|_| too_large())?
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

    /// A lookup over fixed `(canonical name, value)` pairs.
    fn settings(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn read(pairs: &'static [(&'static str, &'static str)]) -> Result<EdgeConfig, ConfigError> {
        EdgeConfig::from_lookup("http://x.test".to_owned(), false, settings(pairs))
    }

    #[test]
    fn nothing_set_gives_the_defaults() {
        let config = read(&[]).unwrap();
        assert_eq!(config.base_url, "http://x.test");
        assert!(!config.dev);
        assert_eq!(config.site_title, "Documentation");
        assert_eq!(config.product_name, "Documentation");
        assert_eq!(config.mail_from, "no-reply@localhost");
        assert_eq!(config.limits, Limits::default());
        let dev = EdgeConfig::from_lookup("http://x.test".to_owned(), true, |_| None).unwrap();
        assert!(dev.dev);
    }

    #[test]
    fn blank_settings_count_as_unset_and_values_are_trimmed() {
        let config = read(&[
            ("site_title", "  "),
            ("product_name", ""),
            ("mail_from", " docs@example.test\n"),
            ("limits.posts_per_ip", " "),
        ])
        .unwrap();
        assert_eq!(config.site_title, "Documentation");
        assert_eq!(config.product_name, "Documentation");
        assert_eq!(config.mail_from, "docs@example.test");
        assert_eq!(config.limits, Limits::default());
    }

    #[test]
    fn settings_override_the_defaults() {
        let config = read(&[
            ("site_title", "Konnect Docs"),
            ("mail_from", "Konnect <no-reply@docs.example.com>"),
            ("limits.sign_in_failures_per_email", "3"),
            ("limits.mails_window_secs", " 60 "),
            ("limits.max_body_bytes", "1024"),
            // Not canonical names: ignored.
            ("posts_per_ip", "1"),
            ("limits.unknown", "1"),
        ])
        .unwrap();
        // The product is named after the site unless set.
        assert_eq!(config.product_name, "Konnect Docs");
        assert_eq!(config.mail_from, "Konnect <no-reply@docs.example.com>");
        assert_eq!(
            config.limits.sign_in_failures_per_email,
            Rule {
                limit: 3,
                window_secs: 900
            }
        );
        assert_eq!(
            config.limits.mails_per_email,
            Rule {
                limit: 5,
                window_secs: 60
            }
        );
        assert_eq!(config.limits.max_body_bytes, 1024);
        assert_eq!(config.limits.posts_per_ip, Limits::default().posts_per_ip);
        let named = read(&[("site_title", "Docs"), ("product_name", "Konnect")]).unwrap();
        assert_eq!(named.product_name, "Konnect");
        assert_eq!(named.site_title, "Docs");
    }

    #[test]
    fn a_bad_limit_is_an_error_or_leaves_the_default_limits() {
        assert_eq!(
            read(&[("limits.posts_per_ip", "0")]).unwrap_err(),
            ConfigError::NotAWholeNumber {
                name: "posts_per_ip",
                value: "0".to_owned()
            }
        );
        assert_eq!(
            read(&[("limits.posts_per_ip", "0")])
                .unwrap_err()
                .to_string(),
            "limit `posts_per_ip` must be a whole number of at least 1, not `0`"
        );
        assert!(matches!(
            read(&[("limits.mails_per_email", "lots")]),
            Err(ConfigError::NotAWholeNumber {
                name: "mails_per_email",
                ..
            })
        ));
        assert_eq!(
            read(&[("limits.posts_per_ip", "-3")])
                .unwrap_err()
                .to_string(),
            "limit `posts_per_ip` must be a whole number of at least 1, not `-3`"
        );
        assert_eq!(
            read(&[("limits.posts_per_ip", "4294967296")]).unwrap_err(),
            ConfigError::TooLarge {
                name: "posts_per_ip",
                value: 4_294_967_296
            }
        );

        let (config, problem) = EdgeConfig::from_lookup_or_default_limits(
            "http://x.test".to_owned(),
            false,
            settings(&[
                ("site_title", "Konnect Docs"),
                ("limits.sign_in_failures_per_email", "3"),
                ("limits.posts_per_ip", "lots"),
            ]),
        );
        assert_eq!(config.limits, Limits::default());
        assert_eq!(config.site_title, "Konnect Docs");
        assert_eq!(
            problem.map(|p| p.to_string()).as_deref(),
            Some("limit `posts_per_ip` must be a whole number of at least 1, not `lots`")
        );
        let (config, problem) = EdgeConfig::from_lookup_or_default_limits(
            "http://x.test".to_owned(),
            false,
            settings(&[("limits.posts_per_ip", "7")]),
        );
        assert_eq!(problem, None);
        assert_eq!(config.limits.posts_per_ip.limit, 7);
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

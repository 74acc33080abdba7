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

/// Development mode (`/_dev/*`, the movable clock, mail kept in the Kv outbox) as a host
/// that reads it from text decides it: the Workers host, from its `DEV`, `SITE_URL` and
/// `DEV_ALLOW_REMOTE` vars. It fails closed:
///
/// - `DEV` turns it on only when it is exactly `1` or `true`; any other value leaves it off
///   (with a [`note`](Self::note) saying so, for the log);
/// - with `DEV` on, a `SITE_URL` that is not a loopback origin (`localhost`, `*.localhost`,
///   `127.0.0.0/8`, `[::1]`), or no `SITE_URL`, leaves it off too — a deployed site must
///   never let anyone move its clock or read its mail — unless `DEV_ALLOW_REMOTE` is also
///   `1` or `true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevMode {
    /// Development mode is on.
    pub on: bool,
    /// Why `DEV` was set and the mode is nonetheless off, or on although the site is remote:
    /// worth a line in the log.
    pub note: Option<String>,
    /// With `DEV` set but refused for the site (not for its value): why `/_dev/*` answers
    /// 404, for the log of each such request.
    pub refused: Option<String>,
}

impl DevMode {
    /// Decides from the raw values (`None` when unset). A blank `DEV` counts as unset.
    pub fn decide(dev: Option<&str>, site_url: Option<&str>, allow_remote: Option<&str>) -> Self {
        let off = |note: Option<String>, refused: Option<String>| Self {
            on: false,
            note,
            refused,
        };
        let Some(dev) = dev.filter(|v| !v.trim().is_empty()) else {
            return off(None, None);
        };
        if !is_yes(dev) {
            return off(
                Some(format!(
                    "DEV is `{dev}`, which is not `1` or `true`: development mode is off"
                )),
                None,
            );
        }
        let site = site_url.map(str::trim).filter(|v| !v.is_empty());
        if site.is_some_and(is_loopback_url) {
            return Self {
                on: true,
                note: None,
                refused: None,
            };
        }
        let site = match site {
            Some(site) => format!("SITE_URL `{site}` is not a loopback origin"),
            None => "SITE_URL is not set".to_owned(),
        };
        if allow_remote.is_some_and(is_yes) {
            return Self {
                on: true,
                note: Some(format!(
                    "development mode is on although {site}, because DEV_ALLOW_REMOTE is set: \
                     anyone who reaches this Worker can move its clock and read its mail"
                )),
                refused: None,
            };
        }
        let why = format!(
            "DEV is set but {site}: /_dev/* is refused and development mode is off \
             (set DEV_ALLOW_REMOTE=1 as well to allow it)"
        );
        off(Some(why.clone()), Some(why))
    }
}

/// `1` or `true`, exactly.
fn is_yes(value: &str) -> bool {
    matches!(value, "1" | "true")
}

/// An http(s) URL whose host is loopback: `localhost` or a name under `.localhost`, an
/// address in 127.0.0.0/8, or `[::1]`.
pub fn is_loopback_url(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return false;
    }
    let Some(authority) = uri.authority() else {
        return false;
    };
    if authority.as_str().contains('@') {
        return false;
    }
    let host = authority.host().to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// Request-size and rate limits. The defaults are meant to be out of reach of a person and
/// in the way of a script.
///
/// Per-address rules are counted per client network ([`network`](crate::limiter::network):
/// the IPv4 address or the IPv6 /64) so that strangers cannot lock the owner out from
/// elsewhere, with a much higher ceiling per address from all networks together as the
/// backstop against an attack spread over many networks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Larger POST bodies are refused with 413.
    pub max_body_bytes: usize,
    /// POSTs per client network, counted per route (register, resend, sign-in, forgot,
    /// reset).
    pub posts_per_ip: Rule,
    /// Failed sign-ins per email address from one client network.
    pub sign_in_failures_per_email: Rule,
    /// Failed sign-ins per email address from all networks together (same window).
    pub sign_in_failures_ceiling: Rule,
    /// Requests that send mail per email address from one client network, counted apart
    /// for verification mail (register, resend) and reset mail (forgot).
    pub mails_per_email: Rule,
    /// Requests that send mail per email address from all networks together, each kind of
    /// mail apart (same window).
    pub mails_ceiling: Rule,
}

impl Default for Limits {
    fn default() -> Self {
        const FIFTEEN_MINUTES: u64 = 15 * 60;
        Self {
            max_body_bytes: 16 * 1024,
            posts_per_ip: Rule {
                limit: 20,
                window_secs: 60,
            },
            sign_in_failures_per_email: Rule {
                limit: 5,
                window_secs: FIFTEEN_MINUTES,
            },
            sign_in_failures_ceiling: Rule {
                limit: 100,
                window_secs: FIFTEEN_MINUTES,
            },
            mails_per_email: Rule {
                limit: 5,
                window_secs: FIFTEEN_MINUTES,
            },
            mails_ceiling: Rule {
                limit: 20,
                window_secs: FIFTEEN_MINUTES,
            },
        }
    }
}

impl Limits {
    /// The limit names; the settings are `limits.<name>` (see the [module docs](self)):
    /// `site.toml`'s `[edge.limits]` keys (`gatehouse serve`) and, upper-cased with a
    /// `LIMIT_` prefix, Worker vars (`LIMIT_POSTS_PER_IP`). A window applies to the
    /// per-network rule and its ceiling alike.
    pub const SETTINGS: [&'static str; 9] = [
        "max_body_bytes",
        "posts_per_ip",
        "posts_per_ip_window_secs",
        "sign_in_failures_per_email",
        "sign_in_failures_ceiling",
        "sign_in_failures_window_secs",
        "mails_per_email",
        "mails_ceiling",
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
                "sign_in_failures_ceiling" => self.sign_in_failures_ceiling.limit = small()?,
                "sign_in_failures_window_secs" => {
                    self.sign_in_failures_per_email.window_secs = value;
                    self.sign_in_failures_ceiling.window_secs = value;
                }
                "mails_per_email" => self.mails_per_email.limit = small()?,
                "mails_ceiling" => self.mails_ceiling.limit = small()?,
                _ => {
                    self.mails_per_email.window_secs = value;
                    self.mails_ceiling.window_secs = value;
                }
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
        // A window setting moves the per-network rule and its ceiling together.
        assert_eq!(config.limits.mails_ceiling.window_secs, 60);
        assert_eq!(config.limits.sign_in_failures_ceiling.limit, 100);
        let named = read(&[("site_title", "Docs"), ("product_name", "Konnect")]).unwrap();
        assert_eq!(named.product_name, "Konnect");
        assert_eq!(named.site_title, "Docs");
    }

    #[test]
    fn the_ceilings_are_settings() {
        let defaults = Limits::default();
        assert_eq!(
            defaults.sign_in_failures_ceiling,
            Rule {
                limit: 100,
                window_secs: 900
            }
        );
        assert_eq!(
            defaults.mails_ceiling,
            Rule {
                limit: 20,
                window_secs: 900
            }
        );
        let config = read(&[
            ("limits.sign_in_failures_ceiling", "40"),
            ("limits.sign_in_failures_window_secs", "300"),
            ("limits.mails_ceiling", "9"),
        ])
        .unwrap();
        assert_eq!(
            config.limits.sign_in_failures_ceiling,
            Rule {
                limit: 40,
                window_secs: 300
            }
        );
        assert_eq!(config.limits.sign_in_failures_per_email.window_secs, 300);
        assert_eq!(config.limits.mails_ceiling.limit, 9);
        assert!(matches!(
            read(&[("limits.mails_ceiling", "0")]),
            Err(ConfigError::NotAWholeNumber {
                name: "mails_ceiling",
                ..
            })
        ));
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

    #[test]
    fn dev_is_on_only_for_1_or_true() {
        let local = Some("http://127.0.0.1:8787");
        for value in ["1", "true"] {
            let mode = DevMode::decide(Some(value), local, None);
            assert!(mode.on, "{value}");
            assert_eq!(mode.note, None);
        }
        assert_eq!(
            DevMode::decide(None, local, None),
            DevMode {
                on: false,
                note: None,
                refused: None
            }
        );
        assert!(!DevMode::decide(Some(" "), local, None).on);
        for value in [
            "0", "false", "yes", "on", "TRUE", "True", " 1", "1 ", "2", "dev",
        ] {
            let mode = DevMode::decide(Some(value), local, Some("1"));
            assert!(!mode.on, "{value:?} turned development mode on");
            assert_eq!(
                mode.note,
                Some(format!(
                    "DEV is `{value}`, which is not `1` or `true`: development mode is off"
                ))
            );
            assert_eq!(mode.refused, None);
        }
    }

    #[test]
    fn dev_is_refused_for_a_remote_site_unless_allowed() {
        let mode = DevMode::decide(Some("1"), Some("https://docs.example.com"), None);
        assert!(!mode.on);
        let why = "DEV is set but SITE_URL `https://docs.example.com` is not a loopback \
                   origin: /_dev/* is refused and development mode is off (set \
                   DEV_ALLOW_REMOTE=1 as well to allow it)";
        assert_eq!(mode.refused.as_deref(), Some(why));
        assert_eq!(mode.note.as_deref(), Some(why));
        let unset = DevMode::decide(Some("true"), None, None);
        assert!(!unset.on);
        assert!(
            unset
                .refused
                .is_some_and(|why| why.contains("SITE_URL is not set"))
        );
        for allow in [None, Some("0"), Some("yes"), Some("")] {
            assert!(!DevMode::decide(Some("1"), Some("https://docs.example.com"), allow).on);
        }
        let allowed = DevMode::decide(Some("1"), Some("https://docs.example.com"), Some("1"));
        assert!(allowed.on);
        assert_eq!(allowed.refused, None);
        assert!(
            allowed
                .note
                .is_some_and(|note| note.contains("DEV_ALLOW_REMOTE"))
        );
    }

    #[test]
    fn loopback_urls() {
        for url in [
            "http://127.0.0.1:8787",
            "http://127.9.9.9/",
            "https://localhost",
            "http://LOCALHOST:1111/docs/",
            "http://app.localhost:3000",
            "http://[::1]:8787",
            "http://[::ffff:127.0.0.1]",
        ] {
            assert!(is_loopback_url(url), "{url}");
        }
        for url in [
            "https://docs.example.com",
            "http://10.0.0.1",
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
            "http://[::2]",
            "ftp://127.0.0.1",
            "127.0.0.1:8787",
            "http://localhost@evil.example",
            "http://evil.example@localhost",
            "",
        ] {
            assert!(!is_loopback_url(url), "{url}");
        }
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

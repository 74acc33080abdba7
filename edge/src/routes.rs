//! The one table of the requests the edge answers, and every question asked of it: which
//! route a request is ([`find`]), whether a host must hand a request to the core
//! ([`is_edge_route`]), and whether a link on the site reaches the edge ([`answers_get`],
//! [`is_reserved`]).
//!
//! Depends on the `http` crate only, so it builds without the `core` feature: the
//! generator's link checker uses it without compiling the backend.

use http::Method;

/// Every route the core answers. `router.rs` dispatches with one exhaustive `match`, so a
/// variant without a handler does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// `POST /api/register`
    Register,
    /// `POST /api/verify/resend`
    VerifyResend,
    /// `POST /api/sign-in`
    SignIn,
    /// `POST /api/sign-out`
    SignOut,
    /// `POST /api/forgot-password`
    ForgotPassword,
    /// `POST /api/reset-password`
    ResetPassword,
    /// `POST /api/account/plan`
    ChoosePlan,
    /// `GET /api/verify?token=`: the link in the mail; 303 to the confirm page
    Verify,
    /// `POST /api/verify`: the confirm form (`token`, `password`)
    ConfirmVerify,
    /// `GET /register/confirm/?token=`
    ConfirmPage,
    /// `GET /api/account`
    AccountJson,
    /// `GET /account/` (and `/account`)
    AccountPage,
    /// `GET /sign-in/`
    SignInPage,
    /// `GET /reset-password/?token=`
    ResetPasswordPage,
    /// `POST /api/account/profile`
    AccountProfile,
    /// `POST /api/account/password`
    AccountPassword,
    /// `POST /api/account/email`: asks for a change of address
    AccountEmail,
    /// `POST /api/account/email/confirm`: the confirm form (`token`, `password`)
    AccountEmailConfirm,
    /// `GET /confirm-email/?token=`: the link mailed to the new address
    AccountEmailConfirmPage,
    /// `POST /api/account/sessions/revoke`
    AccountRevokeSessions,
    /// `GET /api/account/export`
    AccountExport,
    /// `POST /api/account/delete`
    AccountDelete,
    /// `POST /_dev/clock` (development only)
    DevClock,
    /// `POST /_dev/cron` (development only)
    DevCron,
    /// `GET /_dev/outbox` (development only)
    DevOutbox,
}

/// What a route answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Under `/api/`: a form action, a link in a mail, or JSON.
    Api,
    /// A page of the site the core fills in; the site must publish it too (it is the form
    /// the core fills), and the Workers assets layer must let the request through
    /// (`run_worker_first` in wrangler.toml).
    Page,
    /// Under `/_dev/`: answered only in development, 404 otherwise.
    Dev,
}

/// The method a route takes. A `Get` route answers `HEAD` as well (without the body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
}

impl Verb {
    /// Whether a request with `method` is one this verb answers.
    pub fn answers(self, method: &Method) -> bool {
        match self {
            Self::Get => method == Method::GET || method == Method::HEAD,
            Self::Post => method == Method::POST,
        }
    }
}

/// One row of [`ROUTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub verb: Verb,
    /// The URL path, without the query; matched exactly.
    pub path: &'static str,
    pub route: Route,
    pub kind: Kind,
    /// The form fields a `POST` route reads: what a form posting to it may send (the
    /// generator checks every form of the site against it), besides [`RETURN_TO`].
    pub fields: &'static [&'static str],
}

/// The forms a docs page may hold (`{% form NAME %}`), and the route each posts to.
pub const EMBEDDABLE_FORMS: [(&str, &str); 3] = [
    ("register", "/api/register"),
    ("sign-in", "/api/sign-in"),
    ("forgot-password", "/api/forgot-password"),
];

/// The hidden field of a form embedded in a docs page (`{% form NAME %}`): the page, to
/// which a refused post comes back with the fields marked.
pub const RETURN_TO: &str = "return_to";

const fn row(verb: Verb, path: &'static str, route: Route, kind: Kind) -> RouteSpec {
    RouteSpec {
        verb,
        path,
        route,
        kind,
        fields: &[],
    }
}

impl RouteSpec {
    const fn takes(self, fields: &'static [&'static str]) -> Self {
        Self { fields, ..self }
    }
}

/// The fields `route`'s form may send: its [`RouteSpec::fields`] and [`RETURN_TO`].
pub fn fields_of(route: Route) -> &'static [&'static str] {
    ROUTES
        .iter()
        .find(|spec| spec.route == route && spec.verb == Verb::Post)
        .map_or(&[], |spec| spec.fields)
}

/// The `POST` route at `path`, if there is one.
pub fn post_route(path: &str) -> Option<&'static RouteSpec> {
    ROUTES
        .iter()
        .find(|spec| spec.verb == Verb::Post && spec.path == path)
}

/// Every route, once. `/account` and `/account/` are both the account page.
pub const ROUTES: &[RouteSpec] = &[
    row(Verb::Post, "/api/register", Route::Register, Kind::Api).takes(&[
        "email",
        "first_name",
        "last_name",
        "organization",
        "password",
    ]),
    row(
        Verb::Post,
        "/api/verify/resend",
        Route::VerifyResend,
        Kind::Api,
    )
    .takes(&["email"]),
    row(Verb::Post, "/api/sign-in", Route::SignIn, Kind::Api).takes(&["email", "password"]),
    row(Verb::Post, "/api/sign-out", Route::SignOut, Kind::Api),
    row(
        Verb::Post,
        "/api/forgot-password",
        Route::ForgotPassword,
        Kind::Api,
    )
    .takes(&["email"]),
    row(
        Verb::Post,
        "/api/reset-password",
        Route::ResetPassword,
        Kind::Api,
    )
    .takes(&["token", "password"]),
    row(
        Verb::Post,
        "/api/account/plan",
        Route::ChoosePlan,
        Kind::Api,
    )
    .takes(&["plan"]),
    row(
        Verb::Post,
        "/api/account/profile",
        Route::AccountProfile,
        Kind::Api,
    )
    .takes(&["first_name", "last_name", "organization"]),
    row(
        Verb::Post,
        "/api/account/password",
        Route::AccountPassword,
        Kind::Api,
    )
    .takes(&["current_password", "password"]),
    row(
        Verb::Post,
        "/api/account/email",
        Route::AccountEmail,
        Kind::Api,
    )
    .takes(&["email", "current_password"]),
    row(
        Verb::Post,
        "/api/account/email/confirm",
        Route::AccountEmailConfirm,
        Kind::Api,
    )
    // `email`: the address shown read-only, for password managers; not read.
    .takes(&["token", "password", "email"]),
    row(
        Verb::Post,
        "/api/account/sessions/revoke",
        Route::AccountRevokeSessions,
        Kind::Api,
    ),
    row(
        Verb::Post,
        "/api/account/delete",
        Route::AccountDelete,
        Kind::Api,
    )
    .takes(&["confirm", "current_password"]),
    row(Verb::Get, "/api/verify", Route::Verify, Kind::Api),
    // `email`: the address shown read-only, for password managers; not read.
    row(Verb::Post, "/api/verify", Route::ConfirmVerify, Kind::Api)
        .takes(&["token", "password", "email"]),
    row(Verb::Get, "/api/account", Route::AccountJson, Kind::Api),
    row(
        Verb::Get,
        "/api/account/export",
        Route::AccountExport,
        Kind::Api,
    ),
    row(Verb::Get, "/account/", Route::AccountPage, Kind::Page),
    row(Verb::Get, "/account", Route::AccountPage, Kind::Page),
    row(Verb::Get, "/sign-in/", Route::SignInPage, Kind::Page),
    row(
        Verb::Get,
        "/reset-password/",
        Route::ResetPasswordPage,
        Kind::Page,
    ),
    row(
        Verb::Get,
        "/register/confirm/",
        Route::ConfirmPage,
        Kind::Page,
    ),
    row(
        Verb::Get,
        "/confirm-email/",
        Route::AccountEmailConfirmPage,
        Kind::Page,
    ),
    row(Verb::Post, "/_dev/clock", Route::DevClock, Kind::Dev).takes(&["advance", "reset"]),
    row(Verb::Post, "/_dev/cron", Route::DevCron, Kind::Dev),
    row(Verb::Get, "/_dev/outbox", Route::DevOutbox, Kind::Dev),
];

/// The path prefixes that belong to the edge as a whole: every request under them goes to
/// the core, which answers 404 or 405 itself for what it does not know.
pub const RESERVED_PREFIXES: [&str; 2] = ["/api/", "/_dev/"];

/// What [`find`] knows about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Found(Route),
    /// The path is a route, but not for this method: 405 with this `Allow` value.
    WrongMethod {
        allow: &'static str,
    },
    NotFound,
}

/// The route for `method` and `path` (the URL path, without the query).
pub fn find(method: &Method, path: &str) -> Lookup {
    let mut get = false;
    let mut post = false;
    for spec in ROUTES.iter().filter(|spec| spec.path == path) {
        if spec.verb.answers(method) {
            return Lookup::Found(spec.route);
        }
        match spec.verb {
            Verb::Get => get = true,
            Verb::Post => post = true,
        }
    }
    match (get, post) {
        (false, false) => Lookup::NotFound,
        (true, false) => Lookup::WrongMethod { allow: "GET, HEAD" },
        (false, true) => Lookup::WrongMethod { allow: "POST" },
        (true, true) => Lookup::WrongMethod {
            allow: "GET, HEAD, POST",
        },
    }
}

/// Whether the host must send this request to the core instead of serving a static file:
/// everything in the reserved space ([`is_reserved`]), and the pages the core fills for
/// the methods it answers them with. `path` is the URL path without the query.
pub fn is_edge_route(method: &Method, path: &str) -> bool {
    is_reserved(path) || matches!(find(method, path), Lookup::Found(_))
}

/// Whether `path` lies in the edge's reserved space (`/api/…`, `/_dev/…`), where no file of
/// the site is ever served.
pub fn is_reserved(path: &str) -> bool {
    RESERVED_PREFIXES
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

/// Whether the edge answers a `GET` of `path`: what following a link to it does.
pub fn answers_get(path: &str) -> bool {
    matches!(find(&Method::GET, path), Lookup::Found(_))
}

/// The paths of the `GET` routes in the reserved space: what a link there may point at.
pub fn reserved_get_paths() -> impl Iterator<Item = &'static str> {
    ROUTES
        .iter()
        .filter(|spec| spec.verb == Verb::Get && is_reserved(spec.path))
        .map(|spec| spec.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_found_with_its_method_and_head_is_get() {
        for spec in ROUTES {
            // The other verb: its own row if the path has one (GET and POST
            // `/api/verify`), else 405 with the path's `Allow`.
            let other = |verb: Verb| {
                ROUTES
                    .iter()
                    .find(|s| s.path == spec.path && s.verb == verb)
            };
            match spec.verb {
                Verb::Get => {
                    assert_eq!(find(&Method::GET, spec.path), Lookup::Found(spec.route));
                    assert_eq!(find(&Method::HEAD, spec.path), Lookup::Found(spec.route));
                    let expected = other(Verb::Post)
                        .map_or(Lookup::WrongMethod { allow: "GET, HEAD" }, |post| {
                            Lookup::Found(post.route)
                        });
                    assert_eq!(find(&Method::POST, spec.path), expected, "{}", spec.path);
                }
                Verb::Post => {
                    assert_eq!(find(&Method::POST, spec.path), Lookup::Found(spec.route));
                    for method in [Method::GET, Method::HEAD] {
                        let expected = other(Verb::Get)
                            .map_or(Lookup::WrongMethod { allow: "POST" }, |get| {
                                Lookup::Found(get.route)
                            });
                        assert_eq!(find(&method, spec.path), expected, "{method} {}", spec.path);
                    }
                    let allow = if other(Verb::Get).is_some() {
                        "GET, HEAD, POST"
                    } else {
                        "POST"
                    };
                    assert_eq!(
                        find(&Method::PUT, spec.path),
                        Lookup::WrongMethod { allow },
                        "{}",
                        spec.path
                    );
                }
            }
            assert!(is_edge_route(
                &match spec.verb {
                    Verb::Get => Method::GET,
                    Verb::Post => Method::POST,
                },
                spec.path
            ));
            // The kind says where the path lives.
            match spec.kind {
                Kind::Api => assert!(spec.path.starts_with("/api/"), "{}", spec.path),
                Kind::Dev => assert!(spec.path.starts_with("/_dev/"), "{}", spec.path),
                Kind::Page => assert!(!is_reserved(spec.path), "{}", spec.path),
            }
        }
    }

    #[test]
    fn each_path_and_verb_is_listed_once() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(
                    !(a.path == b.path && a.verb == b.verb),
                    "{} is listed twice",
                    a.path
                );
            }
        }
    }

    #[test]
    fn wrong_methods_get_the_allow_of_the_path() {
        assert_eq!(
            find(&Method::PUT, "/account/"),
            Lookup::WrongMethod { allow: "GET, HEAD" }
        );
        assert_eq!(
            find(&Method::DELETE, "/api/sign-in"),
            Lookup::WrongMethod { allow: "POST" }
        );
        assert_eq!(
            find(&Method::PUT, "/api/verify"),
            Lookup::WrongMethod {
                allow: "GET, HEAD, POST"
            }
        );
        assert_eq!(
            find(&Method::POST, "/register/confirm/"),
            Lookup::WrongMethod { allow: "GET, HEAD" }
        );
        assert_eq!(find(&Method::GET, "/api/verify/"), Lookup::NotFound);
        assert_eq!(find(&Method::GET, "/api/unknown"), Lookup::NotFound);
        assert_eq!(find(&Method::GET, "/account/x"), Lookup::NotFound);
        assert_eq!(
            find(&Method::GET, "/account"),
            Lookup::Found(Route::AccountPage)
        );
    }

    #[test]
    fn edge_routes() {
        assert!(is_edge_route(&Method::POST, "/api/register"));
        assert!(is_edge_route(&Method::GET, "/api/verify"));
        assert!(is_edge_route(&Method::GET, "/account/"));
        assert!(is_edge_route(&Method::GET, "/account"));
        assert!(is_edge_route(&Method::HEAD, "/sign-in/"));
        assert!(is_edge_route(&Method::GET, "/reset-password/"));
        assert!(is_edge_route(&Method::GET, "/register/confirm/"));
        assert!(is_edge_route(&Method::POST, "/api/verify"));
        assert!(is_edge_route(&Method::GET, "/_dev/outbox"));
        assert!(!is_edge_route(&Method::GET, "/register/"));
        assert!(!is_edge_route(&Method::POST, "/sign-in/"));
        assert!(!is_edge_route(&Method::PUT, "/account/"));
        assert!(!is_edge_route(&Method::GET, "/docs/konnect/"));
        // The whole reserved space goes to the core, which answers 404/405 itself.
        assert!(is_edge_route(&Method::GET, "/api/unknown"));
        assert_eq!(find(&Method::GET, "/api/unknown"), Lookup::NotFound);
        assert!(is_edge_route(&Method::POST, "/_dev/x"));
        assert!(is_edge_route(&Method::DELETE, "/_dev/x"));
        assert_eq!(find(&Method::GET, "/_dev/x"), Lookup::NotFound);
    }

    #[test]
    fn what_a_link_may_point_at() {
        assert!(answers_get("/api/verify"));
        assert!(answers_get("/account"));
        assert!(!answers_get("/api/sign-in"));
        assert!(!answers_get("/api/registr"));
        assert!(is_reserved("/api/registr"));
        assert!(is_reserved("/_dev/outbox"));
        assert!(!is_reserved("/api"));
        assert!(!is_reserved("/sign-in/"));
        assert_eq!(
            reserved_get_paths().collect::<Vec<_>>(),
            [
                "/api/verify",
                "/api/account",
                "/api/account/export",
                "/_dev/outbox"
            ]
        );
    }

    /// The Workers assets layer answers first unless wrangler.toml's `run_worker_first`
    /// lists the path: every page route and the reserved space must be there.
    #[test]
    fn wrangler_lets_every_route_reach_the_worker() {
        let wrangler = include_str!("../../wrangler.toml");
        let Some((_, list)) = wrangler.split_once("run_worker_first = [") else {
            panic!("wrangler.toml has no run_worker_first");
        };
        let list = list.split(']').next().unwrap_or_default();
        for prefix in RESERVED_PREFIXES {
            assert!(list.contains(&format!("\"{prefix}*\"")), "{prefix}*");
        }
        for spec in ROUTES.iter().filter(|spec| spec.kind == Kind::Page) {
            assert!(
                list.contains(&format!("\"{}\"", spec.path)),
                "{}",
                spec.path
            );
        }
    }
}

//! Which store object holds a record, and which object answers a request.
//!
//! On Workers the records are split between Durable Objects, so that each address has
//! exactly one writer and argon2 runs in parallel across addresses:
//!
//! | object | holds |
//! |---|---|
//! | one per address ([`Shard::Address`]) | the account, its registrations, plan, sessions, tokens, and the counters keyed on the address |
//! | one per client network ([`Shard::Network`]) | the per-network POST counters (`ip:<route>:<net>`) |
//! | one shared ([`Shard::Shared`]) | what spans addresses: the trial index the daily job walks, and in development the outbox and the clock offset |
//!
//! A request is answered by the object [`route`] names for it: the address a form names
//! (register, sign in, forgot, resend), or the object named in the secret it carries
//! (a link's token, the session cookie: [`tagged`] puts the address's object name in front
//! of every secret the core hands out). The flows read and write that object's records
//! through `host.kv()`, and reach another object's with [`Kv::at`](crate::kv::Kv::at):
//! the limiter for network counters, the trial index, an email change's new address.
//!
//! The native host keeps every object's records in one redb file (`at` is the store
//! itself). The core's tests run each request on the object `route` names, and fail when a
//! flow touches a record of another object without `at` (`edge/tests/common`).

use bytes::Bytes;
use http::Request;
use serde::{Deserialize, Serialize};

use crate::forms;
use crate::routes::{self, Lookup, Route};
use crate::sessions;
use crate::tokens::sha256_hex;

/// Hex digits of an address's object name (64 bits of SHA-256: a name, not a secret).
const NAME_LEN: usize = 16;

/// A store object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Shard {
    /// The object of an address: its name ([`name_of`]), not the address.
    Address(String),
    /// The object of a client network (`limiter::network`): its name.
    Network(String),
    Shared,
}

/// The object name of an address's records (`forms::email_key` form).
pub fn name_of(email_key: &str) -> String {
    digest("address", email_key)
}

fn digest(kind: &str, text: &str) -> String {
    let mut hex = sha256_hex(format!("gatehouse/{kind}\0{text}").as_bytes());
    hex.truncate(NAME_LEN);
    hex
}

impl Shard {
    /// The object holding `email_key`'s records.
    pub fn of_address(email_key: &str) -> Shard {
        Shard::Address(name_of(email_key))
    }

    /// The object holding the counters of client network `network`.
    pub fn of_network(network: &str) -> Shard {
        Shard::Network(digest("network", network))
    }

    /// The name the host gives the object (a Durable Object's name): `a-…`, `n-…`, `shared`.
    pub fn object_name(&self) -> String {
        match self {
            Shard::Address(name) => format!("a-{name}"),
            Shard::Network(name) => format!("n-{name}"),
            Shard::Shared => "shared".to_owned(),
        }
    }
}

/// A secret to hand out for `email_key`'s records: `<object name>.<secret>`, so that the
/// request bringing it back reaches the object holding its record without a lookup.
pub fn tagged(email_key: &str, secret: &str) -> String {
    format!("{}.{secret}", name_of(email_key))
}

/// The object a [`tagged`] secret names, if it has that shape.
pub fn of_tagged(secret: &str) -> Option<Shard> {
    let (name, _) = secret.split_once('.')?;
    (name.len() == NAME_LEN && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then(|| Shard::Address(name.to_owned()))
}

/// The object that answers `req`: every record the flow of its route reads or writes
/// through `host.kv()` is that object's. Requests that name no address (a malformed form,
/// no cookie, a development route, a route the core does not answer) go to the shared
/// object, where the flow finds no account and answers as it does for an unknown one.
pub fn route(req: &Request<Bytes>, max_body_bytes: usize) -> Shard {
    let Lookup::Found(route) = routes::find(req.method(), req.uri().path()) else {
        return Shard::Shared;
    };
    let form = || forms::parse_urlencoded(req.body(), max_body_bytes).ok();
    let query = || forms::parse_urlencoded(req.uri().query().unwrap_or("").as_bytes(), 4096).ok();
    let by_email = |form: Option<forms::Form>| {
        form.and_then(|form| forms::parse_email(form.text("email")).ok())
            .map(|email| Shard::of_address(&email.key))
    };
    let by_token = |form: Option<forms::Form>| form.and_then(|form| of_tagged(form.text("token")));
    let by_session = || sessions::cookie_value(req.headers()).and_then(|id| of_tagged(&id));
    let found = match route {
        Route::Register | Route::VerifyResend | Route::SignIn | Route::ForgotPassword => {
            by_email(form())
        }
        Route::Verify
        | Route::ConfirmPage
        | Route::ResetPasswordPage
        | Route::AccountEmailConfirmPage => by_token(query()),
        Route::ConfirmVerify | Route::ResetPassword | Route::AccountEmailConfirm => {
            by_token(form())
        }
        Route::SignOut
        | Route::ChoosePlan
        | Route::AccountJson
        | Route::AccountPage
        | Route::SignInPage
        | Route::AccountProfile
        | Route::AccountPassword
        | Route::AccountEmail
        | Route::AccountRevokeSessions
        | Route::AccountExport
        | Route::AccountDelete => by_session(),
        Route::DevClock | Route::DevCron | Route::DevOutbox => None,
    };
    found.unwrap_or(Shard::Shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(path: &str, body: &str, cookie: Option<&str>) -> Request<Bytes> {
        let mut builder = Request::post(path);
        if let Some(cookie) = cookie {
            builder = builder.header("cookie", cookie);
        }
        builder
            .body(Bytes::copy_from_slice(body.as_bytes()))
            .expect("request")
    }

    #[test]
    fn a_form_goes_to_the_object_of_the_address_it_names_in_key_form() {
        let nfc = post(
            "/api/sign-in",
            "email=Jos%C3%A9%40example.com&password=x",
            None,
        );
        let nfd = post("/api/register", "email=jose%CC%81%40EXAMPLE.com", None);
        let expected = Shard::of_address("josé@example.com");
        assert_eq!(route(&nfc, 16384), expected);
        assert_eq!(route(&nfd, 16384), expected);
        assert_ne!(expected, Shard::of_address("jose@example.com"));
        assert_eq!(
            route(&post("/api/forgot-password", "email=nope", None), 16384),
            Shard::Shared
        );
    }

    #[test]
    fn a_secret_leads_to_its_object() {
        let token = tagged("ada@example.com", &"A".repeat(43));
        let address = Shard::of_address("ada@example.com");
        assert_eq!(of_tagged(&token), Some(address.clone()));
        let link = Request::get(format!("/reset-password/?token={token}"))
            .body(Bytes::new())
            .expect("request");
        assert_eq!(route(&link, 16384), address);
        let confirm = post("/api/verify", &format!("token={token}&password=x"), None);
        assert_eq!(route(&confirm, 16384), address);
        let cookie = format!("theme=dark; __Host-session={token}");
        let account = Request::get("/api/account")
            .header("cookie", cookie)
            .body(Bytes::new())
            .expect("request");
        assert_eq!(route(&account, 16384), address);
        // A secret without a name, or with a name that is not one, goes nowhere special.
        assert_eq!(of_tagged(&"A".repeat(43)), None);
        assert_eq!(
            of_tagged(&format!("ADA0000000000000.{}", "A".repeat(43))),
            None
        );
        assert_eq!(
            route(&post("/api/account/delete", "", None), 16384),
            Shard::Shared
        );
    }

    #[test]
    fn objects_have_distinct_names() {
        let names = [
            Shard::of_address("ada@example.com").object_name(),
            Shard::of_network("192.0.2.7").object_name(),
            Shard::Shared.object_name(),
        ];
        assert!(names[0].starts_with("a-") && names[0].len() == 2 + NAME_LEN);
        assert!(names[1].starts_with("n-"));
        assert_eq!(names[2], "shared");
    }
}

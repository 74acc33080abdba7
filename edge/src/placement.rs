//! Which object answers a request (`shard.rs` says what the objects are): the address a
//! form names (register, sign in, forgot, resend), or the object named in the secret the
//! request carries (a link's token, the session cookie). The Worker forwards each request
//! to the object [`route`] names; the core's tests run each request there.

use bytes::Bytes;
use http::Request;

use crate::forms;
use crate::routes::{self, Lookup, Route};
use crate::sessions;
use crate::shard::{Shard, of_tagged};

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
    use crate::shard::{Shard, tagged};

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
}

//! The site's own pages, re-served by the core with messages and values filled in.
//!
//! The host hands over the built HTML of a page ([`Pages`]); [`fill`] rewrites it with
//! lol_html following the theme's "Form markup contract" (`docs/content/themes.md`), so the
//! core depends on a handful of attributes, not on the theme's layout. Without a built page
//! the core falls back to a minimal page of its own that follows the same contract.

use std::borrow::Cow;
use std::collections::HashMap;

use lol_html::html_content::{ContentType, Element};
use lol_html::{ElementContentHandlers, HandlerResult, RewriteStrSettings, Selector};

use crate::error::EdgeError;
use crate::html::escape;

/// The built pages of the site, by URL path (`/register/`, `/sign-in/`, …).
#[allow(async_fn_in_trait)]
pub trait Pages {
    /// The page's HTML, or `None` if the site has no such page (or the host could not read it:
    /// the core then serves its built-in page rather than failing).
    async fn page(&self, path: &str) -> Option<String>;
}

/// A site without pages: every form comes from the built-in fallbacks.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPages;

impl Pages for NoPages {
    async fn page(&self, _path: &str) -> Option<String> {
        None
    }
}

/// Pages held in memory, for tests and small hosts.
#[derive(Debug, Clone, Default)]
pub struct StaticPages {
    pages: HashMap<String, String>,
}

impl StaticPages {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, path: &str, html: &str) -> Self {
        self.pages.insert(path.to_owned(), html.to_owned());
        self
    }
}

impl Pages for StaticPages {
    async fn page(&self, path: &str) -> Option<String> {
        self.pages.get(path).cloned()
    }
}

/// A form-level message, optionally followed by a link (e.g. "resend the link").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormMessage {
    pub text: String,
    pub link: Option<(String, String)>,
}

impl FormMessage {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            link: None,
        }
    }

    pub fn with_link(text: impl Into<String>, href: &str, label: &str) -> Self {
        Self {
            text: text.into(),
            link: Some((href.to_owned(), label.to_owned())),
        }
    }

    fn html(&self) -> String {
        match &self.link {
            Some((href, label)) => format!(
                "{} <a href=\"{}\">{}</a>",
                escape(&self.text),
                escape(href),
                escape(label)
            ),
            None => escape(&self.text),
        }
    }
}

/// The account page's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountView {
    /// `data-account-field` name → text.
    pub fields: Vec<(String, String)>,
    /// `trial`, `plus` or `free`.
    pub plan: String,
}

/// What to fill into a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageFill {
    /// Input name → the value typed (never set on password fields).
    pub values: Vec<(String, String)>,
    /// Field name → the message shown next to it.
    pub errors: Vec<(String, String)>,
    pub message: Option<FormMessage>,
    /// `data-notice` names to show.
    pub notices: Vec<String>,
    /// `data-fill` name → value (e.g. the reset token).
    pub fills: Vec<(String, String)>,
    pub account: Option<AccountView>,
}

fn lookup<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

type Handler<'h> = (Cow<'static, Selector>, ElementContentHandlers<'h>);

fn on<'h>(
    selector: &str,
    handler: impl FnMut(&mut Element<'_, '_>) -> HandlerResult + 'h,
) -> Result<Handler<'h>, EdgeError> {
    let selector: Selector = selector
        .parse()
        .map_err(|e: lol_html::errors::SelectorError| EdgeError::Html(e.to_string()))?;
    Ok((
        Cow::Owned(selector),
        ElementContentHandlers::default().element(handler),
    ))
}

/// Types whose `value` is the page's, not the reader's.
const KEEP_VALUE_TYPES: [&str; 9] = [
    "password", "hidden", "submit", "button", "checkbox", "radio", "file", "image", "reset",
];

/// Rewrites `html` with `fill` applied.
pub fn fill(html: &str, fill: &PageFill) -> Result<String, EdgeError> {
    let handlers = vec![
        on("input[name]", |el| {
            let Some(name) = el.get_attribute("name") else {
                return Ok(());
            };
            let kind = el
                .get_attribute("type")
                .unwrap_or_default()
                .to_ascii_lowercase();
            if !KEEP_VALUE_TYPES.contains(&kind.as_str())
                && let Some(value) = lookup(&fill.values, &name)
            {
                el.set_attribute("value", &escape(value))?;
            }
            if lookup(&fill.errors, &name).is_some() {
                el.set_attribute("aria-invalid", "true")?;
                // `{id}-error` (an embedded form's ids have a prefix of their own).
                let id = el.get_attribute("id").unwrap_or_else(|| name.clone());
                let error_id = format!("{id}-error");
                let described = el.get_attribute("aria-describedby").unwrap_or_default();
                if !described.split_whitespace().any(|id| id == error_id) {
                    let joined = format!("{described} {error_id}");
                    el.set_attribute("aria-describedby", &escape(joined.trim()))?;
                }
            }
            Ok(())
        })?,
        on("[data-fill]", |el| {
            if let Some(value) = el
                .get_attribute("data-fill")
                .and_then(|name| lookup(&fill.fills, &name))
            {
                el.set_attribute("value", &escape(value))?;
            }
            Ok(())
        })?,
        on("[data-error-for]", |el| {
            if let Some(message) = el
                .get_attribute("data-error-for")
                .and_then(|name| lookup(&fill.errors, &name))
            {
                el.set_inner_content(message, ContentType::Text);
                el.remove_attribute("hidden");
            }
            Ok(())
        })?,
        on("[data-form-message]", |el| {
            if let Some(message) = &fill.message {
                el.set_inner_content(&message.html(), ContentType::Html);
                el.remove_attribute("hidden");
            }
            Ok(())
        })?,
        on("[data-notice]", |el| {
            if el
                .get_attribute("data-notice")
                .is_some_and(|name| fill.notices.contains(&name))
            {
                el.remove_attribute("hidden");
            }
            Ok(())
        })?,
        on("[data-account-field]", |el| {
            if let Some(value) = fill.account.as_ref().and_then(|account| {
                el.get_attribute("data-account-field")
                    .and_then(|name| lookup(&account.fields, &name))
            }) {
                el.set_inner_content(value, ContentType::Text);
            }
            Ok(())
        })?,
        on("[data-plan-state]", |el| {
            if let Some(account) = &fill.account {
                if el.get_attribute("data-plan-state").as_deref() == Some(account.plan.as_str()) {
                    el.remove_attribute("hidden");
                } else {
                    el.set_attribute("hidden", "")?;
                }
            }
            Ok(())
        })?,
    ];
    let mut settings = RewriteStrSettings::new();
    for handler in handlers {
        settings = settings.append_element_content_handler(handler);
    }
    lol_html::rewrite_str(html, settings).map_err(|e| EdgeError::Html(e.to_string()))
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        escape(title),
        escape(title)
    )
}

fn message_box() -> &'static str {
    "<div data-form-message role=\"alert\" hidden></div>\n"
}

fn field(name: &str, label: &str, kind: &str, autocomplete: &str) -> String {
    format!(
        "<p><label for=\"{name}\">{label}</label>\n\
         <input name=\"{name}\" id=\"{name}\" type=\"{kind}\" autocomplete=\"{autocomplete}\" \
         required aria-describedby=\"{name}-error\">\n\
         <span data-error-for=\"{name}\" id=\"{name}-error\" hidden></span></p>\n"
    )
}

fn password_field(autocomplete: &str) -> String {
    let mut html = field("password", "Password", "password", autocomplete);
    html.push_str(
        "<ul data-password-hint>\n\
         <li data-rule=\"length\">At least 8 characters</li>\n\
         <li data-rule=\"classes\">At least two of: a lowercase letter, an uppercase letter, a special character</li>\n\
         <li data-rule=\"max-length\">At most 256 characters</li>\n\
         <li data-rule=\"not-email\">Not your email address</li>\n</ul>\n",
    );
    html
}

fn form(action: &str, fields: &str, submit: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{action}\">\n{}{fields}<button type=\"submit\">{submit}</button>\n</form>\n",
        message_box()
    )
}

/// The minimal page for `path` when the site has none. Static markup only; reader data
/// comes in through [`fill`].
pub fn builtin(path: &str) -> String {
    let email = field("email", "Email", "email", "email");
    match path {
        "/register/" => layout(
            "Create your account",
            &form(
                "/api/register",
                &format!(
                    "{email}{}{}{}{}",
                    field("first_name", "First name", "text", "given-name"),
                    field("last_name", "Last name", "text", "family-name"),
                    field("organization", "Organization", "text", "organization"),
                    password_field("new-password")
                ),
                "Create account",
            ),
        ),
        "/register/resend/" => layout(
            "Resend the verification link",
            &form("/api/verify/resend", &email, "Send a new link"),
        ),
        "/sign-in/" => layout(
            "Sign in",
            &format!(
                "<p data-notice=\"verified\" hidden>Your email address is verified. You can sign in now.</p>\n\
                 <p data-notice=\"reset\" hidden>Your password was changed. Sign in with the new one.</p>\n\
                 <p data-notice=\"signed-out\" hidden>You are signed out.</p>\n\
                 <p data-notice=\"deleted\" hidden>Your account was deleted.</p>\n{}\
                 <p><a href=\"/forgot-password/\">Forgot your password?</a></p>\n",
                form(
                    "/api/sign-in",
                    &format!(
                        "{email}{}",
                        field("password", "Password", "password", "current-password")
                    ),
                    "Sign in"
                )
            ),
        ),
        "/forgot-password/" => layout(
            "Forgot your password?",
            &form("/api/forgot-password", &email, "Recover Password"),
        ),
        "/reset-password/" => layout(
            "Choose a new password",
            &form(
                "/api/reset-password",
                &format!(
                    "<input type=\"hidden\" name=\"token\" data-fill=\"token\" value=\"\">\n{}",
                    password_field("new-password")
                ),
                "Set password",
            ),
        ),
        "/register/confirm/" => layout(
            "Confirm your email address",
            &form(
                "/api/verify",
                &format!(
                    "<input type=\"hidden\" name=\"token\" data-fill=\"token\" value=\"\">\n\
                     <p><label for=\"email\">Email</label>\n\
                     <input name=\"email\" id=\"email\" type=\"email\" autocomplete=\"username\" readonly></p>\n{}",
                    field(
                        "password",
                        "The password you chose when you registered",
                        "password",
                        "current-password"
                    )
                ),
                "Confirm and sign in",
            ),
        ),
        "/confirm-email/" => layout(
            "Confirm your new email address",
            &form(
                "/api/account/email/confirm",
                &format!(
                    "<input type=\"hidden\" name=\"token\" data-fill=\"token\" value=\"\">\n\
                     <p><label for=\"email\">New email address</label>\n\
                     <input name=\"email\" id=\"email\" type=\"email\" autocomplete=\"username\" readonly></p>\n{}",
                    field(
                        "password",
                        "Your account's password",
                        "password",
                        "current-password"
                    )
                ),
                "Confirm the new address",
            ),
        ),
        "/account/" => layout(
            "Your account",
            "<dl>\n<dt>Email</dt><dd data-account-field=\"email\"></dd>\n\
             <dt>Name</dt><dd><span data-account-field=\"first_name\"></span> <span data-account-field=\"last_name\"></span></dd>\n\
             <dt>Organization</dt><dd data-account-field=\"organization\"></dd>\n\
             <dt>Plan</dt><dd data-account-field=\"plan\"></dd>\n</dl>\n\
             <section data-plan-state=\"trial\" hidden><p>Your Plus trial ends on <span data-account-field=\"trial_ends_at\"></span> \
             (<span data-account-field=\"days_left\"></span> days left). After it:</p>\n\
             <form method=\"post\" action=\"/api/account/plan\"><input type=\"hidden\" name=\"plan\" value=\"plus\"><button type=\"submit\">Continue with Plus</button></form>\n\
             <form method=\"post\" action=\"/api/account/plan\"><input type=\"hidden\" name=\"plan\" value=\"free\"><button type=\"submit\">Move to Free</button></form></section>\n\
             <section data-plan-state=\"plus\" hidden><p>You are on Plus.</p>\n\
             <form method=\"post\" action=\"/api/account/plan\"><input type=\"hidden\" name=\"plan\" value=\"free\"><button type=\"submit\">Move to Free</button></form></section>\n\
             <section data-plan-state=\"free\" hidden><p>You are on Free.</p>\n\
             <form method=\"post\" action=\"/api/account/plan\"><input type=\"hidden\" name=\"plan\" value=\"plus\"><button type=\"submit\">Upgrade to Plus</button></form></section>\n\
             <form method=\"post\" action=\"/api/sign-out\"><button type=\"submit\">Sign out</button></form>\n\
             <div data-form-message role=\"alert\" hidden></div>\n\
             <p data-notice=\"saved\" hidden>Your profile was saved.</p>\n\
             <p data-notice=\"password-changed\" hidden>Your password was changed.</p>\n\
             <p data-notice=\"email-pending\" hidden>Open the link we sent to the new address to confirm it.</p>\n\
             <p data-notice=\"email-changed\" hidden>Your email address was changed.</p>\n\
             <h2>Profile</h2>\n<form method=\"post\" action=\"/api/account/profile\">\n\
             <p><label for=\"first_name\">First name</label> <input name=\"first_name\" id=\"first_name\" autocomplete=\"given-name\" required></p>\n\
             <p><label for=\"last_name\">Last name</label> <input name=\"last_name\" id=\"last_name\" autocomplete=\"family-name\" required></p>\n\
             <p><label for=\"organization\">Organization</label> <input name=\"organization\" id=\"organization\" autocomplete=\"organization\" required></p>\n\
             <button type=\"submit\">Save profile</button></form>\n\
             <h2>Password</h2>\n<form method=\"post\" action=\"/api/account/password\">\n\
             <p><label for=\"password-current\">Current password</label> <input name=\"current_password\" id=\"password-current\" type=\"password\" autocomplete=\"current-password\" required></p>\n\
             <p><label for=\"password\">New password</label> <input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"new-password\" required></p>\n\
             <button type=\"submit\">Change password</button></form>\n\
             <h2>Email address</h2>\n<form method=\"post\" action=\"/api/account/email\">\n\
             <p><label for=\"email\">New email address</label> <input name=\"email\" id=\"email\" type=\"email\" autocomplete=\"email\" required></p>\n\
             <p><label for=\"email-current\">Current password</label> <input name=\"current_password\" id=\"email-current\" type=\"password\" autocomplete=\"current-password\" required></p>\n\
             <button type=\"submit\">Change email address</button></form>\n\
             <h2>Sessions</h2>\n<form method=\"post\" action=\"/api/account/sessions/revoke\"><button type=\"submit\">Sign out everywhere</button></form>\n\
             <p><a href=\"/api/account/export\" download>Download your data (JSON)</a></p>\n\
             <h2>Delete your account</h2>\n<form method=\"post\" action=\"/api/account/delete\">\n\
             <p><label for=\"confirm\">Type your email address</label> <input name=\"confirm\" id=\"confirm\" type=\"email\" autocomplete=\"off\" required></p>\n\
             <p><label for=\"delete-current\">Current password</label> <input name=\"current_password\" id=\"delete-current\" type=\"password\" autocomplete=\"current-password\" required></p>\n\
             <button type=\"submit\">Delete account</button></form>\n",
        ),
        _ => layout("Gatehouse", message_box()),
    }
}

/// A page for an error that has no form: a title and one sentence.
pub fn notice_page(title: &str, text: &str) -> String {
    layout(
        title,
        &format!("<p>{}</p>\n<p><a href=\"/\">Home</a></p>\n", escape(text)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = r#"<form method="post" action="/api/register">
<div data-form-message role="alert" hidden></div>
<input name="email" id="email" type="email" aria-describedby="email-hint">
<span data-error-for="email" id="email-error" hidden></span>
<input name="first_name" id="first_name">
<input name="password" id="password" type="password">
<span data-error-for="password" id="password-error" hidden></span>
<input type="hidden" name="token" data-fill="token">
</form>"#;

    #[test]
    fn fills_values_errors_and_messages() -> Result<(), EdgeError> {
        let out = fill(
            FORM,
            &PageFill {
                values: vec![
                    ("email".into(), "a\"><script>x</script>@b.test".into()),
                    ("first_name".into(), "Ada & <Co>".into()),
                    ("password".into(), "secret-typed".into()),
                ],
                errors: vec![("email".into(), "Bad <email>".into())],
                message: Some(FormMessage::with_link(
                    "Try <again>",
                    "/x?a=1&b=\"2\"",
                    "here",
                )),
                fills: vec![("token".into(), "t\"ok".into())],
                ..PageFill::default()
            },
        )?;
        assert!(
            out.contains(r#"value="a&quot;&gt;&lt;script&gt;x&lt;/script&gt;@b.test""#),
            "{out}"
        );
        assert!(out.contains(r#"value="Ada &amp; &lt;Co&gt;""#), "{out}");
        assert!(!out.contains("secret-typed"));
        assert!(out.contains(r#"aria-invalid="true""#));
        assert!(
            out.contains(r#"aria-describedby="email-hint email-error""#),
            "{out}"
        );
        assert!(
            out.contains(
                r#"<span data-error-for="email" id="email-error">Bad &lt;email&gt;</span>"#
            ),
            "{out}"
        );
        assert!(
            out.contains(
                r#"role="alert">Try &lt;again&gt; <a href="/x?a=1&amp;b=&quot;2&quot;">here</a></div>"#
            ),
            "{out}"
        );
        assert!(
            out.contains(r#"data-fill="token" value="t&quot;ok""#),
            "{out}"
        );
        // The field without an error keeps its message hidden.
        assert!(out.contains(r#"id="password-error" hidden"#), "{out}");
        Ok(())
    }

    #[test]
    fn fills_account_and_notices() -> Result<(), EdgeError> {
        let html = r#"<p data-notice="verified" hidden>v</p><p data-notice="reset" hidden>r</p>
<span data-account-field="email"></span>
<div data-plan-state="trial" hidden>T</div><div data-plan-state="free">F</div>"#;
        let out = fill(
            html,
            &PageFill {
                notices: vec!["verified".into()],
                account: Some(AccountView {
                    fields: vec![("email".into(), "<a@b>".into())],
                    plan: "trial".into(),
                }),
                ..PageFill::default()
            },
        )?;
        assert!(out.contains(r#"<p data-notice="verified">v</p>"#), "{out}");
        assert!(out.contains(r#"<p data-notice="reset" hidden>r</p>"#));
        assert!(out.contains("&lt;a@b&gt;"));
        assert!(
            out.contains(r#"<div data-plan-state="free" hidden="">F</div>"#),
            "{out}"
        );
        assert!(!out.contains(r#"data-plan-state="trial" hidden"#), "{out}");
        Ok(())
    }

    #[test]
    fn builtin_pages_follow_the_contract() -> Result<(), EdgeError> {
        let page = builtin("/register/");
        for needle in [
            r#"action="/api/register""#,
            "data-form-message",
            r#"name="organization" id="organization""#,
            r#"data-error-for="password" id="password-error""#,
            "data-password-hint",
        ] {
            assert!(page.contains(needle), "register page lacks {needle}");
        }
        let filled = fill(
            &builtin("/reset-password/"),
            &PageFill {
                fills: vec![("token".into(), "abc".into())],
                ..PageFill::default()
            },
        )?;
        assert!(filled.contains(r#"value="abc""#), "{filled}");
        Ok(())
    }
}

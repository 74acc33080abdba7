//! Forms in pages: `{% form NAME %}` (one of [`edge::routes::EMBEDDABLE_FORMS`]) puts the
//! backend's real form into a docs page, drawn by the theme's `embedded-form.html`; and
//! every form the site publishes, embedded or written by hand or in a template, is
//! checked against the backend's route table ([`check`]): a form that posts to a route,
//! or sends a field, the backend does not have is an error.

use std::cell::RefCell;

use edge::routes::{self, EMBEDDABLE_FORMS, RETURN_TO};
use lol_html::{RewriteStrSettings, element};

use crate::diagnostic::suggest;

/// The theme template that draws an embedded form.
pub const TEMPLATE: &str = "embedded-form.html";

const PLACEHOLDER_OPEN: &str = "<!--gatehouse:form ";
const PLACEHOLDER_CLOSE: &str = "-->";

/// `{% form NAME %}` → the placeholder the renderer replaces, or why not.
pub fn placeholder(args: &[String]) -> Result<(String, &'static str), String> {
    let names: Vec<&str> = EMBEDDABLE_FORMS.iter().map(|(n, _)| *n).collect();
    let [name] = args else {
        return Err(format!(
            "`{{% form %}}` takes the form's name: one of {}",
            names.join(", ")
        ));
    };
    let Some((name, _)) = EMBEDDABLE_FORMS.iter().find(|(n, _)| n == name) else {
        return Err(match suggest(name, names.iter().copied()) {
            Some(near) => format!("unknown form `{name}` (did you mean `{near}`?)"),
            None => format!("unknown form `{name}` (the forms: {})", names.join(", ")),
        });
    };
    Ok((format!("{PLACEHOLDER_OPEN}{name}{PLACEHOLDER_CLOSE}"), name))
}

/// `html` with each placeholder replaced by `draw(name)`.
pub fn embed<E>(html: &str, mut draw: impl FnMut(&str) -> Result<String, E>) -> Result<String, E> {
    let mut out = String::with_capacity(html.len() + 4096);
    let mut rest = html;
    while let Some(at) = rest.find(PLACEHOLDER_OPEN) {
        let after = &rest[at + PLACEHOLDER_OPEN.len()..];
        let Some(end) = after.find(PLACEHOLDER_CLOSE) else {
            break;
        };
        out.push_str(&rest[..at]);
        out.push_str(&draw(&after[..end])?);
        rest = &after[end + PLACEHOLDER_CLOSE.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What is wrong with the forms of a rendered page: a `POST` form whose action is not a
/// route of the backend, or that sends a field its route does not take. Forms posting
/// elsewhere (another site, a `GET` search form) are not the backend's and pass.
pub fn check(html: &str) -> Vec<String> {
    if !html.contains("<form") {
        return Vec::new();
    }
    let problems = RefCell::new(Vec::new());
    // The route of the form being read, if it posts to the backend.
    let current: RefCell<Option<(String, Option<&'static routes::RouteSpec>)>> = RefCell::new(None);
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("form", |el| {
            let action = el.get_attribute("action").unwrap_or_default();
            let post = el
                .get_attribute("method")
                .is_some_and(|m| m.eq_ignore_ascii_case("post"));
            current.replace(None);
            if post && action.starts_with('/') {
                let spec = routes::post_route(&action);
                if spec.is_none() {
                    let posts = routes::ROUTES
                        .iter()
                        .filter(|s| s.verb == routes::Verb::Post)
                        .map(|s| s.path);
                    problems.borrow_mut().push(match suggest(&action, posts) {
                        Some(near) => format!("a form posts to '{action}', which the backend does not answer (did you mean '{near}'?)"),
                        None => format!("a form posts to '{action}', which the backend does not answer"),
                    });
                }
                current.replace(Some((action, spec)));
            }
            Ok(())
        }))
        .append_element_content_handler(element!(
            "input[name], select[name], textarea[name], button[name]",
            |el| {
                if let (Some((action, Some(spec))), Some(name)) =
                    (&*current.borrow(), el.get_attribute("name"))
                    && name != RETURN_TO
                    && !spec.fields.contains(&name.as_str())
                {
                    problems.borrow_mut().push(match suggest(&name, spec.fields.iter().copied()) {
                        Some(near) => format!("the form posting to '{action}' sends '{name}', a field it does not take (did you mean '{near}'?)"),
                        None => format!(
                            "the form posting to '{action}' sends '{name}', a field it does not take (it takes: {})",
                            if spec.fields.is_empty() { "none".to_owned() } else { spec.fields.join(", ") }
                        ),
                    });
                }
                Ok(())
            }
        ));
    // A page that lol_html cannot read has its problem reported where it is rendered.
    let _ = lol_html::rewrite_str(html, settings);
    problems.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_checked_against_the_routes() {
        let ok = r#"<form method="post" action="/api/sign-in"><input name="email"><input name="password"><input type="hidden" name="return_to" value="/x/"></form>"#;
        assert!(check(ok).is_empty());
        let wrong = r#"<form method="post" action="/api/signin"><input name="email"></form><form method="post" action="/api/sign-in"><input name="emial"></form><form action="https://example.org/s"><input name="q"></form>"#;
        assert_eq!(
            check(wrong),
            [
                "a form posts to '/api/signin', which the backend does not answer (did you mean '/api/sign-in'?)",
                "the form posting to '/api/sign-in' sends 'emial', a field it does not take (did you mean 'email'?)",
            ]
        );
    }

    #[test]
    fn placeholders_name_known_forms_and_are_replaced() {
        let (text, name) = placeholder(&["sign-in".into()]).unwrap();
        assert_eq!(name, "sign-in");
        let html = format!("<p>a</p>{text}<p>b</p>");
        let out: Result<String, ()> = embed(&html, |n| Ok(format!("<form data-f=\"{n}\"></form>")));
        assert_eq!(
            out.unwrap(),
            "<p>a</p><form data-f=\"sign-in\"></form><p>b</p>"
        );
        assert!(
            placeholder(&["sigin".into()])
                .unwrap_err()
                .contains("did you mean `sign-in`")
        );
        assert!(placeholder(&[]).is_err());
    }
}

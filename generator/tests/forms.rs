//! Forms in pages: `{% form NAME %}` draws the backend's form with the theme, and every
//! form the site publishes is checked against the backend's routes, by `build` and by
//! `check` alike.

use std::path::Path;

use gatehouse::{BuildError, Mode};

mod common;

use common::{options, write};

fn site(page: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "site.toml", "title = \"Forms\"\n");
    write(
        dir.path(),
        "content/index.md",
        "---\ntitle: Home\n---\nHome.\n",
    );
    write(dir.path(), "content/start.md", page);
    dir
}

fn run(root: &Path, mode: Mode) -> Result<(), Vec<String>> {
    match gatehouse::build(&options(root, &root.join("public"), false), mode) {
        Ok(_) => Ok(()),
        Err(BuildError::Diagnostics(problems)) => {
            Err(problems.iter().map(ToString::to_string).collect())
        }
        Err(other) => panic!("{other}"),
    }
}

#[test]
fn an_embedded_form_posts_back_to_its_page_with_ids_of_its_own() {
    let dir = site("---\ntitle: Start\n---\n## Email address\n\n{% form sign-in %}\n");
    run(dir.path(), Mode::Build).unwrap();
    let html = std::fs::read_to_string(dir.path().join("public/start/index.html")).unwrap();
    assert!(html.contains("<form class=\"form\" method=\"post\" action=\"/api/sign-in\">"));
    assert!(html.contains("<input type=\"hidden\" name=\"return_to\" value=\"/start/\">"));
    assert!(html.contains("<input id=\"embedded-email\" name=\"email\""));
    assert!(html.contains("<script type=\"module\" src=\"/js/forms.js\"></script>"));
    assert!(html.contains("Forgot your password?"));
    let home = std::fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert!(
        !home.contains("forms.js"),
        "pages without forms load no form script"
    );
}

#[test]
fn unknown_forms_and_forms_the_backend_would_refuse_are_errors_in_check_too() {
    let dir = site(concat!(
        "---\ntitle: Start\n---\n",
        "{% form signup %}\n\n",
        "<form method=\"post\" action=\"/api/sign-in\"><input name=\"emial\"><input name=\"password\"></form>\n\n",
        "<form method=\"post\" action=\"/api/subscribe\"><input name=\"email\"></form>\n",
    ));
    for mode in [Mode::Check, Mode::Build] {
        let problems = run(dir.path(), mode).unwrap_err();
        assert!(
            problems.iter().any(|p| p == "content/start.md:4:1: unknown form `signup` (the forms: register, sign-in, forgot-password)"),
            "{problems:#?}"
        );
    }
    write(
        dir.path(),
        "content/start.md",
        concat!(
            "---\ntitle: Start\n---\n{% form register %}\n\n",
            "<form method=\"post\" action=\"/api/sign-in\"><input name=\"emial\"><input name=\"password\"></form>\n\n",
            "<form method=\"post\" action=\"/api/subscribe\"><input name=\"email\"></form>\n",
        ),
    );
    for mode in [Mode::Check, Mode::Build] {
        let problems = run(dir.path(), mode).unwrap_err();
        for wanted in [
            "content/start.md: the form posting to '/api/sign-in' sends 'emial', a field it does not take (did you mean 'email'?)",
            "content/start.md: a form posts to '/api/subscribe', which the backend does not answer",
        ] {
            assert!(
                problems.iter().any(|p| p == wanted),
                "{mode:?}: missing {wanted}\n{problems:#?}"
            );
        }
    }
    assert!(!dir.path().join("public").exists());
}

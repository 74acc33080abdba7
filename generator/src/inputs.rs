//! What is an input of the site, and which URL it gets.
//!
//! Every part of Gatehouse that looks at files asks [`classify`]: the build's walks
//! ([`load`](crate::load), [`theme`](crate::theme)), the watcher of `gatehouse serve`
//! and its choice of rebuild. So `build` and `serve` publish the same files.
//!
//! | path (relative to the site root) | input |
//! |---|---|
//! | `content/**.md` | [`Input::Page`] |
//! | `content/**` (not Markdown), `static/**` | [`Input::SiteStatic`] |
//! | `themes/<theme>/templates/**` | [`Input::ThemeTemplate`] |
//! | `themes/<theme>/static/**` | [`Input::ThemeStatic`] |
//! | `site.toml` | [`Input::Config`] |
//! | `data/**` | [`Input::Data`] |
//! | `shortcodes/*.html`, `themes/<theme>/shortcodes/*.html` | [`Input::Shortcode`] |
//! | `includes/**`, `_includes/**` | [`Input::Include`] |
//! | [`INPUT_DIRS`], `themes/<theme>`, its `templates` and `static` | [`Input::InputFolder`] |
//! | anything else (`public/`, `README.md`, other themes) | [`Input::NotInput`] |
//!
//! A path is not an input either when any of its parts (file or folder) is hidden or an
//! editor's or tool's temporary file ([`is_ignored_name`]): `content/.git/x.md`,
//! `content/a.md~` and `static/#x.css#` are never published.
//!
//! Classification is lexical: it never touches the disk, so it also answers for a file
//! that is already gone. A folder below an input folder gets the answer its name would
//! get as a file; what matters for a folder is only whether it is an input at all.

use std::borrow::Cow;
use std::path::{Component, Path};

/// The folders under the root whose contents are inputs. Everything else there
/// (`public/`, `target/`, `node_modules/`) is not an input and is not watched.
pub const INPUT_DIRS: [&str; 7] = [
    "content",
    "themes",
    "static",
    "data",
    "shortcodes",
    "includes",
    "_includes",
];

/// What a path under the site root is to the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A Markdown page, `content/**.md`.
    Page {
        /// Path relative to `content/`, `/`-separated: `guide/start.md`.
        content_path: String,
    },
    /// A file of the site copied as it is: not Markdown under `content/`, or anything
    /// under `static/`.
    SiteStatic {
        /// Where it is published: `/img/logo.png`.
        url: String,
    },
    /// A template of the theme.
    ThemeTemplate {
        /// Path inside the theme's `templates/`, `/`-separated: `page.html`.
        name: String,
    },
    /// A static file of the theme (the site's own file at the same URL wins).
    ThemeStatic {
        /// Where it is published: `/css/site.css`.
        url: String,
    },
    /// A shortcode template: the site's `shortcodes/NAME.html` or the theme's.
    Shortcode {
        /// `NAME`.
        name: String,
    },
    /// A file under `includes/` or `_includes/`.
    Include {
        /// Relative to the site root, `/`-separated: `includes/md/intro.md`.
        path: String,
    },
    /// `site.toml`.
    Config,
    /// A file under `data/`.
    Data,
    /// An input folder itself: one of [`INPUT_DIRS`], or the theme's folder, its
    /// `templates` or its `static`. When one is created, removed or replaced, anything in
    /// it may have changed.
    InputFolder,
    /// Not read by the build.
    NotInput,
}

impl Input {
    pub fn is_input(&self) -> bool {
        *self != Input::NotInput
    }
}

/// What `rel` (relative to the site root) is, for a site whose theme is `theme`.
/// `None` stands for any theme: the watcher uses it, since `site.toml` may name another
/// theme next. With `Some(name)`, other themes' files are not inputs.
pub fn classify(rel: &Path, theme: Option<&str>) -> Input {
    let Some(parts) = parts(rel) else {
        return Input::NotInput;
    };
    if parts.iter().any(|part| is_ignored_name(part)) {
        return Input::NotInput;
    }
    let parts: Vec<&str> = parts.iter().map(|part| part.as_ref()).collect();
    let is_theme = |name: &str| theme.is_none_or(|theme| theme == name);
    match parts.as_slice() {
        ["site.toml"] => Input::Config,
        [dir] if INPUT_DIRS.contains(dir) => Input::InputFolder,
        ["data", ..] => Input::Data,
        ["includes" | "_includes", ..] => Input::Include {
            path: parts.join("/"),
        },
        ["shortcodes", rest @ ..] => shortcode(rest),
        ["themes", name, "shortcodes"] if is_theme(name) => Input::InputFolder,
        ["themes", name, "shortcodes", rest @ ..] if is_theme(name) => shortcode(rest),
        ["content", rest @ ..] if rel.extension().is_some_and(|e| e == "md") => Input::Page {
            content_path: rest.join("/"),
        },
        ["content" | "static", rest @ ..] => Input::SiteStatic { url: url_of(rest) },
        ["themes", name] | ["themes", name, "templates" | "static"] if is_theme(name) => {
            Input::InputFolder
        }
        ["themes", name, "templates", rest @ ..] if is_theme(name) => Input::ThemeTemplate {
            name: rest.join("/"),
        },
        ["themes", name, "static", rest @ ..] if is_theme(name) => {
            Input::ThemeStatic { url: url_of(rest) }
        }
        _ => Input::NotInput,
    }
}

/// `NAME.html` directly in a shortcodes folder is a shortcode; a folder there is looked
/// at as one would be; anything else is not an input.
fn shortcode(rest: &[&str]) -> Input {
    match rest {
        [file] => match file.strip_suffix(".html") {
            Some(name) => Input::Shortcode {
                name: name.to_string(),
            },
            None => Input::NotInput,
        },
        _ => Input::NotInput,
    }
}

/// Whether `rel` (relative to the site root) is an input of any theme's site: what the
/// watcher of `gatehouse serve` passes on.
pub fn is_input(rel: &Path) -> bool {
    classify(rel, None).is_input()
}

/// The URL a static file is published at: its path below `content/`, `static/` or
/// `themes/<any>/static/`. `content/img/a.png`, `static/img/a.png` and
/// `themes/default/static/img/a.png` are all `/img/a.png`. `None` for other paths.
/// It does not say whether the path is an input: ask [`classify`] for that.
pub fn static_url(rel: &Path) -> Option<String> {
    let parts = parts(rel)?;
    let parts: Vec<&str> = parts.iter().map(|part| part.as_ref()).collect();
    match parts.as_slice() {
        ["content" | "static", rest @ ..] | ["themes", _, "static", rest @ ..]
            if !rest.is_empty() =>
        {
            Some(url_of(rest))
        }
        _ => None,
    }
}

/// Hidden files and folders, and the files editors and tools write next to the real one
/// while saving. Suffixes are matched without regard to ASCII case.
///
/// | name | written by |
/// |---|---|
/// | `.*` | hidden files and folders (`.git/`, `.DS_Store`); vim's `.a.md.swp`; emacs's `.#a.md` lock |
/// | `*~` | backups of emacs, vim, gedit and others |
/// | `*.swp`, `*.swo`, `*.swx` | vim's swap files and its write probe |
/// | `*.tmp` | temporary files that many tools write and rename over the real one |
/// | `*.bak` | backups (`sed -i.bak`, `perl -i.bak`, many editors) |
/// | `4913` | vim's probe for whether it may write in a folder |
/// | `#*#` | emacs's autosave |
/// | `sedXXXXXX` (`sed` and six ASCII letters or digits, no extension) | `sed -i` |
/// | `*___jb_tmp___`, `*___jb_old___` | JetBrains IDEs' safe write |
pub fn is_ignored_name(name: &str) -> bool {
    const SUFFIXES: [&str; 7] = ["~", ".swp", ".swo", ".swx", ".tmp", ".bak", "___jb_tmp___"];
    name.starts_with('.')
        || SUFFIXES
            .iter()
            .any(|suffix| ends_with_ignore_case(name, suffix))
        || name.ends_with("___jb_old___")
        || name == "4913"
        || (name.len() >= 2 && name.starts_with('#') && name.ends_with('#'))
        || is_sed_temporary(name)
}

fn is_sed_temporary(name: &str) -> bool {
    name.len() == 9
        && name.starts_with("sed")
        && name[3..].bytes().all(|b| b.is_ascii_alphanumeric())
}

fn ends_with_ignore_case(name: &str, suffix: &str) -> bool {
    name.len() >= suffix.len()
        && name.is_char_boundary(name.len() - suffix.len())
        && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// The path's parts; `None` for a path that is not below the root (absolute, or with
/// `..`). The root itself has no parts.
fn parts(rel: &Path) -> Option<Vec<Cow<'_, str>>> {
    let mut parts = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(name) => parts.push(name.to_string_lossy()),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts)
}

fn url_of(rest: &[&str]) -> String {
    format!("/{}", rest.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(content_path: &str) -> Input {
        Input::Page {
            content_path: content_path.into(),
        }
    }

    fn site_static(url: &str) -> Input {
        Input::SiteStatic { url: url.into() }
    }

    fn theme_static(url: &str) -> Input {
        Input::ThemeStatic { url: url.into() }
    }

    fn template(name: &str) -> Input {
        Input::ThemeTemplate { name: name.into() }
    }

    #[test]
    fn shortcodes_and_includes_are_inputs() {
        let c = |p: &str| classify(Path::new(p), Some("default"));
        assert_eq!(
            c("shortcodes/tabs.html"),
            Input::Shortcode {
                name: "tabs".into()
            }
        );
        assert_eq!(
            c("themes/default/shortcodes/callout.html"),
            Input::Shortcode {
                name: "callout".into()
            }
        );
        assert_eq!(c("themes/other/shortcodes/callout.html"), Input::NotInput);
        assert_eq!(c("shortcodes/notes.txt"), Input::NotInput);
        assert_eq!(
            c("_includes/md/a.md"),
            Input::Include {
                path: "_includes/md/a.md".into()
            }
        );
        assert_eq!(c("includes/.a.md.swp"), Input::NotInput);
        assert_eq!(c("includes"), Input::InputFolder);
    }

    #[test]
    fn paths_are_classified() {
        use Input::*;
        let table = [
            // Pages and static files.
            ("content/index.md", page("index.md")),
            ("content/guide/start.md", page("guide/start.md")),
            ("./content/guide/start.md", page("guide/start.md")),
            ("content/img/a.png", site_static("/img/a.png")),
            ("content/CNAME", site_static("/CNAME")),
            ("content/guide", site_static("/guide")),
            ("static/img/a.png", site_static("/img/a.png")),
            ("static/notes.txt", site_static("/notes.txt")),
            ("static/a.MD", site_static("/a.MD")),
            // The theme.
            ("themes/T/templates/page.html", template("page.html")),
            (
                "themes/T/templates/parts/nav.html",
                template("parts/nav.html"),
            ),
            ("themes/T/static/css/a.css", theme_static("/css/a.css")),
            ("themes/T/README.md", NotInput),
            ("themes/other/templates/page.html", NotInput),
            ("themes/other/static/css/a.css", NotInput),
            ("themes/other", NotInput),
            // Settings and data.
            ("site.toml", Config),
            ("data/kong.yaml", Data),
            ("data/deep/kong.yaml", Data),
            // Input folders themselves.
            ("content", InputFolder),
            ("static", InputFolder),
            ("data", InputFolder),
            ("themes", InputFolder),
            ("themes/T", InputFolder),
            ("themes/T/templates", InputFolder),
            ("themes/T/static", InputFolder),
            // Not inputs: outside the input folders.
            ("", NotInput),
            ("public", NotInput),
            ("public/index.html", NotInput),
            ("README.md", NotInput),
            ("other.toml", NotInput),
            ("/site/content/a.md", NotInput),
            ("content/../site.toml", NotInput),
            // Dot-files and dot-folders.
            ("content/.hidden.md", NotInput),
            ("content/.git/x.md", NotInput),
            ("content/.hidden/x.png", NotInput),
            ("static/.well-known/x.txt", NotInput),
            (".gatehouse/users.json", NotInput),
            ("themes/T/templates/.page.html.swp", NotInput),
            ("themes/.T/templates/page.html", NotInput),
            ("data/.kong.yaml", NotInput),
            // Editors' and tools' temporaries, files and folders alike.
            ("content/page.md~", NotInput),
            ("content/.page.md.swp", NotInput),
            ("content/page.md.swp", NotInput),
            ("content/page.md.swo", NotInput),
            ("content/page.md.swx", NotInput),
            ("content/notes.tmp", NotInput),
            ("content/notes.TMP", NotInput),
            ("content/page.md.bak", NotInput),
            ("content/4913", NotInput),
            ("content/guide/4913", NotInput),
            ("content/#a.md#", NotInput),
            ("content/.#a.md", NotInput),
            ("content/sedAb12Cd", NotInput),
            ("content/guide/sedabcdef", NotInput),
            ("content/a.md___jb_tmp___", NotInput),
            ("content/a.md___jb_old___", NotInput),
            ("content/old~/a.md", NotInput),
            ("static/x.png~", NotInput),
            ("themes/T/static/css/a.css.swp", NotInput),
            ("themes/T/templates/page.html~", NotInput),
            ("site.toml~", NotInput),
            ("data/kong.yaml.tmp", NotInput),
            // Near misses that are inputs.
            ("content/sed.md", page("sed.md")),
            ("content/sedAb12C", site_static("/sedAb12C")),
            ("content/sedAb12Cde", site_static("/sedAb12Cde")),
            ("content/sedAb12C.md", page("sedAb12C.md")),
            ("content/sed-ab12.png", site_static("/sed-ab12.png")),
            ("content/49130.md", page("49130.md")),
            ("content/4913.md", page("4913.md")),
            ("content/a#b.md", page("a#b.md")),
            ("content/temp.md", page("temp.md")),
            ("static/swp.txt", site_static("/swp.txt")),
        ];
        for (path, want) in table {
            assert_eq!(classify(Path::new(path), Some("T")), want, "{path}");
        }
    }

    #[test]
    fn any_theme_is_an_input_when_the_theme_is_not_known() {
        assert_eq!(
            classify(Path::new("themes/other/templates/page.html"), None),
            template("page.html")
        );
        assert_eq!(
            classify(Path::new("themes/other"), None),
            Input::InputFolder
        );
        assert!(is_input(Path::new("themes/other/static/css/a.css")));
        assert!(!is_input(Path::new("themes/other/static/css/a.css~")));
        assert!(!is_input(Path::new("public/index.html")));
    }

    #[test]
    fn a_static_file_has_one_url_wherever_it_lives() {
        for path in [
            "content/img/a.png",
            "static/img/a.png",
            "themes/T/static/img/a.png",
        ] {
            assert_eq!(
                static_url(Path::new(path)).as_deref(),
                Some("/img/a.png"),
                "{path}"
            );
        }
        for path in [
            "content",
            "themes/T/static",
            "themes/T/templates/a.html",
            "a.png",
        ] {
            assert_eq!(static_url(Path::new(path)), None, "{path}");
        }
    }

    #[test]
    fn the_sed_rule_is_exact() {
        assert!(is_ignored_name("sedAb12Cd"));
        assert!(is_ignored_name("sed000000"));
        assert!(!is_ignored_name("sedAb12C"));
        assert!(!is_ignored_name("sedAb12Cde"));
        assert!(!is_ignored_name("sedAb12.d"));
        assert!(!is_ignored_name("SEDAb12Cd"));
        // Not a char boundary at the suffix: no panic.
        assert!(!is_ignored_name("sedéé12"));
        assert!(!is_ignored_name("é"));
    }
}

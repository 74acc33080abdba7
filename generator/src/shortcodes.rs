//! Liquid-style tags in pages: shortcodes (`{% NAME … %}`, `{% NAME … %}…{% endNAME %}`)
//! and includes (`{% include PATH key=value %}`), expanded before variables and Markdown.
//!
//! A shortcode is a Tera template: the site's `shortcodes/NAME.html` wins over the
//! theme's `shortcodes/NAME.html`. A template that mentions `body` is a block; any other
//! is inline. The template gets `args` (positional), `named` (and each named argument
//! by its own name), `page`, `site`, `id` (unique in the page), `parent_id` and `nth`
//! (its place among its parent's children), and, for a block, `children` (the direct
//! child calls: `{name, args, named}`) and `body`.
//!
//! A block's body stays Markdown in the page: the template is rendered once with a
//! marker where `body` goes, and the HTML before and after the marker is spliced around
//! the body as raw HTML blocks. So Markdown renders the body in the page's one pass, and
//! its headings get ids, appear in the table of contents and are link targets.
//!
//! An include inserts a file of the site's `includes/` (or `_includes/`) folder, with
//! `{{include.KEY}}` replaced by its parameters; its text then goes through shortcodes,
//! variables and Markdown as part of the page.
//!
//! Fenced code, inline code and `{% raw %}…{% endraw %}` are left as written. The result
//! keeps an [`ExpansionMap`] so later stages report problems at the file (page or
//! include) and line they come from.
//!
//! [`Shortcodes::expand`] runs the three steps, one module each: `parse` (tags into a
//! tree of text, calls and includes; a call's arguments), `emit` (the tree into text,
//! each call rendered by its template) and `map` (offsets back to files); `templates`
//! holds the site's templates.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::variables::Scope;

mod emit;
mod map;
mod parse;
mod raw;
mod templates;

use emit::Emitter;
use map::Origin;
use parse::Expansion;

pub use map::ExpansionMap;
pub use templates::{INCLUDE_DIRS, Shortcodes, Template, read_dir_templates};

/// The page text with its tags expanded.
pub struct Expanded {
    pub text: String,
    pub map: ExpansionMap,
    pub errors: Vec<Diagnostic>,
    /// The include files the page used, relative to the site root.
    pub includes: Vec<PathBuf>,
    /// The shortcodes the page called.
    pub shortcodes: Vec<String>,
    /// Whether the page has reader blocks or checklist steps ([`crate::reader`]).
    pub reader: bool,
    /// The backend's forms the page embeds ([`crate::forms`]).
    pub forms: Vec<&'static str>,
}

impl Shortcodes {
    /// Expands the tags of a page. `text[start..]` is the page body; offsets in the
    /// result map back into `text` (the whole file).
    pub fn expand(&self, path: &Path, text: &str, start: usize, scope: &Scope<'_>) -> Expanded {
        let mut run = Expansion {
            sc: self,
            scope,
            origins: vec![Origin {
                path: path.to_path_buf(),
                text: Arc::from(text),
                parent: None,
            }],
            errors: Vec::new(),
            includes: BTreeSet::new(),
            used: BTreeSet::new(),
            reader: false,
            forms: Vec::new(),
        };
        let nodes = run.parse(0, start, text.len(), &[]);
        let mut out = Emitter {
            text: String::with_capacity(text.len() + text.len() / 4),
            segments: Vec::new(),
            next_id: 0,
            indent: String::new(),
        };
        run.emit(&nodes, &mut out, 0, &mut 0);
        let map = ExpansionMap {
            segments: out.segments,
            origins: run.origins,
        };
        Expanded {
            text: out.text,
            map,
            errors: run.errors,
            includes: run.includes.into_iter().collect(),
            shortcodes: run.used.into_iter().collect(),
            reader: run.reader,
            forms: run.forms,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::Variables;
    use crate::page::{self, SourceFile};
    use crate::theme::Theme;

    use super::*;
    use serde_json::Value;

    /// A site folder with an `includes/` tree and a site shortcode, and the built-in
    /// theme's shortcodes.
    struct Site {
        dir: tempfile::TempDir,
        vars: Variables,
    }

    impl Site {
        fn new(includes: &[(&str, &str)]) -> Self {
            let dir = tempfile::tempdir().unwrap();
            for (path, text) in includes {
                let path = dir.path().join(path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            let mut vars = Variables::default();
            vars.values
                .insert("site.product".into(), "Gatehouse".into());
            Site { dir, vars }
        }

        fn shortcodes(&self) -> Shortcodes {
            let site = vec![Template {
                name: "konnect_icon".into(),
                origin: "shortcodes/konnect_icon.html".into(),
                text: r#"<span class="icon icon-{{ args[0] }}">{{ args[0] }}</span>"#.into(),
            }];
            Shortcodes::new(
                self.dir.path(),
                serde_json::json!({"product": "Gatehouse"}),
                Theme::built_in().shortcodes,
                site,
            )
            .unwrap_or_else(|e| panic!("{e:?}"))
        }

        /// The page's HTML, or its problems, one per line.
        fn run(&self, body: &str) -> String {
            let source = SourceFile {
                path: "content/p.md".into(),
                content_path: "p.md".into(),
                text: format!("---\ntitle: P\n---\n{body}"),
            };
            let (page, problems) = page::process(&source, &self.vars, &self.shortcodes());
            if problems.is_empty() {
                page.html
            } else {
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }

        fn page(&self, body: &str) -> page::Page {
            let source = SourceFile {
                path: "content/p.md".into(),
                content_path: "p.md".into(),
                text: format!("---\ntitle: P\n---\n{body}"),
            };
            let (page, problems) = page::process(&source, &self.vars, &self.shortcodes());
            assert_eq!(problems, Vec::new());
            page
        }
    }

    const TABS: &str = r#"## Install

{% navtabs %}
{% navtab "Docker" %}
### On Docker

Run it on {{site.product}}.
{% endnavtab %}
{% navtab Kubernetes %}
### On Kubernetes

{% tabs %}
{% tab "Helm" %}
#### With Helm
{% endtab %}
{% tab title="Manifests" %}
Plain.
{% endtab %}
{% endtabs %}
{% endnavtab %}
{% endnavtabs %}
"#;

    #[test]
    fn nested_tabs_render_with_their_titles() {
        insta::assert_snapshot!(Site::new(&[]).run(TABS));
    }

    #[test]
    fn headings_inside_tabs_get_ids_and_are_in_the_toc() {
        let page = Site::new(&[]).page(TABS);
        for id in ["on-docker", "on-kubernetes", "with-helm"] {
            assert!(page.anchors.contains(id), "{id}: {:?}", page.anchors);
        }
        let toc: Vec<&str> = page.toc[0].children.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(toc, ["on-docker", "on-kubernetes"]);
    }

    #[test]
    fn callouts_use_the_shared_markup() {
        insta::assert_snapshot!(Site::new(&[]).run(
            "{% callout %}\nPlain **note**.\n{% endcallout %}\n\n{% callout danger title=\"Stop\" %}\nNo.\n{% endcallout %}\n"
        ));
    }

    #[test]
    fn a_custom_inline_tag_of_the_site_renders() {
        assert_eq!(
            Site::new(&[]).run("Open {% konnect_icon runtimes %} now."),
            "<p>Open <span class=\"icon icon-runtimes\">runtimes</span> now.</p>\n"
        );
    }

    #[test]
    fn code_and_raw_are_left_as_written() {
        insta::assert_snapshot!(Site::new(&[]).run(
            "`{% tab %}` and `{% raw %}`\n\n```liquid\n{% navtabs %}\n{% endraw %}x\n```\n\n{% raw %}{% tabs %}{% endraw %}\n"
        ));
    }

    #[test]
    fn includes_take_parameters_and_go_through_every_stage() {
        let site = Site::new(&[
            (
                "includes/md/intro.md",
                "About {{ include.topic }} in {{site.product}}: {% konnect_icon x %} [next](other.md).\n",
            ),
            ("_includes/old.md", "From _includes.\n"),
        ]);
        insta::assert_snapshot!(
            site.run("{% include /md/intro.md topic=\"tabs\" %}\n\n{% include_cached old.md %}\n")
        );
        let page = site.page("{% include md/intro.md topic=t %}\n");
        assert_eq!(page.includes, [PathBuf::from("includes/md/intro.md")]);
        // Links resolve against the including page; a problem with one is reported in
        // the include, with the page line that included it.
        assert_eq!(page.links[0].href, "/other/");
        assert_eq!(page.links[0].location.line, 4);
        assert_eq!(
            page.links[0]
                .diagnostic(Path::new("content/p.md"), "broken".into())
                .to_string(),
            "includes/md/intro.md:1:69: broken\n  note: in the expansion of the include at content/p.md:4:1"
        );
    }

    #[test]
    fn blocks_and_includes_in_a_list_item_stay_in_the_item() {
        let site = Site::new(&[(
            "includes/steps.md",
            "Included text.\n\n```bash\nkong start\n```\n\nLast {{site.prodct}} line.\n",
        )]);
        let list = "1. Install:\n\n   {% navtabs %}\n   {% navtab Docker %}\n   Run `docker`.\n   {% endnavtab %}\n   {% endnavtabs %}\n\n2. Then:\n\n   {% include steps.md %}\n\n3. Done.\n";
        // The include's variable is reported at the include's own line, indentation or not.
        let shown = site.run(list);
        assert!(
            shown.contains("includes/steps.md:7:"),
            "the mistake is at the include's line 7: {shown}"
        );
        let site = Site::new(&[(
            "includes/steps.md",
            "Included text.\n\n```\nkong start\n```\n\nLast line.\n",
        )]);
        let html = site.run(list);
        // One list of three items: nothing above split it.
        assert_eq!(html.matches("<ol").count(), 1, "{html}");
        assert_eq!(html.matches("<li>").count(), 3, "{html}");
        let second = &html[html.find("Then:").unwrap_or(0)..html.find("Done.").unwrap_or(0)];
        for inside in ["Included text.", "kong", "Last line."] {
            assert!(second.contains(inside), "{inside} left the item: {html}");
        }
        let first = &html[..html.find("Then:").unwrap_or(0)];
        assert!(first.contains("role=\"tablist\"") && first.contains("<code>docker</code>"));
        insta::assert_snapshot!(html);
    }

    #[test]
    fn diagnostics() {
        let site = Site::new(&[
            (
                "includes/bad.md",
                "Line one\n{{site.prodct}} and {{include.nope}}\n",
            ),
            ("includes/a.md", "{% include b.md %}"),
            ("includes/b.md", "{% include a.md %}"),
            ("includes/outer.md", "Outer\n{% include bad.md %}\n"),
        ]);
        let cases = [
            "{% tabz %}",
            "{% frobnicate %}",
            "{% tabs %}\n{% tab \"A\" %}\nx\n{% endtabs %}",
            "{% tabs %}\nnever closed",
            "{% endtab %}",
            "{% callout purple %}\nx\n{% endcallout %}",
            "{% if x %}y{% endif %}",
            "{% include nowhere.md %}",
            "{% include a.md %}",
            "{% include ../x.md %}",
            "text\n\n{% include outer.md %}",
            "{% tab \"{{site.prodct}}\" %}x{% endtab %}",
        ];
        let shown: Vec<String> = cases
            .iter()
            .map(|case| format!("{case}\n=> {}", site.run(case)))
            .collect();
        insta::assert_snapshot!(shown.join("\n\n"));
    }

    #[test]
    fn a_template_error_names_the_shortcode_and_the_calling_line() {
        let dir = tempfile::tempdir().unwrap();
        let sc = Shortcodes::new(
            dir.path(),
            Value::Null,
            Vec::new(),
            vec![Template {
                name: "broken".into(),
                origin: "shortcodes/broken.html".into(),
                text: "{{ args[3] }}".into(),
            }],
        )
        .unwrap();
        let source = SourceFile {
            path: "content/p.md".into(),
            content_path: "p.md".into(),
            text: "---\ntitle: P\n---\n\nSee {% broken a %}.\n".into(),
        };
        let (_, problems) = page::process(&source, &Variables::default(), &sc);
        assert_eq!(problems.len(), 1);
        let shown = problems[0].to_string();
        assert!(
            shown.starts_with(
                "content/p.md:5:5: shortcode `broken` (shortcodes/broken.html) failed:"
            ),
            "{shown}"
        );
    }

    /// A tab that comes from an include is its group's child like any other: its panel
    /// matches its button.
    #[test]
    fn tabs_from_an_include_keep_their_place_in_the_group() {
        let site = Site::new(&[("includes/second.md", "{% tab \"Two\" %}\nB\n{% endtab %}\n")]);
        let html = site.run("{% tabs %}\n{% tab \"One\" %}\nA\n{% endtab %}\n{% include second.md %}\n{% endtabs %}\n");
        assert!(html.contains(r#"aria-controls="tabpanel-1-1" aria-selected="false" tabindex="-1" data-tab-title="Two""#), "{html}");
        assert!(
            html.contains(r#"id="tabpanel-1-1" aria-labelledby="tab-1-1" data-tab-title="Two""#),
            "{html}"
        );
    }

    #[test]
    fn a_page_without_tags_is_untouched() {
        let site = Site::new(&[]);
        assert_eq!(
            site.run("Just {{site.product}}."),
            "<p>Just Gatehouse.</p>\n"
        );
        assert!(Path::new("x").is_relative());
    }

    /// Thousands of unclosed blocks (found by fuzzing: it overflowed the stack) are one
    /// error at the first block too deep, not an abort and not a flood.
    #[test]
    fn blocks_nested_too_deep_are_one_error_not_a_crash() {
        let site = Site::new(&[]);
        let body = "{% navtabs %}\n{% navtab A %}\n".repeat(5000);
        let out = site.run(&body);
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(out.starts_with("content/p.md:20:1: "), "{out}");
        assert!(
            out.contains("is nested 17 deep: block tags nest at most 16 deep"),
            "{out}"
        );
    }
}

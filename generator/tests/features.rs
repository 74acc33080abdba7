//! Build features on a small site made in a temporary folder: aliases, drafts, data
//! files, static files, the built-in theme, "Edit this page", and `check --external`.

use std::process::Command;

use gatehouse::BuildError;

mod common;

use common::{options, write, write_all};

fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site.toml",
        "title = \"Features\"\nbase_url = \"https://f.example\"\n",
    );
    write(root, "data/kong.yaml", "version: \"3.4\"\n");
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\nVersion {{site.data.kong.version}}. [New](/new/) [logo](/img/logo.png) [out](https://example.org/x)\n",
    );
    write(
        root,
        "content/new.md",
        "---\ntitle: New\naliases: [/old/]\n---\nMoved here.\n",
    );
    write(
        root,
        "content/wip.md",
        "---\ntitle: WIP\ndraft: true\n---\nNot yet.\n",
    );
    write(root, "content/img/logo.png", "not really a png");
    write(root, "static/robots-extra.txt", "extra");
    dir
}

#[test]
fn aliases_drafts_data_and_static_files() {
    let dir = site();
    let out = dir.path().join("public");
    let report =
        gatehouse::build(&options(dir.path(), &out, false), gatehouse::Mode::Build).unwrap();
    assert_eq!(report.pages, 2, "the draft is left out");
    let on_disk = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter(|e| e.as_ref().unwrap().file_type().is_file())
        .count();
    assert_eq!(
        report.files, on_disk,
        "the summary counts every file written"
    );
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("Version 3.4."), "data file variable");
    assert_eq!(
        std::fs::read_to_string(out.join("_redirects")).unwrap(),
        "/old/ /new/ 301\n",
        "a real redirect for Cloudflare, beside the meta-refresh page for other hosts"
    );
    let redirect = std::fs::read_to_string(out.join("old/index.html")).unwrap();
    assert!(
        redirect.contains("url=/new/") || redirect.contains("url=https://f.example/new/"),
        "{redirect}"
    );
    assert!(!out.join("wip").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("img/logo.png")).unwrap(),
        "not really a png"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("robots-extra.txt")).unwrap(),
        "extra"
    );
    assert!(
        out.join("css/gatehouse.css").is_file(),
        "built-in theme's static files"
    );
    assert!(
        std::fs::read_to_string(out.join("sitemap.xml"))
            .unwrap()
            .contains("<loc>https://f.example/new/</loc>")
    );

    let with_drafts = gatehouse::build(
        &options(dir.path(), &dir.path().join("p2"), true),
        gatehouse::Mode::Build,
    )
    .unwrap();
    assert_eq!(with_drafts.pages, 3);
}

#[test]
fn linking_to_a_draft_is_an_error_unless_drafts_are_built() {
    let dir = site();
    write(
        dir.path(),
        "content/new.md",
        "---\ntitle: New\n---\nSee [wip](/wip/).\n",
    );
    let out = dir.path().join("public");
    let Err(BuildError::Diagnostics(problems)) =
        gatehouse::build(&options(dir.path(), &out, false), gatehouse::Mode::Build)
    else {
        panic!("a link to a draft must fail the build");
    };
    assert_eq!(
        problems[0].to_string(),
        "content/new.md:4:5: link '/wip/' points at a draft (content/wip.md); build with --drafts or link elsewhere"
    );
    assert!(gatehouse::build(&options(dir.path(), &out, true), gatehouse::Mode::Build).is_ok());
}

#[test]
fn check_lists_external_links_and_writes_nothing() {
    let dir = site();
    let run = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["check", "--external", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8(run.stdout).unwrap(),
        "content/index.md:4:72: https://example.org/x\n"
    );
    assert!(!dir.path().join("public").exists());
}

#[test]
fn edit_url_links_each_page_to_its_source() {
    let dir = site();
    write(
        dir.path(),
        "site.toml",
        "title = \"Features\"\nbase_url = \"https://f.example\"\nedit_url = \"https://github.com/acme/docs/edit/main/\"\n",
    );
    let out = dir.path().join("public");
    gatehouse::build(&options(dir.path(), &out, false), gatehouse::Mode::Build).unwrap();
    let page = std::fs::read_to_string(out.join("new/index.html")).unwrap();
    assert!(
        page.contains(
            r#"<a href="https://github.com/acme/docs/edit/main/content/new.md">Edit this page</a>"#
        ),
        "{page}"
    );
    // Without the setting there is no link.
    let plain = site();
    let out = plain.path().join("public");
    gatehouse::build(&options(plain.path(), &out, false), gatehouse::Mode::Build).unwrap();
    assert!(
        !std::fs::read_to_string(out.join("new/index.html"))
            .unwrap()
            .contains("Edit this page")
    );
}

/// Kong's navtab plugin takes the whole rest of the tag as the title, unquoted.
#[test]
fn a_tab_title_is_the_whole_rest_of_the_tag() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "site.toml", "title = \"Tabs\"\n");
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\n{% navtabs %}\n{% navtab Any Unix shell %}\nsh\n{% endnavtab %}\n{% navtab \"PowerShell\" %}\nps\n{% endnavtab %}\n{% endnavtabs %}\n",
    );
    let out = root.join("public");
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains(">Any Unix shell</button>"), "{home}");
    assert!(home.contains("data-tab-title=\"Any Unix shell\""));
    assert!(home.contains(">PowerShell</button>"));
}

/// `[redirects]` in site.toml: moved sections with `*`, written to `_redirects` after the
/// aliases; a link through one warns, a rule to nowhere or over a page is an error.
#[test]
fn the_redirects_table_moves_sections() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site.toml",
        "title = \"R\"\n[redirects]\n\"/old-guide/*\" = \"/guide/:splat\"\n\"/blog/\" = \"https://blog.example.org/\"\n",
    );
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\naliases: [/start/]\n---\n[a](/old-guide/a/) [blog](/blog/)\n",
    );
    write(root, "content/guide/a.md", "---\ntitle: A\n---\nA.\n");
    let out = root.join("public");
    let report = gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("_redirects")).unwrap(),
        "/start/ / 301\n/blog/ https://blog.example.org/ 301\n/old-guide/* /guide/:splat 301\n"
    );
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "content/index.md:5:1: link '/old-guide/a/' goes through a redirect ([redirects] in site.toml): link to /guide/a/",
            "content/index.md:5:20: link '/blog/' goes through a redirect ([redirects] in site.toml): link to https://blog.example.org/",
        ]
    );

    write(
        root,
        "content/old-guide/x.md",
        "---\ntitle: X\n---\n[gone](/old-guide/missing/)\n",
    );
    let Err(BuildError::Diagnostics(problems)) =
        gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build)
    else {
        panic!("a page under a redirect must not build");
    };
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        shown.iter().any(|p| p.contains("content/old-guide/x.md: [redirects] in site.toml sends '/old-guide/*' to /guide/:splat, so this page (/old-guide/x/) could never be reached")),
        "{shown:#?}"
    );
    assert!(
        shown.iter().any(|p| p.contains("broken link '/old-guide/missing/': [redirects] in site.toml sends it to /guide/missing/, where nothing is published")),
        "{shown:#?}"
    );
}

/// Local images get their size from the file, so the page does not shift as they load;
/// all but the first load lazily.
#[test]
fn images_get_width_height_and_lazy_loading() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "site.toml", "title = \"I\"\n");
    // A PNG's signature and IHDR chunk are what a reader of its size needs.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend(320u32.to_be_bytes());
    png.extend(200u32.to_be_bytes());
    png.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
    std::fs::create_dir_all(root.join("static/img")).unwrap();
    std::fs::write(root.join("static/img/shot.png"), &png).unwrap();
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\n![First](/img/shot.png)\n\n![Second](img/shot.png)\n\n<img src=\"/img/shot.png\" alt=\"Raw\" width=\"10\">\n",
    );
    let out = root.join("public");
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("<img src=\"/img/shot.png\" alt=\"First\" decoding=\"async\" width=\"320\" height=\"200\" />"),
        "{home}"
    );
    assert!(home.contains("<img src=\"img/shot.png\" alt=\"Second\" decoding=\"async\" loading=\"lazy\" width=\"320\" height=\"200\" />"));
    assert!(
        home.contains("<img src=\"/img/shot.png\" alt=\"Raw\" width=\"10\" decoding=\"async\" loading=\"lazy\">"),
        "a size the writer set is kept"
    );
}

/// `/llms.txt` lists the site's sections and pages with their descriptions; off with
/// `[llms] txt = false`.
#[test]
fn llms_txt_lists_sections_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_all(
        root,
        &[
            (
                "site.toml",
                "title = \"L\"\ndescription = \"All about L.\"\nbase_url = \"https://l.example\"\n",
            ),
            ("content/index.md", "---\ntitle: Home\n---\nHi.\n"),
            (
                "content/guide/index.md",
                "---\ntitle: Guide\ndescription: How to.\n---\nG.\n",
            ),
            (
                "content/guide/a.md",
                "---\ntitle: A\ndescription: |\n  First\n  step.\nweight: 1\n---\nA.\n",
            ),
            (
                "content/form.md",
                "---\ntitle: Form\nin_search_index: false\n---\nF.\n",
            ),
        ],
    );
    let out = root.join("public");
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("llms.txt")).unwrap(),
        "# L\n\n> All about L.\n\n## Guide\n\n- [Guide](https://l.example/guide/): How to.\n- [A](https://l.example/guide/a/): First step.\n"
    );
    write(root, "site.toml", "title = \"L\"\n[llms]\ntxt = false\n");
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    assert!(!out.join("llms.txt").exists());
}

/// `[llms] markdown = true`: each page also as Markdown beside its HTML, variables
/// resolved, tags expanded, site links made full URLs; off by default.
#[test]
fn markdown_copies_beside_the_pages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_all(
        root,
        &[
            (
                "site.toml",
                "title = \"M\"\nbase_url = \"https://m.example\"\nproduct = \"Konnect\"\n",
            ),
            ("content/index.md", "---\ntitle: Home\n---\nHi.\n"),
            (
                "content/guide/a.md",
                "---\ntitle: A\n---\nUse {{site.product}}: [home](/) and [b](../b/).\n\n{% callout note %}\nCareful.\n{% endcallout %}\n",
            ),
            ("content/guide/b.md", "---\ntitle: B\n---\nB.\n"),
        ],
    );
    let out = root.join("public");
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    assert!(!out.join("guide/a/index.md").exists(), "off by default");
    write(
        root,
        "site.toml",
        "title = \"M\"\nbase_url = \"https://m.example\"\nproduct = \"Konnect\"\n[llms]\nmarkdown = true\n",
    );
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    let copy = std::fs::read_to_string(out.join("guide/a/index.md")).unwrap();
    assert!(
        copy.starts_with(
            "Use Konnect: [home](https://m.example/) and [b](https://m.example/guide/b/).\n"
        ),
        "{copy}"
    );
    assert!(copy.contains("Careful.") && !copy.contains("{%"), "{copy}");
}

/// `[llms] full = true`: `/llms-full.txt` holds the Markdown of the pages `llms.txt`
/// lists, in its order, links made full URLs; no copies beside the pages unless asked.
#[test]
fn llms_full_txt_holds_every_listed_page() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_all(
        root,
        &[
            (
                "site.toml",
                "title = \"F\"\nbase_url = \"https://f.example\"\nproduct = \"Konnect\"\n",
            ),
            ("content/index.md", "---\ntitle: Home\n---\nHi.\n"),
            (
                "content/guide/index.md",
                "---\ntitle: Guide\n---\nStart with [A](a/).\n",
            ),
            (
                "content/guide/b.md",
                "---\ntitle: B\nweight: 2\n---\n## Then\n\nB for {{site.product}}.\n",
            ),
            (
                "content/guide/a.md",
                "---\ntitle: A\nweight: 1\n---\nFirst, then [B](../b/).\n",
            ),
            (
                "content/form.md",
                "---\ntitle: Form\nin_search_index: false\n---\nF.\n",
            ),
        ],
    );
    let out = root.join("public");
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    assert!(!out.join("llms-full.txt").exists(), "off by default");
    std::fs::OpenOptions::new()
        .append(true)
        .open(root.join("site.toml"))
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"[llms]\nfull = true\n"))
        .unwrap();
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("llms-full.txt")).unwrap(),
        "# F\n\
         \n---\n\n# Guide\n\nSource: https://f.example/guide/\n\nStart with [A](https://f.example/guide/a/).\n\
         \n---\n\n# A\n\nSource: https://f.example/guide/a/\n\nFirst, then [B](https://f.example/guide/b/).\n\
         \n---\n\n# B\n\nSource: https://f.example/guide/b/\n\n## Then\n\nB for Konnect.\n"
    );
    assert!(
        !out.join("guide/a/index.md").exists(),
        "copies only with markdown = true"
    );
}

/// `[markdown] math = true`: formulas become MathML at build time, with their source; a
/// formula the renderer cannot draw is an error at its line. Off, a `$` is prose.
#[test]
fn math_is_mathml_at_build_time_and_off_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "site.toml", "title = \"M\"\n");
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\nIt costs $5 and $6 a month.\n",
    );
    let out = root.join("public");
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("It costs $5 and $6 a month."), "{home}");
    assert!(!home.contains("<math"));

    write(
        root,
        "site.toml",
        "title = \"M\"\n[markdown]\nmath = true\n",
    );
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\nThe area is $\\pi r^2$.\n\n$$\n\\sum_{i=1}^n i = \\frac{n(n+1)}{2}\n$$\n",
    );
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("The area is <math display=\"inline\"><semantics>"),
        "{home}"
    );
    assert!(home.contains("<annotation encoding=\"application/x-tex\">\\pi r^2</annotation>"));
    assert!(home.contains("<math display=\"block\">"));

    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\nFine $x$.\n\nBroken $\\frac{a}$ here.\n",
    );
    let Err(BuildError::Diagnostics(problems)) =
        gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build)
    else {
        panic!("unsupported LaTeX must fail the build");
    };
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        ["content/index.md:6:8: unsupported LaTeX in `\\frac{a}`: expected a token"]
    );
    write(
        root,
        "site.toml",
        "title = \"M\"\n[markdown]\nmaths = true\n",
    );
    let Err(BuildError::Diagnostics(problems)) =
        gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build)
    else {
        panic!("an unknown setting must fail");
    };
    assert!(
        problems[0]
            .to_string()
            .contains("[markdown] has no setting 'maths' (it has math and diagrams)")
    );
}

/// ```` ```mermaid ```` fences are SVG at build time, named by their source; a diagram
/// that does not parse is an error at its line; a type the renderer lacks is its code,
/// with a warning; `[markdown] diagrams = false` leaves them code.
/// A drawn diagram is kept in `.gatehouse/cache/diagrams/`, and the next build (another
/// process) takes it from there instead of laying it out again.
#[test]
fn a_rebuild_takes_drawn_diagrams_from_the_disk_cache() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "site.toml", "title = \"D\"\n");
    let page =
        "---\ntitle: Home\n---\n```mermaid\nflowchart LR\n  A[Register] --> B[Verify]\n```\n";
    write(root, "content/index.md", page);
    let build = || {
        let run = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["build", "-q", "--root"])
            .arg(root)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        std::fs::read_to_string(root.join("public/index.html")).unwrap()
    };
    let kept = || {
        let mut names: Vec<_> = std::fs::read_dir(root.join(".gatehouse/cache/diagrams"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        names.sort();
        names
    };
    assert!(build().contains(">Register<"));
    let entries = kept();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].extension().unwrap(), "svg");
    let svg = std::fs::read_to_string(&entries[0]).unwrap();
    assert!(svg.starts_with("<svg"), "the renderer's SVG: {svg:.80}");

    // Marked, the entry shows through: the second build did not lay the diagram out.
    std::fs::write(&entries[0], svg.replace(">Register<", ">Kept<")).unwrap();
    let again = build();
    assert!(again.contains(">Kept<") && !again.contains(">Register<"));

    // An edited diagram is another entry; the page shows the edit.
    write(root, "content/index.md", &page.replace("Verify", "Confirm"));
    assert!(build().contains(">Confirm<"));
    assert_eq!(kept().len(), 2, "{:?}", kept());
}

#[test]
fn mermaid_diagrams_are_svg_at_build_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "site.toml", "title = \"D\"\n");
    write_all(
        root,
        &[
            (
                "content/index.md",
                "---\ntitle: Home\n---\n```mermaid\nflowchart LR\n  A[Register] --> B[Verify]\n  click B href \"/guide/\"\n```\n\n```mermaid\nsequenceDiagram\n  Reader->>Site: sign in\n```\n",
            ),
            ("content/guide.md", "---\ntitle: Guide\n---\nHi.\n"),
        ],
    );
    let out = root.join("public");
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    let first = home
        .find("<figure class=\"diagram\" id=\"mermaid-1\"><svg role=\"img\" aria-labelledby=\"mermaid-1-source\"")
        .expect("the first diagram's figure");
    assert!(home[first..].contains(">Register<"));
    assert!(home.contains("<figure class=\"diagram\" id=\"mermaid-2\">"));
    assert!(home.contains(
        "<pre id=\"mermaid-1-source\"><code>flowchart LR\n  A[Register] --&gt; B[Verify]\n"
    ));
    assert!(!home.contains("language-mermaid"), "no code block is left");

    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\nText.\n\n```mermaid\nflowchart LR\n  A --> B\n  B -->\n```\n\n```mermaid\nflowchart LR\n  A --> B\n  click A href \"/nowhere/\"\n```\n",
    );
    let Err(BuildError::Diagnostics(problems)) =
        gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build)
    else {
        panic!("a broken diagram must fail the build");
    };
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        shown.iter().any(|p| p.starts_with("content/index.md:9:")
            && p.contains("mermaid: invalid flowchart edge syntax: B -->")),
        "{shown:?}"
    );
    assert!(
        shown.iter().any(|p| p.contains("/nowhere/")),
        "a diagram's link is checked: {shown:?}"
    );

    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\n```mermaid\ninfo\n```\n",
    );
    let report = gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("content/index.md:4:") && w.contains("`info` are not drawn")),
        "{warnings:?}"
    );
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!home.contains("<figure class=\"diagram\""), "{home}");
    assert!(home.contains(">info"), "shown as its source: {home}");

    write(
        root,
        "site.toml",
        "title = \"D\"\n[markdown]\ndiagrams = false\n",
    );
    write(
        root,
        "content/index.md",
        "---\ntitle: Home\n---\n```mermaid\nflowchart LR\n  A --> B\n```\n",
    );
    gatehouse::build(&options(root, &out, false), gatehouse::Mode::Build).unwrap();
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!home.contains("<svg role=\"img\""), "{home}");
}

//! A page's searchable text is taken from the Markdown stage as it renders
//! (`Page::text`, `markdown/search_text.rs`), not read back from the page's HTML: these
//! tests hold it to the text `search::text::plain_text` reads from the finished HTML,
//! character for character, on the bundled site, the fixtures, and a site of varied
//! Markdown made here (lists, tables, code in several languages, raw HTML, footnotes,
//! headings with ids, callouts, tabs, includes).

use std::path::{Path, PathBuf};

use gatehouse::BuildOptions;
use gatehouse::pipeline::Site;
use gatehouse::search::text::plain_text;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every page of the site at `root`, made in full: its URL and its text both ways, the
/// streamed one first.
fn texts(root: &Path) -> Vec<(String, String, String)> {
    let options = BuildOptions {
        root: root.to_path_buf(),
        ..BuildOptions::default()
    };
    let site = Site::load(&options).unwrap_or_else(|e| panic!("{}: {e:?}", root.display()));
    site.pages
        .iter()
        .map(|page| {
            (
                page.url.clone(),
                page.text.clone(),
                plain_text(&page.html, usize::MAX),
            )
        })
        .collect()
}

fn assert_same(root: &Path, at_least: usize) {
    let texts = texts(root);
    assert!(texts.len() >= at_least, "{} pages", texts.len());
    for (url, streamed, read_back) in &texts {
        assert_eq!(streamed, read_back, "{url}");
    }
}

#[test]
fn the_bundled_site_has_the_text_its_html_shows() {
    assert_same(&workspace(), 12);
}

#[test]
fn the_fixtures_have_the_text_their_html_shows() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    // Callouts from kramdown attributes and GitHub alerts, tabs, nested navtabs,
    // includes, a site's own inline shortcode.
    assert_same(&fixtures.join("jekyll"), 4);
    assert_same(&fixtures.join("small"), 2);
}

/// Pages of the kinds the benchmark corpus and real docs have.
const PAGES: &[(&str, &str)] = &[
    (
        "lists.md",
        r#"---
title: Lists & tables
---
Intro with *emphasis*, **strong**, ~~struck~~, `inline <code>` and a [link](other.md#part)
to <https://example.com/auto>. Entities: &copy; &amp; &lt;tag&gt; &#39;q&#39; A&nbsp;B,
“quotes”, café, 日本語のテキスト.

- tight one
- tight *two*
  - nested `three`
- [x] done task
- [ ] open task

1. loose one

2. loose two

   with a second paragraph

7. starts at seven
8. next

| Left | Centre | Right |
|:-----|:------:|------:|
| a    | `b`    | **c** |
| d \| e | [f](/other/#part) | g<br>h |

Line with a hard break  
next line\
and a backslash break.

***

> A quote with *words*
> > nested quote
"#,
    ),
    (
        "code.md",
        r#"---
title: Code
---
## Install {#install-it}

```bash
export KONG_URL="http://localhost:8001" # a comment
curl -s "$KONG_URL/status" | jq '.server'
```

```json {hl=2}
{"name": "svc", "tags": ["a&b", "<x>"], "n": 1}
```

```yaml title="kong.yaml" linenos
_format_version: "3.0"
services:
  - name: example
    url: http://example.com
    routes: [ { paths: ["/"] } ]
    # 10 lines make the numbers two digits wide
a: 1
b: 2
c: 3
d: 4
```

```rust
fn main() { println!("{}", "<&>"); } // done
```

```python
def f(x):
    return x ** 2  # squared
```

```console
$ gatehouse build --out /tmp/site
built 12 pages
user@host:~$ echo done \
  && true
done
```

{% raw %}
```handlebars
<p>{{#each items}}{{this}}{{/each}}</p>
```
{% endraw %}

```nosuchlanguage
plain & simple <text>
```

```
no language at all
```

    indented code
    block

Text after code.

```bash
echo "with attributes"
```
{: .wide #code-id}

1. A step with code:

   ```json
   {"in": "a list"}
   ```

> A quote with code:
>
> ```
> quoted code
> ```
"#,
    ),
    (
        "html.md",
        r#"---
title: Raw HTML
---
# The *top* heading

<div class="box"
     data-x="1">
<p>Raw &amp; <b>bold</b>&nbsp;text</p>
<!-- a comment > with a bracket -->
</div>

Inline <kbd>Ctrl</kbd>+<kbd>C</kbd> and <span class="x">spans</span><br>and more.

<details>
<summary>Details</summary>

Markdown *inside* details.

</details>

<table><tr><td>one</td><td>two</td></tr></table>

Setext heading
--------------

## Heading with `code`, [a link](/other/) and <em>html</em> {.wide #custom}

### Same

### Same

![alt text *not* shown](/img.png "title") and text after the image.

Text[^note] with a footnote, and again[^note], and another[^second].

## A heading with a footnote[^second]

<!--
a comment over lines, with <tags> and a > sign
-->

<div><a class="anchor" href="/other/#part">raw self-link</a> after it</div>

A multi-line
setext heading
==============

![alt with a footnote[^third]](/img.png) then[^third] text.

[^third]: Third.
[^note]: The *note* text.
[^second]: The second
    note, on two lines.
"#,
    ),
    (
        "shortcodes.md",
        r#"---
title: Shortcodes
---
{% callout warning title="Careful now" %}
A callout body with **bold** text.
{% endcallout %}

{% tabs %}
{% tab "Linux" %}
Install with `apt`.
{% endtab %}
{% tab title="macOS" %}
Install with `brew`.

```bash
brew install kong
```
{% endtab %}
{% endtabs %}

{% navtabs %}
{% navtab "Docker" %}
{% include steps.md who="Docker users" %}
{% endnavtab %}
{% navtab "Helm" %}
Helm text.
{% endnavtab %}
{% endnavtabs %}

> **Note:** a kramdown callout.
{:.note}

> [!WARNING]
> A GitHub alert.

A paragraph with an id.
{: #with-id .lead}

- item
{:.list-class}
"#,
    ),
];

#[test]
fn varied_markdown_has_the_text_its_html_shows() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("site.toml"),
        "title = \"Sample\"\nbase_url = \"https://example.com\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::create_dir_all(root.join("includes")).unwrap();
    std::fs::write(
        root.join("includes/steps.md"),
        "Steps for {{ include.who }}:\n\n1. Pull the image.\n2. Run it, see <a href=\"/other/\">running</a>.\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/index.md"),
        "---\ntitle: Home\n---\nWelcome.\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/other.md"),
        "---\ntitle: Other\n---\n## Part\n",
    )
    .unwrap();
    std::fs::write(root.join("content/img.png"), "not really a PNG").unwrap();
    for (name, text) in PAGES {
        std::fs::write(root.join("content").join(name), text).unwrap();
    }
    let texts = texts(root);
    assert_eq!(texts.len(), PAGES.len() + 2);
    for (url, streamed, read_back) in &texts {
        assert_eq!(streamed, read_back, "{url}");
    }
    // The sample exercises what it says it does.
    let text_of = |url: &str| {
        &texts
            .iter()
            .find(|(u, _, _)| u == url)
            .unwrap_or_else(|| panic!("{url}"))
            .1
    };
    let code = text_of("/code/");
    for shown in [
        "kong.yaml",
        " 1_format_version",
        "10d: 4",
        "curl -s \"$KONG_URL/status\"",
        "{\"name\": \"svc\", \"tags\": [\"a&b\", \"<x>\"]",
        "$ gatehouse build",
        "plain & simple <text>",
        "indented code block",
        "echo \"with attributes\"",
        "A step with code: {\"in\": \"a list\"}",
        "A quote with code: quoted code",
    ] {
        assert!(code.contains(shown), "{shown:?} in {code:?}");
    }
    let html = text_of("/html/");
    assert!(
        html.starts_with("The top heading Raw & bold text"),
        "{html}"
    );
    assert!(!html.contains("alt text") && !html.contains('#'), "{html}");
    assert!(html.contains("Text1 with a footnote, and again1, and another2"));
    assert!(html.contains("A heading with a footnote1"), "own numbering");
    assert!(
        html.contains("then3 text"),
        "numbered in the alt text first: {html}"
    );
    assert!(html.contains("A multi-line setext heading"), "{html}");
    assert!(
        html.contains(" after it") && !html.contains("raw self-link"),
        "a self-link's text is left out wherever it is: {html}"
    );
    let shortcodes = text_of("/shortcodes/");
    for shown in [
        "Careful now A callout body with bold text.",
        "Linux Install with apt.",
        "Steps for Docker users: Pull the image. Run it, see running.",
        "Note a kramdown callout.",
        "Warning A GitHub alert.",
    ] {
        assert!(shortcodes.contains(shown), "{shown:?} in {shortcodes:?}");
    }
}

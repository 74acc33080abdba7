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

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};
use tera::{Context, Tera};

use crate::diagnostic::{Diagnostic, LineIndex, display_path, suggest};
use crate::variables::{self, Scope};

/// Where a block's body goes in its template's output: letters and digits only, so no
/// escaping changes it.
const BODY_MARKER: &str = "GATEHOUSEBODYMARKER7d1f0c";

/// The folders includes are looked up in, in order.
pub const INCLUDE_DIRS: [&str; 2] = ["includes", "_includes"];

/// Liquid's own tags: Gatehouse has no template logic in pages.
const LIQUID_TAGS: [&str; 24] = [
    "if",
    "elsif",
    "else",
    "endif",
    "unless",
    "endunless",
    "for",
    "endfor",
    "case",
    "when",
    "endcase",
    "capture",
    "endcapture",
    "assign",
    "comment",
    "endcomment",
    "cycle",
    "increment",
    "decrement",
    "tablerow",
    "endtablerow",
    "break",
    "continue",
    "render",
];

/// Nesting deeper than this is taken for a cycle nobody meant.
const MAX_INCLUDE_DEPTH: usize = 32;

/// How deep block tags may nest in one file (docs nest tabs in callouts two or three
/// deep). Expanding a block is a recursion, and a page of thousands of unclosed
/// `{% tab %}`s (a paste, a bad merge) would otherwise overflow the stack and abort
/// the build (found by the `shortcodes` fuzz target).
const MAX_NESTING: usize = 16;

/// The shortcode templates of a site and where includes are read from.
pub struct Shortcodes {
    tera: Tera,
    /// Name → (shown origin, whether it is a block).
    known: std::collections::HashMap<String, Known>,
    names: Vec<String>,
    root: PathBuf,
    site: Value,
}

/// What a call needs to know of its template.
struct Known {
    /// Shown in messages.
    origin: String,
    /// It prints `body`.
    block: bool,
    /// It names `site` / `page`: they are put in its context only then (they cost a copy
    /// per call).
    site: bool,
    page: bool,
}

/// A template of a shortcode: its name and text, and where it comes from (for messages).
#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    pub origin: String,
    pub text: String,
}

impl Shortcodes {
    /// `site` templates win over `theme` ones of the same name.
    pub fn new(
        root: &Path,
        site: Value,
        theme: Vec<Template>,
        site_templates: Vec<Template>,
    ) -> Result<Self, Vec<Diagnostic>> {
        let mut chosen: std::collections::BTreeMap<String, Template> = Default::default();
        for t in theme.into_iter().chain(site_templates) {
            chosen.insert(t.name.clone(), t);
        }
        let mut tera = Tera::default();
        tera.set_escape_fn(edge::html::escape);
        let mut known = std::collections::HashMap::new();
        let mut problems = Vec::new();
        for (name, t) in &chosen {
            if let Err(e) = tera.add_raw_template(&format!("{name}.html"), &t.text) {
                problems.push(Diagnostic::file(
                    &t.origin,
                    format!("template error: {}", error_chain(&e)),
                ));
            }
            known.insert(
                name.clone(),
                Known {
                    origin: t.origin.clone(),
                    block: t.text.contains("body"),
                    site: t.text.contains("site"),
                    page: t.text.contains("page"),
                },
            );
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Self {
            tera,
            names: chosen.keys().cloned().collect(),
            known,
            root: root.to_path_buf(),
            site,
        })
    }

    /// No shortcodes, includes read from `root`: for tests and tools.
    pub fn empty(root: &Path) -> Self {
        Self {
            tera: Tera::default(),
            known: Default::default(),
            names: Vec::new(),
            root: root.to_path_buf(),
            site: Value::Null,
        }
    }

    /// The site's `shortcodes/*.html`, read from disk.
    pub fn read_site_templates(root: &Path) -> Result<Vec<Template>, Vec<Diagnostic>> {
        read_dir_templates(&root.join("shortcodes"), Path::new("shortcodes"))
    }

    /// Expands the tags of a page. `text[start..]` is the page body; offsets in the
    /// result map back into `text` (the whole file).
    pub fn expand(&self, path: &Path, text: &str, start: usize, scope: &Scope<'_>) -> Expanded {
        let mut run = Run {
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
        }
    }
}

/// The `*.html` files of `dir` as shortcode templates; `shown` is the folder as messages
/// name it.
pub fn read_dir_templates(dir: &Path, shown: &Path) -> Result<Vec<Template>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    let mut problems = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(name) = file.strip_suffix(".html") else {
            continue;
        };
        if crate::inputs::is_ignored_name(file) {
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => out.push(Template {
                name: name.to_string(),
                origin: display_path(&shown.join(file)),
                text,
            }),
            Err(e) => problems.push(Diagnostic::file(
                shown.join(file),
                format!("cannot read shortcode: {e}"),
            )),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The page text with its tags expanded.
pub struct Expanded {
    pub text: String,
    pub map: ExpansionMap,
    pub errors: Vec<Diagnostic>,
    /// The include files the page used, relative to the site root.
    pub includes: Vec<PathBuf>,
    /// The shortcodes the page called.
    pub shortcodes: Vec<String>,
}

/// A file the expanded text came from: the page, or an include (with the file and
/// offset of the tag that included it).
#[derive(Debug, Clone)]
struct Origin {
    path: PathBuf,
    text: Arc<str>,
    parent: Option<(usize, usize)>,
}

/// Maps offsets of the expanded text back to the file and offset they came from.
#[derive(Debug, Clone)]
pub struct ExpansionMap {
    /// (start in output, origin, start in origin, copied): a copied stretch maps offset
    /// for offset; generated text maps to the tag that made it.
    segments: Vec<(usize, usize, usize, bool)>,
    origins: Vec<Origin>,
}

impl ExpansionMap {
    fn lookup(&self, offset: usize) -> (usize, usize) {
        let i = self.segments.partition_point(|s| s.0 <= offset);
        match i.checked_sub(1).map(|i| self.segments[i]) {
            Some((out, origin, input, true)) => (origin, input + (offset - out)),
            Some((_, origin, input, false)) => (origin, input),
            None => (0, 0),
        }
    }

    /// A problem at `offset` of the expanded text, at the file and line it comes from;
    /// inside an include, with a note naming the page line that included it.
    pub fn diagnostic(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (origin, at) = self.lookup(offset);
        located(&self.origins, origin, at, message.into())
    }

    /// Whether `offset` comes from an include.
    pub fn in_include(&self, offset: usize) -> bool {
        self.lookup(offset).0 != 0
    }

    /// Where `offset` is in the page file itself: inside an include, the include's tag.
    pub fn page_offset(&self, offset: usize) -> usize {
        let (mut origin, mut at) = self.lookup(offset);
        while let Some((parent, tag)) = self.origins[origin].parent {
            origin = parent;
            at = tag;
        }
        at
    }
}

fn located(origins: &[Origin], origin: usize, at: usize, mut message: String) -> Diagnostic {
    let o = &origins[origin];
    let location = LineIndex::new(&o.text).location(at);
    let mut parent = o.parent;
    while let Some((p, tag)) = parent {
        let po = &origins[p];
        let l = LineIndex::new(&po.text).location(tag);
        message.push_str(&format!(
            "\n  note: in the expansion of the include at {}:{}:{}",
            display_path(&po.path),
            l.line,
            l.col
        ));
        parent = po.parent;
    }
    Diagnostic::new(&o.path, location, message)
}

/// A parsed stretch of a page or include.
#[derive(Debug)]
enum Node {
    /// Text copied as it is.
    Text {
        origin: usize,
        range: Range<usize>,
    },
    /// Text made here (an include parameter, a `{% raw %}` guard), shown at `at`.
    Made {
        origin: usize,
        at: usize,
        text: String,
    },
    Call(Call),
    /// An included file's nodes, and the indentation of the line its tag stands on (its
    /// lines after the first get it too, so an include in a list item stays in the item).
    Include {
        indent: String,
        nodes: Vec<Node>,
    },
}

impl Node {
    /// What a failed include leaves: nothing (its error is reported).
    fn no_include() -> Self {
        Node::Include {
            indent: String::new(),
            nodes: Vec::new(),
        }
    }
}

#[derive(Debug)]
struct Call {
    name: String,
    args: Vec<String>,
    named: Vec<(String, String)>,
    origin: usize,
    at: usize,
    /// Some for a block.
    body: Option<Vec<Node>>,
}

#[derive(Serialize)]
struct Child<'a> {
    name: &'a str,
    args: &'a [String],
    named: Map<String, Value>,
}

struct Run<'s, 'v> {
    sc: &'s Shortcodes,
    scope: &'s Scope<'v>,
    origins: Vec<Origin>,
    errors: Vec<Diagnostic>,
    includes: BTreeSet<PathBuf>,
    used: BTreeSet<String>,
}

/// An open block while parsing.
struct Open {
    call: Call,
    nodes: Vec<Node>,
}

impl Run<'_, '_> {
    fn error(&mut self, origin: usize, at: usize, message: String) {
        let d = located(&self.origins, origin, at, message);
        self.errors.push(d);
    }

    /// Parses `origins[origin].text[from..to]` into nodes. `chain` is the include files
    /// being expanded (for cycles).
    fn parse(&mut self, origin: usize, from: usize, to: usize, chain: &[PathBuf]) -> Vec<Node> {
        let text = self.origins[origin].text.clone();
        let bytes = text.as_bytes();
        let mut stack: Vec<Open> = Vec::new();
        let mut nodes: Vec<Node> = Vec::new();
        let mut copied = from;
        let mut i = from;
        let is_include = self.origins[origin].parent.is_some();
        let mut line_start = true;
        // Whether parsing stopped at [`MAX_NESTING`], so that the blocks left open are not
        // also reported as never closed.
        let mut too_deep = false;
        macro_rules! top {
            () => {
                match stack.last_mut() {
                    Some(open) => &mut open.nodes,
                    None => &mut nodes,
                }
            };
        }
        macro_rules! flush {
            ($upto:expr) => {
                if $upto > copied {
                    top!().push(Node::Text {
                        origin,
                        range: copied..$upto,
                    });
                }
            };
        }
        while i < to {
            let b = bytes[i];
            // Fenced code: a line starting (after up to three spaces) with ``` or ~~~.
            if line_start {
                let indent = text[i..to].len() - text[i..to].trim_start_matches(' ').len();
                let rest = &text[i + indent..to];
                if indent <= 3 && (rest.starts_with("```") || rest.starts_with("~~~")) {
                    let fence_char = rest.as_bytes()[0];
                    let fence_len = rest.bytes().take_while(|&c| c == fence_char).count();
                    let fence = &rest[..fence_len];
                    let open_end = text[i..to].find('\n').map_or(to, |j| i + j + 1);
                    let mut end = to;
                    let mut j = open_end;
                    while j < to {
                        let line_end = text[j..to].find('\n').map_or(to, |k| j + k + 1);
                        let line = text[j..line_end].trim();
                        if line.starts_with(fence) && line.bytes().all(|c| c == fence_char) {
                            end = line_end;
                            break;
                        }
                        j = line_end;
                    }
                    self.guard_tags(origin, i, end, &text, &mut copied, top!());
                    i = end;
                    line_start = true;
                    continue;
                }
            }
            line_start = b == b'\n';
            match b {
                b'`' => {
                    let run = text[i..to].bytes().take_while(|&c| c == b'`').count();
                    let ticks = &text[i..i + run];
                    let after = i + run;
                    // The closing run of the same length, before a blank line.
                    let mut search = after;
                    let mut close = None;
                    while let Some(k) = text[search..to].find(ticks) {
                        let at = search + k;
                        if text[search..at].contains("\n\n") {
                            break;
                        }
                        let len = text[at..to].bytes().take_while(|&c| c == b'`').count();
                        if len == run {
                            close = Some(at + run);
                            break;
                        }
                        search = at + len;
                    }
                    match close {
                        Some(end) => {
                            self.guard_tags(origin, i, end, &text, &mut copied, top!());
                            i = end;
                        }
                        None => i = after,
                    }
                }
                b'{' if bytes.get(i + 1) == Some(&b'{') && is_include => {
                    // `{{ include.KEY }}`
                    let Some(close) = find_pair(&text, i + 2, to, b"}}") else {
                        i += 2;
                        continue;
                    };
                    let expr = text[i + 2..close].trim();
                    if let Some(key) = expr.strip_prefix("include.") {
                        flush!(i);
                        let value = self.include_param(origin, i, key);
                        top!().push(Node::Made {
                            origin,
                            at: i,
                            text: value,
                        });
                        copied = close + 2;
                    }
                    i = close + 2;
                }
                b'{' if bytes.get(i + 1) == Some(&b'%') => {
                    let Some(close) = find_pair(&text, i + 2, to, b"%}") else {
                        // Variables reports it.
                        i += 2;
                        continue;
                    };
                    let tag_end = close + 2;
                    let inner = text[i + 2..close].trim().trim_matches('-').trim();
                    let (name, rest) = match inner.find(char::is_whitespace) {
                        Some(k) => (&inner[..k], inner[k..].trim()),
                        None => (inner, ""),
                    };
                    if name == "raw" {
                        // Left for the variables stage, which keeps it literal.
                        i = find_endraw(&text, tag_end, to).unwrap_or(to);
                        continue;
                    }
                    if name == "include" || name == "include_cached" {
                        flush!(i);
                        copied = tag_end;
                        let node = self.include(origin, i, rest, chain);
                        top!().push(node);
                        i = tag_end;
                        continue;
                    }
                    if LIQUID_TAGS.contains(&name) {
                        flush!(i);
                        copied = tag_end;
                        self.error(
                            origin,
                            i,
                            format!("unsupported tag `{{% {name} %}}`: pages may use shortcodes, {{% include %}} and {{% raw %}}…{{% endraw %}}, not Liquid's logic"),
                        );
                        i = tag_end;
                        continue;
                    }
                    if let Some(closed) = name.strip_prefix("end") {
                        flush!(i);
                        let tag_at = i;
                        copied = tag_end;
                        i = tag_end;
                        match stack.pop() {
                            Some(open) if open.call.name == closed => {
                                let mut call = open.call;
                                call.body = Some(open.nodes);
                                top!().push(Node::Call(call));
                            }
                            Some(open) => {
                                let end_at = LineIndex::new(&text).location(tag_at);
                                self.error(
                                    origin,
                                    open.call.at,
                                    format!(
                                        "`{{% {} %}}` is closed by `{{% end{closed} %}}` on line {}: close it with `{{% end{} %}}` first",
                                        open.call.name, end_at.line, open.call.name
                                    ),
                                );
                                // Recover: treat the block as closed here.
                                let mut call = open.call;
                                call.body = Some(open.nodes);
                                top!().push(Node::Call(call));
                                if let Some(pos) = stack.iter().rposition(|o| o.call.name == closed)
                                {
                                    while stack.len() > pos + 1 {
                                        if let Some(o) = stack.pop() {
                                            let mut c = o.call;
                                            c.body = Some(o.nodes);
                                            top!().push(Node::Call(c));
                                        }
                                    }
                                    if let Some(o) = stack.pop() {
                                        let mut c = o.call;
                                        c.body = Some(o.nodes);
                                        top!().push(Node::Call(c));
                                    }
                                }
                            }
                            None => {
                                self.error(
                                    origin,
                                    tag_at,
                                    format!("`{{% {name} %}}` closes nothing: there is no open `{{% {closed} %}}`"),
                                );
                            }
                        }
                        continue;
                    }
                    flush!(i);
                    copied = tag_end;
                    let at = i;
                    i = tag_end;
                    let Some(is_block) = self.sc.known.get(name).map(|k| k.block) else {
                        let mut candidates: Vec<&str> =
                            self.sc.names.iter().map(String::as_str).collect();
                        candidates.extend(["include", "raw"]);
                        let message = match suggest(name, candidates) {
                            Some(near) => {
                                format!("unknown tag `{{% {name} %}}` (did you mean `{near}`?)")
                            }
                            None => format!(
                                "unknown tag `{{% {name} %}}`: no shortcode of that name in shortcodes/ or the theme's (known: {})",
                                if self.sc.names.is_empty() {
                                    "none".to_string()
                                } else {
                                    self.sc.names.join(", ")
                                }
                            ),
                        };
                        self.error(origin, at, message);
                        continue;
                    };
                    self.used.insert(name.to_string());
                    let (args, named) = self.arguments(origin, at, rest);
                    let call = Call {
                        name: name.to_string(),
                        args,
                        named,
                        origin,
                        at,
                        body: None,
                    };
                    if is_block && stack.len() >= MAX_NESTING {
                        self.error(
                            origin,
                            at,
                            format!(
                                "`{{% {name} %}}` is nested {} deep: block tags nest at most \
                                 {MAX_NESTING} deep (is an `{{% end… %}}` missing above?)",
                                stack.len() + 1
                            ),
                        );
                        // The rest of the file is left out: the build fails here, and
                        // its tags would only repeat the error.
                        copied = to;
                        too_deep = true;
                        break;
                    }
                    if is_block {
                        stack.push(Open {
                            call,
                            nodes: Vec::new(),
                        });
                    } else {
                        top!().push(Node::Call(call));
                    }
                }
                _ => {
                    i += 1;
                    // Only `{`, a backtick and a line start matter: jump to the next.
                    if !line_start {
                        i += bytes[i..to]
                            .iter()
                            .position(|&c| matches!(c, b'{' | b'`' | b'\n'))
                            .unwrap_or(to - i);
                    }
                }
            }
        }
        flush!(to);
        while let Some(open) = stack.pop() {
            if too_deep {
                let mut call = open.call;
                call.body = Some(open.nodes);
                top!().push(Node::Call(call));
                continue;
            }
            self.error(
                origin,
                open.call.at,
                format!(
                    "`{{% {} %}}` is never closed with `{{% end{} %}}`",
                    open.call.name, open.call.name
                ),
            );
            let mut call = open.call;
            call.body = Some(open.nodes);
            top!().push(Node::Call(call));
        }
        nodes
    }

    /// Code (`start..end`) is copied as it is; a tag in it is guarded with `{% raw %}` so
    /// the variables stage leaves it literal too.
    fn guard_tags(
        &mut self,
        origin: usize,
        start: usize,
        end: usize,
        text: &str,
        copied: &mut usize,
        nodes: &mut Vec<Node>,
    ) {
        let mut j = start;
        let is_include = self.origins[origin].parent.is_some();
        while let Some(k) = text[j..end].find(['{']) {
            let open = j + k;
            // Include parameters are replaced in code too, as variables are.
            if is_include && text[open..end].starts_with("{{") {
                let Some(close) = find_pair(text, open + 2, end, b"}}") else {
                    break;
                };
                if let Some(key) = text[open + 2..close].trim().strip_prefix("include.") {
                    if open > *copied {
                        nodes.push(Node::Text {
                            origin,
                            range: *copied..open,
                        });
                    }
                    let value = self.include_param(origin, open, key);
                    nodes.push(Node::Made {
                        origin,
                        at: open,
                        text: value,
                    });
                    *copied = close + 2;
                }
                j = close + 2;
                continue;
            }
            if !text[open..end].starts_with("{%") {
                j = open + 1;
                continue;
            }
            let Some(close) = find_pair(text, open + 2, end, b"%}") else {
                break;
            };
            let inner = text[open + 2..close].trim().trim_matches('-').trim();
            let name = inner.split_whitespace().next().unwrap_or("");
            // A raw block inside the code is the variables stage's; a lone `{% raw %}`
            // is guarded like any other tag.
            if name == "raw"
                && let Some(after) = find_endraw(text, close + 2, end)
            {
                j = after;
                continue;
            }
            if open > *copied {
                nodes.push(Node::Text {
                    origin,
                    range: *copied..open,
                });
            }
            // `{% raw %}{%{% endraw %}` then the rest: the variables stage prints the
            // `{%` and never sees a tag, so even a lone `{% endraw %}` stays as it is.
            nodes.push(Node::Made {
                origin,
                at: open,
                text: "{% raw %}".into(),
            });
            nodes.push(Node::Text {
                origin,
                range: open..open + 2,
            });
            nodes.push(Node::Made {
                origin,
                at: open + 2,
                text: "{% endraw %}".into(),
            });
            nodes.push(Node::Text {
                origin,
                range: open + 2..close + 2,
            });
            *copied = close + 2;
            j = close + 2;
        }
    }

    fn include_param(&mut self, origin: usize, at: usize, key: &str) -> String {
        let Some((parent, tag)) = self.origins[origin].parent else {
            return String::new();
        };
        // The parameters were parsed again from the tag: cheap, and keeps Origin small.
        let ptext = self.origins[parent].text.clone();
        let close = ptext[tag..].find("%}").map_or(ptext.len(), |k| tag + k);
        let inner = ptext[tag + 2..close].trim().trim_matches('-').trim();
        let rest = inner.split_once(char::is_whitespace).map_or("", |(_, r)| r);
        let (_, named) = self.arguments(parent, tag, rest);
        match named.iter().find(|(k, _)| k == key) {
            Some((_, v)) => v.clone(),
            None => {
                let given: Vec<&str> = named.iter().map(|(k, _)| k.as_str()).collect();
                self.error(
                    origin,
                    at,
                    format!(
                        "unknown include parameter 'include.{key}' (the include passes: {})",
                        if given.is_empty() {
                            "nothing".to_string()
                        } else {
                            given.join(", ")
                        }
                    ),
                );
                String::new()
            }
        }
    }

    fn include(&mut self, origin: usize, at: usize, rest: &str, chain: &[PathBuf]) -> Node {
        let (args, _) = self.arguments(origin, at, rest);
        let Some(first) = args.first() else {
            self.error(
                origin,
                at,
                "`{% include %}` needs a file: `{% include snippets/intro.md %}`".into(),
            );
            return Node::no_include();
        };
        let wanted = first.trim_start_matches('/');
        if wanted.split('/').any(|p| p == ".." || p.is_empty()) {
            self.error(
                origin,
                at,
                format!("include '{first}' must be a path inside includes/"),
            );
            return Node::no_include();
        }
        let found = INCLUDE_DIRS.iter().find_map(|dir| {
            let rel = Path::new(dir).join(wanted);
            let abs = self.sc.root.join(&rel);
            abs.is_file().then_some((rel, abs))
        });
        let Some((rel, abs)) = found else {
            self.error(
                origin,
                at,
                format!("include '{first}' not found: there is no includes/{wanted} (or _includes/{wanted})"),
            );
            return Node::no_include();
        };
        self.includes.insert(rel.clone());
        if chain.contains(&rel) || chain.len() >= MAX_INCLUDE_DEPTH {
            let mut names: Vec<String> = chain.iter().map(|p| display_path(p)).collect();
            names.push(display_path(&rel));
            self.error(origin, at, format!("include cycle: {}", names.join(" → ")));
            return Node::no_include();
        }
        let text = match std::fs::read_to_string(&abs) {
            Ok(text) => text,
            Err(e) => {
                self.error(
                    origin,
                    at,
                    format!("cannot read include {}: {e}", display_path(&rel)),
                );
                return Node::no_include();
            }
        };
        let len = text.len();
        self.origins.push(Origin {
            path: rel.clone(),
            text: Arc::from(text),
            parent: Some((origin, at)),
        });
        let index = self.origins.len() - 1;
        let mut chain = chain.to_vec();
        chain.push(rel);
        Node::Include {
            indent: line_indent(&self.origins[origin].text, at).to_owned(),
            nodes: self.parse(index, 0, len, &chain),
        }
    }

    /// `arg "quoted arg" key=value key="v"`; site variables in values are substituted.
    fn arguments(
        &mut self,
        origin: usize,
        at: usize,
        rest: &str,
    ) -> (Vec<String>, Vec<(String, String)>) {
        let mut args = Vec::new();
        let mut named = Vec::new();
        let mut chars = rest.char_indices().peekable();
        let mut tokens: Vec<(Option<String>, String)> = Vec::new();
        while let Some(&(start, c)) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            // A key: letters, digits, `_`, `-` followed by `=`.
            let mut key = None;
            let word_end = rest[start..]
                .find(|c: char| c.is_whitespace() || c == '=' || c == '"' || c == '\'')
                .map_or(rest.len(), |k| start + k);
            if rest[word_end..].starts_with('=') && word_end > start {
                key = Some(rest[start..word_end].to_string());
                while chars.peek().is_some_and(|&(i, _)| i <= word_end) {
                    chars.next();
                }
            }
            let value = match chars.peek() {
                Some(&(_, q)) if q == '"' || q == '\'' => {
                    chars.next();
                    let mut v = String::new();
                    for (_, c) in chars.by_ref() {
                        if c == q {
                            break;
                        }
                        v.push(c);
                    }
                    v
                }
                _ => {
                    let mut v = String::new();
                    while let Some(&(_, c)) = chars.peek() {
                        if c.is_whitespace() {
                            break;
                        }
                        v.push(c);
                        chars.next();
                    }
                    v
                }
            };
            tokens.push((key, value));
        }
        for (key, value) in tokens {
            let substituted = variables::substitute(&value, self.scope);
            for e in &substituted.errors {
                self.error(origin, at, e.message.clone());
            }
            let value = substituted.text.into_owned();
            match key {
                Some(k) => named.push((k, value)),
                None => args.push(value),
            }
        }
        (args, named)
    }

    /// Writes `nodes` into `out`; `nth` counts the calls of the parent `parent_id` so far
    /// (an include's calls are its parent's children too, as in `children`).
    fn emit(&mut self, nodes: &[Node], out: &mut Emitter, parent_id: usize, nth: &mut usize) {
        for node in nodes {
            match node {
                Node::Text { origin, range } => {
                    let text = self.origins[*origin].text.clone();
                    out.copy(*origin, range.start, &text[range.clone()]);
                }
                Node::Made { origin, at, text } => out.made(*origin, *at, text),
                Node::Include { indent, nodes } => {
                    let outer = out.indent.len();
                    out.indent.push_str(indent);
                    self.emit(nodes, out, parent_id, nth);
                    out.indent.truncate(outer);
                }
                Node::Call(call) => {
                    out.next_id += 1;
                    let id = out.next_id;
                    let html = self.render(call, id, parent_id, *nth);
                    *nth += 1;
                    match (&call.body, html) {
                        (_, None) => {
                            if let Some(body) = &call.body {
                                self.emit(body, out, id, &mut 0);
                            }
                        }
                        (None, Some(html)) => out.made(call.origin, call.at, &guard(html.trim())),
                        (Some(body), Some(html)) => {
                            let (open, close) =
                                html.split_once(BODY_MARKER).unwrap_or((html.as_str(), ""));
                            let indent =
                                line_indent(&self.origins[call.origin].text, call.at).to_owned();
                            out.made(call.origin, call.at, &block_html(open, &indent));
                            self.emit(body, out, id, &mut 0);
                            out.made(call.origin, call.at, &block_html(close, &indent));
                        }
                    }
                }
            }
        }
    }

    fn render(&mut self, call: &Call, id: usize, parent_id: usize, nth: usize) -> Option<String> {
        let mut ctx = Context::new();
        let named: Map<String, Value> = call
            .named
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        for (k, v) in &named {
            ctx.insert(k.as_str(), v);
        }
        ctx.insert("named", &named);
        ctx.insert("args", &call.args);
        let known = self.sc.known.get(&call.name);
        if known.is_some_and(|k| k.site) {
            ctx.insert("site", &self.sc.site);
        }
        if known.is_some_and(|k| k.page) {
            let page: Map<String, Value> = self
                .scope
                .page
                .iter()
                .map(|(k, v)| {
                    (
                        k.trim_start_matches("page.").to_string(),
                        Value::String(v.clone()),
                    )
                })
                .collect();
            ctx.insert("page", &page);
        }
        ctx.insert("id", &id);
        ctx.insert("parent_id", &parent_id);
        ctx.insert("nth", &nth);
        if let Some(body) = &call.body {
            let children: Vec<Child<'_>> = body
                .iter()
                .flat_map(direct_calls)
                .map(|c| Child {
                    name: &c.name,
                    args: &c.args,
                    named: c
                        .named
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect(),
                })
                .collect();
            ctx.insert("children", &children);
            ctx.insert("body", BODY_MARKER);
        }
        match self.sc.tera.render(&format!("{}.html", call.name), &ctx) {
            Ok(html) => Some(html),
            Err(e) => {
                let origin = self
                    .sc
                    .known
                    .get(&call.name)
                    .map_or(String::new(), |k| k.origin.clone());
                self.error(
                    call.origin,
                    call.at,
                    format!(
                        "shortcode `{}` ({origin}) failed: {}",
                        call.name,
                        error_chain(&e)
                    ),
                );
                None
            }
        }
    }
}

/// The calls directly in `node` (through includes, which are part of the text).
fn direct_calls(node: &Node) -> Vec<&Call> {
    match node {
        Node::Call(c) => vec![c],
        Node::Include { nodes, .. } => nodes.iter().flat_map(direct_calls).collect(),
        _ => Vec::new(),
    }
}

/// Template output that must reach the page as it is: `{{`, `{%` or `<<site.` in it are
/// guarded from the variables stage.
fn guard(html: &str) -> String {
    if html.contains("{{") || html.contains("{%") || html.contains("<<") {
        format!("{{% raw %}}{html}{{% endraw %}}")
    } else {
        html.to_string()
    }
}

/// A part of a block's HTML as a raw HTML block of its own: on its own lines, without
/// blank lines (which would end the HTML block early), each line indented as the tag's
/// line is, so a block inside a list item (or any container that indentation continues)
/// stays inside it.
fn block_html(part: &str, indent: &str) -> String {
    let lines: Vec<String> = part
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{indent}{l}"))
        .collect();
    if lines.is_empty() {
        return "\n".into();
    }
    format!("\n\n{}\n\n", guard(&lines.join("\n")))
}

/// The spaces and tabs before `at` on its line, when nothing else is there (a tag on a
/// line of its own); empty when the tag follows text.
fn line_indent(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[start..at];
    if before.bytes().all(|b| b == b' ' || b == b'\t') {
        before
    } else {
        ""
    }
}

/// Where the two bytes `pair` next occur in `text[from..to]` (an absolute offset).
fn find_pair(text: &str, from: usize, to: usize, pair: &[u8; 2]) -> Option<usize> {
    let bytes = &text.as_bytes()[..to];
    let mut i = from;
    while i < to {
        let at = i + bytes[i..].iter().position(|&c| c == pair[0])?;
        if bytes.get(at + 1) == Some(&pair[1]) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// The end of the `{% endraw %}` closing a raw block opened before `from`.
fn find_endraw(text: &str, from: usize, to: usize) -> Option<usize> {
    let mut search = from;
    while let Some(j) = text[search..to].find("{%") {
        let open = search + j;
        let close = find_pair(text, open + 2, to, b"%}")?;
        let inner = text[open + 2..close].trim().trim_matches('-').trim();
        if inner == "endraw" {
            return Some(close + 2);
        }
        search = open + 2;
    }
    None
}

struct Emitter {
    text: String,
    segments: Vec<(usize, usize, usize, bool)>,
    next_id: usize,
    /// Put before every line that starts here (the indentation of the includes being
    /// emitted), except blank ones.
    indent: String,
}

impl Emitter {
    fn copy(&mut self, origin: usize, from: usize, text: &str) {
        self.push(origin, from, text, true);
    }

    fn made(&mut self, origin: usize, at: usize, text: &str) {
        self.push(origin, at, text, false);
    }

    fn push(&mut self, origin: usize, at: usize, text: &str, copied: bool) {
        if self.indent.is_empty() {
            if !text.is_empty() {
                self.segments.push((self.text.len(), origin, at, copied));
                self.text.push_str(text);
            }
            return;
        }
        let mut offset = 0;
        for piece in text.split_inclusive('\n') {
            let here = if copied { at + offset } else { at };
            if self.text.ends_with('\n') && piece != "\n" {
                self.segments.push((self.text.len(), origin, here, false));
                let indent = std::mem::take(&mut self.indent);
                self.text.push_str(&indent);
                self.indent = indent;
            }
            self.segments.push((self.text.len(), origin, here, copied));
            self.text.push_str(piece);
            offset += piece.len();
        }
    }
}

fn error_chain(e: &tera::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::Variables;
    use crate::page::{self, SourceFile};
    use crate::theme::Theme;

    use super::*;

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

//! Tags into a tree: a page's (or include's) `{% NAME … %}` calls, blocks and includes,
//! their arguments, with fenced code, inline code and `{% raw %}` left as written.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, LineIndex, display_path, suggest};
use crate::variables::{self, Scope};

use super::map::{Origin, located};
use super::templates::{INCLUDE_DIRS, Shortcodes};

/// Liquid's own tags: Gatehouse has no template logic in pages.
pub(super) const LIQUID_TAGS: [&str; 24] = [
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
pub(super) const MAX_INCLUDE_DEPTH: usize = 32;

/// How deep block tags may nest in one file (docs nest tabs in callouts two or three
/// deep). Expanding a block is a recursion, and a page of thousands of unclosed
/// `{% tab %}`s (a paste, a bad merge) would otherwise overflow the stack and abort
/// the build (found by the `shortcodes` fuzz target).
pub(super) const MAX_NESTING: usize = 16;

/// A parsed stretch of a page or include.
#[derive(Debug)]
pub(super) enum Node {
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
    pub(super) fn no_include() -> Self {
        Node::Include {
            indent: String::new(),
            nodes: Vec::new(),
        }
    }
}

#[derive(Debug)]
pub(super) struct Call {
    pub(super) name: String,
    pub(super) args: Vec<String>,
    pub(super) named: Vec<(String, String)>,
    pub(super) origin: usize,
    pub(super) at: usize,
    /// Some for a block.
    pub(super) body: Option<Vec<Node>>,
}

#[derive(Serialize)]
pub(super) struct Child<'a> {
    pub(super) name: &'a str,
    pub(super) args: &'a [String],
    pub(super) named: Map<String, Value>,
}

pub(super) struct Expansion<'s, 'v> {
    pub(super) sc: &'s Shortcodes,
    pub(super) scope: &'s Scope<'v>,
    pub(super) origins: Vec<Origin>,
    pub(super) errors: Vec<Diagnostic>,
    pub(super) includes: BTreeSet<PathBuf>,
    pub(super) used: BTreeSet<String>,
    /// Whether the page has a `{% reader %}` block or a `{% step %}` ([`crate::reader`]).
    pub(super) reader: bool,
    /// The backend's forms the page embeds (`{% form NAME %}`).
    pub(super) forms: Vec<&'static str>,
}

/// An open block while parsing.
pub(super) struct Open {
    pub(super) call: Call,
    pub(super) nodes: Vec<Node>,
    /// For `{% if_version %}`: where its `{% else_version %}` stands in `nodes`.
    pub(super) else_at: Option<usize>,
}

/// The built-in block that keeps or drops its text by the page's release
/// ([`crate::versions::within`]): `{% if_version gte:3.0.x %}…{% else_version %}…{% endif_version %}`.
const IF_VERSION: &str = "if_version";

/// The built-in block shown by the reader's state ([`crate::reader`]):
/// `{% reader trial plus %}…{% else %}…{% endreader %}`.
const READER: &str = "reader";

/// The built-in checklist mark, `{% step verified %}` ([`crate::reader::step`]).
const STEP: &str = "step";

/// The built-in form of the backend in a page, `{% form register %}` ([`crate::forms`]).
const FORM: &str = "form";

/// The built-in blocks with an `else` branch: (open, else, end).
const BRANCHING: [(&str, &str, &str); 2] = [
    (IF_VERSION, "else_version", "endif_version"),
    (READER, "else", "endreader"),
];

impl Expansion<'_, '_> {
    pub(super) fn error(&mut self, origin: usize, at: usize, message: String) {
        let d = located(&self.origins, origin, at, message);
        self.errors.push(d);
    }

    /// Parses `origins[origin].text[from..to]` into nodes. `chain` is the include files
    /// being expanded (for cycles).
    pub(super) fn parse(
        &mut self,
        origin: usize,
        from: usize,
        to: usize,
        chain: &[PathBuf],
    ) -> Vec<Node> {
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
                    let branching = BRANCHING
                        .iter()
                        .find(|(open, otherwise, end)| [*open, *otherwise, *end].contains(&name));
                    if let Some(&(block, otherwise, end)) = branching {
                        // Liquid's whitespace control: `{%-` trims the space before the
                        // tag, `-%}` the space (and one line end) after it.
                        let tag = &text[i + 2..close];
                        let before = if tag.starts_with('-') {
                            text[copied..i].len() - text[copied..i].trim_end().len()
                        } else {
                            0
                        };
                        let after = if tag.ends_with('-') {
                            text[tag_end..to].len() - text[tag_end..to].trim_start().len()
                        } else {
                            0
                        };
                        flush!(i - before);
                        copied = tag_end + after;
                        let at = i;
                        i = tag_end + after;
                        if name == block {
                            if stack.len() >= MAX_NESTING {
                                self.error(origin, at, format!("`{{% {block} %}}` is nested too deep: block tags nest at most {MAX_NESTING} deep"));
                                continue;
                            }
                            stack.push(Open {
                                call: Call {
                                    name: block.into(),
                                    args: vec![rest.to_owned()],
                                    named: Vec::new(),
                                    origin,
                                    at,
                                    body: None,
                                },
                                nodes: Vec::new(),
                                else_at: None,
                            });
                        } else if name == otherwise {
                            match stack.last_mut() {
                                Some(open) if open.call.name == block && open.else_at.is_none() => {
                                    open.else_at = Some(open.nodes.len());
                                }
                                _ => self.error(origin, at, format!("`{{% {otherwise} %}}` is not inside an `{{% {block} %}}` (or that one has an `{{% {otherwise} %}}` already)")),
                            }
                        } else {
                            match stack.pop() {
                                Some(open) if open.call.name == block => {
                                    let nodes = self.close(open);
                                    top!().extend(nodes);
                                }
                                Some(open) => {
                                    self.error(origin, at, format!("`{{% {end} %}}` closes `{{% {} %}}`: close that with `{{% end{} %}}` first", open.call.name, open.call.name));
                                    stack.push(open);
                                }
                                None => self.error(origin, at, format!("`{{% {end} %}}` closes nothing: there is no open `{{% {block} %}}`")),
                            }
                        }
                        continue;
                    }
                    if name == FORM || name == STEP {
                        // The built-in inline tags: HTML made here, or an error at the tag.
                        flush!(i);
                        copied = tag_end;
                        let at = i;
                        i = tag_end;
                        let (args, _) = self.arguments(origin, at, rest);
                        let made = if name == FORM {
                            crate::forms::placeholder(&args).map(|(html, form)| {
                                self.forms.push(form);
                                // A block of its own, kept inside a list item it stands in.
                                super::raw::block_html(&html, line_indent(&text, at))
                            })
                        } else {
                            crate::reader::step(&args).inspect(|_| self.reader = true)
                        };
                        match made {
                            Ok(text) => top!().push(Node::Made { origin, at, text }),
                            Err(message) => self.error(origin, at, message),
                        }
                        continue;
                    }
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
                                let nodes = self.close(open);
                                top!().extend(nodes);
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
                                let nodes = self.close(open);
                                top!().extend(nodes);
                                if let Some(pos) = stack.iter().rposition(|o| o.call.name == closed)
                                {
                                    while stack.len() > pos {
                                        if let Some(o) = stack.pop() {
                                            let nodes = self.close(o);
                                            top!().extend(nodes);
                                        }
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
                        candidates.extend(["include", "raw", READER, STEP, FORM, IF_VERSION]);
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
                            else_at: None,
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
                let nodes = self.close(open);
                top!().extend(nodes);
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
            let nodes = self.close(open);
            top!().extend(nodes);
        }
        nodes
    }

    /// What a closed block leaves in its parent: the call with its body, or for
    /// `{% if_version %}` the text of the branch the page's release takes.
    fn close(&mut self, open: Open) -> Vec<Node> {
        let Open {
            mut call,
            mut nodes,
            else_at,
        } = open;
        if call.name == READER {
            return self.close_reader(call, nodes, else_at);
        }
        if call.name != IF_VERSION {
            call.body = Some(nodes);
            return vec![Node::Call(call)];
        }
        let bounds = call.args.first().map_or("", String::as_str);
        let keep_first = match self.scope.release {
            Some(release) => match crate::versions::within(release, bounds) {
                Ok(within) => within,
                Err(message) => {
                    self.error(call.origin, call.at, message);
                    true
                }
            },
            None => {
                self.error(
                    call.origin,
                    call.at,
                    "`{% if_version %}` on a page that belongs to no release: only pages in content/<docs set>/<release>/ of a [docsets] entry in site.toml have one".into(),
                );
                true
            }
        };
        let otherwise = nodes.split_off(else_at.unwrap_or(nodes.len()));
        if keep_first { nodes } else { otherwise }
    }

    /// A `{% reader %}` block: each branch in a marked `<div>` of its own (raw HTML blocks
    /// around Markdown, as a block shortcode's body), the one a signed-out reader sees
    /// shown.
    fn close_reader(
        &mut self,
        call: Call,
        mut nodes: Vec<Node>,
        else_at: Option<usize>,
    ) -> Vec<Node> {
        let args = call.args.first().map_or("", String::as_str);
        let states = match crate::reader::parse_states(args) {
            Ok(states) => states,
            Err(message) => {
                self.error(call.origin, call.at, message);
                return nodes;
            }
        };
        self.reader = true;
        let indent = line_indent(&self.origins[call.origin].text, call.at).to_owned();
        let made = |html: &str| Node::Made {
            origin: call.origin,
            at: call.at,
            text: super::raw::block_html(html, &indent),
        };
        let otherwise = else_at.map(|at| nodes.split_off(at));
        let mut out = vec![made(&crate::reader::block_open(&states, false))];
        out.append(&mut nodes);
        out.push(made(crate::reader::BLOCK_CLOSE));
        if let Some(mut otherwise) = otherwise {
            out.push(made(&crate::reader::block_open(&states, true)));
            out.append(&mut otherwise);
            out.push(made(crate::reader::BLOCK_CLOSE));
        }
        out
    }

    /// Code (`start..end`) is copied as it is; a tag in it is guarded with `{% raw %}` so
    /// the variables stage leaves it literal too.
    pub(super) fn guard_tags(
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

    pub(super) fn include_param(&mut self, origin: usize, at: usize, key: &str) -> String {
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

    pub(super) fn include(
        &mut self,
        origin: usize,
        at: usize,
        rest: &str,
        chain: &[PathBuf],
    ) -> Node {
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
    pub(super) fn arguments(
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
}

/// Where the two bytes `pair` next occur in `text[from..to]` (an absolute offset).
pub(super) fn find_pair(text: &str, from: usize, to: usize, pair: &[u8; 2]) -> Option<usize> {
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
pub(super) fn find_endraw(text: &str, from: usize, to: usize) -> Option<usize> {
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

/// The spaces and tabs before `at` on its line, when nothing else is there (a tag on a
/// line of its own); empty when the tag follows text.
pub(super) fn line_indent(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[start..at];
    if before.bytes().all(|b| b == b' ' || b == b'\t') {
        before
    } else {
        ""
    }
}

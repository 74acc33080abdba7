//! The tree into text: each call rendered by its template, a block's body left as
//! Markdown between the HTML before and after it, and every stretch mapped back to the
//! file it came from.

use serde_json::{Map, Value};
use tera::Context;

use super::parse::{Call, Child, Expansion, Node, line_indent};
use super::raw::{block_html, guard};
use crate::diagnostic::error_chain;

/// Where a block's body goes in its template's output: letters and digits only, so no
/// escaping changes it.
pub(super) const BODY_MARKER: &str = "GATEHOUSEBODYMARKER7d1f0c";

impl Expansion<'_, '_> {
    /// Writes `nodes` into `out`; `nth` counts the calls of the parent `parent_id` so far
    /// (an include's calls are its parent's children too, as in `children`).
    pub(super) fn emit(
        &mut self,
        nodes: &[Node],
        out: &mut Emitter,
        parent_id: usize,
        nth: &mut usize,
    ) {
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

    pub(super) fn render(
        &mut self,
        call: &Call,
        id: usize,
        parent_id: usize,
        nth: usize,
    ) -> Option<String> {
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
pub(super) fn direct_calls(node: &Node) -> Vec<&Call> {
    match node {
        Node::Call(c) => vec![c],
        Node::Include { nodes, .. } => nodes.iter().flat_map(direct_calls).collect(),
        _ => Vec::new(),
    }
}

pub(super) struct Emitter {
    pub(super) text: String,
    pub(super) segments: Vec<(usize, usize, usize, bool)>,
    pub(super) next_id: usize,
    /// Put before every line that starts here (the indentation of the includes being
    /// emitted), except blank ones.
    pub(super) indent: String,
}

impl Emitter {
    pub(super) fn copy(&mut self, origin: usize, from: usize, text: &str) {
        self.push(origin, from, text, true);
    }

    pub(super) fn made(&mut self, origin: usize, at: usize, text: &str) {
        self.push(origin, at, text, false);
    }

    pub(super) fn push(&mut self, origin: usize, at: usize, text: &str, copied: bool) {
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

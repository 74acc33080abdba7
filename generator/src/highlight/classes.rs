//! What a token's colour means: the one table from grammar scopes to the short classes
//! the theme's `css/highlight.css` colours.
//!
//! Like an editor theme, [`SELECTORS`] is an ordered list of scope selectors, each with a
//! class (or none: plain text). A token gets the class of the selector that matches its
//! scope stack most specifically: the one matching the innermost scope wins, then the one
//! with more parts (`meta.mapping.key string` over `string`), then the longer scope
//! (`entity.name.tag.yaml` over `entity.name.tag`). A selector part matches a scope it is
//! a prefix of, atom by atom (`string` matches `string.quoted.double.json`).
//!
//! The hand-written fast path ([`super::fast`]) writes these classes directly; its tests
//! prove it gives what this table gives over the grammar's scopes.

use std::sync::LazyLock;

use syntect::parsing::Scope;

/// A token's colour class. The theme colours `hl-<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Keyword,
    String,
    Regex,
    Comment,
    Number,
    Constant,
    Function,
    Type,
    Variable,
    Operator,
    Tag,
    Attribute,
    Key,
    Escape,
    Inserted,
    Deleted,
    Heading,
    /// Markup: `**bold**`, `*emphasis*`, `> a quote`.
    Strong,
    Emphasis,
    Quote,
}

impl Class {
    /// The class attribute's value: `hl-kw`, `hl-str`, ….
    pub fn css(self) -> &'static str {
        match self {
            Class::Keyword => "hl-kw",
            Class::String => "hl-str",
            Class::Regex => "hl-re",
            Class::Comment => "hl-com",
            Class::Number => "hl-num",
            Class::Constant => "hl-con",
            Class::Function => "hl-fn",
            Class::Type => "hl-ty",
            Class::Variable => "hl-var",
            Class::Operator => "hl-op",
            Class::Tag => "hl-tag",
            Class::Attribute => "hl-attr",
            Class::Key => "hl-key",
            Class::Escape => "hl-esc",
            Class::Inserted => "hl-ins",
            Class::Deleted => "hl-del",
            Class::Heading => "hl-head",
            Class::Strong => "hl-strong",
            Class::Emphasis => "hl-em",
            Class::Quote => "hl-quote",
        }
    }

    /// Every class, for the stylesheet's test.
    pub const ALL: [Class; 20] = [
        Class::Keyword,
        Class::String,
        Class::Regex,
        Class::Comment,
        Class::Number,
        Class::Constant,
        Class::Function,
        Class::Type,
        Class::Variable,
        Class::Operator,
        Class::Tag,
        Class::Attribute,
        Class::Key,
        Class::Escape,
        Class::Inserted,
        Class::Deleted,
        Class::Heading,
        Class::Strong,
        Class::Emphasis,
        Class::Quote,
    ];
}

/// The selectors: space-separated parts (an ancestor, then the scope itself), and the
/// class; `None` makes the text plain (an embedded language starts afresh, so a command
/// in `"$(…)"` is not coloured as the string around it).
pub const SELECTORS: &[(&str, Option<Class>)] = &[
    ("comment", Some(Class::Comment)),
    ("string", Some(Class::String)),
    ("string.regexp", Some(Class::Regex)),
    ("constant.character.escape", Some(Class::Escape)),
    ("constant.numeric", Some(Class::Number)),
    ("constant", Some(Class::Constant)),
    ("support.constant", Some(Class::Constant)),
    ("variable.language", Some(Class::Constant)),
    ("variable.other.constant", Some(Class::Constant)),
    ("keyword", Some(Class::Keyword)),
    ("keyword.operator", Some(Class::Operator)),
    ("storage", Some(Class::Keyword)),
    ("entity.name.function", Some(Class::Function)),
    ("support.function", Some(Class::Function)),
    ("variable.function", Some(Class::Function)),
    ("entity.name.type", Some(Class::Type)),
    ("entity.name.class", Some(Class::Type)),
    ("entity.name.struct", Some(Class::Type)),
    ("entity.name.enum", Some(Class::Type)),
    ("entity.name.trait", Some(Class::Type)),
    ("entity.name.interface", Some(Class::Type)),
    ("entity.other.inherited-class", Some(Class::Type)),
    ("support.type", Some(Class::Type)),
    ("support.class", Some(Class::Type)),
    ("entity.name.tag", Some(Class::Tag)),
    ("entity.name.tag.yaml", Some(Class::Key)),
    ("entity.other.attribute-name", Some(Class::Attribute)),
    ("meta.mapping.key string", Some(Class::Key)),
    ("support.type.property-name", Some(Class::Key)),
    ("entity.name.key", Some(Class::Key)),
    ("variable.parameter", Some(Class::Variable)),
    ("punctuation.definition.variable", Some(Class::Variable)),
    ("meta.group.expansion.parameter", Some(Class::Variable)),
    ("markup.heading", Some(Class::Heading)),
    ("entity.name.section", Some(Class::Heading)),
    ("meta.diff.header", Some(Class::Heading)),
    ("meta.diff.range", Some(Class::Heading)),
    ("markup.inserted", Some(Class::Inserted)),
    ("markup.deleted", Some(Class::Deleted)),
    ("markup.raw", Some(Class::String)),
    ("markup.bold", Some(Class::Strong)),
    ("markup.italic", Some(Class::Emphasis)),
    ("markup.quote", Some(Class::Quote)),
    ("punctuation.definition.list_item", Some(Class::Operator)),
    ("markup.list.numbered.bullet", Some(Class::Operator)),
    ("markup.list.unnumbered.bullet", Some(Class::Operator)),
    ("meta.embedded", None),
    ("meta.interpolation", None),
    ("meta.group.expansion.command", None),
    ("source", None),
];

/// A parsed selector: its parts as scopes (ancestor first), and its class.
struct Selector {
    parts: Vec<Scope>,
    class: Option<Class>,
}

static PARSED: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    SELECTORS
        .iter()
        .filter_map(|(text, class)| {
            let parts: Option<Vec<Scope>> =
                text.split(' ').map(|part| Scope::new(part).ok()).collect();
            Some(Selector {
                parts: parts?,
                class: *class,
            })
        })
        .collect()
});

/// The class of a token whose scope stack (outermost first) is `stack`.
pub fn resolve(stack: &[Scope]) -> Option<Class> {
    let mut best: Option<((usize, usize, u32), Option<Class>)> = None;
    for selector in PARSED.iter() {
        let Some((last, ancestors)) = selector.parts.split_last() else {
            continue;
        };
        // The innermost scope the selector's own part matches, with its ancestors above.
        let Some(depth) = (0..stack.len())
            .rev()
            .find(|&i| last.is_prefix_of(stack[i]) && ancestors_match(ancestors, &stack[..i]))
        else {
            continue;
        };
        let score = (depth, selector.parts.len(), last.len());
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, selector.class));
        }
    }
    best.and_then(|(_, class)| class)
}

/// Whether `ancestors` (outermost first) match scopes of `stack` in order.
fn ancestors_match(ancestors: &[Scope], stack: &[Scope]) -> bool {
    let mut rest = stack;
    for part in ancestors.iter().rev() {
        match rest.iter().rposition(|scope| part.is_prefix_of(*scope)) {
            Some(i) => rest = &rest[..i],
            None => return false,
        }
    }
    true
}

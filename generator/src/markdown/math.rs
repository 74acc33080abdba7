//! Math (`[markdown] math = true` in `site.toml`): pulldown-cmark's `$…$` and `$$…$$`
//! turned into MathML at build time by pulldown-latex, which current browsers draw
//! natively: no script, no font download. Each formula keeps its LaTeX source as an
//! `<annotation>` (for copying and assistive tools). LaTeX the renderer does not know, or
//! that would need an inline style (`\color`: the site's Content-Security-Policy blocks
//! inline styles), is an error at its line; the formula then shows as its source.

use pulldown_cmark::{CowStr, Event};
use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

use super::stage::{Found, Spanned, Stage};

/// The MathML of `latex`, or why it has none.
pub fn to_mathml(latex: &str, block: bool) -> Result<String, String> {
    let storage = Storage::new();
    let events: Vec<_> = Parser::new(latex, &storage).collect();
    if let Some(error) = events.iter().find_map(|e| e.as_ref().err()) {
        let text = error.to_string();
        let what = text.lines().next().unwrap_or("").trim();
        let what = what.strip_prefix("parsing error: ").unwrap_or(what);
        return Err(format!("unsupported LaTeX in `{latex}`: {what}"));
    }
    let config = RenderConfig {
        display_mode: if block {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(latex),
        ..RenderConfig::default()
    };
    let mut mathml = String::new();
    push_mathml(&mut mathml, events.into_iter(), config)
        .map_err(|e| format!("cannot render `{latex}` as MathML: {e}"))?;
    if mathml.contains(" style=\"") {
        return Err(format!(
            "`{latex}` sets colours or sizes by inline style (\\color and the like), which the site's Content-Security-Policy blocks: leave them out"
        ));
    }
    Ok(mathml)
}

pub(super) fn math<I>(inner: I) -> Math<I> {
    Math { inner }
}

pub(super) struct Math<I> {
    inner: I,
}

impl<'a, I: Stage<Item = Spanned<'a>>> Iterator for Math<I> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Spanned<'a>> {
        let (event, range) = self.inner.next()?;
        let (latex, block) = match &event {
            Event::InlineMath(latex) => (latex, false),
            Event::DisplayMath(latex) => (latex, true),
            _ => return Some((event, range)),
        };
        match to_mathml(latex, block) {
            Ok(mathml) => Some((Event::InlineHtml(CowStr::from(mathml)), range)),
            Err(message) => {
                self.inner.found().problems.push((range.start, message));
                Some((Event::Code(latex.clone()), range))
            }
        }
    }
}

impl<'a, I: Stage<Item = Spanned<'a>>> Stage for Math<I> {
    fn found(&mut self) -> &mut Found {
        self.inner.found()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latex_becomes_mathml_with_its_source() {
        let out = to_mathml("x^2", false).unwrap();
        assert!(out.starts_with("<math display=\"inline\">"), "{out}");
        assert!(out.contains("<msup><mi>x</mi><mn>2</mn></msup>"), "{out}");
        assert!(out.contains("<annotation encoding=\"application/x-tex\">x^2</annotation>"));
        assert!(
            to_mathml("\\frac{a}{b}", true)
                .unwrap()
                .starts_with("<math display=\"block\">")
        );
    }

    #[test]
    fn unknown_commands_and_inline_styles_are_errors() {
        let unknown = to_mathml("\\notacommand x", false).unwrap_err();
        assert_eq!(
            unknown,
            "unsupported LaTeX in `\\notacommand x`: unknown primitive command found"
        );
        assert!(
            to_mathml("\\frac{a}", false)
                .unwrap_err()
                .contains("expected a token")
        );
        assert!(
            to_mathml("\\color{red} x", false)
                .unwrap_err()
                .contains("Content-Security-Policy")
        );
    }
}

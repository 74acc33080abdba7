//! HTML escaping, the one way every piece of HTML the project writes itself is escaped:
//! the core's pages and, through this crate, the generator's stages and templates. Reader
//! input only ever reaches a page through these functions or through lol_html's
//! text/attribute setters.

/// Appends `text` to `out` with `& < > " '` escaped: safe in element content and in
/// quoted attribute values. Stretches that need no escaping are copied whole.
pub fn escape_into(text: &str, out: &mut String) {
    let mut last = 0;
    for (i, byte) in text.bytes().enumerate() {
        let replacement = match byte {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(replacement);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

/// `text` escaped as by [`escape_into`], in a new string.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn escapes_what_html_needs_and_keeps_urls_readable() {
        assert_eq!(
            escape("<a href=\"/x/?a=1&b='2'\">"),
            "&lt;a href=&quot;/x/?a=1&amp;b=&#39;2&#39;&quot;&gt;"
        );
        assert_eq!(escape("/a/b/ café"), "/a/b/ café");
    }

    #[test]
    fn escape_into_appends() {
        let mut out = String::from("<p>");
        escape_into("a < b", &mut out);
        assert_eq!(out, "<p>a &lt; b");
        assert_eq!(escape(""), "");
    }
}

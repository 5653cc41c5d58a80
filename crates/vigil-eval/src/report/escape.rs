//! Escaping of report strings (names, categories, slice values, obligation
//! text) for the HTML page and the Markdown summary. Every string from a
//! report passes through here before it is written into either.

/// Escapes text for HTML and XML content and double- or single-quoted
/// attribute values.
///
/// ```
/// use vigil_eval::report::escape_html;
///
/// assert_eq!(escape_html(r#"<b>&"'"#), "&lt;b&gt;&amp;&quot;&#39;");
/// ```
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Escapes text for one cell of a Markdown table: pipes and Markdown
/// punctuation are backslash-escaped, HTML is written as entities (Markdown
/// renderers pass raw HTML through), and line breaks become spaces, since a
/// table row is one line.
pub(super) fn escape_markdown_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_leaves_no_markup() {
        let escaped = escape_html("<script>alert('x') & \"y\"</script>");
        assert!(!escaped.contains('<'));
        assert!(!escaped.contains('>'));
        assert!(!escaped.contains('"'));
        assert_eq!(escape_html("plain text"), "plain text");
    }

    #[test]
    fn markdown_cells_cannot_break_the_table() {
        assert_eq!(escape_markdown_cell("a|b\nc"), r"a\|b c");
        assert_eq!(escape_markdown_cell("<b>&"), "&lt;b&gt;&amp;");
        assert_eq!(escape_markdown_cell("hate_speech"), r"hate\_speech");
    }
}

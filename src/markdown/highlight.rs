//! Code highlighting with syntect, as CSS classes (no inline styles): the stylesheet is
//! generated once from one theme and shipped with the site's CSS.

use super::escape;
use std::sync::OnceLock;
use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Languages written plain on purpose: no highlighting asked for.
const PLAIN: &[&str] = &["", "text", "txt", "plain", "plaintext", "quiz"];

/// Whether a fence's language is highlighted (or plain on purpose).
pub fn knows(lang: &str) -> bool {
    PLAIN.contains(&lang) || syntaxes().find_syntax_by_token(lang).is_some()
}

/// A short name of every highlighted language, sorted (for hints).
pub fn known() -> Vec<String> {
    let mut names: Vec<String> =
        syntaxes().syntaxes().iter().filter_map(|s| s.file_extensions.first()).map(|e| e.to_lowercase()).collect();
    names.sort();
    names.dedup();
    names
}

/// A fenced code block as HTML; unknown languages are shown plain.
pub fn code_block(lang: &str, code: &str) -> String {
    let lang_class = if lang.is_empty() { String::new() } else { format!(" class=\"language-{}\"", escape(lang)) };
    let syntax = (!lang.is_empty() && lang != "text").then(|| syntaxes().find_syntax_by_token(lang)).flatten();
    let Some(syntax) = syntax else {
        return format!("<pre><code{lang_class}>{}</code></pre>\n", escape(code));
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return format!("<pre><code{lang_class}>{}</code></pre>\n", escape(code));
        }
    }
    format!("<pre class=\"hl\"><code{lang_class}>{}</code></pre>\n", generator.finalize())
}

/// The stylesheet for highlighted code.
pub fn css() -> String {
    let themes = ThemeSet::load_defaults();
    css_for_theme_with_class_style(&themes.themes["InspiredGitHub"], CLASS_STYLE).unwrap_or_default()
}

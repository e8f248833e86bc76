//! Code highlighting with syntect, as CSS classes (no inline styles): the stylesheet is
//! generated once from one theme and shipped with the site's CSS.
//!
//! The syntaxes are bat's (the `two-face` crate): syntect's own set lacks TOML,
//! TypeScript, PowerShell, Dockerfile and many more that lessons show. Their licences ask
//! to be acknowledged where the binary goes: `docs/THIRD-PARTY-SYNTAXES.md` lists them, and
//! a test keeps it equal to what two-face embeds.

use super::escape;
use std::sync::OnceLock;
use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Languages written plain on purpose: no highlighting asked for.
const PLAIN: &[&str] = &["", "text", "txt", "plain", "plaintext", "quiz"];

/// Names authors use that the syntaxes do not go by, and the syntax's name they mean.
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("console", "bash"),
    ("shell-session", "bash"),
    ("zsh", "bash"),
    ("pwsh", "powershell"),
    ("ps", "powershell"),
    ("docker", "dockerfile"),
    ("yml", "yaml"),
    ("jsonc", "json"),
];

/// The language of a fence's info string: its first word, before a `,` or a space
/// (`rust,editable` and `rust ignore` are `rust`, as mdBook writes them).
pub fn language(info: &str) -> &str {
    info.split(|c: char| c == ',' || c.is_whitespace()).next().unwrap_or("")
}

fn find(lang: &str) -> Option<&'static SyntaxReference> {
    let lower = lang.to_lowercase();
    let token = ALIASES.iter().find(|(alias, _)| *alias == lower).map_or(lower.as_str(), |(_, name)| name);
    syntaxes().find_syntax_by_token(token)
}

/// Whether a fence's language is highlighted (or plain on purpose).
pub fn knows(lang: &str) -> bool {
    PLAIN.contains(&lang) || find(lang).is_some()
}

/// The names of the languages lessons show most, for hints (each is highlighted: a test
/// checks it); [`count`] says how many there are in all.
pub const COMMON: &[&str] = &[
    "bash",
    "c",
    "cpp",
    "cs",
    "css",
    "csv",
    "diff",
    "dockerfile",
    "go",
    "html",
    "ini",
    "java",
    "js",
    "json",
    "kotlin",
    "lua",
    "md",
    "php",
    "powershell",
    "py",
    "rb",
    "rs",
    "sh",
    "sql",
    "swift",
    "toml",
    "ts",
    "xml",
    "yaml",
];

/// How many languages are highlighted.
pub fn count() -> usize {
    syntaxes().syntaxes().iter().filter(|s| !s.hidden && !s.file_extensions.is_empty()).count()
}

/// A fenced code block as HTML; unknown languages are shown plain.
pub fn code_block(lang: &str, code: &str) -> String {
    let lang_class = if lang.is_empty() { String::new() } else { format!(" class=\"language-{}\"", escape(lang)) };
    let syntax = (!PLAIN.contains(&lang)).then(|| find(lang)).flatten();
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

#[cfg(test)]
mod tests {
    /// The file that acknowledges the syntax definitions and themes two-face embeds in the
    /// binary (their licences ask for it); rewritten by `HOCLIEU_BLESS=1 cargo test
    /// --lib acknowledged` when two-face changes.
    #[test]
    fn the_embedded_syntaxes_are_acknowledged() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/THIRD-PARTY-SYNTAXES.md");
        let expected = format!(
            "# Syntax definitions and themes in the hoclieu binary\n\n\
             Code highlighting embeds the syntax definitions and themes of bat, through the \
             `two-face` crate. Their licences ask that they be acknowledged; this is \
             the listing two-face provides (`two_face::acknowledgement::listing()`), kept \
             equal to it by a test in `src/markdown/highlight.rs`.\n\n{}",
            two_face::acknowledgement::listing().to_md()
        );
        if std::env::var_os("HOCLIEU_BLESS").is_some() {
            std::fs::write(&path, &expected).expect("docs/ is writable");
        }
        let shipped = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            shipped == expected,
            "{} differs from two-face's acknowledgements: run HOCLIEU_BLESS=1 cargo test --lib acknowledged",
            path.display()
        );
    }

    #[test]
    fn the_languages_named_in_hints_are_highlighted() {
        for lang in super::COMMON {
            assert!(super::find(lang).is_some(), "{lang}");
        }
        assert!(super::count() > 150, "{}", super::count());
    }

    #[test]
    fn a_fence_info_string_is_reduced_to_its_language() {
        for (info, lang) in [("rust,editable", "rust"), ("rust ignore", "rust"), ("toml", "toml"), ("", "")] {
            assert_eq!(super::language(info), lang);
        }
    }
}

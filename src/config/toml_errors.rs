//! TOML mistakes as diagnostics, for `book.toml` and front matter alike: the parser's
//! message, its position shifted into the file, and a hint an author can act on.

use crate::diag::{Diagnostic, Position};
use std::path::Path;

/// Turns a TOML error into a diagnostic. The TOML that failed starts at byte `base` of
/// `file_text`, so the position points into the file, not into the fragment.
pub fn toml_error(file: impl AsRef<Path>, file_text: &str, base: usize, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().replace('\n', " ");
    let mut diagnostic = Diagnostic::error(file, "bad-toml", message.clone());
    if let Some(span) = e.span() {
        diagnostic = diagnostic.at(Position::of_offset(file_text, base + span.start));
    }
    if message.starts_with("unknown field") {
        diagnostic.code = "unknown-key";
        if let Some(expected) = message.split(", expected ").nth(1) {
            return diagnostic.hint(format!("valid keys here: {}", expected.trim_start_matches("one of ")));
        }
    }
    diagnostic.hint(toml_hint(&message))
}

/// How to fix a TOML mistake, from the parser's message (book.toml, front matter).
fn toml_hint(message: &str) -> String {
    let hint = if message.contains("recursion limit") {
        "lists and tables are nested too deeply: write them flat, e.g. domains = [\"an-toan\", \"giao-tiep\"]"
    } else if message.starts_with("duplicate key") {
        "each key may be given once: remove or rename the repeated one"
    } else if message.starts_with("invalid basic string") || message.starts_with("invalid literal string") {
        "close the text with its quote on the same line; for several lines use \"\"\"…\"\"\""
    } else if message.starts_with("invalid string") {
        "put text in quotes: title = \"Mật khẩu mạnh\""
    } else if message.starts_with("invalid escape") {
        "a backslash starts an escape in \"…\" text: write \\\\ for a backslash, or use '…' quotes"
    } else if message.starts_with("invalid array") {
        "close the list with `]`, items separated by commas: [\"a\", \"b\"]"
    } else if message.starts_with("invalid inline table") {
        "close the table with `}` on the same line: { name = \"…\" }"
    } else if message.starts_with("invalid table header") {
        "a table header is one line: [name] or [name.sub]"
    } else if message.starts_with("invalid type") {
        "check the value: text in \"quotes\", numbers and true/false without, lists in [ ]"
    } else if message.starts_with("missing field") {
        "add the missing key, as `key = value` on a line of its own"
    } else {
        "TOML is one `key = value` a line, text in \"quotes\", lists in [ ], tables as [name]"
    };
    hint.to_string()
}

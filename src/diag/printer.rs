//! Printing diagnostics: the human form (`path:line:col: error: message`, the source line,
//! a caret, a hint) and a JSON form for CI.

use super::{Diagnostic, Severity};
use std::io::Write;
use std::path::Path;

/// Prints each diagnostic with its source line and a caret under the column.
/// `root` is where the relative paths in diagnostics are read from to show the line.
pub fn print_human(out: &mut dyn Write, root: &Path, diagnostics: &[Diagnostic]) -> std::io::Result<()> {
    for d in diagnostics {
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        // names and text from the content reach the terminal: no escape sequences
        let file = escape(&d.file.to_string_lossy()).into_owned();
        let message = escape(&d.message);
        match (d.line, d.col) {
            (0, _) => writeln!(out, "{file}: {severity}: {message}")?,
            (line, 0) => writeln!(out, "{file}:{line}: {severity}: {message}")?,
            (line, col) => writeln!(out, "{file}:{line}:{col}: {severity}: {message}")?,
        }
        if d.line > 0 {
            if let Some(source_line) = read_line(&root.join(&d.file), d.line) {
                // tabs stay tabs, so that the caret lines up under them
                let shown =
                    |text: &str| text.split('\t').map(|part| escape(part).into_owned()).collect::<Vec<_>>().join("\t");
                writeln!(out, "  | {}", shown(&source_line))?;
                if d.col > 0 {
                    let before: String = source_line.chars().take(d.col - 1).collect();
                    let pad: String = shown(&before).chars().map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                    writeln!(out, "  | {pad}^")?;
                }
            }
        }
        if let Some(hint) = &d.hint {
            writeln!(out, "  hint: {}", escape(hint))?;
        }
    }
    Ok(())
}

/// Prints all diagnostics as one JSON array.
pub fn print_json(out: &mut dyn Write, diagnostics: &[Diagnostic]) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, diagnostics)?;
    writeln!(out)
}

/// `text` with control characters and bidirectional overrides written as escapes
/// (`\u{1b}`), so that a file name cannot move the cursor, recolour the terminal or show
/// its text reversed.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn read_line(path: &Path, line: usize) -> Option<String> {
    let text = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&text);
    let line = text.lines().nth(line - 1)?;
    // NFC at load means positions count composed characters; show the line the same way.
    use unicode_normalization::UnicodeNormalization;
    Some(line.nfc().collect())
}

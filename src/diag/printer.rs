//! Printing diagnostics: the human form (`path:line:col: error: message`, the source line,
//! a caret, a hint) and a JSON form for CI.

use super::{Diagnostic, Severity};
use crate::msg;
use std::io::Write;
use std::path::Path;

/// Prints each diagnostic with its source line and a caret under the column.
/// `root` is where the relative paths in diagnostics are read from to show the line.
pub fn print_human(out: &mut dyn Write, root: &Path, diagnostics: &[Diagnostic]) -> std::io::Result<()> {
    // diagnostics come sorted by file: each file is read once
    let mut source: Option<(&Path, Option<String>)> = None;
    for d in diagnostics {
        let severity = match d.severity {
            Severity::Error => msg!("diag.error"),
            Severity::Warning => msg!("diag.warning"),
            Severity::Note => msg!("diag.note"),
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
            if source.as_ref().is_none_or(|(file, _)| *file != d.file.as_path()) {
                let text = std::fs::read(root.join(&d.file)).ok().map(|t| String::from_utf8_lossy(&t).into_owned());
                source = Some((d.file.as_path(), text));
            }
            let text = source.as_ref().and_then(|(_, text)| text.as_deref());
            if let Some((source_line, col)) = text.and_then(|text| shown_line(text, d.line, d.col)) {
                // tabs stay tabs, so that the caret lines up under them
                let shown =
                    |text: &str| text.split('\t').map(|part| escape(part).into_owned()).collect::<Vec<_>>().join("\t");
                writeln!(out, "  | {}", shown(&source_line))?;
                if col > 0 {
                    let before: String = source_line.chars().take(col - 1).collect();
                    let pad: String = shown(&before).chars().map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                    writeln!(out, "  | {pad}^")?;
                }
            }
        }
        if let Some(hint) = &d.hint {
            writeln!(out, "  {}", msg!("diag.hint", hint = escape(hint)))?;
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

/// Characters of a long source line shown on each side of the column.
const SHOWN_AROUND: usize = 80;

/// Line `line` of `text` as shown under a diagnostic, and the column of the caret in it: a
/// long line (minified HTML, a table on one line) is cut to the part around `col`.
fn shown_line(text: &str, line: usize, col: usize) -> Option<(String, usize)> {
    let line = text.lines().nth(line - 1)?;
    // NFC at load means positions count composed characters; show the line the same way.
    use unicode_normalization::UnicodeNormalization;
    let chars: Vec<char> = line.nfc().collect();
    if chars.len() <= 2 * SHOWN_AROUND {
        return Some((chars.into_iter().collect(), col));
    }
    let from = col.saturating_sub(1).saturating_sub(SHOWN_AROUND).min(chars.len());
    let to = (col.saturating_sub(1) + SHOWN_AROUND).min(chars.len()).max(from);
    let mut shown = String::new();
    if from > 0 {
        shown.push('…');
    }
    shown.extend(&chars[from..to]);
    if to < chars.len() {
        shown.push('…');
    }
    let col = if col == 0 { 0 } else { col - from + usize::from(from > 0) };
    Some((shown, col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_caret() {
        let text = format!("a\n{}X{}\n", "x".repeat(1000), "y".repeat(1000));
        let (shown, col) = shown_line(&text, 2, 1001).unwrap();
        assert_eq!(shown.chars().count(), 2 * SHOWN_AROUND + 2);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().nth(col - 1), Some('X'));
        assert_eq!(shown_line("ab\ncd", 2, 2), Some(("cd".to_string(), 2)));
    }
}

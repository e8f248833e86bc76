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
        let file = d.file.display();
        match (d.line, d.col) {
            (0, _) => writeln!(out, "{file}: {severity}: {}", d.message)?,
            (line, 0) => writeln!(out, "{file}:{line}: {severity}: {}", d.message)?,
            (line, col) => writeln!(out, "{file}:{line}:{col}: {severity}: {}", d.message)?,
        }
        if d.line > 0 {
            if let Some(source_line) = read_line(&root.join(&d.file), d.line) {
                writeln!(out, "  | {source_line}")?;
                if d.col > 0 {
                    let pad: String =
                        source_line.chars().take(d.col - 1).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                    writeln!(out, "  | {pad}^")?;
                }
            }
        }
        if let Some(hint) = &d.hint {
            writeln!(out, "  hint: {hint}")?;
        }
    }
    Ok(())
}

/// Prints all diagnostics as one JSON array.
pub fn print_json(out: &mut dyn Write, diagnostics: &[Diagnostic]) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, diagnostics)?;
    writeln!(out)
}

fn read_line(path: &Path, line: usize) -> Option<String> {
    let text = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&text);
    let line = text.lines().nth(line - 1)?;
    // NFC at load means positions count composed characters; show the line the same way.
    use unicode_normalization::UnicodeNormalization;
    Some(line.nfc().collect())
}

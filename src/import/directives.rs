//! mdBook's `{{#…}}` directives, expanded before the chapter is read as Markdown (as mdBook
//! does): `include` and `rustdoc_include` (whole file, `file:anchor`, line ranges
//! `file:2:10`, `file::10`, `file:2:`, `file:5`), `playground` and `rust` (a file as a
//! ```` ```rust ```` block). `ANCHOR: name` / `ANCHOR_END: name` lines never reach the output;
//! lines a `rustdoc_include` would hide are dropped (the site has no hidden lines). An
//! escaped `\{{#…}}` is written without its backslash. Unknown directives are removed and
//! reported. Returns the text and where each piece of it came from, for the report.

use super::Note;
use crate::msg;
use regex::Regex;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

static DIRECTIVE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\\\{\{#[^}]*\}\}|\{\{\s*#([a-zA-Z0-9_]+)\s*([^}]*)\}\}").unwrap());
static ANCHOR_START: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"ANCHOR:\s*([\w_-]+)").unwrap());
static ANCHOR_END: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"ANCHOR_END:\s*([\w_-]+)").unwrap());

/// How deep includes may nest (mdBook's limit).
const MAX_DEPTH: usize = 10;

/// Text after expansion, with the origin of each piece.
#[derive(Debug, Default)]
pub struct Mapped {
    pub text: String,
    /// `(offset in text, file shown in the report, line of the file at that offset)`,
    /// in increasing offset.
    pub origins: Vec<(usize, String, usize)>,
}

impl Mapped {
    /// The file and line that the byte at `offset` of the text came from.
    pub fn origin(&self, offset: usize) -> (String, usize) {
        let i = self.origins.partition_point(|(start, _, _)| *start <= offset).saturating_sub(1);
        match self.origins.get(i) {
            Some((start, file, line)) => {
                (file.clone(), line + self.text[*start..offset.min(self.text.len())].matches('\n').count())
            }
            None => (String::new(), 1),
        }
    }

    fn push(&mut self, text: &str, file: &str, line: usize) {
        if text.is_empty() {
            return;
        }
        self.origins.push((self.text.len(), file.to_string(), line));
        self.text.push_str(text);
    }
}

/// Expands the directives of `text`, read from `path` (shown as `shown`).
pub fn expand(text: &str, path: &Path, shown: &str, book_root: &Path, notes: &mut Vec<Note>) -> Mapped {
    let mut out = Mapped::default();
    expand_into(&mut out, text, path, shown, 1, book_root, notes, 0);
    out
}

#[allow(clippy::too_many_arguments)]
fn expand_into(
    out: &mut Mapped,
    text: &str,
    path: &Path,
    shown: &str,
    first_line: usize,
    book_root: &Path,
    notes: &mut Vec<Note>,
    depth: usize,
) {
    let line_at = |offset: usize| first_line + text[..offset].matches('\n').count();
    let mut last = 0;
    for caps in DIRECTIVE.captures_iter(text) {
        let whole = caps.get(0).unwrap();
        out.push(&text[last..whole.start()], shown, line_at(last));
        last = whole.end();
        let line = line_at(whole.start());
        let Some(name) = caps.get(1) else {
            // `\{{#…}}`: written as it is, without the backslash
            out.push(&whole.as_str()[1..], shown, line);
            continue;
        };
        let args = caps.get(2).map_or("", |m| m.as_str()).trim();
        let note = |what: String| Note { file: shown.to_string(), line, what };
        let name = name.as_str();
        let directive = format!("{{{{#{name} {args}}}}}");
        if !matches!(name, "include" | "rustdoc_include" | "playground" | "rust") {
            notes.push(note(msg!("import.directive.unknown", directive)));
            continue;
        }
        if depth >= MAX_DEPTH {
            notes.push(note(msg!("import.directive.too-deep", directive, depth = MAX_DEPTH)));
            continue;
        }
        let spec = args.split_whitespace().next().unwrap_or_default();
        let (file, selection) = match spec.split_once(':') {
            Some((file, rest)) => (file, Some(rest)),
            None => (spec, None),
        };
        let base = path.parent().unwrap_or(Path::new(""));
        let target = base.join(file);
        let target_shown = shown_path(&target, book_root);
        let content = match std::fs::read(&target).map(String::from_utf8) {
            Ok(Ok(content)) => content.nfc().collect::<String>(),
            _ => {
                notes.push(note(msg!("import.directive.cannot-read", directive, file = target_shown)));
                continue;
            }
        };
        let lines: Vec<&str> = content.lines().collect();
        let picked = match selection.map(select) {
            None => Some((1, lines.clone())),
            Some(Selection::Lines(from, to)) => {
                let to = to.unwrap_or(lines.len()).min(lines.len());
                let from = from.max(1);
                Some((from, if from <= to { lines[from - 1..to].to_vec() } else { Vec::new() }))
            }
            Some(Selection::Anchor(anchor)) => anchored(&lines, &anchor),
        };
        let Some((from, picked)) = picked else {
            notes.push(note(msg!(
                "import.directive.no-anchor",
                directive,
                anchor = selection.unwrap_or_default(),
                file = target_shown
            )));
            continue;
        };
        let kept: Vec<&str> = picked.into_iter().filter(|l| !is_anchor_line(l)).collect();
        let mut body = kept.join("\n");
        if name == "playground" || name == "rust" {
            out.push(&format!("```rust\n{body}\n```"), &target_shown, from);
            continue;
        }
        // An include is itself expanded, as mdBook does; a trailing newline of the whole file is dropped.
        if body.ends_with('\n') {
            body.pop();
        }
        expand_into(out, &body, &target, &target_shown, from, book_root, notes, depth + 1);
    }
    out.push(&text[last..], shown, line_at(last));
}

enum Selection {
    /// 1-based, inclusive.
    Lines(usize, Option<usize>),
    Anchor(String),
}

fn select(spec: &str) -> Selection {
    let number = |s: &str| s.trim().parse::<usize>().ok();
    match spec.split_once(':') {
        Some((from, to)) if (from.is_empty() || number(from).is_some()) && (to.is_empty() || number(to).is_some()) => {
            Selection::Lines(number(from).unwrap_or(1), number(to))
        }
        None if number(spec).is_some() => {
            let n = number(spec).unwrap();
            Selection::Lines(n, Some(n))
        }
        _ => Selection::Anchor(spec.to_string()),
    }
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`, and the line number of the first.
fn anchored<'a>(lines: &[&'a str], anchor: &str) -> Option<(usize, Vec<&'a str>)> {
    let start = lines.iter().position(|l| ANCHOR_START.captures(l).is_some_and(|c| &c[1] == anchor))?;
    let end = lines[start + 1..]
        .iter()
        .position(|l| ANCHOR_END.captures(l).is_some_and(|c| &c[1] == anchor))
        .map_or(lines.len(), |i| start + 1 + i);
    Some((start + 2, lines[start + 1..end].to_vec()))
}

fn is_anchor_line(line: &str) -> bool {
    ANCHOR_START.is_match(line) || ANCHOR_END.is_match(line)
}

/// A path as the report shows it: relative to the book's folder when inside it.
pub fn shown_path(path: &Path, book_root: &Path) -> String {
    let normal = crate::fs::normalise(path).unwrap_or_else(|| PathBuf::from(path));
    let root = crate::fs::normalise(book_root).unwrap_or_else(|| PathBuf::from(book_root));
    normal.strip_prefix(&root).unwrap_or(&normal).to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(files: &[(&str, &str)], chapter: &str) -> (Mapped, Vec<Note>) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let mut notes = Vec::new();
        let path = dir.path().join("src/ch.md");
        let mapped = expand(chapter, &path, "src/ch.md", dir.path(), &mut notes);
        (mapped, notes)
    }

    const MAIN: &str = "// ANCHOR: all\nfn main() {\n    // ANCHOR: body\n    println!(\"xin chào\");\n    // ANCHOR_END: body\n}\n// ANCHOR_END: all\n";

    #[test]
    fn anchors_and_line_ranges() {
        let files = [("src/main.rs", MAIN), ("src/l.txt", "1\n2\n3\n4\n5\n")];
        let cases = [
            ("{{#include main.rs:body}}", "    println!(\"xin chào\");"),
            ("{{#include main.rs:all}}", "fn main() {\n    println!(\"xin chào\");\n}"),
            ("{{#include main.rs}}", "fn main() {\n    println!(\"xin chào\");\n}"),
            ("{{#include l.txt:2:4}}", "2\n3\n4"),
            ("{{#include l.txt::2}}", "1\n2"),
            ("{{#include l.txt:4:}}", "4\n5"),
            ("{{#include l.txt:3}}", "3"),
            ("{{#rustdoc_include main.rs:body}}", "    println!(\"xin chào\");"),
            ("{{#playground main.rs}}", "```rust\nfn main() {\n    println!(\"xin chào\");\n}\n```"),
            ("a \\{{#include l.txt}} b", "a {{#include l.txt}} b"),
        ];
        for (chapter, want) in cases {
            let (mapped, notes) = run(&files, chapter);
            assert_eq!(mapped.text, want, "{chapter}");
            assert!(notes.is_empty(), "{chapter}: {notes:?}");
        }
    }

    #[test]
    fn unknown_directives_missing_files_and_anchors_are_reported_with_their_line() {
        let (mapped, notes) =
            run(&[("src/l.txt", "1\n")], "a\n{{#title Tiêu đề}}\n{{#include khong-co.rs}}\n{{#include l.txt:x}}\nb");
        assert_eq!(mapped.text, "a\n\n\n\nb");
        let notes: Vec<String> = notes.iter().map(|n| format!("{}:{}: {}", n.file, n.line, n.what)).collect();
        assert_eq!(
            notes,
            [
                "src/ch.md:2: unknown directive {{#title Tiêu đề}}: left out",
                "src/ch.md:3: {{#include khong-co.rs}}: cannot read src/khong-co.rs: left out",
                "src/ch.md:4: {{#include l.txt:x}}: no anchor \"x\" in src/l.txt: left out",
            ]
        );
        assert_eq!(mapped.origin(mapped.text.len() - 1), ("src/ch.md".to_string(), 5));
    }
}

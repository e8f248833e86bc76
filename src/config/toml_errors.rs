//! TOML mistakes as diagnostics, for `book.toml` and front matter alike: what is wrong in
//! words an author understands (not the parser's `expected newline, '#'`), the position
//! shifted into the file, and how to fix it, with the author's own line fixed when it can
//! be (a quote inside the text: `title = "Bài \"mới\""`).

use crate::diag::{Diagnostic, Position};
use crate::msg;
use std::path::Path;

/// Turns a TOML error into a diagnostic. The TOML that failed starts at byte `base` of
/// `file_text`, so the position points into the file, not into the fragment.
pub fn toml_error(file: impl AsRef<Path>, file_text: &str, base: usize, e: &toml::de::Error) -> Diagnostic {
    let at = e.span().map(|span| base + span.start);
    let (code, message, hint) = explained(e, file_text, at);
    let mut diagnostic = Diagnostic::error(file, code, message).hint(hint);
    if let Some(at) = at {
        diagnostic = diagnostic.at(Position::of_offset(file_text, at));
    }
    diagnostic
}

/// Code, message and hint for a TOML error whose position is byte `at` of `file_text`.
pub(crate) fn explained(e: &toml::de::Error, file_text: &str, at: Option<usize>) -> (&'static str, String, String) {
    let parser = e.message().trim().replace('\n', " ");
    // the line the error is on, and where on it
    let (line, col) = match at {
        Some(at) => {
            let at = at.min(file_text.len());
            let start = file_text[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = file_text[at..].find('\n').map_or(file_text.len(), |i| at + i);
            (file_text[start..end].trim_end_matches('\r'), at - start)
        }
        None => ("", 0),
    };
    // a list or text left open is reported where the parser gave up, often a line below:
    // the key is then the last one given before
    let before = at.map_or("", |at| &file_text[..at.min(file_text.len())]);
    let key = key_of(line).or_else(|| before.lines().rev().find_map(key_of)).unwrap_or("…");
    // a list left open: the parser reads on into the next lines; the key is the last one
    // whose value opens a list
    let opens_list = |l: &&str| l.split_once('=').is_some_and(|(_, v)| v.trim_start().starts_with('['));
    let key = match parser.starts_with("invalid array") {
        true => before.lines().chain([line]).rev().find(opens_list).and_then(key_of).unwrap_or(key),
        false => key,
    };
    explain(&parser, line, col, key)
}

/// The key a line gives a value to (`title` of `title = "…"`), if it reads as one.
fn key_of(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))).then_some(key)
}

/// Code, message and hint for the parser's message `parser` about `line` (byte `col`).
fn explain(parser: &str, line: &str, col: usize, key: &str) -> (&'static str, String, String) {
    let value = line.split_once('=').map_or("", |(_, v)| v.trim());
    if let Some(rest) = parser.strip_prefix("unknown field") {
        // serde: unknown field `titel`, expected one of `title`, …
        let name = rest.split('`').nth(1).unwrap_or(key);
        let valid = parser.split(", expected ").nth(1).map(|v| v.trim_start_matches("one of "));
        let hint = match valid {
            Some(valid) => msg!("toml.unknown-key-hint", valid),
            None => msg!("toml.syntax-hint"),
        };
        return ("unknown-key", msg!("toml.unknown-key", key = name), hint);
    }
    let (message, hint) = if parser.contains("recursion limit") {
        (msg!("toml.too-deep"), msg!("toml.too-deep-hint"))
    } else if parser.starts_with("duplicate key") {
        let name = parser.split('`').nth(1).unwrap_or(key);
        (msg!("toml.duplicate", key = name), msg!("toml.duplicate-hint"))
    } else if parser.starts_with("expected newline") {
        match quote_inside(value) {
            Some((inside, fixed_escaped, fixed_single)) => {
                let escaped = format!("{key} = {fixed_escaped}");
                let hint = match fixed_single {
                    Some(single) => msg!("toml.quote-inside-hint", escaped, single = format!("{key} = {single}")),
                    None => msg!("toml.quote-inside-escape-hint", escaped),
                };
                (msg!("toml.quote-inside", key, quote = inside), hint)
            }
            None => {
                let after: String = line.get(col..).unwrap_or("").chars().take(20).collect();
                (msg!("toml.after-value", key, after = after.trim()), msg!("toml.after-value-hint"))
            }
        }
    } else if parser.starts_with("expected `.`, `=`") {
        let yaml = line.split_once(':').map(|(k, v)| (k.trim(), v.trim())).filter(|(k, _)| !k.contains(' '));
        match yaml {
            Some((k, v)) if !k.is_empty() => {
                let v = v.trim_matches('"');
                (msg!("toml.colon", key = k), msg!("toml.colon-hint", fixed = format!("{k} = \"{v}\"")))
            }
            _ => (msg!("toml.no-equals"), msg!("toml.syntax-hint")),
        }
    } else if parser.starts_with("invalid key") {
        (msg!("toml.no-key"), msg!("toml.syntax-hint"))
    } else if parser.starts_with("invalid basic string") || parser.starts_with("invalid literal string") {
        (msg!("toml.unclosed-text", key), msg!("toml.unclosed-text-hint"))
    } else if parser.starts_with("invalid multiline") {
        (msg!("toml.unclosed-multiline", key), msg!("toml.unclosed-multiline-hint"))
    } else if parser.starts_with("invalid string") {
        let word = value.to_lowercase();
        if matches!(word.as_str(), "true" | "false" | "yes" | "no" | "có" | "không") {
            let fixed = if matches!(word.as_str(), "true" | "yes" | "có") { "true" } else { "false" };
            (msg!("toml.bad-boolean", key, value), msg!("toml.bad-boolean-hint", fixed = format!("{key} = {fixed}")))
        } else {
            let fixed = format!("{key} = \"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""));
            (msg!("toml.unquoted", key), msg!("toml.unquoted-hint", fixed))
        }
    } else if parser.starts_with("invalid escape") {
        (msg!("toml.bad-escape", key), msg!("toml.bad-escape-hint"))
    } else if parser.starts_with("invalid array") {
        (msg!("toml.bad-list", key), msg!("toml.bad-list-hint"))
    } else if parser.starts_with("invalid inline table") {
        (msg!("toml.bad-inline-table", key), msg!("toml.bad-inline-table-hint"))
    } else if parser.starts_with("invalid table header") {
        (msg!("toml.bad-header"), msg!("toml.bad-header-hint"))
    } else if let Some(types) = parser.strip_prefix("invalid type: ") {
        (wrong_type(key, types), msg!("toml.wrong-type-hint"))
    } else if parser.starts_with("missing field") {
        let name = parser.split('`').nth(1).unwrap_or(key);
        (msg!("toml.missing-key", key = name), msg!("toml.missing-key-hint"))
    } else {
        (msg!("toml.other", detail = parser), msg!("toml.syntax-hint"))
    };
    let code = if parser.starts_with("duplicate key") { "duplicate-key" } else { "bad-toml" };
    (code, message, hint)
}

/// For a value like `"Bài "mới""`: the quote that closed it early, and the value fixed
/// twice, quotes escaped (`"Bài \"mới\""`) and in single quotes (`'Bài "mới"'`, unless the
/// text holds a `'`).
fn quote_inside(value: &str) -> Option<(String, String, Option<String>)> {
    let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let last = value.rfind(quote).filter(|&i| i > 0)?;
    let inside = &value[1..last];
    if !inside.contains(quote) {
        return None;
    }
    let text = if quote == '"' { inside.replace("\\\"", "\"") } else { inside.to_string() };
    let escaped = format!("\"{}\"", text.replace('"', "\\\""));
    let single = (!text.contains('\'')).then(|| format!("'{text}'"));
    Some((quote.to_string(), escaped, single))
}

/// `invalid type: string "mười", expected u32` in words.
pub(crate) fn wrong_type(key: &str, types: &str) -> String {
    let (found, expected) = types.split_once(", expected ").unwrap_or((types, ""));
    let expected = match expected.trim() {
        "u32" | "u64" | "i64" | "usize" | "u16" | "u8" | "i32" => msg!("toml.type-whole-number"),
        "a boolean" => msg!("toml.type-boolean"),
        "a string" => msg!("toml.type-text"),
        e if e.starts_with("a sequence") => msg!("toml.type-list"),
        e if e.starts_with("struct") || e.starts_with("a map") => msg!("toml.type-table"),
        other => other.to_string(),
    };
    let found = if let Some(text) = found.strip_prefix("string ") {
        msg!("toml.found-text", text)
    } else if let Some(number) = found.strip_prefix("integer ").or(found.strip_prefix("floating point ")) {
        msg!("toml.found-number", number = number.trim_matches('`'))
    } else if let Some(value) = found.strip_prefix("boolean ") {
        msg!("toml.found-boolean", value = value.trim_matches('`'))
    } else if found.starts_with("sequence") {
        msg!("toml.found-list")
    } else if found.starts_with("map") {
        msg!("toml.found-table")
    } else {
        found.to_string()
    };
    msg!("toml.wrong-type", key, expected, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnose(text: &str) -> Diagnostic {
        let e = toml::from_str::<toml::Table>(text).unwrap_err();
        toml_error("book.toml", text, 0, &e)
    }

    #[test]
    fn a_quote_inside_the_text_is_explained_with_the_line_fixed() {
        let d = diagnose("title = \"Bài \"mới\"\"\n");
        assert_eq!((d.line, d.col), (1, 15));
        assert_eq!(d.message, "the text of `title` ends at the second `\"`: a quote inside the text closes it early");
        assert_eq!(
            d.hint.as_deref(),
            Some("escape each quote inside the text as \\\": title = \"Bài \\\"mới\\\"\", or put the text in single quotes: title = 'Bài \"mới\"'")
        );
        let d = diagnose("title = 'Bài 'mới''\n");
        assert_eq!(d.hint.as_deref(), Some("escape each quote inside the text as \\\": title = \"Bài 'mới'\""));
    }

    #[test]
    fn other_mistakes_are_said_in_words() {
        let cases = [
            ("title = Mật khẩu\n", "the value of `title` is not in quotes"),
            ("draft = yes\n", "`draft` is yes: TOML writes true or false in small letters, without quotes"),
            ("title: \"x\"\n", "`title:` is written as in YAML, but this is TOML: write `=` after the key"),
            (
                "domains = [\"a\" \"b\"]\n",
                "the list of `domains` is not closed with `]`, or its items are not separated by commas",
            ),
            ("title = \"a\"\ntitle = \"b\"\n", "`title` is given twice"),
            ("title = \"a\" x\n", "unexpected text after the value of `title`: `x`"),
        ];
        for (text, message) in cases {
            assert_eq!(diagnose(text).message, message, "{text:?}");
        }
    }
}

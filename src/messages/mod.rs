//! Messages in the reader's language: every text the command line shows (diagnostics and
//! their hints, summaries, errors, `--help`) comes from one catalogue, `catalogue.toml`,
//! where each message has an id and its English and Vietnamese text side by side.
//!
//! Placeholders are named (`{file}`, `{kb}`) and filled by [`msg!`](crate::msg):
//! `msg!("front-matter.too-large", kb = size, limit = 64)`. The language is chosen once,
//! by the command line at start ([`set_language`]) from `--lang` or the locale
//! ([`Lang::from_env`]); library code and tests that never choose get English.
//!
//! Tests check that every message has both languages with the same placeholders, that
//! every id used in `src/` is in the catalogue and that every catalogue id is used.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::{LazyLock, OnceLock};

/// The languages messages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Vi,
}

impl Lang {
    /// A language named on the command line (`vi`, `en`; `vi_VN`… too).
    pub fn parse(name: &str) -> Option<Lang> {
        let name = name.to_ascii_lowercase();
        if name == "vi" || name.starts_with("vi_") || name.starts_with("vi-") || name.starts_with("vi.") {
            Some(Lang::Vi)
        } else if name == "en" || name.starts_with("en_") || name.starts_with("en-") || name.starts_with("en.") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of the locale, as POSIX reads it: the first of `LC_ALL`, `LC_MESSAGES`
    /// and `LANG` that is set and not empty decides; Vietnamese when it starts with `vi`,
    /// English otherwise (`C`, `POSIX`, `en_US.UTF-8`, unset).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].into_iter().find_map(|key| var(key).filter(|v| !v.is_empty()));
        match locale {
            Some(locale) if locale.starts_with("vi") => Lang::Vi,
            _ => Lang::En,
        }
    }
}

static LANGUAGE: OnceLock<Lang> = OnceLock::new();

/// Chooses the language of every message of this process; the first choice stays.
pub fn set_language(lang: Lang) {
    let _ = LANGUAGE.set(lang);
}

/// The language messages are written in: English unless the command line chose.
pub fn language() -> Lang {
    LANGUAGE.get().copied().unwrap_or(Lang::En)
}

/// `value` with `places` decimals as the language writes it: `0.42` in English, `0,42` in
/// Vietnamese.
pub fn decimal(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    match language() {
        Lang::En => text,
        Lang::Vi => text.replace('.', ","),
    }
}

/// One message of the catalogue, in both languages.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub en: String,
    pub vi: String,
}

impl Entry {
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Vi => &self.vi,
        }
    }
}

/// The catalogue's text, embedded in the binary.
pub const CATALOGUE_TOML: &str = include_str!("catalogue.toml");

/// Every message by id: `[section.name]` tables of the catalogue give the id
/// `section.name`.
pub fn catalogue() -> &'static HashMap<String, Entry> {
    static CATALOGUE: LazyLock<HashMap<String, Entry>> =
        LazyLock::new(|| parse(CATALOGUE_TOML).unwrap_or_else(|e| panic!("src/messages/catalogue.toml: {e}")));
    &CATALOGUE
}

/// Reads a catalogue: nested tables, each table holding `en` and `vi` an entry.
pub fn parse(text: &str) -> Result<HashMap<String, Entry>, String> {
    fn walk(prefix: &str, table: toml::Table, out: &mut HashMap<String, Entry>) -> Result<(), String> {
        if table.contains_key("en") || table.contains_key("vi") {
            let entry: Entry = toml::Value::Table(table).try_into().map_err(|e| format!("[{prefix}]: {e}"))?;
            out.insert(prefix.to_string(), entry);
            return Ok(());
        }
        for (key, value) in table {
            let id = if prefix.is_empty() { key } else { format!("{prefix}.{key}") };
            match value {
                toml::Value::Table(table) => walk(&id, table, out)?,
                _ => return Err(format!("`{id}` is not a message: give it `en` and `vi`")),
            }
        }
        Ok(())
    }
    let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut out = HashMap::new();
    walk("", table, &mut out)?;
    Ok(out)
}

/// The message `id` in the current language with its placeholders filled.
pub fn text(id: &str, args: &[(&str, &dyn Display)]) -> String {
    text_in(language(), id, args)
}

/// The message `id` in `lang` with its placeholders filled. An id missing from the
/// catalogue (a test forbids it) is shown as itself.
pub fn text_in(lang: Lang, id: &str, args: &[(&str, &dyn Display)]) -> String {
    let Some(entry) = catalogue().get(id) else {
        debug_assert!(false, "message `{id}` is not in src/messages/catalogue.toml");
        return id.to_string();
    };
    fill(entry.text(lang), args)
}

/// `template` with each `{name}` replaced by the argument of that name. Braces that do not
/// hold a name (`{ name = "…" }`) are text.
pub fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after.find('}').filter(|&end| is_name(&after[..end]));
        match name_len.and_then(|end| args.iter().find(|(n, _)| *n == &after[..end]).map(|(_, v)| (end, v))) {
            Some((end, value)) => {
                use std::fmt::Write;
                let _ = write!(out, "{value}");
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The placeholders of a message text, in order of first appearance.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}').filter(|&end| is_name(&after[..end])) {
            Some(end) => {
                if !names.contains(&&after[..end]) {
                    names.push(&after[..end]);
                }
                rest = &after[end + 1..];
            }
            None => rest = after,
        }
    }
    names
}

/// A message of the catalogue in the current language, placeholders filled by name:
/// `msg!("build.built", pages = n)`, or `msg!("site.missing-page", target)` for
/// `target = target`.
#[macro_export]
macro_rules! msg {
    (@value $name:ident) => { $name };
    (@value $name:ident $value:expr) => { $value };
    ($id:literal $(, $name:ident $(= $value:expr)?)* $(,)?) => {
        $crate::messages::text(
            $id,
            &[$((stringify!($name), &$crate::msg!(@value $name $($value)?) as &dyn ::std::fmt::Display)),*],
        )
    };
}

#[cfg(test)]
mod tests;

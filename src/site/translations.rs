//! Translations: which file translates which page, what it inherits from the original, and
//! whether the original changed since (`source_hash`).
//!
//! A translation sits next to its original with the language before `.md`
//! (`mat-khau-manh.blt.md`). It may leave out `domains`, `groups`, `level`, `duration`,
//! `weight` and `objectives`: those come from the original.

use crate::config::Config;
use crate::content::{PageKind, SourcePage};
use crate::diag::Diagnostic;
use crate::msg;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The hash a translation records of the original's body: the first 12 hex digits of the
/// SHA-256 of the NFC body with surrounding white space trimmed. Front matter edits of the
/// original (a typo in the summary) do not make translations stale.
pub fn source_hash(body: &str) -> String {
    Sha256::digest(body.trim().as_bytes()).iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// Pairs every translation with its original: `(key, language index) → translation`.
pub fn match_sources(
    config: &Config,
    originals: &[SourcePage],
    translated: Vec<SourcePage>,
) -> (HashMap<(usize, usize), SourcePage>, Vec<Diagnostic>) {
    let index: HashMap<(&PageKind, Option<&str>, &str), usize> =
        originals.iter().enumerate().map(|(k, p)| ((&p.kind, p.section.as_deref(), p.slug.as_str()), k)).collect();
    let mut matched = HashMap::new();
    let mut problems = Vec::new();
    for mut translation in translated {
        let lang = config.languages.iter().position(|l| l.id == translation.lang).unwrap_or(0);
        let Some(&key) = index.get(&(&translation.kind, translation.section.as_deref(), translation.slug.as_str()))
        else {
            problems.push(
                Diagnostic::warning(&translation.path, "orphan-translation", msg!("translations.orphan")).hint(msg!(
                    "translations.orphan-hint",
                    default = config.default_language,
                    lang = translation.lang
                )),
            );
            continue;
        };
        let original = &originals[key];
        inherit(&mut translation, original);
        if translation.front.source_hash.is_none() && original.kind == PageKind::Lesson {
            problems.push(
                Diagnostic::warning(&translation.path, "no-source-hash", msg!("translations.no-source-hash")).hint(
                    msg!(
                        "translations.no-source-hash-hint",
                        hash = source_hash(original.body()),
                        original = original.path.display()
                    ),
                ),
            );
        }
        matched.insert((key, lang), translation);
    }
    (matched, problems)
}

/// Fills what a translation leaves out from its original.
fn inherit(translation: &mut SourcePage, original: &SourcePage) {
    let (front, from) = (&mut translation.front, &original.front);
    if front.title.is_empty() {
        front.title = from.title.clone();
    }
    if front.domains.is_empty() {
        front.domains = from.domains.clone();
    }
    if front.groups.is_empty() {
        front.groups = from.groups.clone();
    }
    front.level = front.level.or(from.level);
    front.duration = front.duration.or(from.duration);
    if front.objectives.is_empty() {
        front.objectives = from.objectives.clone();
    }
    // order is the original's, so every language lists lessons alike
    front.weight = from.weight;
}

#[cfg(test)]
mod tests {
    use super::source_hash;

    #[test]
    fn source_hash_ignores_surrounding_space_only() {
        assert_eq!(source_hash("## Mật khẩu\n\nDài.\n"), source_hash("\n## Mật khẩu\n\nDài."));
        assert_ne!(source_hash("## Mật khẩu\n\nDài."), source_hash("## Mật khẩu\n\nNgắn."));
        assert_eq!(source_hash("x").len(), 12);
    }
}

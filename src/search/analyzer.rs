//! The one Vietnamese text analyzer behind every search index. The browser's copy in
//! `themes/default/static/search.js` (`analyze`) mirrors it rule for rule; a test runs both
//! on a shared table and compares.
//!
//! Rules, in order:
//! 1. NFC, then lowercase (Unicode default case mapping, as JavaScript's `toLowerCase`);
//! 2. words are runs of letters, digits and combining marks (`[\p{L}\p{N}\p{M}]+`);
//!    everything else separates; a Vietnamese word is a syllable; a word that folds to
//!    nothing (marks alone) is dropped;
//! 3. each word has two forms:
//!    - **exact**: the word with its tone mark moved to the end, so old and new tone
//!      placement agree (`hoà` and `hòa` → `hoa` + U+0300; `thuỷ`, `thủy` → `thuy` + U+0309),
//!      while vowel marks (ă â ê ô ơ ư) and `đ` stay;
//!    - **folded**: every diacritic removed and `đ` → `d` (`đường` → `duong`), which is
//!      what a learner types on a phone without Vietnamese input;
//! 4. Tai Viet script (U+AA80–U+AADF) is written with spaces between syllables, so the same
//!    word rule applies; its four tone marks (mai ek, mai nueng, mai tho, mai song) are moved
//!    to the end in the exact form and dropped in the folded form, the consonants and vowel
//!    signs stay.
//!
//! Phrases are matched through **pairs** of neighbouring folded words (`an toan`,
//! `toan thong`, `thong tin`), indexed beside the single words.

use regex::Regex;
use std::sync::{Arc, LazyLock};
use unicode_normalization::UnicodeNormalization;

/// One word of a text, with its byte range in the NFC text the analyzer was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Shared with every other occurrence of the same word (see [`words`]'s cache).
    pub exact: Arc<str>,
    pub folded: Arc<str>,
    /// Byte range in the NFC-normalised input.
    pub start: usize,
    pub end: usize,
}

static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\p{L}\p{N}\p{M}]+").expect("valid regex"));

/// Word as written → its (exact, folded) forms.
type FormCache = rustc_hash::FxHashMap<String, (Arc<str>, Arc<str>)>;

thread_local! {
    /// Word as written → (exact, folded): a language has a few thousand distinct syllables,
    /// so the Unicode work is done once per syllable, not once per occurrence.
    static FORMS: std::cell::RefCell<FormCache> = Default::default();
}

/// The five Vietnamese tone marks as combining characters (NFD).
const VIETNAMESE_TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
/// Tai Viet tone marks: mai ek, mai nueng, mai tho, mai song.
const TAI_VIET_TONES: [char; 4] = ['\u{AABF}', '\u{AAC0}', '\u{AAC1}', '\u{AAC2}'];

fn is_tone(c: char) -> bool {
    VIETNAMESE_TONES.contains(&c) || TAI_VIET_TONES.contains(&c)
}

/// Splits `text` into words. The text is NFC-normalised first; offsets refer to that form
/// (which is the text itself for content, since hoclieu normalises files when it reads them).
pub fn words(text: &str) -> Vec<Word> {
    let nfc: std::borrow::Cow<str> = if unicode_normalization::is_nfc(text) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfc().collect())
    };
    FORMS.with_borrow_mut(|forms| {
        if forms.len() > 200_000 {
            forms.clear();
        }
        WORD.find_iter(&nfc)
            .map(|m| {
                if !forms.contains_key(m.as_str()) {
                    let lower = m.as_str().to_lowercase();
                    forms.insert(m.as_str().to_string(), (exact(&lower).into(), fold(&lower).into()));
                }
                let (exact, folded) = &forms[m.as_str()];
                Word { exact: exact.clone(), folded: folded.clone(), start: m.start(), end: m.end() }
            })
            // a run of marks alone (a stray accent, a Tai Viet tone letter) folds to nothing
            .filter(|w| !w.folded.is_empty())
            .collect()
    })
}

/// The exact form of one lowercase word: tone mark moved to the end.
pub fn exact(word: &str) -> String {
    let mut tone = None;
    let mut rest = String::with_capacity(word.len());
    for c in word.nfd() {
        if is_tone(c) {
            tone = Some(c);
        } else {
            rest.push(c);
        }
    }
    let mut out: String = rest.nfc().collect();
    out.extend(tone);
    out
}

/// The folded form of one lowercase word: no diacritics, `đ` → `d`.
pub fn fold(word: &str) -> String {
    word.nfd()
        .filter(|&c| !('\u{300}'..='\u{36f}').contains(&c) && !TAI_VIET_TONES.contains(&c))
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect::<String>()
        .nfc()
        .collect()
}

/// The pair term of two neighbouring words, for phrase matching.
pub fn pair(first: &Word, second: &Word) -> String {
    format!("{} {}", first.folded, second.folded)
}

/// Whether the word carries any diacritic (so an exact match means more than a folded one).
pub fn has_marks(word: &Word) -> bool {
    word.exact != word.folded
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn forms(text: &str) -> Vec<(String, String)> {
        words(text).into_iter().map(|w| (w.exact.to_string(), w.folded.to_string())).collect()
    }

    #[test]
    fn folds_tones_vowel_marks_and_d_bar() {
        assert_eq!(forms("Đường")[0].1, "duong");
        assert_eq!(forms("DỊCH VỤ CÔNG").iter().map(|f| f.1.as_str()).collect::<Vec<_>>(), ["dich", "vu", "cong"]);
        assert_eq!(forms("đường")[0].0, "đương\u{300}");
        assert_eq!(forms("dương")[0].0, "dương");
    }

    #[test]
    fn old_and_new_tone_placement_agree() {
        assert_eq!(forms("hoà"), forms("hòa"));
        assert_eq!(forms("thuỷ"), forms("thủy"));
        assert_eq!(forms("khoẻ"), forms("khỏe"));
        assert_ne!(forms("hoà")[0].0, forms("hoa")[0].0);
    }

    #[test]
    fn splits_on_everything_but_letters_digits_and_marks() {
        let w = words("An toàn, thông-tin (2FA)!");
        let texts: Vec<&str> = w.iter().map(|w| &*w.folded).collect();
        assert_eq!(texts, ["an", "toan", "thong", "tin", "2fa"]);
        assert_eq!(&"An toàn, thông-tin (2FA)!"[w[1].start..w[1].end], "toàn");
    }

    #[test]
    fn tai_viet_tone_marks_move_or_fold() {
        // ꪼꪒ꪿ : a syllable with mai ek
        let w = &words("ꪀꪱ꪿ ꪀꪱ")[..];
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].folded, w[1].folded);
        assert_ne!(w[0].exact, w[1].exact);
        assert!(w[0].exact.ends_with('\u{AABF}'));
    }

    proptest! {
        #[test]
        fn nfc_and_nfd_input_give_the_same_words(text in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐ\u{300}\u{301}\u{303}\u{309}\u{323}\u{302}\u{306}\u{31b}\u{aa80}-\u{aadf} ,.0-9]{0,40}") {
            let nfd: String = text.nfd().collect();
            let a: Vec<_> = words(&text).into_iter().map(|w| (w.exact.to_string(), w.folded.to_string())).collect();
            let b: Vec<_> = words(&nfd).into_iter().map(|w| (w.exact.to_string(), w.folded.to_string())).collect();
            prop_assert_eq!(a, b);
        }

        #[test]
        fn folding_is_idempotent(text in "\\PC{0,30}") {
            for w in words(&text) {
                prop_assert_eq!(fold(&w.folded), w.folded.to_string());
                prop_assert_eq!(exact(&w.exact), w.exact.to_string());
            }
        }
    }
}

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

/// The word rule as the browser writes it; [`spans`] answers the same per character.
const WORD_CLASS: &str = r"^[\p{L}\p{N}\p{M}]$";

/// Which characters of the Basic Multilingual Plane are word characters, one bit each
/// (8 KB, computed once from [`WORD_CLASS`]): scanning by table is several times faster than
/// a regex search per word, and exactly as the regex decides.
static WORD_BMP: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut bits = vec![0u64; 0x10000 / 64];
    let mut buffer = [0u8; 4];
    for code in 0..0x10000u32 {
        if let Some(c) = char::from_u32(code) {
            if c.is_ascii() {
                if c.is_ascii_alphanumeric() {
                    bits[code as usize / 64] |= 1 << (code % 64);
                }
            } else if WORD_CHAR.is_match(c.encode_utf8(&mut buffer)) {
                bits[code as usize / 64] |= 1 << (code % 64);
            }
        }
    }
    bits
});
static WORD_CHAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(WORD_CLASS).expect("valid regex"));

/// Whether `c` is a letter, a digit or a combining mark.
fn is_word_char(c: char) -> bool {
    let code = c as u32;
    if code < 0x80 {
        c.is_ascii_alphanumeric()
    } else if code < 0x10000 {
        WORD_BMP[code as usize / 64] & (1 << (code % 64)) != 0
    } else {
        WORD_CHAR.is_match(c.encode_utf8(&mut [0u8; 4]))
    }
}

/// Byte ranges of the runs of word characters in `text` (rule 2, before dropping words
/// that fold to nothing).
pub fn spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let start = loop {
            let (i, c) = chars.next()?;
            if is_word_char(c) {
                break i;
            }
        };
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !is_word_char(c) {
                end = i;
                break;
            }
            chars.next();
        }
        Some((start, end))
    })
}

/// The (exact, folded) forms of one word as written, or `None` when it folds to nothing
/// (marks alone: a stray accent, a Tai Viet tone letter).
pub fn forms(written: &str) -> Option<(String, String)> {
    let lower = written.to_lowercase();
    let folded = fold(&lower);
    (!folded.is_empty()).then(|| (exact(&lower), folded))
}

/// Word as written → its (exact, folded) forms; `None` for words that fold to nothing.
type FormCache = rustc_hash::FxHashMap<String, Option<(Arc<str>, Arc<str>)>>;

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

/// `text` in NFC (borrowed when it already is, as content is: files are normalised on
/// reading).
pub fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    if unicode_normalization::is_nfc(text) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.nfc().collect())
    }
}

/// Splits `text` into words. The text is NFC-normalised first; offsets refer to that form
/// (which is the text itself for content, since hoclieu normalises files when it reads them).
pub fn words(text: &str) -> Vec<Word> {
    let nfc = nfc(text);
    FORMS.with_borrow_mut(|cache| {
        if cache.len() > 200_000 {
            cache.clear();
        }
        spans(&nfc)
            .filter_map(|(start, end)| {
                let written = &nfc[start..end];
                if !cache.contains_key(written) {
                    let shared = forms(written).map(|(exact, folded)| (exact.into(), folded.into()));
                    cache.insert(written.to_string(), shared);
                }
                let (exact, folded) = cache[written].as_ref()?;
                Some(Word { exact: exact.clone(), folded: folded.clone(), start, end })
            })
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
        fn spans_are_the_word_regex_matches(text in "\\PC{0,40}|[a-zA-Z0-9 ,.\u{300}-\u{36f}\u{aa80}-\u{aadf}\u{2460}-\u{24ff}\u{1d400}-\u{1d4ff}]{0,40}") {
            let regex = Regex::new(r"[\p{L}\p{N}\p{M}]+").unwrap();
            let expected: Vec<(usize, usize)> = regex.find_iter(&text).map(|m| (m.start(), m.end())).collect();
            prop_assert_eq!(spans(&text).collect::<Vec<_>>(), expected);
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

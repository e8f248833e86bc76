//! The ranking of search results, one rule for both searches: `hoclieu search` (and the
//! server) runs it here over the same postings the browser's shards hold
//! ([`super::browser::postings`]); the browser's copy is `rank` in
//! `themes/default/static/search.js`. A shared table of ranking cases
//! (`tests/fixtures/search/ranking-cases.toml`) is run against both.
//!
//! Documents are ordered by, in turn (more first, unless said):
//! 1. **coverage**: query words present, plus query pairs (two neighbouring query words,
//!    folded) found side by side, plus once more the pairs found in the title or a heading;
//!    so the words adjacent and in order outweigh the same words scattered, and a phrase in
//!    a title or heading outweighs it in the body. (Pairs in titles or headings first, before
//!    anything else, let one chance pair such as `dụ: Hợp` in a heading beat a lesson holding
//!    all of `tắt tiếng người dự họp`.)
//! 2. **exact forms**: query words present as typed: with their diacritics (`vùi`), or
//!    written without any when typed without (`vui`);
//! 3. **score**: the sum of the BM25 scores of the words and exact forms, pairs twice;
//! 4. **document id** (page order), fewer first: a stable key, so equal documents always
//!    come in the same order.
//!
//! A query word that matches nothing gets a suggestion (`Có phải bạn muốn tìm …`): the most
//! common folded word of the index one edit away (a letter added, removed, replaced, or two
//! neighbours swapped), see [`suggest`].

use super::analyzer::Word;

/// One document's standing for a query: what [`rank`] sorts by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub id: u32,
    /// Query pairs in the title or a heading.
    pub strong: u32,
    /// Query words plus query pairs present.
    pub coverage: u32,
    /// Query words present as typed.
    pub exact: u32,
    /// Twice the browser's score (its weights are 1 and 2, and ½ for completions).
    pub score: u64,
}

/// Ranks the documents holding any query word, best first. `postings(term)` gives a
/// term's postings `(document id, value)` (see [`super::browser`]), `None` when the index
/// does not have it.
pub fn rank<'a>(words: &[Word], postings: impl Fn(&str) -> Option<&'a [(u32, u32)]>) -> Vec<Ranked> {
    struct Tally {
        words: Vec<bool>,
        pairs: Vec<bool>,
        strong: Vec<bool>,
        exact: Vec<bool>,
        score: u64,
    }
    let n = words.len();
    let mut docs: std::collections::BTreeMap<u32, Tally> = std::collections::BTreeMap::new();
    fn tally(docs: &mut std::collections::BTreeMap<u32, Tally>, id: u32, n: usize) -> &mut Tally {
        docs.entry(id).or_insert_with(|| Tally {
            words: vec![false; n],
            pairs: vec![false; n],
            strong: vec![false; n],
            exact: vec![false; n],
            score: 0,
        })
    }
    for (i, word) in words.iter().enumerate() {
        let toneless = word.exact == word.folded;
        for &(id, value) in postings(&word.folded).unwrap_or_default() {
            let t = tally(&mut docs, id, n);
            t.words[i] = true;
            t.exact[i] |= toneless && value & 1 == 1;
            t.score += u64::from(value >> 1) * 2;
        }
        if !toneless {
            for &(id, value) in postings(&word.exact).unwrap_or_default() {
                let t = tally(&mut docs, id, n);
                t.exact[i] = true;
                t.score += u64::from(value >> 1) * 2;
            }
        }
        if let Some(next) = words.get(i + 1) {
            for &(id, value) in postings(&format!("{} {}", word.folded, next.folded)).unwrap_or_default() {
                let t = tally(&mut docs, id, n);
                t.pairs[i] = true;
                t.strong[i] |= value & 1 == 1;
                t.score += u64::from(value >> 1) * 4;
            }
        }
    }
    let count = |flags: &[bool]| flags.iter().filter(|&&f| f).count() as u32;
    let mut ranked: Vec<Ranked> = docs
        .into_iter()
        .map(|(id, t)| Ranked {
            id,
            strong: count(&t.strong),
            coverage: count(&t.words) + count(&t.pairs),
            exact: count(&t.exact),
            score: t.score,
        })
        .collect();
    ranked.sort_by(|a, b| {
        (b.coverage + b.strong, b.exact, b.score).cmp(&(a.coverage + a.strong, a.exact, a.score)).then(a.id.cmp(&b.id))
    });
    ranked
}

/// Whether `a` and `b` (folded words) are one edit apart: a character added, removed or
/// replaced, or two neighbouring characters swapped.
pub fn one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    let start = short.iter().zip(long.iter()).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        0 => {
            if start == short.len() {
                return false; // the same word
            }
            short[start + 1..] == long[start + 1..]
                || (start + 1 < short.len()
                    && short[start] == long[start + 1]
                    && short[start + 1] == long[start]
                    && short[start + 2..] == long[start + 2..])
        }
        1 => short[start..] == long[start + 1..],
        _ => false,
    }
}

/// "Did you mean": the query with each word that the index does not have (`known` says
/// which folded words it has) replaced by the first word of `vocabulary` (most common
/// first) one edit away from its folded form; `None` when no word was replaced. Words of
/// one letter are left alone: too many words are one edit away.
pub fn suggest<'a>(
    text: &str,
    words: &[Word],
    known: impl Fn(&str) -> bool,
    vocabulary: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<String> {
    let nfc = super::analyzer::nfc(text);
    let mut replaced = false;
    let out: Vec<String> = words
        .iter()
        .map(|w| {
            if !known(&w.folded) && w.folded.chars().count() > 1 {
                if let Some(near) = vocabulary.clone().into_iter().find(|v| one_edit(v, &w.folded)) {
                    replaced = true;
                    return near.to_string();
                }
            }
            nfc[w.start..w.end].to_lowercase()
        })
        .collect();
    replaced.then(|| out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::analyzer::words;

    #[test]
    fn one_edit_is_one_letter_added_removed_replaced_or_swapped() {
        for (a, b) in [("khau", "khu"), ("khau", "khaau"), ("khau", "kkau"), ("khau", "khua"), ("an", "anh")] {
            assert!(one_edit(a, b) && one_edit(b, a), "{a} {b}");
        }
        for (a, b) in [("khau", "khau"), ("khau", "kh"), ("khau", "hkua"), ("abcd", "acbe"), ("an", "nam")] {
            assert!(!one_edit(a, b), "{a} {b}");
        }
    }

    #[test]
    fn suggestions_replace_only_unknown_words_by_the_most_common_neighbour() {
        let vocabulary = ["mat", "khau", "kheu", "manh"];
        let known = |w: &str| vocabulary.contains(&w);
        let q = "Mật khua x";
        assert_eq!(suggest(q, &words(q), known, vocabulary).as_deref(), Some("mật khau x"));
        assert_eq!(suggest("mat khau", &words("mat khau"), known, vocabulary), None);
        assert_eq!(suggest("zzzz", &words("zzzz"), known, vocabulary), None);
    }

    #[test]
    fn ties_are_broken_by_document_id() {
        let list: Vec<(u32, u32)> = vec![(3, 20), (1, 20), (2, 20)];
        let q = words("an");
        let ranked = rank(&q, |t| (t == "an").then_some(list.as_slice()));
        assert_eq!(ranked.iter().map(|r| r.id).collect::<Vec<_>>(), [1, 2, 3]);
    }
}

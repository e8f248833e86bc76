//! The static search index the browser reads: per language, under `search/<lang>/`,
//!
//! - `meta.js`: how many documents, the first term of every shard (terms are sorted by
//!   [`shard_order`], so a term's shard is found by binary search), the size of document
//!   chunks;
//! - `s<i>.js`: a shard of terms, each with its postings: document ids (delta-coded) and a
//!   value, twice the precomputed BM25 score ×10 plus a flag, best documents only
//!   ([`MAX_POSTINGS`]). The flag of a folded word says the document has the word written
//!   without any diacritic (so `vui` prefers `vui` to `vùi`); the flag of a pair says the
//!   pair is in the title or a heading (phrase matches there rank first, see [`super::rank`]);
//! - `v.js`: the folded words of the index, most common first, loaded only when a query word
//!   matches nothing, for the "did you mean" suggestion ([`super::rank::suggest`]);
//! - `d<j>.js`: a chunk of [`CHUNK`] documents: title, path, course, summary, groups and
//!   domains (for filters).
//!
//! Every file is a script that calls `hoclieuSearch.add(...)`, so it loads with a `<script>`
//! tag from `file://` as well as over HTTP (`fetch` of local files is blocked in browsers).
//! Terms are the analyzer's folded words, exact words where they differ, and pairs of
//! neighbouring folded words (for phrases).

pub use super::postings::{postings, Postings, TalliesCache, MAX_POSTINGS, MAX_POSTINGS_PER_FILTER};
use super::{analyzer, Document};
use crate::output::{Contents, OutputFile};
use crate::site::Site;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use serde_json::{json, Value};
use std::fmt::Write;

/// Documents per metadata chunk: small, so ten results cost a few small files (ten results
/// are spread over most chunks of 16: 8.5 KB a query on the shipped curriculum, 5 KB with 4).
pub const CHUNK: usize = 4;
/// A shard is closed when its script passes this many bytes (about 1.5 KB compressed): a
/// query loads about one shard a word, so bytes per query follow this size (12 KB shards
/// cost 2.5 times as much on the shipped curriculum; the list of shards in `meta.js` grows).
const SHARD_BYTES: usize = 4 * 1024;
/// Terms made into shard text at once (see [`files`]): enough for both cores to share.
const TERMS_AT_ONCE: usize = 16 * 1024;
/// A script's JSON made safe for old JavaScript engines, where U+2028 and U+2029 end a
/// line inside a string literal (JSON allows them raw).
fn js_safe(json: String) -> String {
    if json.contains(['\u{2028}', '\u{2029}']) {
        json.replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029")
    } else {
        json
    }
}

/// Sort order shared with the browser: UTF-16 code units, as JavaScript compares strings.
/// Decided by the first character that differs: UTF-8 bytes sort as code points, which is
/// the UTF-16 order but between a character above U+FFFF (a surrogate pair, from 0xD800)
/// and one from U+E000 to U+FFFF, so only that character is compared as UTF-16.
pub(super) fn js_order(a: &str, b: &str) -> std::cmp::Ordering {
    let same = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    // the start of the character that differs (the same in both: the bytes before agree)
    let start = (0..=same).rev().find(|&i| a.is_char_boundary(i)).unwrap_or(0);
    match (a[start..].chars().next(), b[start..].chars().next()) {
        (Some(x), Some(y)) => {
            let unit = |c: char| match c as u32 {
                code @ 0..0x10000 => code,
                code => 0xD800 + ((code - 0x10000) >> 10),
            };
            unit(x).cmp(&unit(y)).then((x as u32).cmp(&(y as u32)))
        }
        _ => a.len().cmp(&b.len()),
    }
}

/// The order of terms in the shards (`shardKey` in search.js): by folded form, then as
/// JavaScript compares strings. A word's exact forms and the pairs it starts sort right
/// after it (`mat`, `mâṭ`, `mat khau`), so a query word costs one shard, not two (by plain
/// string order `mâṭ` sorts after every `m` followed by a letter without marks).
pub fn shard_order(a: &str, b: &str) -> std::cmp::Ordering {
    js_order(&analyzer::fold(a), &analyzer::fold(b)).then_with(|| js_order(a, b))
}

/// The index files of every language, built in parallel.
pub fn site(site: &Site) -> Vec<OutputFile> {
    let documents: Vec<Vec<Document>> =
        (0..site.config.languages.len()).into_par_iter().map(|lang| super::documents(site, lang)).collect();
    languages(site, &documents, &(0..documents.len()).collect::<Vec<_>>(), None)
}

/// The index files of the languages `which` (indexes into `config.languages`), from every
/// language's documents: a translation's index names the default-language documents it
/// translates, so the browser leaves them out of the Vietnamese results it adds. With a
/// `cache`, each language's postings are made from the tallies it kept where it can
/// ([`super::postings::postings_cached`]).
pub fn languages(
    site: &Site,
    documents: &[Vec<Document>],
    which: &[usize],
    cache: Option<&TalliesCache>,
) -> Vec<OutputFile> {
    which
        .par_iter()
        .flat_map_iter(|&lang| {
            let of = if lang == 0 { Vec::new() } else { translated(&documents[0], &documents[lang]) };
            let id = site.config.languages[lang].id.as_str();
            let docs = &documents[lang];
            let postings = match cache {
                Some(cache) => super::postings::postings_cached(docs, id, cache),
                None => postings(docs),
            };
            files(id, docs, &of, postings)
        })
        .collect()
}

/// A term and its postings as a shard holds them: `"term":[id,value,…]`, ids delta-coded.
fn entry(term: String, scored: &[(u32, u32)]) -> (String, String) {
    let mut entry = String::with_capacity(16 + scored.len() * 6);
    entry.push_str(&js_safe(json!(term).to_string()));
    entry.push_str(":[");
    let mut previous = 0;
    for (i, (id, score)) in scored.iter().enumerate() {
        if i > 0 {
            entry.push(',');
        }
        let _ = write!(entry, "{},{score}", id - previous);
        previous = *id;
    }
    entry.push(']');
    (term, entry)
}

/// The ids, in the default language's index, of the documents `docs` translate, in order.
pub fn translated(originals: &[Document], docs: &[Document]) -> Vec<u32> {
    let id_of: HashMap<usize, u32> = originals.iter().enumerate().map(|(id, d)| (d.key, id as u32)).collect();
    let mut ids: Vec<u32> = docs.iter().filter_map(|d| id_of.get(&d.key).copied()).collect();
    ids.sort_unstable();
    ids
}

/// The index files of one language, paths relative to the output folder, with the
/// `postings` of its documents `docs`. `of`: the default-language documents this language
/// translates (empty for the default language).
pub fn files(lang: &str, docs: &[Document], of: &[u32], postings: Postings) -> Vec<OutputFile> {
    let dir = format!("search/{lang}");
    let mut out = Vec::new();
    let mut firsts: Vec<String> = Vec::new();
    let mut shard = String::new();
    let flush = |shard: &mut String, out: &mut Vec<OutputFile>, index: usize| {
        let script = format!("hoclieuSearch.add({},\"s\",{index},{{{}}})\n", json!(lang), shard);
        out.push(OutputFile { path: format!("{dir}/s{index}.js"), contents: Contents::Bytes(script.into_bytes()) });
        shard.clear();
    };
    let vocabulary = js_safe(json!(postings.vocabulary()).to_string());
    let script = format!("hoclieuSearch.add({},\"v\",0,{vocabulary})\n", json!(lang));
    out.push(OutputFile { path: format!("{dir}/v.js"), contents: Contents::Bytes(script.into_bytes()) });
    // each term as `"term":[postings]`, made in parallel a slice of terms at a time, so
    // that a slice's postings are freed as its shards fill (every term at once held the
    // postings and their text together: 60 MB of shards at 30 000 lessons)
    let mut terms = postings.terms.into_iter();
    loop {
        let slice: Vec<(String, Vec<(u32, u32)>)> = terms.by_ref().take(TERMS_AT_ONCE).collect();
        if slice.is_empty() {
            break;
        }
        let entries: Vec<(String, String)> = slice.into_par_iter().map(|(term, scored)| entry(term, &scored)).collect();
        for (term, entry) in entries {
            if shard.is_empty() {
                firsts.push(term);
            } else if shard.len() + entry.len() > SHARD_BYTES {
                flush(&mut shard, &mut out, firsts.len() - 1);
                firsts.push(term);
            } else {
                shard.push(',');
            }
            shard.push_str(&entry);
        }
    }
    if !shard.is_empty() {
        flush(&mut shard, &mut out, firsts.len() - 1);
    }
    for (index, chunk) in docs.chunks(CHUNK).enumerate() {
        let rows: Vec<Value> =
            chunk.iter().map(|d| json!([d.title, d.path, d.crumb, d.summary, d.groups, d.domains])).collect();
        let rows = js_safe(Value::Array(rows).to_string());
        let script = format!("hoclieuSearch.add({},\"d\",{index},{rows})\n", json!(lang));
        out.push(OutputFile { path: format!("{dir}/d{index}.js"), contents: Contents::Bytes(script.into_bytes()) });
    }
    // groups and domains of each document as two bit masks, for filters: loaded only when
    // a filter is chosen (ids past 30 are not filterable in the browser)
    let mask = |ids: &[usize]| ids.iter().filter(|&&i| i < 31).fold(0u32, |m, &i| m | 1 << i);
    let masks: Vec<u32> = docs.iter().flat_map(|d| [mask(&d.groups), mask(&d.domains)]).collect();
    let script = format!("hoclieuSearch.add({},\"f\",0,{})\n", json!(lang), json!(masks));
    out.push(OutputFile { path: format!("{dir}/f.js"), contents: Contents::Bytes(script.into_bytes()) });
    let firsts = js_safe(json!(firsts).to_string());
    let mut meta = format!("{{\"docs\":{},\"chunk\":{CHUNK},\"shards\":{firsts}", docs.len());
    if !of.is_empty() {
        // delta-coded: a fully translated language is a run of 1s, a few bytes compressed
        let deltas: Vec<u32> = of.iter().scan(0, |previous, &id| Some(id - std::mem::replace(previous, id))).collect();
        meta.push_str(&format!(",\"of\":{}", json!(deltas)));
    }
    meta.push('}');
    let script = format!("hoclieuSearch.add({},\"meta\",0,{meta})\n", json!(lang));
    out.push(OutputFile { path: format!("{dir}/meta.js"), contents: Contents::Bytes(script.into_bytes()) });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, body: &str) -> Document {
        Document {
            key: 0,
            title: title.into(),
            path: "a/b/".into(),
            crumb: String::new(),
            summary: String::new(),
            headings: String::new(),
            body: body.into(),
            groups: vec![],
            domains: vec![],
        }
    }

    fn text(file: &OutputFile) -> &str {
        match &file.contents {
            Contents::Bytes(b) => std::str::from_utf8(b).unwrap(),
            Contents::Copy(_) => panic!("bytes expected"),
        }
    }

    #[test]
    fn shards_hold_folded_exact_and_pair_terms_in_order() {
        let docs = [doc("Mật khẩu mạnh", "Đặt mật khẩu dài trên đường."), doc("Đường đi", "dương")];
        let files = files("vi", &docs, &[], postings(&docs));
        let meta = files.iter().find(|f| f.path == "search/vi/meta.js").unwrap();
        assert!(text(meta).contains("\"docs\":2"), "{}", text(meta));
        let shard = text(files.iter().find(|f| f.path == "search/vi/s0.js").unwrap());
        for term in ["\"mat\":", "\"mat khau\":", "\"duong\":", "\"đương\u{300}\":", "\"dương\":"] {
            assert!(shard.contains(term), "{term} missing in {shard}");
        }
        // "duong" is in both documents: ids 0 and 1, delta-coded as 0 and 1
        let postings = shard.split("\"duong\":[").nth(1).unwrap().split(']').next().unwrap();
        let numbers: Vec<u32> = postings.split(',').map(|n| n.parse().unwrap()).collect();
        assert_eq!(numbers.len(), 4);
        assert_eq!((numbers[0], numbers[2]), (0, 1), "ids 0 and 1: {postings}");
        // the title weighs more than the body: document 1 scores higher
        assert!(numbers[3] > numbers[1], "{postings}");
    }

    proptest::proptest! {
        /// Comparing the first character that differs sorts as comparing all UTF-16 code
        /// units (the strings mix characters below U+E000, from U+E000 to U+FFFF, and above).
        #[test]
        fn js_order_is_the_order_of_utf16_code_units(
            a in "[a-zđ\u{300}\u{e000}-\u{e002}\u{fffd}\u{ff21}\u{10000}-\u{10002}\u{1f600}]{0,6}",
            b in "[a-zđ\u{300}\u{e000}-\u{e002}\u{fffd}\u{ff21}\u{10000}-\u{10002}\u{1f600}]{0,6}",
        ) {
            proptest::prop_assert_eq!(js_order(&a, &b), a.encode_utf16().cmp(b.encode_utf16()));
            let longer = format!("{a}{b}");
            proptest::prop_assert_eq!(js_order(&a, &longer), a.encode_utf16().cmp(longer.encode_utf16()));
        }
    }

    #[test]
    fn a_word_its_exact_forms_and_its_pairs_share_a_place_in_the_order() {
        let exact = analyzer::exact("mật");
        let mut terms = vec!["mau", "mat khau", exact.as_str(), "matt", "mat", "mb"];
        terms.sort_by(|a, b| shard_order(a, b));
        assert_eq!(terms, ["mat", exact.as_str(), "mat khau", "matt", "mau", "mb"]);
        // by plain string order the exact form comes after every `m` + letter
        terms.sort_by(|a, b| js_order(a, b));
        assert_eq!(terms.last(), Some(&exact.as_str()));
    }

    #[test]
    fn big_vocabularies_split_into_shards_found_by_their_first_term() {
        let body: String = (0..3000).map(|i| format!("từ{i} ")).collect();
        let docs = [doc("x", &body)];
        let files = files("vi", &docs, &[], postings(&docs));
        let shards = files.iter().filter(|f| f.path.contains("/s")).count();
        assert!(shards > 3, "{shards} shards");
        for f in files.iter().filter(|f| f.path.contains("/s")) {
            assert!(text(f).len() < SHARD_BYTES + 1024, "{} is {} bytes", f.path, text(f).len());
        }
    }
}

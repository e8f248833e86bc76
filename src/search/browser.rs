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

use super::{analyzer, weighted_fields, Document};
use crate::output::{Contents, OutputFile};
use crate::site::Site;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use serde_json::{json, Value};

/// Documents per metadata chunk: small, so ten results cost a few small files (ten results
/// are spread over most chunks of 16: 8.5 KB a query on the shipped curriculum, 5 KB with 4).
pub const CHUNK: usize = 4;
/// Postings kept per term: the best-scoring documents. A query needs the top few results;
/// a common word in 10 000 lessons would otherwise weigh tens of KB.
pub const MAX_POSTINGS: usize = 100;
/// Also kept per term: the best documents of each target group and of each domain, so a
/// search filtered by group or domain still finds that many.
pub const MAX_POSTINGS_PER_FILTER: usize = 10;
/// A shard is closed when its script passes this many bytes (about 1.5 KB compressed): a
/// query loads about one shard a word, so bytes per query follow this size (12 KB shards
/// cost 2.5 times as much on the shipped curriculum; the list of shards in `meta.js` grows).
const SHARD_BYTES: usize = 4 * 1024;
const K1: f32 = 1.2;
const B: f32 = 0.75;

const FIELDS: usize = 4;
/// Occurrences of a term in each field of one document (saturating: BM25 flattens out long
/// before 65 535). Small, because there is one per term per document.
type FieldCounts = [u16; FIELDS];
/// Words in each field of one document.
type FieldLengths = [f32; FIELDS];

/// One document's occurrences of a term: its number, counts per field, and the flag (see
/// the module's description).
type Posting = (u32, FieldCounts, bool);

/// Term → frequency per field of each document containing it, and field lengths: BM25 is
/// computed per field and summed with the fields' weights, as tantivy does, so a word in a
/// short title counts for more than the same word once in a long body.
struct Counts {
    terms: Vec<(String, Vec<Posting>)>,
    lengths: Vec<FieldLengths>,
}

/// Counts the terms of a run of documents. Every term gets a number the first time it is
/// seen, so the work per word is one hash lookup of the word as written (which gives the
/// numbers of its folded and exact forms) and one of the pair of numbers for the pair term;
/// strings are made only for new terms. A term's postings grow in document order, so the
/// last one is the current document's when the term was already seen in it.
#[derive(Default)]
struct Counter {
    /// Term → its number.
    ids: HashMap<String, u32>,
    /// Number → term, and its postings.
    terms: Vec<(String, Vec<Posting>)>,
    /// Word as written → numbers of its folded form and of its exact form when that differs;
    /// `None` for words that fold to nothing.
    written: HashMap<String, Option<(u32, Option<u32>)>>,
    /// (folded, folded) numbers of two neighbouring words → number of their pair term.
    pairs: HashMap<u64, u32>,
    lengths: Vec<FieldLengths>,
}

impl Counter {
    fn id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.terms.push((term.to_string(), Vec::new()));
        self.ids.insert(term.to_string(), id);
        id
    }

    /// The numbers of a written word's forms, made on its first occurrence.
    fn word(&mut self, written: &str) -> Option<(u32, Option<u32>)> {
        if let Some(&known) = self.written.get(written) {
            return known;
        }
        let ids = analyzer::forms(written).map(|(exact, folded)| {
            let folded_id = self.id(&folded);
            (folded_id, (exact != folded).then(|| self.id(&exact)))
        });
        self.written.insert(written.to_string(), ids);
        ids
    }

    fn pair(&mut self, first: u32, second: u32) -> u32 {
        let key = u64::from(first) << 32 | u64::from(second);
        if let Some(&id) = self.pairs.get(&key) {
            return id;
        }
        let term = format!("{} {}", self.terms[first as usize].0, self.terms[second as usize].0);
        let id = self.id(&term);
        self.pairs.insert(key, id);
        id
    }

    fn add(&mut self, term: u32, doc: u32, field: usize, flag: bool) {
        let postings = &mut self.terms[term as usize].1;
        match postings.last_mut() {
            Some((last, counts, flagged)) if *last == doc => {
                counts[field] = counts[field].saturating_add(1);
                *flagged |= flag;
            }
            _ => {
                let mut counts = FieldCounts::default();
                counts[field] = 1;
                postings.push((doc, counts, flag));
            }
        }
    }

    /// Adds document number `doc`: its folded words, exact words where they differ, and
    /// pairs of neighbouring folded words within a line.
    fn document(&mut self, doc: u32, fields: [(&str, f32); FIELDS]) {
        let mut length = [0.0; FIELDS];
        // document texts are NFC already (see `Document`)
        for (field, (text, _)) in fields.into_iter().enumerate() {
            for line in text.lines() {
                let mut previous = None;
                for (start, end) in analyzer::spans(line) {
                    let Some((folded, exact)) = self.word(&line[start..end]) else { continue };
                    length[field] += 1.0;
                    // flagged: written without diacritics
                    self.add(folded, doc, field, exact.is_none());
                    if let Some(exact) = exact {
                        self.add(exact, doc, field, false);
                    }
                    if let Some(previous) = previous {
                        let pair = self.pair(previous, folded);
                        // flagged: in the title or a heading
                        self.add(pair, doc, field, field < 2);
                    }
                    previous = Some(folded);
                }
            }
        }
        self.lengths.push(length);
    }

    /// The counts of `more`, whose documents all come after this one's.
    fn append(mut self, more: Counter) -> Counter {
        for (term, mut postings) in more.terms {
            let id = self.id(&term);
            self.terms[id as usize].1.append(&mut postings);
        }
        self.lengths.extend(more.lengths);
        self
    }
}

fn count(docs: &[Document]) -> Counts {
    // runs of documents are counted in parallel, each into a counter of its own, then the
    // counters are appended in order (so postings stay in document order); a few runs per
    // thread balance the load without repeating each run's vocabulary work too often
    let runs = rayon::current_num_threads() * 4;
    let size = docs.len().div_ceil(runs).max(1);
    let counter = docs
        .par_chunks(size)
        .enumerate()
        .map(|(run, chunk)| {
            let mut counter = Counter::default();
            for (i, doc) in chunk.iter().enumerate() {
                counter.document((run * size + i) as u32, weighted_fields(doc));
            }
            counter
        })
        .reduce_with(Counter::append)
        .unwrap_or_default();
    let terms = counter.terms.into_iter().filter(|(_, postings)| !postings.is_empty()).collect();
    Counts { terms, lengths: counter.lengths }
}

/// The best [`MAX_POSTINGS`] of `scored` (best first), plus the best
/// [`MAX_POSTINGS_PER_FILTER`] of each group and each domain; in document order.
fn keep_best(scored: Vec<(u32, u32)>, docs: &[Document]) -> Vec<(u32, u32)> {
    if scored.len() <= MAX_POSTINGS {
        let mut kept = scored;
        kept.sort_by_key(|p| p.0);
        return kept;
    }
    let mut per_group: HashMap<usize, usize> = HashMap::default();
    let mut per_domain: HashMap<usize, usize> = HashMap::default();
    let mut kept = Vec::with_capacity(MAX_POSTINGS * 2);
    for (rank, posting) in scored.into_iter().enumerate() {
        let doc = &docs[posting.0 as usize];
        let mut wanted = rank < MAX_POSTINGS;
        for (filters, counts) in [(&doc.groups, &mut per_group), (&doc.domains, &mut per_domain)] {
            for filter in filters {
                let seen = counts.entry(*filter).or_default();
                if *seen < MAX_POSTINGS_PER_FILTER {
                    *seen += 1;
                    wanted = true;
                }
            }
        }
        if wanted {
            kept.push(posting);
        }
    }
    kept.sort_by_key(|p| p.0);
    kept
}

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
fn js_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
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
    languages(site, &documents, &(0..documents.len()).collect::<Vec<_>>())
}

/// The index files of the languages `which` (indexes into `config.languages`), from every
/// language's documents: a translation's index names the default-language documents it
/// translates, so the browser leaves them out of the Vietnamese results it adds.
pub fn languages(site: &Site, documents: &[Vec<Document>], which: &[usize]) -> Vec<OutputFile> {
    which
        .par_iter()
        .flat_map_iter(|&lang| {
            let of = if lang == 0 { Vec::new() } else { translated(&documents[0], &documents[lang]) };
            files(site.config.languages[lang].id.as_str(), &documents[lang], &of)
        })
        .collect()
}

/// The ids, in the default language's index, of the documents `docs` translate, in order.
pub fn translated(originals: &[Document], docs: &[Document]) -> Vec<u32> {
    let id_of: HashMap<usize, u32> = originals.iter().enumerate().map(|(id, d)| (d.key, id as u32)).collect();
    let mut ids: Vec<u32> = docs.iter().filter_map(|d| id_of.get(&d.key).copied()).collect();
    ids.sort_unstable();
    ids
}

/// The terms of one language's index, in [`shard_order`], each with
/// its postings `(document id, value)` in document order: the value is twice the BM25
/// score ×10 plus the flag (see the module's description). What the shards hold, and what
/// `hoclieu search` ranks with ([`super::rank`]), so both give the same order.
pub struct Postings {
    pub terms: Vec<(String, Vec<(u32, u32)>)>,
}

/// Scores the terms of `docs`.
pub fn postings(docs: &[Document]) -> Postings {
    let Counts { terms, lengths } = count(docs);
    let n = docs.len() as f32;
    let mut average = [1.0f32; FIELDS];
    for (field, avg) in average.iter_mut().enumerate() {
        *avg = (lengths.iter().map(|l| l[field]).sum::<f32>() / n.max(1.0)).max(1.0);
    }
    let boosts: Vec<f32> = docs.first().map(|d| weighted_fields(d).iter().map(|f| f.1).collect()).unwrap_or_default();
    // the folded form of each term computed once, not once per comparison
    let mut sorted: Vec<(String, (String, Vec<Posting>))> =
        terms.into_par_iter().map(|term| (analyzer::fold(&term.0), term)).collect();
    sorted.par_sort_unstable_by(|a, b| js_order(&a.0, &b.0).then_with(|| js_order(&a.1 .0, &b.1 .0)));
    let sorted: Vec<(String, Vec<Posting>)> = sorted.into_iter().map(|(_, term)| term).collect();
    let terms = sorted
        .into_par_iter()
        .map(|(term, mut postings)| {
            let df = postings.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            let mut scored: Vec<(u32, u32)> = postings
                .drain(..)
                .map(|(id, tf, flag)| {
                    let score: f32 = (0..FIELDS)
                        .filter(|&f| tf[f] > 0)
                        .map(|f| {
                            let tf = f32::from(tf[f]);
                            let norm = K1 * (1.0 - B + B * lengths[id as usize][f] / average[f]);
                            boosts[f] * idf * tf * (K1 + 1.0) / (tf + norm)
                        })
                        .sum();
                    (id, (score * 10.0).round().max(1.0) as u32 * 2 + u32::from(flag))
                })
                .collect();
            // best first; ties by document (the flag counts, as it does in ranking)
            scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            (term, keep_best(scored, docs))
        })
        .collect();
    Postings { terms }
}

impl Postings {
    /// The folded words (neither exact forms nor pairs), most documents first, then in
    /// the browser's string order: the candidates of "did you mean".
    pub fn vocabulary(&self) -> Vec<&str> {
        let mut words: Vec<(&str, usize)> = self
            .terms
            .iter()
            .filter(|(term, _)| !term.contains(' ') && analyzer::fold(term) == *term)
            .map(|(term, postings)| (term.as_str(), postings.len()))
            .collect();
        words.sort_by(|a, b| b.1.cmp(&a.1).then(js_order(a.0, b.0)));
        words.into_iter().map(|(w, _)| w).collect()
    }
}

/// The index files of one language, paths relative to the output folder. `of`: the
/// default-language documents this language translates (empty for the default language).
pub fn files(lang: &str, docs: &[Document], of: &[u32]) -> Vec<OutputFile> {
    let postings = postings(docs);
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
    let entries: Vec<(String, String)> = postings
        .terms
        .into_par_iter()
        .map(|(term, scored)| {
            let mut entry = String::with_capacity(16 + scored.len() * 6);
            entry.push_str(&js_safe(json!(term).to_string()));
            entry.push_str(":[");
            let mut previous = 0;
            for (i, (id, score)) in scored.iter().enumerate() {
                if i > 0 {
                    entry.push(',');
                }
                entry.push_str(&format!("{},{score}", id - previous));
                previous = *id;
            }
            entry.push(']');
            (term, entry)
        })
        .collect();
    for (term, entry) in entries {
        if shard.is_empty() {
            firsts.push(term.clone());
        } else if shard.len() + entry.len() > SHARD_BYTES {
            flush(&mut shard, &mut out, firsts.len() - 1);
            firsts.push(term.clone());
        } else {
            shard.push(',');
        }
        shard.push_str(&entry);
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
        let files = files("vi", &docs, &[]);
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
        let files = files("vi", &[doc("x", &body)], &[]);
        let shards = files.iter().filter(|f| f.path.contains("/s")).count();
        assert!(shards > 3, "{shards} shards");
        for f in files.iter().filter(|f| f.path.contains("/s")) {
            assert!(text(f).len() < SHARD_BYTES + 1024, "{} is {} bytes", f.path, text(f).len());
        }
    }
}

//! The postings of one language's static index: every term of its documents (folded words,
//! exact words where they differ, pairs of neighbouring folded words within a line), each
//! with the documents holding it and a value per document: twice the BM25 score ×10, plus a
//! flag (see [`super::browser`]), best documents only ([`MAX_POSTINGS`], and
//! [`MAX_POSTINGS_PER_FILTER`] per group and per domain). What the browser's shards hold and
//! what `hoclieu search` ranks with.
//!
//! Made in two passes over the documents, so that memory follows the size of the index
//! written, not the size of the text (13 million postings at 10 000 lessons, 3 million kept):
//!
//! 1. **count** ([`Counter`]): each document's words are numbered (terms) and counted into a
//!    buffer reused from document to document ([`Tally`]); what stays is how many documents
//!    hold each term (for its idf) and how many words each field of each document has (for
//!    BM25's length norm);
//! 2. **score**: the documents are read again, each run with the words it met ([`Words`]:
//!    nothing new is met), now with the language's numbers; each term of a document gets
//!    its final value at once. A term in at most
//!    [`MAX_POSTINGS`] documents keeps every posting; a more common one keeps only its best
//!    as they come: whenever its candidates pile up they are cut with [`keep_best`], which
//!    cannot lose what the final cut keeps (the best 100 of all documents are among the best
//!    100 of any part holding them, and likewise per group and per domain).
//!
//! The terms are sorted in [`super::browser::shard_order`] once scored ([`shard_sorted`]),
//! and the runs' postings laid out in that order ([`ByTerm`]).
//!
//! With the build cache ([`postings_cached`]), the second pass also writes each document's
//! tally to it as it goes ([`store`]), and the next build makes the postings from those
//! tallies ([`incremental`]): only the documents they do not hold are read, the values are
//! all computed again (with the same [`Scorer`] and runs), and only new terms are sorted.
//!
//! Runs of documents are counted and scored in parallel; each run numbers the terms it
//! meets in its own [`Counter`], and the runs' numbers are mapped to the language's between
//! the two passes ([`Vocabulary::merge`]). A pair is known by the numbers of its two words
//! ([`PairTable`]) until the language's terms are named, so a pair's string is made once,
//! not once per run. The lookups that run once per word (the word as written, the pair,
//! the document's tally) go through tables made for them, each read with about one cache
//! miss or none: a word of at most 16 bytes is one number ([`Written`]), a pair's key and
//! number sit side by side, a document's terms are counted in a table its own size.

mod best;
mod incremental;
mod store;
mod tables;

use super::{analyzer, weighted_fields, Document};
use best::{keep_best, Candidates, Cut};
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Mutex;
pub use store::TalliesCache;
use store::{Kept, Writer};
use tables::{pair_key, spread, PairTable, Written};

/// Postings kept per term: the best-scoring documents. A query needs the top few results;
/// a common word in 10 000 lessons would otherwise weigh tens of KB.
pub const MAX_POSTINGS: usize = 100;
/// Also kept per term: the best documents of each target group and of each domain, so a
/// search filtered by group or domain still finds that many.
pub const MAX_POSTINGS_PER_FILTER: usize = 10;
const K1: f32 = 1.2;
const B: f32 = 0.75;

const FIELDS: usize = 4;
/// Occurrences of a term in each field of one document (saturating: BM25 flattens out long
/// before 65 535).
type FieldCounts = [u16; FIELDS];
/// Words in each field of one document.
type FieldLengths = [f32; FIELDS];
/// A term's written and exact numbers (see [`Numbering::word`]).
type Forms = Option<(u32, Option<u32>)>;
/// Not a number: an empty slot of [`Tally`], a term not common enough for [`keep_best`].
const NONE: u32 = u32::MAX;

/// The terms of one language, in [`super::browser::shard_order`], each with its postings
/// `(document id, value)` in document order: the value is twice the BM25 score ×10 plus the
/// flag (see [`super::browser`]). What the shards hold, and what `hoclieu search` ranks with
/// ([`super::rank`]), so both give the same order.
pub struct Postings {
    pub terms: Vec<(String, Vec<(u32, u32)>)>,
}

/// How the words of a text become term numbers: [`Counter`] numbers new terms as it meets
/// them, [`Words`] knows them all already.
trait Numbering {
    /// The numbers of a written word's folded form and of its exact form when that differs;
    /// `None` for words that fold to nothing.
    fn word(&mut self, written: &str) -> Forms;
    /// The number of the pair of two neighbouring words (numbers of their folded forms).
    fn pair(&mut self, first: u32, second: u32) -> u32;
}

/// One term of one document: its number, its occurrences per field, and the flag (a folded
/// word: written without any diacritic; a pair: in the title or a heading).
#[derive(Clone, Copy)]
struct Occurrences {
    term: u32,
    counts: FieldCounts,
    flag: bool,
}

/// The terms of the document being read, with their counts: a buffer reused from document
/// to document, so counting allocates nothing once it has grown. Terms are found through a
/// small table of the document's own terms (open addressing), which stays in the processor's
/// cache, where an array indexed by term number (hundreds of thousands a run) would not.
#[derive(Default)]
struct Tally {
    /// `(term, its place in terms)`, `term` [`NONE`] when the slot is empty; a power of two
    /// long, at most half full.
    table: Vec<(u32, u32)>,
    /// The slots of `table` in use, to empty them for the next document.
    used: Vec<u32>,
    terms: Vec<Occurrences>,
}

impl Tally {
    /// Reads one document: its folded words, exact words where they differ, and pairs of
    /// neighbouring folded words within a line, into `self.terms` (in order of first
    /// occurrence). Returns the words in each field.
    fn read(&mut self, numbering: &mut impl Numbering, fields: [(&str, f32); FIELDS]) -> FieldLengths {
        for &slot in &self.used {
            self.table[slot as usize] = (NONE, 0);
        }
        self.used.clear();
        self.terms.clear();
        let mut length = [0.0; FIELDS];
        // document texts are NFC already (see `Document`)
        for (field, (text, _)) in fields.into_iter().enumerate() {
            for line in text.lines() {
                let mut previous = None;
                for (start, end) in analyzer::spans(line) {
                    let Some((folded, exact)) = numbering.word(&line[start..end]) else { continue };
                    length[field] += 1.0;
                    // flagged: written without diacritics
                    self.add(folded, field, exact.is_none());
                    if let Some(exact) = exact {
                        self.add(exact, field, false);
                    }
                    if let Some(previous) = previous {
                        let pair = numbering.pair(previous, folded);
                        // flagged: in the title or a heading
                        self.add(pair, field, field < 2);
                    }
                    previous = Some(folded);
                }
            }
        }
        length
    }

    fn add(&mut self, term: u32, field: usize, flag: bool) {
        if 2 * (self.terms.len() + 1) > self.table.len() {
            self.grow();
        }
        let slot = self.slot(term);
        match self.table[slot] {
            (NONE, _) => {
                self.table[slot] = (term, self.terms.len() as u32);
                self.used.push(slot as u32);
                let mut counts = FieldCounts::default();
                counts[field] = 1;
                self.terms.push(Occurrences { term, counts, flag });
            }
            (_, place) => {
                let occurrences = &mut self.terms[place as usize];
                occurrences.counts[field] = occurrences.counts[field].saturating_add(1);
                occurrences.flag |= flag;
            }
        }
    }

    /// The slot of `term` in the table, or the empty slot where it goes.
    fn slot(&self, term: u32) -> usize {
        let mask = self.table.len() - 1;
        let mut slot = spread(u64::from(term)) & mask;
        while self.table[slot].0 != term && self.table[slot].0 != NONE {
            slot = (slot + 1) & mask;
        }
        slot
    }

    /// Doubles the table (at least 1 024 slots), the terms so far placed again.
    fn grow(&mut self) {
        self.table = vec![(NONE, 0); (self.table.len() * 2).max(1024)];
        self.used.clear();
        for (place, occurrences) in self.terms.iter().enumerate() {
            let slot = self.slot(occurrences.term);
            self.table[slot] = (occurrences.term, place as u32);
            self.used.push(slot as u32);
        }
    }
}

/// The first pass over one run of documents: numbers every term the run meets, and counts
/// the documents holding each. Work per word: one hash lookup of the word as written and
/// one of the pair of numbers for the pair term; strings are made only for new words (a
/// pair is known by its two words' numbers until the runs are merged).
#[derive(Default)]
struct Counter {
    /// Word (folded or exact form) → its number in this run.
    ids: HashMap<Box<str>, u32>,
    /// The run's words and pairs and their numbers.
    words: Words<PairTable>,
    /// Number → documents of the run holding the term.
    documents: Vec<u32>,
    /// Words per field of each document of the run.
    lengths: Vec<FieldLengths>,
}

impl Counter {
    fn id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.documents.len() as u32;
        self.documents.push(0);
        self.ids.insert(term.into(), id);
        id
    }

    /// Counts one run of documents.
    fn run(docs: &[Document]) -> Counter {
        let mut counter = Counter::default();
        let mut tally = Tally::default();
        for doc in docs {
            let length = tally.read(&mut counter, weighted_fields(doc));
            for occurrences in &tally.terms {
                counter.documents[occurrences.term as usize] += 1;
            }
            counter.lengths.push(length);
        }
        counter
    }
}

impl Numbering for Counter {
    fn word(&mut self, written: &str) -> Forms {
        if let Some(known) = self.words.written.get(written) {
            return known;
        }
        let ids = analyzer::forms(written).map(|(exact, folded)| {
            let folded_id = self.id(&folded);
            (folded_id, (exact != folded).then(|| self.id(&exact)))
        });
        self.words.written.insert(written, ids);
        ids
    }

    fn pair(&mut self, first: u32, second: u32) -> u32 {
        let key = pair_key(first, second);
        if let Some(id) = self.words.pairs.get(key) {
            return id;
        }
        let id = self.documents.len() as u32;
        self.documents.push(0);
        self.words.pairs.insert(key, id);
        id
    }
}

/// The words and pairs one run of documents met, and their numbers: in the run while it is
/// counted, in the language once merged ([`Vocabulary::merge`]). What the second pass reads
/// the run's documents with (nothing new is met): the run's words as written, and the
/// language's pairs, one table for every run.
#[derive(Default)]
struct Words<Pairs> {
    /// Word as written → its forms' numbers.
    written: Written,
    /// (folded, folded) numbers of two neighbouring words → number of their pair term.
    pairs: Pairs,
}

impl Numbering for &Words<&PairTable> {
    fn word(&mut self, written: &str) -> Forms {
        self.written.get(written).expect("every word was numbered in the first pass")
    }

    fn pair(&mut self, first: u32, second: u32) -> u32 {
        self.pairs.get(pair_key(first, second)).expect("every pair was numbered in the first pass")
    }
}

/// Every term of the language, numbered once, with the number of documents holding it: the
/// runs' counters merged.
#[derive(Default)]
struct Vocabulary {
    /// Word → its number; emptied into [`Vocabulary::terms`] after the merge.
    ids: HashMap<Box<str>, u32>,
    /// (folded, folded) numbers of two words → number of their pair term.
    pairs: PairTable,
    /// Number → documents holding the term.
    documents: Vec<u32>,
}

impl Vocabulary {
    /// Adds a run's terms and counts. Returns the run's words as written with the language's
    /// numbers (its pairs are in [`Vocabulary::pairs`]).
    fn merge(&mut self, run: Counter) -> Written {
        let mut number = vec![0u32; run.documents.len()];
        for (term, local) in run.ids {
            let next = self.documents.len() as u32;
            let id = *self.ids.entry(term).or_insert(next);
            if id == next {
                self.documents.push(0);
            }
            number[local as usize] = id;
            self.documents[id as usize] += run.documents[local as usize];
        }
        // a pair's words are numbered above
        for (key, local) in run.words.pairs.iter() {
            let key = pair_key(number[(key >> 32) as usize], number[key as u32 as usize]);
            let id = self.pairs.get(key).unwrap_or_else(|| {
                let next = self.documents.len() as u32;
                self.documents.push(0);
                self.pairs.insert(key, next);
                next
            });
            number[local as usize] = id;
            self.documents[id as usize] += run.documents[local as usize];
        }
        let mut written = run.words.written;
        let global = |forms: &mut Forms| {
            *forms = forms.map(|(folded, exact)| (number[folded as usize], exact.map(|e| number[e as usize])))
        };
        written.forms_mut().for_each(global);
        written
    }

    /// The terms by number, pairs named by their words (the word → number map is given up).
    fn terms(&mut self) -> Vec<Box<str>> {
        named(std::mem::take(&mut self.ids), &self.pairs, self.documents.len())
    }
}

/// The `count` terms numbered by `words` (word → number) and `pairs` (a pair's words'
/// numbers → its number), by number.
fn named(words: HashMap<Box<str>, u32>, pairs: &PairTable, count: usize) -> Vec<Box<str>> {
    let mut terms = vec![Box::<str>::default(); count];
    for (term, id) in words {
        terms[id as usize] = term;
    }
    for (key, id) in pairs.iter() {
        terms[id as usize] = format!("{} {}", terms[(key >> 32) as usize], terms[key as u32 as usize]).into();
    }
    terms
}

/// What BM25 needs besides a term's counts in a document: per field, the average length
/// and the weight; per document, its lengths.
struct Scoring<'a> {
    documents: f32,
    average: FieldLengths,
    boosts: Vec<f32>,
    lengths: &'a [FieldLengths],
}

impl Scoring<'_> {
    /// The inverse document frequency of a term held by `df` documents.
    fn idf(&self, df: u32) -> f32 {
        let df = df as f32;
        (1.0 + (self.documents - df + 0.5) / (df + 0.5)).ln()
    }

    /// The value of a posting: BM25 per field, summed with the fields' weights (as tantivy
    /// does, so a word in a short title counts for more than the same word once in a long
    /// body), ×10, rounded, at least 1, doubled, plus the flag.
    fn value(&self, idf: f32, doc: u32, tf: FieldCounts, flag: bool) -> u32 {
        let score: f32 = (0..FIELDS)
            .filter(|&f| tf[f] > 0)
            .map(|f| {
                let tf = f32::from(tf[f]);
                let norm = K1 * (1.0 - B + B * self.lengths[doc as usize][f] / self.average[f]);
                self.boosts[f] * idf * tf * (K1 + 1.0) / (tf + norm)
            })
            .sum();
        (score * 10.0).round().max(1.0) as u32 * 2 + u32::from(flag)
    }
}

/// The scores of one language once every document is counted: each term's idf and, for
/// the common ones, their place among those cut to their best.
struct Scorer<'a> {
    scoring: Scoring<'a>,
    /// By term number: its idf and, for those cut to their best, their place among them
    /// (else [`NONE`]).
    idf_common: Vec<(f32, u32)>,
    cut: Cut<'a>,
    /// By place: each common term's best postings so far, in document order; each run's
    /// candidates join them and are cut with them as the run ends ([`RunScores::finish`]),
    /// so one list per common term is held, not one per run (at 30 000 lessons the runs'
    /// lists were most of the 13 million postings held before the layout, of which 6.3
    /// million are kept).
    kept: Vec<Mutex<Vec<(u32, u32)>>>,
}

impl<'a> Scorer<'a> {
    /// From the documents, how many of them hold each term (`df`, by number) and the words
    /// in each field of each document.
    fn new(docs: &'a [Document], df: &[u32], lengths: &'a [FieldLengths]) -> Scorer<'a> {
        let n = docs.len() as f32;
        let mut average = [1.0f32; FIELDS];
        for (field, avg) in average.iter_mut().enumerate() {
            *avg = (lengths.iter().map(|l| l[field]).sum::<f32>() / n.max(1.0)).max(1.0);
        }
        let boosts = docs.first().map(|d| weighted_fields(d).iter().map(|f| f.1).collect()).unwrap_or_default();
        let scoring = Scoring { documents: n, average, boosts, lengths };
        let mut commons = 0;
        let idf_common = df
            .iter()
            .map(|&df| {
                let place = match df as usize > MAX_POSTINGS {
                    true => {
                        commons += 1;
                        commons - 1
                    }
                    false => NONE,
                };
                (scoring.idf(df), place)
            })
            .collect();
        // a cut keeps at most this many: the best, and the best of each group and domain
        let filters = |of: fn(&Document) -> &Vec<usize>| docs.iter().flat_map(of).max().map_or(0, |m| m + 1);
        let (groups, domains) = (filters(|d| &d.groups), filters(|d| &d.domains));
        let most = MAX_POSTINGS + MAX_POSTINGS_PER_FILTER * (groups + domains);
        let twice = |ids: &[usize]| ids.iter().enumerate().any(|(i, id)| ids[..i].contains(id));
        let once = docs.iter().all(|d| !twice(&d.groups) && !twice(&d.domains));
        let masks = (groups + domains <= 64 && once).then(|| {
            let bits = |ids: &[usize], from: usize| ids.iter().fold(0u64, |mask, &i| mask | 1 << (from + i));
            docs.iter().map(|d| bits(&d.groups, 0) | bits(&d.domains, groups)).collect::<Vec<u64>>()
        });
        let kept = (0..commons).map(|_| Mutex::default()).collect();
        Scorer { scoring, idf_common, cut: Cut { docs, most, masks }, kept }
    }
}

/// The postings of one run of documents: `(term, document, value)` of its rare terms; those
/// of common terms cut to their best as they come, and into [`Scorer::kept`] as the run ends.
struct RunScores<'s, 'a> {
    scorer: &'s Scorer<'a>,
    found: Vec<(u32, u32, u32)>,
    best: Vec<Candidates>,
}

impl<'s, 'a> RunScores<'s, 'a> {
    fn new(scorer: &'s Scorer<'a>) -> Self {
        RunScores { scorer, found: Vec::new(), best: vec![Candidates::default(); scorer.kept.len()] }
    }

    /// Scores the terms of document `id`.
    fn add(&mut self, id: u32, terms: &[Occurrences]) {
        let cut = &self.scorer.cut;
        for o in terms {
            let (idf, common) = self.scorer.idf_common[o.term as usize];
            let value = self.scorer.scoring.value(idf, id, o.counts, o.flag);
            match common {
                NONE => self.found.push((o.term, id, value)),
                place => self.best[place as usize].add(id, value, cut),
            }
        }
    }

    /// The run's postings of rare terms; its common terms' candidates are cut into
    /// [`Scorer::kept`] with the best of the runs that ended before (in any order: a cut
    /// keeps what one cut of everything keeps, see [`keep_best`]).
    fn finish(self) -> Vec<(u32, u32, u32)> {
        for (candidates, kept) in self.best.into_iter().zip(&self.scorer.kept) {
            let mut kept = kept.lock().expect("a cut does not panic");
            let mut postings = std::mem::take(&mut *kept);
            postings.extend(candidates.postings);
            *kept = keep_best(postings, &self.scorer.cut);
        }
        self.found
    }
}

/// The numbers of `terms` in [`super::browser::shard_order`] (the folded form of each term
/// computed once, not once per comparison).
fn shard_sorted(terms: &[Box<str>]) -> Vec<u32> {
    let mut order: Vec<(String, u32)> =
        terms.par_iter().enumerate().map(|(id, term)| (analyzer::fold(term), id as u32)).collect();
    order.par_sort_unstable_by(|a, b| {
        super::browser::js_order(&a.0, &b.0)
            .then_with(|| super::browser::js_order(&terms[a.1 as usize], &terms[b.1 as usize]))
    });
    order.into_iter().map(|(_, id)| id).collect()
}

/// Every term's postings by term number, in document order.
struct ByTerm {
    lists: Vec<Vec<(u32, u32)>>,
}

impl ByTerm {
    /// Lays out the runs' postings of rare terms `(term, document, value)` (runs in order:
    /// postings stay in document order), each term's in a list of its exact size, and takes
    /// the common terms' cut lists from `scorer`; `count` terms in all.
    fn new(found: Vec<Vec<(u32, u32, u32)>>, count: usize, scorer: Scorer) -> ByTerm {
        let mut sizes = vec![0u32; count];
        for &(term, _, _) in found.iter().flatten() {
            sizes[term as usize] += 1;
        }
        let mut lists: Vec<Vec<(u32, u32)>> = sizes.into_iter().map(|size| Vec::with_capacity(size as usize)).collect();
        for run in found {
            for (term, id, value) in run {
                lists[term as usize].push((id, value));
            }
        }
        let commons = scorer.idf_common.iter().enumerate().filter(|(_, &(_, place))| place != NONE);
        for ((term, _), kept) in commons.zip(scorer.kept) {
            lists[term] = kept.into_inner().expect("a cut does not panic");
        }
        ByTerm { lists }
    }

    /// The terms in shard `order` (term numbers; terms without postings are left out), each
    /// named by `name` (called once per term with postings).
    fn postings(self, order: &[u32], mut name: impl FnMut(u32) -> String) -> Postings {
        let mut lists = self.lists;
        let terms = order
            .iter()
            .filter_map(|&id| {
                let postings = std::mem::take(&mut lists[id as usize]);
                (!postings.is_empty()).then(|| (name(id), postings))
            })
            .collect();
        Postings { terms }
    }
}

/// How many documents each run holds: a few runs per thread balance the load without
/// repeating each run's vocabulary work too often.
fn run_size(docs: usize) -> usize {
    docs.div_ceil(rayon::current_num_threads() * 4).max(1)
}

/// Scores the terms of `docs` (one language, in page order).
pub fn postings(docs: &[Document]) -> Postings {
    made(docs, None)
}

/// [`postings`] for language `lang`, with the tallies of the build cache: when it holds
/// them (and may be used), only the documents it does not hold are read; the tallies are
/// kept there for the next build.
pub fn postings_cached(docs: &[Document], lang: &str, cache: &TalliesCache) -> Postings {
    if cache.reuse {
        if let Some(kept) = Kept::load(&cache.path(lang), cache.key) {
            if let Some(postings) = incremental::postings(docs, &kept, lang, cache) {
                return postings;
            }
        }
    }
    made(docs, Some((lang, cache)))
}

/// The postings made from the documents' texts alone, in two passes (see the module's
/// header); with a cache, each document's tally is written to it as it is scored.
fn made(docs: &[Document], cache: Option<(&str, &TalliesCache)>) -> Postings {
    let size = run_size(docs.len());

    // first pass: terms numbered, documents per term, lengths
    let counters: Vec<Counter> = docs.par_chunks(size).map(Counter::run).collect();
    let mut lengths: Vec<FieldLengths> = Vec::with_capacity(docs.len());
    let mut vocabulary = Vocabulary::default();
    let mut runs = Vec::with_capacity(counters.len());
    for mut counter in counters {
        lengths.append(&mut counter.lengths);
        runs.push(vocabulary.merge(counter));
    }
    let terms = vocabulary.terms();
    let store = cache.and_then(|(lang, cache)| Writer::create(cache, lang, terms.iter().map(|t| &**t)));
    let scorer = Scorer::new(docs, &vocabulary.documents, &lengths);

    // second pass: each run's postings (term, document, value), the common terms' cut
    let found: Vec<Vec<(u32, u32, u32)>> = docs
        .par_chunks(size)
        .zip(runs)
        .enumerate()
        .map(|(run, (chunk, written))| {
            let words = Words { written, pairs: &vocabulary.pairs };
            let mut tally = Tally::default();
            let mut scores = RunScores::new(&scorer);
            let mut records = Vec::new();
            for (i, doc) in chunk.iter().enumerate() {
                let id = (run * size + i) as u32;
                let length = tally.read(&mut &words, weighted_fields(doc));
                scores.add(id, &tally.terms);
                if let Some(store) = &store {
                    store::encode(&mut records, store::text_hash(doc), &length, &tally.terms);
                    if records.len() >= store::BATCH {
                        store.records(&records);
                        records.clear();
                    }
                }
            }
            if let Some(store) = &store {
                store.records(&records);
            }
            scores.finish()
        })
        .collect();
    drop(vocabulary);
    let by_term = ByTerm::new(found, terms.len(), scorer);
    let order = shard_sorted(&terms);
    if let Some(store) = store {
        store.finish(&order);
    }
    let mut terms = terms;
    by_term.postings(&order, |id| std::mem::take(&mut terms[id as usize]).into_string())
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
        words.sort_by(|a, b| b.1.cmp(&a.1).then(super::browser::js_order(a.0, b.0)));
        words.into_iter().map(|(w, _)| w).collect()
    }
}

//! A language's postings made again from the tallies the build cache kept ([`super::store`]):
//! only the documents it does not hold (new, or with an indexed text changed) are read;
//! every other document's tally is taken from the cache as it is. The values are all
//! computed again (idf and BM25's average lengths change with any document) from the
//! tallies, in the same runs as a clean build, so the postings are the same, value for
//! value.
//!
//! A term keeps its number from build to build (new terms are numbered after the cache's
//! vocabulary, and sorted into the cache's shard order, not all terms again); a term no
//! document holds any more stays in the vocabulary, without postings, until a clean build.

use super::store::{self, Kept, Record, TalliesCache, Writer};
use super::{
    named, run_size, ByTerm, Counter, Document, FieldLengths, Occurrences, Postings, RunScores, Scorer, Tally,
};
use crate::search::browser::shard_order;
use crate::search::weighted_fields;
use rayon::prelude::*;

/// A document's tally: kept in the cache, or read now (numbered as the cache numbers terms).
enum Tallied<'a> {
    Kept(Record<'a>),
    Read(&'a (FieldLengths, Vec<Occurrences>)),
}

impl Tallied<'_> {
    fn lengths(&self) -> FieldLengths {
        match self {
            Tallied::Kept(record) => record.lengths,
            Tallied::Read((lengths, _)) => *lengths,
        }
    }

    /// The document's terms (a kept one's decoded into `buffer`); `None` when the cache's
    /// record names a term past the `vocabulary`'s end or is malformed.
    fn terms<'b>(&'b self, buffer: &'b mut Vec<Occurrences>, vocabulary: usize) -> Option<&'b [Occurrences]> {
        match self {
            Tallied::Kept(record) => {
                record.terms_into(buffer, vocabulary)?;
                Some(buffer)
            }
            Tallied::Read((_, terms)) => Some(terms),
        }
    }
}

/// The postings of `docs` from the `kept` tallies and the documents they do not hold; the
/// tallies of `docs` are written for the next build. `None` when the cache turns out not
/// to fit (a record naming a term it does not have): the caller makes the postings anew.
pub(super) fn postings(docs: &[Document], kept: &Kept, lang: &str, cache: &TalliesCache) -> Option<Postings> {
    let hashes: Vec<u128> = docs.par_iter().map(store::text_hash).collect();
    let records: Vec<Option<Record>> = hashes.iter().map(|&hash| kept.record(hash)).collect();

    // the documents the cache does not hold, read now, their terms numbered as they come
    let mut counter = Counter::default();
    let mut tally = Tally::default();
    let mut read: Vec<(FieldLengths, Vec<Occurrences>)> = Vec::new();
    for (doc, _) in docs.iter().zip(&records).filter(|(_, record)| record.is_none()) {
        let lengths = tally.read(&mut counter, weighted_fields(doc));
        read.push((lengths, tally.terms.clone()));
    }
    // ... then numbered as the cache numbers them: its terms keep their numbers, new ones
    // come after, each sorted into the cache's shard order by its place among its terms
    let Counter { ids, words, documents, .. } = counter;
    let mut added: Vec<Box<str>> = Vec::new();
    let mut new: Vec<(usize, u32)> = Vec::new();
    let number: Vec<u32> = named(ids, &words.pairs, documents.len())
        .into_iter()
        .map(|name| match kept.order.binary_search_by(|&id| shard_order(kept.term(id), &name)) {
            Ok(place) => kept.order[place],
            Err(place) => {
                let id = (kept.len() + added.len()) as u32;
                new.push((place, id));
                added.push(name);
                id
            }
        })
        .collect();
    let term = |id: u32| match (id as usize).checked_sub(kept.len()) {
        Some(new) => &*added[new],
        None => kept.term(id),
    };
    new.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| shard_order(term(a.1), term(b.1))));
    let mut order = Vec::with_capacity(kept.len() + added.len());
    let mut next = new.into_iter().peekable();
    for (place, &id) in kept.order.iter().enumerate() {
        while let Some((_, new)) = next.next_if(|n| n.0 == place) {
            order.push(new);
        }
        order.push(id);
    }
    order.extend(next.map(|(_, id)| id));
    for (_, occurrences) in &mut read {
        for o in occurrences {
            o.term = number[o.term as usize];
        }
    }
    let mut read = read.iter();
    let tallies: Vec<Tallied> = records
        .into_iter()
        .map(|record| match record {
            Some(record) => Some(Tallied::Kept(record)),
            None => read.next().map(Tallied::Read),
        })
        .collect::<Option<_>>()?;

    // documents per term (each kept record checked against the vocabulary), lengths
    // (counted per run, then added up: threads counting into one table would fight over
    // the common terms' cache lines)
    let vocabulary = order.len();
    let size = run_size(docs.len());
    let df = tallies
        .par_chunks(size)
        .map(|run| {
            let (mut df, mut buffer) = (vec![0u32; vocabulary], Vec::new());
            for tallied in run {
                for o in tallied.terms(&mut buffer, vocabulary)? {
                    df[o.term as usize] += 1;
                }
            }
            Some(df)
        })
        .try_reduce(
            || vec![0; vocabulary],
            |mut all, run| {
                all.iter_mut().zip(run).for_each(|(all, run)| *all += run);
                Some(all)
            },
        )?;
    let lengths: Vec<FieldLengths> = tallies.iter().map(Tallied::lengths).collect();
    let scorer = Scorer::new(docs, &df, &lengths);
    let store = Writer::create(cache, lang, (0..vocabulary as u32).map(term));

    // each run's postings, as in a clean build; the records written for the next build
    let found: Vec<Vec<(u32, u32, u32)>> = tallies
        .par_chunks(size)
        .enumerate()
        .map(|(run, chunk)| {
            let mut scores = RunScores::new(&scorer);
            let mut buffer = Vec::new();
            let mut records = Vec::new();
            for (i, tallied) in chunk.iter().enumerate() {
                let id = run * size + i;
                let occurrences = tallied.terms(&mut buffer, vocabulary)?;
                scores.add(id as u32, occurrences);
                if let Some(store) = &store {
                    match tallied {
                        Tallied::Kept(record) => records.extend_from_slice(record.bytes),
                        Tallied::Read((lengths, terms)) => store::encode(&mut records, hashes[id], lengths, terms),
                    }
                    if records.len() >= store::BATCH {
                        store.records(&records);
                        records.clear();
                    }
                }
            }
            if let Some(store) = &store {
                store.records(&records);
            }
            Some(scores.finish())
        })
        .collect::<Option<_>>()?;
    if let Some(store) = store {
        store.finish(&order);
    }
    Some(ByTerm::new(found, vocabulary, scorer).postings(&order, |id| term(id).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::postings::postings_cached;

    fn doc(title: &str, body: &str, groups: Vec<usize>) -> Document {
        Document {
            key: 0,
            title: title.into(),
            path: "a/b/".into(),
            crumb: String::new(),
            summary: "Tóm tắt".into(),
            headings: "Mục một\nMục hai".into(),
            body: body.into(),
            groups,
            domains: vec![],
        }
    }

    /// Enough documents that common words are cut to their best.
    fn lessons() -> Vec<Document> {
        let words = ["mật khẩu", "an toàn", "mạng", "Zalo", "điện thoại", "lừa đảo", "tin nhắn", "đường"];
        (0..300)
            .map(|i| {
                let body: Vec<String> =
                    (0..40).map(|j| format!("{} số{}", words[(i * 7 + j * 3) % words.len()], (i * j) % 97)).collect();
                doc(&format!("Bài {i} {}", words[i % words.len()]), &body.join(" "), vec![i % 3])
            })
            .collect()
    }

    /// The postings of `docs` from the tallies kept in `dir`, and whether they came from them.
    fn again(docs: &[Document], dir: &std::path::Path) -> (Postings, bool) {
        let cache = TalliesCache { dir, key: "k", reuse: true };
        let kept = Kept::load(&cache.path("vi"), "k").expect("the tallies were kept");
        match postings(docs, &kept, "vi", &cache) {
            Some(postings) => (postings, true),
            None => (postings_cached(docs, "vi", &cache), false),
        }
    }

    #[test]
    fn made_again_from_kept_tallies_the_postings_are_a_clean_builds() {
        let dir = tempfile::tempdir().unwrap();
        let mut docs = lessons();
        let clean = TalliesCache { dir: dir.path(), key: "k", reuse: false };
        assert_eq!(postings_cached(&docs, "vi", &clean).terms, super::super::postings(&docs).terms);
        type Edit = (&'static str, fn(&mut Vec<Document>));
        let edits: [Edit; 6] = [
            ("a sentence added", |docs| docs[150].body.push_str("\nMột câu thêm với từ mớiiii và Mật khẩu.")),
            ("a title", |docs| docs[3].title = "Tiêu đề khác hẳn".into()),
            ("a summary and groups", |docs| {
                docs[7].summary = "Tóm tắt mới".into();
                docs[7].groups = vec![2];
            }),
            ("a lesson added", |docs| docs.insert(10, doc("Bài mới", "đường mới ở giữa, xa lạ", vec![1]))),
            ("a lesson removed", |docs| {
                docs.remove(0);
            }),
            ("a word gone from every lesson", |docs| {
                for d in docs.iter_mut() {
                    d.body = d.body.replace("Zalo", "");
                    d.title = d.title.replace("Zalo", "");
                }
            }),
        ];
        for (what, edit) in edits {
            edit(&mut docs);
            let (postings, reused) = again(&docs, dir.path());
            assert!(reused, "{what}: the kept tallies fit");
            assert!(postings.terms == super::super::postings(&docs).terms, "{what}: not a clean build's postings");
        }
        // the word gone is left out of the terms, though the vocabulary keeps it
        let kept = Kept::load(&TalliesCache { dir: dir.path(), key: "k", reuse: true }.path("vi"), "k").unwrap();
        assert!((0..kept.len() as u32).any(|id| kept.term(id) == "zalo"));
        assert!(!again(&docs, dir.path()).0.terms.iter().any(|(term, _)| term == "zalo"));
    }
}

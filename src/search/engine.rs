//! The search behind `hoclieu search` and the server's `/api/search`: the browser index's
//! postings ([`super::browser::postings`]) held in memory and ranked by [`super::rank`], so
//! the terminal and the browser give the same results in the same order; and a tantivy index
//! of the same documents, whose snippet generator picks the fragment to show.
//!
//! Ranking used to be tantivy's BM25 order, which was not stable: the index was written by
//! several threads, so which segment a document landed in changed from run to run, and
//! documents of equal score came in segment order (22 of 300 queries changed order between
//! two runs). Now scores are computed once per term, in document order, and ties are broken by
//! the document's id (its page order).
//!
//! The tantivy tokenizer wraps [`analyzer::words`]: each word as its folded form, plus its
//! exact form at the same position when it has diacritics, so both are highlighted.
//!
//! The index lives in memory: building it for the shipped site takes milliseconds, and for
//! 10 000 lessons a few seconds, cheaper than keeping a cache in step with the content.

use super::{analyzer, browser, rank, Document};
use rustc_hash::FxHashMap as HashMap;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TantivyDocument, TextFieldIndexing, TextOptions};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, Term};

const WORDS: &str = "hoclieu";
/// Results asked for at most: a larger limit is taken as this one.
pub const MAX_RESULTS: usize = 1000;

/// Emits the analyzer's words as tantivy tokens.
#[derive(Clone, Copy)]
struct AnalyzerTokenizer;

struct Tokens {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for AnalyzerTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let words = analyzer::words(text);
        let token = |text: String, from: usize, to: usize, position: usize| Token {
            offset_from: from,
            offset_to: to,
            position,
            text,
            position_length: 1,
        };
        let mut tokens = Vec::with_capacity(words.len() * 2);
        for (position, word) in words.iter().enumerate() {
            tokens.push(token(word.folded.to_string(), word.start, word.end, position));
            if analyzer::has_marks(word) {
                tokens.push(token(word.exact.to_string(), word.start, word.end, position));
            }
        }
        Tokens { tokens, next: 0 }
    }
}

pub struct Engine {
    index: Index,
    reader: IndexReader,
    body: Field,
    docs: Vec<Document>,
    /// Term → postings, as the browser's shards hold them.
    postings: HashMap<String, Vec<(u32, u32)>>,
    /// The folded words, most common first.
    vocabulary: Vec<String>,
    /// Group id → its index in `Document::groups`.
    groups: Vec<String>,
}

/// One result: what the terminal (or the server) shows.
#[derive(Debug, Clone)]
pub struct Hit {
    pub title: String,
    pub path: String,
    pub crumb: String,
    /// The best fragment of the text, with the matched words between `[` and `]` markers
    /// given by `highlights` (byte ranges in `snippet`).
    pub snippet: String,
    pub highlights: Vec<std::ops::Range<usize>>,
}

impl Engine {
    /// Indexes `docs` (one language) in memory. `group_ids` names `Document::groups`.
    pub fn build(docs: &[Document], group_ids: &[&str]) -> tantivy::Result<Engine> {
        let mut schema = Schema::builder();
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(WORDS)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let body = schema.add_text_field("body", TextOptions::default().set_indexing_options(indexing));
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(WORDS, AnalyzerTokenizer);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        let mut writer = index.writer_with_num_threads(threads, threads * 60_000_000)?;
        for doc in docs {
            let mut d = TantivyDocument::default();
            d.add_text(body, &doc.body);
            writer.add_document(d)?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        let postings = browser::postings(docs);
        let vocabulary = postings.vocabulary().into_iter().map(str::to_string).collect();
        Ok(Engine {
            index,
            reader,
            body,
            docs: docs.to_vec(),
            postings: postings.terms.into_iter().collect(),
            vocabulary,
            groups: group_ids.iter().map(|g| g.to_string()).collect(),
        })
    }

    /// Every document matching `text` (optionally only those for target group `group`),
    /// best first, by [`rank::rank`].
    pub fn ranked(&self, text: &str, group: Option<&str>) -> Vec<rank::Ranked> {
        let words = analyzer::words(text);
        let group = group.map(|g| self.groups.iter().position(|known| known == g));
        let mut ranked = rank::rank(&words, |term| self.postings.get(term).map(Vec::as_slice));
        if let Some(group) = group {
            ranked.retain(|r| group.is_some_and(|g| self.docs[r.id as usize].groups.contains(&g)));
        }
        ranked
    }

    /// "Did you mean": `text` with each word the index lacks replaced by the most common
    /// word one edit away ([`rank::suggest`]).
    pub fn suggestion(&self, text: &str) -> Option<String> {
        let words = analyzer::words(text);
        rank::suggest(text, &words, |w| self.postings.contains_key(w), self.vocabulary.iter().map(String::as_str))
    }

    /// The best `limit` documents for `text` (at most [`MAX_RESULTS`]), optionally only
    /// those for target group `group`.
    pub fn search(&self, text: &str, group: Option<&str>, limit: usize) -> tantivy::Result<Vec<Hit>> {
        let limit = limit.min(MAX_RESULTS);
        let words = analyzer::words(text);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let mut ranked = self.ranked(text, group);
        ranked.truncate(limit);
        // the snippet shows the query's words, folded or as typed
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &words {
            for form in [&word.folded, &word.exact] {
                let query = TermQuery::new(Term::from_field_text(self.body, form), IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, Box::new(query)));
            }
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let mut snippets = SnippetGenerator::create(&searcher, &query, self.body)?;
        snippets.set_max_num_chars(160);
        let mut hits = Vec::with_capacity(ranked.len());
        for r in ranked {
            let doc = &self.docs[r.id as usize];
            let snippet = snippets.snippet(&doc.body);
            let (snippet, highlights) = if snippet.is_empty() {
                (doc.summary.clone(), Vec::new())
            } else {
                // the exact and folded tokens of a word share its range: report it once
                let mut ranges = snippet.highlighted().to_vec();
                ranges.sort_by_key(|r| (r.start, r.end));
                ranges.dedup();
                (snippet.fragment().to_string(), ranges)
            };
            hits.push(Hit {
                title: doc.title.clone(),
                path: doc.path.clone(),
                crumb: doc.crumb.clone(),
                snippet,
                highlights,
            });
        }
        Ok(hits)
    }

    /// How many documents the index holds.
    pub fn len(&self) -> u64 {
        self.docs.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn index(&self) -> &Index {
        &self.index
    }
}

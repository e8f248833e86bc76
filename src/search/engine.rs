//! The tantivy index: the same documents and the same analyzer as the browser index, with
//! BM25 ranking and snippets, for `hoclieu search` (and the server's `/api/search`).
//!
//! Two tokenizers wrap [`analyzer::words`]:
//! - `hoclieu`: each word as its folded form, plus its exact form at the same position when
//!   it has diacritics; a query word with marks asks for both, so `đường` ranks documents
//!   with `đường` above those with only `dương`;
//! - `hoclieu_pairs`: neighbouring folded words (`an toan`), so phrases rank first.
//!
//! The index lives in memory: building it for the shipped site takes milliseconds, and for
//! 10 000 lessons a few seconds, cheaper than keeping a cache in step with the content.

use super::{analyzer, Document};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TantivyDocument, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, Term};

const WORDS: &str = "hoclieu";
const PAIRS: &str = "hoclieu_pairs";
/// How much more an exact (same diacritics) match weighs than a folded one.
const EXACT_BOOST: f32 = 2.0;
/// Results asked for at most: a larger limit is taken as this one (ten times as many
/// candidates are ranked, and their heap is made for the limit).
pub const MAX_RESULTS: usize = 1000;

/// Emits the analyzer's words (or pairs of words) as tantivy tokens.
#[derive(Clone, Copy)]
struct AnalyzerTokenizer {
    pairs: bool,
}

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
            if self.pairs {
                // pairs stay within a line: a heading does not run on into the next one
                if let Some(next) = words.get(position + 1).filter(|next| !text[word.end..next.start].contains('\n')) {
                    tokens.push(token(analyzer::pair(word, next), word.start, next.end, position));
                }
                continue;
            }
            tokens.push(token(word.folded.to_string(), word.start, word.end, position));
            if analyzer::has_marks(word) {
                tokens.push(token(word.exact.to_string(), word.start, word.end, position));
            }
        }
        Tokens { tokens, next: 0 }
    }
}

/// The fields, with their weight in ranking.
struct Fields {
    title: Field,
    headings: Field,
    summary: Field,
    body: Field,
    pairs: Field,
    path: Field,
    crumb: Field,
    group: Field,
}

pub struct Engine {
    index: Index,
    reader: IndexReader,
    fields: Fields,
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
    pub score: f32,
}

fn text_field(tokenizer: &str, stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(tokenizer)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

impl Engine {
    /// Indexes `docs` (one language) in memory. `group_ids` names `Document::groups`.
    pub fn build(docs: &[Document], group_ids: &[&str]) -> tantivy::Result<Engine> {
        let mut schema = Schema::builder();
        let fields = Fields {
            title: schema.add_text_field("title", text_field(WORDS, true)),
            headings: schema.add_text_field("headings", text_field(WORDS, true)),
            summary: schema.add_text_field("summary", text_field(WORDS, true)),
            body: schema.add_text_field("body", text_field(WORDS, true)),
            pairs: schema.add_text_field("pairs", text_field(PAIRS, false)),
            path: schema.add_text_field("path", STRING | STORED),
            crumb: schema.add_text_field("crumb", STORED),
            group: schema.add_text_field("group", STRING),
        };
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(WORDS, AnalyzerTokenizer { pairs: false });
        index.tokenizers().register(PAIRS, AnalyzerTokenizer { pairs: true });
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        let mut writer = index.writer_with_num_threads(threads, threads * 60_000_000)?;
        for doc in docs {
            let mut d = TantivyDocument::default();
            d.add_text(fields.title, &doc.title);
            d.add_text(fields.headings, &doc.headings);
            d.add_text(fields.summary, &doc.summary);
            d.add_text(fields.body, &doc.body);
            for text in [&doc.title, &doc.headings, &doc.summary, &doc.body] {
                d.add_text(fields.pairs, text);
            }
            d.add_text(fields.path, &doc.path);
            d.add_text(fields.crumb, &doc.crumb);
            for &g in &doc.groups {
                d.add_text(fields.group, group_ids[g]);
            }
            writer.add_document(d)?;
        }
        writer.commit()?;
        let reader = index.reader()?;
        Ok(Engine { index, reader, fields })
    }

    fn query(&self, text: &str, group: Option<&str>) -> BooleanQuery {
        let f = &self.fields;
        let words = analyzer::words(text);
        let term = |field: Field, text: &str, boost: f32| -> (Occur, Box<dyn Query>) {
            let query = TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs);
            (Occur::Should, Box::new(BoostQuery::new(Box::new(query), boost)))
        };
        let mut clauses = Vec::new();
        for (i, word) in words.iter().enumerate() {
            for (field, boost) in [(f.title, 3.0), (f.headings, 2.0), (f.summary, 1.5), (f.body, 1.0)] {
                clauses.push(term(field, &word.folded, boost));
                if analyzer::has_marks(word) {
                    // the exact form counts on top of the folded one, and weighs more than
                    // a folded match in a better field (`hoà` in a body before `Hóa` in a title)
                    clauses.push(term(field, &word.exact, boost * EXACT_BOOST));
                }
            }
            if let Some(next) = words.get(i + 1) {
                clauses.push(term(f.pairs, &analyzer::pair(word, next), 2.0));
            }
        }
        let matches: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
        let mut all = vec![(Occur::Must, matches)];
        if let Some(group) = group {
            let query = TermQuery::new(Term::from_field_text(f.group, group), IndexRecordOption::Basic);
            all.push((Occur::Must, Box::new(query)));
        }
        BooleanQuery::new(all)
    }

    /// The best `limit` documents for `text` (at most [`MAX_RESULTS`]), optionally only
    /// those for target group `group`.
    pub fn search(&self, text: &str, group: Option<&str>, limit: usize) -> tantivy::Result<Vec<Hit>> {
        let limit = limit.min(MAX_RESULTS);
        if analyzer::words(text).is_empty() {
            return Ok(Vec::new());
        }
        let query = self.query(text, group);
        let searcher = self.reader.searcher();
        // BM25 picks the candidates; they are then ranked as the browser ranks: most query
        // words present first, then most words present with the diacritics as typed
        let candidates = searcher.search(&query, &TopDocs::with_limit(limit.max(10) * 10).order_by_score())?;
        let asked = analyzer::words(text);
        let mut ranked = Vec::with_capacity(candidates.len());
        for (score, address) in candidates {
            let doc: TantivyDocument = searcher.doc(address)?;
            let mut folded = std::collections::HashSet::new();
            let mut exact = std::collections::HashSet::new();
            for field in [self.fields.title, self.fields.headings, self.fields.summary, self.fields.body] {
                for word in analyzer::words(doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default()) {
                    folded.insert(word.folded);
                    exact.insert(word.exact);
                }
            }
            let present = asked.iter().filter(|w| folded.contains(&w.folded)).count();
            let as_typed = asked.iter().filter(|w| analyzer::has_marks(w) && exact.contains(&w.exact)).count();
            ranked.push((present, as_typed, score, address, doc));
        }
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.total_cmp(&a.2)));
        ranked.truncate(limit);
        let mut snippets = SnippetGenerator::create(&searcher, &query, self.fields.body)?;
        snippets.set_max_num_chars(160);
        let mut hits = Vec::with_capacity(ranked.len());
        for (_, _, score, _, doc) in ranked {
            let get = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let snippet = snippets.snippet_from_doc(&doc);
            let (snippet, highlights) = if snippet.is_empty() {
                (get(self.fields.summary), Vec::new())
            } else {
                // the exact and folded tokens of a word share its range: report it once
                let mut ranges = snippet.highlighted().to_vec();
                ranges.sort_by_key(|r| (r.start, r.end));
                ranges.dedup();
                (snippet.fragment().to_string(), ranges)
            };
            hits.push(Hit {
                title: get(self.fields.title),
                path: get(self.fields.path),
                crumb: get(self.fields.crumb),
                snippet,
                highlights,
                score,
            });
        }
        Ok(hits)
    }

    /// How many documents the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn index(&self) -> &Index {
        &self.index
    }
}

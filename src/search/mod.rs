//! Search: one Vietnamese [`analyzer`] behind two indexes built from the same documents.
//!
//! - [`postings`]: every term's best documents and their scores, what both indexes hold;
//! - [`browser`]: a static index per language, split into small `.js` shards that register
//!   themselves, so a query downloads a few KB and works from `file://` (a USB stick) as
//!   well as over HTTP; written by the build beside the pages.
//! - [`engine`]: for `hoclieu search` and the server: the browser's postings held in memory
//!   and ranked by the same rule ([`rank`]), with tantivy for snippets.
//!
//! A language's index holds the pages written in that language: originals for the default
//! language, translations for the others. The browser searches the reader's language first,
//! then the default language.

pub mod analyzer;
pub mod browser;
pub mod engine;
pub mod postings;
pub mod rank;

use crate::content::PageKind;
use crate::site::{Page, PageStatus, Site};
use rayon::prelude::*;
use std::sync::Arc;

/// The folder of the search page in each language (`/vi/tim-kiem/`).
pub const PAGE_SLUG: &str = crate::site::SEARCH_SLUG;

/// One searchable page in one language. Its texts are NFC ([`documents`] makes them so),
/// which the indexes rely on.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub key: usize,
    pub title: String,
    /// Path from the language's folder (`an-toan/mat-khau-manh/`), the same in every language.
    pub path: String,
    /// The title of the section a lesson sits in, empty for other pages.
    pub crumb: String,
    pub summary: String,
    pub headings: String,
    pub body: String,
    /// Indexes into `config.groups` and `config.domains`.
    pub groups: Vec<usize>,
    pub domains: Vec<usize>,
}

/// The documents of language `lang`, in page order.
pub fn documents(site: &Site, lang: usize) -> Vec<Document> {
    (0..site.keys)
        .into_par_iter()
        .map(|key| site.page(key, lang))
        .filter(|page| indexed(page, lang))
        .map(|page| document(site, page, nfc(&page.text)))
        .collect()
}

/// The documents of every language ([`documents`]), taking the readable texts out of the
/// site: a build needs them for the index alone, and each is freed as soon as its document
/// holds its copy, so that the texts are not in memory twice while the pages and the index
/// are made.
pub fn take_documents(site: &mut Site) -> Vec<Vec<Document>> {
    let empty: Arc<str> = Arc::from("");
    let mut texts: Vec<Arc<str>> =
        site.pages.iter_mut().map(|p| std::mem::replace(&mut p.text, empty.clone())).collect();
    let site = &*site;
    // a fallback holds its original's text: let go of it first, so that the original's
    // is freed with its document
    for (text, page) in texts.iter_mut().zip(&site.pages) {
        if !indexed(page, page.lang) {
            *text = empty.clone();
        }
    }
    texts
        .par_chunks_mut(site.keys.max(1))
        .enumerate()
        .map(|(lang, texts)| {
            texts
                .par_iter_mut()
                .enumerate()
                .map(|(key, text)| (site.page(key, lang), text))
                .filter(|(page, _)| indexed(page, lang))
                .map(|(page, text)| {
                    let body = nfc(text);
                    *text = empty.clone();
                    document(site, page, body)
                })
                .collect()
        })
        .collect()
}

/// Whether a page of language `lang` is searched in that language's index: originals in
/// the default language, translations in theirs; never the home page.
fn indexed(page: &Page, lang: usize) -> bool {
    let own = match page.status {
        PageStatus::Original => lang == 0,
        PageStatus::Translated { .. } => true,
        PageStatus::Fallback => false,
    };
    own && page.source.kind != PageKind::Home
}

/// A page's document, its readable text `body` in NFC.
fn document(site: &Site, page: &Page, body: String) -> Document {
    let original = &site.page(page.key, 0).source.front;
    let front = &page.source.front;
    let lang_id = site.config.languages[page.lang].id.as_str();
    let path = page.output.strip_prefix(lang_id).and_then(|p| p.strip_prefix('/')).unwrap_or(&page.output);
    let crumb = match (&page.source.kind, page.section) {
        (PageKind::Lesson, Some(section)) => {
            site.page(site.sections[section].page, page.lang).source.front.title.clone()
        }
        _ => String::new(),
    };
    Document {
        key: page.key,
        title: nfc(&front.title),
        path: path.strip_suffix("index.html").unwrap_or(path).to_string(),
        crumb: nfc(&crumb),
        summary: nfc(&front.summary),
        headings: nfc(&page.headings.iter().map(|h| h.text.as_str()).collect::<Vec<_>>().join("\n")),
        // files are NFC, but a character reference or a mark after markup is not
        body,
        groups: original.groups.iter().filter_map(|g| site.config.groups.iter().position(|c| &c.id == g)).collect(),
        domains: original.domains.iter().filter_map(|d| site.config.domains.iter().position(|c| &c.id == d)).collect(),
    }
}

/// `text` in NFC, the form the analyzer's offsets refer to.
fn nfc(text: &str) -> String {
    analyzer::nfc(text).into_owned()
}

/// The fields of a document with their weight in ranking, shared by both indexes.
pub fn weighted_fields(doc: &Document) -> [(&str, f32); 4] {
    [(&doc.title, 3.0), (&doc.headings, 2.0), (&doc.summary, 1.5), (&doc.body, 1.0)]
}

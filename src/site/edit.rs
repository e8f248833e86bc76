//! A change to one page's text alone, taken into a linked [`Site`] without linking again:
//! what the preview does when an author saves a lesson.
//!
//! Only a change that leaves the site's shape as it was qualifies: the same front matter
//! (titles, order, taxonomies and lists stay), the same headings (links into the page
//! stay valid) and links to the same pages (fallback rendering stays). Anything else is
//! refused, and the caller links the whole site again.

use super::{links, translations, Page, PageStatus, Site};
use crate::content::SourcePage;
use crate::diag::Diagnostic;
use crate::markdown;

/// What an accepted edit changed.
#[derive(Debug, Default)]
pub struct TextEdit {
    /// Indices into `site.pages` whose text (or stale-translation notice) changed.
    pub pages: Vec<usize>,
    /// Indices into `site.courses` whose print page shows the changed text.
    pub courses: Vec<usize>,
    /// Link problems in the new text (warnings only: with an error nothing was changed).
    pub diagnostics: Vec<Diagnostic>,
}

/// Why an edit was not taken in.
#[derive(Debug)]
pub enum Refused {
    /// The new text has errors; the site is unchanged.
    Errors(Vec<Diagnostic>),
    /// The change reaches beyond the page's text: link the whole site again.
    NotTextOnly,
}

impl Site {
    /// Takes in `source`, a new reading of a file the site already has, when only its
    /// Markdown text changed.
    pub fn edit_text(&mut self, source: SourcePage) -> Result<TextEdit, Refused> {
        let key = self.page_by_source(&source.path).ok_or(Refused::NotTextOnly)?;
        let uses: Vec<usize> = (0..self.config.languages.len())
            .map(|lang| lang * self.keys + key)
            .filter(|&i| self.pages[i].source.path == source.path)
            .collect();
        let Some(&first) = uses.first() else { return Err(Refused::NotTextOnly) };
        let old = &self.pages[first].source;
        if old.kind != source.kind
            || old.lang != source.lang
            || old.slug != source.slug
            || old.course != source.course
            || old.front != source.front
        {
            return Err(Refused::NotTextOnly);
        }
        let outline = markdown::outline(source.body());
        let page = &self.pages[first];
        if outline.headings != page.headings {
            return Err(Refused::NotTextOnly);
        }
        let probe = Page {
            key,
            lang: page.lang,
            status: page.status,
            source: source.clone(),
            output: page.output.clone(),
            headings: outline.headings,
            course: page.course,
            prev: page.prev,
            next: page.next,
            links_to: page.links_to.clone(),
        };
        if links::linked_keys(self, &probe, &outline.links) != page.links_to {
            return Err(Refused::NotTextOnly);
        }
        let diagnostics = links::check(self, &probe, outline.links);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(Refused::Errors(diagnostics));
        }

        let mut edit = TextEdit { diagnostics, ..TextEdit::default() };
        for &i in &uses {
            self.pages[i].source = source.clone();
            edit.pages.push(i);
        }
        // Translations of an edited original may now be out of date, or up to date again.
        if first < self.keys {
            let hash = translations::source_hash(source.body());
            for lang in 1..self.config.languages.len() {
                let page = &mut self.pages[lang * self.keys + key];
                if let PageStatus::Translated { review, stale } = page.status {
                    let now = page.source.front.source_hash.as_deref().is_some_and(|h| h != hash);
                    if now != stale {
                        page.status = PageStatus::Translated { review, stale: now };
                        edit.pages.push(lang * self.keys + key);
                    }
                }
            }
        }
        if let Some(course) = self.pages[first].course {
            if self.courses[course].lessons.contains(&key) {
                edit.courses.push(course);
            }
        }
        Ok(edit)
    }
}

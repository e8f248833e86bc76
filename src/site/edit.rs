//! A change to one page's text alone, taken into a linked [`Site`] without linking again:
//! what the preview does when an author saves a lesson.
//!
//! Only a change that leaves the site's shape as it was qualifies: the same front matter
//! (titles, order, taxonomies and lists stay), the same headings and footnotes (links into
//! the page stay valid) and links to the same pages (fallback rendering stays). Anything else is
//! refused, and the caller links the whole site again.

use super::{links, translations, Page, PageStatus, Site};
use crate::content::{PageKind, SourcePage};
use crate::diag::Diagnostic;
use crate::markdown;
use std::sync::Arc;

/// What an accepted edit changed.
#[derive(Debug, Default)]
pub struct TextEdit {
    /// Indices into `site.pages` whose text (or stale-translation notice) changed.
    pub pages: Vec<usize>,
    /// Indices into `site.sections` whose print page shows the changed text.
    pub sections: Vec<usize>,
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
    pub fn edit_text(&mut self, mut source: SourcePage) -> Result<TextEdit, Refused> {
        let key = self.page_by_source(&source.path).ok_or(Refused::NotTextOnly)?;
        if source.kind == PageKind::Lesson && source.lang == self.config.default_language {
            // what the lesson's sections give it, as loading gave it the first time
            crate::content::inherit_one(&mut source, |id| {
                let section = self.sections.iter().find(|s| s.id == id)?;
                Some(&self.page(section.page, 0).source.front)
            });
        }
        let uses: Vec<usize> = (0..self.config.languages.len())
            .map(|lang| lang * self.keys + key)
            .filter(|&i| self.pages[i].source.path == source.path)
            .collect();
        let Some(&first) = uses.first() else { return Err(Refused::NotTextOnly) };
        let old = &self.pages[first].source;
        if old.kind != source.kind
            || old.lang != source.lang
            || old.slug != source.slug
            || old.section != source.section
            || old.front != source.front
        {
            return Err(Refused::NotTextOnly);
        }
        let outline = markdown::outline(source.body());
        let page = &self.pages[first];
        if outline.headings[..] != page.headings[..] || outline.footnotes[..] != page.footnotes[..] {
            return Err(Refused::NotTextOnly);
        }
        let source = Arc::new(source);
        let probe = Page {
            key,
            lang: page.lang,
            status: page.status,
            source: Arc::clone(&source),
            output: page.output.clone(),
            headings: Arc::from(outline.headings.as_slice()),
            text: Arc::clone(&outline.text),
            anchors: Default::default(),
            footnotes: Arc::from(outline.footnotes.as_slice()),
            section: page.section,
            prev: page.prev,
            next: page.next,
            links_to: page.links_to.clone(),
            uses: page.uses.clone(),
        };
        if links::targets(self, &probe, &outline.links) != (page.links_to.clone(), page.uses.clone()) {
            return Err(Refused::NotTextOnly);
        }
        let diagnostics = links::check(self, &probe, &outline);
        if diagnostics.iter().any(Diagnostic::is_error) {
            return Err(Refused::Errors(diagnostics));
        }

        let mut edit = TextEdit { diagnostics, ..TextEdit::default() };
        for &i in &uses {
            self.pages[i].source = Arc::clone(&source);
            self.pages[i].text = Arc::clone(&outline.text);
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
        edit.sections = self.sections_above(&self.pages[first]);
        Ok(edit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn minimal() -> Site {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal");
        crate::pipeline::linked(&root, false).unwrap().expect("the minimal fixture links")
    }

    /// The lesson's source with its body replaced by `body`.
    fn with_body(site: &Site, body: impl Fn(&str) -> String) -> SourcePage {
        let page = site.lessons().find(|p| p.source.path.ends_with("mat-khau-manh.md")).unwrap();
        let mut source = (*page.source).clone();
        let text = format!("{}{}", &source.text[..source.body_start], body(source.body()));
        source.text = text.into();
        source
    }

    #[test]
    fn a_text_edit_updates_the_page_its_fallbacks_and_its_print_pages() {
        let mut site = minimal();
        let source = with_body(&site, |b| format!("{b}\nĐoạn mới.\n"));
        let key = site.page_by_source(&source.path).unwrap();
        let edit = site.edit_text(source).expect("a text-only edit");
        assert_eq!(edit.pages, [key, site.keys + key], "the page and its fallback in the second language");
        assert_eq!(edit.sections, [site.pages[key].section.unwrap()]);
        assert!(site.page(key, 1).source.body().contains("Đoạn mới."), "the fallback shows the new text");
    }

    #[test]
    fn edits_beyond_the_text_are_refused_and_leave_the_site_as_it_was() {
        for (name, edit) in [
            ("new heading", Box::new(|b: &str| format!("{b}\n## Mục mới\n")) as Box<dyn Fn(&str) -> String>),
            ("link to another page", Box::new(|b: &str| format!("{b}\n[Giới thiệu](../gioi-thieu.md)\n"))),
        ] {
            let mut site = minimal();
            let source = with_body(&site, edit);
            assert!(matches!(site.edit_text(source), Err(Refused::NotTextOnly)), "{name}");
        }
        let mut site = minimal();
        let mut source = with_body(&site, |b| b.to_string());
        source.front.title = "Tên khác".into();
        assert!(matches!(site.edit_text(source), Err(Refused::NotTextOnly)), "front matter");

        let mut site = minimal();
        let before = site.lessons().find(|p| p.source.path.ends_with("mat-khau-manh.md")).unwrap().source.text.clone();
        let source = with_body(&site, |b| format!("{b}\n[hỏng](khong-co.md)\n"));
        match site.edit_text(source) {
            Err(Refused::Errors(diagnostics)) => assert!(diagnostics[0].message.contains("khong-co.md")),
            other => panic!("a broken link is an error: {other:?}"),
        }
        let after = &site.lessons().find(|p| p.source.path.ends_with("mat-khau-manh.md")).unwrap().source.text;
        assert_eq!(&before, after, "nothing changed");
    }
}

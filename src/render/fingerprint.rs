//! Fingerprints of the pages rendered from the site: for every [`Target`], a hash of all
//! that rendering it reads from the [`Site`] (and of the versions of the image files its
//! text shows). The preview keeps the fingerprints of the pages it serves; after a change
//! it links the site again, and renders again only the pages whose fingerprint changed.
//!
//! This mirrors what the page views of `render` read: the frame every page gets
//! (`Frame::context`), `render_page` for each kind of page, `print_page` and the list
//! pages of `lists`. What comes from
//! `book.toml` and the theme is left out (a change to either renders everything again).
//! A page view that reads something new from the site must add it here: the preview's
//! tests compare what the preview serves after edits with a whole build, byte for byte.

use super::targets::{self, Target};
use crate::content::{PageKind, Version};
use crate::site::taxonomy::Coverage;
use crate::site::{Page, PageStatus, Site};
use rayon::prelude::*;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

/// Every page's output path, target and fingerprint. `version` gives an asset's version
/// by its source path.
pub fn all(site: &Site, version: &Versions<'_>) -> Vec<(String, Target, u64)> {
    let inputs = Inputs::cached(site, version);
    let coverage = Coverage::of(site);
    targets::all(site)
        .into_par_iter()
        .map(|target| (target.output(site), target, inputs.target(target, Some(&coverage))))
        .collect()
}

/// The output paths and fingerprints of a few targets.
pub fn of(site: &Site, targets: &[Target], version: &Versions<'_>) -> Vec<(String, u64)> {
    let inputs = Inputs { site, version, cached: None };
    targets.iter().map(|&target| (target.output(site), inputs.target(target, None))).collect()
}

/// An asset's version by its source path.
pub type Versions<'a> = dyn Fn(&Path) -> Option<Version> + Sync + 'a;

/// What many pages read of each page: hashed once when most pages are fingerprinted.
struct Inputs<'a> {
    site: &'a Site,
    version: &'a Versions<'a>,
    cached: Option<Cached>,
}

struct Cached {
    link: Vec<u64>,
    item: Vec<u64>,
    body: Vec<u64>,
}

fn hash(value: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

fn heading_ids(page: &Page) -> Vec<&str> {
    page.headings.iter().map(|h| h.id.as_str()).collect()
}

/// Title and address of a page (a link to it: previous, next, breadcrumbs), and whether
/// its title falls back to the default language (`lang`).
fn link(page: &Page) -> u64 {
    hash((&page.source.front.title, &page.output, page.status == PageStatus::Fallback))
}

/// A page as a lesson in a list: title, address, summary, duration, level, id, fallback.
fn item(site: &Site, page: &Page) -> u64 {
    let front = &page.source.front;
    let fallback = page.status == PageStatus::Fallback;
    hash((
        &front.title,
        &page.output,
        &front.summary,
        front.duration,
        front.level,
        &site.page(page.key, 0).output,
        fallback,
    ))
}

impl<'a> Inputs<'a> {
    fn cached(site: &'a Site, version: &'a Versions<'a>) -> Inputs<'a> {
        let link = site.pages.par_iter().map(link).collect();
        let item = site.pages.par_iter().map(|p| item(site, p)).collect();
        // Only pages shown with their own text are rendered from Markdown.
        let own: Vec<Option<u64>> = (0..site.pages.len())
            .into_par_iter()
            .map(|i| (targets::body_source(site, i) == i).then(|| own_body(site, &site.pages[i], version)))
            .collect();
        let body = (0..site.pages.len()).map(|i| own[targets::body_source(site, i)].expect("rendered")).collect();
        Inputs { site, version, cached: Some(Cached { link, item, body }) }
    }

    fn link(&self, i: usize) -> u64 {
        self.cached.as_ref().map_or_else(|| link(&self.site.pages[i]), |c| c.link[i])
    }

    fn item(&self, i: usize) -> u64 {
        self.cached.as_ref().map_or_else(|| item(self.site, &self.site.pages[i]), |c| c.item[i])
    }

    /// The body's HTML: the text shown and all it looks up.
    fn body(&self, i: usize) -> u64 {
        let site = self.site;
        self.cached
            .as_ref()
            .map_or_else(|| own_body(site, &site.pages[targets::body_source(site, i)], self.version), |c| c.body[i])
    }

    fn at(&self, key: usize, lang: usize) -> usize {
        lang * self.site.keys + key
    }

    fn target(&self, target: Target, coverage: Option<&Coverage>) -> u64 {
        let site = self.site;
        let mut h = DefaultHasher::new();
        // not the indices in the target: they shift when a page comes or goes
        std::mem::discriminant(&target).hash(&mut h);
        target.output(site).hash(&mut h);
        match target {
            Target::Page(i) => self.page(i, &mut h),
            Target::Print(c, lang) => {
                let course = &site.courses[c];
                let front = &site.page(course.page, lang).source.front;
                (&front.title, &front.summary, self.link(self.at(course.page, lang))).hash(&mut h);
                for l in 0..site.config.languages.len() {
                    site.page(course.page, l).output.hash(&mut h);
                }
                for &key in &course.lessons {
                    let lesson = site.page(key, lang);
                    let front = &lesson.source.front;
                    (&lesson.source.slug, &front.title, &front.objectives).hash(&mut h);
                    (lesson.status == PageStatus::Fallback, self.body(self.at(key, lang))).hash(&mut h);
                }
            }
            Target::Path(p, lang) => {
                let path = &site.taxonomy.paths[p];
                path.group.hash(&mut h);
                for (domain, keys) in &path.sections {
                    domain.hash(&mut h);
                    keys.iter().map(|&k| self.item(self.at(k, lang))).collect::<Vec<u64>>().hash(&mut h);
                }
            }
            Target::Domain(d, lang) => {
                let domain = &site.taxonomy.domains[d];
                domain.domain.hash(&mut h);
                for (level, keys) in &domain.levels {
                    level.hash(&mut h);
                    keys.iter().map(|&k| self.item(self.at(k, lang))).collect::<Vec<u64>>().hash(&mut h);
                }
            }
            Target::Report(lang) => {
                let computed;
                let coverage = match coverage {
                    Some(coverage) => coverage,
                    None => {
                        computed = Coverage::of(site);
                        &computed
                    }
                };
                for row in &coverage.cells[lang] {
                    for cell in row {
                        cell.map(|c| (c.lessons, c.minutes)).hash(&mut h);
                    }
                }
            }
            Target::Search(_) => {}
            Target::Languages => {
                for lang in 0..site.config.languages.len() {
                    site.page(site.home, lang).output.hash(&mut h);
                }
            }
        }
        h.finish()
    }

    /// What [`super::render_page`] reads for `site.pages[i]`.
    fn page(&self, i: usize, h: &mut DefaultHasher) {
        let site = self.site;
        let page = &site.pages[i];
        let lang = page.lang;
        (&page.source.kind, page.status, &page.source.front, page.source.updated, self.body(i)).hash(h);
        for l in 0..site.config.languages.len() {
            site.page(page.key, l).output.hash(h);
        }
        (&site.page(page.key, 0).output, &site.page(site.home, lang).output).hash(h);
        let course = page.course.map(|c| &site.courses[c]);
        course.map(|c| self.link(self.at(c.page, lang))).hash(h);
        page.prev.map(|k| self.link(self.at(k, lang))).hash(h);
        page.next.map(|k| self.link(self.at(k, lang))).hash(h);
        match page.source.kind {
            PageKind::Home => {
                for course in &site.courses {
                    let page = site.page(course.page, lang);
                    let fallback = page.status == PageStatus::Fallback;
                    (&page.source.front.title, &page.source.front.summary, &page.output, fallback).hash(h);
                    course.lessons.len().hash(h);
                }
                for path in &site.taxonomy.paths {
                    let mut keys: Vec<usize> = path.sections.iter().flat_map(|(_, l)| l.iter().copied()).collect();
                    keys.sort_unstable();
                    keys.dedup();
                    (path.group, keys.len()).hash(h);
                }
                for domain in &site.taxonomy.domains {
                    (domain.domain, domain.levels.iter().map(|(_, l)| l.len()).sum::<usize>()).hash(h);
                }
            }
            PageKind::CourseIndex => {
                if let Some(course) = course {
                    course.lessons.iter().map(|&k| self.item(self.at(k, lang))).collect::<Vec<u64>>().hash(h);
                }
            }
            PageKind::Lesson | PageKind::Page => {}
        }
    }
}

/// What rendering a page's own Markdown reads: the text, where the page is (links are
/// relative), its language (UI strings of quizzes and callouts), and what its links and
/// images resolve to (addresses, headings for anchors, image files for their size).
fn own_body(site: &Site, page: &Page, version: &Versions<'_>) -> u64 {
    let mut h = DefaultHasher::new();
    (page.source.body(), &page.output, page.lang).hash(&mut h);
    let original = site.page(page.key, 0);
    heading_ids(original).hash(&mut h);
    // a fallback's links were resolved on the original
    let uses = if page.status == PageStatus::Fallback { &original.uses } else { &page.uses };
    for &key in &uses.pages {
        let target = site.page(key, page.lang);
        (&target.output, heading_ids(target), heading_ids(site.page(key, 0))).hash(&mut h);
    }
    for &asset in &uses.assets {
        let asset = &site.assets[asset];
        (&asset.source, &asset.output, version(&asset.source)).hash(&mut h);
    }
    h.finish()
}

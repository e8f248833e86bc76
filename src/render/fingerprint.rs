//! Fingerprints of the pages rendered from the site: for every [`Target`], a hash of its
//! [`PageView`](super::view::PageView) (everything its template reads, as the view says it)
//! and of what rendering the Markdown bodies it shows reads (the text, where the page is,
//! and what its links and images resolve to, with the versions of the files they show).
//! The preview keeps the fingerprints of the pages it serves; after a change it links the
//! site again, and renders again only the pages whose fingerprint changed.
//!
//! What comes from book.toml and the theme is in the views too, but a change to either
//! renders everything again anyway. The preview's tests compare what the preview serves
//! after edits with a whole build, byte for byte.

use super::targets::{self, Target};
use super::theme::Theme;
use super::view::PageView;
use crate::content::Version;
use crate::site::taxonomy::Coverage;
use crate::site::{Page, PageStatus, Site};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use xxhash_rust::xxh3::Xxh3Default;

/// Every page's output path, target and fingerprint. `version` gives an asset's version
/// by its source path.
pub fn all(site: &Site, theme: &Theme, version: &Versions<'_>) -> Vec<(String, Target, u64)> {
    let coverage = Coverage::of(site);
    // each body once, though a lesson shows in its page and its course's print page
    let bodies: Vec<Option<u64>> = (0..site.pages.len())
        .into_par_iter()
        .map(|i| (targets::body_source(site, i) == i).then(|| own_body(site, &site.pages[i], version)))
        .collect();
    let body = |i: usize| bodies[i].unwrap_or_else(|| own_body(site, &site.pages[i], version));
    targets::all(site)
        .into_par_iter()
        .map(|target| {
            let view = targets::view(site, theme, target, Some(&coverage));
            let print = of_view(&view, &body);
            (view.output, target, print)
        })
        .collect()
}

/// The output paths and fingerprints of a few targets.
pub fn of(site: &Site, theme: &Theme, targets: &[Target], version: &Versions<'_>) -> Vec<(String, u64)> {
    let mut bodies: HashMap<usize, u64> = HashMap::new();
    targets
        .iter()
        .map(|&target| {
            let view = targets::view(site, theme, target, None);
            for i in view.bodies() {
                bodies.entry(i).or_insert_with(|| own_body(site, &site.pages[i], version));
            }
            let print = of_view(&view, &|i| bodies[&i]);
            (view.output, print)
        })
        .collect()
}

/// The fingerprints of pages whose views are made already (a build renders them next), in
/// their order: each body they show hashed once.
pub fn of_views(site: &Site, views: &[PageView], version: &Versions<'_>) -> Vec<u64> {
    let mut shown: Vec<usize> = views.iter().flat_map(PageView::bodies).collect();
    shown.sort_unstable();
    shown.dedup();
    let bodies: HashMap<usize, u64> =
        shown.into_par_iter().map(|i| (i, own_body(site, &site.pages[i], version))).collect();
    views.par_iter().map(|view| of_view(view, &|i| bodies[&i])).collect()
}

/// An asset's version by its source path.
pub type Versions<'a> = dyn Fn(&Path) -> Option<Version> + Sync + 'a;

/// A page's fingerprint: its view, and the hash of each body it shows (`body`, by index
/// into `site.pages`, from [`own_body`]).
fn of_view(view: &PageView, body: &(dyn Fn(usize) -> u64 + Sync)) -> u64 {
    let mut h = Xxh3Default::new();
    view.fingerprint(&mut h);
    for i in view.bodies() {
        body(i).hash(&mut h);
    }
    h.finish()
}

fn heading_ids(page: &Page) -> Vec<&str> {
    page.headings.iter().map(|h| h.id.as_str()).collect()
}

/// What rendering a page's own Markdown reads: the text, where the page is (links are
/// relative), its language (UI strings of quizzes and callouts), and what its links and
/// images resolve to (addresses, headings for anchors, image files for their size).
fn own_body(site: &Site, page: &Page, version: &Versions<'_>) -> u64 {
    let mut h = Xxh3Default::new();
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
        (&asset.source, &asset.output, asset.size, version(&asset.source)).hash(&mut h);
    }
    h.finish()
}

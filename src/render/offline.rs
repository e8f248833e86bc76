//! Saving for offline reading: for every course page and learning-path page that has
//! lessons, the exact list of files a learner's "Lưu để học offline" button saves (the page,
//! its lessons, and the stylesheets, scripts, images and fonts those pages load) with their
//! total size, as `offline.json` next to the page. The theme's `offline.js` reads it; the
//! service worker (`sw.js`) serves the saved copies.
//!
//! Runs on the rendered pages, because sizes are known only then: what each page loads comes
//! with it from rendering ([`super::RenderedPage::loads`]), never from reading its HTML back.
//! Returns new files, never writes. Links to other pages are not followed: a course saves
//! its own lessons and nothing more.

use super::PageLoads;
use crate::output::{Contents, OutputFile};
use crate::site::Site;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The manifest's file name, next to the course or path page.
pub const MANIFEST: &str = "offline.json";

/// What one save button saves, written as `offline.json`.
#[derive(Debug, serde::Serialize)]
struct Manifest {
    /// Lessons in the save (the page itself not counted), for "Lưu N bài".
    lessons: usize,
    /// Sum of the files' sizes as written (uncompressed): what the cache will hold.
    bytes: u64,
    /// `bytes` for people, in the units phones show.
    size: String,
    /// Output paths, relative to the output root, sorted.
    files: Vec<String>,
}

/// The folder of a course or path page (`vi/an-toan` for `vi/an-toan/index.html`): the
/// save's name in the browser's caches, and where its manifest goes.
pub fn folder(page_output: &str) -> &str {
    page_output.strip_suffix("/index.html").unwrap_or(page_output)
}

/// Whether a course or path page with this many lessons gets a save button (and a manifest).
pub(super) fn saves(lessons: usize) -> bool {
    lessons > 0
}

/// One `offline.json` per course page and learning-path page in every language. `sizes`
/// gives the size of every file of the output (pages, theme files, assets), `pages` what
/// each rendered page loads.
pub(super) fn manifests(
    site: &Site,
    sizes: &HashMap<String, u64>,
    pages: &BTreeMap<String, PageLoads>,
) -> Vec<OutputFile> {
    saved_pages(site)
        .par_iter()
        .map(|(page, lessons)| {
            manifest(page, lessons, &|shown| pages.get(shown).map(|p| p.loads.as_slice()), &|f| sizes.get(f).copied())
        })
        .collect()
}

/// Every course page and learning-path page with a save button (in every language), with
/// the lessons it saves: output paths.
pub fn saved_pages(site: &Site) -> Vec<(String, Vec<String>)> {
    let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
    for lang in 0..site.config.languages.len() {
        for section in site.sections.iter().filter(|s| saves(s.reading.len())) {
            let page = site.page(section.page, lang).output.clone();
            let lessons = section.reading.iter().map(|&k| site.page(k, lang).output.clone()).collect();
            wanted.push((page, lessons));
        }
        for path in &site.taxonomy.paths {
            let mut seen = std::collections::HashSet::new();
            let lessons: Vec<String> = path
                .sections
                .iter()
                .flat_map(|(_, keys)| keys.iter().copied())
                .filter(|&k| seen.insert(k))
                .map(|k| site.page(k, lang).output.clone())
                .collect();
            if saves(lessons.len()) {
                wanted.push((site.group_output(path.group, lang), lessons));
            }
        }
    }
    wanted
}

/// The manifest of the save button on `page`: the page, its lessons, and the existing
/// files they load. `loads` gives what a page loads, `size` a file's size when it exists.
pub fn manifest<'a>(
    page: &str,
    lessons: &[String],
    loads: &dyn Fn(&str) -> Option<&'a [super::view::Load]>,
    size: &dyn Fn(&str) -> Option<u64>,
) -> OutputFile {
    let mut list = BTreeSet::new();
    for shown in std::iter::once(page).chain(lessons.iter().map(String::as_str)) {
        list.insert(shown.to_string());
        list.extend(
            loads(shown)
                .into_iter()
                .flatten()
                // an image's original is for whoever taps "Xem ảnh gốc" online, not for saves
                .filter(|f| f.kind != super::view::LoadKind::Original && size(&f.path).is_some())
                .map(|f| f.path.clone()),
        );
    }
    let bytes = list.iter().map(|f| size(f).unwrap_or(0)).sum();
    let manifest =
        Manifest { lessons: lessons.len(), bytes, size: super::human_size(bytes), files: list.into_iter().collect() };
    let json = serde_json::to_vec(&manifest).expect("a manifest serialises");
    OutputFile { path: format!("{}/{MANIFEST}", folder(page)), contents: Contents::Bytes(json) }
}

#[cfg(test)]
pub(crate) mod tests {
    /// The URLs a page of ours loads or links to: `src="…"`, `href="…"` and CSS `url("…")`.
    /// The HTML is our own templates' output, so attributes are always double-quoted.
    pub(crate) fn references(html: &str) -> impl Iterator<Item = &str> {
        [" src=\"", " href=\"", "url(\""].into_iter().flat_map(move |needle| {
            html.match_indices(needle).filter_map(move |(at, _)| {
                let rest = &html[at + needle.len()..];
                rest.find('"').map(|end| &rest[..end])
            })
        })
    }

    /// The output path a relative URL on the page at `from` points to, or `None` for URLs that
    /// leave the site (other schemes, absolute paths, above the root) or stay on the page.
    /// What the page at `shown` loads or links to, read back from its HTML: the oracle
    /// that page views' loads are checked against.
    pub(crate) fn scraped(shown: &str, html: &str) -> Vec<String> {
        references(html)
            .filter_map(|reference| crate::render::view::resolve(shown, reference))
            .filter(|target| !target.ends_with(".html"))
            .collect()
    }

    #[test]
    fn references_are_sources_links_and_css_urls() {
        let html = r#"<link rel="icon" href="data:,"><style>@font-face{src:url("../f.woff2")}</style><img alt="" src="a.png"><a href="b/index.html">b</a><p data-x="c.png">"#;
        let mut found: Vec<&str> = references(html).collect();
        found.sort_unstable();
        assert_eq!(found, ["../f.woff2", "a.png", "b/index.html", "data:,"]);
    }

    /// Page views say what each page loads; the HTML the templates write from them must
    /// load exactly that (of the files that exist): checked against the HTML read back, on
    /// fixtures with images, linked files, raw HTML, fonts and every page kind.
    #[test]
    fn what_page_views_say_a_page_loads_is_what_its_html_loads() {
        use crate::output::Contents;
        use std::collections::BTreeSet;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        for fixture in ["tests/fixtures/languages", "tests/fixtures/minimal", "tests/fixtures/packs", "."] {
            let site = crate::pipeline::linked(&root.join(fixture), false).unwrap().expect("the fixture links");
            let (rendered, _) = crate::render::site(&site).unwrap();
            let files: BTreeSet<&str> = rendered.files.iter().map(|f| f.path.as_str()).collect();
            for file in rendered.files.iter().filter(|f| f.path.ends_with(".html")) {
                let Contents::Bytes(html) = &file.contents else { continue };
                let mut scraped: Vec<String> = scraped(&file.path, &String::from_utf8_lossy(html))
                    .into_iter()
                    .filter(|f| files.contains(f.as_str()))
                    .collect();
                scraped.sort();
                scraped.dedup();
                let loads = &rendered.pages[&file.path].loads;
                let mut said: Vec<String> =
                    loads.iter().map(|l| l.path.clone()).filter(|f| files.contains(f.as_str())).collect();
                said.sort();
                assert_eq!(said, scraped, "{fixture}: {}", file.path);
                checked += 1;
            }
        }
        assert!(checked > 200, "only {checked} pages checked");
    }
}

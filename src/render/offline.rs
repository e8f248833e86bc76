//! Saving for offline reading: for every course page and learning-path page that has
//! lessons, the exact list of files a learner's "Lưu để học offline" button saves (the page,
//! its lessons, and the stylesheets, scripts, images and fonts those pages load) with their
//! total size, as `offline.json` next to the page. The theme's `offline.js` reads it; the
//! service worker (`sw.js`) serves the saved copies.
//!
//! Runs on the rendered files, because sizes are known only then; it reads them and returns
//! new files, never writes. Links to other pages are not followed: a course saves its own
//! lessons and nothing more.

use super::{Contents, OutputFile};
use crate::site::{percent_decode, Site};
use crate::Error;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};

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

/// One `offline.json` per course page and learning-path page in every language.
pub(super) fn manifests(site: &Site, files: &[OutputFile]) -> Result<Vec<OutputFile>, Error> {
    let mut sizes: HashMap<&str, u64> = HashMap::with_capacity(files.len());
    let mut html: HashMap<&str, &[u8]> = HashMap::new();
    for file in files {
        let size = match &file.contents {
            Contents::Bytes(bytes) => {
                if file.path.ends_with(".html") {
                    html.insert(&file.path, bytes);
                }
                bytes.len() as u64
            }
            Contents::Copy(source) => {
                let source = site.config.root.join(source);
                std::fs::metadata(&source).map_err(|e| Error::io(&source, "cannot read the size of", e))?.len()
            }
        };
        sizes.insert(&file.path, size);
    }
    let wanted = saved_pages(site);
    // each page's files are read once (a lesson is in its course and in several paths), in
    // parallel
    let pages: BTreeSet<&str> =
        wanted.iter().flat_map(|(page, lessons)| std::iter::once(page).chain(lessons)).map(String::as_str).collect();
    let loaded: HashMap<&str, Vec<String>> = pages
        .into_par_iter()
        .map(|shown| match html.get(shown) {
            Some(text) => (shown, loads(shown, &String::from_utf8_lossy(text))),
            None => (shown, Vec::new()),
        })
        .collect();
    let out = wanted
        .iter()
        .map(|(page, lessons)| {
            manifest(page, lessons, &|shown| loaded.get(shown).map(Vec::as_slice), &|f| sizes.get(f).copied())
        })
        .collect();
    Ok(out)
}

/// Every course page and learning-path page with a save button (in every language), with
/// the lessons it saves: output paths.
pub fn saved_pages(site: &Site) -> Vec<(String, Vec<String>)> {
    let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
    for lang in 0..site.config.languages.len() {
        for course in site.courses.iter().filter(|c| saves(c.lessons.len())) {
            let page = site.page(course.page, lang).output.clone();
            let lessons = course.lessons.iter().map(|&k| site.page(k, lang).output.clone()).collect();
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

/// The output paths of the files (not pages) that the page at `shown` loads or links to,
/// whether they exist or not.
pub fn loads(shown: &str, html: &str) -> Vec<String> {
    references(html)
        .filter_map(|reference| resolve(shown, reference))
        .filter(|target| !target.ends_with(".html"))
        .collect()
}

/// The manifest of the save button on `page`: the page, its lessons, and the existing
/// files they load. `loads` gives a page's [`loads`], `size` a file's size when it exists.
pub fn manifest<'a>(
    page: &str,
    lessons: &[String],
    loads: &dyn Fn(&str) -> Option<&'a [String]>,
    size: &dyn Fn(&str) -> Option<u64>,
) -> OutputFile {
    let mut list = BTreeSet::new();
    for shown in std::iter::once(page).chain(lessons.iter().map(String::as_str)) {
        list.insert(shown.to_string());
        list.extend(loads(shown).into_iter().flatten().filter(|f| size(f).is_some()).cloned());
    }
    let bytes = list.iter().map(|f| size(f).unwrap_or(0)).sum();
    let manifest =
        Manifest { lessons: lessons.len(), bytes, size: super::human_size(bytes), files: list.into_iter().collect() };
    let json = serde_json::to_vec(&manifest).expect("a manifest serialises");
    OutputFile { path: format!("{}/{MANIFEST}", folder(page)), contents: Contents::Bytes(json) }
}

/// The URLs a page of ours loads or links to: `src="…"`, `href="…"` and CSS `url("…")`.
/// The HTML is our own templates' output, so attributes are always double-quoted.
fn references(html: &str) -> impl Iterator<Item = &str> {
    [" src=\"", " href=\"", "url(\""].into_iter().flat_map(move |needle| {
        html.match_indices(needle).filter_map(move |(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
    })
}

/// The output path a relative URL on the page at `from` points to, or `None` for URLs that
/// leave the site (other schemes, absolute paths, above the root) or stay on the page.
fn resolve(from: &str, url: &str) -> Option<String> {
    let url = url.split(['#', '?']).next().unwrap_or_default();
    if url.is_empty() || url.starts_with('/') || url.contains(':') {
        return None;
    }
    let url = percent_decode(url);
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in url.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_resolve_to_output_paths_within_the_site() {
        let cases = [
            ("vi/a/b/index.html", "../../../assets/style.1234.css", Some("assets/style.1234.css")),
            ("vi/a/b/index.html", "../../../media/a/s%C6%A1%20%C4%91%E1%BB%93.svg", Some("media/a/sơ đồ.svg")),
            ("vi/a/index.html", "b/index.html#top", Some("vi/a/b/index.html")),
            ("vi/a/index.html", "./x.png?v=1", Some("vi/a/x.png")),
            ("vi/a/index.html", "#main", None),
            ("vi/a/index.html", "data:,", None),
            ("vi/a/index.html", "https://example.org/x.png", None),
            ("vi/a/index.html", "/x.png", None),
            ("vi/index.html", "../../x.png", None),
        ];
        for (from, url, want) in cases {
            assert_eq!(super::resolve(from, url).as_deref(), want, "{from} + {url}");
        }
    }

    #[test]
    fn references_are_sources_links_and_css_urls() {
        let html = r#"<link rel="icon" href="data:,"><style>@font-face{src:url("../f.woff2")}</style><img alt="" src="a.png"><a href="b/index.html">b</a><p data-x="c.png">"#;
        let mut found: Vec<&str> = super::references(html).collect();
        found.sort_unstable();
        assert_eq!(found, ["../f.woff2", "a.png", "b/index.html", "data:,"]);
    }
}

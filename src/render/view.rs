//! Page views: each page of the output described once, as a value, before any HTML is
//! written. A [`PageView`] holds what the page is (its address, language and template),
//! what every page shows (title, breadcrumbs, previous and next), which Markdown text is
//! its body, what its template reads besides (`data`), and the files its frame loads
//! (stylesheet, scripts, icons, logo, font).
//!
//! Everything downstream reads views instead of HTML: [`super::page`] renders one with the
//! theme's template; the preview's [`super::fingerprint`] hashes it to tell which pages a
//! change reaches; rendering adds the body's own loads (images, linked files) to the
//! frame's, and from those [`super::offline`] lists what a save button saves, the budget
//! lint weighs a page, and the service worker learns the files every page needs.

use crate::site::percent_decode;
use serde::Serialize;
use std::hash::{Hash, Hasher};

/// One page of the output, described.
#[derive(Debug, Clone)]
pub struct PageView {
    /// Where the page goes in the output (`vi/an-toan/mat-khau-manh/index.html`).
    pub output: String,
    /// Index into `config.languages`.
    pub lang: usize,
    /// The same page's output path in every language (same order as the languages).
    pub alternates: Vec<String>,
    /// The theme's template that renders it.
    pub template: &'static str,
    pub title: String,
    /// The default language's tag when the title is shown untranslated.
    pub title_lang: Option<String>,
    /// The meta description.
    pub description: String,
    pub breadcrumbs: Vec<Link>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
    pub body: Body,
    /// Output paths of the files the page's frame loads, whatever its body holds.
    pub loads: Vec<Load>,
    /// What the template reads besides the above, by name (`page`, `course`, `path`…).
    pub data: serde_json::Map<String, serde_json::Value>,
}

/// Which Markdown text a page shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Body {
    /// None: the page is made from the site's lists (paths, domains, search…).
    None,
    /// The text of `site.pages[i]` (a fallback may show its original's).
    Page(usize),
    /// A course's print page: the texts of these `site.pages`, one after another, each
    /// with its heading ids prefixed by its slug (`<slug>-`), and their quizzes' answers.
    Print(Vec<usize>),
}

/// A page linked by its title: previous, next, breadcrumbs.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
pub struct Link {
    pub title: String,
    pub url: String,
    /// The default language's tag when the title falls back to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// A file a page loads, by output path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Load {
    pub path: String,
    pub kind: LoadKind,
}

pub use crate::markdown::loads::LoadKind;

impl PageView {
    /// A hash of everything the view says: two views with the same fingerprint render the
    /// same page, given the same body HTML, config and theme. Of the body, only its kind:
    /// indices into `site.pages` shift when a page comes or goes (the caller hashes what
    /// the bodies are made from).
    pub fn fingerprint(&self, hasher: &mut impl Hasher) {
        (&self.output, self.lang, &self.alternates, self.template).hash(hasher);
        (&self.title, &self.title_lang, &self.description).hash(hasher);
        (&self.breadcrumbs, &self.prev, &self.next, &self.loads).hash(hasher);
        std::mem::discriminant(&self.body).hash(hasher);
        // what the JSON text of the data says, without writing it out
        hash_json_map(&self.data, hasher);
    }

    /// The indices into `site.pages` of the pages whose bodies it shows.
    pub fn bodies(&self) -> Vec<usize> {
        match &self.body {
            Body::None => Vec::new(),
            Body::Page(i) => vec![*i],
            Body::Print(pages) => pages.clone(),
        }
    }
}

/// Hashes a JSON object as its text would: entries in the map's order (sorted by key: no
/// `preserve_order`), every value told apart by kind, numbers by kind and bits (serde_json's
/// own `Hash` takes -0.0 for 0.0, and an integer for a float of the same bits).
fn hash_json_map(map: &serde_json::Map<String, serde_json::Value>, h: &mut impl Hasher) {
    map.len().hash(h);
    for (key, value) in map {
        key.hash(h);
        hash_json(value, h);
    }
}

fn hash_json(value: &serde_json::Value, h: &mut impl Hasher) {
    use serde_json::Value;
    match value {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, b).hash(h),
        Value::Number(n) => (2u8, n.is_f64(), n.as_u64(), n.as_i64(), n.as_f64().map(f64::to_bits)).hash(h),
        Value::String(s) => (3u8, s).hash(h),
        Value::Array(items) => {
            (4u8, items.len()).hash(h);
            for item in items {
                hash_json(item, h);
            }
        }
        Value::Object(map) => {
            5u8.hash(h);
            hash_json_map(map, h);
        }
    }
}

/// What a page's Markdown body became, for the page views that show it: its HTML, the
/// files it loads by relative URL (the same on every page that shows it: they all sit at
/// the same depth), what it would load from another host, its quizzes' answers.
pub type RenderedBody = crate::markdown::Html;

/// The output path a relative URL on the page at `from` points to, or `None` for URLs that
/// leave the site (other schemes, absolute paths, above the root) or stay on the page.
pub fn resolve(from: &str, url: &str) -> Option<String> {
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
    use std::hash::Hasher;

    #[test]
    fn page_data_that_reads_differently_hashes_differently() {
        let hash = |text: &str| {
            let data: serde_json::Value = serde_json::from_str(text).unwrap();
            let mut h = std::hash::DefaultHasher::new();
            super::hash_json_map(data.as_object().unwrap(), &mut h);
            h.finish()
        };
        let same = [r#"{"a": 1, "b": [true, null]}"#, r#"{"b": [true, null], "a": 1}"#];
        assert_eq!(hash(same[0]), hash(same[1]), "the same data in another order");
        let differ = [
            r#"{"a": 0.0}"#,
            r#"{"a": -0.0}"#,
            r#"{"a": 0}"#,
            r#"{"a": 1.0}"#,
            r#"{"a": 4607182418800017408}"#,
            r#"{"a": -1}"#,
            r#"{"a": "1"}"#,
            r#"{"a": [1]}"#,
            r#"{"a": {"b": 1}}"#,
            r#"{"a": null}"#,
            r#"{"a": [[], []]}"#,
            r#"{"a": [[[]]]}"#,
            r#"{"ab": ""}"#,
            r#"{"a": "b"}"#,
            r#"{}"#,
        ];
        let hashes: std::collections::HashSet<u64> = differ.iter().map(|t| hash(t)).collect();
        assert_eq!(hashes.len(), differ.len(), "every one hashes differently");
    }

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
}

//! Page budgets: the compressed bytes a browser downloads to show a page the first time
//! (the HTML plus the stylesheets and scripts it links), against `[budgets]` in book.toml,
//! and no request to another host, ever.
//!
//! Sizes are the brotli sizes of the files the build writes, so the figure is what a
//! browser receives from a server that sends the precompressed files. Images load lazily
//! and fonts only on pages in scripts that need them; they are not counted.

use crate::config::Budgets;
use crate::diag::{Diagnostic, Severity};
use crate::render::{Contents, OutputFile};
use crate::site::{PageStatus, Site};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What one page costs on first load, in compressed bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageWeight {
    pub html: u64,
    pub css: u64,
    pub js: u64,
    /// Resources the page would load from another host.
    pub foreign: Vec<String>,
}

impl PageWeight {
    pub fn total(&self) -> u64 {
        self.html + self.css + self.js
    }
}

/// Checks every HTML page. `compressed` maps an output path to its compressed size.
/// Budget overruns are warnings, or errors when `strict`; foreign requests are errors.
pub fn check(site: &Site, files: &[OutputFile], compressed: &HashMap<&str, u64>, strict: bool) -> Vec<Diagnostic> {
    let sources: HashMap<&str, &Path> =
        site.pages.iter().map(|p| (p.output.as_str(), p.source.path.as_path())).collect();
    // a fallback page is its original again, in another language's frame: judged once
    let fallbacks: HashSet<&str> =
        site.pages.iter().filter(|p| p.status == PageStatus::Fallback).map(|p| p.output.as_str()).collect();
    files
        .par_iter()
        .filter(|f| f.path.ends_with(".html") && !fallbacks.contains(f.path.as_str()))
        .flat_map_iter(|file| {
            let Contents::Bytes(bytes) = &file.contents else { return Vec::new() };
            let html = String::from_utf8_lossy(bytes);
            let weight = weigh(&file.path, &html, compressed);
            let source = sources.get(file.path.as_str()).map_or_else(|| PathBuf::from(&file.path), |p| p.to_path_buf());
            judge(&file.path, &source, &weight, &site.config.budgets, strict)
        })
        .collect()
}

/// The diagnostics for one page's weight.
pub fn judge(page: &str, source: &Path, weight: &PageWeight, budgets: &Budgets, strict: bool) -> Vec<Diagnostic> {
    let severity = if strict { Severity::Error } else { Severity::Warning };
    let kb = |bytes: u64| bytes as f64 / 1024.0;
    let mut problems = Vec::new();
    // A course's print page holds every lesson on purpose: it is printed, not read on a phone.
    let is_print_page = page.ends_with(&format!("/{}/index.html", crate::site::PRINT_SLUG));
    if !is_print_page && weight.total() > u64::from(budgets.lesson_kb) * 1024 {
        let mut d = Diagnostic::warning(
            source,
            "over-budget",
            format!(
                "page {page} needs {:.1} KB compressed on first load (HTML {:.1} KB, CSS {:.1} KB, JS {:.1} KB), over the {} KB budget",
                kb(weight.total()),
                kb(weight.html),
                kb(weight.css),
                kb(weight.js),
                budgets.lesson_kb
            ),
        )
        .hint("split the lesson in two, or shorten long tables and code blocks; raise [budgets] lesson_kb only if learners can afford it");
        d.severity = severity;
        problems.push(d);
    }
    if weight.js > u64::from(budgets.js_kb) * 1024 {
        let mut d = Diagnostic::warning(
            source,
            "over-budget",
            format!(
                "page {page} loads {:.1} KB of JavaScript compressed, over the {} KB budget",
                kb(weight.js),
                budgets.js_kb
            ),
        )
        .hint("scripts only enhance pages: remove or shrink them in the theme");
        d.severity = severity;
        problems.push(d);
    }
    for url in &weight.foreign {
        problems.push(
            Diagnostic::error(source, "foreign-request", format!("page {page} loads {url} from another host"))
                .hint("put the file in the repository next to the lesson: pages must work offline and cost learners nothing extra"),
        );
    }
    problems
}

/// Weighs one page from its HTML: itself, and the stylesheets and scripts it links.
pub fn weigh(page: &str, html: &str, compressed: &HashMap<&str, u64>) -> PageWeight {
    let mut weight =
        PageWeight { html: compressed.get(page).copied().unwrap_or(html.len() as u64), ..Default::default() };
    for (tag, attribute, url) in resources(html) {
        if is_foreign(&url) {
            weight.foreign.push(url);
            continue;
        }
        let is_css = tag == "link" && url.ends_with(".css");
        let is_js = tag == "script";
        if !(is_css || is_js) || attribute == "href" && tag != "link" {
            continue;
        }
        let target = resolve(page, &url);
        let size = compressed.get(target.as_str()).copied().unwrap_or(0);
        if is_css {
            weight.css += size;
        } else {
            weight.js += size;
        }
    }
    weight
}

/// `(tag, attribute, url)` of everything a page loads by itself: `src`, `srcset`, `poster`
/// and `data` attributes, `href` on `<link>`, and `url(…)` in `style` attributes (the
/// sanitiser removes an author's styles, but not with `[markdown] unsafe_html = true`).
/// Links a reader clicks are not loads.
fn resources(html: &str) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag_text = &rest[..end];
        // most tags load nothing: skip them before any allocation
        let may_load = tag_text.contains('=')
            && (["src=", "srcset=", "poster=", "data=", "link ", "url("]
                .iter()
                .any(|a| contains_ignoring_case(tag_text, a))
                || tag_text.get(..4).is_some_and(|start| start.eq_ignore_ascii_case("link")));
        if !may_load {
            rest = &rest[end..];
            continue;
        }
        let name: String =
            tag_text.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        // `<link rel="canonical">` and `rel="alternate"` name pages; only these load something.
        let link_loads = name == "link"
            && attribute_values(tag_text, "rel").iter().any(|rel| {
                rel.split_whitespace().any(|r| {
                    matches!(
                        r.to_ascii_lowercase().as_str(),
                        "stylesheet" | "icon" | "preload" | "prefetch" | "manifest" | "modulepreload"
                    )
                })
            });
        for style in attribute_values(tag_text, "style") {
            found.extend(style_urls(&style).into_iter().map(|u| (name.clone(), "style".to_string(), u)));
        }
        for attribute in ["src", "srcset", "poster", "data", "href"] {
            if attribute == "href" && !link_loads {
                continue;
            }
            for value in attribute_values(tag_text, attribute) {
                let urls: Vec<String> = if attribute == "srcset" {
                    value.split(',').filter_map(|c| c.split_whitespace().next()).map(str::to_string).collect()
                } else {
                    vec![value]
                };
                found.extend(urls.into_iter().map(|u| (name.clone(), attribute.to_string(), u)));
            }
        }
        rest = &rest[end..];
    }
    found
}

/// The targets of the `url(…)`s of a style (`background:url("a.png")` → `a.png`).
fn style_urls(style: &str) -> Vec<String> {
    let lower = style.to_ascii_lowercase();
    let mut urls = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("url(") {
        let start = from + at + 4;
        let end = lower[start..].find(')').map_or(lower.len(), |e| start + e);
        urls.push(style[start..end].trim().trim_matches(['"', '\'']).to_string());
        from = end;
    }
    urls
}

/// Whether `text` contains `needle` (ASCII), ignoring ASCII case, without allocating: every
/// tag of every page is tested.
fn contains_ignoring_case(text: &str, needle: &str) -> bool {
    text.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

fn attribute_values(tag: &str, attribute: &str) -> Vec<String> {
    let mut values = Vec::new();
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(&format!("{attribute}=")) {
        let at = from + i;
        let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let value_start = at + attribute.len() + 1;
        from = value_start;
        if !before_ok {
            continue;
        }
        let value = &tag[value_start..];
        let parsed = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(|c: char| c.is_ascii_whitespace()).next().unwrap_or(""),
        };
        values.push(parsed.to_string());
    }
    values
}

fn is_foreign(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//")
}

/// The output path that a relative `url` on page `page` points to.
fn resolve(page: &str, url: &str) -> String {
    let url = url.split(['#', '?']).next().unwrap_or(url);
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for segment in url.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighs_the_page_and_what_it_links() {
        let html = r#"<link rel="stylesheet" href="../../assets/s.css"><script src="../../assets/a.js" defer></script>
            <a href="https://dichvucong.gov.vn">clicked, not loaded</a><img src="../../media/x.png" alt="x">"#;
        let sizes: HashMap<&str, u64> =
            [("vi/bai/index.html", 5000), ("assets/s.css", 3000), ("assets/a.js", 600)].into_iter().collect();
        let weight = weigh("vi/bai/index.html", html, &sizes);
        assert_eq!(weight, PageWeight { html: 5000, css: 3000, js: 600, foreign: vec![] });
    }

    #[test]
    fn finds_every_request_to_another_host() {
        let html = r#"<img src="https://cdn.example/x.png" alt=""><video poster='//cdn.example/p.jpg'></video>
            <img srcset="a.png 1x, http://x.example/b.png 2x"><link rel="stylesheet" href="https://fonts.example/f.css"><link rel="canonical" href="https://site.example/a/">
            <td style="background:URL( 'https://x.example/bg.png' )"><p style="background:url(hinh.png)">"#;
        let weight = weigh("vi/index.html", html, &HashMap::new());
        assert_eq!(
            weight.foreign,
            [
                "https://cdn.example/x.png",
                "//cdn.example/p.jpg",
                "http://x.example/b.png",
                "https://fonts.example/f.css",
                "https://x.example/bg.png"
            ]
        );
    }

    #[test]
    fn over_budget_is_a_warning_or_with_strict_an_error() {
        let budgets = Budgets { lesson_kb: 20, js_kb: 8 };
        let heavy = PageWeight { html: 19 * 1024, css: 2 * 1024, js: 9 * 1024, foreign: vec![] };
        let warnings = judge("vi/a/b/index.html", Path::new("content/a/b.md"), &heavy, &budgets, false);
        assert_eq!(warnings.len(), 2);
        assert!(warnings.iter().all(|d| d.severity == Severity::Warning));
        assert_eq!(
            warnings[0].message,
            "page vi/a/b/index.html needs 30.0 KB compressed on first load (HTML 19.0 KB, CSS 2.0 KB, JS 9.0 KB), over the 20 KB budget"
        );
        let errors = judge("vi/a/b/index.html", Path::new("content/a/b.md"), &heavy, &budgets, true);
        assert!(errors.iter().all(|d| d.severity == Severity::Error));
        let print = judge(
            "vi/a/ban-in/index.html",
            Path::new("x"),
            &PageWeight { html: 90_000, ..Default::default() },
            &budgets,
            true,
        );
        assert!(print.is_empty(), "print pages are exempt from the size budget");
    }
}

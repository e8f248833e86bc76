//! Page budgets: the compressed bytes a browser downloads to show a page the first time
//! (the HTML plus the stylesheets and scripts it links), against `[budgets]` in book.toml,
//! and no request to another host, ever.
//!
//! What a page loads comes from rendering its view ([`crate::render::PageLoads`]), never
//! from reading its HTML back. Sizes are the brotli sizes of the files the build writes, so
//! the figure is what a browser receives from a server that sends the precompressed files.
//! Images load lazily and fonts only on pages in scripts that need them; they are not
//! counted.

use crate::config::Budgets;
use crate::diag::{Diagnostic, Severity};
use crate::msg;
use crate::render::view::LoadKind;
use crate::render::PageLoads;
use crate::site::{PageStatus, Site};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
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

/// Checks every HTML page. `pages` gives what each loads, `compressed` maps an output path
/// to its compressed size. Budget overruns are warnings, or errors when `strict`; foreign
/// requests are errors.
pub fn check(
    site: &Site,
    pages: &BTreeMap<String, PageLoads>,
    compressed: &HashMap<&str, u64>,
    strict: bool,
) -> Vec<Diagnostic> {
    let sources: HashMap<&str, &Path> =
        site.pages.iter().map(|p| (p.output.as_str(), p.source.path.as_path())).collect();
    // a fallback page is its original again, in another language's frame: judged once
    let fallbacks: HashSet<&str> =
        site.pages.iter().filter(|p| p.status == PageStatus::Fallback).map(|p| p.output.as_str()).collect();
    let pages: Vec<(&String, &PageLoads)> = pages.iter().filter(|(p, _)| !fallbacks.contains(p.as_str())).collect();
    pages
        .par_iter()
        .flat_map_iter(|(page, loads)| {
            let weight = weigh(page, loads, compressed);
            let source = sources.get(page.as_str()).map_or_else(|| PathBuf::from(page), |p| p.to_path_buf());
            judge(page, &source, &weight, &site.config.budgets, strict)
        })
        .collect()
}

/// The diagnostics for one page's weight.
pub fn judge(page: &str, source: &Path, weight: &PageWeight, budgets: &Budgets, strict: bool) -> Vec<Diagnostic> {
    let severity = if strict { Severity::Error } else { Severity::Warning };
    let kb = |bytes: u64| crate::messages::decimal(bytes as f64 / 1024.0, 1);
    let mut problems = Vec::new();
    // A course's print page holds every lesson on purpose: it is printed, not read on a phone.
    let is_print_page = page.ends_with(&format!("/{}/index.html", crate::site::PRINT_SLUG));
    if !is_print_page && weight.total() > u64::from(budgets.lesson_kb) * 1024 {
        let mut d = Diagnostic::warning(
            source,
            "over-budget",
            msg!(
                "lint.page-over-budget",
                page,
                total = kb(weight.total()),
                html = kb(weight.html),
                css = kb(weight.css),
                js = kb(weight.js),
                budget = budgets.lesson_kb
            ),
        )
        .hint(msg!("lint.page-over-budget-hint"));
        d.severity = severity;
        problems.push(d);
    }
    if weight.js > u64::from(budgets.js_kb) * 1024 {
        let mut d = Diagnostic::warning(
            source,
            "over-budget",
            msg!("lint.js-over-budget", page, js = kb(weight.js), budget = budgets.js_kb),
        )
        .hint(msg!("lint.js-over-budget-hint"));
        d.severity = severity;
        problems.push(d);
    }
    for url in &weight.foreign {
        problems.push(
            Diagnostic::error(source, "foreign-request", msg!("lint.foreign-request", page, url))
                .hint(msg!("lint.foreign-request-hint")),
        );
    }
    problems
}

/// Weighs one page: itself, and the stylesheets and scripts it loads.
pub fn weigh(page: &str, loads: &PageLoads, compressed: &HashMap<&str, u64>) -> PageWeight {
    let mut weight = PageWeight {
        html: compressed.get(page).copied().unwrap_or(0),
        foreign: loads.foreign.clone(),
        ..Default::default()
    };
    for load in &loads.loads {
        let size = compressed.get(load.path.as_str()).copied().unwrap_or(0);
        match load.kind {
            LoadKind::Stylesheet => weight.css += size,
            LoadKind::Script => weight.js += size,
            LoadKind::Font | LoadKind::Image | LoadKind::Linked | LoadKind::Original => {}
        }
    }
    weight
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighs_the_page_and_the_stylesheets_and_scripts_it_loads() {
        use crate::render::view::Load;
        let load = |path: &str, kind| Load { path: path.into(), kind };
        let loads = PageLoads {
            loads: vec![
                load("assets/s.css", LoadKind::Stylesheet),
                load("assets/a.js", LoadKind::Script),
                load("media/x.png", LoadKind::Image),
                load("media/bai.pdf", LoadKind::Linked),
            ],
            foreign: vec!["https://cdn.example/x.png".into()],
        };
        let sizes: HashMap<&str, u64> = [
            ("vi/bai/index.html", 5000),
            ("assets/s.css", 3000),
            ("assets/a.js", 600),
            ("media/x.png", 90_000),
            ("media/bai.pdf", 400_000),
        ]
        .into_iter()
        .collect();
        let weight = weigh("vi/bai/index.html", &loads, &sizes);
        assert_eq!(
            weight,
            PageWeight { html: 5000, css: 3000, js: 600, foreign: vec!["https://cdn.example/x.png".into()] }
        );
    }

    #[test]
    fn over_budget_is_a_warning_or_with_strict_an_error() {
        let budgets = Budgets { lesson_kb: 20, js_kb: 8, image_kb: 100, page_images_kb: 600 };
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

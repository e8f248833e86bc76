//! The pages rendered from the site, one by one: what the preview renders again after a
//! change, when [`super::fingerprint`] says a page's inputs changed. Each target renders
//! exactly as in [`super::site_with`] (the same functions, the same choice of a fallback's
//! body), so a page rendered here is byte for byte the one a whole build gives.

use super::{language_choice, lists, print_page, render_page, theme::Theme, OutputFile};
use crate::markdown::{self, HtmlOptions};
use crate::site::{PageResolver, Site};
use crate::Error;
use rayon::prelude::*;
use std::collections::HashMap;

/// One HTML page of the output, by what it is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// `site.pages[i]`: home, a course page, a lesson or a page, in one language.
    Page(usize),
    /// A course's print page: (index into `site.courses`, language).
    Print(usize, usize),
    /// A group's learning path: (index into `site.taxonomy.paths`, language).
    Path(usize, usize),
    /// A domain's page: (index into `site.taxonomy.domains`, language).
    Domain(usize, usize),
    /// The coverage report page of a language.
    Report(usize),
    /// The search page of a language.
    Search(usize),
    /// `index.html`, the choice of language.
    Languages,
}

impl Target {
    /// Where the page goes in the output.
    pub fn output(self, site: &Site) -> String {
        match self {
            Target::Page(i) => site.pages[i].output.clone(),
            Target::Print(course, lang) => site.print_output(&site.courses[course], lang),
            Target::Path(path, lang) => site.group_output(site.taxonomy.paths[path].group, lang),
            Target::Domain(domain, lang) => site.domain_output(site.taxonomy.domains[domain].domain, lang),
            Target::Report(lang) => site.report_output(lang),
            Target::Search(lang) => site.search_output(lang),
            Target::Languages => "index.html".to_string(),
        }
    }
}

/// Every page [`super::site_with`] renders (not the theme's files, the assets nor the
/// offline manifests).
pub fn all(site: &Site) -> Vec<Target> {
    let languages = site.config.languages.len();
    let mut targets: Vec<Target> = (0..site.pages.len()).map(Target::Page).collect();
    for course in 0..site.courses.len() {
        targets.extend((0..languages).map(|lang| Target::Print(course, lang)));
    }
    for lang in 0..languages {
        targets.extend((0..site.taxonomy.paths.len()).map(|path| Target::Path(path, lang)));
        targets.extend((0..site.taxonomy.domains.len()).map(|domain| Target::Domain(domain, lang)));
        targets.push(Target::Report(lang));
        targets.push(Target::Search(lang));
    }
    targets.push(Target::Languages);
    targets
}

/// The page whose own Markdown is shown as page `i`'s body: itself, or for a fallback
/// whose links stay among fallbacks, its original (as [`super::site_with`] decides).
pub(super) fn body_source(site: &Site, i: usize) -> usize {
    let page = &site.pages[i];
    if page.lang == 0 || !page.renders_like_original(site) {
        i
    } else {
        page.key
    }
}

/// Renders `targets`, each as a whole build would.
pub fn render(site: &Site, theme: &Theme, targets: &[Target]) -> Result<Vec<OutputFile>, Error> {
    let shown = |i: usize| body_source(site, i);
    let mut needed: Vec<usize> = Vec::new();
    for target in targets {
        match *target {
            Target::Page(i) => needed.push(shown(i)),
            Target::Print(course, lang) => {
                needed.extend(site.courses[course].lessons.iter().map(|&key| shown(lang * site.keys + key)))
            }
            _ => {}
        }
    }
    needed.sort_unstable();
    needed.dedup();
    let html: HashMap<usize, String> = needed
        .par_iter()
        .map(|&i| {
            let page = &site.pages[i];
            let options =
                HtmlOptions { unsafe_html: site.config.markdown.unsafe_html, strings: Some(&theme.strings[page.lang]) };
            (i, markdown::to_html(page.source.body(), &PageResolver { site, page }, &options))
        })
        .collect();
    let mut bodies: Vec<&str> = vec![""; site.pages.len()];
    for target in targets {
        let pages: Vec<usize> = match *target {
            Target::Page(i) => vec![i],
            Target::Print(course, lang) => site.courses[course].lessons.iter().map(|&k| lang * site.keys + k).collect(),
            _ => Vec::new(),
        };
        for i in pages {
            bodies[i] = html.get(&shown(i)).map_or("", String::as_str);
        }
    }
    let bodies = &bodies;
    targets
        .par_iter()
        .map(|target| match *target {
            Target::Page(i) => render_page(site, theme, &site.pages[i], bodies[i]),
            Target::Print(course, lang) => print_page(site, theme, &site.courses[course], lang, bodies),
            Target::Path(path, lang) => lists::path_page(site, theme, lang, &site.taxonomy.paths[path]),
            Target::Domain(domain, lang) => lists::domain_page(site, theme, lang, &site.taxonomy.domains[domain]),
            Target::Report(lang) => lists::report_page(site, theme, lang),
            Target::Search(lang) => lists::search_page(site, theme, lang),
            Target::Languages => language_choice(site, theme),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{site_with, theme, Contents};
    use std::collections::BTreeMap;
    use std::path::Path;

    #[test]
    fn every_target_renders_as_a_whole_build_does_and_they_are_all_the_pages() {
        for fixture in ["minimal", "languages"] {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(fixture);
            let site = crate::build::linked_site(&root, false).unwrap().expect("the fixture links");
            let theme = theme::load(&site.config).unwrap();
            let html = |files: Vec<super::OutputFile>| -> BTreeMap<String, Contents> {
                files.into_iter().filter(|f| f.path.ends_with(".html")).map(|f| (f.path, f.contents)).collect()
            };
            let whole = html(site_with(&site, &theme).unwrap());
            let one_by_one = html(super::render(&site, &theme, &super::all(&site)).unwrap());
            assert_eq!(whole.keys().collect::<Vec<_>>(), one_by_one.keys().collect::<Vec<_>>(), "{fixture}");
            for (path, contents) in &whole {
                assert!(one_by_one[path] == *contents, "{fixture}: {path} renders differently alone");
            }
        }
    }
}

//! The pages of the site, by what each is made from: a whole build renders all of them
//! ([`all`]), the preview renders again those whose view changed (see
//! [`super::fingerprint`]). Both go through [`view`] and [`render`], so a page rendered
//! alone is byte for byte the one a whole build gives.

use super::theme::Theme;
use super::view::{PageView, RenderedBody};
use super::{lists, pages, RenderedPage};
use crate::site::taxonomy::Coverage;
use crate::site::Site;
use crate::Error;
use rayon::prelude::*;
use std::collections::HashMap;

/// One HTML page of the output, by what it is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// `site.pages[i]`: home, a course page, a lesson or a page, in one language.
    Page(usize),
    /// A section's print page: (index into `site.sections`, language).
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
            Target::Print(section, lang) => site.print_output(&site.sections[section], lang),
            Target::Path(path, lang) => site.group_output(site.taxonomy.paths[path].group, lang),
            Target::Domain(domain, lang) => site.domain_output(site.taxonomy.domains[domain].domain, lang),
            Target::Report(lang) => site.report_output(lang),
            Target::Search(lang) => site.search_output(lang),
            Target::Languages => "index.html".to_string(),
        }
    }
}

/// The print pages of section `section` in every language: none when it has no print page
/// ([`crate::site::Section::has_print_page`]).
pub fn prints(site: &Site, section: usize) -> impl Iterator<Item = Target> {
    let languages = if site.sections[section].has_print_page() { site.config.languages.len() } else { 0 };
    (0..languages).map(move |lang| Target::Print(section, lang))
}

/// Every page [`super::site_with`] renders (not the theme's files, the assets nor the
/// offline manifests).
pub fn all(site: &Site) -> Vec<Target> {
    let languages = site.config.languages.len();
    let mut targets: Vec<Target> = (0..site.pages.len()).map(Target::Page).collect();
    for section in 0..site.sections.len() {
        targets.extend(prints(site, section));
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

/// Every target in batches that share no Markdown body: each course's pages (sections
/// below it included) in every language with their print pages, then the rest; small
/// groups are put together so a batch keeps both cores busy. A build renders batch after
/// batch and holds one at a time.
pub fn batches(site: &Site) -> Vec<Vec<Target>> {
    const AT_LEAST: usize = 256;
    // each section's course: sections come depth first, so a parent's is known first
    let mut course_of: Vec<usize> = Vec::with_capacity(site.sections.len());
    for section in &site.sections {
        let course = section.parent.map_or(course_of.len(), |p| course_of[p]);
        course_of.push(course);
    }
    let mut by_course: Vec<Vec<Target>> = vec![Vec::new(); site.sections.len()];
    let mut rest = Vec::new();
    for (i, page) in site.pages.iter().enumerate() {
        match page.section {
            Some(section) => by_course[course_of[section]].push(Target::Page(i)),
            None => rest.push(Target::Page(i)),
        }
    }
    for (section, &course) in course_of.iter().enumerate() {
        by_course[course].extend(prints(site, section));
    }
    by_course.retain(|targets| !targets.is_empty());
    rest.extend(all(site).into_iter().filter(|t| !matches!(t, Target::Page(_) | Target::Print(..))));
    let mut batches: Vec<Vec<Target>> = Vec::new();
    for group in by_course.into_iter().chain(std::iter::once(rest)) {
        match batches.last_mut() {
            Some(last) if last.len() < AT_LEAST => last.extend(group),
            _ => batches.push(group),
        }
    }
    batches
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

/// The view of one target. `coverage` is the site's, when the caller has it.
pub fn view(site: &Site, theme: &Theme, target: Target, coverage: Option<&Coverage>) -> PageView {
    match target {
        Target::Page(i) => pages::page_view(site, theme, i, body_source(site, i)),
        Target::Print(section, lang) => pages::print_view(site, theme, section, lang, &|i| body_source(site, i)),
        Target::Path(path, lang) => lists::path_view(site, theme, lang, &site.taxonomy.paths[path]),
        Target::Domain(domain, lang) => lists::domain_view(site, theme, lang, &site.taxonomy.domains[domain]),
        Target::Report(lang) => match coverage {
            Some(coverage) => lists::report_view(site, theme, lang, coverage),
            None => lists::report_view(site, theme, lang, &Coverage::of(site)),
        },
        Target::Search(lang) => lists::search_view(site, theme, lang),
        Target::Languages => pages::languages_view(site, theme),
    }
}

/// Renders `targets`, each as a whole build would: views first, then each Markdown body
/// they show once, then the pages.
pub fn render(site: &Site, theme: &Theme, targets: &[Target]) -> Result<Vec<RenderedPage>, Error> {
    render_each(site, theme, targets, &Ok)
}

/// Renders `targets` and hands each page to `then` on the thread that rendered it (a build
/// compresses and writes it there: no page waits for the whole batch to be rendered);
/// returns what `then` made, in the order of `targets`.
pub fn render_each<T: Send>(
    site: &Site,
    theme: &Theme,
    targets: &[Target],
    then: &(dyn Fn(RenderedPage) -> Result<T, Error> + Sync),
) -> Result<Vec<T>, Error> {
    render_views(site, theme, views(site, theme, targets), then)
}

/// The views of `targets`, in their order (in parallel).
pub fn views(site: &Site, theme: &Theme, targets: &[Target]) -> Vec<PageView> {
    let coverage = targets.iter().any(|t| matches!(t, Target::Report(_))).then(|| Coverage::of(site));
    targets.par_iter().map(|&t| view(site, theme, t, coverage.as_ref())).collect()
}

/// [`render_each`] for targets whose views are made already: each Markdown body they show
/// rendered once, then the pages.
pub fn render_views<T: Send>(
    site: &Site,
    theme: &Theme,
    views: Vec<PageView>,
    then: &(dyn Fn(RenderedPage) -> Result<T, Error> + Sync),
) -> Result<Vec<T>, Error> {
    let mut needed: Vec<usize> = views.iter().flat_map(PageView::bodies).collect();
    needed.sort_unstable();
    needed.dedup();
    let bodies: HashMap<usize, RenderedBody> = super::bodies(site, theme, &needed).into_iter().collect();
    let shared = super::SharedContexts::of(site, theme);
    views.into_par_iter().map(|view| then(super::page(site, theme, &shared, view, &|i| bodies.get(&i))?)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::{site_with, theme};
    use crate::output::Contents;
    use std::collections::BTreeMap;
    use std::path::Path;

    #[test]
    fn every_target_renders_as_a_whole_build_does_and_they_are_all_the_pages() {
        for fixture in ["minimal", "languages"] {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(fixture);
            let site = crate::pipeline::linked(&root, false).unwrap().expect("the fixture links");
            let theme = theme::load(&site.config).unwrap();
            let html = |files: Vec<crate::output::OutputFile>| -> BTreeMap<String, Contents> {
                files.into_iter().filter(|f| f.path.ends_with(".html")).map(|f| (f.path, f.contents)).collect()
            };
            let whole = html(site_with(&site, &theme).unwrap().files);
            // each target alone: only its own views and bodies, nothing of the others
            let one_by_one = html(
                super::all(&site)
                    .into_iter()
                    .flat_map(|t| super::render(&site, &theme, &[t]).unwrap())
                    .map(|p| p.file)
                    .collect(),
            );
            assert_eq!(whole.keys().collect::<Vec<_>>(), one_by_one.keys().collect::<Vec<_>>(), "{fixture}");
            for (path, contents) in &whole {
                assert!(one_by_one[path] == *contents, "{fixture}: {path} renders differently alone");
            }
        }
    }
}

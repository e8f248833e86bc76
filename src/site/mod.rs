//! Linking: turns loaded [`Content`] into a [`Site`] — the tree of sections in order,
//! previous/next through each course, the output path of every page, and every internal link and image
//! checked against what exists. All problems are collected, none stops the others.
//!
//! Takes the config and the content by value; returns the site (read-only from here on)
//! and diagnostics. Never renders and never writes. For the preview, [`link_with`] links
//! again without parsing the texts that did not change, and [`Site::edit_text`] takes in a
//! change to one page's text alone.

pub mod edit;
mod links;
mod sections;
pub mod taxonomy;
pub mod translations;

pub use links::{percent_decode, relative_url, PageResolver};
pub use sections::{Child, Section, PRINT_MAX_LESSONS};

use crate::config::Config;
use crate::content::{Content, PageKind, Review, SourcePage};
use crate::diag::{Diagnostic, Diagnostics};
use crate::markdown::{self, Heading, Outline};
use crate::msg;
use crate::slug::slugify;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a page's text comes from in its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageStatus {
    /// The default language's own page.
    Original,
    /// A translation file (`x.blt.md`); `stale` when the source changed since.
    Translated { review: Option<Review>, stale: bool },
    /// No translation: the default language's text, shown with a notice.
    Fallback,
}

/// A page to render in one language, with where it goes and what it links to.
#[derive(Debug)]
pub struct Page {
    /// The logical page, the same in every language: index into the default language's
    /// pages (`site.pages[..site.keys]`).
    pub key: usize,
    /// Index into `config.languages` (0 is the default language).
    pub lang: usize,
    pub status: PageStatus,
    /// The translation's file, or the default language's for originals and fallbacks
    /// (shared by the original and its fallbacks).
    pub source: Arc<SourcePage>,
    /// Output path relative to the output folder (`vi/an-toan/mat-khau-manh/index.html`).
    pub output: String,
    /// Shared with its fallbacks (a lesson's headings in every language are one list).
    pub headings: Arc<[Heading]>,
    /// The readable text of its body, for the search index (shared with its fallbacks). A
    /// build takes it out of the site for the index ([`crate::search::take_documents`]).
    pub text: Arc<str>,
    /// The ids of `headings`, hashed when first asked (see [`Page::has_heading`]).
    pub anchors: std::sync::OnceLock<HashSet<String>>,
    /// Labels of the footnotes defined in the text, sorted: anchors too (shared with its
    /// fallbacks).
    pub footnotes: Arc<[String]>,
    /// Index into [`Site::sections`] of the section a lesson sits in, or that a section's
    /// page is the page of.
    pub section: Option<usize>,
    /// Keys of the previous and next pages in the reading order of its course (the
    /// top-level section): its lessons and sub-sections' pages, depth first.
    pub prev: Option<usize>,
    pub next: Option<usize>,
    /// Keys of the pages this page's text links to (empty for fallbacks: see the original).
    pub links_to: Vec<usize>,
    /// The pages and assets its links and images lead to (empty for fallbacks: see the
    /// original).
    pub uses: Uses,
}

/// What rendering a page's text looks up besides the text: the preview renders a page
/// again when one of these changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uses {
    /// Keys of the pages its links and images lead to.
    pub pages: Vec<usize>,
    /// Indices into [`Site::assets`] of the files they lead to (an image's size is read
    /// from its file).
    pub assets: Vec<usize>,
}

impl Page {
    /// Whether a heading of this page has the id `id`. Hashed past a few headings: a page
    /// may have a thousand headings and a million links to them.
    pub fn has_heading(&self, id: &str) -> bool {
        if self.headings.len() <= 16 {
            return self.headings.iter().any(|h| h.id == id);
        }
        self.anchors.get_or_init(|| self.headings.iter().map(|h| h.id.clone()).collect()).contains(id)
    }

    /// Whether this page's body renders to the same HTML as its original's: a fallback
    /// whose links all lead to pages that are fallbacks too in this language.
    pub fn renders_like_original(&self, site: &Site) -> bool {
        self.status == PageStatus::Fallback
            && site.page(self.key, 0).links_to.iter().all(|&k| site.page(k, self.lang).status == PageStatus::Fallback)
    }
}

/// The folder name of a course's print page; a lesson may not take it.
pub const PRINT_SLUG: &str = "ban-in";
/// Folders of generated pages at the top of a language; a course or page may not take them.
pub const GROUP_SLUG: &str = "nhom";
pub const DOMAIN_SLUG: &str = "linh-vuc";
pub const REPORT_SLUG: &str = "bao-cao";
/// The folder of the offline packs' catalog page in each language.
pub const DOWNLOADS_SLUG: &str = "tai-ve";
/// The folder of the search page in each language.
pub const SEARCH_SLUG: &str = "tim-kiem";

/// A file copied to the output as it is (or as cleaned, see [`crate::content::svg`]).
#[derive(Debug, Clone)]
pub struct SiteAsset {
    pub source: PathBuf,
    pub output: String,
    /// What is written instead of the file: an SVG without its script.
    pub cleaned: Option<Arc<[u8]>>,
    /// An image's width and height, read from its header (an SVG's from its attributes or
    /// `viewBox`), for the `width` and `height` that keep a page from jumping as it loads.
    pub size: Option<(u64, u64)>,
    /// A PNG, JPEG, WebP or GIF made into WebP variants ([`crate::images`]): those are
    /// written instead of the file, which is written (without metadata) only when a page
    /// links to it.
    pub image: Option<Arc<crate::images::Processed>>,
}

/// The whole site, linked. Read-only for every later stage.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// Every page in every language, language by language in `config.languages` order;
    /// within a language, home first, then by output path. See [`Site::page`].
    pub pages: Vec<Page>,
    /// How many logical pages there are (pages per language).
    pub keys: usize,
    /// Key of the home page.
    pub home: usize,
    /// Every section, depth first: each course (in order) followed by the sections below it.
    pub sections: Vec<Section>,
    /// Learning paths per target group and lessons per domain.
    pub taxonomy: taxonomy::Taxonomy,
    pub assets: Vec<SiteAsset>,
    /// Source path (of the original or of a translation) → key, for link resolution.
    by_source: HashMap<PathBuf, usize>,
    /// Source path → asset index.
    assets_by_source: HashMap<PathBuf, usize>,
    /// Source paths of pages left out on purpose (see [`Content::left_out`]).
    left_out: HashSet<PathBuf>,
}

impl Site {
    /// The page `key` in language `lang`.
    pub fn page(&self, key: usize, lang: usize) -> &Page {
        &self.pages[lang * self.keys + key]
    }

    pub fn page_by_source(&self, path: &Path) -> Option<usize> {
        self.by_source.get(path).copied()
    }

    /// Whether a source path names a page left out of this site on purpose (by a pack).
    pub fn is_left_out(&self, path: &Path) -> bool {
        self.left_out.contains(path)
    }

    /// Keeps only the assets `keep` accepts (a pack copies only what its pages use).
    pub fn retain_assets(&mut self, keep: impl Fn(&SiteAsset) -> bool) {
        self.assets.retain(|a| keep(a));
        self.assets_by_source = self.assets.iter().enumerate().map(|(i, a)| (a.source.clone(), i)).collect();
    }

    /// The default language's pages.
    pub fn originals(&self) -> &[Page] {
        &self.pages[..self.keys]
    }

    /// Lessons in the default language, in site order.
    pub fn lessons(&self) -> impl Iterator<Item = &Page> {
        self.originals().iter().filter(|p| p.source.kind == PageKind::Lesson)
    }

    /// Output path of a group's learning path in a language.
    pub fn group_output(&self, group: usize, lang: usize) -> String {
        format!("{}/nhom/{}/index.html", self.config.languages[lang].id, self.config.groups[group].id)
    }

    /// Output path of a domain's page in a language.
    pub fn domain_output(&self, domain: usize, lang: usize) -> String {
        format!("{}/linh-vuc/{}/index.html", self.config.languages[lang].id, self.config.domains[domain].id)
    }

    /// Output path of the search page in a language.
    pub fn search_output(&self, lang: usize) -> String {
        format!("{}/{SEARCH_SLUG}/index.html", self.config.languages[lang].id)
    }

    /// Output path of the coverage report page in a language.
    pub fn report_output(&self, lang: usize) -> String {
        format!("{}/{REPORT_SLUG}/index.html", self.config.languages[lang].id)
    }

    /// Output path of the offline packs' catalog page in a language.
    pub fn downloads_output(&self, lang: usize) -> String {
        format!("{}/{DOWNLOADS_SLUG}/index.html", self.config.languages[lang].id)
    }

    /// Output path of a section's print page in a language.
    pub fn print_output(&self, section: &Section, lang: usize) -> String {
        self.page(section.page, lang).output.replace("/index.html", &format!("/{PRINT_SLUG}/index.html"))
    }

    /// The courses (top-level sections), in order.
    pub fn courses(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(|s| s.is_course())
    }

    /// The sections a page sits in, from its course down: a lesson's own section included,
    /// a section's page not its own. Its breadcrumbs, and the sections whose print pages
    /// show it.
    pub fn sections_above(&self, page: &Page) -> Vec<usize> {
        let Some(s) = page.section else { return Vec::new() };
        let mut chain = self.ancestors(s);
        if page.source.kind == PageKind::Lesson {
            chain.push(s);
        }
        chain
    }

    /// The sections `section` sits in, from its course down to its parent.
    pub fn ancestors(&self, section: usize) -> Vec<usize> {
        let mut chain: Vec<usize> =
            std::iter::successors(self.sections[section].parent, |&s| self.sections[s].parent).collect();
        chain.reverse();
        chain
    }
}

/// The outlines (headings, links, blocks) of the texts linked last, kept by the preview so
/// that linking again parses only the texts that changed.
#[derive(Debug)]
pub struct Outlines {
    kept: HashMap<PathBuf, (Arc<String>, Arc<Outline>)>,
    /// Whether to keep this run's outlines (a build links once: it does not).
    keep: bool,
}

impl Default for Outlines {
    fn default() -> Outlines {
        Outlines { kept: HashMap::new(), keep: true }
    }
}

impl Outlines {
    /// The outline of `source`'s body: the kept one when the text is the very same.
    fn of(&self, source: &SourcePage) -> Arc<Outline> {
        match self.kept.get(&source.path) {
            Some((text, outline)) if Arc::ptr_eq(text, &source.text) => Arc::clone(outline),
            _ => Arc::new(markdown::outline(source.body())),
        }
    }
}

/// Links content into a site and checks every internal link.
pub fn link(config: Config, content: Content) -> (Site, Diagnostics) {
    link_with(config, content, &mut Outlines { kept: HashMap::new(), keep: false })
}

/// [`link`], reusing the outlines of texts that did not change since `outlines` was last
/// given here, and keeping this run's outlines in it.
///
/// In steps: the default language's pages, with a made-up home and section pages where
/// their `_index.md` is missing; their addresses checked for clashes; every (language,
/// page) as original, translation or fallback; outlines read (in parallel, once per text);
/// sections ordered; assets and the taxonomy; then every link checked once all headings are
/// known.
pub fn link_with(config: Config, content: Content, outlines: &mut Outlines) -> (Site, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let default_lang = config.default_language.clone();
    let (mut sources, translated): (Vec<SourcePage>, Vec<SourcePage>) =
        content.pages.into_iter().partition(|p| p.lang == default_lang);
    sections::add_made_up_pages(&config, &content.sections, &mut sources);
    sources.sort_by_cached_key(|p| (p.kind != PageKind::Home, output_path(default_lang.as_str(), p)));
    diagnostics.extend(address_clashes(default_lang.as_str(), &sources));

    let keys = sources.len();
    let (mut translations, translation_problems) = translations::match_sources(&config, &sources, translated);
    diagnostics.extend(translation_problems);
    let mut by_source: HashMap<PathBuf, usize> = sources.iter().enumerate().map(|(k, p)| (p.path.clone(), k)).collect();
    for ((key, _), translation) in &translations {
        by_source.insert(translation.path.clone(), *key);
    }
    let sources: Vec<Arc<SourcePage>> = sources.into_iter().map(Arc::new).collect();
    let variants = variants(&config, &sources, &mut translations);
    let (mut pages, parsed) = outline_pages(&config, &sources, variants, outlines);

    let sections = sections::order_sections(&mut pages, keys);
    let mut assets: Vec<SiteAsset> = content
        .assets
        .par_iter()
        .map(|a| SiteAsset {
            source: a.path.clone(),
            output: asset_output_path(&a.path),
            cleaned: a.cleaned.clone(),
            size: None,
            image: None,
        })
        .collect();
    let sources: Vec<(&Path, &str)> = assets.iter().map(|a| (a.source.as_path(), a.output.as_str())).collect();
    let processed = crate::images::process_all(&config.root, &sources, &config.images);
    for (asset, processed) in assets.iter_mut().zip(processed) {
        match processed {
            Some(Ok(image)) => {
                asset.size = Some((u64::from(image.width), u64::from(image.height)));
                asset.image = Some(image);
            }
            Some(Err(refused)) => {
                diagnostics.push(Diagnostic::error(&asset.source, "image-refused", refused.message).hint(refused.hint))
            }
            None => {}
        }
    }
    // SVGs and the formats not made into variants: their size from the file (the variants'
    // came from the header `process_all` read already)
    assets.par_iter_mut().filter(|a| a.image.is_none()).for_each(|a| a.size = image_size(&config.root, &a.source));
    let assets_by_source = assets.iter().enumerate().map(|(i, a)| (a.source.clone(), i)).collect();
    let home = pages[..keys].iter().position(|p| p.source.kind == PageKind::Home).unwrap_or(0);
    let lesson_order: Vec<usize> =
        sections.iter().filter(|s| s.is_course()).flat_map(|c| c.lessons.iter().copied()).collect();
    let taxonomy = taxonomy::build(&config, &pages[..keys], &lesson_order);
    let left_out = content.left_out.into_iter().collect();
    let mut site =
        Site { config, pages, keys, home, sections, taxonomy, assets, by_source, assets_by_source, left_out };
    diagnostics.extend(check_links(&mut site, &parsed));
    // what only linking needed (the links of every text), freed on every thread
    parsed.into_par_iter().for_each(drop);
    (site, diagnostics)
}

/// Two pages with one address, or a page at an address the site keeps for itself (learning
/// paths, domains, report, search, downloads, a course's print page).
fn address_clashes(default_lang: &str, sources: &[SourcePage]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    for reserved in [GROUP_SLUG, DOMAIN_SLUG, REPORT_SLUG, SEARCH_SLUG, DOWNLOADS_SLUG] {
        seen.insert(format!("{default_lang}/{reserved}/index.html"), Path::new("book.toml"));
    }
    for page in sources.iter().filter(|p| p.kind == PageKind::SectionIndex) {
        let print = output_path(default_lang, page).replace("/index.html", &format!("/{PRINT_SLUG}/index.html"));
        seen.insert(print, &page.path);
    }
    for page in sources {
        let output = output_path(default_lang, page);
        if let Some(first) = seen.insert(output.clone(), &page.path) {
            let hint = if output.ends_with(&format!("/{PRINT_SLUG}/index.html")) {
                msg!("site.clash-print-hint", print = PRINT_SLUG)
            } else if first == Path::new("book.toml") {
                msg!(
                    "site.clash-reserved-hint",
                    group = GROUP_SLUG,
                    domain = DOMAIN_SLUG,
                    report = REPORT_SLUG,
                    search = SEARCH_SLUG,
                    downloads = DOWNLOADS_SLUG
                )
            } else {
                msg!("site.clash-hint")
            };
            problems.push(
                Diagnostic::error(
                    &page.path,
                    "slug-clash",
                    msg!("content.slug-clash", slug = output, first = first.display()),
                )
                .hint(hint),
            );
        }
    }
    problems
}

/// Every (key, language): the original, the translation, or a fallback to the original.
fn variants(
    config: &Config,
    sources: &[Arc<SourcePage>],
    translations: &mut HashMap<(usize, usize), SourcePage>,
) -> Vec<(usize, usize, PageStatus, Arc<SourcePage>)> {
    let mut variants = Vec::with_capacity(sources.len() * config.languages.len());
    for lang in 0..config.languages.len() {
        for (key, original) in sources.iter().enumerate() {
            let (status, source) = if lang == 0 {
                (PageStatus::Original, Arc::clone(original))
            } else if let Some(translation) = translations.remove(&(key, lang)) {
                let stale = translation
                    .front
                    .source_hash
                    .as_deref()
                    .is_some_and(|h| h != translations::source_hash(original.body()));
                (PageStatus::Translated { review: translation.front.review, stale }, Arc::new(translation))
            } else {
                (PageStatus::Fallback, Arc::clone(original))
            };
            variants.push((key, lang, status, source));
        }
    }
    variants
}

/// A text's headings and footnote labels, shared by the pages that show it.
type Anchors = (Arc<[Heading]>, Arc<[String]>);

/// The pages of every variant with their headings and readable text, and the outline of
/// each text read (a fallback's text is its original's: read once, for the original).
/// Keeps the outlines in `outlines` for the next run.
fn outline_pages(
    config: &Config,
    sources: &[Arc<SourcePage>],
    variants: Vec<(usize, usize, PageStatus, Arc<SourcePage>)>,
    outlines: &mut Outlines,
) -> (Vec<Page>, Vec<Option<Arc<Outline>>>) {
    let parsed: Vec<Option<Arc<Outline>>> = variants
        .par_iter()
        .map(|(_, _, status, source)| (*status != PageStatus::Fallback).then(|| outlines.of(source)))
        .collect();
    // each text's headings and footnotes once, shared by the pages showing it (a fallback
    // shows its original's)
    let shared: Vec<Option<Anchors>> = parsed
        .iter()
        .map(|outline| outline.as_ref().map(|o| (Arc::from(o.headings.as_slice()), Arc::from(o.footnotes.as_slice()))))
        .collect();
    let mut pages: Vec<Page> = variants
        .into_iter()
        .map(|(key, lang, status, source)| Page {
            key,
            lang,
            status,
            source,
            output: output_path(config.languages[lang].id.as_str(), &sources[key]),
            headings: Arc::from([]),
            text: Arc::from(""),
            footnotes: Arc::from([]),
            anchors: Default::default(),
            section: None,
            prev: None,
            next: None,
            links_to: Vec::new(),
            uses: Uses::default(),
        })
        .collect();
    for (i, page) in pages.iter_mut().enumerate() {
        let outline = parsed[i].as_ref().or(parsed[page.key].as_ref()).expect("originals are parsed");
        let (headings, footnotes) = shared[i].as_ref().or(shared[page.key].as_ref()).expect("originals are parsed");
        page.headings = Arc::clone(headings);
        page.text = Arc::clone(&outline.text);
        page.footnotes = Arc::clone(footnotes);
    }
    if !outlines.keep {
        return (pages, parsed);
    }
    outlines.kept = pages
        .iter()
        .zip(&parsed)
        .filter_map(|(page, outline)| {
            let outline = outline.as_ref()?;
            Some((page.source.path.clone(), (Arc::clone(&page.source.text), Arc::clone(outline))))
        })
        .collect();
    (pages, parsed)
}

/// Checks every page's links and images once every page's headings are known, and records
/// what each leads to; a fallback's were checked on the original.
fn check_links(site: &mut Site, parsed: &[Option<Arc<Outline>>]) -> Vec<Diagnostic> {
    let checked: Vec<_> = site
        .pages
        .par_iter()
        .zip(parsed)
        .map(|(page, outline)| {
            let outline = outline.as_ref()?;
            let (links_to, uses) = links::targets(site, page, &outline.links);
            Some((links_to, uses, links::check(site, page, outline)))
        })
        .collect();
    let mut problems = Vec::new();
    for (page, checked) in site.pages.iter_mut().zip(checked) {
        if let Some((keys, uses, found)) = checked {
            page.links_to = keys;
            page.uses = uses;
            problems.extend(found);
        }
    }
    problems
}

fn output_path(lang: &str, page: &SourcePage) -> String {
    match (&page.kind, &page.section) {
        (PageKind::Home, _) => format!("{lang}/index.html"),
        (PageKind::SectionIndex, Some(section)) => format!("{lang}/{section}/index.html"),
        (PageKind::Lesson, Some(section)) => format!("{lang}/{section}/{}/index.html", page.slug),
        _ => format!("{lang}/{}/index.html", page.slug),
    }
}

/// Assets keep their folder structure under `media/`, with ASCII names so they survive
/// zip files, FAT-formatted USB sticks and old web servers.
fn asset_output_path(source: &Path) -> String {
    let parts: Vec<String> = source
        .strip_prefix("content")
        .unwrap_or(source)
        .iter()
        .map(|part| {
            let part = part.to_string_lossy();
            match part.rsplit_once('.') {
                Some((stem, ext)) if !stem.is_empty() => format!("{}.{}", slugify(stem), ext.to_ascii_lowercase()),
                _ => slugify(&part),
            }
        })
        .collect();
    format!("media/{}", parts.join("/"))
}

/// Width and height of an image asset, from its file: an SVG's attributes or `viewBox`,
/// other images' headers. `None` for files that are not images, and unreadable ones.
fn image_size(root: &std::path::Path, source: &Path) -> Option<(u64, u64)> {
    let path = root.join(source);
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")) {
        return markdown::svg_size(&std::fs::read_to_string(path).ok()?);
    }
    let size = imagesize::size(path).ok()?;
    Some((size.width as u64, size.height as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_paths_are_ascii() {
        assert_eq!(asset_output_path(Path::new("content/An toàn/Hình 1.PNG")), "media/an-toan/hinh-1.png");
        assert_eq!(asset_output_path(Path::new("content/a/so-do.svg")), "media/a/so-do.svg");
    }
}

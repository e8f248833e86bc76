//! Rendering: the linked [`Site`] → output files (HTML pages in every language, learning
//! paths, domain pages, print pages, the theme's static files, copied assets).
//!
//! Each page is first described as a [`view::PageView`] (built by [`pages`] for pages made
//! from Markdown, print pages and the choice of language, by [`lists`] for pages made from
//! the taxonomy, both on the common [`frame`]); then its body's Markdown goes through
//! [`crate::markdown`] once, and [`page`] renders the view with the theme's tera template.
//! What each page loads comes with it ([`RenderedPage::loads`]), from which [`offline`]
//! lists what save buttons save and the budget lint weighs pages. In parallel over pages.
//!
//! Reads the site only; returns files in memory and never writes to disk (that is `output`).
//! For the preview, [`targets`] renders pages one by one exactly as a whole build does, and
//! [`fingerprint`] hashes their views, to tell which pages a change reaches.

pub mod fingerprint;
mod frame;
mod lists;
pub mod offline;
mod pages;
pub mod targets;
pub mod theme;
pub mod view;

use crate::markdown::{self, HtmlOptions};
use crate::msg;
use crate::output::{Contents, OutputFile};
use crate::site::{PageResolver, Site};
use crate::Error;
use frame::Frame;
pub use frame::SharedContexts;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use view::{Body, Load, PageView, RenderedBody};

#[derive(Serialize)]
pub(super) struct LessonItem {
    pub title: String,
    pub url: String,
    pub summary: String,
    pub duration: Option<u32>,
    pub level: Option<String>,
    /// Language-independent id, for progress marks.
    pub id: String,
    /// The default language's tag when the lesson is shown untranslated.
    pub lang: Option<String>,
}

#[derive(Serialize)]
pub(super) struct Named {
    pub name: String,
    pub url: String,
    /// The default language's tag when the name falls back to it.
    pub lang: Option<String>,
}

/// An offline pack as the catalog page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PackListing {
    pub id: String,
    pub title: String,
    /// Language names, joined.
    pub languages: String,
    /// Target group names, joined.
    pub groups: String,
    pub zip_bytes: u64,
    pub unpacked_bytes: u64,
    pub files: usize,
    pub version: String,
    /// Of the zip file, to check a download.
    pub sha256: String,
    /// Output path of the zip (`packs/hoclieu-<id>.zip`).
    pub path: String,
    /// The same pack as a ZIM file for Kiwix, when the pack is made so.
    pub zim: Option<ZimListing>,
}

/// A pack's ZIM file on the catalog page.
#[derive(Debug, Clone, Serialize)]
pub struct ZimListing {
    pub bytes: u64,
    pub sha256: String,
    /// Output path (`packs/hoclieu-<id>.zim`).
    pub path: String,
}

/// The catalog page of offline packs in every language (`<lang>/tai-ve/`).
pub fn downloads(site: &Site, packs: &[PackListing]) -> Result<Vec<OutputFile>, Error> {
    let theme = theme::load(&site.config)?;
    let shared = SharedContexts::of(site, &theme);
    (0..site.config.languages.len())
        .map(|lang| {
            page(site, &theme, &shared, lists::downloads_view(site, &theme, lang, packs), &|_| None).map(|p| p.file)
        })
        .collect()
}

/// `12.3 MB`, `456 KB`, `789 B` (decimal units, as phones show them).
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.0} KB", b as f64 / 1e3),
        b => format!("{b} B"),
    }
}

/// A lesson's id that is the same in every language: its default-language address.
pub(super) fn lesson_id(site: &Site, key: usize) -> String {
    let output = &site.page(key, 0).output;
    let without_lang = output.split_once('/').map_or(output.as_str(), |(_, rest)| rest);
    without_lang.strip_suffix("/index.html").unwrap_or(without_lang).to_string()
}

/// A page rendered from its view, with every file it loads.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    pub file: OutputFile,
    /// What the page loads or links to, frame and body, by output path: sorted, each once.
    /// Files that do not exist in the output are listed too (a raw HTML `src` may be
    /// wrong); who needs sizes looks them up.
    pub loads: Vec<Load>,
    /// URLs of resources its body would load from another host.
    pub foreign: Vec<String>,
}

/// The whole site rendered: every file, and what each HTML page loads.
#[derive(Debug, Default)]
pub struct RenderedSite {
    /// Sorted by path.
    pub files: Vec<OutputFile>,
    /// By output path of the page.
    pub pages: BTreeMap<String, PageLoads>,
}

/// What one rendered page loads (see [`RenderedPage`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageLoads {
    pub loads: Vec<Load>,
    pub foreign: Vec<String>,
}

/// Renders every page of the site, plus the theme's static files and the assets. Also
/// returns, per language, the UI strings its theme file lacks (for `check`).
pub fn site(site: &Site) -> Result<(RenderedSite, Vec<Vec<String>>), Error> {
    let theme = &theme::load(&site.config)?;
    Ok((site_with(site, theme)?, theme.missing_strings.clone()))
}

/// Renders every page of the site with an already loaded theme (the preview keeps one).
pub fn site_with(site: &Site, theme: &theme::Theme) -> Result<RenderedSite, Error> {
    let files = std::sync::Mutex::new(Vec::new());
    let root = &site.config.root;
    let pages = site_into(site, theme, &|file: OutputFile| {
        let size = match &file.contents {
            Contents::Bytes(bytes) => bytes.len() as u64,
            Contents::Copy(source) => {
                let source = root.join(source);
                std::fs::metadata(&source).map_err(|e| Error::io(&source, "cannot read the size of", e))?.len()
            }
        };
        files.lock().expect("files lock").push(file);
        Ok(size)
    })?;
    let mut files = files.into_inner().expect("files lock");
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(RenderedSite { files, pages })
}

/// What takes each file of the site as it is made, and returns its size: `output::Sink`
/// for a build, a list for the preview.
pub type Put<'a> = dyn Fn(OutputFile) -> Result<u64, Error> + Sync + 'a;

/// Renders every page of the site, the theme's files, the assets and the offline
/// manifests, handing each file to `put` as soon as it is made (in parallel), batch after
/// batch of pages ([`targets::batches`]): a build holds one batch of pages in memory, not
/// the site. Returns what each page loads.
pub fn site_into(site: &Site, theme: &theme::Theme, put: &Put) -> Result<BTreeMap<String, PageLoads>, Error> {
    Ok(site_into_reusing(site, theme, put, None)?.loads)
}

/// What a build with a cache gives [`site_into_reusing`]: each page is fingerprinted
/// ([`fingerprint`], from the view it is rendered from: views are made once) and not
/// rendered when `reuse` gives it.
pub struct Cached<'a> {
    /// An asset's version by its source path, for the fingerprints.
    pub versions: &'a fingerprint::Versions<'a>,
    pub reuse: &'a Reuse<'a>,
}

/// What a build can take from its cache instead of rendering a page, by the page's output
/// path and fingerprint: its loads and its size, when the fingerprint is the one last
/// rendered and its file is kept as it is.
pub type Reuse<'a> = dyn Fn(&str, u64) -> Option<(PageLoads, u64)> + Sync + 'a;

/// What [`site_into_reusing`] returns.
#[derive(Debug, Default)]
pub struct Rendered {
    /// What each page loads, by its output path.
    pub loads: BTreeMap<String, PageLoads>,
    /// With [`Cached`]: every page's output path and fingerprint, for the next cache.
    pub prints: Vec<(String, u64)>,
}

/// [`site_into`], but with `cached`, a page that its `reuse` gives is not rendered (its
/// file stays as the last build wrote it), and every page's fingerprint is returned.
pub fn site_into_reusing(
    site: &Site,
    theme: &theme::Theme,
    put: &Put,
    cached: Option<&Cached>,
) -> Result<Rendered, Error> {
    let sizes = std::sync::Mutex::new(std::collections::HashMap::new());
    let put_sized = |file: OutputFile| -> Result<(), Error> {
        let path = file.path.clone();
        let size = put(file)?;
        sizes.lock().expect("sizes lock").insert(path, size);
        Ok(())
    };
    let mut loads = BTreeMap::new();
    let mut prints = Vec::new();
    for batch in targets::batches(site) {
        let mut views = targets::views(site, theme, &batch);
        if let Some(cached) = cached {
            let batch_prints = fingerprint::of_views(site, &views, cached.versions);
            let reused: Vec<Option<(PageLoads, u64)>> =
                views.par_iter().zip(&batch_prints).map(|(view, &print)| (cached.reuse)(&view.output, print)).collect();
            let mut render = Vec::with_capacity(views.len());
            for ((view, print), reused) in views.into_iter().zip(batch_prints).zip(reused) {
                prints.push((view.output.clone(), print));
                match reused {
                    Some((page_loads, size)) => {
                        sizes.lock().expect("sizes lock").insert(view.output.clone(), size);
                        loads.insert(view.output, page_loads);
                    }
                    None => render.push(view),
                }
            }
            views = render;
        }
        let done = targets::render_views(site, theme, views, &|page| {
            let path = page.file.path.clone();
            put_sized(page.file)?;
            Ok((path, PageLoads { loads: page.loads, foreign: page.foreign }))
        })?;
        loads.extend(done);
    }
    let uses_tai_viet = site.config.languages.iter().any(|l| l.script == crate::config::Script::TaiViet);
    let mut others: Vec<OutputFile> = theme
        .files
        .iter()
        .filter(|(path, _)| uses_tai_viet || !path.starts_with("assets/noto-sans-tai-viet"))
        .map(|(path, data)| OutputFile { path: path.clone(), contents: Contents::Bytes(data.clone()) })
        .collect();
    others.extend(asset_files(site, &loads)?);
    others.into_par_iter().try_for_each(put_sized)?;
    let sizes = sizes.into_inner().expect("sizes lock");
    offline::manifests(site, &sizes, &loads).into_par_iter().try_for_each(|file| put(file).map(|_| ()))?;
    Ok(Rendered { loads, prints })
}

/// The files of the assets: copied (SVGs cleaned); for an image made into variants, the
/// variants, and the file itself (re-encoded without metadata) only when a page loads or
/// links to it (`![…](anh.jpg#goc)`, `[ảnh gốc](anh.jpg)`).
fn asset_files(site: &Site, loads: &BTreeMap<String, PageLoads>) -> Result<Vec<OutputFile>, Error> {
    let linked: std::collections::HashSet<&str> =
        loads.values().flat_map(|p| p.loads.iter().map(|l| l.path.as_str())).collect();
    let files: Vec<Result<Vec<OutputFile>, Error>> = site
        .assets
        .par_iter()
        .map(|asset| {
            let Some(image) = &asset.image else {
                let contents = match &asset.cleaned {
                    Some(cleaned) => Contents::Bytes(cleaned.to_vec()),
                    None => Contents::Copy(asset.source.clone()),
                };
                return Ok(vec![OutputFile { path: asset.output.clone(), contents }]);
            };
            let mut out: Vec<OutputFile> = image
                .variants
                .iter()
                .map(|v| OutputFile { path: v.output.clone(), contents: Contents::Bytes(v.bytes.to_vec()) })
                .collect();
            if linked.contains(asset.output.as_str()) {
                let path = site.config.root.join(&asset.source);
                let bytes = crate::fs::read(&path)?;
                let original = crate::images::original(&bytes, &site.config.images).map_err(|refused| {
                    Error::Usage(format!("{}: {}: {}", asset.source.display(), msg!("diag.error"), refused.message))
                })?;
                out.push(OutputFile { path: asset.output.clone(), contents: Contents::Bytes(original) });
            }
            Ok(out)
        })
        .collect();
    let mut out = Vec::new();
    for f in files {
        out.extend(f?);
    }
    Ok(out)
}

/// The Markdown bodies of `pages` (indices into `site.pages`), rendered once each, in
/// parallel.
pub(super) fn bodies(site: &Site, theme: &theme::Theme, pages: &[usize]) -> Vec<(usize, RenderedBody)> {
    pages
        .par_iter()
        .map(|&i| {
            let page = &site.pages[i];
            let options =
                HtmlOptions { unsafe_html: site.config.markdown.unsafe_html, strings: Some(&theme.strings[page.lang]) };
            (i, markdown::render(page.source.body(), &PageResolver { site, page }, &options))
        })
        .collect()
}

/// Renders a view with the theme. `body` gives the rendered Markdown of a page of
/// `site.pages` that the view shows; `shared` is what every page of a language gets
/// ([`SharedContexts::of`], made once for many pages).
pub fn page<'b>(
    site: &Site,
    theme: &theme::Theme,
    shared: &SharedContexts,
    view: PageView,
    body: &dyn Fn(usize) -> Option<&'b RenderedBody>,
) -> Result<RenderedPage, Error> {
    let frame = Frame::of(site, theme, &view);
    let mut context = frame.context(shared);
    let PageView {
        output,
        title,
        title_lang,
        description,
        breadcrumbs,
        prev,
        next,
        body: shown,
        mut loads,
        mut data,
        template,
        ..
    } = view;
    let page = data.entry("page").or_insert_with(|| serde_json::json!({}));
    if let serde_json::Value::Object(page) = page {
        page.insert("title".into(), title.into());
        if let Some(lang) = title_lang {
            page.insert("title_lang".into(), lang.into());
        }
    }
    let mut foreign = Vec::new();
    let mut add_body = |rendered: &RenderedBody| {
        loads.extend(rendered.loads.iter().filter_map(|(url, kind)| {
            let path = view::resolve(&output, url)?;
            (!path.ends_with(".html")).then_some(Load { path, kind: *kind })
        }));
        foreign.extend(rendered.foreign.iter().cloned());
    };
    match &shown {
        Body::None => {}
        Body::Page(i) => {
            let rendered = body(*i);
            context.insert("content", rendered.map_or("", |b| b.html.as_str()));
            rendered.into_iter().for_each(&mut add_body);
        }
        Body::Print(shown) => {
            let mut has_answers = false;
            if let Some(serde_json::Value::Array(lessons)) = data.get_mut("lessons") {
                for (lesson, &i) in lessons.iter_mut().zip(shown) {
                    let rendered = body(i);
                    let prefix = format!("{}-", lesson["id"].as_str().unwrap_or_default());
                    let answers = rendered.map(|b| b.answers.clone()).unwrap_or_default();
                    has_answers |= !answers.is_empty();
                    lesson["content"] = prefix_ids(rendered.map_or("", |b| b.html.as_str()), &prefix).into();
                    lesson["answers"] = answers.into();
                    rendered.into_iter().for_each(&mut add_body);
                }
            }
            context.insert("has_answers", &has_answers);
        }
    }
    // the data is a JSON object already: moved in, not serialised again
    context.extend(tera::Context::from_value(serde_json::Value::Object(data)).expect("page data is an object"));
    context.insert("description", &description);
    context.insert("breadcrumbs", &breadcrumbs);
    context.insert("prev", &prev);
    context.insert("next", &next);
    let file = frame.render(template, &context)?;
    loads.sort();
    loads.dedup_by(|a, b| a.path == b.path);
    foreign.dedup();
    Ok(RenderedPage { file, loads, foreign })
}

/// Prefixes every `id` in rendered body HTML, and every same-page link to one. The HTML is
/// our own (or sanitised), so attributes are always written ` id="…"` and `href="#…"`.
fn prefix_ids(html: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut copied = 0;
    // every attribute named ends in `="`: one pass over those
    for (at, _) in html.match_indices("=\"") {
        let before = &html[..at];
        let value = at + 2;
        let names_id = before.ends_with(" id") || before.ends_with(" aria-labelledby");
        let same_page = before.ends_with("href") && html[value..].starts_with('#');
        let start = match (names_id, same_page) {
            (true, _) => value,
            (false, true) => value + 1,
            (false, false) => continue,
        };
        out.push_str(&html[copied..start]);
        out.push_str(prefix);
        copied = start;
    }
    out.push_str(&html[copied..]);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn print_pages_prefix_ids_and_same_page_links_only() {
        let html = r##"<h2 id="cai-dat">Cài đặt</h2><p><a href="#cai-dat">lên</a> <a href="../zalo/index.html#cai-dat">Zalo</a></p>"##;
        assert_eq!(
            super::prefix_ids(html, "bai-1-"),
            r##"<h2 id="bai-1-cai-dat">Cài đặt</h2><p><a href="#bai-1-cai-dat">lên</a> <a href="../zalo/index.html#cai-dat">Zalo</a></p>"##
        );
        let quiz =
            r##"<fieldset aria-labelledby="q1"><legend id="q1">Hỏi</legend><p data-x="1" id="a">x</p></fieldset>"##;
        assert_eq!(
            super::prefix_ids(quiz, "bai-2-"),
            r##"<fieldset aria-labelledby="bai-2-q1"><legend id="bai-2-q1">Hỏi</legend><p data-x="1" id="bai-2-a">x</p></fieldset>"##
        );
    }
}

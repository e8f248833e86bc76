//! Rendering: the linked [`Site`] → output files (HTML pages in every language, learning
//! paths, domain pages, print pages, the theme's static files, copied assets). Markdown
//! bodies go through [`crate::markdown`], pages through the theme's tera templates, in
//! parallel over pages.
//!
//! Reads the site only; returns files in memory and never writes to disk (that is `output`).
//! For the preview, [`targets`] renders pages one by one exactly as a whole build does, and
//! [`fingerprint`] hashes what each page reads, to tell which pages a change reaches.

pub mod fingerprint;
mod lists;
pub mod offline;
pub mod targets;
pub mod theme;

use crate::config::{Language, Script};
use crate::content::PageKind;
use crate::markdown::{self, HtmlOptions};
use crate::site::{relative_url, Course, Page, PageResolver, PageStatus, Site};
use crate::Error;
use rayon::prelude::*;
use serde::Serialize;
use std::path::PathBuf;

/// A file of the built site, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// `/`-separated path inside the output folder.
    pub path: String,
    pub contents: Contents,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    Bytes(Vec<u8>),
    /// Copy this file (relative paths are relative to the repository root).
    Copy(PathBuf),
}

#[derive(Serialize)]
struct Link {
    title: String,
    url: String,
    /// The default language's tag when the title falls back to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<String>,
}

/// A lesson in a list (course page, learning path, domain page).
#[derive(Serialize)]
struct LessonItem {
    title: String,
    url: String,
    summary: String,
    duration: Option<u32>,
    level: Option<String>,
    /// Language-independent id, for progress marks.
    id: String,
    /// The default language's tag when the lesson is shown untranslated.
    lang: Option<String>,
}

#[derive(Serialize)]
struct Named {
    name: String,
    url: String,
    /// The default language's tag when the name falls back to it.
    lang: Option<String>,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    summary: &'a str,
    level: Option<String>,
    duration: Option<u32>,
    objectives: &'a [String],
    domains: Vec<Named>,
    groups: Vec<Named>,
    /// Language-independent id, for progress marks.
    id: String,
    /// Lessons: when the file last changed (`iso` for `datetime`, `text` as the language
    /// writes dates).
    updated: Option<serde_json::Value>,
    /// Lessons: the "report a mistake" link naming the lesson, with `[site] feedback`.
    feedback: Option<String>,
}

/// One language's version of the page, for the switcher and `hreflang`.
#[derive(Serialize)]
struct Alternate {
    /// In the language itself.
    name: String,
    /// In Vietnamese, where that differs.
    name_vi: Option<String>,
    tag: String,
    url: String,
    /// The absolute address with `[site] base_url`, else the relative one.
    href: String,
    current: bool,
}

/// What a page in one language is made of, for every kind of page.
struct Frame<'a> {
    site: &'a Site,
    theme: &'a theme::Theme,
    lang: usize,
    output: String,
    /// Output paths of the same page in every language (same order as the languages).
    alternates: Vec<String>,
}

impl Frame<'_> {
    fn language(&self) -> &Language {
        &self.site.config.languages[self.lang]
    }

    fn strings(&self) -> &toml::Table {
        &self.theme.strings[self.lang]
    }

    fn string(&self, key: &str) -> String {
        self.strings().get(key).and_then(|v| v.as_str()).unwrap_or(key).to_string()
    }

    fn url(&self, to: &str) -> String {
        relative_url(&self.output, to)
    }

    /// `[site] base_url`, ending in `/`; empty without one.
    fn base_url(&self) -> String {
        match self.site.config.base_url.as_str() {
            "" => String::new(),
            url if url.ends_with('/') => url.to_string(),
            url => format!("{url}/"),
        }
    }

    /// The default language's tag when a text that has no version in this page's
    /// language is shown (`lang` on the element); `None` when the text is the page's own.
    fn fallback_lang(&self, own: bool) -> Option<String> {
        (self.lang > 0 && !own).then(|| self.site.config.languages[0].tag.clone())
    }

    /// A text of book.toml in this page's language, or the default language's with its tag.
    fn text<'t>(&self, own: Option<&'t str>, default: &'t str) -> (&'t str, Option<String>) {
        let own = own.filter(|_| self.lang > 0);
        (own.unwrap_or(default), self.fallback_lang(own.is_some() || default.is_empty()))
    }

    /// A target group's name in this page's language.
    fn group_name(&self, group: usize) -> (String, Option<String>) {
        let group = &self.site.config.groups[group];
        let (name, lang) = self.text(group.name_in(self.language().id.as_str()), &group.name);
        (name.to_string(), lang)
    }

    /// A competency domain's name in this page's language.
    fn domain_name(&self, domain: usize) -> (String, Option<String>) {
        let domain = &self.site.config.domains[domain];
        let (name, lang) = self.text(domain.name_in(self.language().id.as_str()), &domain.name);
        (name.to_string(), lang)
    }

    /// The site's description in this page's language (or the default language's).
    fn site_description(&self) -> &str {
        let config = &self.site.config;
        self.text(self.language().site.description.as_deref(), &config.description).0
    }

    /// The page's meta description: its summary, or a sentence made from the page kind
    /// (`key` in the UI strings, `{name}` replaced) and the site's description.
    fn description(&self, summary: &str, key: &str, name: &str) -> String {
        if !summary.trim().is_empty() {
            return summary.trim().to_string();
        }
        let sentence = if key.is_empty() { String::new() } else { self.string(key).replace("{name}", name) };
        let text = [sentence.as_str(), self.site_description()]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if text.is_empty() {
            self.text(self.language().site.title.as_deref(), &self.site.config.title).0.to_string()
        } else {
            text
        }
    }

    /// A page of `site.pages` linked by title (previous, next, breadcrumbs).
    fn link(&self, key: usize) -> Link {
        let target = self.site.page(key, self.lang);
        Link {
            title: target.source.front.title.clone(),
            url: self.url(&target.output),
            lang: self.fallback_lang(target.status != PageStatus::Fallback),
        }
    }

    /// Said in the footer when book.toml gives names in this language that no native
    /// speaker has checked.
    fn names_note(&self) -> Option<String> {
        let config = &self.site.config;
        let lang = self.language();
        let id = lang.id.as_str();
        let site = &lang.site;
        let gives = site.title.is_some()
            || site.description.is_some()
            || site.publisher.is_some()
            || config.groups.iter().any(|g| g.name_in(id).is_some())
            || config.domains.iter().any(|d| d.name_in(id).is_some());
        match lang.review {
            _ if self.lang == 0 || !gives => None,
            crate::config::TextReview::Machine => Some(self.string("names_review_machine")),
            crate::config::TextReview::Draft => Some(self.string("names_review_draft")),
            crate::config::TextReview::Reviewed => None,
        }
    }

    /// A link to the home page, for breadcrumbs.
    fn home_link(&self) -> Link {
        Link { title: self.string("home"), url: context_home(self), lang: None }
    }

    fn lesson_item(&self, key: usize) -> LessonItem {
        let lesson = self.site.page(key, self.lang);
        let front = &lesson.source.front;
        LessonItem {
            title: front.title.clone(),
            url: self.url(&lesson.output),
            summary: front.summary.clone(),
            duration: front.duration,
            level: front.level.map(|l| self.string(&format!("level_{}", l.id().replace('-', "_")))),
            id: lesson_id(self.site, key),
            lang: self.fallback_lang(lesson.status != PageStatus::Fallback),
        }
    }

    /// What every template gets: site, language and switcher, UI strings, the way back to
    /// the output root, theme files and sharing metadata.
    fn context(&self) -> tera::Context {
        let config = &self.site.config;
        let lang = self.language();
        let base_url = self.base_url();
        let mut context = tera::Context::new();
        let (title, title_lang) = self.text(lang.site.title.as_deref(), &config.title);
        let (description, description_lang) = self.text(lang.site.description.as_deref(), &config.description);
        let (publisher, publisher_lang) = self.text(lang.site.publisher.as_deref(), &config.publisher);
        context.insert(
            "site",
            &serde_json::json!({
                "title": title,
                "title_lang": title_lang,
                "description": description,
                "description_lang": description_lang,
                "publisher": publisher,
                "publisher_lang": publisher_lang,
                "base_url": base_url,
                "logo": self.theme.logo_path,
            }),
        );
        context
            .insert("icons", &serde_json::json!({ "svg": self.theme.icon_svg_path, "png": self.theme.icon_png_path }));
        context.insert(
            "lang",
            &serde_json::json!({
                "id": lang.id.as_str(),
                "tag": lang.tag,
                "name": lang.name,
                "name_vi": lang.name_vi,
                "og_locale": og_locale(&lang.tag),
            }),
        );
        let page_path = |output: &str| output.strip_suffix("index.html").unwrap_or(output).to_string();
        let alternates: Vec<Alternate> = config
            .languages
            .iter()
            .zip(&self.alternates)
            .enumerate()
            .map(|(i, (l, output))| Alternate {
                name: l.name.clone(),
                name_vi: l.name_vi.clone(),
                tag: l.tag.clone(),
                url: self.url(output),
                href: if base_url.is_empty() { self.url(output) } else { format!("{base_url}{}", page_path(output)) },
                current: i == self.lang,
            })
            .collect();
        if !base_url.is_empty() {
            context.insert("x_default", &alternates[0].href);
        }
        context.insert("alternates", &alternates);
        context.insert("default_tag", &config.languages[0].tag);
        if let Some(note) = self.names_note() {
            context.insert("names_note", &note);
        }
        context.insert("t", self.strings());
        context.insert("root", &"../".repeat(self.output.matches('/').count()));
        context.insert("home_url", &self.url(&self.site.page(self.site.home, self.lang).output));
        context.insert("css", &self.theme.css_path);
        context.insert("js", &self.theme.js_path);
        context.insert("search_js", &self.theme.search_js_path);
        context.insert("offline_js", &self.theme.offline_js_path);
        context.insert("search_url", &self.url(&self.site.search_output(self.lang)));
        if config.build.packs && !config.packs.is_empty() {
            context.insert("downloads_url", &self.url(&self.site.downloads_output(self.lang)));
        }
        context.insert("default_lang", config.languages[0].id.as_str());
        context.insert("og_image", &self.theme.share_card_path);
        context.insert("page_path", &page_path(&self.output));
        if lang.script == Script::TaiViet {
            context.insert(
                "font",
                &serde_json::json!({ "family": "Noto Sans Tai Viet", "path": self.theme.tai_viet_font_path }),
            );
        }
        context
    }

    fn render(&self, template: &str, context: &tera::Context) -> Result<OutputFile, Error> {
        // rendered as bytes: `Tera::render` would check the whole page is UTF-8 once more
        let mut html = Vec::with_capacity(16 * 1024);
        self.theme
            .tera
            .render_to(template, context, &mut html)
            .map_err(|e| Error::Template(format!("{template} for {}: {}", self.output, theme::error_chain(&e))))?;
        Ok(OutputFile { path: self.output.clone(), contents: Contents::Bytes(html) })
    }
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
}

/// The catalog page of offline packs in every language (`<lang>/tai-ve/`).
pub fn downloads(site: &Site, packs: &[PackListing]) -> Result<Vec<OutputFile>, Error> {
    let theme = theme::load(&site.config)?;
    (0..site.config.languages.len()).map(|lang| lists::downloads_page(site, &theme, lang, packs)).collect()
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
fn lesson_id(site: &Site, key: usize) -> String {
    let output = &site.page(key, 0).output;
    let without_lang = output.split_once('/').map_or(output.as_str(), |(_, rest)| rest);
    without_lang.strip_suffix("/index.html").unwrap_or(without_lang).to_string()
}

/// Renders every page of the site, plus the theme's static files and the assets. Also
/// returns, per language, the UI strings its theme file lacks (for `check`).
pub fn site(site: &Site) -> Result<(Vec<OutputFile>, Vec<Vec<String>>), Error> {
    let theme = &theme::load(&site.config)?;
    Ok((site_with(site, theme)?, theme.missing_strings.clone()))
}

/// Renders every page of the site with an already loaded theme (the preview keeps one).
pub fn site_with(site: &Site, theme: &theme::Theme) -> Result<Vec<OutputFile>, Error> {
    let languages = site.config.languages.len();
    // Each Markdown body is rendered once: a fallback whose links stay among fallbacks
    // reuses its original's HTML, and print pages reuse the lessons' HTML.
    let own: Vec<Option<String>> = site
        .pages
        .par_iter()
        .map(|page| {
            let options =
                HtmlOptions { unsafe_html: site.config.markdown.unsafe_html, strings: Some(&theme.strings[page.lang]) };
            (page.lang == 0 || !page.renders_like_original(site))
                .then(|| markdown::to_html(page.source.body(), &PageResolver { site, page }, &options))
        })
        .collect();
    let bodies: Vec<&str> = site
        .pages
        .iter()
        .enumerate()
        .map(|(i, page)| own[i].as_deref().or(own[page.key].as_deref()).unwrap_or_default())
        .collect();
    let bodies = &bodies;
    let pages: Vec<Result<OutputFile, Error>> = site
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, page)| render_page(site, theme, page, bodies[i]))
        .chain(site.courses.par_iter().flat_map(|course| {
            (0..languages).into_par_iter().map(move |lang| print_page(site, theme, course, lang, bodies))
        }))
        .chain((0..languages).into_par_iter().flat_map(|lang| lists::pages(site, theme, lang)))
        .collect();
    let mut files = Vec::with_capacity(pages.len() + site.assets.len() + 8);
    for page in pages {
        files.push(page?);
    }
    files.push(language_choice(site, theme)?);
    let uses_tai_viet = site.config.languages.iter().any(|l| l.script == Script::TaiViet);
    for (path, data) in &theme.files {
        if path.starts_with("assets/noto-sans-tai-viet") && !uses_tai_viet {
            continue;
        }
        files.push(OutputFile { path: path.clone(), contents: Contents::Bytes(data.clone()) });
    }
    for asset in &site.assets {
        let contents = match &asset.cleaned {
            Some(cleaned) => Contents::Bytes(cleaned.to_vec()),
            None => Contents::Copy(asset.source.clone()),
        };
        files.push(OutputFile { path: asset.output.clone(), contents });
    }
    let manifests = offline::manifests(site, &files)?;
    files.extend(manifests);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The same logical page's output path in every language.
fn alternates_of(site: &Site, key: usize) -> Vec<String> {
    (0..site.config.languages.len()).map(|l| site.page(key, l).output.clone()).collect()
}

fn render_page(site: &Site, theme: &theme::Theme, page: &Page, content: &str) -> Result<OutputFile, Error> {
    let config = &site.config;
    let frame =
        Frame { site, theme, lang: page.lang, output: page.output.clone(), alternates: alternates_of(site, page.key) };
    let front = &page.source.front;

    let mut context = frame.context();
    context.insert("content", &content);
    context.insert(
        "page",
        &PageView {
            title: &front.title,
            summary: &front.summary,
            level: front.level.map(|l| frame.string(&format!("level_{}", l.id().replace('-', "_")))),
            duration: front.duration,
            objectives: &front.objectives,
            domains: front
                .domains
                .iter()
                .filter_map(|d| config.domains.iter().position(|x| x.id == *d))
                .map(|d| {
                    let (name, lang) = frame.domain_name(d);
                    Named { name, url: frame.url(&site.domain_output(d, page.lang)), lang }
                })
                .collect(),
            groups: front
                .groups
                .iter()
                .filter_map(|g| config.groups.iter().position(|x| x.id == *g))
                .map(|g| {
                    let (name, lang) = frame.group_name(g);
                    Named { name, url: frame.url(&site.group_output(g, page.lang)), lang }
                })
                .collect(),
            id: lesson_id(site, page.key),
            updated: (page.source.kind == PageKind::Lesson)
                .then(|| page.source.updated.map(|epoch| date_view(&frame, epoch)))
                .flatten(),
            feedback: (page.source.kind == PageKind::Lesson && !config.feedback.is_empty())
                .then(|| feedback_url(&frame, &config.feedback, &front.title)),
        },
    );
    let description_key = match page.source.kind {
        PageKind::Home => "",
        PageKind::CourseIndex => "describe_course",
        PageKind::Lesson => "describe_lesson",
        PageKind::Page => "describe_page",
    };
    context.insert("description", &frame.description(&front.summary, description_key, &front.title));
    context.insert("status", &status_view(&frame, page));
    let mut breadcrumbs = Vec::new();
    if page.source.kind != PageKind::Home {
        breadcrumbs.push(frame.home_link());
    }
    let course = page.course.map(|c| &site.courses[c]);
    if let (Some(course), PageKind::Lesson) = (course, &page.source.kind) {
        breadcrumbs.push(frame.link(course.page));
    }
    context.insert("breadcrumbs", &breadcrumbs);
    context.insert("prev", &page.prev.map(|k| frame.link(k)));
    context.insert("next", &page.next.map(|k| frame.link(k)));

    let template = match page.source.kind {
        PageKind::Home => {
            lists::home_context(&frame, &mut context);
            "home.html"
        }
        PageKind::CourseIndex => {
            let lessons: Vec<LessonItem> =
                course.map(|c| c.lessons.iter().map(|&k| frame.lesson_item(k)).collect()).unwrap_or_default();
            let print_url =
                course.filter(|c| !c.lessons.is_empty()).map(|c| frame.url(&site.print_output(c, page.lang)));
            context.insert("course", &serde_json::json!({ "lessons": lessons, "print_url": print_url }));
            if offline::saves(course.map_or(0, |c| c.lessons.len())) {
                context.insert("offline", &serde_json::json!({ "cache": offline::folder(&page.output) }));
            }
            "course.html"
        }
        PageKind::Lesson => "lesson.html",
        PageKind::Page => "page.html",
    };
    frame.render(template, &context)
}

fn context_home(frame: &Frame) -> String {
    frame.url(&frame.site.page(frame.site.home, frame.lang).output)
}

/// How the page's text relates to its language: fallback notice, review marks.
fn status_view(frame: &Frame, page: &Page) -> serde_json::Value {
    let default = &frame.site.config.languages[0];
    match page.status {
        PageStatus::Original => serde_json::json!({ "kind": "original" }),
        PageStatus::Fallback => {
            // a lesson "is not in your language"; other pages say "this page", in the
            // reader's language when it has that string; a page without text says nothing
            let own_string = |key: &str| !frame.theme.missing_strings[frame.lang].iter().any(|k| k == key);
            let key = match page.source.kind {
                PageKind::Lesson => "fallback_notice",
                _ if own_string("fallback_notice_page") || !own_string("fallback_notice") => "fallback_notice_page",
                _ => "fallback_notice",
            };
            let untranslated = page.source.kind != PageKind::Home || !page.source.body().trim().is_empty();
            serde_json::json!({
                "kind": "fallback",
                "text_lang": default.tag,
                "notice": untranslated.then(|| frame.string(key).replace("{language}", &frame.language().name)),
            })
        }
        PageStatus::Translated { review, stale } => {
            let review_note = match review {
                Some(crate::content::Review::Machine) => Some(frame.string("review_machine")),
                Some(crate::content::Review::Draft) | None => Some(frame.string("review_draft")),
                Some(crate::content::Review::Reviewed) => None,
            };
            serde_json::json!({
                "kind": "translated",
                "review": review.map(|r| format!("{r:?}").to_lowercase()).unwrap_or_else(|| "draft".into()),
                "review_note": review_note,
                "stale_note": stale.then(|| frame.string("stale_notice")),
            })
        }
    }
}

/// A course's print page: every lesson in order, for handouts. Heading ids (and the
/// same-page links to them) are prefixed with the lesson slug so lessons can share a page.
fn print_page(
    site: &Site,
    theme: &theme::Theme,
    course: &Course,
    lang: usize,
    bodies: &[&str],
) -> Result<OutputFile, Error> {
    let course_page = site.page(course.page, lang);
    let output = site.print_output(course, lang);
    let alternates = (0..site.config.languages.len()).map(|l| site.print_output(course, l)).collect();
    let frame = Frame { site, theme, lang, output, alternates };
    let lessons: Vec<serde_json::Value> = course
        .lessons
        .iter()
        .map(|&key| {
            let lesson = site.page(key, lang);
            let prefix = format!("{}-", lesson.source.slug);
            serde_json::json!({
                "id": lesson.source.slug,
                "title": lesson.source.front.title,
                "objectives": lesson.source.front.objectives,
                "text_lang": (lesson.status == PageStatus::Fallback).then(|| site.config.languages[0].tag.clone()),
                "content": prefix_ids(bodies[lang * site.keys + key], &prefix),
                "answers": markdown::quiz_answers(lesson.source.body()),
            })
        })
        .collect();
    let mut context = frame.context();
    let front = &course_page.source.front;
    context.insert("page", &serde_json::json!({ "title": front.title, "summary": front.summary }));
    let has_answers = lessons.iter().any(|l| l["answers"].as_array().is_some_and(|a| !a.is_empty()));
    context.insert("has_answers", &has_answers);
    context.insert("description", &frame.description("", "describe_print", &front.title));
    context.insert("lessons", &lessons);
    let breadcrumbs = [frame.home_link(), frame.link(course.page)];
    context.insert("breadcrumbs", &breadcrumbs);
    frame.render("print.html", &context)
}

/// Prefixes every `id` in rendered body HTML, and every same-page link to one. The HTML is
/// our own (or sanitised), so attributes are always written ` id="…"` and `href="#…"`.
fn prefix_ids(html: &str, prefix: &str) -> String {
    html.replace(" id=\"", &format!(" id=\"{prefix}"))
        .replace(" aria-labelledby=\"", &format!(" aria-labelledby=\"{prefix}"))
        .replace("href=\"#", &format!("href=\"#{prefix}"))
}

/// A content date as pages show it: `iso` (`2025-03-14`) for `datetime`, `text` as the
/// language writes dates (`date_format` of the UI strings: `{dd}/{mm}/{yyyy}` in
/// Vietnamese). The calendar day is Vietnam's (UTC+7), where the lessons are made.
fn date_view(frame: &Frame, epoch: i64) -> serde_json::Value {
    let (year, month, day, ..) = crate::pack::civil(epoch + 7 * 3600);
    let text = frame
        .string("date_format")
        .replace("{dd}", &format!("{day:02}"))
        .replace("{mm}", &format!("{month:02}"))
        .replace("{yyyy}", &format!("{year:04}"));
    serde_json::json!({ "iso": format!("{year:04}-{month:02}-{day:02}"), "text": text })
}

/// The "report a mistake" link of a lesson: for `mailto:` a subject naming the lesson's
/// title and address, for a web form the query `?bai=<address>&tieu-de=<title>`.
fn feedback_url(frame: &Frame, feedback: &str, title: &str) -> String {
    let path = frame.output.strip_suffix("index.html").unwrap_or(&frame.output);
    let join = if feedback.contains('?') { '&' } else { '?' };
    if feedback.starts_with("mailto:") {
        let subject = frame.string("feedback_subject").replace("{title}", title).replace("{path}", path);
        format!("{feedback}{join}subject={}", percent_encode(&subject))
    } else {
        format!("{feedback}{join}bai={}&tieu-de={}", percent_encode(path), percent_encode(title))
    }
}

/// Everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) is escaped.
const NOT_UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes everything but RFC 3986's unreserved characters (UTF-8 bytes).
fn percent_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, NOT_UNRESERVED).to_string()
}

/// Open Graph wants `ll_CC`; Sơn La's minority languages have no country variants in use.
fn og_locale(tag: &str) -> String {
    match tag.split('-').next().unwrap_or(tag) {
        "vi" => "vi_VN".to_string(),
        other => other.to_string(),
    }
}

/// `index.html` at the output root: a plain list of languages, works without JavaScript.
fn language_choice(site: &Site, theme: &theme::Theme) -> Result<OutputFile, Error> {
    let frame = Frame { site, theme, lang: 0, output: "index.html".into(), alternates: alternates_of(site, site.home) };
    let mut context = frame.context();
    let languages: Vec<serde_json::Value> = site
        .config
        .languages
        .iter()
        .enumerate()
        .map(|(l, lang)| {
            serde_json::json!({ "name": lang.name, "name_vi": lang.name_vi, "tag": lang.tag, "url": site.page(site.home, l).output })
        })
        .collect();
    context.insert("languages", &languages);
    context.insert("description", &frame.description("", "", ""));
    frame.render("languages.html", &context)
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(super::percent_encode("vi/a b/Mật?&="), "vi%2Fa%20b%2FM%E1%BA%ADt%3F%26%3D");
        assert_eq!(super::percent_encode("a-b.c_d~e%2F+#\u{0}"), "a-b.c_d~e%252F%2B%23%00");
        assert_eq!(super::percent_encode("ꪼ😀"), "%EA%AA%BC%F0%9F%98%80");
    }

    #[test]
    fn print_pages_prefix_ids_and_same_page_links_only() {
        let html = r##"<h2 id="cai-dat">Cài đặt</h2><p><a href="#cai-dat">lên</a> <a href="../zalo/index.html#cai-dat">Zalo</a></p>"##;
        assert_eq!(
            super::prefix_ids(html, "bai-1-"),
            r##"<h2 id="bai-1-cai-dat">Cài đặt</h2><p><a href="#bai-1-cai-dat">lên</a> <a href="../zalo/index.html#cai-dat">Zalo</a></p>"##
        );
    }
}

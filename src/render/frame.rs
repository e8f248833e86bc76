//! The frame of every page: what all templates get whatever the page (site, language and
//! its switcher, UI strings, the way back to the output root, the theme's files and
//! sharing metadata), and the helpers page views are built with (names of groups and
//! domains in the page's language, links, lesson items, descriptions).

use super::theme::Theme;
use super::view::{Link, Load, PageView};
use super::LessonItem;
use crate::config::{Language, Script};
use crate::output::{Contents, OutputFile};
use crate::site::{relative_url, PageStatus, Site};
use crate::Error;
use serde::Serialize;

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

/// The part of every page's template context that is the same on all pages of a language
/// (site, language, UI strings, theme files), by language: made once per rendering, each
/// page's context starts as a copy of its language's.
pub struct SharedContexts(Vec<tera::Context>);

impl SharedContexts {
    pub fn of(site: &Site, theme: &Theme) -> SharedContexts {
        let frame = |lang| Frame { site, theme, lang, output: String::new(), alternates: Vec::new() };
        SharedContexts((0..site.config.languages.len()).map(|lang| frame(lang).shared_context()).collect())
    }
}

/// What a page in one language is made of, for every kind of page.
pub(super) struct Frame<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    pub lang: usize,
    pub output: String,
    /// Output paths of the same page in every language (same order as the languages).
    pub alternates: Vec<String>,
}

impl<'a> Frame<'a> {
    pub fn language(&self) -> &Language {
        &self.site.config.languages[self.lang]
    }

    pub fn strings(&self) -> &toml::Table {
        &self.theme.strings[self.lang]
    }

    pub fn string(&self, key: &str) -> String {
        self.strings().get(key).and_then(|v| v.as_str()).unwrap_or(key).to_string()
    }

    pub fn url(&self, to: &str) -> String {
        relative_url(&self.output, to)
    }

    /// `[site] base_url`, ending in `/`; empty without one.
    pub fn base_url(&self) -> String {
        match self.site.config.base_url.as_str() {
            "" => String::new(),
            url if url.ends_with('/') => url.to_string(),
            url => format!("{url}/"),
        }
    }

    /// The default language's tag when a text that has no version in this page's
    /// language is shown (`lang` on the element); `None` when the text is the page's own.
    pub fn fallback_lang(&self, own: bool) -> Option<String> {
        (self.lang > 0 && !own).then(|| self.site.config.languages[0].tag.clone())
    }

    /// A text of book.toml in this page's language, or the default language's with its tag.
    pub fn text<'t>(&self, own: Option<&'t str>, default: &'t str) -> (&'t str, Option<String>) {
        let own = own.filter(|_| self.lang > 0);
        (own.unwrap_or(default), self.fallback_lang(own.is_some() || default.is_empty()))
    }

    /// A target group's name in this page's language.
    pub fn group_name(&self, group: usize) -> (String, Option<String>) {
        let group = &self.site.config.groups[group];
        let (name, lang) = self.text(group.name_in(self.language().id.as_str()), &group.name);
        (name.to_string(), lang)
    }

    /// A competency domain's name in this page's language.
    pub fn domain_name(&self, domain: usize) -> (String, Option<String>) {
        let domain = &self.site.config.domains[domain];
        let (name, lang) = self.text(domain.name_in(self.language().id.as_str()), &domain.name);
        (name.to_string(), lang)
    }

    /// The site's description in this page's language (or the default language's).
    pub fn site_description(&self) -> &str {
        let config = &self.site.config;
        self.text(self.language().site.description.as_deref(), &config.description).0
    }

    /// The page's meta description: its summary, or a sentence made from the page kind
    /// (`key` in the UI strings, `{name}` replaced) and the site's description.
    pub fn description(&self, summary: &str, key: &str, name: &str) -> String {
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
    pub fn link(&self, key: usize) -> Link {
        let target = self.site.page(key, self.lang);
        Link {
            title: target.source.front.title.clone(),
            url: self.url(&target.output),
            lang: self.fallback_lang(target.status != PageStatus::Fallback),
        }
    }

    /// Said in the footer when book.toml gives names in this language that no native
    /// speaker has checked.
    pub fn names_note(&self) -> Option<String> {
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
    pub fn home_link(&self) -> Link {
        Link { title: self.string("home"), url: context_home(self), lang: None }
    }

    pub fn lesson_item(&self, key: usize) -> LessonItem {
        let lesson = self.site.page(key, self.lang);
        let front = &lesson.source.front;
        LessonItem {
            title: front.title.clone(),
            url: self.url(&lesson.output),
            summary: front.summary.clone(),
            duration: front.duration,
            level: front.level.map(|l| self.string(&format!("level_{}", l.id().replace('-', "_")))),
            id: super::lesson_id(self.site, key),
            lang: self.fallback_lang(lesson.status != PageStatus::Fallback),
        }
    }

    /// What every template gets: site, language and switcher, UI strings, the way back to
    /// the output root, theme files and sharing metadata. `shared` is the part that is the
    /// same on every page of the frame's language ([`Frame::shared_context`]), made once.
    pub fn context(&self, shared: &SharedContexts) -> tera::Context {
        let config = &self.site.config;
        let base_url = self.base_url();
        let mut context = shared.0[self.lang].clone();
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
        context.insert("root", &"../".repeat(self.output.matches('/').count()));
        context.insert("home_url", &self.url(&self.site.page(self.site.home, self.lang).output));
        context.insert("search_url", &self.url(&self.site.search_output(self.lang)));
        if config.build.packs && !config.packs.is_empty() {
            context.insert("downloads_url", &self.url(&self.site.downloads_output(self.lang)));
        }
        context.insert("page_path", &page_path(&self.output));
        context
    }

    /// The part of [`Frame::context`] that is the same on every page of the frame's
    /// language: site, language, UI strings, theme files.
    fn shared_context(&self) -> tera::Context {
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
        context.insert("default_tag", &config.languages[0].tag);
        if let Some(note) = self.names_note() {
            context.insert("names_note", &note);
        }
        context.insert("t", self.strings());
        context.insert("css", &self.theme.css_path);
        context.insert("js", &self.theme.js_path);
        context.insert("search_js", &self.theme.search_js_path);
        context.insert("offline_js", &self.theme.offline_js_path);
        context.insert("default_lang", config.languages[0].id.as_str());
        context.insert("og_image", &self.theme.share_card_path);
        if lang.script == Script::TaiViet {
            context.insert(
                "font",
                &serde_json::json!({ "family": "Noto Sans Tai Viet", "path": self.theme.tai_viet_font_path }),
            );
        }
        context
    }

    /// The files the frame of a page in this language loads (see [`Theme::frame_loads`]).
    pub fn loads(&self) -> Vec<Load> {
        self.theme.frame_loads(self.language().script == Script::TaiViet)
    }

    /// A page view of this frame: its address, language and alternates, with the files the
    /// frame loads; the caller fills in the rest.
    pub fn view(&self, template: &'static str, title: String) -> PageView {
        PageView {
            output: self.output.clone(),
            lang: self.lang,
            alternates: self.alternates.clone(),
            template,
            title,
            title_lang: None,
            description: String::new(),
            breadcrumbs: Vec::new(),
            prev: None,
            next: None,
            body: super::view::Body::None,
            loads: self.loads(),
            data: serde_json::Map::new(),
        }
    }

    /// The frame a view is rendered in.
    pub fn of(site: &'a Site, theme: &'a Theme, view: &PageView) -> Frame<'a> {
        Frame { site, theme, lang: view.lang, output: view.output.clone(), alternates: view.alternates.clone() }
    }

    pub fn render(&self, template: &str, context: &tera::Context) -> Result<OutputFile, Error> {
        // rendered as bytes: `Tera::render` would check the whole page is UTF-8 once more
        let mut html = Vec::with_capacity(16 * 1024);
        self.theme.tera.render_to(template, context, &mut html).map_err(|e| {
            Error::Template(format!("{template} for {}: {}", self.output, super::theme::error_chain(&e)))
        })?;
        Ok(OutputFile { path: self.output.clone(), contents: Contents::Bytes(html) })
    }
}

/// A link to the home page of the frame's language.
fn context_home(frame: &Frame) -> String {
    frame.url(&frame.site.page(frame.site.home, frame.lang).output)
}

/// Open Graph wants `ll_CC`; Sơn La's minority languages have no country variants in use.
fn og_locale(tag: &str) -> String {
    match tag.split('-').next().unwrap_or(tag) {
        "vi" => "vi_VN".to_string(),
        other => other.to_string(),
    }
}

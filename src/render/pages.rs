//! Views of the pages made from Markdown files (home, section pages, lessons, other pages),
//! of each section's print page, and of the choice of language at the output root.

use super::frame::Frame;
use super::theme::Theme;
use super::view::{Body, PageView};
use super::{lesson_id, Named};
use crate::content::PageKind;
use crate::site::{Child, Page, PageStatus, Section, Site};
use serde::Serialize;

/// What a page's template reads of its front matter (as `page`).
#[derive(Serialize)]
struct FrontView<'a> {
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

/// The same logical page's output path in every language.
pub(super) fn alternates_of(site: &Site, key: usize) -> Vec<String> {
    (0..site.config.languages.len()).map(|l| site.page(key, l).output.clone()).collect()
}

/// The view of `site.pages[i]`: home, a section's page, a lesson or another page. `body` is
/// the page whose Markdown it shows (itself, or a fallback's original).
pub(super) fn page_view(site: &Site, theme: &Theme, i: usize, body: usize) -> PageView {
    let page = &site.pages[i];
    let config = &site.config;
    let frame =
        Frame { site, theme, lang: page.lang, output: page.output.clone(), alternates: alternates_of(site, page.key) };
    let front = &page.source.front;
    let template = match page.source.kind {
        PageKind::Home => "home.html",
        PageKind::SectionIndex => "course.html",
        PageKind::Lesson => "lesson.html",
        PageKind::Page => "page.html",
    };
    let mut view = frame.view(template, front.title.clone());
    view.body = Body::Page(body);
    let data = &mut view.data;
    let front_view = FrontView {
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
    };
    data.insert("page".into(), serde_json::to_value(front_view).expect("a page view serialises"));
    let description_key = match page.source.kind {
        PageKind::Home => "",
        PageKind::SectionIndex => "describe_course",
        PageKind::Lesson => "describe_lesson",
        PageKind::Page => "describe_page",
    };
    view.description = frame.description(&front.summary, description_key, &front.title);
    data.insert("status".into(), status_view(&frame, page));
    if page.source.kind != PageKind::Home {
        view.breadcrumbs.push(frame.home_link());
    }
    view.breadcrumbs.extend(site.sections_above(page).into_iter().map(|s| frame.link(site.sections[s].page)));
    let section = page.section.map(|s| &site.sections[s]);
    view.prev = page.prev.map(|k| frame.link(k));
    view.next = page.next.map(|k| frame.link(k));
    match page.source.kind {
        PageKind::Home => super::lists::home_data(&frame, &mut view.data),
        PageKind::SectionIndex => {
            view.data.insert("course".into(), section.map_or(serde_json::Value::Null, |s| section_data(&frame, s)));
            if super::offline::saves(section.map_or(0, |s| s.reading.len())) {
                view.data
                    .insert("offline".into(), serde_json::json!({ "cache": super::offline::folder(&page.output) }));
            }
        }
        PageKind::Lesson | PageKind::Page => {}
    }
    view
}

/// What a section's page lists (as `course`): what it holds in order (`children`: its
/// sections, with their lesson counts, and its lessons), its own lessons alone (`lessons`),
/// and its print page when it has lessons below it.
fn section_data(frame: &Frame, section: &Section) -> serde_json::Value {
    let site = frame.site;
    let children: Vec<serde_json::Value> = section
        .children
        .iter()
        .map(|child| match *child {
            Child::Lesson(k) => serde_json::to_value(frame.lesson_item(k)).expect("a lesson item serialises"),
            Child::Section(s) => {
                let below = &site.sections[s];
                let page = site.page(below.page, frame.lang);
                serde_json::json!({
                    "section": true,
                    "title": page.source.front.title,
                    "summary": page.source.front.summary,
                    "url": frame.url(&page.output),
                    "lesson_count": below.lessons.len(),
                    "lang": frame.fallback_lang(page.status != PageStatus::Fallback),
                })
            }
        })
        .collect();
    let lessons: Vec<super::LessonItem> = section
        .children
        .iter()
        .filter_map(|child| match *child {
            Child::Lesson(k) => Some(frame.lesson_item(k)),
            Child::Section(_) => None,
        })
        .collect();
    let print_url = section.has_print_page().then(|| frame.url(&site.print_output(section, frame.lang)));
    serde_json::json!({ "children": children, "lessons": lessons, "print_url": print_url })
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

/// A section's print page: every page below it in reading order (its sections' pages and
/// lessons), for handouts. `bodies[i]` is the page
/// whose Markdown `site.pages[i]` shows. Heading ids (and the same-page links to them) are
/// prefixed with the lesson slug when rendered, so lessons can share a page.
pub(super) fn print_view(
    site: &Site,
    theme: &Theme,
    index: usize,
    lang: usize,
    body: &dyn Fn(usize) -> usize,
) -> PageView {
    let section = &site.sections[index];
    let section_page = site.page(section.page, lang);
    let output = site.print_output(section, lang);
    let alternates = (0..site.config.languages.len()).map(|l| site.print_output(section, l)).collect();
    let frame = Frame { site, theme, lang, output, alternates };
    // a page's id on the print page: its address below the section (`don-vi-1-bai-2`), so
    // that two pages of one slug in different sub-sections stay apart
    let folder = section_page.output.trim_end_matches("index.html");
    let lessons: Vec<serde_json::Value> = section
        .reading
        .iter()
        .map(|&key| {
            let lesson = site.page(key, lang);
            let below = lesson.output.strip_prefix(folder).unwrap_or(&lesson.output);
            serde_json::json!({
                "id": below.trim_end_matches("/index.html").replace('/', "-"),
                "title": lesson.source.front.title,
                "objectives": lesson.source.front.objectives,
                "text_lang": (lesson.status == PageStatus::Fallback).then(|| site.config.languages[0].tag.clone()),
            })
        })
        .collect();
    let front = &section_page.source.front;
    let mut view = frame.view("print.html", front.title.clone());
    view.body = Body::Print(section.reading.iter().map(|&key| body(lang * site.keys + key)).collect());
    view.data.insert("page".into(), serde_json::json!({ "summary": front.summary }));
    view.description = frame.description("", "describe_print", &front.title);
    view.data.insert("lessons".into(), serde_json::Value::Array(lessons));
    view.breadcrumbs = std::iter::once(frame.home_link())
        .chain(site.ancestors(index).into_iter().chain([index]).map(|s| frame.link(site.sections[s].page)))
        .collect();
    view
}

/// A content date as pages show it: `iso` (`2025-03-14`) for `datetime`, `text` as the
/// language writes dates (`date_format` of the UI strings: `{dd}/{mm}/{yyyy}` in
/// Vietnamese). The calendar day is Vietnam's (UTC+7), where the lessons are made.
fn date_view(frame: &Frame, epoch: i64) -> serde_json::Value {
    let (year, month, day, ..) = crate::content::dates::civil(epoch + 7 * 3600);
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

/// `index.html` at the output root: a plain list of languages, works without JavaScript.
/// It loads the stylesheet, icons and logo only (`languages.html`).
pub(super) fn languages_view(site: &Site, theme: &Theme) -> PageView {
    let frame = Frame { site, theme, lang: 0, output: "index.html".into(), alternates: alternates_of(site, site.home) };
    let mut view = frame.view("languages.html", String::new());
    view.loads.retain(|load| load.kind != super::view::LoadKind::Script && load.kind != super::view::LoadKind::Font);
    let languages: Vec<serde_json::Value> = site
        .config
        .languages
        .iter()
        .enumerate()
        .map(|(l, lang)| {
            serde_json::json!({ "name": lang.name, "name_vi": lang.name_vi, "tag": lang.tag, "url": site.page(site.home, l).output })
        })
        .collect();
    view.data.insert("languages".into(), serde_json::Value::Array(languages));
    view.description = frame.description("", "", "");
    view
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(super::percent_encode("vi/a b/Mật?&="), "vi%2Fa%20b%2FM%E1%BA%ADt%3F%26%3D");
        assert_eq!(super::percent_encode("a-b.c_d~e%2F+#\u{0}"), "a-b.c_d~e%252F%2B%23%00");
    }
}

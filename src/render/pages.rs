//! Views of the pages made from Markdown files (home, course pages, lessons, other pages),
//! of each course's print page, and of the choice of language at the output root.

use super::frame::Frame;
use super::theme::Theme;
use super::view::{Body, PageView};
use super::{lesson_id, Named};
use crate::content::PageKind;
use crate::site::{Course, Page, PageStatus, Site};
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

/// The view of `site.pages[i]`: home, a course page, a lesson or another page. `body` is
/// the page whose Markdown it shows (itself, or a fallback's original).
pub(super) fn page_view(site: &Site, theme: &Theme, i: usize, body: usize) -> PageView {
    let page = &site.pages[i];
    let config = &site.config;
    let frame =
        Frame { site, theme, lang: page.lang, output: page.output.clone(), alternates: alternates_of(site, page.key) };
    let front = &page.source.front;
    let template = match page.source.kind {
        PageKind::Home => "home.html",
        PageKind::CourseIndex => "course.html",
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
        PageKind::CourseIndex => "describe_course",
        PageKind::Lesson => "describe_lesson",
        PageKind::Page => "describe_page",
    };
    view.description = frame.description(&front.summary, description_key, &front.title);
    data.insert("status".into(), status_view(&frame, page));
    if page.source.kind != PageKind::Home {
        view.breadcrumbs.push(frame.home_link());
    }
    let course = page.course.map(|c| &site.courses[c]);
    if let (Some(course), PageKind::Lesson) = (course, &page.source.kind) {
        view.breadcrumbs.push(frame.link(course.page));
    }
    view.prev = page.prev.map(|k| frame.link(k));
    view.next = page.next.map(|k| frame.link(k));
    match page.source.kind {
        PageKind::Home => super::lists::home_data(&frame, &mut view.data),
        PageKind::CourseIndex => {
            let lessons: Vec<super::LessonItem> =
                course.map(|c| c.lessons.iter().map(|&k| frame.lesson_item(k)).collect()).unwrap_or_default();
            let print_url =
                course.filter(|c| !c.lessons.is_empty()).map(|c| frame.url(&site.print_output(c, page.lang)));
            view.data.insert("course".into(), serde_json::json!({ "lessons": lessons, "print_url": print_url }));
            if super::offline::saves(course.map_or(0, |c| c.lessons.len())) {
                view.data
                    .insert("offline".into(), serde_json::json!({ "cache": super::offline::folder(&page.output) }));
            }
        }
        PageKind::Lesson | PageKind::Page => {}
    }
    view
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

/// A course's print page: every lesson in order, for handouts. `bodies[i]` is the page
/// whose Markdown `site.pages[i]` shows. Heading ids (and the same-page links to them) are
/// prefixed with the lesson slug when rendered, so lessons can share a page.
pub(super) fn print_view(
    site: &Site,
    theme: &Theme,
    course: &Course,
    lang: usize,
    body: &dyn Fn(usize) -> usize,
) -> PageView {
    let course_page = site.page(course.page, lang);
    let output = site.print_output(course, lang);
    let alternates = (0..site.config.languages.len()).map(|l| site.print_output(course, l)).collect();
    let frame = Frame { site, theme, lang, output, alternates };
    let lessons: Vec<serde_json::Value> = course
        .lessons
        .iter()
        .map(|&key| {
            let lesson = site.page(key, lang);
            serde_json::json!({
                "id": lesson.source.slug,
                "title": lesson.source.front.title,
                "objectives": lesson.source.front.objectives,
                "text_lang": (lesson.status == PageStatus::Fallback).then(|| site.config.languages[0].tag.clone()),
            })
        })
        .collect();
    let front = &course_page.source.front;
    let mut view = frame.view("print.html", front.title.clone());
    view.body = Body::Print(course.lessons.iter().map(|&key| body(lang * site.keys + key)).collect());
    view.data.insert("page".into(), serde_json::json!({ "summary": front.summary }));
    view.description = frame.description("", "describe_print", &front.title);
    view.data.insert("lessons".into(), serde_json::Value::Array(lessons));
    view.breadcrumbs = vec![frame.home_link(), frame.link(course.page)];
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

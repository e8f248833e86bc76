//! Pages made from the taxonomy rather than from a Markdown file: the home page's lists,
//! each target group's learning path, each domain's lessons by level, and the coverage
//! report page.

use super::frame::Frame;
use super::theme::Theme;
use super::view::PageView;
use super::LessonItem;
use crate::site::taxonomy::{Coverage, DomainLessons, GroupPath};
use crate::site::Site;
use serde::Serialize;
use serde_json::{json, Map, Value};

#[derive(Serialize)]
struct CourseItem {
    title: String,
    summary: String,
    url: String,
    lesson_count: usize,
    /// The default language's tag when the course page is shown untranslated.
    lang: Option<String>,
}

#[derive(Serialize)]
struct GroupItem {
    name: String,
    url: String,
    lesson_count: usize,
    lang: Option<String>,
}

#[derive(Serialize)]
struct DomainItem {
    name: String,
    url: String,
    lesson_count: usize,
    lang: Option<String>,
}

/// The home page's courses, "who are you?" groups and domain grid.
pub(super) fn home_data(frame: &Frame, data: &mut Map<String, Value>) {
    let site = frame.site;
    let courses: Vec<CourseItem> = site
        .courses()
        .map(|c| {
            let page = site.page(c.page, frame.lang);
            CourseItem {
                title: page.source.front.title.clone(),
                summary: page.source.front.summary.clone(),
                url: frame.url(&page.output),
                lesson_count: c.lessons.len(),
                lang: frame.fallback_lang(page.status != crate::site::PageStatus::Fallback),
            }
        })
        .collect();
    data.insert("courses".into(), json!(courses));
    data.insert("groups".into(), json!(groups(frame)));
    data.insert("domains".into(), json!(domains(frame)));
}

fn groups(frame: &Frame) -> Vec<GroupItem> {
    let site = frame.site;
    site.taxonomy
        .paths
        .iter()
        .map(|path| GroupItem {
            name: frame.group_name(path.group).0,
            lang: frame.group_name(path.group).1,
            url: frame.url(&site.group_output(path.group, frame.lang)),
            lesson_count: {
                let mut keys: Vec<usize> = path.sections.iter().flat_map(|(_, l)| l.iter().copied()).collect();
                keys.sort_unstable();
                keys.dedup();
                keys.len()
            },
        })
        .collect()
}

fn domains(frame: &Frame) -> Vec<DomainItem> {
    let site = frame.site;
    site.taxonomy
        .domains
        .iter()
        .map(|d| DomainItem {
            name: frame.domain_name(d.domain).0,
            lang: frame.domain_name(d.domain).1,
            url: frame.url(&site.domain_output(d.domain, frame.lang)),
            lesson_count: d.levels.iter().map(|(_, l)| l.len()).sum(),
        })
        .collect()
}

/// A target group's learning path: its domains in order, each with its lessons.
pub(super) fn path_view(site: &Site, theme: &Theme, lang: usize, path: &GroupPath) -> PageView {
    let languages = site.config.languages.len();
    let alternates = (0..languages).map(|l| site.group_output(path.group, l)).collect();
    let frame = Frame { site, theme, lang, output: site.group_output(path.group, lang), alternates };
    let sections: Vec<serde_json::Value> = path
        .sections
        .iter()
        .map(|(d, keys)| {
            let lessons: Vec<LessonItem> = keys.iter().map(|&k| frame.lesson_item(k)).collect();
            let minutes: u32 = lessons.iter().filter_map(|l| l.duration).sum();
            let (name, name_lang) = frame.domain_name(*d);
            json!({
                "name": name,
                "name_lang": name_lang,
                "url": frame.url(&site.domain_output(*d, lang)),
                "lessons": lessons,
                "minutes": minutes,
            })
        })
        .collect();
    // a lesson in two of the path's domains is listed twice but learned and timed once
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<usize> =
        path.sections.iter().flat_map(|(_, keys)| keys.iter().copied()).filter(|&k| seen.insert(k)).collect();
    let total: u32 = unique.iter().filter_map(|&k| site.page(k, lang).source.front.duration).sum();
    let ids: Vec<String> = unique.iter().map(|&k| super::lesson_id(site, k)).collect();
    let (title, title_lang) = frame.group_name(path.group);
    let mut view = frame.view("path.html", title);
    view.title_lang = title_lang;
    view.data.insert("page".into(), json!({ "summary": "" }));
    view.description = frame.description("", "describe_path", &view.title);
    view.data
        .insert("path".into(), json!({ "sections": sections, "total_minutes": total, "lesson_ids": ids.join(" ") }));
    if super::offline::saves(unique.len()) {
        view.data.insert("offline".into(), json!({ "cache": super::offline::folder(&frame.output) }));
    }
    view.breadcrumbs = vec![frame.home_link()];
    view
}

/// A domain's lessons, by level.
pub(super) fn domain_view(site: &Site, theme: &Theme, lang: usize, domain: &DomainLessons) -> PageView {
    let languages = site.config.languages.len();
    let alternates = (0..languages).map(|l| site.domain_output(domain.domain, l)).collect();
    let frame = Frame { site, theme, lang, output: site.domain_output(domain.domain, lang), alternates };
    let levels: Vec<serde_json::Value> = domain
        .levels
        .iter()
        .map(|(level, keys)| {
            let name = match level {
                Some(level) => frame.string(&format!("level_{}", level.id().replace('-', "_"))),
                None => frame.string("level_none"),
            };
            let lessons: Vec<LessonItem> = keys.iter().map(|&k| frame.lesson_item(k)).collect();
            json!({ "name": name, "lessons": lessons })
        })
        .collect();
    let config_domain = &site.config.domains[domain.domain];
    let (title, title_lang) = frame.domain_name(domain.domain);
    let mut view = frame.view("domain.html", title);
    view.title_lang = title_lang;
    view.data.insert("page".into(), json!({ "summary": "" }));
    view.description = frame.description("", "describe_domain", &view.title);
    view.data.insert("levels".into(), Value::Array(levels));
    view.data.insert("topics".into(), json!(config_domain.topics));
    view.breadcrumbs = vec![frame.home_link()];
    view
}

/// The catalog of offline packs: what each holds, its size, version and checksum, and a
/// download link.
pub(super) fn downloads_view(site: &Site, theme: &Theme, lang: usize, packs: &[super::PackListing]) -> PageView {
    let languages = site.config.languages.len();
    let alternates = (0..languages).map(|l| site.downloads_output(l)).collect();
    let frame = Frame { site, theme, lang, output: site.downloads_output(lang), alternates };
    let mut view = frame.view("downloads.html", frame.string("downloads"));
    view.data.insert("page".into(), json!({ "summary": frame.string("downloads_intro") }));
    view.description = frame.description(&frame.string("downloads_intro"), "", "");
    let packs: Vec<serde_json::Value> = packs
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "title": p.title,
                "languages": p.languages,
                "groups": p.groups,
                "size": super::human_size(p.zip_bytes),
                "unpacked_size": super::human_size(p.unpacked_bytes),
                "files": p.files,
                "version": p.version,
                "sha256": p.sha256,
                "url": frame.url(&p.path),
                "file": p.path.rsplit('/').next().unwrap_or(&p.path),
                "zim": p.zim.as_ref().map(|z| serde_json::json!({
                    "size": super::human_size(z.bytes),
                    "sha256": z.sha256,
                    "url": frame.url(&z.path),
                    "file": z.path.rsplit('/').next().unwrap_or(&z.path),
                })),
            })
        })
        .collect();
    view.data.insert("has_zim".into(), Value::Bool(packs.iter().any(|p| !p["zim"].is_null())));
    view.data.insert("packs".into(), Value::Array(packs));
    view.breadcrumbs = vec![frame.home_link()];
    view
}

/// The search page: a form with filters; results come from the script and the index.
pub(super) fn search_view(site: &Site, theme: &Theme, lang: usize) -> PageView {
    let languages = site.config.languages.len();
    let alternates = (0..languages).map(|l| site.search_output(l)).collect();
    let frame = Frame { site, theme, lang, output: site.search_output(lang), alternates };
    let mut view = frame.view("search.html", frame.string("search"));
    view.data.insert("page".into(), json!({ "summary": "" }));
    view.description = frame.description("", "describe_search", "");
    view.data.insert("search_page".into(), Value::Bool(true));
    let named = |(name, lang): (String, Option<String>)| json!({ "name": name, "lang": lang });
    let groups: Vec<serde_json::Value> = (0..site.config.groups.len()).map(|g| named(frame.group_name(g))).collect();
    let domains: Vec<serde_json::Value> = (0..site.config.domains.len()).map(|d| named(frame.domain_name(d))).collect();
    view.data.insert("groups".into(), Value::Array(groups));
    view.data.insert("domains".into(), Value::Array(domains));
    view.breadcrumbs = vec![frame.home_link()];
    view
}

/// The coverage matrix as a page: groups × domains, lessons and minutes, gaps marked.
pub(super) fn report_view(site: &Site, theme: &Theme, lang: usize, coverage: &Coverage) -> PageView {
    let languages = site.config.languages.len();
    let alternates = (0..languages).map(|l| site.report_output(l)).collect();
    let frame = Frame { site, theme, lang, output: site.report_output(lang), alternates };
    let rows: Vec<serde_json::Value> = site
        .config
        .groups
        .iter()
        .enumerate()
        .map(|(g, _)| {
            let (name, name_lang) = frame.group_name(g);
            json!({
                "name": name,
                "name_lang": name_lang,
                "url": frame.url(&site.group_output(g, lang)),
                "cells": coverage.cells[lang][g],
            })
        })
        .collect();
    let mut view = frame.view("report.html", frame.string("report"));
    view.data.insert("page".into(), json!({ "summary": frame.string("report_intro") }));
    view.description = frame.description(&frame.string("report_intro"), "", "");
    let domains: Vec<serde_json::Value> = (0..site.config.domains.len())
        .map(|d| {
            let (name, lang) = frame.domain_name(d);
            json!({ "name": name, "lang": lang })
        })
        .collect();
    view.data.insert("report".into(), json!({ "domains": domains, "rows": rows }));
    view.breadcrumbs = vec![frame.home_link()];
    view
}

//! Sections: every folder under `content/` that holds Markdown, at any depth, made into a
//! tree in reading order. A folder without `_index.md` gets a made-up page; each section
//! knows what it holds, everything below it in reading order (its print page and offline
//! save), and previous/next run through each course's reading order.

use super::Page;
use crate::config::Config;
use crate::content::{PageKind, SourcePage};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

/// A section: a folder of lessons and sections, at any depth under `content/`. A
/// top-level section is a course.
#[derive(Debug)]
pub struct Section {
    /// The slugs of its folders joined by `/` (`an-toan/mat-khau`).
    pub id: String,
    pub weight: i64,
    /// Key of the section's page (from `_index.md`, or made up when the folder has none).
    pub page: usize,
    /// Index into [`Site::sections`] of the section it sits in; `None` for a course.
    pub parent: Option<usize>,
    /// What it holds, in order: weight, then title, then slug.
    pub children: Vec<Child>,
    /// Keys of every page below it in reading order, depth first (a sub-section's page,
    /// then what that holds): what its print page and offline save hold.
    pub reading: Vec<usize>,
    /// Keys of the lessons among `reading`.
    pub lessons: Vec<usize>,
}

/// The most lessons a section's print page holds. A course of the benchmark corpus has 50
/// (about 0.45 MB of HTML); a folder holding whole courses (a competency domain of 1 000
/// lessons: 9 MB of HTML, thousands of printed sheets) is a book no one prints or opens on a
/// phone, and its page was a quarter of the bytes a nested build compressed. Its sections
/// keep theirs.
pub const PRINT_MAX_LESSONS: usize = 100;

impl Section {
    /// Whether it is a top-level section.
    pub fn is_course(&self) -> bool {
        self.parent.is_none()
    }

    /// Whether the section has a print page: it holds at least one lesson and at most
    /// [`PRINT_MAX_LESSONS`].
    pub fn has_print_page(&self) -> bool {
        (1..=PRINT_MAX_LESSONS).contains(&self.lessons.len())
    }
}

/// Something a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Child {
    /// Index into [`Site::sections`].
    Section(usize),
    /// Key of a lesson.
    Lesson(usize),
}

/// A home page and a page for every section folder exist even when their `_index.md` does
/// not; such a section's weight is the smallest of the pages below it.
pub(super) fn add_made_up_pages(config: &Config, sections: &BTreeMap<String, PathBuf>, sources: &mut Vec<SourcePage>) {
    if !sources.iter().any(|p| p.kind == PageKind::Home) {
        sources.push(made_up_page(
            config,
            PathBuf::from("content/_index.md"),
            PageKind::Home,
            None,
            String::new(),
            config.title.clone(),
        ));
    }
    let with_index: HashSet<String> =
        sources.iter().filter(|p| p.kind == PageKind::SectionIndex).filter_map(|p| p.section.clone()).collect();
    // a made-up section stands where the first of its pages would: authors number lessons
    let mut first_weight: HashMap<&str, i64> = HashMap::new();
    for page in sources.iter() {
        let Some(section) = page.section.as_deref() else { continue };
        for id in std::iter::successors(Some(section), |id| id.rsplit_once('/').map(|(up, _)| up)) {
            let weight = first_weight.entry(id).or_insert(page.front.weight);
            *weight = (*weight).min(page.front.weight);
        }
    }
    let first_weight: HashMap<String, i64> = first_weight.into_iter().map(|(id, w)| (id.to_string(), w)).collect();
    for (id, dir) in sections {
        if !with_index.contains(id) {
            let title = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let slug = id.rsplit('/').next().unwrap_or(id).to_string();
            let mut page =
                made_up_page(config, dir.join("_index.md"), PageKind::SectionIndex, Some(id.clone()), slug, title);
            page.front.weight = first_weight.get(id).copied().unwrap_or(0);
            sources.push(page);
        }
    }
}

fn made_up_page(
    config: &Config,
    path: PathBuf,
    kind: PageKind,
    section: Option<String>,
    slug: String,
    title: String,
) -> SourcePage {
    SourcePage {
        path,
        kind,
        lang: config.default_language.clone(),
        section,
        slug,
        front: crate::content::FrontMatter { title, ..Default::default() },
        text: Default::default(),
        body_start: 0,
        updated: None,
    }
}

/// Builds the tree of sections, orders what each holds, and sets previous/next through
/// each course's reading order, in every language (the order is the default language's).
pub(super) fn order_sections(pages: &mut [Page], keys: usize) -> Vec<Section> {
    let originals = &pages[..keys];
    let order_key = |k: usize| {
        let source = &originals[k].source;
        (source.front.weight, source.front.title.clone(), source.slug.clone())
    };
    // section id → its page's key; what each section holds, unordered
    let pages_of: BTreeMap<&str, usize> = (0..keys)
        .filter(|&k| originals[k].source.kind == PageKind::SectionIndex)
        .filter_map(|k| Some((originals[k].source.section.as_deref()?, k)))
        .collect();
    let mut holds: BTreeMap<&str, Vec<(bool, usize)>> = BTreeMap::new();
    let mut roots = Vec::new();
    for (&id, &key) in &pages_of {
        match id.rsplit_once('/').filter(|(up, _)| pages_of.contains_key(up)) {
            Some((up, _)) => holds.entry(up).or_default().push((true, key)),
            None => roots.push(key),
        }
    }
    for k in (0..keys).filter(|&k| originals[k].source.kind == PageKind::Lesson) {
        if let Some(id) = originals[k].source.section.as_deref() {
            holds.entry(id).or_default().push((false, k));
        }
    }
    roots.sort_by_cached_key(|&k| order_key(k));

    // depth first: a section, then the sections below it
    fn add(
        key: usize,
        parent: Option<usize>,
        originals: &[Page],
        holds: &BTreeMap<&str, Vec<(bool, usize)>>,
        order_key: &dyn Fn(usize) -> (i64, String, String),
        sections: &mut Vec<Section>,
    ) -> usize {
        let source = &originals[key].source;
        let id = source.section.clone().unwrap_or_default();
        let index = sections.len();
        sections.push(Section {
            id,
            weight: source.front.weight,
            page: key,
            parent,
            children: Vec::new(),
            reading: Vec::new(),
            lessons: Vec::new(),
        });
        let mut held = holds.get(source.section.as_deref().unwrap_or_default()).cloned().unwrap_or_default();
        held.sort_by_cached_key(|&(_, k)| order_key(k));
        let (mut children, mut reading, mut lessons) = (Vec::new(), Vec::new(), Vec::new());
        for (is_section, k) in held {
            if is_section {
                let below = add(k, Some(index), originals, holds, order_key, sections);
                children.push(Child::Section(below));
                reading.push(k);
                reading.extend_from_slice(&sections[below].reading);
                lessons.extend_from_slice(&sections[below].lessons);
            } else {
                children.push(Child::Lesson(k));
                reading.push(k);
                lessons.push(k);
            }
        }
        let section = &mut sections[index];
        (section.children, section.reading, section.lessons) = (children, reading, lessons);
        index
    }
    let mut sections = Vec::new();
    for root in roots {
        add(root, None, originals, &holds, &order_key, &mut sections);
    }

    // (section, previous, next) of every key, then the same for every language
    let mut place: Vec<(Option<usize>, Option<usize>, Option<usize>)> = vec![(None, None, None); keys];
    for (s, section) in sections.iter().enumerate() {
        place[section.page].0 = Some(s);
        for child in &section.children {
            if let Child::Lesson(k) = child {
                place[*k].0 = Some(s);
            }
        }
    }
    for course in sections.iter().filter(|s| s.is_course()) {
        for (n, &k) in course.reading.iter().enumerate() {
            place[k].1 = n.checked_sub(1).map(|p| course.reading[p]);
            place[k].2 = course.reading.get(n + 1).copied();
        }
    }
    for page in pages.iter_mut() {
        (page.section, page.prev, page.next) = place[page.key];
    }
    sections
}

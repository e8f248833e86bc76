//! Learning paths and domains: which lessons each target group studies, domain by domain,
//! in the order book.toml gives, and which lessons each competency domain holds, by level.
//! A domain a group must learn but that has no lesson yet is a gap: shown as "coming" on
//! the site and counted by `check` and `report`.

use super::Page;
use crate::config::Config;
use crate::content::{Level, PageKind};

/// One group's learning path.
#[derive(Debug)]
pub struct GroupPath {
    /// Index into `config.groups`.
    pub group: usize,
    /// For each domain the group must learn, in order: (index into `config.domains`, lesson keys).
    pub sections: Vec<(usize, Vec<usize>)>,
}

/// One domain's lessons, grouped by level (basic first; lessons without a level last).
#[derive(Debug)]
pub struct DomainLessons {
    pub domain: usize,
    pub levels: Vec<(Option<Level>, Vec<usize>)>,
}

#[derive(Debug, Default)]
pub struct Taxonomy {
    pub paths: Vec<GroupPath>,
    pub domains: Vec<DomainLessons>,
}

impl Taxonomy {
    /// `(group index, domain index)` of every domain a group must learn that has no lesson.
    pub fn gaps(&self) -> Vec<(usize, usize)> {
        self.paths
            .iter()
            .flat_map(|p| p.sections.iter().filter(|(_, l)| l.is_empty()).map(|(d, _)| (p.group, *d)))
            .collect()
    }
}

/// Sorts lessons into paths and domains. `lesson_order` lists lesson keys in site order
/// (courses in order, then lessons in order).
pub fn build(config: &Config, originals: &[Page], lesson_order: &[usize]) -> Taxonomy {
    let lessons: Vec<&Page> =
        lesson_order.iter().map(|&k| &originals[k]).filter(|p| p.source.kind == PageKind::Lesson).collect();
    let paths = config
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| GroupPath {
            group: g,
            sections: group
                .domains
                .iter()
                .filter_map(|d| config.domains.iter().position(|x| x.id == *d))
                .map(|d| {
                    let domain = &config.domains[d].id;
                    let keys = lessons
                        .iter()
                        .filter(|p| {
                            p.source.front.groups.contains(&group.id) && p.source.front.domains.contains(domain)
                        })
                        .map(|p| p.key)
                        .collect();
                    (d, keys)
                })
                .collect(),
        })
        .collect();
    let domains = config
        .domains
        .iter()
        .enumerate()
        .map(|(d, domain)| {
            let mut levels: Vec<(Option<Level>, Vec<usize>)> = Vec::new();
            for level in [Some(Level::Basic), Some(Level::Advanced), Some(Level::InDepth), None] {
                let keys: Vec<usize> = lessons
                    .iter()
                    .filter(|p| p.source.front.domains.contains(&domain.id) && p.source.front.level == level)
                    .map(|p| p.key)
                    .collect();
                if !keys.is_empty() {
                    levels.push((level, keys));
                }
            }
            DomainLessons { domain: d, levels }
        })
        .collect();
    Taxonomy { paths, domains }
}

/// Lessons and minutes in one cell of the coverage matrix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Cell {
    pub lessons: usize,
    pub minutes: u32,
}

/// Target groups × domains, per language: how much there is to learn, in lessons and
/// minutes. A cell is `None` where the group does not learn the domain; `Some` with zero
/// lessons is a gap. In a language other than the default, only real translations count.
#[derive(Debug, serde::Serialize)]
pub struct Coverage {
    pub languages: Vec<String>,
    pub groups: Vec<String>,
    pub domains: Vec<String>,
    /// `cells[language][group][domain]`
    pub cells: Vec<Vec<Vec<Option<Cell>>>>,
}

impl Coverage {
    pub fn of(site: &super::Site) -> Coverage {
        let config = &site.config;
        let cells = (0..config.languages.len())
            .map(|lang| {
                site.taxonomy
                    .paths
                    .iter()
                    .map(|path| {
                        let mut row = vec![None; config.domains.len()];
                        for (domain, keys) in &path.sections {
                            let mut cell = Cell::default();
                            for &key in keys {
                                let page = site.page(key, lang);
                                if page.status != super::PageStatus::Fallback {
                                    cell.lessons += 1;
                                    cell.minutes += page.source.front.duration.unwrap_or(0);
                                }
                            }
                            row[*domain] = Some(cell);
                        }
                        row
                    })
                    .collect()
            })
            .collect();
        Coverage {
            languages: config.languages.iter().map(|l| l.id.to_string()).collect(),
            groups: config.groups.iter().map(|g| g.id.to_string()).collect(),
            domains: config.domains.iter().map(|d| d.id.to_string()).collect(),
            cells,
        }
    }
}

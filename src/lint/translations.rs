//! Rules only `check` runs about languages: translations awaiting review, stale
//! translations (with how much the original changed, from git history when there is
//! one), UI strings a language lacks, learning paths with a domain that has no lesson,
//! and (as notes) what each language shows in Vietnamese and what sharing needs.

use crate::content::Review;
use crate::diag::Diagnostic;
use crate::msg;
use crate::site::translations::source_hash;
use crate::site::{PageStatus, Site};
use std::path::Path;
use std::process::Command;

/// Review marks and stale translations.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for page in site.pages.iter().filter(|p| p.lang > 0) {
        let PageStatus::Translated { review, stale } = page.status else { continue };
        let original = site.page(page.key, 0);
        let language = &site.config.languages[page.lang].name;
        match review {
            Some(Review::Machine) => problems.push(
                Diagnostic::warning(
                    &page.source.path,
                    "machine-translation",
                    msg!("lint.machine-translation", language),
                )
                .hint(msg!("lint.review-hint")),
            ),
            Some(Review::Draft) | None => problems.push(
                Diagnostic::warning(&page.source.path, "draft-translation", msg!("lint.draft-translation", language))
                    .hint(msg!("lint.review-hint")),
            ),
            Some(Review::Reviewed) => {}
        }
        if stale {
            let recorded = page.source.front.source_hash.clone().unwrap_or_default();
            let how_much =
                match changed_lines(&site.config.root, &original.source.path, &recorded, original.source.body()) {
                    Some((added, removed)) => msg!("lint.lines-changed", added, removed),
                    None => msg!("lint.version-not-in-git"),
                };
            problems.push(
                Diagnostic::warning(
                    &page.source.path,
                    "stale-translation",
                    msg!("lint.stale-translation", original = original.source.path.display(), how_much),
                )
                .hint(msg!("lint.stale-translation-hint", hash = source_hash(original.source.body()))),
            );
        }
    }
    problems
}

/// UI strings each language lacks (shown in Vietnamese meanwhile).
pub fn missing_strings(site: &Site, missing: &[Vec<String>]) -> Vec<Diagnostic> {
    let theme = &site.config.build.theme;
    site.config
        .languages
        .iter()
        .zip(missing)
        .skip(1)
        .filter(|(_, keys)| !keys.is_empty())
        .map(|(lang, keys)| {
            Diagnostic::warning(
                format!("themes/{theme}/i18n/{}.toml", lang.id),
                "missing-strings",
                msg!("lint.missing-strings", count = keys.len(), language = lang.name, keys = keys.join(", ")),
            )
            .hint(msg!("lint.missing-strings-hint", theme, id = lang.id))
        })
        .collect()
}

/// Domains a group must learn that have no lesson yet.
pub fn coverage_gaps(site: &Site) -> Vec<Diagnostic> {
    site.taxonomy
        .gaps()
        .into_iter()
        .map(|(g, d)| {
            let (group, domain) = (&site.config.groups[g], &site.config.domains[d]);
            Diagnostic::warning(
                "book.toml",
                "coverage-gap",
                msg!("lint.coverage-gap", group = group.id, domain = domain.id),
            )
            .hint(msg!("lint.coverage-gap-hint", group = group.id, domain = domain.id))
        })
        .collect()
}

/// One note per language other than the default: the site's texts, group and domain
/// names and section pages it shows in the default language, for want of a translation.
pub fn untranslated(site: &Site) -> Vec<Diagnostic> {
    let config = &site.config;
    let mut notes = Vec::new();
    for (l, lang) in config.languages.iter().enumerate().skip(1) {
        let id = lang.id.as_str();
        let mut missing: Vec<String> = Vec::new();
        let own = &lang.site;
        for (what, default, own) in [
            (msg!("lint.site-title"), &config.title, &own.title),
            (msg!("lint.description"), &config.description, &own.description),
            (msg!("lint.publisher"), &config.publisher, &own.publisher),
        ] {
            if !default.is_empty() && own.is_none() {
                missing.push(what);
            }
        }
        let mut count = |what: String, ids: Vec<&str>, all: usize| {
            if !ids.is_empty() {
                missing.push(msg!("lint.n-of-all", n = ids.len(), all, what, ids = ids.join(", ")));
            }
        };
        let groups = config.groups.iter().filter(|g| g.name_in(id).is_none()).map(|g| g.id.as_str()).collect();
        count(msg!("lint.group-names"), groups, config.groups.len());
        let domains = config.domains.iter().filter(|d| d.name_in(id).is_none()).map(|d| d.id.as_str()).collect();
        count(msg!("lint.domain-names"), domains, config.domains.len());
        let sections = site
            .sections
            .iter()
            .filter(|s| site.page(s.page, l).status == PageStatus::Fallback)
            .map(|s| s.id.as_str())
            .collect();
        count(msg!("lint.section-titles"), sections, site.sections.len());
        let home = site.page(site.home, l);
        if home.status == PageStatus::Fallback && !home.source.body().trim().is_empty() {
            missing.push(msg!("lint.home-text"));
        }
        if missing.is_empty() {
            continue;
        }
        let name = match &lang.name_vi {
            Some(vi) => format!("{}, {vi}", lang.name),
            None => lang.name.clone(),
        };
        notes.push(
            Diagnostic::note(
                "book.toml",
                "untranslated",
                msg!("lint.untranslated", id, name, default = config.languages[0].name, missing = missing.join("; ")),
            )
            .hint(msg!("lint.untranslated-hint", id)),
        );
    }
    notes
}

/// Without `[site] base_url`, once: what sharing previews and `hreflang` need.
pub fn base_url(site: &Site) -> Vec<Diagnostic> {
    if site.config.has_base_url() {
        return Vec::new();
    }
    vec![Diagnostic::note("book.toml", "no-base-url", msg!("lint.no-base-url")).hint(msg!("lint.no-base-url-hint"))]
}

/// Lines added and removed in `path`'s body between the git revision whose body hashes to
/// `recorded` and `current`. `None` when git or that revision cannot be found.
fn changed_lines(root: &Path, path: &Path, recorded: &str, current: &str) -> Option<(usize, usize)> {
    let log = Command::new("git").arg("-C").arg(root).args(["log", "--format=%H", "--"]).arg(path).output().ok()?;
    if !log.status.success() {
        return None;
    }
    for commit in String::from_utf8_lossy(&log.stdout).lines() {
        let spec = format!("{commit}:{}", path.to_string_lossy());
        let Ok(show) = Command::new("git").arg("-C").arg(root).args(["show", &spec]).output() else { continue };
        let text = crate::content::normalise(String::from_utf8_lossy(&show.stdout).into_owned());
        let body = match crate::content::front_matter::split(&text, path) {
            Ok(split) => text[split.body_start..].to_string(),
            Err(_) => continue,
        };
        if source_hash(&body) == recorded {
            let old: Vec<&str> = body.trim().lines().collect();
            let new: Vec<&str> = current.trim().lines().collect();
            let added = new.iter().filter(|l| !old.contains(l)).count();
            let removed = old.iter().filter(|l| !new.contains(l)).count();
            return Some((added, removed));
        }
    }
    None
}

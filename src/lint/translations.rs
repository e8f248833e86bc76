//! Rules only `check` runs about languages: translations awaiting review, stale
//! translations (with how much the original changed, from git history when there is
//! one), UI strings a language lacks, learning paths with a domain that has no lesson,
//! and (as notes) what each language shows in Vietnamese and what sharing needs.

use crate::content::Review;
use crate::diag::Diagnostic;
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
                    format!("machine translation into {language}, awaiting review by a native speaker"),
                )
                .hint("when a native speaker has checked it, set review = \"reviewed\""),
            ),
            Some(Review::Draft) | None => problems.push(
                Diagnostic::warning(
                    &page.source.path,
                    "draft-translation",
                    format!("draft translation into {language}, awaiting review by a native speaker"),
                )
                .hint("when a native speaker has checked it, set review = \"reviewed\""),
            ),
            Some(Review::Reviewed) => {}
        }
        if stale {
            let recorded = page.source.front.source_hash.clone().unwrap_or_default();
            let how_much =
                match changed_lines(&site.config.root, &original.source.path, &recorded, original.source.body()) {
                    Some((added, removed)) => format!("{added} lines added and {removed} removed since"),
                    None => "the recorded version is not in the git history".to_string(),
                };
            problems.push(
                Diagnostic::warning(
                    &page.source.path,
                    "stale-translation",
                    format!(
                        "stale translation: {} changed since it was translated ({how_much})",
                        original.source.path.display()
                    ),
                )
                .hint(format!(
                    "update the translation, then set source_hash = \"{}\"",
                    source_hash(original.source.body())
                )),
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
                format!("{} UI strings missing for {}, shown in Vietnamese: {}", keys.len(), lang.name, keys.join(", ")),
            )
            .hint(format!("copy themes/{theme}/i18n/vi.toml to {}.toml, translate it and add _review = \"machine\", \"draft\" or \"reviewed\"", lang.id))
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
                format!("group \"{}\" must learn domain \"{}\" but no lesson has both", group.id, domain.id),
            )
            .hint(format!("write a lesson with domains = [\"{}\"] and groups = [\"{}\"]", domain.id, group.id))
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
            ("site title", &config.title, &own.title),
            ("description", &config.description, &own.description),
            ("publisher", &config.publisher, &own.publisher),
        ] {
            if !default.is_empty() && own.is_none() {
                missing.push(what.to_string());
            }
        }
        let mut count = |what: &str, ids: Vec<&str>, all: usize| {
            if !ids.is_empty() {
                missing.push(format!("{} of {all} {what} ({})", ids.len(), ids.join(", ")));
            }
        };
        let groups = config.groups.iter().filter(|g| g.name_in(id).is_none()).map(|g| g.id.as_str()).collect();
        count("group names", groups, config.groups.len());
        let domains = config.domains.iter().filter(|d| d.name_in(id).is_none()).map(|d| d.id.as_str()).collect();
        count("domain names", domains, config.domains.len());
        let sections = site
            .sections
            .iter()
            .filter(|s| site.page(s.page, l).status == PageStatus::Fallback)
            .map(|s| s.id.as_str())
            .collect();
        count("section titles and summaries", sections, site.sections.len());
        let home = site.page(site.home, l);
        if home.status == PageStatus::Fallback && !home.source.body().trim().is_empty() {
            missing.push("home page text".to_string());
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
                format!("language {id} ({name}) shows in {}: {}", config.languages[0].name, missing.join("; ")),
            )
            .hint(format!(
                "in book.toml: [languages.{id}.site] title, description, publisher and names = {{ {id} = \"…\" }} \
                 in each group and domain, with [languages.{id}] review = \"machine\", \"draft\" or \"reviewed\"; \
                 section pages: content/<section>/_index.{id}.md"
            )),
        );
    }
    notes
}

/// Without `[site] base_url`, once: what sharing previews and `hreflang` need.
pub fn base_url(site: &Site) -> Vec<Diagnostic> {
    if site.config.has_base_url() {
        return Vec::new();
    }
    vec![Diagnostic::note(
        "book.toml",
        "no-base-url",
        "no [site] base_url: pages have no canonical address, their hreflang links to other languages are relative (search engines ignore them), and links shared on Zalo or Facebook show no picture",
    )
    .hint("set base_url = \"https://…/\" in [site] to the address the site is published at")]
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

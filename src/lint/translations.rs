//! Rules only `check` runs about languages: translations awaiting review, stale
//! translations (with how much the original changed, from git history when there is
//! one), UI strings a language lacks, and learning paths with a domain that has no lesson.

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

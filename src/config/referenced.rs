//! The files `book.toml` names, checked where it is read: a theme other than the built-in
//! one must be a folder `themes/<name>/` of the repository, and `[site] logo` a small SVG
//! inside it.

use super::{is_plain_name, DEFAULT_THEME, FILE_NAME};
use crate::diag::{did_you_mean, Diagnostic, Position};
use crate::msg;
use std::path::Path;

/// A theme other than `default` (which may be absent: the built-in theme) must be a folder
/// `themes/<name>/` of the repository: a mistyped name must not fall back silently.
pub(super) fn missing_theme(root: &Path, text: &str, theme: Option<toml::Spanned<String>>) -> Option<Diagnostic> {
    let theme = theme?;
    let name = theme.get_ref();
    let folder = root.join("themes").join(name);
    if name == DEFAULT_THEME || !is_plain_name(name) {
        return None;
    }
    if folder.is_dir() {
        // like content/, a theme may not be a link to files outside the repository
        let inside = match (folder.canonicalize(), root.canonicalize()) {
            (Ok(real), Ok(root)) => real.starts_with(root),
            _ => false,
        };
        return (!inside).then(|| {
            Diagnostic::error(FILE_NAME, "missing-theme", msg!("config.theme-outside", name))
                .at(Position::of_offset(text, theme.span().start))
                .hint(msg!("config.theme-outside-hint", name))
        });
    }
    let present: Vec<String> = std::fs::read_dir(root.join("themes"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| is_plain_name(n))
                .collect()
        })
        .unwrap_or_default();
    let hint = match did_you_mean(name, present.iter().map(String::as_str)) {
        Some(best) => msg!("config.theme-did-you-mean", best, present = present.join(", ")),
        None => msg!("config.theme-missing-hint", name),
    };
    Some(
        Diagnostic::error(FILE_NAME, "missing-theme", msg!("config.theme-missing", name))
            .at(Position::of_offset(text, theme.span().start))
            .hint(hint),
    )
}

/// Why `[site] logo` cannot be used, if it cannot: it must be a small SVG file inside the
/// repository (it is loaded on every page).
pub(super) fn check_logo(root: &Path, logo: &str) -> Option<Diagnostic> {
    let path = Path::new(logo);
    let inside = path.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    let problem = |message: String, hint: String| Some(Diagnostic::error(FILE_NAME, "bad-logo", message).hint(hint));
    if !inside || logo.is_empty() {
        return problem(msg!("config.logo-outside", logo), msg!("config.logo-outside-hint"));
    }
    if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")) {
        return problem(msg!("config.logo-not-svg", logo), msg!("config.logo-not-svg-hint"));
    }
    match std::fs::metadata(root.join(path)) {
        Ok(meta) if meta.len() > MAX_LOGO_BYTES => problem(
            msg!("config.logo-too-large", logo, kb = meta.len().div_ceil(1000), limit = MAX_LOGO_BYTES / 1000),
            msg!("config.logo-too-large-hint"),
        ),
        Ok(meta) if meta.is_file() => None,
        _ => problem(msg!("config.logo-missing", logo), msg!("config.logo-missing-hint")),
    }
}

/// A logo is loaded on every page: it must stay tiny.
pub const MAX_LOGO_BYTES: u64 = 10_000;

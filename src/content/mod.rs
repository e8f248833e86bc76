//! Content loading: walks `content/`, reads every Markdown file and asset, normalises text
//! to NFC and checks front matter. Returns [`Content`] plus the diagnostics found.
//!
//! Takes a checked [`Config`]; never resolves links or orders pages (that is `site`), never
//! renders. Reading and parsing run in parallel; the result is sorted so it does not depend
//! on thread scheduling. [`Files`] keeps what each file gave, so that the preview reads
//! again only the files that changed.

pub mod dates;
mod files;
pub mod front_matter;
pub mod svg;

pub use files::{Files, Version};
pub use front_matter::{FrontMatter, Level, Review};

use crate::config::{Config, LangId};
use crate::diag::{Diagnostic, Diagnostics};
use crate::msg;
use crate::slug;
use front_matter::Requirements;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Files larger than this are refused: a learner's page must stay light.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// Markdown files larger than this are refused. A lesson of this size is already fifty
/// times its budget; reading Markdown takes a few hundred bytes of memory for each byte of
/// some texts (a node per line, per emphasis), and pages are read in parallel.
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Include pages marked `draft = true`.
    pub drafts: bool,
}

/// What a Markdown file is, from where it sits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageKind {
    /// `content/_index.md`
    Home,
    /// `content/<section>/…/_index.md`: a section's page (a top-level section is a course)
    SectionIndex,
    /// `content/<section>/…/<lesson>.md`: a Markdown file in a section, at any depth
    Lesson,
    /// `content/<page>.md`: a page outside any section (glossary, about)
    Page,
}

/// One Markdown file, read and checked.
#[derive(Debug, Clone)]
pub struct SourcePage {
    /// Relative to the repository root, `/`-separated (`content/an-toan/mat-khau-manh.md`).
    pub path: PathBuf,
    pub kind: PageKind,
    pub lang: LangId,
    /// The slugs of the folders it sits in, joined by `/` (`an-toan/mat-khau`), for section
    /// pages and lessons: its section's id (for a section's page: that section's own).
    pub section: Option<String>,
    /// The page's own slug (for a section's page: its folder's slug; for home: empty).
    pub slug: String,
    pub front: FrontMatter,
    /// The whole file, NFC-normalised (a `String` behind the `Arc`: made from the text read
    /// without copying it, as `Arc<str>` would).
    pub text: Arc<String>,
    /// Byte offset where the Markdown body starts in `text`.
    pub body_start: usize,
    /// When the file last changed, in seconds since 1970 UTC (see [`dates`]).
    pub updated: Option<i64>,
}

impl SourcePage {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }
}

/// A non-Markdown file under `content/`, copied as it is.
#[derive(Debug, Clone)]
pub struct Asset {
    /// Relative to the repository root.
    pub path: PathBuf,
    /// For an SVG that had script or links to other hosts: what is copied instead of the
    /// file (see [`svg`]).
    pub cleaned: Option<Arc<[u8]>>,
}

/// Extensions a browser runs as a page or a script (or an SVG it cannot check, zipped):
/// copied into the site, such a file would run in the site's origin.
pub(crate) const ACTIVE_EXTENSIONS: &[&str] =
    &["htm", "html", "js", "mht", "mhtml", "mjs", "shtml", "svgz", "xht", "xhtml", "xml", "xsl", "xslt"];

/// Everything under `content/`, sorted by path.
#[derive(Debug, Default, Clone)]
pub struct Content {
    pub pages: Vec<SourcePage>,
    pub assets: Vec<Asset>,
    /// Section folders (every folder holding a Markdown file, and the folders above it):
    /// section id (slugs joined by `/`) → folder path (relative to the root).
    pub sections: BTreeMap<String, PathBuf>,
    /// Markdown files left out on purpose (an offline pack holds part of the site): links
    /// to them are not errors; they render as text with a "not in this pack" note.
    pub left_out: Vec<PathBuf>,
}

#[derive(Debug)]
enum Loaded {
    Page(Box<SourcePage>),
    Asset(Asset),
    Skipped,
}

/// Walks and reads `content/`.
pub fn load(config: &Config, options: LoadOptions) -> (Content, Diagnostics) {
    Files::read(config, options).into_content(config)
}

/// Reads one file: a Markdown page (checked) or an asset. Problems go to `problems`.
fn load_file(
    config: &Config,
    options: LoadOptions,
    dates: &dates::Dates,
    rel: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Loaded {
    let path = config.root.join(rel);
    if !is_ordinary_small_file(rel, &path, problems) {
        return Loaded::Skipped;
    }
    let is_markdown = rel.extension().is_some_and(|e| e == "md");
    if !is_markdown {
        return load_asset(rel, &path, problems);
    }
    let Some(text) = read_markdown(rel, &path, problems) else { return Loaded::Skipped };
    let Some(place) = place(config, rel, problems) else { return Loaded::Skipped };
    let Some((front, body_start)) = read_front_matter(config, options, rel, &text, &place, problems) else {
        return Loaded::Skipped;
    };
    check_audio(rel, &path, &front, problems);
    Loaded::Page(Box::new(SourcePage {
        path: rel.to_path_buf(),
        kind: place.kind,
        lang: place.lang,
        section: place.section,
        slug: place.slug,
        front,
        body_start,
        text: text.into(),
        updated: dates.of(rel),
    }))
}

/// Whether `path` is an ordinary file within [`MAX_FILE_BYTES`]; a problem when not.
fn is_ordinary_small_file(rel: &Path, path: &Path, problems: &mut Vec<Diagnostic>) -> bool {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            problems.push(
                Diagnostic::error(
                    rel,
                    "too-large",
                    msg!(
                        "content.file-too-large",
                        mb = crate::messages::decimal(meta.len() as f64 / 1e6, 1),
                        limit = 10
                    ),
                )
                .hint(msg!("content.file-too-large-hint")),
            );
            false
        }
        // a FIFO would hang the build when read, a device would never end
        Ok(meta) if !meta.is_file() => {
            problems.push(
                Diagnostic::error(rel, "not-a-file", msg!("content.not-a-file", kind = file_kind(&meta)))
                    .hint(msg!("content.not-a-file-hint")),
            );
            false
        }
        Ok(_) => true,
        Err(e) => {
            problems.push(cannot_read(rel, &e));
            false
        }
    }
}

/// The text of a Markdown file: within [`MAX_PAGE_BYTES`], UTF-8, then [`normalise`]d.
fn read_markdown(rel: &Path, path: &Path, problems: &mut Vec<Diagnostic>) -> Option<String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            problems.push(cannot_read(rel, &e));
            return None;
        }
    };
    if bytes.len() > MAX_PAGE_BYTES {
        problems.push(
            Diagnostic::error(
                rel,
                "too-large",
                msg!("content.markdown-too-large", kb = bytes.len() / 1024, limit = MAX_PAGE_BYTES / 1024),
            )
            .hint(msg!("content.markdown-too-large-hint")),
        );
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(normalise(text)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let valid = std::str::from_utf8(&e.as_bytes()[..offset]).unwrap_or_default();
            problems.push(
                Diagnostic::error(rel, "not-utf8", msg!("content.not-utf8"))
                    .at(crate::diag::Position::of_offset(valid, offset))
                    .hint(msg!("content.not-utf8-hint")),
            );
            None
        }
    }
}

/// What a Markdown file is from where it sits and how it is named.
struct Place {
    kind: PageKind,
    /// From the suffix before `.md` (`bai.hmn.md`), else the default language.
    lang: LangId,
    /// The section's id: the slugs of the folders between `content/` and the file.
    section: Option<String>,
    slug: String,
}

/// The [`Place`] of the Markdown file `rel`: `None` (with a problem) when its name or a
/// folder's name gives no slug.
fn place(config: &Config, rel: &Path, problems: &mut Vec<Diagnostic>) -> Option<Place> {
    let file_name = rel.file_name().unwrap_or_default().to_string_lossy();
    let stem = file_name.strip_suffix(".md").unwrap_or(&file_name);
    let (stem, lang) = match stem.rsplit_once('.').and_then(|(base, suffix)| Some((base, config.language(suffix)?))) {
        Some((base, language)) => (base, language.id.clone()),
        None => (stem, config.default_language.clone()),
    };
    let section = match section_id(rel.parent().unwrap_or(Path::new(""))) {
        Ok(section) => section,
        Err(folder) => {
            problems.push(
                Diagnostic::error(rel, "bad-name", msg!("content.empty-folder-slug", folder))
                    .hint(msg!("content.empty-folder-slug-hint")),
            );
            return None;
        }
    };
    let (kind, slug) = match (stem == "_index", &section) {
        (true, None) => (PageKind::Home, String::new()),
        (true, Some(id)) => (PageKind::SectionIndex, id.rsplit('/').next().unwrap_or(id).to_string()),
        (false, Some(_)) => (PageKind::Lesson, slug::slugify(stem)),
        (false, None) => (PageKind::Page, slug::slugify(stem)),
    };
    if slug.is_empty() && kind != PageKind::Home {
        problems
            .push(Diagnostic::error(rel, "bad-name", msg!("content.empty-slug")).hint(msg!("content.empty-slug-hint")));
        return None;
    }
    Some(Place { kind, lang, section, slug })
}

/// The section id of a folder (relative to the root, `content/…`): the slugs of the folders
/// below `content/`, joined by `/`; `None` for `content/` itself; the folder's name when one
/// gives an empty slug.
pub fn section_id(folder: &Path) -> Result<Option<String>, String> {
    let mut slugs = Vec::new();
    for part in folder.iter().skip(1) {
        let name = part.to_string_lossy();
        let slug = slug::slugify(&name);
        if slug.is_empty() {
            return Err(name.into_owned());
        }
        slugs.push(slug);
    }
    Ok((!slugs.is_empty()).then(|| slugs.join("/")))
}

/// The checked front matter of `text` and where its body starts; `None` when it is wrong
/// or the page is a draft left out.
fn read_front_matter(
    config: &Config,
    options: LoadOptions,
    rel: &Path,
    text: &str,
    place: &Place,
    problems: &mut Vec<Diagnostic>,
) -> Option<(FrontMatter, usize)> {
    let split = match front_matter::split(text, rel) {
        Ok(split) => split,
        Err(d) => {
            problems.push(d);
            return None;
        }
    };
    // a translation inherits domains and groups from the lesson it translates
    let requirements = if place.kind == PageKind::Lesson && place.lang == config.default_language {
        Requirements::Lesson
    } else {
        Requirements::Other
    };
    let front = front_matter::parse(config, rel, text, &split, requirements, problems)?;
    (options.drafts || !front.draft).then_some((front, split.body_start))
}

/// The lesson's audio file must sit next to it.
fn check_audio(rel: &Path, path: &Path, front: &FrontMatter, problems: &mut Vec<Diagnostic>) {
    if let Some(audio) = &front.audio {
        if !path.with_file_name(audio).is_file() {
            problems.push(
                Diagnostic::error(rel, "missing-file", msg!("content.missing-audio", audio))
                    .hint(msg!("content.missing-audio-hint")),
            );
        }
    }
}

/// A file that could not be read, with what to do about it.
pub(crate) fn cannot_read(rel: &Path, e: &std::io::Error) -> Diagnostic {
    let hint = if crate::fs::is_symlink_loop(e) {
        msg!("content.read-loop-hint")
    } else if e.kind() == std::io::ErrorKind::PermissionDenied {
        msg!("content.read-permission-hint")
    } else {
        msg!("content.read-again-hint")
    };
    Diagnostic::error(rel, "io", msg!("content.cannot-read", error = e)).hint(hint)
}

/// What a file that is not an ordinary file is, in words.
fn file_kind(meta: &std::fs::Metadata) -> String {
    let kind = meta.file_type();
    if kind.is_dir() {
        return msg!("content.kind-folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return msg!("content.kind-fifo");
        }
        if kind.is_socket() {
            return msg!("content.kind-socket");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return msg!("content.kind-device");
        }
    }
    msg!("content.kind-special")
}

/// An asset: refused when a browser would run it, read and cleaned when it is an SVG.
fn load_asset(rel: &Path, path: &Path, problems: &mut Vec<Diagnostic>) -> Loaded {
    let extension = rel.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let asset = |cleaned| Loaded::Asset(Asset { path: rel.to_path_buf(), cleaned });
    if ACTIVE_EXTENSIONS.contains(&extension.as_str()) {
        problems.push(
            Diagnostic::error(rel, "unsafe-asset", msg!("content.active-file", extension))
                .hint(msg!("content.active-file-hint")),
        );
        return Loaded::Skipped;
    }
    if extension != "svg" {
        return asset(None);
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            problems.push(cannot_read(rel, &e));
            return Loaded::Skipped;
        }
    };
    let refuse = |problems: &mut Vec<Diagnostic>, reason: &str, at: Option<crate::diag::Position>| {
        let diagnostic = Diagnostic::error(rel, "unsafe-svg", msg!("content.unsafe-svg", reason))
            .hint(msg!("content.unsafe-svg-hint"));
        problems.push(match at {
            Some(at) => diagnostic.at(at),
            None => diagnostic,
        });
        Loaded::Skipped
    };
    let Ok(text) = std::str::from_utf8(&bytes) else { return refuse(problems, &msg!("content.svg-not-utf8"), None) };
    let (bom, svg_text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    match svg::clean(svg_text) {
        svg::Verdict::Clean => asset(None),
        svg::Verdict::Refused { reason, offset } => {
            let at = offset.map(|offset| crate::diag::Position::of_offset(text, bom.len() + offset));
            refuse(problems, &reason, at)
        }
        svg::Verdict::Cleaned { svg, removed } => {
            problems.push(
                Diagnostic::warning(rel, "unsafe-svg", msg!("content.svg-cleaned", removed = removed.join(", ")))
                    .hint(msg!("content.svg-cleaned-hint")),
            );
            asset(Some(format!("{bom}{svg}").into_bytes().into()))
        }
    }
}

/// NFC, without a byte-order mark. Authors paste text in mixed forms (decomposed accents
/// from some keyboards); everything after this point sees one form.
pub fn normalise(text: String) -> String {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if is_nfc(&text) {
        text
    } else {
        text.nfc().collect()
    }
}

/// Whether `text` is in NFC. Most texts are made only of characters that are in NFC
/// whatever stands around them (no composition ever starts from or changes them: ASCII,
/// Latin-1 and Latin Extended, Vietnamese letters with their tones, dashes and quotes),
/// which is quick to see; any other character sends the whole text to the full check.
fn is_nfc(text: &str) -> bool {
    all_always_nfc(text) || is_nfc_quick(text.chars()) == IsNormalized::Yes
}

/// Whether every character of `text` is one of those always in NFC (`is_always_nfc`, its
/// definition, checked against the Unicode tables in the tests), read from its UTF-8
/// bytes without decoding characters (every text read goes through it).
fn all_always_nfc(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        i += match bytes[i] {
            0..=0x7f => 1,
            // U+0080..=U+02FF
            0xc2..=0xcb => 2,
            // U+1EA0..=U+1EF9 and U+2010..=U+2027 (a 3-byte lead: two more bytes follow)
            0xe1 if matches!((bytes[i + 1], bytes[i + 2]), (0xba, 0xa0..) | (0xbb, ..=0xb9)) => 3,
            0xe2 if bytes[i + 1] == 0x80 && (0x90..=0xa7).contains(&bytes[i + 2]) => 3,
            _ => return false,
        };
    }
    true
}

/// Characters that are in NFC and stay so next to any other: no decomposition, combining
/// class 0, and none composes with what precedes it (tested against the Unicode tables).
#[cfg(test)]
fn is_always_nfc(c: char) -> bool {
    matches!(c as u32, 0..=0x2ff | 0x1ea0..=0x1ef9 | 0x2010..=0x2027)
}

/// Groups, domains and level set in a section's `_index.md` hold for every lesson below it
/// that does not set its own (the nearest section that sets each wins); then every lesson in
/// the default language must have at least one group and one domain. Translations take
/// theirs from the lesson they translate.
pub(crate) fn inherit(config: &Config, pages: &mut [SourcePage], diagnostics: &mut Diagnostics) {
    let default = &config.default_language;
    let given: BTreeMap<String, FrontMatter> = pages
        .iter()
        .filter(|p| p.kind == PageKind::SectionIndex && &p.lang == default)
        .filter_map(|p| Some((p.section.clone()?, p.front.clone())))
        .collect();
    for page in pages.iter_mut().filter(|p| p.kind == PageKind::Lesson && &p.lang == default) {
        inherit_one(page, |id| given.get(id));
        let missing = [
            (
                "domains",
                // an unknown id written was reported where it stands
                page.front.domains.is_empty() && !page.front.written.domains,
                config.domains.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ),
            (
                "groups",
                page.front.groups.is_empty() && !page.front.written.groups,
                config.groups.iter().map(|g| g.id.as_str()).collect(),
            ),
        ];
        for (key, _, ids) in missing.iter().filter(|(_, empty, _)| *empty) {
            diagnostics.push(
                Diagnostic::error(&page.path, "missing-key", msg!("front-matter.lesson-needs", key))
                    .at(crate::diag::Position::new(1, 1))
                    .hint(msg!("front-matter.lesson-needs-hint", key, ids = ids.join(", "))),
            );
        }
    }
}

/// Fills what a lesson leaves unset (groups, domains, level) from the nearest section above
/// it that sets it; `given` is a section's front matter by section id.
pub fn inherit_one<'a>(page: &mut SourcePage, given: impl Fn(&str) -> Option<&'a FrontMatter>) {
    let Some(section) = page.section.clone() else { return };
    let ancestors = std::iter::successors(Some(section.as_str()), |id| id.rsplit_once('/').map(|(up, _)| up));
    let written = page.front.written;
    for front in ancestors.filter_map(given) {
        if !written.groups && page.front.groups.is_empty() {
            page.front.groups = front.groups.clone();
        }
        if !written.domains && page.front.domains.is_empty() {
            page.front.domains = front.domains.clone();
        }
        if !written.level && page.front.level.is_none() {
            page.front.level = front.level;
        }
    }
}

/// Two files whose names give the same slug in the same place would overwrite each other.
fn check_slug_clashes(pages: &[SourcePage], diagnostics: &mut Diagnostics) {
    let mut seen: BTreeMap<(&Option<String>, &str, &LangId), &Path> = BTreeMap::new();
    for page in pages {
        if let Some(first) = seen.insert((&page.section, &page.slug, &page.lang), &page.path) {
            diagnostics.push(
                Diagnostic::error(
                    &page.path,
                    "slug-clash",
                    msg!("content.slug-clash", slug = page.slug, first = first.display()),
                )
                .hint(msg!("content.slug-clash-hint")),
            );
        }
    }
}

/// `path` relative to `root`, with `/` separators on every platform.
fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::char::{canonical_combining_class, decompose_canonical};

    #[test]
    fn the_bytes_read_as_always_nfc_are_those_of_the_characters_that_are() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            assert_eq!(all_always_nfc(&text), is_always_nfc(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn characters_taken_as_always_nfc_are() {
        let all = || (0..=0x10ffff_u32).filter_map(char::from_u32);
        let taken: Vec<char> = all().filter(|&c| is_always_nfc(c)).collect();
        assert!(taken.contains(&'ệ') && taken.contains(&'—') && taken.contains(&'đ'));
        for &c in &taken {
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            let alone = c.to_string();
            assert_eq!(alone.nfc().collect::<String>(), alone, "{c:?}");
        }
        // none composes with the character before it: none is the second or a later
        // character of any character's canonical decomposition
        for c in all() {
            let mut parts = Vec::new();
            decompose_canonical(c, |p| parts.push(p));
            if let Some(later) = parts.iter().skip(1).find(|p| is_always_nfc(**p)) {
                panic!("{later:?} is part of {c:?}");
            }
        }
    }

    #[test]
    fn texts_are_made_nfc() {
        let decomposed = "Tie\u{302}\u{301}ng Vie\u{323}\u{302}t — “mật khẩu”";
        assert_eq!(normalise(decomposed.to_string()), "Tiếng Việt — “mật khẩu”");
        assert_eq!(normalise("\u{feff}Việt".to_string()), "Việt");
        // an always-NFC character before a combining mark composes with it
        assert_eq!(normalise("e\u{301}".to_string()), "é");
        assert_eq!(normalise("ê\u{301}".to_string()), "ế");
        assert!(is_nfc("Tiếng Việt — “mật khẩu” …"));
        assert!(!is_nfc("e\u{301}"));
    }
}

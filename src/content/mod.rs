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
    /// The whole file, NFC-normalised.
    pub text: Arc<str>,
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
    Files::read(config, options).content(config)
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
                    format!("file is {:.1} MB, over the 10 MB limit", meta.len() as f64 / 1e6),
                )
                .hint("shrink it (compress the image, shorten the audio) or host it outside the site"),
            );
            false
        }
        // a FIFO would hang the build when read, a device would never end
        Ok(meta) if !meta.is_file() => {
            problems.push(
                Diagnostic::error(rel, "not-a-file", format!("not an ordinary file: {}", file_kind(&meta)))
                    .hint("hoclieu reads only ordinary files under content/: remove it, or put the file itself there"),
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
                format!("Markdown file is {} KB, over the {} KB limit", bytes.len() / 1024, MAX_PAGE_BYTES / 1024),
            )
            .hint("split the lesson into several: learners read it on cheap phones over paid data"),
        );
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(normalise(text)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let valid = std::str::from_utf8(&e.as_bytes()[..offset]).unwrap_or_default();
            problems.push(
                Diagnostic::error(rel, "not-utf8", "file is not valid UTF-8")
                    .at(crate::diag::Position::of_offset(valid, offset))
                    .hint("save the file as UTF-8 (in most editors: Save with Encoding → UTF-8)"),
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
                Diagnostic::error(rel, "bad-name", format!("the folder name \"{folder}\" gives an empty slug"))
                    .hint("name the folder with letters or digits, e.g. an-toan-thong-tin"),
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
        problems.push(
            Diagnostic::error(rel, "bad-name", "the file name gives an empty slug")
                .hint("name the file with letters or digits, e.g. mat-khau-manh.md"),
        );
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
                Diagnostic::error(rel, "missing-file", format!("audio file \"{audio}\" not found next to the lesson"))
                    .hint("put the audio file in the same folder as the lesson"),
            );
        }
    }
}

/// A file that could not be read, with what to do about it.
pub(crate) fn cannot_read(rel: &Path, e: &std::io::Error) -> Diagnostic {
    let hint = if crate::fs::is_symlink_loop(e) {
        "a symlink on the way leads back to itself: remove it, or point it at the file itself"
    } else if e.kind() == std::io::ErrorKind::PermissionDenied {
        "make the file readable by you (chmod u+r), or move it out of content/"
    } else {
        "check that the file is still there and readable, then build again"
    };
    Diagnostic::error(rel, "io", format!("cannot read: {e}")).hint(hint)
}

/// What a file that is not an ordinary file is, in words.
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    "a special file"
}

/// An asset: refused when a browser would run it, read and cleaned when it is an SVG.
fn load_asset(rel: &Path, path: &Path, problems: &mut Vec<Diagnostic>) -> Loaded {
    let extension = rel.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let asset = |cleaned| Loaded::Asset(Asset { path: rel.to_path_buf(), cleaned });
    if ACTIVE_EXTENSIONS.contains(&extension.as_str()) {
        problems.push(
            Diagnostic::error(
                rel,
                "unsafe-asset",
                format!("`.{extension}` files are not copied into the site: a browser would run them as part of it"),
            )
            .hint("write the page in Markdown, or put the file in a .zip next to the lesson and link to that"),
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
        let diagnostic = Diagnostic::error(rel, "unsafe-svg", format!("SVG cannot be copied safely: {reason}"))
            .hint("save it again as plain SVG (Inkscape: File → Save As → Plain SVG), or export it as PNG");
        problems.push(match at {
            Some(at) => diagnostic.at(at),
            None => diagnostic,
        });
        Loaded::Skipped
    };
    let Ok(text) = std::str::from_utf8(&bytes) else { return refuse(problems, "it is not UTF-8", None) };
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
                Diagnostic::warning(
                    rel,
                    "unsafe-svg",
                    format!(
                        "removed from the SVG: {} (script, or loads from another host)",
                        removed.join(", ")
                    ),
                )
                .hint("the site gets a cleaned copy; remove these from the file (or save it as plain SVG) to silence this"),
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
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text
    } else {
        text.nfc().collect()
    }
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
                Diagnostic::error(&page.path, "missing-key", format!("a lesson needs at least one of `{key}`"))
                    .at(crate::diag::Position::new(1, 1))
                    .hint(format!(
                        "add `{key} = [\"…\"]` with ids from book.toml: {}; or set it once for a whole section in its _index.md",
                        ids.join(", ")
                    )),
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
                    format!("gives the same address \"{}\" as {}", page.slug, first.display()),
                )
                .hint("rename one of the two files"),
            );
        }
    }
}

/// `path` relative to `root`, with `/` separators on every platform.
fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

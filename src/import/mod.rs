//! `hoclieu import mdbook SRC DEST`: an existing mdBook made into a hoclieu repository.
//!
//! The whole book becomes one top-level section (a course) so that previous/next runs
//! through it: parts become sub-sections, a chapter with nested chapters a section whose
//! `_index.md` carries the chapter's text, other chapters lessons, in SUMMARY order
//! (`summary`). Each chapter's `{{#…}}` directives are expanded (`directives`), then its
//! Markdown is converted (`chapter`): title, headings, code fences, hidden lines, and links
//! to other chapters (rewritten to the new relative `.md` paths, anchors mapped to
//! hoclieu's heading ids) and to files (copied next to the first lesson using them).
//! `book.toml` comes from [`crate::scaffold`].
//!
//! Takes the two folders and the course's groups, domains and level; writes only into
//! DEST (which must be empty or absent) and returns what it could not carry over, as
//! `file:line: what` notes. Never changes SRC.

mod chapter;
mod directives;
mod summary;

use crate::{msg, scaffold, slug::slugify, Error};
use chapter::{Link, Resolved};
use directives::{shown_path, Mapped};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use summary::Entry;
use unicode_normalization::UnicodeNormalization;

/// Something the import could not carry over as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Relative to the book's folder (`src/chuong-1.md`).
    pub file: String,
    pub line: usize,
    pub what: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.what)
    }
}

/// What the course (and so every lesson) is for.
pub struct Options {
    pub groups: Vec<String>,
    pub domains: Vec<String>,
    pub level: Option<String>,
}

/// What was written, and the notes.
pub struct Outcome {
    pub title: String,
    pub lessons: usize,
    pub sections: usize,
    pub files: usize,
    pub notes: Vec<Note>,
}

#[derive(serde::Deserialize, Default)]
struct MdBookToml {
    #[serde(default)]
    book: MdBookSection,
}

#[derive(serde::Deserialize, Default)]
struct MdBookSection {
    title: Option<String>,
    description: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    language: Option<String>,
    src: Option<String>,
}

/// A page to write: a lesson or a section's `_index.md`.
struct Page {
    /// The chapter's file, relative to the source folder, normalised (`None`: a part or a
    /// draft chapter).
    source: Option<PathBuf>,
    /// SUMMARY.md's link text (or the part's title).
    summary_title: String,
    /// Where it goes, relative to DEST (`content/sach/phan-1/_index.md`).
    out: PathBuf,
    weight: usize,
    draft: bool,
    /// SUMMARY.md's line.
    line: usize,
}

impl Page {
    fn is_section(&self) -> bool {
        self.out.ends_with("_index.md")
    }

    /// How a chapter without text is imported, for the report.
    fn empty_as(&self) -> String {
        if self.is_section() {
            msg!("import.how.empty-section")
        } else {
            msg!("import.how.draft-lesson")
        }
    }
}

/// Checks the flags against the reference taxonomy.
pub fn check_options(options: &Options) -> Result<(), Error> {
    let taxonomy = scaffold::taxonomy();
    for (flag, ids, known) in
        [("--group", &options.groups, &taxonomy.groups), ("--domain", &options.domains, &taxonomy.domains)]
    {
        if ids.is_empty() {
            return Err(Error::Usage(msg!("import.flag-needed", flag, known = known.join(", "))));
        }
        if let Some(bad) = ids.iter().find(|id| !known.contains(id)) {
            return Err(Error::Usage(msg!("import.flag-unknown", flag, bad, known = known.join(", "))));
        }
    }
    if let Some(level) = &options.level {
        if !scaffold::LEVELS.contains(&level.as_str()) {
            return Err(Error::Usage(msg!("import.level-unknown", level, levels = scaffold::LEVELS.join(", "))));
        }
    }
    Ok(())
}

pub fn mdbook(src: &Path, dest: &Path, options: &Options) -> Result<Outcome, Error> {
    check_options(options)?;
    let book_toml = src.join("book.toml");
    if !book_toml.is_file() {
        return Err(Error::Usage(msg!("import.not-an-mdbook", src = src.display())));
    }
    if dest.exists() && std::fs::read_dir(dest).map_err(|e| Error::io(dest, "cannot read folder", e))?.next().is_some()
    {
        return Err(Error::Usage(msg!("import.dest-not-empty", dest = dest.display())));
    }
    let toml_text = String::from_utf8_lossy(&crate::fs::read(&book_toml)?).nfc().collect::<String>();
    let book: MdBookToml = toml::from_str(&toml_text)
        .map_err(|e| Error::Usage(msg!("import.bad-book-toml", file = book_toml.display(), message = e.message())))?;
    let book = book.book;
    let source_dir = src.join(book.src.as_deref().unwrap_or("src"));
    let summary_path = source_dir.join("SUMMARY.md");
    let summary_text = String::from_utf8_lossy(&crate::fs::read(&summary_path)?).nfc().collect::<String>();
    let summary_shown = shown_path(&summary_path, src);
    let summary = summary::parse(&summary_text);

    let mut notes = Vec::new();
    let title = book.title.clone().unwrap_or_else(|| "Sách".to_string());
    let description = book.description.clone().unwrap_or_default();
    let language = match book.language.as_deref() {
        None => "vi".to_string(),
        Some(code) => scaffold::language_for(code).unwrap_or_else(|| {
            notes.push(Note {
                file: "book.toml".into(),
                line: line_of_key(&toml_text, "language"),
                what: msg!("import.language", code),
            });
            "vi".to_string()
        }),
    };

    // Where every page goes, in SUMMARY order.
    let course_slug = Some(slugify(&title)).filter(|s| !s.is_empty()).unwrap_or_else(|| "sach".into());
    let course = PathBuf::from("content").join(&course_slug);
    let mut pages = Vec::new();
    let mut names = Names::default();
    let mut weight = 0;
    let place_all = |entries: &[Entry], pages: &mut Vec<Page>, names: &mut Names, weight: &mut usize| {
        for entry in entries {
            *weight += 1;
            place(entry, &course, *weight, pages, names);
        }
    };
    place_all(&summary.prefix, &mut pages, &mut names, &mut weight);
    place_all(&summary.numbered, &mut pages, &mut names, &mut weight);
    for part in &summary.parts {
        weight += 1;
        let folder = course.join(names.take(&course, &slugify(&part.title)));
        pages.push(Page {
            source: None,
            summary_title: part.title.clone(),
            out: folder.join("_index.md"),
            weight,
            draft: false,
            line: part.line,
        });
        for (i, entry) in part.chapters.iter().enumerate() {
            place(entry, &folder, i + 1, &mut pages, &mut names);
        }
    }
    place_all(&summary.suffix, &mut pages, &mut names, &mut weight);

    // Each chapter read once, directives expanded, outlined for links to it.
    let mut chapters: HashMap<PathBuf, (Mapped, chapter::Outline)> = HashMap::new();
    let mut seen = HashSet::new();
    for page in &mut pages {
        let Some(source) = &page.source else {
            if page.draft {
                let unlinked = summary.unlinked.iter().any(|(line, _)| *line == page.line);
                let how = if unlinked {
                    msg!("import.how.unlinked")
                } else if page.is_section() {
                    msg!("import.how.has-chapters")
                } else {
                    msg!("import.how.draft")
                };
                notes.push(Note {
                    file: summary_shown.clone(),
                    line: page.line,
                    what: msg!("import.draft-chapter", title = page.summary_title, how),
                });
            }
            continue;
        };
        if !seen.insert(source.clone()) {
            notes.push(Note {
                file: summary_shown.clone(),
                line: page.line,
                what: msg!("import.listed-twice", file = source.display(), how = page.empty_as()),
            });
            page.source = None;
            page.draft = true;
            continue;
        }
        let path = source_dir.join(source);
        let text = match std::fs::read(&path).map(String::from_utf8) {
            Ok(Ok(text)) => text.nfc().collect::<String>(),
            _ => {
                notes.push(Note {
                    file: summary_shown.clone(),
                    line: page.line,
                    what: msg!("import.cannot-read-chapter", file = shown_path(&path, src), how = page.empty_as()),
                });
                page.source = None;
                page.draft = true;
                continue;
            }
        };
        let mapped = directives::expand(&text, &path, &shown_path(&path, src), src, &mut notes);
        let outline = chapter::outline(&mapped.text);
        chapters.insert(source.clone(), (mapped, outline));
    }
    let out_of: HashMap<PathBuf, PathBuf> =
        pages.iter().filter_map(|p| Some((p.source.clone()?, p.out.clone()))).collect();

    // Convert and write.
    crate::fs::create_dir_all(dest)?;
    let mut assets: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    let mut asset_names = Names::default();
    let mut written = Vec::new();
    for page in &pages {
        let (body, chapter_title) = match &page.source {
            None if page.draft && !page.is_section() => ("Bài này đang được viết.\n".to_string(), None),
            None => (String::new(), None),
            Some(source) => {
                let (mapped, _) = &chapters[source];
                let dir = source.parent().unwrap_or(Path::new("")).to_path_buf();
                let mut resolve = |link: Link| {
                    resolve_link(
                        &link,
                        &Context { mapped, dir: &dir, page, source_dir: &source_dir },
                        &out_of,
                        &chapters,
                        &mut assets,
                        &mut asset_names,
                        &mut notes,
                    )
                };
                let mut raw_html = Vec::new();
                let converted = chapter::convert(&mapped.text, &mut resolve, &mut raw_html);
                for (offset, file) in raw_html {
                    let (shown, line) = mapped.origin(offset);
                    notes.push(Note { file: shown, line, what: msg!("import.raw-html", file) });
                }
                converted
            }
        };
        let title = chapter_title.filter(|t| !t.is_empty()).unwrap_or_else(|| page.summary_title.clone());
        let mut front = format!("+++\ntitle = {}\nweight = {}\n", scaffold::toml_string(&title), page.weight);
        if page.draft && !page.is_section() {
            front.push_str("draft = true\n");
        }
        front.push_str("+++\n");
        written.push((page.out.clone(), format!("{front}{body}")));
    }

    let mut course_index = format!("+++\ntitle = {}\n", scaffold::toml_string(&title));
    if !description.is_empty() {
        course_index.push_str(&format!("summary = {}\n", scaffold::toml_string(&description)));
    }
    course_index.push_str(&format!(
        "weight = 1\ngroups = {}\ndomains = {}\n",
        scaffold::toml_list(&options.groups),
        scaffold::toml_list(&options.domains)
    ));
    if let Some(level) = &options.level {
        course_index.push_str(&format!("level = {}\n", scaffold::toml_string(level)));
    }
    course_index.push_str("+++\n");
    if !book.authors.is_empty() {
        course_index.push_str(&format!("Tác giả: {}.\n", book.authors.join(", ")));
    }
    written.push((course.join("_index.md"), course_index));
    let home_body = if description.is_empty() { String::new() } else { format!("{description}\n") };
    let home = format!("+++\ntitle = {}\n+++\n{home_body}", scaffold::toml_string(&title));
    written.push((PathBuf::from("content/_index.md"), home));
    let publisher = book.authors.join(", ");
    let site = scaffold::Site { title: &title, description: &description, publisher: &publisher, language: &language };
    written.push((PathBuf::from("book.toml"), scaffold::book_toml(&site)));
    written.push((PathBuf::from(".gitignore"), scaffold::GITIGNORE.to_string()));

    for (out, text) in &written {
        let path = dest.join(out);
        crate::fs::create_dir_all(path.parent().unwrap_or(dest))?;
        crate::fs::write(&path, text.as_bytes())?;
    }
    for (from, to) in &assets {
        let path = dest.join(to);
        crate::fs::create_dir_all(path.parent().unwrap_or(dest))?;
        crate::fs::write(&path, &crate::fs::read(from)?)?;
    }
    notes.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    let sections = pages.iter().filter(|p| p.is_section()).count() + 1;
    Ok(Outcome { title, lessons: pages.len() + 1 - sections, sections, files: assets.len(), notes })
}

fn line_of_key(text: &str, key: &str) -> usize {
    text.lines().position(|l| l.trim_start().starts_with(key)).map_or(1, |i| i + 1)
}

/// Names taken in each folder (a file `x.md` and a folder `x` give the same address).
#[derive(Default)]
struct Names(HashMap<PathBuf, HashSet<String>>);

impl Names {
    fn take(&mut self, folder: &Path, name: &str) -> String {
        self.take_file(folder, name, "")
    }

    /// A free name `stem.ext` (`stem-2.ext`…) in `folder`; without extension when `ext` is empty.
    fn take_file(&mut self, folder: &Path, stem: &str, ext: &str) -> String {
        let used = self.0.entry(folder.to_path_buf()).or_default();
        let stem = if stem.is_empty() { "bai" } else { stem };
        let name = |stem: &str| if ext.is_empty() { stem.to_string() } else { format!("{stem}.{ext}") };
        let mut candidate = name(stem);
        let mut n = 2;
        while !used.insert(candidate.clone()) {
            candidate = name(&format!("{stem}-{n}"));
            n += 1;
        }
        candidate
    }
}

/// Places a chapter (and its children) in `folder` with `weight`.
fn place(entry: &Entry, folder: &Path, weight: usize, pages: &mut Vec<Page>, names: &mut Names) {
    let source = entry.path.as_deref().map(|p| {
        let p = percent_encoding::percent_decode_str(p.split('#').next().unwrap_or_default()).decode_utf8_lossy();
        crate::fs::normalise(Path::new(p.trim_start_matches("./"))).unwrap_or_else(|| PathBuf::from(&*p))
    });
    let stem = source.as_ref().and_then(|s| s.file_stem()).map(|s| s.to_string_lossy().to_string());
    let name = match stem {
        Some(stem) if !matches!(stem.to_ascii_lowercase().as_str(), "readme" | "index") => slugify(&stem),
        _ => slugify(&entry.title),
    };
    let draft = source.is_none();
    if entry.children.is_empty() {
        let file = format!("{}.md", names.take(folder, &name));
        pages.push(Page {
            source,
            summary_title: entry.title.clone(),
            out: folder.join(file),
            weight,
            draft,
            line: entry.line,
        });
        return;
    }
    let sub = folder.join(names.take(folder, &name));
    pages.push(Page {
        source,
        summary_title: entry.title.clone(),
        out: sub.join("_index.md"),
        weight,
        draft,
        line: entry.line,
    });
    for (i, child) in entry.children.iter().enumerate() {
        place(child, &sub, i + 1, pages, names);
    }
}

struct Context<'a> {
    mapped: &'a Mapped,
    /// The chapter's folder, relative to the source folder.
    dir: &'a Path,
    page: &'a Page,
    source_dir: &'a Path,
}

/// Schemes that leave the site.
const SCHEMES: &[&str] = &["http:", "https:", "mailto:", "tel:"];

fn resolve_link(
    link: &Link,
    cx: &Context,
    out_of: &HashMap<PathBuf, PathBuf>,
    chapters: &HashMap<PathBuf, (Mapped, chapter::Outline)>,
    assets: &mut BTreeMap<PathBuf, PathBuf>,
    asset_names: &mut Names,
    notes: &mut Vec<Note>,
) -> Resolved {
    let (file, line) = cx.mapped.origin(link.offset);
    let mut note = |what: String| notes.push(Note { file: file.clone(), line, what });
    let dest = link.dest.trim();
    let lower = dest.to_ascii_lowercase();
    if SCHEMES.iter().any(|s| lower.starts_with(s)) || lower.starts_with("//") {
        if link.image {
            note(msg!("import.remote-image", dest));
            return Resolved::ImageAsLink;
        }
        return Resolved::Keep;
    }
    if dest.contains(':') && !dest.starts_with('#') && dest.find(':') < dest.find('/').or(Some(usize::MAX)) {
        note(msg!("import.scheme", dest));
        return Resolved::Plain;
    }
    let (path_part, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (dest, None),
    };
    let page_dir = cx.page.out.parent().unwrap_or(Path::new(""));
    let source_of_page = cx.page.source.clone().unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(path_part).decode_utf8_lossy().to_string();
    let target = if decoded.is_empty() {
        Some(source_of_page.clone())
    } else if let Some(absolute) = decoded.strip_prefix('/') {
        crate::fs::normalise(Path::new(absolute))
    } else {
        crate::fs::normalise(&cx.dir.join(&decoded))
    };
    let Some(mut target) = target else {
        return dead(link, dest, &mut note, &msg!("import.why.outside"));
    };
    if target.extension().is_some_and(|e| e == "html") {
        target.set_extension("md");
    }
    if let Some(out) = out_of.get(&target) {
        let mut new = if target == source_of_page { String::new() } else { relative(page_dir, out) };
        if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
            let decoded = percent_encoding::percent_decode_str(anchor).decode_utf8_lossy().nfc().collect::<String>();
            match chapters.get(&target).and_then(|(_, outline)| outline.anchors.get(&decoded)) {
                Some(Some(id)) => new = format!("{new}#{id}"),
                Some(None) => {}
                None => note(msg!("import.no-heading", dest, heading = decoded)),
            }
        }
        if new.is_empty() {
            new = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        }
        return Resolved::Rewrite(new, None);
    }
    if target.extension().is_some_and(|e| e == "md") {
        let why = if cx.source_dir.join(&target).is_file() {
            msg!("import.why.not-in-summary")
        } else {
            msg!("import.why.no-chapter")
        };
        return dead(link, dest, &mut note, &why);
    }
    let from = cx.source_dir.join(&target);
    if !from.is_file() {
        return dead(link, dest, &mut note, &msg!("import.why.no-file"));
    }
    let ext = target.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if crate::content::ACTIVE_EXTENSIONS.contains(&ext.as_str()) {
        return dead(link, dest, &mut note, &msg!("import.why.active"));
    }
    let out = assets.entry(from.clone()).or_insert_with(|| {
        let stem = target.file_stem().map(|s| slugify(&s.to_string_lossy())).unwrap_or_default();
        let stem = if stem.is_empty() { "tep".to_string() } else { stem };
        let name = asset_names.take_file(page_dir, &stem, &ext);
        page_dir.join(name)
    });
    let mut new = relative(page_dir, out);
    if let Some(anchor) = anchor {
        new = format!("{new}#{anchor}");
    }
    let alt = link.no_alt.then(|| {
        note(msg!("import.no-alt", dest));
        target.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default()
    });
    Resolved::Rewrite(new, alt)
}

fn dead(link: &Link, dest: &str, note: &mut impl FnMut(String), why: &str) -> Resolved {
    if link.image {
        note(msg!("import.dead-image", dest, why));
    } else {
        note(msg!("import.dead-link", dest, why));
    }
    Resolved::Plain
}

/// `to` relative to the folder `from` (both relative to DEST), with `/`.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(to_parts[common..].iter().map(|c| c.as_os_str().to_string_lossy().to_string()));
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_a_folder_are_made_unique_before_the_extension() {
        let mut names = Names::default();
        let k = Path::new("content/k");
        assert_eq!(names.take_file(k, "hinh", "png"), "hinh.png");
        assert_eq!(names.take_file(k, "hinh", "png"), "hinh-2.png");
        assert_eq!(names.take(k, "bai"), "bai");
        assert_eq!(names.take(k, "bai"), "bai-2");
        assert_eq!(names.take(Path::new("content/khac"), "bai"), "bai");
    }

    #[test]
    fn relative_paths_between_files_of_the_repository() {
        let from = Path::new("content/sach/phan-1");
        assert_eq!(relative(from, Path::new("content/sach/phan-1/a.md")), "a.md");
        assert_eq!(relative(from, Path::new("content/sach/phan-2/_index.md")), "../phan-2/_index.md");
        assert_eq!(relative(Path::new("content/sach"), Path::new("content/sach/p/b/c.md")), "p/b/c.md");
    }
}

//! What `content/` held when it was last read, file by file. The preview keeps it so that a
//! change re-reads only the files it touches: [`Files::update`] takes the paths a watcher
//! reported (files or folders; created, written, renamed or gone) and [`Files::content`]
//! assembles, from what is kept, the [`Content`] and diagnostics that reading the whole
//! folder would give now. [`super::load`] is `Files::read(..).content()`, so the two ways
//! cannot drift apart.
//!
//! Reads files and never links them; keeps no state beyond what the files said.

use super::{check_slug_clashes, load_file, relative, Content, LoadOptions, Loaded, SourcePage};
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::msg;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// When an asset changes, pages that show it may change too (an image's size is read from
/// its file): its length and modification time, as last read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    len: u64,
    modified: Option<SystemTime>,
}

impl Version {
    /// The version of the file at `path` (absolute, or relative to the working folder).
    pub fn of(path: &Path) -> Option<Version> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Version { len: meta.len(), modified: meta.modified().ok() })
    }
}

/// Every entry found under `content/`, as read.
#[derive(Debug)]
pub struct Files {
    options: LoadOptions,
    /// The files' dates, read from git once with the rest.
    dates: super::dates::Dates,
    /// Whether `content/` was a folder when last looked at.
    present: bool,
    /// By path relative to the root, so in the order a sorted walk finds them.
    entries: BTreeMap<PathBuf, Entry>,
}

#[derive(Debug)]
struct Entry {
    /// The file the walk passed on to be read, or `None` when the walk stopped at the entry
    /// (a symlinked folder, a symlink out of the repository, an unreadable folder).
    file: Option<File>,
    problems: Vec<Diagnostic>,
    /// Read through a symlink: its target may change without an event for this path.
    symlink: bool,
}

#[derive(Debug)]
struct File {
    /// Folders between `content/` and the file (1 for `content/x.md`).
    depth: usize,
    loaded: Loaded,
    /// For assets.
    version: Option<Version>,
}

impl Entry {
    /// Whether reading again gave what was kept: then nothing built from it changes.
    fn same(&self, other: &Entry) -> bool {
        let same_file = match (&self.file, &other.file) {
            (None, None) => true,
            (Some(a), Some(b)) => {
                a.depth == b.depth
                    && match (&a.loaded, &b.loaded) {
                        (Loaded::Page(a), Loaded::Page(b)) => a.text == b.text,
                        (Loaded::Asset(_), Loaded::Asset(_)) => a.version == b.version,
                        (Loaded::Skipped, Loaded::Skipped) => true,
                        _ => false,
                    }
            }
            _ => false,
        };
        same_file && self.symlink == other.symlink && self.problems == other.problems
    }

    /// Takes what was read again at this entry's path: a second problem the walk reported
    /// at one entry joins the first, anything else replaces what was kept.
    fn absorb(&mut self, read: Entry) {
        match self.file.is_none() && read.file.is_none() {
            true => self.problems.extend(read.problems),
            false => *self = read,
        }
    }

    fn page(&self) -> Option<&SourcePage> {
        match &self.file {
            Some(File { loaded: Loaded::Page(page), .. }) => Some(page),
            _ => None,
        }
    }
}

/// What walking found at one entry.
enum Found {
    /// A file to read, at this depth under `content/`; `true` when through a symlink.
    File(usize, PathBuf, bool),
    /// A problem that stops the walk at this entry.
    Problem(PathBuf, Diagnostic),
}

impl Files {
    /// Walks and reads all of `content/`.
    pub fn read(config: &Config, options: LoadOptions) -> Files {
        let dates = super::dates::Dates::read(&config.root);
        let mut files = Files { options, dates, present: false, entries: BTreeMap::new() };
        files.update(config, &[PathBuf::from("content")]);
        files
    }

    /// Reads again what `paths` (relative to the root) name: a file or folder that was
    /// created or written, or that is gone. Returns the paths of the entries that changed:
    /// created, gone, or read differently than before.
    pub fn update(&mut self, config: &Config, paths: &[PathBuf]) -> Vec<PathBuf> {
        let root = config.root.as_path();
        let content_dir = config.content_dir();
        let mut paths: Vec<&PathBuf> = paths.iter().filter(|p| p.starts_with("content") && !hidden(p)).collect();
        paths.sort();
        // a folder is walked whole: what changed inside it comes along
        paths.dedup_by(|later, earlier| later.starts_with(&**earlier));
        let mut old: BTreeMap<PathBuf, Entry> = BTreeMap::new();
        let mut found = Vec::new();
        for path in paths {
            let gone: Vec<PathBuf> = self
                .entries
                .range(path.clone()..)
                .map(|(p, _)| p)
                .take_while(|p| p.starts_with(path))
                .cloned()
                .collect();
            for p in gone {
                old.insert(p.clone(), self.entries.remove(&p).expect("listed above"));
            }
            if path == Path::new("content") {
                self.present = content_dir.is_dir();
                if self.present {
                    walk(root, &content_dir, 0, &mut found);
                }
            } else if self.present && !behind_symlink(root, path) {
                let full = root.join(path);
                match std::fs::symlink_metadata(&full) {
                    // the walk of content/ does not go into symlinked folders: neither does this
                    Ok(meta) if meta.is_symlink() => walk_one(root, &full, path, &mut found),
                    Ok(_) => walk(root, &full, path.components().count() - 1, &mut found),
                    Err(_) => {}
                }
            }
        }
        // What else a change may reach: files read through symlinks, and lessons that
        // check that their audio file exists.
        let changed: Vec<PathBuf> = old.keys().chain(found.iter().map(found_path)).cloned().collect();
        let again: Vec<PathBuf> = self
            .entries
            .iter()
            .filter(|(path, entry)| {
                entry.symlink
                    || entry
                        .page()
                        .and_then(|p| p.front.audio.as_ref())
                        .is_some_and(|audio| uses_audio(path, audio, &changed))
            })
            .map(|(path, _)| path.clone())
            .collect();
        for path in again {
            let entry = self.entries.remove(&path).expect("listed above");
            let symlink = entry.symlink;
            old.insert(path.clone(), entry);
            let depth = path.components().count() - 1;
            found.push(Found::File(depth, path, symlink));
        }

        let options = self.options;
        let dates = &self.dates;
        let read: Vec<(PathBuf, Entry)> = found
            .into_par_iter()
            .map(|found| match found {
                Found::File(depth, path, symlink) => {
                    let mut problems = Vec::new();
                    let loaded = load_file(config, options, dates, &path, &mut problems);
                    let version = matches!(loaded, Loaded::Asset(_)).then(|| Version::of(&root.join(&path))).flatten();
                    (path, Entry { file: Some(File { depth, loaded, version }), problems, symlink })
                }
                Found::Problem(path, problem) => (path, Entry { file: None, problems: vec![problem], symlink: false }),
            })
            .collect();
        if self.entries.is_empty() && old.is_empty() {
            // a first read: the entries in path order, made in one go (inserting them one
            // by one compares paths component by component, a serial cost at thousands)
            return self.fill(read);
        }
        let mut added = Vec::new();
        for (path, entry) in read {
            if !old.contains_key(&path) {
                added.push(path.clone());
            }
            match self.entries.entry(path) {
                std::collections::btree_map::Entry::Occupied(mut kept) => kept.get_mut().absorb(entry),
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(entry);
                }
            }
        }
        let mut changed: BTreeSet<PathBuf> = BTreeSet::new();
        for (path, entry) in &old {
            if !self.entries.get(path).is_some_and(|now| now.same(entry)) {
                changed.insert(path.clone());
            }
        }
        changed.extend(added);
        changed.into_iter().collect()
    }

    /// Fills the empty `entries` with `read` as [`Files::update`] would, one by one;
    /// returns their paths.
    fn fill(&mut self, mut read: Vec<(PathBuf, Entry)>) -> Vec<PathBuf> {
        // sorted by path, so that the entries of one path are neighbours
        read.sort_by(|a, b| a.0.cmp(&b.0));
        let mut merged: Vec<(PathBuf, Entry)> = Vec::with_capacity(read.len());
        for (path, entry) in read {
            match merged.last_mut() {
                Some((last, kept)) if *last == path => kept.absorb(entry),
                _ => merged.push((path, entry)),
            }
        }
        let paths = merged.iter().map(|(path, _)| path.clone()).collect();
        self.entries = merged.into_iter().collect();
        paths
    }

    /// The pages, assets and course folders, and the diagnostics of reading them, as
    /// [`super::load`] gives them.
    pub fn content(&self, config: &Config) -> (Content, Diagnostics) {
        self.assemble(config, None)
    }

    /// [`Files::content`], moving the pages out instead of copying them (for a reader that
    /// keeps nothing for later).
    pub fn into_content(mut self, config: &Config) -> (Content, Diagnostics) {
        let pages = self
            .entries
            .values_mut()
            .filter_map(|entry| {
                let file = entry.file.as_mut()?;
                match std::mem::replace(&mut file.loaded, Loaded::Skipped) {
                    Loaded::Page(page) => Some(*page),
                    other => {
                        file.loaded = other;
                        None
                    }
                }
            })
            .collect();
        self.assemble(config, Some(pages))
    }

    /// The content from the entries; `pages` are the pages taken out of them, in order,
    /// when they were.
    fn assemble(&self, config: &Config, pages: Option<Vec<SourcePage>>) -> (Content, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let taken = pages.is_some();
        let mut content = Content { pages: pages.unwrap_or_default(), ..Content::default() };
        if !self.present {
            diagnostics.push(
                Diagnostic::error("content", "no-content", msg!("content.no-content"))
                    .hint(msg!("content.no-content-hint")),
            );
            return (content, diagnostics);
        }
        for entry in self.entries.values() {
            diagnostics.extend(entry.problems.iter().cloned());
            match entry.file.as_ref().map(|f| &f.loaded) {
                Some(Loaded::Page(page)) if !taken => content.pages.push((**page).clone()),
                Some(Loaded::Page(_)) => {}
                Some(Loaded::Asset(asset)) => content.assets.push(asset.clone()),
                Some(Loaded::Skipped) | None => {}
            }
        }
        // every folder holding a Markdown file (read or not: a folder of drafts is still a
        // section) is a section, and so is every folder above it
        let markdown =
            self.entries.iter().filter(|(path, e)| e.file.is_some() && path.extension().is_some_and(|x| x == "md"));
        // (files in one folder come one after the other: each folder's line once)
        let mut last = None;
        let folders: BTreeSet<&Path> = markdown
            .filter_map(|(path, _)| path.parent())
            .filter(|folder| last.replace(*folder) != Some(*folder))
            .flat_map(|folder| folder.ancestors().take_while(|folder| folder.components().count() >= 2))
            .collect();
        for folder in folders {
            // a folder whose name gives no slug: its files said so
            let Ok(Some(id)) = super::section_id(folder) else { continue };
            match content.sections.get(&id) {
                Some(existing) => diagnostics.push(
                    Diagnostic::error(
                        folder,
                        "slug-clash",
                        msg!("content.section-slug-clash", id, existing = existing.display()),
                    )
                    .hint(msg!("content.section-slug-clash-hint")),
                ),
                None => {
                    content.sections.insert(id, folder.to_path_buf());
                }
            }
        }
        super::inherit(config, &mut content.pages, &mut diagnostics);
        check_slug_clashes(&content.pages, &mut diagnostics);
        (content, diagnostics)
    }

    /// The page read from `path`, if it is one (not skipped, not an asset).
    pub fn page(&self, path: &Path) -> Option<&SourcePage> {
        self.entries.get(path).and_then(Entry::page)
    }

    /// The problems found reading `path`.
    pub fn problems(&self, path: &Path) -> &[Diagnostic] {
        self.entries.get(path).map_or(&[], |e| &e.problems)
    }

    /// The version of the asset at `path` as last read.
    pub fn version(&self, path: &Path) -> Option<Version> {
        self.entries.get(path).and_then(|e| e.file.as_ref()).and_then(|f| f.version)
    }
}

fn found_path(found: &Found) -> &PathBuf {
    match found {
        Found::File(_, path, _) | Found::Problem(path, _) => path,
    }
}

/// Whether a component below the root starts with `.` (editor and VCS files: `.git`,
/// `.DS_Store`, swap files).
fn hidden(path: &Path) -> bool {
    path.components().skip(1).any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
}

/// Whether a folder between `content/` and `path` is a symlink (the walk does not go in).
fn behind_symlink(root: &Path, path: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .take_while(|a| *a != Path::new("content") && !a.as_os_str().is_empty())
        .any(|a| std::fs::symlink_metadata(root.join(a)).is_ok_and(|m| m.is_symlink()))
}

/// Whether a lesson at `page` whose audio file is `audio` (next to it) names one of `changed`.
fn uses_audio(page: &Path, audio: &str, changed: &[PathBuf]) -> bool {
    let Some(target) = crate::fs::normalise(&page.parent().unwrap_or(Path::new("")).join(audio)) else { return true };
    changed.iter().any(|c| target.starts_with(c) || c.file_name() == target.file_name())
}

/// Walks `dir` (`depth` folders below `content/`, which is depth 0), sorted, not into
/// hidden folders nor symlinked ones.
fn walk(root: &Path, dir: &Path, depth: usize, found: &mut Vec<Found>) {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| !(entry.depth() + depth > 0 && entry.file_name().to_string_lossy().starts_with('.')));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().map(|p| relative(root, p)).unwrap_or_else(|| PathBuf::from("content"));
                let problem = match e.io_error() {
                    Some(io) => super::cannot_read(&path, io),
                    None => Diagnostic::error(&path, "io", msg!("content.cannot-read", error = e))
                        .hint(msg!("content.read-folder-again-hint")),
                };
                found.push(Found::Problem(path, problem));
                continue;
            }
        };
        visit(
            root,
            &canonical_root,
            entry.path(),
            entry.path_is_symlink(),
            entry.file_type().is_dir(),
            entry.depth() + depth,
            found,
        );
    }
}

/// Looks at the symlink `path` alone.
fn walk_one(root: &Path, path: &Path, rel: &Path, found: &mut Vec<Found>) {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    visit(root, &canonical_root, path, true, false, rel.components().count() - 1, found);
}

/// One entry of a walk: a file to read, a problem, or nothing (a folder).
fn visit(
    root: &Path,
    canonical_root: &Path,
    path: &Path,
    symlink: bool,
    dir: bool,
    depth: usize,
    found: &mut Vec<Found>,
) {
    let rel = relative(root, path);
    if symlink {
        let problem = match path.canonicalize() {
            Ok(target) if target.starts_with(canonical_root) => {
                if !target.is_dir() {
                    found.push(Found::File(depth, rel, true));
                    return;
                }
                Diagnostic::warning(&rel, "symlink", msg!("content.symlinked-folder"))
                    .hint(msg!("content.symlinked-folder-hint"))
            }
            Ok(target) => {
                Diagnostic::error(&rel, "symlink", msg!("content.symlink-outside", target = target.display()))
                    .hint(msg!("content.symlink-outside-hint"))
            }
            Err(e) if crate::fs::is_symlink_loop(&e) => {
                Diagnostic::error(&rel, "symlink", msg!("content.symlink-loop")).hint(msg!("content.symlink-loop-hint"))
            }
            Err(e) => Diagnostic::error(&rel, "symlink", msg!("content.broken-symlink", error = e))
                .hint(msg!("content.broken-symlink-hint")),
        };
        found.push(Found::Problem(rel, problem));
    } else if !dir {
        found.push(Found::File(depth, rel, false));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the content says, comparable.
    fn summary(files: &Files, config: &Config) -> String {
        let (content, diagnostics) = files.content(config);
        let pages: Vec<String> =
            content.pages.iter().map(|p| format!("{} {:?} {}", p.path.display(), p.kind, p.text)).collect();
        let assets: Vec<_> = content.assets.iter().map(|a| &a.path).collect();
        format!("{pages:#?}\n{assets:?}\n{:?}\n{:#?}", content.sections, diagnostics.into_sorted())
    }

    #[test]
    fn a_second_problem_at_one_entry_joins_the_first_and_a_file_replaces_them() {
        let problem =
            |code| Entry { file: None, problems: vec![Diagnostic::error("content/x.md", code, "x")], symlink: false };
        let mut kept = problem("io");
        kept.absorb(problem("symlink"));
        let codes: Vec<&str> = kept.problems.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["io", "symlink"]);
        let file = Entry {
            file: Some(File { depth: 0, loaded: Loaded::Skipped, version: None }),
            problems: Vec::new(),
            symlink: false,
        };
        kept.absorb(file);
        assert!(kept.file.is_some() && kept.problems.is_empty());
        kept.absorb(problem("io"));
        assert!(kept.file.is_none() && kept.problems.len() == 1);
    }

    #[test]
    fn updating_what_changed_reads_what_reading_everything_reads() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        crate::fs::copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal"), &root);
        let config = crate::config::load(&root).unwrap();
        let options = LoadOptions::default();
        let mut files = Files::read(&config, options);
        let write = |rel: &str, text: &str| {
            std::fs::create_dir_all(root.join(rel).parent().unwrap()).unwrap();
            std::fs::write(root.join(rel), text).unwrap();
        };
        let lesson = std::fs::read_to_string(root.join("content/an-toan/mat-khau-manh.md")).unwrap();
        type Step<'a> = (&'a str, Box<dyn Fn() + 'a>, Vec<&'a str>);
        let steps: Vec<Step> = vec![
            (
                "a file written",
                Box::new(|| write("content/an-toan/mat-khau-manh.md", &format!("{lesson}\nThêm.\n"))),
                vec!["content/an-toan/mat-khau-manh.md"],
            ),
            (
                "a new course folder",
                Box::new(|| {
                    write("content/khoa-moi/bai.md", &lesson);
                    write("content/khoa-moi/hinh/so-do.svg", "<svg/>");
                }),
                vec!["content/khoa-moi"],
            ),
            (
                "a folder renamed",
                Box::new(|| std::fs::rename(root.join("content/khoa-moi"), root.join("content/Khóa mới")).unwrap()),
                vec!["content/khoa-moi", "content/Khóa mới"],
            ),
            (
                "a front matter error",
                Box::new(|| write("content/Khóa mới/bai.md", "+++\ntitle = 1\n+++\n")),
                vec!["content/Khóa mới/bai.md"],
            ),
            (
                "an audio file a lesson names, deleted",
                Box::new(|| {
                    write("content/an-toan/doc.mp3", "");
                    write(
                        "content/an-toan/mat-khau-manh.md",
                        &lesson.replacen("+++\n", "+++\naudio = \"doc.mp3\"\n", 1),
                    );
                }),
                vec!["content/an-toan/doc.mp3", "content/an-toan/mat-khau-manh.md"],
            ),
            (
                "deleted",
                Box::new(|| std::fs::remove_file(root.join("content/an-toan/doc.mp3")).unwrap()),
                vec!["content/an-toan/doc.mp3"],
            ),
            ("hidden files", Box::new(|| write("content/.git/x.md", &lesson)), vec!["content/.git/x.md"]),
            (
                "a folder deleted",
                Box::new(|| std::fs::remove_dir_all(root.join("content/Khóa mới")).unwrap()),
                vec!["content/Khóa mới"],
            ),
        ];
        for (name, change, paths) in steps {
            change();
            let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
            let changed = files.update(&config, &paths);
            assert_eq!(summary(&files, &config), summary(&Files::read(&config, options), &config), "{name}");
            assert_eq!(changed.is_empty(), name == "hidden files", "{name}: {changed:?}");
        }
        let again = files.update(&config, &[PathBuf::from("content/an-toan/mat-khau-manh.md")]);
        assert!(again.is_empty(), "reading an unchanged file changes nothing: {again:?}");
        let (copied, moved) = (files.content(&config), files.into_content(&config));
        assert_eq!(format!("{copied:?}"), format!("{moved:?}"), "moving the pages out gives the same content");
    }
}

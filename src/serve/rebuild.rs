//! The rebuild side of the author preview: keeps what was read (`book.toml`, the theme,
//! every file under `content/`) and the last good site, and after a change renders again
//! only the pages whose output can differ.
//!
//! - A change under `content/` re-reads only the files it names ([`content::Files`]) and
//!   links the whole site again from what is kept (the texts that did not change are not
//!   parsed again, [`site::Outlines`]). Every page's fingerprint (a hash of what
//!   rendering it reads, [`fingerprint`]) is compared with that of the page served: only
//!   pages whose fingerprint changed are rendered, pages that no longer exist are
//!   dropped, assets come and go.
//! - A change to one lesson's text alone skips even the linking: the linked site takes the
//!   new text in ([`Site::edit_text`]) and the pages that show the text are rendered.
//! - A change to `book.toml` reads everything again, and a change to the theme renders
//!   everything again: both reach every page.
//! - Offline manifests (`offline.json`) list what a save button saves with its sizes;
//!   they are made when asked for, from the pages served then ([`Shared::manifest`]),
//!   so they are always current and cost nothing while editing.
//!
//! The new files replace the old ones in the served map at once. When the content has
//! errors the map is left as it was (the last good pages stay served) and the problems go
//! to the terminal and, as an overlay, to every open page. Never writes the output folder.

use super::reload::{Broadcaster, Event};
use crate::config::{self, Config};
use crate::content::{self, Files, Version};
use crate::diag::{print_human, Diagnostic, Diagnostics};
use crate::msg;
use crate::output::{Contents, OutputFile};
use crate::render::targets::{self, Target};
use crate::render::view::Load;
use crate::render::{self, fingerprint, offline, theme::Theme, RenderedPage};
use crate::site::{self, Outlines, Site};
use crate::Error;
use bytes::Bytes;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, RwLock};
use std::time::Instant;

/// Where the browser's search index lives in the output.
pub(super) const SEARCH_DIR: &str = "search/";

/// A file of the previewed site.
#[derive(Debug, Clone)]
pub(super) enum Served {
    Memory(Bytes),
    /// An asset, read from the repository when asked for (so it is always current), and
    /// served only while it is a regular file inside `root`, the repository (canonical):
    /// the file may have been swapped for a symlink since it was read.
    Disk {
        path: PathBuf,
        root: Arc<Path>,
    },
    /// An offline manifest, made when asked for: the course or path page and its lessons.
    Manifest(Arc<(String, Vec<String>)>),
}

/// What the HTTP side and the rebuild side share.
#[derive(Default)]
pub(super) struct Shared {
    pub files: RwLock<HashMap<String, Served>>,
    /// What each served page loads, from its view (for the offline manifests).
    pub loads: RwLock<HashMap<String, Vec<Load>>>,
    pub events: Broadcaster,
    pub search: std::sync::Mutex<super::api::SearchState>,
}

/// What a changed path asks for.
#[derive(Debug, PartialEq)]
enum Change {
    Ignore,
    /// `book.toml`, or a change the watcher lost track of: read everything again.
    Config,
    /// The theme in use: render everything again.
    Theme,
    /// A file or folder under `content/` (relative to the root).
    Content(PathBuf),
}

/// book.toml, the theme and content/ as last read.
struct Read {
    config: Config,
    /// `None` when the theme has an error (told when it happened).
    theme: Option<Theme>,
    files: Files,
    outlines: Outlines,
}

/// The last good build, as served.
struct Good {
    site: Arc<Site>,
    /// Output path → fingerprint of every page rendered from the site, as served.
    pages: HashMap<String, u64>,
    /// Course and path pages with a save button → the lessons saved.
    saves: HashMap<String, Vec<String>>,
    /// Output path → source and version of every asset.
    assets: HashMap<String, (PathBuf, Option<Version>)>,
}

/// What a rebuild did, for the terminal (and the tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Nothing served can have changed.
    Unchanged,
    /// The whole site was built.
    Built {
        pages: usize,
    },
    /// Only `pages` pages were rendered again; `linked`: after linking the site again (not
    /// a change to a text alone).
    Rendered {
        pages: usize,
        linked: bool,
    },
    Failed,
}

pub(super) struct Builder {
    root: PathBuf,
    drafts: bool,
    read: Option<Read>,
    good: Option<Good>,
    /// The last rebuild failed: the site served is older than what was read.
    failing: bool,
    /// `book.toml` or the theme changed since the pages served were rendered: the next
    /// rebuild renders them all.
    render_all: bool,
    /// Warnings already shown, so a rebuild tells only new ones.
    warned: HashSet<(PathBuf, usize, usize, String)>,
    /// Where to send a site to index for search, when the preview is idle.
    search: Option<mpsc::Sender<Arc<Site>>>,
    /// The search index served is older than the site.
    search_behind: bool,
}

impl Builder {
    /// A builder for the repository at `root` (canonical); `search` receives each new site
    /// to index when the preview is idle.
    pub fn new(root: PathBuf, drafts: bool, search: Option<mpsc::Sender<Arc<Site>>>) -> Builder {
        Builder {
            root,
            drafts,
            read: None,
            good: None,
            failing: false,
            render_all: true,
            warned: HashSet::new(),
            search,
            search_behind: false,
        }
    }

    fn classify(&self, path: &Path) -> Change {
        let Ok(rel) = path.strip_prefix(&self.root) else { return Change::Ignore };
        let rel: PathBuf = rel.components().collect();
        if rel.as_os_str().is_empty() {
            return Change::Config;
        }
        if rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.')) {
            return Change::Ignore;
        }
        let theme = self.read.as_ref().map(|r| Path::new("themes").join(&r.config.build.theme));
        if rel == Path::new(config::FILE_NAME) {
            Change::Config
        } else if rel.starts_with("content") {
            Change::Content(rel)
        } else if theme.is_some_and(|theme| rel.starts_with(&theme) || theme.starts_with(&rel)) {
            Change::Theme
        } else {
            Change::Ignore
        }
    }

    /// The first build.
    pub fn start(&mut self, shared: &Shared) -> Outcome {
        self.read_all(shared, "first build")
    }

    /// Rebuilds after a batch of changed paths (absolute). The root itself stands for a
    /// change the watcher could not follow.
    pub fn changed(&mut self, shared: &Shared, paths: &[PathBuf]) -> Outcome {
        let mut clock = Clock::start();
        let changes: Vec<Change> = paths.iter().map(|p| self.classify(p)).filter(|c| *c != Change::Ignore).collect();
        if changes.is_empty() {
            return Outcome::Unchanged;
        }
        let Some(read) = self.read.as_mut().filter(|_| !changes.contains(&Change::Config)) else {
            let what = match paths {
                [one] => one.strip_prefix(&self.root).unwrap_or(one).display().to_string(),
                _ => msg!("serve.n-changes", count = paths.len()),
            };
            return self.read_all(shared, &what);
        };
        let theme = changes.contains(&Change::Theme);
        let contents: Vec<PathBuf> = changes
            .into_iter()
            .filter_map(|c| match c {
                Change::Content(rel) => Some(rel),
                _ => None,
            })
            .collect();
        let changed = read.files.update(&read.config, &contents);
        clock.lap("read");
        if theme {
            read.theme = match render::theme::load(&read.config) {
                Ok(theme) => Some(theme),
                Err(e) => {
                    read.theme = None;
                    self.fail_environment(shared, &e);
                    return Outcome::Failed;
                }
            };
            self.render_all = true;
            return self.link(shared, &msg!("serve.theme"), &mut clock, &changed);
        }
        let what = match changed.as_slice() {
            [] => return Outcome::Unchanged,
            [one] => one.display().to_string(),
            many => msg!("serve.n-files", count = many.len()),
        };
        if let [one] = changed.as_slice() {
            if let Some(outcome) = self.edit_text(shared, one, &mut clock) {
                return outcome;
            }
        }
        self.link(shared, &what, &mut clock, &changed)
    }

    /// Makes the search index now (after the first build: the preview is not open yet).
    pub fn index(&mut self, shared: &Shared) {
        if let Some(good) = &self.good {
            index(shared, &self.root, &good.site);
            self.search_behind = false;
        }
    }

    /// Called when no change came for a while: the search index catches up.
    pub fn idle(&mut self) {
        if let (true, Some(good), Some(search)) = (self.search_behind, &self.good, &self.search) {
            if search.send(Arc::clone(&good.site)).is_ok() {
                self.search_behind = false;
            }
        }
    }

    /// Whether [`Builder::idle`] has something to do.
    pub fn wants_idle(&self) -> bool {
        self.search_behind && self.search.is_some()
    }

    /// Reads book.toml, the theme and all of content/ again, then links and renders the
    /// whole site.
    fn read_all(&mut self, shared: &Shared, what: &str) -> Outcome {
        let mut clock = Clock::start();
        self.read = None;
        if !self.root.join(config::FILE_NAME).is_file() {
            let missing = Diagnostic::error(config::FILE_NAME, "no-config", msg!("serve.no-book"))
                .hint(msg!("serve.no-book-hint"));
            self.fail(shared, vec![missing]);
            return Outcome::Failed;
        }
        let config = match config::load(&self.root) {
            Ok(config) => config,
            Err(diagnostics) => {
                self.fail(shared, diagnostics.into_sorted());
                return Outcome::Failed;
            }
        };
        let theme = match render::theme::load(&config) {
            Ok(theme) => Some(theme),
            Err(e) => {
                self.fail_environment(shared, &e);
                None
            }
        };
        let files = Files::read(&config, content::LoadOptions { drafts: self.drafts });
        self.read = Some(Read { config, theme, files, outlines: Outlines::default() });
        clock.lap("read");
        self.render_all = true;
        self.link(shared, what, &mut clock, &[])
    }

    /// Links the site again from what was read, then renders what changed, or everything
    /// (see `render_all`). `changed` are the files read again, for telling their warnings.
    fn link(&mut self, shared: &Shared, what: &str, clock: &mut Clock, changed: &[PathBuf]) -> Outcome {
        let Some(read) = self.read.as_mut() else { return Outcome::Failed };
        let (content, mut diagnostics) = read.files.content(&read.config);
        let (site, link_diagnostics) = site::link_with(read.config.clone(), content, &mut read.outlines);
        diagnostics.extend(link_diagnostics);
        clock.lap("link");
        if diagnostics.has_errors() {
            self.fail(shared, diagnostics.into_sorted());
            return Outcome::Failed;
        }
        let diagnostics = diagnostics.into_sorted();
        let Some(theme) = read.theme.as_ref() else {
            let e = Error::Template("the theme has errors: fix them to see the site".into());
            self.fail_environment(shared, &e);
            return Outcome::Failed;
        };
        let files = &read.files;
        let version = |path: &Path| files.version(path);
        let prints = fingerprint::all(&site, theme, &version);
        let assets: HashMap<String, (PathBuf, Option<Version>)> =
            site.assets.iter().map(|a| (a.output.clone(), (a.source.clone(), files.version(&a.source)))).collect();
        clock.lap("fingerprints");
        let outcome = match self.good.as_mut().filter(|_| !self.render_all) {
            None => {
                let rendered = match render::site_with(&site, theme) {
                    Ok(rendered) => rendered,
                    Err(e) => {
                        self.fail_environment(shared, &e);
                        return Outcome::Failed;
                    }
                };
                clock.lap("render");
                let pages = site.pages.len();
                let mut good = Good {
                    site: Arc::new(site),
                    pages: prints.into_iter().map(|(output, _, print)| (output, print)).collect(),
                    saves: HashMap::new(),
                    assets,
                };
                {
                    *shared.loads.write().expect("loads lock") =
                        rendered.pages.into_iter().map(|(page, loads)| (page, loads.loads)).collect();
                    let mut map: HashMap<String, Served> =
                        rendered.files.into_iter().map(|f| served(&self.root, f)).collect();
                    // the last search index stays served until the new one is made
                    let mut current = shared.files.write().expect("files lock");
                    for (path, file) in current.drain().filter(|(path, _)| path.starts_with(SEARCH_DIR)) {
                        map.entry(path).or_insert(file);
                    }
                    good.follow_saves(&mut map);
                    *current = map;
                }
                self.good = Some(good);
                self.render_all = false;
                Outcome::Built { pages }
            }
            Some(good) => {
                let mut render = Vec::new();
                let mut pages = HashMap::with_capacity(prints.len());
                for (output, target, print) in prints {
                    if good.pages.get(&output) != Some(&print) {
                        render.push(target);
                    }
                    pages.insert(output, print);
                }
                let gone: Vec<String> = good.pages.keys().filter(|o| !pages.contains_key(*o)).cloned().collect();
                let rendered = match targets::render(&site, theme, &render) {
                    Ok(rendered) => rendered,
                    Err(e) => {
                        self.fail_environment(shared, &e);
                        return Outcome::Failed;
                    }
                };
                clock.lap("render");
                let count = rendered.len();
                let old = std::mem::replace(&mut good.site, Arc::new(site));
                good.pages = pages;
                good.install(shared, &self.root, rendered, gone, assets);
                // dropping 10 000 pages takes a while: not on the way to the next change
                std::thread::spawn(move || drop(old));
                Outcome::Rendered { pages: count, linked: true }
            }
        };
        self.succeed(shared, what, clock, &outcome, diagnostics, changed);
        clock.print(what);
        outcome
    }

    /// Takes a change to one file's text alone into the linked site and renders the pages
    /// that show the text. `None` when the change is not of that kind (or the site is in
    /// use by the search index): the site is linked again instead.
    fn edit_text(&mut self, shared: &Shared, path: &Path, clock: &mut Clock) -> Option<Outcome> {
        if self.failing || self.render_all {
            return None;
        }
        let read = self.read.as_ref()?;
        let theme = read.theme.as_ref()?;
        let problems = read.files.problems(path);
        if problems.iter().any(Diagnostic::is_error) {
            return None;
        }
        let source = read.files.page(path)?.clone();
        let good = self.good.as_mut()?;
        let edit = Arc::get_mut(&mut good.site)?.edit_text(source).ok()?;
        clock.lap("edit");
        let site = Arc::clone(&good.site);
        let mut render: Vec<Target> = edit.pages.iter().map(|&i| Target::Page(i)).collect();
        for &section in &edit.sections {
            render.extend(targets::prints(&site, section));
        }
        let rendered = match targets::render(&site, theme, &render) {
            Ok(rendered) => rendered,
            Err(e) => {
                self.fail_environment(shared, &e);
                return Some(Outcome::Failed);
            }
        };
        clock.lap("render");
        let count = rendered.len();
        let files = &read.files;
        good.pages.extend(fingerprint::of(&site, theme, &render, &|path: &Path| files.version(path)));
        install_pages(shared, &self.root, rendered);
        let mut warnings = problems.to_vec();
        warnings.extend(edit.diagnostics);
        let outcome = Outcome::Rendered { pages: count, linked: false };
        let what = path.display().to_string();
        self.succeed(shared, &what, clock, &outcome, warnings, &[path.to_path_buf()]);
        clock.print(&what);
        Some(outcome)
    }

    fn succeed(
        &mut self,
        shared: &Shared,
        what: &str,
        clock: &mut Clock,
        outcome: &Outcome,
        warnings: Vec<Diagnostic>,
        changed: &[PathBuf],
    ) {
        shared.events.send(Event::Reload);
        self.failing = false;
        self.search_behind = true;
        let ms = clock.started.elapsed().as_millis();
        clock.lap("reload");
        match outcome {
            Outcome::Built { pages } => println!("{}", msg!("serve.built", what, pages, ms)),
            Outcome::Rendered { pages, linked: false } => println!("{}", msg!("serve.rendered", what, pages, ms)),
            Outcome::Rendered { pages, linked: true } => {
                let total = self.good.as_ref().map_or(0, |g| g.pages.len());
                println!("{}", msg!("serve.rendered-linked", what, pages, total, ms))
            }
            Outcome::Unchanged | Outcome::Failed => {}
        }
        // a whole build tells every warning; a change, those that are new or about the
        // files it read
        let all = matches!(outcome, Outcome::Built { .. });
        let fresh: Vec<Diagnostic> = warnings
            .iter()
            .filter(|w| all || changed.contains(&w.file) || !self.warned.contains(&warning_key(w)))
            .cloned()
            .collect();
        if all {
            self.warned.clear();
        }
        self.warned.extend(warnings.iter().map(warning_key));
        if !fresh.is_empty() {
            print_human(&mut std::io::stderr().lock(), &self.root, &fresh).ok();
        }
    }

    fn fail(&mut self, shared: &Shared, diagnostics: Vec<Diagnostic>) {
        let mut sorted = Diagnostics::new();
        sorted.extend(diagnostics);
        let diagnostics = sorted.into_sorted();
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        let mut text = Vec::new();
        print_human(&mut text, &self.root, &diagnostics).ok();
        let text = String::from_utf8_lossy(&text).into_owned();
        eprint!("{text}");
        let kept = if self.good.is_some() { msg!("serve.kept") } else { String::new() };
        let errors = if errors == 1 { msg!("count.error", n = errors) } else { msg!("count.errors", n = errors) };
        eprintln!("{}", msg!("serve.failed", errors, kept));
        shared.events.send(Event::Problems(text));
        self.failing = true;
    }

    fn fail_environment(&mut self, shared: &Shared, error: &Error) {
        let text = format!("{}\n", msg!("cli.error", error));
        eprint!("{text}");
        shared.events.send(Event::Problems(text));
        self.failing = true;
    }
}

/// The wall time of a rebuild's stages, told on stderr when `HOCLIEU_TIMINGS` is set (for
/// profiling, like the build's).
pub(super) struct Clock {
    on: bool,
    started: Instant,
    last: Instant,
    laps: Vec<String>,
}

impl Clock {
    pub fn start() -> Clock {
        let now = Instant::now();
        Clock { on: std::env::var_os("HOCLIEU_TIMINGS").is_some(), started: now, last: now, laps: Vec::new() }
    }

    fn lap(&mut self, stage: &str) {
        if self.on {
            self.laps.push(format!("{stage} {} ms", self.last.elapsed().as_millis()));
        }
        self.last = Instant::now();
    }

    fn print(&self, what: &str) {
        if self.on {
            eprintln!("timing: {what}: {}", self.laps.join(", "));
        }
    }
}

fn warning_key(d: &Diagnostic) -> (PathBuf, usize, usize, String) {
    (d.file.clone(), d.line, d.col, d.message.clone())
}

impl Good {
    /// Puts newly rendered pages in the served map, drops `gone` ones, follows the assets
    /// (`assets`: what the site has now) and the save buttons.
    fn install(
        &mut self,
        shared: &Shared,
        root: &Path,
        rendered: Vec<RenderedPage>,
        gone: Vec<String>,
        assets: HashMap<String, (PathBuf, Option<Version>)>,
    ) {
        install_pages(shared, root, rendered);
        let mut map = shared.files.write().expect("files lock");
        let mut loads = shared.loads.write().expect("loads lock");
        for path in &gone {
            map.remove(path);
            loads.remove(path);
        }
        drop(loads);
        for output in self.assets.keys().filter(|o| !assets.contains_key(*o)) {
            map.remove(output);
        }
        for (output, (source, version)) in &assets {
            if self.assets.get(output).is_none_or(|(s, v)| s != source || v != version) {
                // an SVG that had script is served as cleaned, as a build writes it
                let asset = self.site.assets.iter().find(|a| a.output == *output);
                // an image's variants, as a build writes them (the file itself from disk)
                for variant in asset.and_then(|a| a.image.as_ref()).into_iter().flat_map(|i| i.variants.iter()) {
                    map.insert(variant.output.clone(), Served::Memory(Bytes::from(variant.bytes.to_vec())));
                }
                let cleaned = asset.and_then(|a| a.cleaned.clone());
                let served = match cleaned {
                    Some(cleaned) => Served::Memory(Bytes::from(cleaned.to_vec())),
                    None => Served::Disk { path: root.join(source), root: Arc::from(root) },
                };
                map.insert(output.clone(), served);
            }
        }
        self.assets = assets;
        self.follow_saves(&mut map);
    }

    /// Serves an offline manifest for every save button of the site, and none for others.
    fn follow_saves(&mut self, map: &mut HashMap<String, Served>) {
        let saves: HashMap<String, Vec<String>> = offline::saved_pages(&self.site).into_iter().collect();
        let manifest = |page: &str| format!("{}/{}", offline::folder(page), offline::MANIFEST);
        for page in self.saves.keys().filter(|p| !saves.contains_key(*p)) {
            map.remove(&manifest(page));
        }
        for (page, lessons) in &saves {
            if self.saves.get(page) != Some(lessons) || !matches!(map.get(&manifest(page)), Some(Served::Manifest(_))) {
                map.insert(manifest(page), Served::Manifest(Arc::new((page.clone(), lessons.clone()))));
            }
        }
        self.saves = saves;
    }
}

impl Shared {
    /// The offline manifest of the save button on `page` (saving `lessons`), from the
    /// files served now: what a whole build writes as its `offline.json`.
    pub fn manifest(&self, page: &str, lessons: &[String]) -> Bytes {
        let loads = self.loads.read().expect("loads lock");
        let map = self.files.read().expect("files lock");
        let size = |path: &str| match map.get(path)? {
            Served::Memory(bytes) => Some(bytes.len() as u64),
            Served::Disk { path, root } => super::respond::open_inside(path, root).map(|(_, meta)| meta.len()),
            Served::Manifest(_) => None,
        };
        match offline::manifest(page, lessons, &|p| loads.get(p).map(Vec::as_slice), &size).contents {
            Contents::Bytes(bytes) => Bytes::from(bytes),
            Contents::Copy(_) => unreachable!("a manifest is made in memory"),
        }
    }
}

/// Serves rendered pages, and keeps what each loads.
fn install_pages(shared: &Shared, root: &Path, pages: Vec<RenderedPage>) {
    let mut map = shared.files.write().expect("files lock");
    let mut loads = shared.loads.write().expect("loads lock");
    for page in pages {
        loads.insert(page.file.path.clone(), page.loads);
        let (path, served) = served(root, page.file);
        map.insert(path, served);
    }
}

fn served(root: &Path, file: OutputFile) -> (String, Served) {
    let served = match file.contents {
        Contents::Bytes(bytes) => Served::Memory(Bytes::from(bytes)),
        Contents::Copy(source) => Served::Disk { path: root.join(source), root: Arc::from(root) },
    };
    (file.path, served)
}

/// Makes the search index of `site` and serves it. It follows the reload, so the page
/// shows at once; searching finds the new words a moment later (seconds for 10 000
/// lessons). Only the languages whose searchable documents changed are indexed again (an
/// edit to a Thái translation leaves the Vietnamese index as it was), and of their files
/// only those whose bytes changed are replaced. A language's index is made whole: every
/// document's scores depend on the lengths of all of them.
pub(super) fn index(shared: &Shared, root: &Path, site: &Site) {
    let languages = &site.config.languages;
    let documents: Vec<Vec<crate::search::Document>> =
        (0..languages.len()).into_par_iter().map(|l| crate::search::documents(site, l)).collect();
    let changed = shared.search.lock().expect("search lock").changed(site, &documents);
    // a translation's browser index names the default-language documents it translates,
    // so a change there makes every language's browser index again
    let rewritten: Vec<usize> = if changed.contains(&0) { (0..languages.len()).collect() } else { changed.clone() };
    let files = crate::search::browser::languages(site, &documents, &rewritten, None);
    {
        let mut state = shared.search.lock().expect("search lock");
        *state = std::mem::take(&mut *state).next(site, documents, &changed);
    }
    // a language's folder: kept when the language is and did not change, else only the
    // files its new index has
    let folder = |l: usize| format!("{SEARCH_DIR}{}/", languages[l].id.as_str());
    let unchanged: Vec<String> = (0..languages.len()).filter(|l| !rewritten.contains(l)).map(folder).collect();
    let current: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut map = shared.files.write().expect("files lock");
    map.retain(|path, _| {
        !path.starts_with(SEARCH_DIR)
            || current.contains(path.as_str())
            || unchanged.iter().any(|f| path.starts_with(f))
    });
    for file in files {
        let same = match (map.get(&file.path), &file.contents) {
            (Some(Served::Memory(old)), Contents::Bytes(new)) => old.as_ref() == new.as_slice(),
            _ => false,
        };
        if !same {
            let (path, served) = served(root, file);
            map.insert(path, served);
        }
    }
}

#[cfg(test)]
mod tests;

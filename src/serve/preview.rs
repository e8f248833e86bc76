//! The author preview (`hoclieu serve`): builds the site in memory, serves it on loopback,
//! watches `content/`, `themes/` and `book.toml`, rebuilds what a change touches and
//! tells open pages to reload ([`super::reload`]). Never writes the output folder.
//!
//! The served files are a map output path → bytes. A change to one lesson's text alone
//! (front matter, headings and link targets unchanged) is taken into the linked site
//! ([`Site::edit_text`]) and only that page, its fallbacks in other languages and its
//! course's print pages are rendered again; any other change (front matter, new, renamed
//! or deleted files, assets, templates, config) links and renders the whole site again.
//! Either way the new pages replace the old ones in the map at once. When the content
//! has errors, the map is left as it was (the last good pages stay served) and the
//! problems go to the terminal and, as an overlay, to every open page.

use super::http::{self, Body};
use super::reload::{self, Broadcaster, Event};
use super::respond::{self, CachePolicy, Data, Representation};
use super::Listen;
use crate::diag::{print_human, Diagnostic, Diagnostics};
use crate::render::{self, theme::Theme, Contents, OutputFile};
use crate::site::{self, Site};
use crate::{config, content, Error};
use bytes::Bytes;
use hyper::header::{self, HeaderMap};
use hyper::{Method, Response, StatusCode, Uri};
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Saves from editors come as bursts (write a temp file, rename it over); wait this long
/// after the last event before rebuilding.
const DEBOUNCE: Duration = Duration::from_millis(30);

#[derive(Debug, Clone)]
pub struct PreviewOptions {
    pub root: PathBuf,
    pub listen: Listen,
    pub drafts: bool,
    pub qr: bool,
}

/// A file of the previewed site.
#[derive(Debug, Clone)]
enum Served {
    Memory(Bytes),
    /// An asset, read from the repository when asked for (so it is always current).
    Disk(PathBuf),
}

/// What the HTTP side and the rebuild side share.
/// Where the browser's search index lives in the output.
const SEARCH_DIR: &str = "search/";

struct Shared {
    files: RwLock<HashMap<String, Served>>,
    events: Broadcaster,
    search: std::sync::Mutex<super::api::SearchState>,
}

/// Builds, serves and watches until the process is stopped.
pub fn run(options: PreviewOptions) -> Result<(), Error> {
    config::require(&options.root)?;
    let root = options.root.canonicalize().map_err(|e| Error::io(&options.root, "cannot read", e))?;
    let listener = http::bind(SocketAddr::new(options.listen.ip, options.listen.port))?;
    let address = listener.local_addr().map_err(|e| Error::io(&root, "cannot listen", e))?;
    let shared =
        Arc::new(Shared { files: RwLock::default(), events: Broadcaster::default(), search: Default::default() });
    let mut builder = Builder { root: root.clone(), drafts: options.drafts, good: None, failing: None };
    builder.full(&shared, "first build");

    let (sender, receiver) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(sender)
        .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", root.display())))?;
    let mut watch = |path: &Path, mode| {
        watcher.watch(path, mode).map_err(|e| Error::Usage(format!("cannot watch {}: {e}", path.display())))
    };
    watch(&root, RecursiveMode::NonRecursive)?;
    let content_dir = root.join("content");
    if content_dir.is_dir() {
        watch(&content_dir, RecursiveMode::Recursive)?;
    }
    let themes = root.join("themes");
    if themes.is_dir() {
        watch(&themes, RecursiveMode::Recursive)?;
    }

    println!("hoclieu: preview of {} (Ctrl+C to stop)", root.display());
    super::print_urls(address, options.qr);
    println!("  watching content/, themes/ and book.toml; pages reload by themselves");

    {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            // The watcher stops when dropped: it lives as long as this loop.
            let mut watcher = watcher;
            let mut watched = (content_dir.is_dir(), themes.is_dir());
            while let Some(paths) = next_changes(&receiver) {
                // Folders created after start (a first theme override, a new content/).
                for (dir, seen) in [(&content_dir, &mut watched.0), (&themes, &mut watched.1)] {
                    if !*seen && dir.is_dir() {
                        *seen = watcher.watch(dir, RecursiveMode::Recursive).is_ok();
                    }
                }
                builder.changed(&shared, &paths);
            }
        });
    }

    super::runtime()?
        .block_on(http::serve(listener, move |request| {
            let shared = Arc::clone(&shared);
            async move { shared.handle(request.method(), request.uri(), request.headers()) }
        }))
        .map_err(|e| Error::io(&root, "server stopped", e))
}

/// Waits for a change, then gathers the changes that follow it closely (debouncing):
/// the paths that were created, written, renamed or deleted. Reads are not changes (the
/// build itself reads every file). `None` when the watcher has stopped.
fn next_changes(receiver: &Receiver<notify::Result<notify::Event>>) -> Option<Vec<PathBuf>> {
    let mut paths = Vec::new();
    let take = |paths: &mut Vec<PathBuf>, event: notify::Result<notify::Event>| match event {
        Ok(event) if !matches!(event.kind, EventKind::Access(_)) => paths.extend(event.paths),
        Ok(_) => {}
        Err(e) => eprintln!("warning: watching files: {e}"),
    };
    loop {
        take(&mut paths, receiver.recv().ok()?);
        loop {
            match receiver.recv_timeout(DEBOUNCE) {
                Ok(event) => take(&mut paths, event),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
        if !paths.is_empty() {
            paths.sort();
            paths.dedup();
            return Some(paths);
        }
    }
}

/// The rebuild side: the last good site and theme, for incremental renders.
struct Builder {
    root: PathBuf,
    drafts: bool,
    good: Option<(Site, Theme)>,
    /// Why the last rebuild failed: one file's text (an edit to that file alone may be
    /// tried incrementally again), or the whole site.
    failing: Option<Failure>,
}

#[derive(Debug, PartialEq)]
enum Failure {
    Text(PathBuf),
    Site,
}

/// What a changed path asks for.
#[derive(Debug, PartialEq)]
enum Change {
    Ignore,
    /// A Markdown file under content/ that still exists: maybe its text alone changed.
    Text(PathBuf),
    Everything,
}

impl Builder {
    fn classify(&self, path: &Path) -> Change {
        let Ok(rel) = path.strip_prefix(&self.root) else { return Change::Ignore };
        let rel: PathBuf = rel.components().collect();
        let hidden = rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        if hidden {
            return Change::Ignore;
        }
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned());
        match parts.next().as_deref() {
            Some(config::FILE_NAME) if rel.components().count() == 1 => Change::Everything,
            Some("themes") => Change::Everything,
            Some("content") => match std::fs::metadata(path) {
                Ok(meta) if meta.is_file() && rel.extension().is_some_and(|e| e == "md") => Change::Text(rel),
                Ok(_) => Change::Everything,
                // Gone: a file or folder of the site was deleted or renamed, or an editor's
                // or sed's temporary file came and went (nothing to do).
                Err(_) => match &self.good {
                    Some((site, _)) if !site_uses(site, &rel) => Change::Ignore,
                    _ => Change::Everything,
                },
            },
            _ => Change::Ignore,
        }
    }

    /// Rebuilds after a batch of changed paths.
    fn changed(&mut self, shared: &Shared, paths: &[PathBuf]) {
        let mut changes: Vec<Change> =
            paths.iter().map(|p| self.classify(p)).filter(|c| *c != Change::Ignore).collect();
        changes.dedup();
        if changes.is_empty() {
            return;
        }
        let texts: Option<Vec<PathBuf>> = changes
            .iter()
            .map(|c| match c {
                Change::Text(rel) => Some(rel.clone()),
                _ => None,
            })
            .collect();
        let incremental = match (&texts, &self.failing, &self.good) {
            (Some(texts), None, Some(_)) => Some(texts.clone()),
            (Some(texts), Some(Failure::Text(failed)), Some(_)) if texts.len() == 1 && &texts[0] == failed => {
                Some(texts.clone())
            }
            _ => None,
        };
        match incremental {
            Some(texts) => {
                for rel in texts {
                    if !self.text(shared, &rel) {
                        return;
                    }
                }
            }
            None => {
                let what = match &texts {
                    Some(texts) if texts.len() == 1 => texts[0].display().to_string(),
                    _ => format!("{} changes", changes.len()),
                };
                self.full(shared, &what)
            }
        }
    }

    /// Takes in an edit to one file's text; falls back to a full rebuild when the change
    /// reaches further. Returns false when it failed (and the problems are shown).
    fn text(&mut self, shared: &Shared, rel: &Path) -> bool {
        let started = Instant::now();
        let Some((site, theme)) = &mut self.good else { return false };
        let options = content::LoadOptions { drafts: self.drafts };
        let (source, problems) = content::load_page(&site.config, options, rel);
        if problems.iter().any(Diagnostic::is_error) {
            self.fail(shared, problems, Failure::Text(rel.to_path_buf()));
            return false;
        }
        let Some(source) = source else {
            self.full(shared, &rel.display().to_string());
            return self.failing.is_none();
        };
        let edit = match site.edit_text(source) {
            Ok(edit) => edit,
            Err(site::edit::Refused::Errors(mut diagnostics)) => {
                diagnostics.extend(problems);
                self.fail(shared, diagnostics, Failure::Text(rel.to_path_buf()));
                return false;
            }
            Err(site::edit::Refused::NotTextOnly) => {
                self.full(shared, &rel.display().to_string());
                return self.failing.is_none();
            }
        };
        let files = match render::pages(site, theme, &edit.pages, &edit.courses) {
            Ok(files) => files,
            Err(e) => {
                self.fail_environment(shared, &e);
                return false;
            }
        };
        let count = files.len();
        {
            let mut map = shared.files.write().expect("files lock");
            for file in files {
                let (path, served) = served(&self.root, file);
                map.insert(path, served);
            }
        }
        shared.events.send(Event::Reload);
        let mut warnings: Vec<Diagnostic> = problems;
        warnings.extend(edit.diagnostics);
        self.report_warnings(&warnings);
        self.failing = None;
        println!("{}: {count} pages rendered again in {} ms", rel.display(), started.elapsed().as_millis());
        self.refresh_search(shared);
        true
    }

    /// Reads, links and renders the whole site; swaps it in when it has no error.
    fn full(&mut self, shared: &Shared, what: &str) {
        let started = Instant::now();
        match build(&self.root, self.drafts) {
            Ok(Ok((site, theme, files, warnings))) => {
                let mut map: HashMap<String, Served> = files.into_iter().map(|f| served(&self.root, f)).collect();
                let pages = site.pages.len();
                {
                    // the last search index stays served until the new one is made, after
                    // the reload
                    let mut current = shared.files.write().expect("files lock");
                    for (path, file) in current.drain().filter(|(path, _)| path.starts_with(SEARCH_DIR)) {
                        map.entry(path).or_insert(file);
                    }
                    *current = map;
                }
                self.good = Some((site, theme));
                self.failing = None;
                shared.events.send(Event::Reload);
                self.report_warnings(&warnings);
                println!("{what}: {pages} pages built in {} ms", started.elapsed().as_millis());
                self.refresh_search(shared);
            }
            Ok(Err(diagnostics)) => self.fail(shared, diagnostics, Failure::Site),
            Err(e) => self.fail_environment(shared, &e),
        }
    }

    /// Makes the search index of the site now served. It follows the reload, so the page
    /// shows at once; searching finds the new words a moment later (seconds for 10 000
    /// lessons).
    fn refresh_search(&self, shared: &Shared) {
        let Some((site, _)) = &self.good else { return };
        *shared.search.lock().expect("search lock") = super::api::SearchState::of(site);
        let index = crate::search::browser::site(site);
        let mut map = shared.files.write().expect("files lock");
        map.retain(|path, _| !path.starts_with(SEARCH_DIR));
        for file in index {
            let (path, served) = served(&self.root, file);
            map.insert(path, served);
        }
    }

    fn fail(&mut self, shared: &Shared, diagnostics: Vec<Diagnostic>, failure: Failure) {
        let mut sorted = Diagnostics::new();
        sorted.extend(diagnostics);
        let diagnostics = sorted.into_sorted();
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        let mut text = Vec::new();
        print_human(&mut text, &self.root, &diagnostics).ok();
        let text = String::from_utf8_lossy(&text).into_owned();
        eprint!("{text}");
        let kept = if self.good.is_some() { "; the last good pages stay served" } else { "" };
        eprintln!("build failed: {errors} error{}{kept}", if errors == 1 { "" } else { "s" });
        shared.events.send(Event::Problems(text));
        self.failing = Some(failure);
    }

    fn fail_environment(&mut self, shared: &Shared, error: &Error) {
        let text = format!("error: {error}\n");
        eprint!("{text}");
        shared.events.send(Event::Problems(text));
        self.failing = Some(Failure::Site);
    }

    fn report_warnings(&self, warnings: &[Diagnostic]) {
        if !warnings.is_empty() {
            print_human(&mut std::io::stderr().lock(), &self.root, warnings).ok();
        }
    }
}

/// Whether `rel` is (or holds) a source file of the site.
fn site_uses(site: &Site, rel: &Path) -> bool {
    site.page_by_source(rel).is_some()
        || site.pages.iter().any(|p| p.source.path.starts_with(rel))
        || site.assets.iter().any(|a| a.source.starts_with(rel))
}

type Built = (Site, Theme, Vec<OutputFile>, Vec<Diagnostic>);

/// The site in memory: every stage but compression, budgets and writing.
fn build(root: &Path, drafts: bool) -> Result<Result<Built, Vec<Diagnostic>>, Error> {
    if !root.join(config::FILE_NAME).is_file() {
        return Ok(Err(vec![Diagnostic::error(config::FILE_NAME, "no-config", "book.toml is missing")
            .hint("put book.toml back: the preview needs it")]));
    }
    let config = match config::load(root) {
        Ok(config) => config,
        Err(diagnostics) => return Ok(Err(diagnostics.into_sorted())),
    };
    let (content, mut diagnostics) = content::load(&config, content::LoadOptions { drafts });
    let (site, link_diagnostics) = site::link(config, content);
    diagnostics.extend(link_diagnostics);
    if diagnostics.has_errors() {
        return Ok(Err(diagnostics.into_sorted()));
    }
    let theme = render::theme::load(&site.config)?;
    let files = render::site_with(&site, &theme)?;
    Ok(Ok((site, theme, files, diagnostics.into_sorted())))
}

fn served(root: &Path, file: OutputFile) -> (String, Served) {
    let served = match file.contents {
        Contents::Bytes(bytes) => Served::Memory(Bytes::from(bytes)),
        Contents::Copy(source) => Served::Disk(root.join(source)),
    };
    (file.path, served)
}

impl Shared {
    fn handle(&self, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response<Body> {
        if let Some(refusal) = super::refuse(method, uri) {
            return refusal;
        }
        match uri.path() {
            reload::EVENTS_PATH => return self.events.stream(),
            super::api::SEARCH_PATH => return super::api::search(&self.search, uri.query()),
            reload::SCRIPT_PATH => {
                return Response::builder()
                    .header(header::CONTENT_TYPE, "text/javascript; charset=utf-8")
                    .header(header::CACHE_CONTROL, "no-store")
                    .body(Body::bytes(reload::SCRIPT))
                    .expect("valid response")
            }
            _ => {}
        }
        let relative = match super::path::relative(uri.path()) {
            Ok(relative) => relative,
            Err(status) => return respond::plain(status, status.canonical_reason().unwrap_or("refused")),
        };
        let key = match (relative.dir, relative.path.is_empty()) {
            (_, true) => "index.html".to_string(),
            (true, false) => format!("{}/index.html", relative.path),
            (false, false) => relative.path.clone(),
        };
        let found = {
            let files = self.files.read().expect("files lock");
            match files.get(&key) {
                Some(served) => Some(served.clone()),
                None if !relative.dir && files.contains_key(&format!("{key}/index.html")) => {
                    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
                    return respond::redirect(&format!("{}/{query}", uri.path()));
                }
                None => None,
            }
        };
        let content_type = super::mime::content_type(&key);
        let (data, len) = match found {
            Some(Served::Memory(bytes)) if key.ends_with(".html") => {
                let bytes = reload::inject(&bytes);
                let len = bytes.len() as u64;
                (Data::Memory(bytes), len)
            }
            Some(Served::Memory(bytes)) => {
                let len = bytes.len() as u64;
                (Data::Memory(bytes), len)
            }
            Some(Served::Disk(path)) => match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => (Data::File(path), meta.len()),
                _ => return self.not_found(),
            },
            None => return self.not_found(),
        };
        let rep = Representation {
            data,
            len,
            content_type,
            encoding: None,
            etag: hyper::header::HeaderValue::from_static("\"\""),
            modified: None,
            last_modified: None,
            cache: CachePolicy::NoStore,
            vary: false,
        };
        respond::respond(method, headers, rep)
    }

    /// A page of its own, with the reload script, so a page that is not there yet (or a
    /// first build that failed) shows the problems and reloads when they are fixed.
    fn not_found(&self) -> Response<Body> {
        let why = if self.events.has_problems() {
            "Nội dung đang có lỗi: xem danh sách lỗi."
        } else {
            "Không có trang này (404)."
        };
        let html = format!(
            "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>hoclieu</title><body><p>{why}</p></body></html>"
        );
        Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::bytes(reload::inject(html.as_bytes())))
            .expect("valid response")
    }
}

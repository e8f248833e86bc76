//! LAN hosting (`hoclieu serve --static DIR`): serves a built site or an unpacked offline
//! pack from disk, read-only.
//!
//! Requests go through [`super::path::relative`] (no `..`, no hidden files), then the file
//! is found on disk: a folder asked without its final slash is redirected (relative links
//! need it), a folder gives its `index.html`, and never a listing unless `--list-dirs`.
//! A `.br` or `.gz` sibling written by the build is sent when the browser accepts it.
//! Files are served only when their real path (symlinks resolved) lies in the served
//! folder, checked on the file as opened.
//!
//! Small files are kept in memory after the first request, with the way each request path
//! resolved (folder → `index.html`, the sibling chosen for the accepted codings), and
//! re-checked against the file's size and modification time on every request (one
//! `stat`): a pack replaced while serving is picked up at once, and a classroom of phones
//! asking for the same pages costs no disk reads. Only canonical paths (no `%`, no `//`)
//! are remembered, so aliases cannot fill memory.

use super::http::Body;
use super::respond::{self, CachePolicy, Data, Representation};
use crate::markdown::escape;
use crate::msg;
use crate::output::compress::worth_compressing;
use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Response, StatusCode};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

/// Files up to this size are kept in memory.
const MEMORY_FILE_BYTES: u64 = 1024 * 1024;
/// Memory for kept files, all together; past it, files are read on every request.
const MEMORY_BYTES: usize = 256 * 1024 * 1024;
/// Request paths remembered at most.
const MAX_ROUTES: usize = 200_000;

pub struct StaticSite {
    /// Canonical (symlinks resolved).
    root: PathBuf,
    list_dirs: bool,
    cache: RwLock<HashMap<PathBuf, Arc<Kept>>>,
    kept_bytes: AtomicUsize,
    /// Request path → what it resolved to, per set of accepted codings (see [`coding_set`]).
    routes: RwLock<HashMap<String, [Option<Arc<Route>>; 4]>>,
}

/// A file as last seen on disk.
struct Kept {
    len: u64,
    modified: Option<SystemTime>,
    etag: HeaderValue,
    last_modified: Option<HeaderValue>,
    /// `None` for files too large to keep: they are streamed.
    bytes: Option<Bytes>,
}

/// What a request path resolved to: the file sent (maybe a compressed sibling) and how.
struct Route {
    file: PathBuf,
    kept: Arc<Kept>,
    content_type: &'static str,
    encoding: Option<&'static str>,
    cache: CachePolicy,
    vary: bool,
}

impl Route {
    /// What to send. A file too large to keep is opened now, and checked as opened: still
    /// inside `root` and still the size and date seen (else `None`: it changed).
    fn representation(&self, root: &Path) -> Option<Representation> {
        Some(Representation {
            data: match &self.kept.bytes {
                Some(bytes) => Data::Memory(bytes.clone()),
                None => {
                    let (file, meta) = respond::open_inside(&self.file, root)?;
                    if meta.len() != self.kept.len || meta.modified().ok() != self.kept.modified {
                        return None;
                    }
                    Data::File(Arc::new(file))
                }
            },
            len: self.kept.len,
            content_type: self.content_type,
            encoding: self.encoding,
            etag: self.kept.etag.clone(),
            modified: self.kept.modified,
            last_modified: self.kept.last_modified.clone(),
            cache: self.cache,
            vary: self.vary,
        })
    }

    /// The file is still the one seen (one `stat`).
    fn is_current(&self) -> bool {
        std::fs::symlink_metadata(&self.file)
            .is_ok_and(|m| m.is_file() && m.len() == self.kept.len && m.modified().ok() == self.kept.modified)
    }
}

/// The accepted codings as an index: bit 0 br, bit 1 gzip.
fn coding_set(codings: &[&str]) -> usize {
    codings.iter().map(|c| if *c == "br" { 1 } else { 2 }).fold(0, |a, b| a | b)
}

/// What a request path leads to.
enum Found {
    File { path: PathBuf, relative: String },
    Redirect,
    Listing(PathBuf),
}

impl StaticSite {
    pub fn new(root: &Path, list_dirs: bool) -> Result<StaticSite, crate::Error> {
        let canonical = root.canonicalize().map_err(|e| crate::Error::io(root, "cannot serve", e))?;
        if !canonical.is_dir() {
            return Err(crate::Error::Usage(msg!("serve.not-a-folder", root = root.display())));
        }
        Ok(StaticSite {
            root: canonical,
            list_dirs,
            cache: RwLock::default(),
            kept_bytes: AtomicUsize::new(0),
            routes: RwLock::default(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Answers one request.
    pub fn handle(&self, method: &Method, uri: &hyper::Uri, headers: &HeaderMap) -> Response<Body> {
        if let Some(refusal) = super::refuse(method, uri) {
            return refusal;
        }
        let ranged = headers.contains_key(header::RANGE);
        let codings = respond::accepted_encodings(headers);
        let set = coding_set(&codings);
        if !ranged {
            let route = self.routes.read().expect("routes lock").get(uri.path()).and_then(|r| r[set].clone());
            if let Some(rep) = route.filter(|r| r.is_current()).and_then(|r| r.representation(&self.root)) {
                return respond::respond(method, headers, rep);
            }
        }
        let relative = match super::path::relative(uri.path()) {
            Ok(relative) => relative,
            Err(status) => return respond::plain(status, status.canonical_reason().unwrap_or("refused")),
        };
        let found = match self.find(&relative) {
            Some(found) => found,
            None => return not_found_page(&self.root, &relative.path),
        };
        match found {
            Found::Redirect => {
                let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
                respond::redirect(&format!("{}/{query}", uri.path()))
            }
            Found::Listing(dir) => match listing(&dir, &relative.path) {
                Some(html) => Response::builder()
                    .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                    .header(header::CACHE_CONTROL, "no-cache")
                    .body(Body::bytes(html))
                    .expect("valid response"),
                None => not_found(),
            },
            Found::File { path, relative: name } => match self.route(&path, &name, method, &codings, ranged) {
                Some(route) => {
                    let canonical = uri.path().len()
                        == relative.path.len() + 1 + usize::from(relative.dir && !relative.path.is_empty())
                        && !uri.path().contains('%');
                    let in_memory = self
                        .cache
                        .read()
                        .expect("cache lock")
                        .get(&route.file)
                        .is_some_and(|kept| Arc::ptr_eq(kept, &route.kept));
                    if canonical && !ranged && in_memory {
                        let mut routes = self.routes.write().expect("routes lock");
                        if routes.len() < MAX_ROUTES || routes.contains_key(uri.path()) {
                            routes.entry(uri.path().to_string()).or_default()[set] = Some(Arc::clone(&route));
                        }
                    }
                    match route.representation(&self.root) {
                        Some(rep) => respond::respond(method, headers, rep),
                        None => not_found(),
                    }
                }
                None => not_found(),
            },
        }
    }

    fn find(&self, relative: &super::path::Relative) -> Option<Found> {
        let mut path = self.root.join(&relative.path);
        let meta = std::fs::metadata(&path).ok()?;
        let mut name = relative.path.clone();
        if meta.is_dir() {
            if !relative.dir {
                return Some(Found::Redirect);
            }
            path.push("index.html");
            if !path.is_file() {
                path.pop();
                return self.list_dirs.then_some(Found::Listing(path));
            }
            if !name.is_empty() {
                name.push('/');
            }
            name.push_str("index.html");
        } else if relative.dir || !meta.is_file() {
            return None;
        }
        Some(Found::File { path, relative: name })
    }

    /// The best representation the client accepts: a compressed sibling or the file.
    fn route(
        &self,
        path: &Path,
        relative: &str,
        method: &Method,
        codings: &[&'static str],
        ranged: bool,
    ) -> Option<Arc<Route>> {
        let content_type = super::mime::content_type(relative);
        let vary = worth_compressing(relative);
        let cache = CachePolicy::for_path(relative);
        let route = |file: PathBuf, kept, encoding| Arc::new(Route { file, kept, content_type, encoding, cache, vary });
        // A range is a range of the file itself; compressed bytes would not line up.
        if vary && !ranged {
            for &coding in codings {
                let mut sibling = path.as_os_str().to_owned();
                sibling.push(".");
                sibling.push(respond::sibling_extension(coding));
                let sibling = PathBuf::from(sibling);
                if let Some(kept) = self.kept(&sibling, method) {
                    return Some(route(sibling, kept, Some(coding)));
                }
            }
        }
        let kept = self.kept(path, method)?;
        Some(route(path.to_path_buf(), kept, None))
    }

    /// The file's current size, date and (when small) bytes, from memory when unchanged.
    fn kept(&self, path: &Path, method: &Method) -> Option<Arc<Kept>> {
        // `symlink_metadata`: a file swapped for a symlink shows up as changed and is
        // checked again below.
        let meta = std::fs::symlink_metadata(path).ok()?;
        let modified = meta.modified().ok();
        if let Some(kept) = self.cache.read().expect("cache lock").get(path) {
            if meta.is_file() && kept.len == meta.len() && kept.modified == modified {
                return Some(Arc::clone(kept));
            }
        }
        let (mut file, meta) = respond::open_inside(path, &self.root)?;
        let modified = meta.modified().ok();
        let etag = respond::file_etag(meta.len(), modified);
        let last_modified = modified.map(respond::http_date);
        let small = meta.len() <= MEMORY_FILE_BYTES;
        if !small || (method == Method::HEAD && self.cache.read().expect("cache lock").get(path).is_none()) {
            return Some(Arc::new(Kept { len: meta.len(), modified, etag, last_modified, bytes: None }));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        std::io::Read::read_to_end(&mut file, &mut bytes).ok()?;
        let bytes = Bytes::from(bytes);
        if bytes.len() as u64 != meta.len() {
            return None; // changing under us; the next request sees it whole
        }
        let kept = Arc::new(Kept { len: meta.len(), modified, etag, last_modified, bytes: Some(bytes) });
        let room = self.kept_bytes.load(Ordering::Relaxed) + kept.len as usize <= MEMORY_BYTES;
        let symlink = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if room && !symlink {
            let previous = self.cache.write().expect("cache lock").insert(path.to_path_buf(), Arc::clone(&kept));
            self.kept_bytes.fetch_add(kept.len as usize, Ordering::Relaxed);
            if let Some(previous) = previous {
                self.kept_bytes.fetch_sub(previous.len as usize, Ordering::Relaxed);
            }
        }
        Some(kept)
    }
}

fn not_found() -> Response<Body> {
    respond::plain(StatusCode::NOT_FOUND, "not found / không tìm thấy")
}

/// "Not found" as a page of the site: in the language of the folder asked for (`hmn/…`
/// → Mông) when the site has that language's home, else in the root page's language, with
/// the site's stylesheet and a link to that home. Nothing of the address asked for is
/// echoed back.
fn not_found_page(root: &Path, relative: &str) -> Response<Body> {
    let first = relative.split('/').next().unwrap_or_default();
    let language_home = !first.is_empty()
        && first.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && root.join(first).join("index.html").is_file();
    let root_page = std::fs::read(root.join("index.html")).unwrap_or_default();
    let root_page = String::from_utf8_lossy(&root_page[..root_page.len().min(4096)]).into_owned();
    let attribute = |html: &str, pattern: &str| {
        regex::Regex::new(pattern).ok().and_then(|r| r.captures(html).map(|c| c[1].to_string()))
    };
    let (lang, tag, home) = if language_home {
        let page = std::fs::read(root.join(first).join("index.html")).unwrap_or_default();
        let page = String::from_utf8_lossy(&page[..page.len().min(4096)]).into_owned();
        let tag = attribute(&page, r#"<html lang="([A-Za-z0-9-]{1,35})""#).unwrap_or_else(|| first.to_string());
        (first.to_string(), tag, format!("/{first}/index.html"))
    } else {
        let tag = attribute(&root_page, r#"<html lang="([A-Za-z0-9-]{1,35})""#).unwrap_or_else(|| "vi".into());
        let lang = tag.split('-').next().unwrap_or("vi").to_string();
        (lang, tag, "/index.html".to_string())
    };
    let style = attribute(&root_page, r#"href="(assets/style\.[0-9a-f]+\.css)""#)
        .map(|href| format!("<link rel=\"stylesheet\" href=\"/{href}\">\n"))
        .unwrap_or_default();
    let string = |key: &str| {
        let text = crate::render::theme::builtin_string(&lang, key).unwrap_or_default();
        text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"{tag}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n<title>{title} (404)</title>\n{style}</head>\n<body>\n<main id=\"main\">\n<h1>{title}</h1>\n<p>{text}</p>\n<p><a href=\"{home}\">{home_text}</a></p>\n</main>\n</body>\n</html>\n",
        title = string("not_found_title"),
        text = string("not_found_text"),
        home_text = string("not_found_home"),
    );
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::bytes(html))
        .expect("valid response")
}

/// A plain list of a folder's entries (only with `--list-dirs`).
fn listing(dir: &Path, relative: &str) -> Option<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_string();
            if name.starts_with('.') {
                return None;
            }
            let dir = entry.file_type().ok()?.is_dir();
            Some(if dir { format!("{name}/") } else { name })
        })
        .collect();
    names.sort();
    let title = escape(&format!("/{relative}"));
    let mut html = format!(
        "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>{title}</title><h1>{title}</h1><ul>\n"
    );
    if !relative.is_empty() {
        html.push_str("<li><a href=\"../\">../</a></li>\n");
    }
    for name in names {
        let href = percent_encoding::utf8_percent_encode(&name, HREF_ESCAPED);
        html.push_str(&format!("<li><a href=\"{href}\">{}</a></li>\n", escape(&name)));
    }
    html.push_str("</ul></html>\n");
    Some(html)
}

/// What a listing's links escape: all but RFC 3986's unreserved characters and `/`.
const HREF_ESCAPED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'/').remove(b'~');

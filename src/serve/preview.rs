//! The author preview (`hoclieu serve`): builds the site in memory, serves it on loopback,
//! watches `content/`, `themes/` and `book.toml`, rebuilds what a change touches
//! (`rebuild`) and tells open pages to reload ([`super::reload`]). Never writes
//! the output folder.
//!
//! The served files are a map output path → bytes, which the rebuild side replaces a few
//! at a time. When the preview has been idle a moment after a rebuild, the search index
//! is made again on a thread of its own.

use super::http::{self, Body};
use super::rebuild::{self, Builder, Served, Shared};
use super::reload::{self};
use super::respond::{self, CachePolicy, Data, Representation};
use super::Listen;
use crate::msg;
use crate::site::Site;
use crate::{config, Error};
use hyper::header::{self, HeaderMap};
use hyper::{Method, Response, StatusCode, Uri};
use notify::{EventKind, RecursiveMode, Watcher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

/// Saves from editors come as bursts (write a temp file, rename it over); wait this long
/// after the last event before rebuilding.
const DEBOUNCE: Duration = Duration::from_millis(30);

/// How long the preview waits with no change before making the search index again (it
/// takes seconds on a large site, and a site being indexed is not edited in place).
const QUIET: Duration = Duration::from_millis(500);

#[derive(Debug, Clone)]
pub struct PreviewOptions {
    pub root: PathBuf,
    pub listen: Listen,
    pub drafts: bool,
    pub qr: bool,
}

/// Builds, serves and watches until the process is stopped.
pub fn run(options: PreviewOptions) -> Result<(), Error> {
    config::require(&options.root)?;
    let root = options.root.canonicalize().map_err(|e| Error::io(&options.root, "cannot read", e))?;
    let listener = http::bind(SocketAddr::new(options.listen.ip, options.listen.port))?;
    let address = listener.local_addr().map_err(|e| Error::io(&root, "cannot listen", e))?;
    if !address.ip().is_loopback() {
        eprintln!("{}", msg!("serve.preview-beyond", ip = address.ip()));
    }
    let hosts = Arc::new(Hosts::of(address));
    let shared = Arc::new(Shared::default());
    let (search, sites) = std::sync::mpsc::channel::<Arc<Site>>();
    {
        let shared = Arc::clone(&shared);
        let root = root.clone();
        std::thread::spawn(move || {
            while let Ok(mut site) = sites.recv() {
                // only the newest site matters
                while let Ok(newer) = sites.try_recv() {
                    site = newer;
                }
                rebuild::index(&shared, &root, &site);
            }
        });
    }
    let mut builder = Builder::new(root.clone(), options.drafts, Some(search));
    builder.start(&shared);
    builder.index(&shared);

    let (sender, receiver) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(sender)
        .map_err(|e| Error::Usage(msg!("serve.cannot-watch", path = root.display(), error = e)))?;
    let mut watch = |path: &Path, mode| {
        watcher
            .watch(path, mode)
            .map_err(|e| Error::Usage(msg!("serve.cannot-watch", path = path.display(), error = e)))
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

    println!("{}", msg!("serve.preview-of", root = root.display()));
    super::print_urls(address, options.qr);
    println!("{}", msg!("serve.watching"));

    {
        let shared = Arc::clone(&shared);
        let root_for_rescan = root.clone();
        std::thread::spawn(move || {
            // The watcher stops when dropped: it lives as long as this loop.
            let mut watcher = watcher;
            let mut watched = (content_dir.is_dir(), themes.is_dir());
            loop {
                let paths = match next_changes(&receiver, builder.wants_idle().then_some(QUIET), &root_for_rescan) {
                    Next::Changes(paths) => paths,
                    Next::Idle => {
                        builder.idle();
                        continue;
                    }
                    Next::Stopped => break,
                };
                // Folders created after start (a first theme override, a new content/), and
                // folders replaced: a watch follows the folder it was put on, so after
                // `mv content content.bak && cp -r content.bak content` it would go on
                // reporting the old one. Watched again before the rebuild reads the folder,
                // so what is copied in after that comes as changes of its own.
                for (dir, seen) in [(&content_dir, &mut watched.0), (&themes, &mut watched.1)] {
                    if *seen && paths.iter().any(|p| p == dir) {
                        let _ = watcher.unwatch(dir);
                        *seen = false;
                    }
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
            let hosts = Arc::clone(&hosts);
            async move {
                if let Some(refusal) = hosts.refuse(request.uri(), request.headers()) {
                    return refusal;
                }
                shared.handle(request.method(), request.uri(), request.headers())
            }
        }))
        .map_err(|e| Error::io(&root, "server stopped", e))
}

/// The names the preview answers to: the addresses it listens on (every interface's when
/// it listens on all), `localhost`, with its port. A page of another site whose name was
/// made to resolve to 127.0.0.1 (DNS rebinding) sends its own name in `Host`, and is
/// refused: it cannot read the drafts or the search API.
struct Hosts {
    names: Vec<String>,
    port: u16,
}

impl Hosts {
    fn of(address: SocketAddr) -> Hosts {
        let ip = address.ip();
        let mut ips = vec![IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)];
        if ip.is_unspecified() {
            ips.extend(if_addrs::get_if_addrs().unwrap_or_default().into_iter().map(|i| i.ip()));
        } else {
            ips.push(ip);
        }
        let mut names: Vec<String> = ips
            .into_iter()
            .map(|ip| match ip {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => format!("[{v6}]"),
            })
            .collect();
        names.push("localhost".into());
        Hosts { names, port: address.port() }
    }

    /// Whether `host` (`name` or `name:port`) names this preview.
    fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let (name, port) = match host.rfind(':') {
            // not the colons inside `[::1]`
            Some(at) if !host[at..].contains(']') => (&host[..at], Some(&host[at + 1..])),
            _ => (host.as_str(), None),
        };
        let port_ok = match port {
            None => self.port == 80,
            Some(port) => port.parse::<u16>() == Ok(self.port),
        };
        port_ok && self.names.iter().any(|n| n == name)
    }

    /// A 403 for a request that names another host, in `Host` or in its target.
    fn refuse(&self, uri: &Uri, headers: &HeaderMap) -> Option<Response<Body>> {
        let named: Vec<String> = headers
            .get_all(header::HOST)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .chain(uri.authority().map(|a| a.as_str().to_string()))
            .collect();
        let other = named.iter().find(|host| !self.allows(host))?;
        let text = format!(
            "hoclieu preview: refusing a request for host {other:?}; open http://127.0.0.1:{}/ instead",
            self.port
        );
        Some(respond::plain(StatusCode::FORBIDDEN, &text))
    }
}

/// What the watcher said.
enum Next {
    /// Created, written, renamed or deleted paths.
    Changes(Vec<PathBuf>),
    /// No change came for the time asked.
    Idle,
    /// The watcher has stopped.
    Stopped,
}

/// Waits for a change, then gathers the changes that follow it closely (debouncing):
/// the paths that were created, written, renamed or deleted. Reads are not changes (the
/// build itself reads every file). When the watcher lost events, `root` stands for them.
/// With `idle`, gives up waiting after that long.
fn next_changes(receiver: &Receiver<notify::Result<notify::Event>>, idle: Option<Duration>, root: &Path) -> Next {
    let mut paths = Vec::new();
    let take = |paths: &mut Vec<PathBuf>, event: notify::Result<notify::Event>| match event {
        Ok(event) if event.need_rescan() => paths.push(root.to_path_buf()),
        Ok(event) if !matches!(event.kind, EventKind::Access(_)) => paths.extend(event.paths),
        Ok(_) => {}
        Err(e) => eprintln!("{}", msg!("serve.watch-warning", error = e)),
    };
    loop {
        let first = match idle {
            Some(idle) if paths.is_empty() => match receiver.recv_timeout(idle) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => return Next::Idle,
                Err(RecvTimeoutError::Disconnected) => return Next::Stopped,
            },
            _ => match receiver.recv() {
                Ok(event) => event,
                Err(_) => return Next::Stopped,
            },
        };
        take(&mut paths, first);
        loop {
            match receiver.recv_timeout(DEBOUNCE) {
                Ok(event) => take(&mut paths, event),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return Next::Stopped,
            }
        }
        if !paths.is_empty() {
            paths.sort();
            paths.dedup();
            return Next::Changes(paths);
        }
    }
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
            Some(Served::Disk { path, root }) => match respond::open_inside(&path, &root) {
                Some((file, meta)) => (Data::File(Arc::new(file)), meta.len()),
                None => return self.not_found(),
            },
            Some(Served::Manifest(save)) => {
                let bytes = self.manifest(&save.0, &save.1);
                let len = bytes.len() as u64;
                (Data::Memory(bytes), len)
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_addresses_listened_on_are_hosts_of_the_preview() {
        let hosts = Hosts::of("127.0.0.1:1111".parse().unwrap());
        for ok in ["127.0.0.1:1111", "localhost:1111", "LocalHost:1111", "[::1]:1111"] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example:1111",
            "127.0.0.1",
            "127.0.0.1:80",
            "127.0.0.1:1111.evil.example",
            "localhost.:1111",
            "[::1]",
            "0.0.0.0:1111",
            "",
        ] {
            assert!(!hosts.allows(bad), "{bad:?}");
        }
        let on_port_80 = Hosts::of("[::1]:80".parse().unwrap());
        assert!(on_port_80.allows("localhost") && on_port_80.allows("[::1]"));
    }
}

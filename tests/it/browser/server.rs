//! A tiny static HTTP server for the browser tests: it serves a built output folder on
//! 127.0.0.1 the way a school's LAN host would (GET only, `index.html` for folders, the
//! `.br`/`.gz` sibling when the browser accepts it, nothing from dot files), so the tests
//! measure what a learner really downloads. `Cache-Control: no-store` makes every page
//! load a first load. It stops when dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub struct StaticServer {
    /// `http://127.0.0.1:PORT/`, with the final slash.
    pub base: String,
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `root` on a free port of 127.0.0.1 from a background thread.
    pub fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let address = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let root = root.clone();
                    // One thread per connection: Chromium opens speculative connections
                    // that may never send a request, and must not block the others.
                    std::thread::spawn(move || {
                        let _ = answer(stream, &root);
                    });
                }
            })
        };
        StaticServer { base: format!("http://{address}/"), address, stop, thread: Some(thread) }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request and writes one response, then closes the connection.
fn answer(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut accept_encoding = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("accept-encoding") {
                accept_encoding = value.trim().to_ascii_lowercase();
            }
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = match (parts.next(), parts.next()) {
        (Some(method), Some(target)) => (method, target),
        _ => return respond(stream, "400 Bad Request", "text/plain", None, b"bad request"),
    };
    if method != "GET" {
        return respond(stream, "405 Method Not Allowed", "text/plain", None, b"GET only");
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let Some(mut file) = resolve(root, path) else {
        return respond(stream, "404 Not Found", "text/plain", None, b"not found");
    };
    if file.is_dir() {
        if !path.ends_with('/') {
            // Relative links inside the page need the final slash.
            let location = format!("Location: {path}/\r\n");
            return respond(stream, "301 Moved Permanently", "text/plain", Some(&location), b"");
        }
        file = file.join("index.html");
    }
    if !file.is_file() {
        return respond(stream, "404 Not Found", "text/plain", None, b"not found");
    }
    let content_type = content_type(&file);
    let accepts = |coding: &str| accept_encoding.split(',').any(|c| c.trim().starts_with(coding));
    for (coding, extension) in [("br", "br"), ("gzip", "gz")] {
        let sibling = PathBuf::from(format!("{}.{extension}", file.display()));
        if accepts(coding) && sibling.is_file() {
            let body = std::fs::read(&sibling)?;
            let headers = format!("Content-Encoding: {coding}\r\nVary: Accept-Encoding\r\n");
            return respond(stream, "200 OK", content_type, Some(&headers), &body);
        }
    }
    let body = std::fs::read(&file)?;
    respond(stream, "200 OK", content_type, None, &body)
}

/// The file under `root` for a URL path, or `None` for anything that could leave it or
/// that names a dot file.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let mut file = root.to_path_buf();
    for component in Path::new(decoded.trim_start_matches('/')).components() {
        match component {
            Component::Normal(name) if !name.to_string_lossy().starts_with('.') => file.push(name),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(file)
}

fn percent_decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text).decode_utf8().ok().map(|text| text.into_owned())
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn respond(
    mut stream: TcpStream,
    status: &str,
    content_type: &str,
    extra_headers: Option<&str>,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\n{}Connection: close\r\n\r\n",
        body.len(),
        extra_headers.unwrap_or("")
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

/// `hoclieu serve --static DIR` itself on a free port of 127.0.0.1, stopped when dropped:
/// for the tests of what that server adds (its Content-Security-Policy).
pub struct HoclieuServer {
    /// `http://127.0.0.1:PORT/`, with the final slash.
    pub base: String,
    child: std::process::Child,
}

impl HoclieuServer {
    pub fn start(dir: &Path) -> HoclieuServer {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hoclieu"))
            // the lines read back are English whatever the locale
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .args(["serve", "--static"])
            .arg(dir)
            .args(["--port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start hoclieu serve --static");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let base = loop {
            line.clear();
            if out.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                panic!("hoclieu serve printed no URL");
            }
            if let Some(at) = line.find("http://127.0.0.1:") {
                break line[at..].trim().to_string();
            }
        };
        // keep reading, so that the server never blocks on a full pipe
        std::thread::spawn(move || while out.read_line(&mut String::new()).unwrap_or(0) > 0 {});
        HoclieuServer { base, child }
    }
}

impl Drop for HoclieuServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

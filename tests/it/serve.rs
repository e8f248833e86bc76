//! `hoclieu serve`, over real HTTP on loopback: LAN hosting of a built folder (encodings,
//! 304s, ranges, content types, every way out of the folder refused, limits, a clear
//! error when the port is taken) and the author preview (live reload after an edit,
//! problems shown and cleared, renamed and deleted files).
//!
//! Requests are written by hand on a `TcpStream`: HTTP clients tidy up paths such as
//! `/../x` before sending them, and these tests must send them as an attacker would.

use crate::harness::Project;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `hoclieu serve`, stopped when dropped.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    address: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `hoclieu ARGS` in `dir` and waits for the URL it prints.
    fn start(dir: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hoclieu"))
            // the lines read back are English whatever the locale
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hoclieu serve");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (found, wait) = std::sync::mpsc::channel();
        {
            let out = BufReader::new(child.stdout.take().unwrap());
            let stdout = Arc::clone(&stdout);
            std::thread::spawn(move || {
                for line in out.lines().map_while(Result::ok) {
                    stdout.lock().unwrap().push_str(&format!("{line}\n"));
                    if let Some(at) = line.find("http://127.0.0.1:") {
                        let address = line[at + 7..].trim_end_matches('/').to_string();
                        let _ = found.send(address);
                    }
                }
            });
        }
        {
            let mut err = child.stderr.take().unwrap();
            let stderr = Arc::clone(&stderr);
            std::thread::spawn(move || {
                let mut buffer = [0; 4096];
                while let Ok(n) = err.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    stderr.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n]));
                }
            });
        }
        let address = match wait.recv_timeout(Duration::from_secs(60)) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("no URL printed\nstdout:\n{}\nstderr:\n{}", stdout.lock().unwrap(), stderr.lock().unwrap())
            }
        };
        Server { child, address, stdout, stderr }
    }

    /// `GET path` with `Host` naming the server as a browser would (the preview refuses
    /// other hosts).
    fn get(&self, path: &str, headers: &[&str]) -> Reply {
        let host = &self.address;
        self.raw(&format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{}Connection: close\r\n\r\n", lines(headers)))
    }

    /// Sends `request` exactly as written and reads the whole answer.
    fn raw(&self, request: &str) -> Reply {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        Reply::parse(&bytes)
    }

    /// Opens the preview's event stream.
    fn events(&self) -> Events {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let request =
            format!("GET /_hoclieu/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n", self.address);
        stream.write_all(request.as_bytes()).unwrap();
        let mut events = Events { stream, seen: String::new(), cursor: 0 };
        events.wait_for(": hoclieu preview");
        events
    }

    /// Waits until the server has printed `needle` on stderr.
    #[track_caller]
    fn wait_stderr(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.stderr.lock().unwrap().contains(needle) {
            assert!(Instant::now() < deadline, "no {needle:?} on stderr: {}", self.stderr.lock().unwrap());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines(headers: &[&str]) -> String {
    headers.iter().map(|h| format!("{h}\r\n")).collect()
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn parse(bytes: &[u8]) -> Reply {
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a whole HTTP head");
        let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let mut head_lines = head.lines();
        let status = head_lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
        let headers = head_lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Reply { status, headers, body: bytes[end + 4..].to_vec() }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An open server-sent event stream.
struct Events {
    stream: TcpStream,
    seen: String,
    /// How much of `seen` earlier waits have used.
    cursor: usize,
}

impl Events {
    /// Reads until `needle` arrives after what earlier waits used; returns the text up to
    /// and including it.
    #[track_caller]
    fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut buffer = [0; 4096];
        loop {
            if let Some(at) = self.seen[self.cursor..].find(needle) {
                let end = self.cursor + at + needle.len();
                let text = self.seen[self.cursor..end].to_string();
                self.cursor = end;
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} in the event stream; got:\n{}",
                &self.seen[self.cursor..]
            );
            match self.stream.read(&mut buffer) {
                Ok(0) => panic!("event stream closed; got:\n{}", &self.seen[self.cursor..]),
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buffer[..n])),
                Err(_) => {}
            }
        }
    }
}

/// The minimal fixture, built, with a secret next to the output that must never be served.
fn built() -> Project {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    project.file("secret.txt", "SECRET-7f3a");
    project
}

fn serve_static(project: &Project, extra: &[&str]) -> Server {
    let mut args = vec!["serve", "--static", "public", "--port", "0"];
    args.extend_from_slice(extra);
    Server::start(project.root(), &args)
}

#[test]
fn serve_static_sends_the_precompressed_sibling_the_browser_accepts() {
    let project = Project::fixture("minimal");
    project.file("content/an-toan/bai-dai.md", crate::build::long_lesson());
    project.run(&["build"]).success();
    let server = serve_static(&project, &[]);
    let plain = std::fs::read(project.path("public/vi/index.html")).unwrap();
    let long = "public/vi/an-toan/bai-dai/index.html";
    assert!(project.path(&format!("{long}.br")).is_file(), "the build writes brotli for pages over 32 KB");
    for (url, accept, coding, file) in [
        ("/vi/an-toan/bai-dai/", "Accept-Encoding: gzip, deflate, br", Some("br"), format!("{long}.br")),
        ("/vi/an-toan/bai-dai/", "Accept-Encoding: gzip", Some("gzip"), format!("{long}.gz")),
        ("/vi/an-toan/bai-dai/", "Accept-Encoding: br;q=0, gzip;q=1", Some("gzip"), format!("{long}.gz")),
        ("/vi/an-toan/bai-dai/", "Accept-Encoding: identity", None, long.to_string()),
        // a small page has only its .gz: a browser that takes brotli gets gzip
        ("/vi/", "Accept-Encoding: gzip, deflate, br", Some("gzip"), "public/vi/index.html.gz".into()),
        ("/vi/", "Accept-Encoding: br", None, "public/vi/index.html".into()),
    ] {
        let reply = server.get(url, &[accept]);
        assert_eq!(reply.status, 200, "{accept}");
        assert_eq!(reply.header("content-encoding"), coding, "{url} {accept}");
        assert_eq!(reply.header("vary"), Some("Accept-Encoding"));
        assert_eq!(reply.header("content-type"), Some("text/html; charset=utf-8"));
        assert!(reply.body == std::fs::read(project.path(&file)).unwrap(), "{url} {accept}: body is not {file}");
    }
    assert!(server.get("/vi/index.html", &[]).body == plain);
    let reply = server.get("/vi", &[]);
    assert_eq!((reply.status, reply.header("location")), (301, Some("/vi/")), "a folder needs its final slash");
}

#[test]
fn serve_static_answers_304_to_etag_and_date_and_caches_hashed_assets_for_ever() {
    let project = built();
    let server = serve_static(&project, &[]);
    let first = server.get("/vi/", &["Accept-Encoding: gzip"]);
    let etag = first.header("etag").expect("an ETag").to_string();
    let modified = first.header("last-modified").expect("a Last-Modified").to_string();
    assert_eq!(first.header("cache-control"), Some("no-cache"), "pages are revalidated");
    let again = server.get("/vi/", &["Accept-Encoding: gzip", &format!("If-None-Match: {etag}")]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let other = server.get("/vi/", &["Accept-Encoding: gzip", "If-None-Match: \"nope\""]);
    assert_eq!(other.status, 200);
    let dated = server.get("/vi/", &["Accept-Encoding: gzip", &format!("If-Modified-Since: {modified}")]);
    assert_eq!(dated.status, 304);
    let plain = server.get("/vi/", &[&format!("If-None-Match: {etag}")]);
    assert_eq!(plain.status, 200, "the uncompressed page is another representation with another ETag");

    let css = std::fs::read_dir(project.path("public/assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("style.") && n.ends_with(".css"))
        .expect("a stylesheet");
    let reply = server.get(&format!("/assets/{css}"), &["Accept-Encoding: gzip"]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(reply.header("content-type"), Some("text/css; charset=utf-8"));
}

#[test]
fn serve_static_answers_range_requests_on_large_and_small_files() {
    let project = built();
    let audio: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    project.file("public/media/bai-doc.mp3", &audio);
    let server = serve_static(&project, &[]);
    let whole = server.get("/media/bai-doc.mp3", &[]);
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    assert_eq!(whole.header("content-type"), Some("audio/mpeg"));
    assert!(whole.body == audio, "a large file is streamed whole");
    for (range, first, last) in
        [("bytes=100-199", 100, 199), ("bytes=2999990-", 2_999_990, 2_999_999), ("bytes=-10", 2_999_990, 2_999_999)]
    {
        let part = server.get("/media/bai-doc.mp3", &[&format!("Range: {range}")]);
        assert_eq!(part.status, 206, "{range}");
        assert_eq!(part.header("content-range"), Some(format!("bytes {first}-{last}/3000000").as_str()));
        assert!(part.body == audio[first..=last], "{range}: wrong bytes");
    }
    let outside = server.get("/media/bai-doc.mp3", &["Range: bytes=3000000-"]);
    assert_eq!(outside.status, 416);
    assert_eq!(outside.header("content-range"), Some("bytes */3000000"));
    let stale = server.get("/media/bai-doc.mp3", &["Range: bytes=0-9", "If-Range: \"old\""]);
    assert_eq!(stale.status, 200, "If-Range with another version gets the whole file");
    let page = server.get("/vi/index.html", &["Range: bytes=0-14", "Accept-Encoding: br"]);
    assert_eq!(page.status, 206);
    assert_eq!(page.header("content-encoding"), None, "a range is of the file itself");
    assert_eq!(page.text(), "<!doctype html>");
}

#[test]
fn serve_static_sends_the_right_content_types() {
    let project = built();
    for file in ["search/vi/shard-00.js", "fonts/chu.woff2", "site.webmanifest", "hinh.svg", "data.json", "x.unknown"] {
        project.file(&format!("public/{file}"), "x");
    }
    let server = serve_static(&project, &[]);
    for (path, expected) in [
        ("/search/vi/shard-00.js", "text/javascript; charset=utf-8"),
        ("/fonts/chu.woff2", "font/woff2"),
        ("/site.webmanifest", "application/manifest+json"),
        ("/hinh.svg", "image/svg+xml"),
        ("/data.json", "application/json"),
        ("/x.unknown", "application/octet-stream"),
    ] {
        let reply = server.get(path, &[]);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("content-type"), Some(expected), "{path}");
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    }
}

#[test]
fn serve_static_refuses_every_way_out_of_the_folder() {
    let project = built();
    std::os::unix::fs::symlink(project.path("secret.txt"), project.path("public/leak.txt")).unwrap();
    std::os::unix::fs::symlink(project.root(), project.path("public/ra-ngoai")).unwrap();
    std::os::unix::fs::symlink(project.path("public/vi/index.html"), project.path("public/trong.html")).unwrap();
    let server = serve_static(&project, &[]);
    for target in [
        "/../secret.txt",
        "/vi/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/vi/..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/vi\\..\\..\\secret.txt",
        "/..%5csecret.txt",
        "/%5c..%5csecret.txt",
        "/secret.txt%00.html",
        "../secret.txt",
        "/./../secret.txt",
        "//../secret.txt",
        "http://x/../secret.txt",
        "/.hoclieu-output",
        "/leak.txt",
        "/ra-ngoai/secret.txt",
        "/ra-ngoai/book.toml",
    ] {
        let reply = server.raw(&format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assert!(matches!(reply.status, 400 | 404), "{target}: status {}", reply.status);
        assert!(!reply.text().contains("SECRET-7f3a"), "{target} leaked the secret");
    }
    assert_eq!(server.get("/secret.txt", &[]).status, 404);
    let inside = server.get("/trong.html", &[]);
    assert_eq!(inside.status, 200, "a symlink that stays inside the folder is served");
}

#[test]
fn serve_static_lists_folders_only_when_asked() {
    let project = built();
    {
        let server = serve_static(&project, &[]);
        assert_eq!(server.get("/assets/", &[]).status, 404);
        assert_eq!(server.get("/media/", &[]).status, 404);
    }
    let server = serve_static(&project, &["--list-dirs"]);
    let listing = server.get("/assets/", &[]);
    assert_eq!(listing.status, 200);
    assert!(listing.text().contains("share-card."), "{}", listing.text());
}

#[test]
fn serve_static_enforces_methods_and_size_limits() {
    let project = built();
    let server = serve_static(&project, &[]);
    let post = server.raw("POST /vi/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    let head = server.raw("HEAD /vi/index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let long = format!("/{}", "a".repeat(5000));
    assert_eq!(server.get(&long, &[]).status, 414);
    let big = format!("X-Big: {}", "b".repeat(20_000));
    assert_eq!(server.get("/vi/", &[&big]).status, 431);
    let many: Vec<String> = (0..100).map(|i| format!("X-H{i}: 1")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(server.get("/vi/", &many).status, 431);
    assert_eq!(server.get("/vi/", &[]).status, 200, "the server is still up");
}

#[test]
fn serve_static_when_the_port_is_taken_says_so_and_exits_2() {
    let project = built();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    // the message says how to fix it
    let outcome = project.test(&["serve", "--static", "public", "--port", &port]).code(2).any_stderr().run();
    assert_eq!(outcome.stderr.replace(&port, "<port>"), "error: cannot listen on 127.0.0.1:<port>: port <port> is already in use (another hoclieu serve or web server?); stop it or choose another port with --port N\n");
}

#[test]
fn serve_binds_to_loopback_unless_bind_names_another_address() {
    let project = built();
    let server = serve_static(&project, &[]);
    let stdout = server.stdout.lock().unwrap().clone();
    assert!(stdout.contains("http://127.0.0.1:"), "{stdout}");
    assert!(!stdout.contains("LAN"), "without --bind nothing is offered to the network: {stdout}");
    drop(server);
    // 192.0.2.1 is TEST-NET-1: never an address of this machine; nothing is sent to it.
    project
        .test(&["serve", "--static", "public", "--port", "0", "--bind", "192.0.2.1"])
        .code(2)
        .stderr("error: cannot listen on 192.0.2.1:0: 192.0.2.1 is not an address of this machine; check --bind\n")
        .run();
    project.test(&["serve", "--static", "public", "--bind", "truong-hoc"]).code(2).stderr(concat!(
            "error: invalid value 'truong-hoc' for '--bind <ADDR>': \"truong-hoc\" is not an IP address; use 127.0.0.1 (this computer only) or 0.0.0.0 (every network)\n",
            "\n",
            "For more information, try '--help'.\n",
        )).run();
    project
        .test(&["serve", "--static", "khong-co", "--port", "0"])
        .code(2)
        .stderr("error: cannot serve khong-co: No such file or directory (os error 2)\n")
        .run();
}

#[test]
fn serve_static_on_every_address_lists_the_urls_and_draws_a_qr_code() {
    let project = built();
    let server = serve_static(&project, &["--bind", "0.0.0.0", "--qr"]);
    let reply = server.get("/vi/", &[]);
    assert_eq!(reply.status, 200, "reachable on loopback too");
    // The QR code comes after the addresses.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.stdout.lock().unwrap().contains("scan to open") {
        assert!(Instant::now() < deadline, "no QR code: {}", server.stdout.lock().unwrap());
        std::thread::sleep(Duration::from_millis(50));
    }
    let stdout = server.stdout.lock().unwrap().clone();
    let lan = stdout.lines().any(|l| l.contains("for students (LAN):   http://"));
    let none = stdout.contains("no network interface found");
    assert!(lan || none, "{stdout}");
    assert!(stdout.contains('█'), "the QR code is drawn with blocks: {stdout}");
}

#[test]
fn serve_static_qr_on_a_loopback_address_warns_that_phones_cannot_open_it() {
    let project = built();
    let server = serve_static(&project, &["--qr"]);
    server.wait_stderr("warning: the QR code shows a loopback address");
    server.wait_stderr("hint: serve on the school network with --bind 0.0.0.0");
}

#[test]
fn serve_static_answers_a_missing_page_with_a_page_in_the_sites_language_and_a_link_home() {
    let project = built();
    let server = serve_static(&project, &[]);
    let css = regex::Regex::new(r#"href="(assets/style\.[0-9a-f]+\.css)""#).unwrap();
    let style = css.captures(&project.read("public/index.html")).unwrap()[1].to_string();
    for (path, tag, title, home) in [
        ("/vi/khong-co-marker-5521/", "vi", "Không có trang này", "/vi/index.html"),
        ("/blt/an-toan/khong-co-marker-5521", "blt-Latn", "Bấu mi trang nị", "/blt/index.html"),
        ("/khong-co-marker-5521.html", "vi", "Không có trang này", "/index.html"),
    ] {
        let reply = server.get(path, &[]);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.header("content-type"), Some("text/html; charset=utf-8"), "{path}");
        let page = reply.text();
        assert!(
            page.starts_with("<!doctype html>") && page.contains(&format!("<html lang=\"{tag}\">")),
            "{path}: {page}"
        );
        assert!(page.contains(&format!("<h1>{title}</h1>")), "{path}: {page}");
        assert!(page.contains(&format!("<a href=\"{home}\">")), "{path}: a link home: {page}");
        assert!(page.contains(&format!("href=\"/{style}\"")), "{path}: the site's stylesheet: {page}");
        assert!(!page.contains("marker-5521"), "{path}: the address asked for is not echoed: {page}");
        assert_eq!(server.get(home, &[]).status, 200, "the link home leads somewhere");
    }
}

fn preview(project: &Project) -> Server {
    Server::start(project.root(), &["serve", "--port", "0"])
}

#[test]
fn serve_preview_reloads_after_an_edit_and_never_puts_its_script_in_build_output() {
    let project = Project::fixture("minimal");
    let server = preview(&project);
    let page = server.get("/vi/an-toan/mat-khau-manh/", &[]);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<script src=\"/_hoclieu/live.js\"></script></body>"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(server.get("/_hoclieu/live.js", &[]).text().contains("EventSource"));
    let mut events = server.events();
    let lesson = project.read("content/an-toan/mat-khau-manh.md");
    project.file("content/an-toan/mat-khau-manh.md", format!("{lesson}\nĐoạn mới về mật khẩu dài.\n"));
    events.wait_for("event: reload");
    let page = server.get("/vi/an-toan/mat-khau-manh/", &[]);
    assert!(page.text().contains("Đoạn mới về mật khẩu dài."), "the edit is served");
    let print = server.get("/vi/an-toan/ban-in/", &[]);
    assert!(print.text().contains("Đoạn mới về mật khẩu dài."), "and so is the course's print page");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.stdout.lock().unwrap().contains("mat-khau-manh.md: 4 pages rendered again") {
        assert!(Instant::now() < deadline, "a text edit is not incremental: {}", server.stdout.lock().unwrap());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!project.path("public").exists(), "the preview writes no output");
    let manifest = server.get("/vi/an-toan/offline.json", &[]);
    assert_eq!(manifest.header("content-type"), Some("application/json"));

    project.run(&["build"]).success();
    for (name, bytes) in crate::harness::snapshot(&project.path("public")) {
        assert!(!String::from_utf8_lossy(&bytes).contains("_hoclieu"), "{name} has the preview script");
    }
    assert_eq!(
        manifest.text(),
        project.read("public/vi/an-toan/offline.json"),
        "the save button's manifest follows the edit, as a build makes it"
    );
}

#[test]
fn serve_preview_shows_problems_keeps_the_last_good_page_and_clears_them_when_fixed() {
    let project = Project::fixture("minimal");
    let server = preview(&project);
    let mut events = server.events();
    let lesson = project.read("content/an-toan/mat-khau-manh.md");
    project.file("content/an-toan/mat-khau-manh.md", format!("{lesson}\nXem [bài khác](khong-co.md).\n"));
    let problems = events.wait_for("hint:");
    assert!(problems.contains("event: problems"), "{problems}");
    let line = lesson.lines().count() + 2;
    let position = format!("content/an-toan/mat-khau-manh.md:{line}:5: error:");
    assert!(problems.contains(&format!("data: {position}")), "{position} not in\n{problems}");
    server.wait_stderr(&position); // the terminal shows it too
    let page = server.get("/vi/an-toan/mat-khau-manh/", &[]);
    assert_eq!(page.status, 200, "the last good page stays served");
    assert!(!page.text().contains("bài khác"));
    let mut late = server.events();
    late.wait_for("event: problems");
    late.wait_for(&position);
    late.wait_for(": up to date");

    project.file("content/an-toan/mat-khau-manh.md", format!("{lesson}\nXem [bài khác](../gioi-thieu.md).\n"));
    events.wait_for("event: reload");
    assert!(server.get("/vi/an-toan/mat-khau-manh/", &[]).text().contains("bài khác"));

    // The same with an error in front matter, which needs a whole rebuild.
    project.file("content/an-toan/mat-khau-manh.md", lesson.replace("level = \"co-ban\"", "level = \"kho\""));
    events.wait_for("unknown level");
    project.file("content/an-toan/mat-khau-manh.md", &lesson);
    events.wait_for("event: reload");
    assert_no_problems_shown(&server, "fixed problems are gone");
}

/// A page opened now is told of no problem (the preview sends its problems to every new
/// event stream at once, then `: up to date`).
#[track_caller]
fn assert_no_problems_shown(server: &Server, why: &str) {
    let mut fresh = server.events();
    let state = fresh.wait_for(": up to date");
    assert!(!state.contains("event: problems"), "{why}: {}", fresh.seen);
}

#[test]
fn serve_preview_follows_created_renamed_and_deleted_files() {
    let project = Project::fixture("minimal");
    let server = preview(&project);
    let mut events = server.events();
    let lesson = project.read("content/an-toan/mat-khau-manh.md");

    project.file("content/an-toan/bai-moi.md", lesson.replace("Mật khẩu mạnh", "Bài mới"));
    events.wait_for("event: reload");
    assert_eq!(server.get("/vi/an-toan/bai-moi/", &[]).status, 200, "a created lesson is served");

    std::fs::rename(project.path("content/an-toan/bai-moi.md"), project.path("content/an-toan/doi-ten.md")).unwrap();
    events.wait_for("event: reload");
    assert_eq!(server.get("/vi/an-toan/doi-ten/", &[]).status, 200, "a renamed lesson is at its new address");
    assert_eq!(server.get("/vi/an-toan/bai-moi/", &[]).status, 404, "and not at its old one");

    std::fs::remove_file(project.path("content/an-toan/doi-ten.md")).unwrap();
    events.wait_for("event: reload");
    assert_eq!(server.get("/vi/an-toan/doi-ten/", &[]).status, 404, "a deleted lesson is gone");

    // deleting a lesson another one links to is an error, shown where the link is
    let fraud = project.read("content/an-toan/Lừa đảo qua mạng.md");
    std::fs::remove_file(project.path("content/an-toan/Lừa đảo qua mạng.md")).unwrap();
    let problems = events.wait_for("hint:");
    let position = "content/Giao tiếp số/Dùng Zalo an toàn.md:10:35: error: link to missing page";
    assert!(problems.contains(&format!("data: {position}")), "{position} not in\n{problems}");
    server.wait_stderr(position);
    assert_eq!(server.get("/vi/an-toan/lua-dao-qua-mang/", &[]).status, 200, "the last good pages stay served");
    project.file("content/an-toan/Lừa đảo qua mạng.md", &fraud);
    events.wait_for("event: reload");

    assert_eq!(server.get("/media/an-toan/so-do.svg", &[]).status, 200);
    project.file("content/an-toan/hinh-moi.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    events.wait_for("event: reload");
    let asset = server.get("/media/an-toan/hinh-moi.svg", &[]);
    assert_eq!((asset.status, asset.header("content-type")), (200, Some("image/svg+xml")), "a new asset is served");
    std::fs::remove_file(project.path("content/an-toan/hinh-moi.svg")).unwrap();
    events.wait_for("event: reload");
    assert_eq!(server.get("/media/an-toan/hinh-moi.svg", &[]).status, 404, "a deleted asset is gone");
}

#[test]
fn serve_preview_follows_a_content_folder_replaced_by_a_copy() {
    let project = Project::fixture("minimal");
    let server = preview(&project);
    let mut events = server.events();
    // what a script or a file manager does: set the folder aside, copy it back
    std::fs::rename(project.path("content"), project.path("content.bak")).unwrap();
    events.wait_for("event: problems");
    crate::harness::copy_dir(&project.path("content.bak"), &project.path("content"));
    events.wait_for("event: reload");
    let course = "content/an-toan/_index.md";
    let text = project.read(course);
    let title = text.lines().find(|l| l.starts_with("title")).expect("a course title").to_string();
    project.file(course, text.replacen(&title, "title = \"An toàn khi lên mạng\"", 1));
    events.wait_for("event: reload");
    let page = server.get("/vi/an-toan/", &[]);
    assert!(page.text().contains("An toàn khi lên mạng"), "an edit in the new content/ is seen");
    assert_no_problems_shown(&server, "no error left from the copy");
}

#[test]
fn serve_preview_answers_search_from_tantivy_and_follows_edits() {
    let project = Project::fixture("search");
    let server = preview(&project);
    let reply = server.get("/api/search?q=mat%20khau", &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json; charset=utf-8"));
    let answer: serde_json::Value = serde_json::from_str(&reply.text()).unwrap();
    assert_eq!(answer["results"][0]["url"], "/vi/an-toan/mat-khau/", "{answer}");
    assert_eq!(answer["lang"], "vi");
    // the highlighted ranges point at the matched words in the snippet
    let snippet = answer["results"][0]["snippet"].as_str().unwrap();
    let first = &answer["results"][0]["highlights"][0];
    let word = &snippet[first[0].as_u64().unwrap() as usize..first[1].as_u64().unwrap() as usize];
    assert_eq!(word.to_lowercase(), "mật", "{answer}");

    let filtered = server.get("/api/search?q=dien+thoai&group=can-bo", &[]).text();
    assert!(!filtered.contains("lua-dao"), "lừa đảo is for nguoi-dan only: {filtered}");
    let bad = server.get("/api/search?q=x&lang=fr", &[]);
    assert_eq!(bad.status, 400);
    let error: serde_json::Value = serde_json::from_str(&bad.text()).unwrap();
    assert!(error["error"].as_str().unwrap().starts_with("unknown language \"fr\""), "{error}");

    // an edit to a lesson's text is searchable once the page has reloaded
    let mut events = server.events();
    let lesson = project.read("content/thiet-bi/dien-thoai.md");
    project.file("content/thiet-bi/dien-thoai.md", format!("{lesson}\nMẹo: bật chế độ tiết kiệm pin.\n"));
    events.wait_for("event: reload");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = server.get("/api/search?q=tiet+kiem+pin", &[]).text();
        if found.contains("/vi/thiet-bi/dien-thoai/") {
            break;
        }
        assert!(Instant::now() < deadline, "the edit never became searchable: {found}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_preview_serves_the_browser_search_index_and_keeps_it_current() {
    let project = Project::fixture("search");
    let server = preview(&project);
    let deadline = Instant::now() + Duration::from_secs(10);
    // the index is made just after the first build
    while server.get("/search/vi/meta.js", &[]).status != 200 {
        assert!(Instant::now() < deadline, "no search index in the preview");
        std::thread::sleep(Duration::from_millis(50));
    }
    // the documents' chunks, all of them (a handful in this fixture)
    let chunks = || -> String {
        (0..8)
            .map(|i| server.get(&format!("/search/vi/d{i}.js"), &[]))
            .filter(|r| r.status == 200)
            .map(|r| r.text())
            .collect()
    };
    assert!(chunks().contains("Làm quen điện thoại thông minh"));
    // a new title is a front-matter change: the whole site is built again, then the index
    let mut events = server.events();
    let lesson = project.read("content/thiet-bi/dien-thoai.md");
    project.file(
        "content/thiet-bi/dien-thoai.md",
        lesson.replace("Làm quen điện thoại thông minh", "Dùng điện thoại an toàn"),
    );
    events.wait_for("event: reload");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let chunk = chunks();
        if chunk.contains("Dùng điện thoại an toàn") {
            assert!(!chunk.contains("Làm quen điện thoại thông minh"), "{chunk}");
            break;
        }
        assert!(Instant::now() < deadline, "the index never followed the edit: {chunk}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_static_answers_404_to_paths_starting_with_two_slashes_never_a_protocol_relative_redirect() {
    let project = built();
    let server = serve_static(&project, &[]);
    for path in ["//vi", "//vi/", "//evil.example", "//evil.example/vi/", "///vi"] {
        let reply = server.get(path, &[]);
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(reply.header("location"), None, "{path}: no redirect");
    }
    let reply = server.get("/vi", &[]);
    assert_eq!((reply.status, reply.header("location")), (301, Some("/vi/")), "the folder redirect stays");
}

/// The Content-Security-Policy of every page and file but SVG, as `hoclieu serve` sends it.
const SITE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; \
frame-ancestors 'self'";

#[track_caller]
fn assert_hardened(reply: &Reply, what: &str) {
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{what}");
    let policy = reply.header("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
    if reply.header("content-type").is_some_and(|t| t.starts_with("image/svg+xml")) {
        assert!(policy.starts_with("default-src 'none';") && policy.ends_with("; sandbox"), "{what}: {policy}");
        assert!(!policy.contains("script-src"), "{what}: an SVG runs no script at all: {policy}");
    } else {
        assert_eq!(policy, SITE_POLICY, "{what}");
    }
}

#[test]
fn serve_sends_a_content_security_policy_and_nosniff_with_every_response() {
    let project = built();
    {
        let server = serve_static(&project, &[]);
        for (path, status) in [
            ("/vi/", 200),
            ("/media/an-toan/so-do.svg", 200),
            ("/vi/an-toan/mat-khau-manh/", 200),
            ("/sw.js", 200),
            ("/khong-co", 404),
            ("/vi", 301),
            ("/../x", 400),
        ] {
            let reply = server.get(path, &["Accept-Encoding: gzip"]);
            assert_eq!(reply.status, status, "{path}");
            assert_hardened(&reply, path);
        }
        assert_eq!(server.get("/media/an-toan/so-do.svg", &[]).header("content-type"), Some("image/svg+xml"));
        let post = server.raw("POST /vi/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assert_hardened(&post, "POST");
    }
    let server = preview(&project);
    for (path, status) in [
        ("/vi/an-toan/mat-khau-manh/", 200),
        ("/media/an-toan/so-do.svg", 200),
        ("/_hoclieu/live.js", 200),
        ("/api/search?q=mat+khau", 200),
        ("/khong-co/", 404),
    ] {
        let reply = server.get(path, &[]);
        assert_eq!(reply.status, status, "preview {path}");
        assert_hardened(&reply, &format!("preview {path}"));
    }
}

#[test]
fn serve_preview_refuses_requests_for_other_hosts() {
    let project = Project::fixture("minimal");
    let server = preview(&project);
    let port = server.address.rsplit(':').next().unwrap().to_string();
    let ask = |host: &str, target: &str| {
        server.raw(&format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"))
    };
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
        "127.0.0.1:1".to_string(),
        "127.0.0.1".to_string(),
        String::new(),
    ] {
        for target in ["/vi/an-toan/mat-khau-manh/", "/api/search?q=mat+khau", "/_hoclieu/events"] {
            let reply = ask(&host, target);
            assert_eq!(reply.status, 403, "Host: {host:?} {target}");
            assert!(!reply.text().contains("Mật khẩu"), "Host: {host:?} {target}: {}", reply.text());
        }
    }
    let absolute = ask(&server.address, "http://evil.example/vi/");
    assert_eq!(absolute.status, 403, "a request target naming another host");
    for host in [server.address.clone(), format!("localhost:{port}"), format!("LOCALHOST:{port}")] {
        assert_eq!(ask(&host, "/vi/an-toan/mat-khau-manh/").status, 200, "Host: {host}");
    }
    assert!(!server.stderr.lock().unwrap().contains("beyond this computer"), "no warning on loopback");
}

#[test]
fn serve_preview_warns_loudly_when_bound_beyond_loopback() {
    let project = Project::fixture("minimal");
    let server = Server::start(project.root(), &["serve", "--port", "0", "--bind", "0.0.0.0"]);
    server.wait_stderr("warning: the preview listens on 0.0.0.0, beyond this computer");
    server.wait_stderr("hint: leave out --bind");
    assert_eq!(server.get("/vi/", &[]).status, 200, "it still serves this computer");
}

#[test]
fn serve_preview_never_serves_a_symlink_swapped_in_for_an_asset() {
    let project = Project::fixture("minimal");
    let elsewhere = tempfile::tempdir().unwrap();
    let secret = elsewhere.path().join("passwd");
    std::fs::write(&secret, "SECRET-b41c root:x:0:0").unwrap();
    let server = preview(&project);
    let asset = "/media/an-toan/so-do.svg";
    assert_eq!(server.get(asset, &[]).status, 200);
    let mut events = server.events();
    let file = project.path("content/an-toan/so-do.svg");
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&secret, &file).unwrap();
    events.wait_for("symlink leaves the repository");
    for _ in 0..3 {
        let reply = server.get(asset, &[]);
        assert!(!reply.text().contains("SECRET-b41c"), "the symlink's target was served");
        assert_eq!(reply.status, 404);
    }
    // a symlink that stays in the repository is followed, as the build does
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(project.path("content/gioi-thieu.md"), &file).unwrap();
    events.wait_for("event: reload");
    let reply = server.get(asset, &[]);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), project.read("content/gioi-thieu.md"));
}

/// A number from `/proc/PID/status` (`VmRSS` in KB, `Threads`).
fn proc_status(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(&format!("{key}:"))).expect(key);
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn serve_static_slow_readers_from_one_client_cannot_starve_others_nor_grow_memory() {
    let project = built();
    let big: Vec<u8> = (0..8_000_000u32).map(|i| (i % 253) as u8).collect();
    project.file("public/media/bai-giang.mp4", &big);
    let server = serve_static(&project, &[]);
    let pid = server.child.id();
    assert!(server.get("/media/bai-giang.mp4", &[]).body == big);
    let before = proc_status(pid, "VmRSS");
    // 1 100 clients on this machine ask for the large file and never read the answer
    let mut slow = Vec::new();
    for _ in 0..1100 {
        let mut stream = TcpStream::connect(&server.address).unwrap();
        stream.write_all(b"GET /media/bai-giang.mp4 HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity\r\n\r\n").unwrap();
        slow.push(stream);
    }
    // every connection is answered at once: the client's share with the file (whose reader
    // never reads on), the rest with 503 (come back later)
    let (mut served, mut refused) = (0, 0);
    for stream in &mut slow {
        stream.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).expect("every connection is answered");
        match &head {
            b"HTTP/1.1 200" => served += 1,
            b"HTTP/1.1 503" => refused += 1,
            other => panic!("unexpected answer {:?}", String::from_utf8_lossy(other)),
        }
    }
    let share = hoclieu::serve::http::MAX_CONNECTIONS_PER_CLIENT;
    assert_eq!((served, refused), (share, 1100 - share), "one client's connections past its share get 503");
    let during = proc_status(pid, "VmRSS");
    let threads = proc_status(pid, "Threads");
    // another client (another address of this machine) is answered at once
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let started = Instant::now();
    let mut other = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
        socket.connect(server.address.parse().unwrap()).await.unwrap().into_std().unwrap()
    });
    other.set_nonblocking(false).unwrap();
    other.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    other
        .write_all(format!("GET /vi/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", server.address).as_bytes())
        .unwrap();
    let mut answer = Vec::new();
    let _ = other.read_to_end(&mut answer);
    let waited = started.elapsed();
    assert!(answer.starts_with(b"HTTP/1.1 200"), "no answer in {waited:?}: {:?}", String::from_utf8_lossy(&answer));
    assert!(waited < Duration::from_secs(5), "a normal request waited {waited:?} behind slow readers");
    let during = during.max(proc_status(pid, "VmRSS"));
    let grown_mb = during.saturating_sub(before) / 1024;
    assert!(grown_mb < 48, "the server grew by {grown_mb} MB for 1 100 slow readers");
    // no thread per slow reader: the runtime's workers and a few file readers
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    assert!(threads <= cores + 16 + 8, "{threads} threads for 1 100 slow readers");
}

//! Packs as ZIM files for Kiwix, checked by the real tools (Debian's `zim-tools` and
//! `kiwix-tools`): `zimcheck -A` on the shipped packs, `zimdump` reading back what the
//! zip holds, `kiwix-serve` serving every lesson with the pack's bytes and suggesting
//! lessons by title; and `hoclieu verify` / `unpack` on good and hostile `.zim` files.
//!
//! Without the tools these tests skip loudly, and fail when `CI=true`.

use crate::harness::{snapshot, Project};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// True when `tool` is installed; else says so, or panics on CI.
pub fn tool_available(tool: &str, package: &str) -> bool {
    let found =
        std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()));
    if found {
        return true;
    }
    let message = format!("SKIPPED: this test needs {tool} (apt-get install {package})");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}");
    }
    eprintln!("{message}");
    false
}

/// `kiwix-serve` on a free port of the loopback, killed (by its own id) when dropped.
pub struct KiwixServe {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub origin: String,
}

impl KiwixServe {
    pub fn start(zim: &Path, toolbar: bool) -> KiwixServe {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut command = Command::new("kiwix-serve");
        command.args(["--address", "127.0.0.1", "--port", &port.to_string()]);
        if !toolbar {
            command.arg("--nosearchbar");
        }
        let child = command
            .arg(zim)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start kiwix-serve: {e}"));
        let server = KiwixServe { child, origin: format!("http://127.0.0.1:{port}") };
        let started = Instant::now();
        while get(&format!("{}/catalog/v2/entries", server.origin)).is_none() {
            assert!(started.elapsed() < Duration::from_secs(20), "kiwix-serve did not answer on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// Where the book's files are: `/<book>/` (kiwix-serve 3.3) or `/content/<book>/`
    /// (later versions), as its catalog says.
    pub fn book_base(&self) -> String {
        let catalog = String::from_utf8(get(&format!("{}/catalog/v2/entries", self.origin)).unwrap()).unwrap();
        let link = regex::Regex::new(r#"<link type="text/html" href="([^"]+)""#).unwrap();
        let href = &link.captures(&catalog).unwrap_or_else(|| panic!("no book link in the catalog:\n{catalog}"))[1];
        format!("{}{}/", self.origin, href.trim_end_matches('/'))
    }
}

impl Drop for KiwixServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The body of a 200 answer to a plain HTTP/1.0 GET on the loopback, or `None`.
pub fn get(url: &str) -> Option<Vec<u8>> {
    fetch(url).filter(|(head, _)| head.starts_with("HTTP/1.1 200")).map(|(_, body)| body)
}

/// The head (status line and headers) and body of the answer to a GET, or `None`.
pub fn fetch(url: &str) -> Option<(String, Vec<u8>)> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://")?;
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    Some((String::from_utf8_lossy(&answer[..end]).into_owned(), answer[end + 4..].to_vec()))
}

/// A copy of this repository's content, themes and book.toml.
fn shipped() -> Project {
    let project = Project::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate::harness::copy_dir(&repo.join("content"), &project.path("content"));
    crate::harness::copy_dir(&repo.join("themes"), &project.path("themes"));
    std::fs::copy(repo.join("book.toml"), project.path("book.toml")).unwrap();
    project
}

fn zimcheck(zim: &Path) {
    let out = Command::new("zimcheck").arg("-A").arg(zim).output().expect("run zimcheck");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && text.contains("Overall Test Status: Pass"),
        "zimcheck -A {}:\n{text}",
        zim.display()
    );
    assert!(!text.contains("[ERROR]") && !text.contains("[WARNING]"), "zimcheck -A {}:\n{text}", zim.display());
}

/// Every file of a zip, by name.
fn unzip(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        files.insert(String::from_utf8_lossy(entry.name_raw()).into_owned(), data);
    }
    files
}

/// Checks that `server` serves the main page at the book's address and every page, script
/// and style of the pack with the zip's bytes; returns the book's name.
fn serves_the_packs_bytes(server: &KiwixServe, zipped: &BTreeMap<String, Vec<u8>>) -> String {
    let base = server.book_base();
    let book = base.trim_end_matches('/').rsplit('/').next().unwrap().to_string();
    // the book's bare address leads to the main page
    let (head, _) = fetch(&base).expect("the book's address answers");
    assert!(head.starts_with("HTTP/1.1 302") && head.contains("index.html"), "{head}");
    let pages: Vec<&String> = zipped.keys().filter(|p| p.ends_with(".html")).collect();
    assert!(pages.len() > 10 && pages.contains(&&"index.html".to_string()), "{pages:?}");
    for path in pages {
        // exactly the pack's bytes from the raw address; the reading address adds only
        // kiwix-serve's `<link type="root">` (with its toolbar off)
        let raw = get(&format!("{}/raw/{book}/content/{path}", server.origin));
        assert!(raw.as_ref() == Some(&zipped[path]), "kiwix-serve's raw {path} differs from the pack's");
        let (head, served) = fetch(&format!("{base}{path}")).unwrap();
        assert!(head.starts_with("HTTP/1.1 200") && head.contains("Content-Type: text/html"), "{path}: {head}");
        let served = String::from_utf8(served).unwrap().replacen("<link type=\"root\" href=\"\">", "", 1);
        assert!(served.as_bytes() == zipped[path], "kiwix-serve serves other bytes for {path}");
    }
    for path in zipped.keys().filter(|p| p.starts_with("search/") || p.starts_with("assets/")) {
        assert!(get(&format!("{base}{path}")).as_ref() == Some(&zipped[path]), "{path}");
    }
    book
}

#[test]
fn the_shipped_site_offers_zim_files_that_zimcheck_passes_and_kiwix_serve_serves() {
    if !tool_available("zimcheck", "zim-tools") || !tool_available("kiwix-serve", "kiwix-tools") {
        return;
    }
    let project = shipped();
    project.run(&["build"]).success();
    let packs = project.path("public/packs");
    let zims: Vec<String> = std::fs::read_dir(&packs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".zim"))
        .collect();
    assert_eq!(zims.len(), 2, "a ZIM file of each shipped pack: {zims:?}");
    let catalog = project.read("public/vi/tai-ve/index.html");
    for name in &zims {
        zimcheck(&packs.join(name));
        assert!(catalog.contains(&format!("href=\"../../packs/{name}\" download")), "the catalog lists {name}");
        let sha = hoclieu::pack::manifest::sha256_hex(&std::fs::read(packs.join(name)).unwrap());
        assert!(catalog.contains(&sha), "the catalog gives the SHA-256 of {name}");
        // every page of the pack, served by kiwix-serve with the zip's bytes
        let zipped = unzip(&packs.join(name.replace(".zim", ".zip")));
        let server = KiwixServe::start(&packs.join(name), false);
        serves_the_packs_bytes(&server, &zipped);
    }
    assert!(catalog.contains("Kiwix"), "the catalog explains the Kiwix way");
}

#[test]
fn a_zim_pack_holds_the_zips_files_and_the_same_content_gives_the_same_bytes() {
    if !tool_available("zimdump", "zim-tools") || !tool_available("kiwix-serve", "kiwix-tools") {
        return;
    }
    let project = Project::fixture("packs");
    project.run(&["pack", "--id", "dan", "--format", "zim", "--format", "zip", "--out", "one"]).success();
    project.run(&["pack", "--id", "dan", "--format", "zim", "--out", "two"]).success();
    let zim = std::fs::read(project.path("one/hoclieu-dan.zim")).unwrap();
    assert!(
        zim == std::fs::read(project.path("two/hoclieu-dan.zim")).unwrap(),
        "two ZIM files of the same content differ"
    );
    assert!(!project.path("two/hoclieu-dan.zip").exists(), "--format zim alone makes no zip");

    let zipped_manifest = unzip(&project.path("one/hoclieu-dan.zip"));
    let manifest: serde_json::Value = serde_json::from_slice(&zipped_manifest["hoclieu-pack.json"]).unwrap();
    let date = manifest["build_time"].as_str().unwrap()[..10].to_string();
    // zimdump, libzim's reader, finds every file of the zip with the same bytes
    let dump = project.path("dump");
    let out = Command::new("zimdump")
        .args(["dump", &format!("--dir={}", dump.display())])
        .arg(project.path("one/hoclieu-dan.zim"))
        .output()
        .unwrap();
    assert!(out.status.success(), "zimdump: {}", String::from_utf8_lossy(&out.stderr));
    let dumped: BTreeMap<String, Vec<u8>> = snapshot(&dump).into_iter().collect();
    let zipped = unzip(&project.path("one/hoclieu-dan.zip"));
    for (name, data) in &zipped {
        // zimdump writes the content namespace's entries under C/ (libzim 8) or as they are
        let got = dumped.get(&format!("C/{name}")).or_else(|| dumped.get(name));
        assert!(got == Some(data), "{name} differs or is missing in the ZIM file");
    }

    let readme = String::from_utf8_lossy(&zipped["DOC-DOC-TRUOC.txt"]).into_owned();
    assert!(readme.contains("Kiwix") && readme.contains("kiwix-serve --port 8080 hoclieu-dan.zim"), "{readme}");

    // metadata from the content and book.toml
    let info = Command::new("zimdump").args(["info"]).arg(project.path("one/hoclieu-dan.zim")).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("main page: index.html"), "{info}");
    assert!(info.contains("favicon: Illustration_48x48@1"), "{info}");
    // M/Date, as Kiwix's catalog shows it, is the content's date
    let server = KiwixServe::start(&project.path("one/hoclieu-dan.zim"), false);
    let catalog = String::from_utf8(get(&format!("{}/catalog/v2/entries", server.origin)).unwrap()).unwrap();
    assert!(catalog.contains(&format!("<updated>{date}T00:00:00Z</updated>")), "M/Date is {date}:\n{catalog}");
    drop(server);
    // the date is the content's, never the clock's: another commit time, another Date
    let out = project.run_with_env(
        &["pack", "--id", "dan", "--format", "zim", "--out", "three"],
        &[("SOURCE_DATE_EPOCH", "1710405000")],
    );
    out.success();
    let three = std::fs::read(project.path("three/hoclieu-dan.zim")).unwrap();
    assert!(three != zim);
    let server = KiwixServe::start(&project.path("three/hoclieu-dan.zim"), false);
    let catalog = String::from_utf8(get(&format!("{}/catalog/v2/entries", server.origin)).unwrap()).unwrap();
    assert!(catalog.contains("<updated>2024-03-14T00:00:00Z</updated>"), "M/Date from SOURCE_DATE_EPOCH:\n{catalog}");
}

#[test]
fn verify_and_unpack_read_a_zim_pack_and_refuse_damaged_ones() {
    let project = Project::fixture("packs");
    project.run(&["pack", "--id", "dan", "--format", "zim", "--format", "zip", "--out", "packs"]).success();
    let out = project.run(&["verify", "packs/hoclieu-dan.zim"]);
    out.success();
    assert!(out.stdout.contains("pack \"dan\"") && out.stdout.contains("files match the manifest"), "{}", out.stdout);
    project.run(&["unpack", "packs/hoclieu-dan.zim", "from-zim"]).success();
    project.run(&["unpack", "packs/hoclieu-dan.zip", "from-zip"]).success();
    assert_eq!(snapshot(&project.path("from-zim")), snapshot(&project.path("from-zip")), "the ZIM unpacks as the zip");

    let good = std::fs::read(project.path("packs/hoclieu-dan.zim")).unwrap();
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x20;
    let reseal = |mut bytes: Vec<u8>| {
        use md5::Digest;
        bytes.truncate(bytes.len() - 16);
        let digest = md5::Md5::digest(&bytes);
        bytes.extend(digest);
        bytes
    };
    let mut many = good.clone();
    many[24..28].copy_from_slice(&3_000_000_000u32.to_le_bytes());
    let mut huge_cluster = good.clone();
    // the first cluster pointer aimed past the end of the file
    let cluster_ptr = u64::from_le_bytes(good[48..56].try_into().unwrap()) as usize;
    huge_cluster[cluster_ptr..cluster_ptr + 8].copy_from_slice(&(good.len() as u64 * 4).to_le_bytes());
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("truncated", good[..good.len() - 1000].to_vec(), "truncated"),
        ("tiny", good[..40].to_vec(), "too short"),
        ("flipped", flipped, "MD5 checksum does not match"),
        ("many", reseal(many), "claims 3000000000 entries"),
        ("cluster", reseal(huge_cluster), "past the end of the file"),
    ];
    for (name, bytes, message) in cases {
        let file = format!("bad-{name}.zim");
        project.file(&file, &bytes);
        let out = project.run(&["verify", &file]);
        assert_ne!(out.code, 0, "verify accepted the {name} file");
        assert!(out.stderr.contains(message), "verify, {name}: {}", out.stderr);
        let out = project.run(&["unpack", &file, &format!("out-{name}")]);
        assert_ne!(out.code, 0, "unpack accepted the {name} file");
        assert!(
            out.stderr.contains(message) && out.stderr.contains("refusing the ZIM file"),
            "unpack, {name}: {}",
            out.stderr
        );
        assert!(!project.path(&format!("out-{name}")).exists(), "nothing is written from the {name} file");
    }
}

#[test]
fn kiwix_serve_serves_every_page_with_the_packs_bytes_and_suggests_lessons_by_title() {
    if !tool_available("kiwix-serve", "kiwix-tools") {
        return;
    }
    let project = Project::fixture("packs");
    project.run(&["pack", "--id", "dan", "--format", "zim", "--format", "zip", "--out", "packs"]).success();
    let zipped = unzip(&project.path("packs/hoclieu-dan.zip"));
    let server = KiwixServe::start(&project.path("packs/hoclieu-dan.zim"), false);
    let book = serves_the_packs_bytes(&server, &zipped);
    // the metadata Kiwix's library shows
    let catalog = String::from_utf8(get(&format!("{}/catalog/v2/entries", server.origin)).unwrap()).unwrap();
    for expected in [
        "<title>Gói cho người dân</title>",
        "<language>vie,blt</language>",
        "<name>hoclieu_dan</name>",
        "<summary>Học liệu thử gói</summary>",
        "type=\"image/png;width=48;height=48;scale=1\"",
    ] {
        assert!(catalog.contains(expected), "no {expected} in the catalog:\n{catalog}");
    }
    let icon = get(&format!("{}/catalog/v2/illustration/{book}/?size=48", server.origin)).expect("the illustration");
    assert!(icon.starts_with(b"\x89PNG") && icon[16..24] == [0, 0, 0, 48, 0, 0, 0, 48], "a 48×48 PNG");
    // Kiwix's own suggestions find a lesson by the start of its title
    let term: String = form_urlencoded::byte_serialize("Mật khẩu".as_bytes()).collect();
    let suggest = get(&format!("{}/suggest?content={book}&term={term}", server.origin)).expect("suggestions");
    let suggest = String::from_utf8(suggest).unwrap();
    assert!(suggest.contains("vi/an-toan/mat-khau/index.html") && suggest.contains("Mật khẩu mạnh"), "{suggest}");
}

#[test]
fn an_unknown_pack_format_is_named_with_the_valid_ones() {
    let project = Project::fixture("packs");
    let config = project.read("book.toml");
    let config = config.replacen("[packs.dan]\n", "[packs.dan]\nformats = [\"zip\", \"rar\"]\n", 1);
    assert!(config.contains("\"rar\""), "the fixture names [packs.dan]");
    project.file("book.toml", config);
    let out = project.run(&["pack", "--all", "--out", "packs"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("unknown pack format \"rar\""), "{}", out.stderr);
    assert!(out.stderr.contains("zip, zim"), "the hint names the valid formats: {}", out.stderr);
    assert!(!project.path("packs").exists());
}

//! Offline packs (`hoclieu pack`, `verify`, `unpack`) on the `packs` fixture: two target
//! groups, two courses linking across each other, three languages, two packs that each
//! leave something out.

use crate::harness::{snapshot, Lesson, Project};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The fixture with its packs made into `packs/`.
fn packed() -> Project {
    let project = Project::fixture("packs");
    project.run(&["pack", "--all", "--out", "packs"]).success();
    project
}

/// Unpacks `zip` (relative to the project) into `dir` with the binary.
fn unpack(project: &Project, zip: &str, dir: &str) -> BTreeMap<String, Vec<u8>> {
    project.run(&["unpack", zip, dir]).success();
    snapshot(&project.path(dir)).into_iter().collect()
}

fn text(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(files.get(path).unwrap_or_else(|| panic!("{path} is not in the pack")).clone()).unwrap()
}

/// Every relative `href` and `src` of every page, with the page it is on.
fn relative_links(files: &BTreeMap<String, Vec<u8>>) -> Vec<(String, String)> {
    let attribute = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    let mut links = Vec::new();
    for (path, data) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        for capture in attribute.captures_iter(std::str::from_utf8(data).unwrap()) {
            let url = capture[1].to_string();
            let external = url.starts_with('#') || url.split_once(':').is_some_and(|(s, _)| !s.contains('/'));
            if !external {
                links.push((path.clone(), url));
            }
        }
    }
    links
}

/// The output path a relative URL written in page `from` leads to.
fn target(from: &str, url: &str) -> String {
    let url = url.split(['#', '?']).next().unwrap();
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in url.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if url.is_empty() || url.ends_with('/') {
        format!("{joined}/index.html").trim_start_matches('/').to_string()
    } else {
        joined
    }
}

#[test]
fn a_pack_holds_its_lessons_and_what_they_use_and_no_link_leaves_it() {
    let project = packed();
    let dan = unpack(&project, "packs/hoclieu-dan.zip", "dan");
    for path in [
        "index.html",
        "DOC-DOC-TRUOC.txt",
        "hoclieu-pack.json",
        "vi/an-toan/lua-dao/index.html",
        "vi/an-toan/mat-khau/index.html",
        "blt/an-toan/lua-dao/index.html",
        "vi/nhom/nguoi-dan/index.html",
        "vi/linh-vuc/giao-tiep/index.html",
        "vi/gioi-thieu/index.html",
        "search/vi/meta.js",
        "search/blt/meta.js",
        "media/an-toan/hinh.svg",
    ] {
        assert!(dan.contains_key(path), "{path} should be in the pack `dan`");
    }
    for path in dan.keys() {
        assert!(!path.contains("cong-vu") && !path.starts_with("hmn/"), "{path} is not in the pack `dan`");
        assert!(!path.contains("nhom/can-bo"), "{path}: the pack has no path for cán bộ");
    }
    // the lesson's link to a lesson outside the pack is its text with a note, in each language
    let lesson = text(&dan, "vi/an-toan/mat-khau/index.html");
    assert!(
        lesson.contains("văn bản điện tử <small class=\"not-in-pack\">(không có trong gói này)</small>"),
        "{lesson}"
    );
    let translated = text(&dan, "blt/an-toan/mat-khau/index.html");
    assert!(translated.contains("(bấu mi nẳng gói nị)"), "{translated}");
    let about = text(&dan, "vi/gioi-thieu/index.html");
    assert!(about.contains("Công vụ <small class=\"not-in-pack\">"), "a link to a course outside the pack: {about}");
    // the search index knows only the pack's lessons
    let index: String =
        dan.iter().filter(|(p, _)| p.starts_with("search/")).map(|(_, d)| String::from_utf8_lossy(d)).collect();
    assert!(index.contains("lua-dao") && !index.contains("van-ban"), "search index of `dan`");
    // no relative link or picture leads outside the pack
    let links = relative_links(&dan);
    assert!(links.len() > 100, "the pack's pages link to each other: {}", links.len());
    for (page, url) in links {
        let to = target(&page, &url);
        assert!(dan.contains_key(&to), "{page}: link \"{url}\" leads to {to}, not in the pack");
    }

    let can_bo = unpack(&project, "packs/hoclieu-can-bo.zip", "can-bo");
    assert!(can_bo.contains_key("vi/cong-vu/van-ban/index.html"));
    assert!(can_bo.contains_key("vi/an-toan/mat-khau/index.html"));
    assert!(can_bo.contains_key("media/cong-vu/so-do.svg"));
    assert!(!can_bo.keys().any(|p| p.contains("lua-dao") || p.starts_with("blt/") || p.starts_with("hmn/")));
    assert!(!can_bo.contains_key("vi/linh-vuc/giao-tiep/index.html"), "the group `can-bo` does not learn giao-tiep");
    let languages = text(&can_bo, "index.html");
    assert!(!languages.contains("blt/"), "the language choice offers only the pack's languages");
    for (page, url) in relative_links(&can_bo) {
        assert!(can_bo.contains_key(&target(&page, &url)), "{page}: link \"{url}\" leaves the pack");
    }
}

#[test]
fn the_manifest_lists_every_file_with_its_size_and_hash() {
    let project = packed();
    let files = unpack(&project, "packs/hoclieu-dan.zip", "dan");
    let manifest: serde_json::Value = serde_json::from_slice(&files["hoclieu-pack.json"]).unwrap();
    assert_eq!(manifest["id"], "dan");
    assert_eq!(manifest["title"], "Gói cho người dân");
    assert_eq!(manifest["languages"], serde_json::json!(["vi", "blt"]));
    assert_eq!(manifest["groups"], serde_json::json!(["nguoi-dan"]));
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), files.len() - 1, "every file but the manifest is listed");
    let mut total = 0;
    for entry in listed {
        let path = entry["path"].as_str().unwrap();
        let data = &files[path];
        assert_eq!(entry["size"].as_u64().unwrap(), data.len() as u64, "{path}");
        assert_eq!(entry["sha256"].as_str().unwrap(), format!("{:x}", Sha256::digest(data)), "{path}");
        total += data.len() as u64;
    }
    assert_eq!(manifest["total_size"].as_u64().unwrap(), total);
    let hash = manifest["content_hash"].as_str().unwrap();
    assert!(manifest["version"].as_str().unwrap().ends_with(&hash[..12]));
    let readme = text(&files, "DOC-DOC-TRUOC.txt");
    assert!(readme.contains("index.html") && readme.contains("hoclieu serve --static"), "{readme}");
}

#[test]
fn the_same_content_gives_a_byte_identical_zip_and_the_time_comes_from_the_content() {
    let project = Project::fixture("packs");
    let epoch = [("SOURCE_DATE_EPOCH", "1710405000"), ("RAYON_NUM_THREADS", "1")];
    project.run_with_env(&["pack", "--id", "dan", "--out", "one"], &epoch).success();
    let epoch_many = [("SOURCE_DATE_EPOCH", "1710405000"), ("RAYON_NUM_THREADS", "4")];
    project.run_with_env(&["pack", "--id", "dan", "--out", "two"], &epoch_many).success();
    let one = std::fs::read(project.path("one/hoclieu-dan.zip")).unwrap();
    assert!(one == std::fs::read(project.path("two/hoclieu-dan.zip")).unwrap(), "two packs of the same content differ");
    let files = unpack(&project, "one/hoclieu-dan.zip", "dan");
    let manifest: serde_json::Value = serde_json::from_slice(&files["hoclieu-pack.json"]).unwrap();
    assert_eq!(manifest["build_time"], "2024-03-14T08:30:00Z");
    assert_eq!(manifest["build_time_source"], "SOURCE_DATE_EPOCH");
    assert!(manifest["version"].as_str().unwrap().starts_with("2024.03.14-"));
    // without SOURCE_DATE_EPOCH and outside git: the zip format's zero, never the clock
    project.run(&["pack", "--id", "dan", "--out", "three"]).success();
    project.run(&["pack", "--id", "dan", "--out", "four"]).success();
    assert!(
        std::fs::read(project.path("three/hoclieu-dan.zip")).unwrap()
            == std::fs::read(project.path("four/hoclieu-dan.zip")).unwrap()
    );
    let out = project.run(&["verify", "three/hoclieu-dan.zip"]);
    assert!(out.stdout.contains("version 1980.01.01-"), "{}", out.stdout);
}

#[test]
fn verify_reports_a_flipped_byte_a_missing_file_and_an_extra_file() {
    let project = packed();
    unpack(&project, "packs/hoclieu-dan.zip", "dan");
    let out = project.run(&["verify", "dan"]);
    out.success();
    let manifest: serde_json::Value = serde_json::from_str(&project.read("dan/hoclieu-pack.json")).unwrap();
    let files = manifest["files"].as_array().expect("a file list").len();
    assert!(files > 30, "{files} files");
    assert!(out.stdout.contains(&format!("all {files} files match")), "{}", out.stdout);

    let page = project.path("dan/vi/an-toan/lua-dao/index.html");
    let mut bytes = std::fs::read(&page).unwrap();
    bytes[100] ^= 0x20;
    std::fs::write(&page, bytes).unwrap();
    std::fs::remove_file(project.path("dan/media/an-toan/hinh.svg")).unwrap();
    project.file("dan/vi/la.html", "<p>not from the pack</p>");
    project
        .test(&["verify", "dan"])
        .code(1)
        .stderr(concat!(
            "dan: missing: media/an-toan/hinh.svg\n",
            "dan: extra: vi/la.html\n",
            "dan: corrupted: vi/an-toan/lua-dao/index.html: SHA-256 differs (same size)\n",
            "  hint: unpack the pack again from a good copy (hoclieu unpack PACK.zip DIR), or download it again\n",
            "verify failed: pack \"dan\" version <date>-<hash>: 1 missing, 1 extra, 1 corrupted\n",
        ))
        .run();

    // the same in a zip: a file changed after packing
    let files: Vec<(String, Vec<u8>)> = snapshot(&project.path("dan"))
        .into_iter()
        .filter(|(p, _)| p != "vi/la.html")
        .map(|(p, d)| if p == "vi/index.html" { (p, b"<p>khac</p>".to_vec()) } else { (p, d) })
        .collect();
    write_zip(&project.path("tampered.zip"), &files);
    // the home page's size depends on the theme: read it from the good copy
    let home = std::fs::metadata(project.path("dan/vi/index.html")).unwrap().len();
    let expected = format!(
        concat!(
            "tampered.zip: missing: media/an-toan/hinh.svg\n",
            "tampered.zip: corrupted: vi/an-toan/lua-dao/index.html: SHA-256 differs (same size)\n",
            "tampered.zip: corrupted: vi/index.html: 11 bytes, expected {home}\n",
            "  hint: unpack the pack again from a good copy (hoclieu unpack PACK.zip DIR), or download it again\n",
            "verify failed: pack \"dan\" version <date>-<hash>: 1 missing, 0 extra, 2 corrupted\n",
        ),
        home = home
    );
    project.test(&["verify", "tampered.zip"]).code(1).stderr(&expected).run();
}

/// A plain zip of `files`, written with the zip crate (as any tool could).
fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, data) in files {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

/// Adds a hostile entry to a zip being written.
type AddEntries = dyn Fn(&mut zip::ZipWriter<std::fs::File>);

#[test]
fn unpack_refuses_hostile_archives_and_writes_nothing() {
    let project = packed();
    let good = snapshot(&project.path("packs")).len();
    assert_eq!(good, 2);
    let manifest = b"{}".to_vec();
    let cases: Vec<(&str, Box<AddEntries>, &str)> = vec![
        (
            "parent.zip",
            Box::new(|zip| {
                zip.start_file("../evil.txt", zip::write::SimpleFileOptions::default()).unwrap();
                zip.write_all(b"escaped").unwrap();
            }),
            "error: parent.zip: refusing the archive: entry \"../evil.txt\" has an unsafe name: `.` or `..` in the path; nothing was written\n",
        ),
        (
            "nested-parent.zip",
            Box::new(|zip| {
                zip.start_file("vi/../../evil.txt", zip::write::SimpleFileOptions::default()).unwrap();
                zip.write_all(b"escaped").unwrap();
            }),
            "error: nested-parent.zip: refusing the archive: entry \"vi/../../evil.txt\" has an unsafe name: `.` or `..` in the path; nothing was written\n",
        ),
        (
            "absolute.zip",
            Box::new(|zip| {
                zip.start_file("/tmp/hoclieu-evil.txt", zip::write::SimpleFileOptions::default()).unwrap();
                zip.write_all(b"escaped").unwrap();
            }),
            "error: absolute.zip: refusing the archive: entry \"/tmp/hoclieu-evil.txt\" has an unsafe name: absolute path; nothing was written\n",
        ),
        (
            "symlink.zip",
            Box::new(|zip| {
                zip.add_symlink("vi", "/etc", zip::write::SimpleFileOptions::default()).unwrap();
            }),
            "error: symlink.zip: refusing the archive: entry \"vi\" is a symbolic link; nothing was written\n",
        ),
        (
            "bomb.zip",
            Box::new(|zip| {
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    .compression_level(Some(9));
                zip.start_file("vi/index.html", options).unwrap();
                let zeros = vec![0u8; 1 << 20];
                for _ in 0..20 {
                    zip.write_all(&zeros).unwrap();
                }
            }),
            "error: bomb.zip: refusing the archive: entry \"vi/index.html\" inflates 1028×, more than 100× (a zip bomb?); nothing was written\n",
        ),
    ];
    for (name, add, why) in cases {
        let path = project.path(name);
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        zip.start_file("hoclieu-pack.json", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(&manifest).unwrap();
        add(&mut zip);
        zip.finish().unwrap();
        project.test(&["unpack", name, "target/dir"]).code(2).stderr(why).run();
        assert!(!project.path("target").exists(), "{name}: something was written");
        assert!(!project.path("evil.txt").exists() && !Path::new("/tmp/hoclieu-evil.txt").exists());
    }

    // a real pack with one file more than its manifest lists
    let mut files = snapshot(&{
        project.run(&["unpack", "packs/hoclieu-dan.zip", "dan"]).success();
        project.path("dan")
    });
    files.push(("vi/them.html".into(), b"<p>extra</p>".to_vec()));
    write_zip(&project.path("extra.zip"), &files);
    project.test(&["unpack", "extra.zip", "target/dir"]).code(2).stderr("error: extra.zip: \"vi/them.html\" is not listed in the pack's manifest (an extra file); nothing was changed\n").run();
    assert!(!project.path("target/dir").exists());
    // unpacking over a folder that is not a pack is refused
    project.file("notes/ghi-chu.txt", "của tôi");
    project.test(&["unpack", "packs/hoclieu-dan.zip", "notes"]).code(2).stderr("error: refusing to replace notes: it is not an unpacked pack (no hoclieu-pack.json); choose an empty or new folder\n").run();
    assert_eq!(project.read("notes/ghi-chu.txt"), "của tôi");
}

#[test]
fn an_update_turns_the_old_version_into_the_new_one_file_by_file() {
    let project = Project::fixture("packs");
    project.run(&["pack", "--id", "dan", "--out", "v1"]).success();
    // edit one lesson, add one, remove one
    let lesson = project.read("content/an-toan/lua-dao.md");
    project.file("content/an-toan/lua-dao.md", lesson.replace("mã OTP", "mã OTP hay mật khẩu"));
    project.lesson(
        "content/an-toan/wifi.md",
        &Lesson::new("Wi-Fi công cộng").body("Không đăng nhập ngân hàng qua Wi-Fi lạ.\n"),
    );
    let out = project.run(&["pack", "--id", "dan", "--out", "v2", "--since", "v1/hoclieu-dan.zip"]);
    out.success();
    let update = snapshot(&project.path("v2"))
        .into_iter()
        .map(|(p, _)| p)
        .find(|p| p.starts_with("hoclieu-dan-cap-nhat-"))
        .expect("an update zip");
    assert!(out.stdout.contains("added") && out.stdout.contains("changed"), "{}", out.stdout);
    let update_size = std::fs::metadata(project.path(&format!("v2/{update}"))).unwrap().len();
    let full_size = std::fs::metadata(project.path("v2/hoclieu-dan.zip")).unwrap().len();
    assert!(update_size < full_size, "update {update_size} B, full pack {full_size} B");
    project.run(&["verify", &format!("v2/{update}")]).success();

    let new = unpack(&project, "v2/hoclieu-dan.zip", "new");
    unpack(&project, "v1/hoclieu-dan.zip", "school");
    // an update refuses a folder that is not exactly the old version, and changes nothing
    project.file("school/vi/index.html", "<p>sửa tay</p>");
    let before = snapshot(&project.path("school"));
    project.test(&["unpack", &format!("v2/{update}"), "school"]).code(2).stderr("error: school does not verify as version <date>-<hash> (0 missing, 0 extra, 1 corrupted file(s)); run `hoclieu verify school` to see them, or unpack the full pack; nothing was changed\n").run();
    assert!(before == snapshot(&project.path("school")), "a refused update changed the folder");

    std::fs::remove_dir_all(project.path("school")).unwrap();
    unpack(&project, "v1/hoclieu-dan.zip", "school");
    let out = project.run(&["unpack", &format!("v2/{update}"), "school"]);
    out.success();
    assert!(out.stdout.contains("updated"), "{}", out.stdout);
    let school: BTreeMap<String, Vec<u8>> = snapshot(&project.path("school")).into_iter().collect();
    assert_eq!(school.keys().collect::<Vec<_>>(), new.keys().collect::<Vec<_>>(), "the same files");
    for (path, data) in &new {
        assert!(school[path] == *data, "{path} differs after the update");
    }
    assert!(school.contains_key("vi/an-toan/wifi/index.html"));
    project.run(&["verify", "school"]).success();
    // applying it again: the folder is the new version now
    project.test(&["unpack", &format!("v2/{update}"), "school"]).code(2).stderr("error: school holds pack \"dan\" version <date>-<hash>, but this update is from version <date>-<hash> to <date>-<hash>; nothing was changed\n").run();
}

#[test]
fn pack_mistakes_are_named_with_a_hint() {
    let project = Project::fixture("packs");
    project
        .test(&["pack", "--id", "dann"])
        .code(2)
        .stderr("error: no pack \"dann\" in book.toml; did you mean \"dan\"?\n")
        .run();
    let config = project.read("book.toml").replace("groups = [\"can-bo\"]\n", "groups = [\"can-boo\"]\n");
    project.file("book.toml", config);
    project
        .test(&["pack", "--all"])
        .code(1)
        .stderr(concat!(
            "book.toml: error: unknown group \"can-boo\"\n",
            "  hint: did you mean \"can-bo\"?\n",
            "pack failed: the content has errors; no pack was written\n",
        ))
        .run();
    assert!(!project.path("packs").exists(), "nothing is written when book.toml has errors");
}

#[test]
fn with_build_packs_the_site_offers_its_packs_on_a_catalog_page() {
    let project = Project::fixture("packs");
    let config = project.read("book.toml").replace("[site]\n", "[build]\npacks = true\n\n[site]\n");
    project.file("book.toml", config);
    project.run(&["build"]).success();
    let zip = std::fs::read(project.path("public/packs/hoclieu-dan.zip")).unwrap();
    project.run(&["verify", "public/packs/hoclieu-dan.zip"]).success();
    project.run(&["verify", "public/packs/hoclieu-can-bo.zip"]).success();
    let catalog = project.read("public/vi/tai-ve/index.html");
    for text in [
        "Gói cho người dân",
        "Tiếng Việt, Tiếng Thái",
        "Người dân",
        "href=\"../../packs/hoclieu-dan.zip\" download",
        &format!("{:x}", Sha256::digest(&zip)),
        "Phiên bản",
    ] {
        assert!(catalog.contains(text), "the catalog lacks {text:?}:\n{catalog}");
    }
    assert!(project.read("public/blt/tai-ve/index.html").contains("Au lông"), "the catalog in Thái");
    assert!(project.read("public/vi/index.html").contains("href=\"tai-ve/index.html\""), "home links the catalog");
    // a pack links no catalog of its own
    let files = unpack(&project, "public/packs/hoclieu-dan.zip", "dan");
    assert!(!files.keys().any(|p| p.contains("tai-ve") || p.starts_with("packs/")));

    // the catalog's address is reserved
    project.file("content/tai-ve.md", "+++\ntitle = \"Tải về\"\n+++\nx\n");
    project.test(&["build"]).code(1).stderr(concat!(
            "content/tai-ve.md: error: gives the same address \"vi/tai-ve/index.html\" as book.toml\n",
            "  hint: `nhom`, `linh-vuc`, `bao-cao`, `tim-kiem` and `tai-ve` hold the learning paths, domains, report, search and download pages: rename it\n",
            "build failed: 1 error, 0 warnings in <t> s; ./public was left as it was\n",
        )).run();
}

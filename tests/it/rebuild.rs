//! Rebuilds with the build cache (`.hoclieu-cache/build/`): after every kind of edit the
//! output is byte for byte what a clean build of the same repository gives, only the
//! files whose bytes changed are written again (the others keep their inode and
//! modification time), a damaged or foreign cache and an output changed by hand are not
//! trusted, `--clean` ignores the cache, and a failed build leaves the output as it was.

use crate::harness::{copy_dir, snapshot, Project};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Every file of the output: its inode and modification time (nanoseconds).
fn stamps(dir: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let meta = e.metadata().unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, (meta.ino(), meta.mtime(), meta.mtime_nsec()))
        })
        .collect()
}

/// The files whose inode or modification time differs between two listings, and those
/// only in one of them.
fn touched(before: &BTreeMap<String, (u64, i64, i64)>, after: &BTreeMap<String, (u64, i64, i64)>) -> Vec<String> {
    let mut paths: Vec<String> =
        after.iter().filter(|(p, s)| before.get(*p) != Some(s)).map(|(p, _)| p.clone()).collect();
    paths.extend(before.keys().filter(|p| !after.contains_key(*p)).map(|p| format!("gone: {p}")));
    paths
}

/// Builds `project` (with its cache) and a copy of it with `--clean` and no cache, and
/// asserts the two outputs are the same, file for file and byte for byte.
#[track_caller]
fn assert_same_as_clean(project: &Project, what: &str) {
    project.run(&["build"]).success();
    let clean = built_clean(project);
    let (incremental, whole) = (snapshot(&project.path("public")), snapshot(&clean.path("public")));
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&incremental), names(&whole), "{what}: the files differ from a clean build's");
    for ((path, a), (_, b)) in incremental.iter().zip(&whole) {
        assert!(a == b, "{what}: {path} differs from a clean build's");
    }
}

/// A copy of `project`'s sources (book.toml, content, themes), built with `--clean` and no
/// cache.
fn built_clean(project: &Project) -> Project {
    let clean = Project::empty();
    for part in ["book.toml", "content", "themes"] {
        let from = project.path(part);
        if from.is_dir() {
            copy_dir(&from, &clean.path(part));
        } else if from.is_file() {
            std::fs::copy(&from, clean.path(part)).unwrap();
        }
    }
    clean.run(&["build", "--clean"]).success();
    clean
}

fn edit(project: &Project, relative: &str, from: &str, to: &str) {
    let text = project.read(relative);
    assert!(text.contains(from), "{relative} has no {from:?}");
    project.file(relative, text.replacen(from, to, 1));
}

#[test]
fn after_every_kind_of_edit_a_rebuild_is_what_a_clean_build_makes() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    assert!(project.path(".hoclieu-cache/build/state").is_file(), "the build made its cache");
    let lesson = "content/an-toan/mat-khau-manh.md";
    type Step<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let steps: Vec<Step> = vec![
        ("nothing changed", Box::new(|| {})),
        ("text", Box::new(|| edit(&project, lesson, "Dùng cụm từ dài.", "Dùng cụm từ thật dài, dễ nhớ."))),
        ("title", Box::new(|| edit(&project, lesson, "title = \"Mật khẩu mạnh\"", "title = \"Mật khẩu thật mạnh\""))),
        (
            "front matter",
            Box::new(|| {
                edit(&project, lesson, "duration = 15", "duration = 25");
                edit(&project, lesson, "weight = 1", "weight = 9")
            }),
        ),
        ("an SVG", Box::new(|| edit(&project, "content/an-toan/so-do.svg", "<svg", "<svg data-x=\"1\""))),
        (
            "an image",
            Box::new(|| {
                let png = std::fs::read(crate::harness::fixture_dir("minimal").join("content/an-toan/hinh/anh.png"));
                let mut png = png.unwrap();
                // a different picture of the same size: one pixel of the first row
                let image = image::load_from_memory(&png).unwrap().to_rgba8();
                let mut image = image.clone();
                let pixel = image.get_pixel_mut(0, 0);
                pixel.0[0] = pixel.0[0].wrapping_add(128);
                png.clear();
                image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
                project.file("content/an-toan/hinh/anh.png", png);
            }),
        ),
        (
            "a new lesson",
            Box::new(|| {
                project.file(
                "content/an-toan/bai-moi.md",
                "+++\ntitle = \"Bài mới\"\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\nweight = 2\n+++\nNội dung [mật khẩu](mat-khau-manh.md).\n",
            );
            }),
        ),
        ("a lesson removed", Box::new(|| std::fs::remove_file(project.path("content/an-toan/bai-moi.md")).unwrap())),
        (
            "the theme",
            Box::new(|| {
                project.file("themes/default/static/style.css", "body { color: #123; }\n");
            }),
        ),
        (
            "book.toml",
            Box::new(|| edit(&project, "book.toml", "title = \"Học liệu thử\"", "title = \"Học liệu thử mới\"")),
        ),
        (
            "a translation",
            Box::new(|| {
                let path = "content/Giao tiếp số/Dùng Zalo an toàn.blt.md";
                let text = project.read(path);
                project.file(path, format!("{text}\nThêm một dòng.\n"));
            }),
        ),
    ];
    for (what, step) in steps {
        step();
        assert_same_as_clean(&project, what);
    }
}

#[test]
fn a_rebuild_writes_only_the_files_whose_bytes_changed() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    let first = stamps(&project.path("public"));
    project.run(&["build"]).success();
    let again = stamps(&project.path("public"));
    assert_eq!(touched(&first, &again), Vec::<String>::new(), "nothing changed, nothing was written");

    edit(&project, "content/an-toan/mat-khau-manh.md", "Dùng cụm từ dài.", "Dùng cụm từ thật dài.");
    let before = snapshot(&project.path("public"));
    project.run(&["build"]).success();
    let after = stamps(&project.path("public"));
    let changed_bytes: Vec<String> = {
        let now: BTreeMap<String, Vec<u8>> = snapshot(&project.path("public")).into_iter().collect();
        let was: BTreeMap<String, Vec<u8>> = before.into_iter().collect();
        now.iter().filter(|(p, b)| was.get(*p) != Some(b)).map(|(p, _)| p.clone()).collect()
    };
    assert!(changed_bytes.contains(&"vi/an-toan/mat-khau-manh/index.html".to_string()), "{changed_bytes:?}");
    assert_eq!(touched(&again, &after), changed_bytes, "written again: exactly the files whose bytes changed");
}

#[test]
fn a_damaged_or_foreign_cache_and_an_output_changed_by_hand_are_not_trusted() {
    let project = Project::fixture("minimal");
    let state = project.path(".hoclieu-cache/build/state");
    project.run(&["build"]).success();
    let whole = stamps(&project.path("public"));
    let cache = std::fs::read(&state).unwrap();

    // every way a cache can be wrong: each time the whole output is written again
    let newline = cache.iter().position(|&b| b == b'\n').unwrap();
    let body = String::from_utf8(cache[newline + 1..].to_vec()).unwrap();
    let format = String::from_utf8_lossy(&cache[..newline]).split(' ').nth(1).unwrap().to_string();
    let foreign_body = body.replacen(&format!("\"key\":\"{format} "), &format!("\"key\":\"{format} 0.0.0-other "), 1);
    assert_ne!(foreign_body, body);
    let foreign = {
        use sha2::Digest;
        let sum: String = sha2::Sha256::digest(foreign_body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        format!("hoclieu-build-cache {format} {sum}\n{foreign_body}").into_bytes()
    };
    let mut flipped = cache.clone();
    let last = flipped.len() - 10;
    flipped[last] ^= 0x20;
    let wrong: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", cache[..cache.len() / 2].to_vec()),
        ("one byte changed", flipped),
        ("not a cache", b"{}".to_vec()),
        ("another hoclieu's", foreign),
    ];
    let mut previous = whole;
    for (what, bytes) in wrong {
        std::fs::write(&state, bytes).unwrap();
        project.run(&["build"]).success();
        let now = stamps(&project.path("public"));
        let kept: Vec<&String> = now.iter().filter(|(p, s)| previous.get(*p) == Some(s)).map(|(p, _)| p).collect();
        assert!(kept.is_empty(), "{what}: files were kept from a cache not trusted: {kept:?}");
        assert_same_as_clean(&project, what);
        previous = stamps(&project.path("public"));
    }

    // a file of the output removed or edited by hand: the next build writes it back
    let page = "vi/an-toan/mat-khau-manh/index.html";
    std::fs::remove_file(project.path(&format!("public/{page}.gz"))).unwrap();
    assert_same_as_clean(&project, "a .gz removed by hand");
    project.file(&format!("public/{page}"), "sửa tay");
    assert_same_as_clean(&project, "a page edited by hand");

    // --clean writes everything again, and leaves a cache the next build uses
    let before = stamps(&project.path("public"));
    project.run(&["build", "--clean"]).success();
    let after = stamps(&project.path("public"));
    assert!(after.iter().all(|(p, s)| before.get(p) != Some(s)), "--clean kept files");
    project.run(&["build"]).success();
    assert_eq!(touched(&after, &stamps(&project.path("public"))), Vec::<String>::new());
}

#[test]
fn a_failed_rebuild_leaves_the_output_and_the_cache_as_they_were() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    let lesson = "content/an-toan/mat-khau-manh.md";
    edit(&project, lesson, "Dùng cụm từ dài.", "Dùng cụm từ dài. [Hỏng](khong-co.md)");
    let files = snapshot(&project.path("public"));
    let before = stamps(&project.path("public"));
    let outcome = project.run(&["build"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(files == snapshot(&project.path("public")), "a failed build changed the output");
    assert_eq!(touched(&before, &stamps(&project.path("public"))), Vec::<String>::new());
    // mended, the next build uses the cache and gives what a clean build gives
    edit(&project, lesson, " [Hỏng](khong-co.md)", " Đủ dài.");
    assert_same_as_clean(&project, "after a failed build");
    let after = stamps(&project.path("public"));
    assert!(after.iter().any(|(p, s)| before.get(p) == Some(s)), "the cache was not used after a failed build");
}

#[test]
fn no_cache_when_cache_dir_is_empty() {
    let project = Project::fixture("minimal");
    edit(&project, "book.toml", "[build]\n", "[build]\ncache_dir = \"\"\n");
    project.run(&["build"]).success();
    assert!(!project.path(".hoclieu-cache/build").exists());
    let first = stamps(&project.path("public"));
    project.run(&["build"]).success();
    let second = stamps(&project.path("public"));
    assert!(second.iter().all(|(p, s)| first.get(p) != Some(s)), "without a cache every file is written again");
}

/// The tallies of the search index's documents the build cache keeps for the default
/// language (`.hoclieu-cache/build/search-vi`).
const TALLIES: &str = ".hoclieu-cache/build/search-vi";

#[test]
fn the_search_index_is_made_again_from_the_tallies_kept_as_a_clean_build_makes_it() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    let tallies = project.path(TALLIES);
    assert!(tallies.is_file(), "the build kept the search index's tallies");
    let first = std::fs::read(&tallies).unwrap();
    let lesson = "content/an-toan/mat-khau-manh.md";
    type Step<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let steps: Vec<Step> = vec![
        ("text", Box::new(|| edit(&project, lesson, "Dùng cụm từ dài.", "Dùng cụm từ thật dài, dễ nhớ, lạ lùng."))),
        ("title", Box::new(|| edit(&project, lesson, "title = \"Mật khẩu mạnh\"", "title = \"Mật khẩu thật mạnh\""))),
        (
            "front matter",
            Box::new(|| {
                edit(&project, lesson, "summary = \"Tạo và giữ mật khẩu\"", "summary = \"Tạo, giữ và đổi mật khẩu\"");
                // its place among the documents changes
                edit(&project, lesson, "weight = 1", "weight = 9")
            }),
        ),
        (
            "a new lesson",
            Box::new(|| {
                project.file(
                    "content/an-toan/bai-moi.md",
                    "+++\ntitle = \"Bài mới\"\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\nweight = 2\n+++\nNội dung mới lạ về mật khẩu.\n",
                );
            }),
        ),
        ("a lesson removed", Box::new(|| std::fs::remove_file(project.path("content/an-toan/bai-moi.md")).unwrap())),
        // the tallies of an older build: the documents they hold still count
        ("older tallies", Box::new(|| std::fs::write(project.path(TALLIES), &first).unwrap())),
        ("text after older tallies", Box::new(|| edit(&project, lesson, "lạ lùng", "lạ lẫm"))),
    ];
    let mut previous = first.clone();
    for (what, step) in steps {
        step();
        assert_same_as_clean(&project, what);
        let now = std::fs::read(&tallies).unwrap();
        assert!(now != previous, "{what}: the tallies were not kept again");
        previous = now;
    }
}

/// LEB128, as the tallies file writes its numbers: the number at `data[*at..]`.
fn varint(data: &[u8], at: &mut usize) -> usize {
    let mut value = 0;
    for shift in (0..).step_by(7) {
        let byte = data[*at];
        *at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            break;
        }
    }
    value
}

/// `data` (a tallies file) with 50 words more in the title of every document and its
/// checksum made right again: a whole file that gives wrong scores.
fn mislengthed(data: &[u8]) -> Vec<u8> {
    let body = data.len() - 16;
    let records_end = u64::from_le_bytes(data[body - 8..body].try_into().unwrap()) as usize;
    // magic and format, the key, the vocabulary
    let mut at = 16 + 4;
    at += varint(data, &mut at);
    let terms: usize = (0..varint(data, &mut at)).map(|_| varint(data, &mut at)).sum();
    at += terms;
    let mut out = data[..body].to_vec();
    let mut records = 0;
    while at < records_end {
        let title = at + 16;
        let length = f32::from_le_bytes(out[title..title + 4].try_into().unwrap()) + 50.0;
        out[title..title + 4].copy_from_slice(&length.to_le_bytes());
        at = title + 16;
        at += varint(data, &mut at);
        records += 1;
    }
    assert!(records > 3, "{records} records");
    let sum = xxhash_rust::xxh3::xxh3_128(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

#[test]
fn damaged_tallies_are_not_used_and_clean_ignores_them() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    let tallies = project.path(TALLIES);
    let data = std::fs::read(&tallies).unwrap();
    let lesson = "content/an-toan/mat-khau-manh.md";
    let mut flipped = data.clone();
    flipped[data.len() / 2] ^= 0x20;
    let wrong: Vec<(&str, Vec<u8>)> = vec![
        ("cut short", data[..data.len() / 2].to_vec()),
        ("one byte changed", flipped),
        ("not a tallies file", b"{}".to_vec()),
    ];
    for (round, (what, bytes)) in wrong.into_iter().enumerate() {
        std::fs::write(&tallies, &bytes).unwrap();
        edit(&project, lesson, "cụm từ", &format!("cụm từ {round}"));
        assert_same_as_clean(&project, what);
        assert!(std::fs::read(&tallies).unwrap() != bytes, "{what}: the tallies were not made again");
    }

    // a whole file giving a wrong index: --clean does not read it...
    let data = std::fs::read(&tallies).unwrap();
    std::fs::write(&tallies, mislengthed(&data)).unwrap();
    edit(&project, lesson, "Dùng", "Hãy dùng");
    project.run(&["build", "--clean"]).success();
    assert_same_as_clean(&project, "--clean");
    // ... which a rebuild would (the test's file is a wrong one)
    let data = std::fs::read(&tallies).unwrap();
    std::fs::write(&tallies, mislengthed(&data)).unwrap();
    edit(&project, lesson, "Hãy dùng", "Nên dùng");
    project.run(&["build"]).success();
    let clean = built_clean(&project);
    assert!(snapshot(&project.path("public/search")) != snapshot(&clean.path("public/search")));
}

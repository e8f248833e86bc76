//! Hostile content and faults on the file system (issue 19): names from `book.toml` and
//! front matter that would lead out of the output, outputs and unpack targets that are
//! symlinks, leftovers of killed runs, FIFOs, symlink loops and control characters in file
//! names. hoclieu writes nothing outside the folders it makes, deletes nothing it did not
//! make, and says what is wrong with a hint.

use crate::harness::{snapshot, Project};
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The `minimal` fixture with `extra` appended to its book.toml.
fn with_book(extra: &str) -> Project {
    let project = Project::fixture("minimal");
    let book = project.read("book.toml");
    project.file("book.toml", format!("{book}\n{extra}\n"));
    project
}

/// Every file and folder name under `dir`, relative, sorted (for "nothing appeared").
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The id of a process that has ended.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().expect("run true");
    let pid = child.id();
    child.wait().unwrap();
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
    pid
}

#[test]
fn ids_in_book_toml_must_be_plain_names_so_nothing_is_written_outside_the_output() {
    // the diagnostic points into book.toml at the key, and names it
    for (table, extra, stderr) in [
        ("[languages.\"../victim\"]", "[languages.\"../victim\"]\nname = \"Kẻ gian\"\n", concat!("book.toml:28:12: error: [languages.\"../victim\"]: not a plain name\n", "  | [languages.\"../victim\"]\n", "  |            ^\n", "  hint: use only lowercase ASCII letters, digits and `-` (e.g. \"an-toan\"): it becomes the folder of the language's pages (vi/)\n", "build failed: 1 error, 0 warnings in <t> s\n")),
        ("[languages.\".\"]", "[languages.\".\"]\nname = \"Chấm\"\n", concat!("book.toml:28:12: error: [languages.\".\"]: not a plain name\n", "  | [languages.\".\"]\n", "  |            ^\n", "  hint: use only lowercase ASCII letters, digits and `-` (e.g. \"an-toan\"): it becomes the folder of the language's pages (vi/)\n", "build failed: 1 error, 0 warnings in <t> s\n")),
        ("[domains.\"../../victim\"]", "[domains.\"../../victim\"]\nname = \"Kẻ gian\"\n", concat!("book.toml:28:10: error: [domains.\"../../victim\"]: not a plain name\n", "  | [domains.\"../../victim\"]\n", "  |          ^\n", "  hint: use only lowercase ASCII letters, digits and `-` (e.g. \"an-toan\"): it becomes the folder of the domain's page (vi/linh-vuc/an-toan/)\n", "build failed: 1 error, 0 warnings in <t> s\n")),
        ("[groups.\"../victim\"]", "[groups.\"../victim\"]\nname = \"Kẻ gian\"\ndomains = [\"an-toan\"]\n", concat!("book.toml:28:9: error: [groups.\"../victim\"]: not a plain name\n", "  | [groups.\"../victim\"]\n", "  |         ^\n", "  hint: use only lowercase ASCII letters, digits and `-` (e.g. \"an-toan\"): it becomes the folder of the group's path (vi/nhom/nguoi-dan/)\n", "build failed: 1 error, 0 warnings in <t> s\n")),
        ("[groups.\"..\"]", "[groups.\"..\"]\nname = \"Hai chấm\"\n", concat!("book.toml:28:9: error: [groups.\"..\"]: not a plain name\n", "  | [groups.\"..\"]\n", "  |         ^\n", "  hint: use only lowercase ASCII letters, digits and `-` (e.g. \"an-toan\"): it becomes the folder of the group's path (vi/nhom/nguoi-dan/)\n", "build failed: 1 error, 0 warnings in <t> s\n")),
        ("[groups.\"\"]", "[groups.\"\"]\nname = \"Rỗng\"\n", concat!("book.toml:28:9: error: [groups.\"\"]: not a plain name\n", "  | [groups.\"\"]\n", "  |         ^\n", "  hint: use only lowercase ASCII letters, digits and `-` (e.g. \"an-toan\"): it becomes the folder of the group's path (vi/nhom/nguoi-dan/)\n", "build failed: 1 error, 0 warnings in <t> s\n")),
        ("[packs.\"../victim\"]", "[packs.\"../victim\"]\ngroups = [\"nguoi-dan\"]\n", concat!("book.toml:28:8: error: [packs.\"../victim\"]: not a plain name\n", "  | [packs.\"../victim\"]\n", "  |        ^\n", "  hint: use only lowercase ASCII letters, digits and `-` (e.g. \"an-toan\"): it becomes the name of the pack's zip (packs/hoclieu-can-bo.zip)\n", "build failed: 1 error, 0 warnings in <t> s\n")),
        ("[domains.\"An-Toan\"]", "[domains.\"An-Toan\"]\nname = \"Hoa\"\n", concat!("book.toml:28:10: error: [domains.\"An-Toan\"]: not a plain name\n", "  | [domains.\"An-Toan\"]\n", "  |          ^\n", "  hint: use only lowercase ASCII letters, digits and `-` (e.g. \"an-toan\"): it becomes the folder of the domain's page (vi/linh-vuc/an-toan/)\n", "build failed: 1 error, 0 warnings in <t> s\n")),
    ] {
        let project = with_book(extra);
        let before = names(project.root());
        project.test(&["build"]).code(1).stderr(stderr).run();
        assert_eq!(before, names(project.root()), "{table}: nothing was written");
        assert!(!project.root().parent().unwrap().join("victim").exists(), "{table}: nothing beside the project");
    }
}

#[test]
fn the_audio_of_a_lesson_must_be_a_file_name_next_to_it() {
    let project = Project::fixture("minimal");
    let lesson = project.read("content/an-toan/mat-khau-manh.md");
    for (audio, stderr) in [("../../book.toml", concat!("content/an-toan/mat-khau-manh.md:2:1: error: `audio` \"../../book.toml\" is not the name of a file next to the lesson\n", "  | audio = \"../../book.toml\"\n", "  | ^\n", "  hint: put the audio file in the lesson's folder and write only its name, e.g. audio = \"bai-doc.mp3\"\n", "build failed: 1 error, 0 warnings in <t> s\n")), ("/etc/passwd", concat!("content/an-toan/mat-khau-manh.md:2:1: error: `audio` \"/etc/passwd\" is not the name of a file next to the lesson\n", "  | audio = \"/etc/passwd\"\n", "  | ^\n", "  hint: put the audio file in the lesson's folder and write only its name, e.g. audio = \"bai-doc.mp3\"\n", "build failed: 1 error, 0 warnings in <t> s\n")), ("..", concat!("content/an-toan/mat-khau-manh.md:2:1: error: `audio` \"..\" is not the name of a file next to the lesson\n", "  | audio = \"..\"\n", "  | ^\n", "  hint: put the audio file in the lesson's folder and write only its name, e.g. audio = \"bai-doc.mp3\"\n", "build failed: 1 error, 0 warnings in <t> s\n")), ("hinh/../../gioi-thieu.md", concat!("content/an-toan/mat-khau-manh.md:2:1: error: `audio` \"hinh/../../gioi-thieu.md\" is not the name of a file next to the lesson\n", "  | audio = \"hinh/../../gioi-thieu.md\"\n", "  | ^\n", "  hint: put the audio file in the lesson's folder and write only its name, e.g. audio = \"bai-doc.mp3\"\n", "build failed: 1 error, 0 warnings in <t> s\n"))] {
        project.file(
            "content/an-toan/mat-khau-manh.md",
            lesson.replacen("+++\n", &format!("+++\naudio = \"{audio}\"\n"), 1),
        );
        project.test(&["build"]).code(1).stderr(stderr).run();
    }
}

#[test]
fn an_old_pack_with_a_hostile_version_cannot_put_the_update_outside_the_packs_folder() {
    let project = Project::fixture("packs");
    project.run(&["pack", "--id", "dan"]).success();
    // the old version's manifest says where the update's name comes from: make it a path
    let old = std::fs::read(project.path("packs/hoclieu-dan.zip")).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(old)).unwrap();
    let mut hostile = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        if name == "hoclieu-pack.json" {
            let mut manifest: serde_json::Value = serde_json::from_slice(&data).unwrap();
            manifest["version"] = "x/../../thoat".into();
            manifest["content_hash"] = "0".repeat(64).into();
            data = serde_json::to_vec(&manifest).unwrap();
        }
        hostile.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        hostile.write_all(&data).unwrap();
    }
    let hostile = hostile.finish().unwrap().into_inner();
    project.file("cu.zip", hostile);
    // the folder the version's first part names, so that `..` can be followed
    std::fs::create_dir_all(project.path("packs/hoclieu-dan-cap-nhat-x")).unwrap();
    project.test(&["pack", "--id", "dan", "--since", "cu.zip"]).code(2).stderr("error: refusing to write \"hoclieu-dan-cap-nhat-x/../../thoat-den-<date>-<hash>.zip\": it is not a plain path inside ./packs; nothing was replaced\n").run();
    let escaped: Vec<String> = names(project.root()).into_iter().filter(|n| n.contains("thoat")).collect();
    assert!(escaped.is_empty(), "written outside packs/: {escaped:?}");
}

#[test]
fn the_output_folder_may_not_be_inside_content_or_themes() {
    for (how, args, book, stderr) in [
        ("--out content/site", vec!["build", "--out", "content/site"], None, "error: the output folder content/site is inside content/: it would be read back as lessons and assets on the next build; choose a folder outside content/ and themes/, e.g. public\n"),
        ("--out ./content/../content/x", vec!["build", "--out", "./content/../content/x"], None, "error: the output folder ./content/../content/x is inside content/: it would be read back as lessons and assets on the next build; choose a folder outside content/ and themes/, e.g. public\n"),
        ("out_dir = \"themes/site\"", vec!["build"], Some("themes/site"), "error: the output folder ./themes/site is inside themes/: it would be read back as theme files on the next build; choose a folder outside content/ and themes/, e.g. public\n"),
        ("pack --out content/goi", vec!["pack", "--all", "--out", "content/goi"], None, "error: the packs folder content/goi is inside content/: it would be read back as lessons and assets on the next build; choose a folder outside content/ and themes/, e.g. public\n"),
    ] {
        let project = Project::fixture("packs");
        if let Some(out_dir) = book {
            let text = project.read("book.toml");
            project.file("book.toml", format!("{text}\n[build]\nout_dir = \"{out_dir}\"\n"));
        }
        let before = names(project.root());
        project.test(&args).code(2).stderr(stderr).run();
        assert_eq!(before, names(project.root()), "{how}: nothing was written");
    }
    // a symlink into content/ is found out too
    let project = Project::fixture("minimal");
    std::os::unix::fs::symlink(project.path("content/an-toan"), project.path("public")).unwrap();
    project.test(&["build"]).code(2).stderr("error: the output folder ./public is inside content/: it would be read back as lessons and assets on the next build; choose a folder outside content/ and themes/, e.g. public\n").run();
}

#[test]
fn a_symlinked_output_folder_is_replaced_where_it_really_is() {
    let project = Project::fixture("minimal");
    std::fs::create_dir_all(project.path("that/real")).unwrap();
    std::os::unix::fs::symlink(project.path("that/real/site"), project.path("public")).unwrap();
    // a symlink that leads nowhere is refused with a clear message
    project.test(&["build"]).code(2).stderr("error: ./public is a symlink that leads nowhere (No such file or directory (os error 2)); point it at a folder, or remove it\n").run();

    project.run(&["build", "--out", "that/real/site"]).success();
    project.file("that/real/ghi-chu.txt", "not hoclieu's");
    std::fs::remove_file(project.path("content/gioi-thieu.md")).unwrap();
    for _ in 0..3 {
        project.run(&["build"]).success();
    }
    let link = std::fs::symlink_metadata(project.path("public")).unwrap();
    assert!(link.file_type().is_symlink(), "public is still the link");
    assert!(project.path("that/real/site/vi/index.html").is_file());
    assert!(!project.path("that/real/site/vi/gioi-thieu").exists(), "the real folder was replaced, not left stale");
    assert_eq!(project.read("that/real/ghi-chu.txt"), "not hoclieu's", "files beside it are kept");
    let mut beside = names(&project.path("that/real"));
    beside.retain(|n| !n.contains('/'));
    assert_eq!(beside, ["", "ghi-chu.txt", "site"], "no temporary folder left");
    assert_eq!(names(&project.path("that/real/site")), names(&project.path("public")));

    // a link to a folder hoclieu did not make: refused, and every file in it kept
    std::fs::create_dir_all(project.path("tai-lieu")).unwrap();
    project.file("tai-lieu/quan-trong.txt", "giữ nguyên");
    std::fs::remove_file(project.path("public")).unwrap();
    std::os::unix::fs::symlink(project.path("tai-lieu"), project.path("public")).unwrap();
    project.test(&["build"]).code(2).stderr("error: refusing to replace <root>/tai-lieu: it was not made by hoclieu (no .hoclieu-output file); choose another --out or empty it\n").run();
    assert_eq!(names(&project.path("tai-lieu")), ["", "quan-trong.txt"]);
}

/// A pack zip of the `packs` fixture, made once per test.
fn pack_zip(project: &Project) -> String {
    project.run(&["pack", "--id", "dan"]).success();
    project.path("packs/hoclieu-dan.zip").display().to_string()
}

#[test]
fn a_symlinked_unpack_target_is_replaced_where_it_really_is() {
    let project = Project::fixture("packs");
    let zip = pack_zip(&project);
    std::fs::create_dir_all(project.path("usb")).unwrap();
    project.run(&["unpack", &zip, "usb/hoc-lieu"]).success();
    let unpacked = snapshot(&project.path("usb/hoc-lieu"));
    std::os::unix::fs::symlink(project.path("usb/hoc-lieu"), project.path("lop-hoc")).unwrap();
    for _ in 0..3 {
        project.run(&["unpack", &zip, "lop-hoc"]).success();
    }
    assert!(std::fs::symlink_metadata(project.path("lop-hoc")).unwrap().file_type().is_symlink());
    assert!(unpacked == snapshot(&project.path("usb/hoc-lieu")), "the real folder holds the pack");
    project.run(&["verify", "lop-hoc"]).success();
    assert_eq!(
        names(&project.path("usb")).iter().filter(|n| !n.contains('/')).count(),
        2,
        "{:?}",
        names(&project.path("usb"))
    );
}

#[test]
fn leftovers_of_killed_runs_are_recognised_by_their_marker_and_removed_by_the_next_run() {
    let project = Project::fixture("packs");
    let zip = pack_zip(&project);
    project.run(&["build"]).success();
    project.run(&["unpack", &zip, "lop"]).success();
    let dead: Vec<u32> = (0..4).map(|_| dead_pid()).collect();
    let alive = std::process::id();
    let leftover = |name: &str, files: &[(&str, &str)]| {
        std::fs::create_dir_all(project.path(name)).unwrap();
        for (file, text) in files {
            project.file(&format!("{name}/{file}"), text);
        }
    };
    // what killed builds leave: the new folder, the previous output moved aside (maybe
    // half removed: its marker goes last, and empty folders are nothing to keep)
    leftover(&format!(".public.new-{}", dead[0]), &[(".hoclieu-output", ""), ("vi/index.html", "nửa")]);
    leftover(&format!(".public.old-{}", dead[1]), &[(".hoclieu-output", ""), ("vi/index.html", "cũ")]);
    leftover(&format!(".public.old-{}", dead[2]), &[]);
    std::fs::create_dir_all(project.path(&format!(".public.old-{}/vi/an-toan", dead[2]))).unwrap();
    // what killed unpacks and packs leave
    leftover(&format!(".lop.unpack-{}", dead[0]), &[(".hoclieu-temp", ""), ("vi/index.html", "nửa")]);
    leftover(&format!(".lop.old-{}", dead[1]), &[("hoclieu-pack.json", "{}"), ("vi/index.html", "cũ")]);
    project.file(&format!("packs/.hoclieu-dan.zip.tmp-{}", dead[0]), "PK\x03\x04nửa");
    // not hoclieu's (no marker), or of a run still going: kept
    let foreign = format!(".public.new-{}", dead[3]);
    leftover(&foreign, &[("cua-ai.txt", "của ai đó")]);
    let running = format!(".public.new-{alive}");
    leftover(&running, &[(".hoclieu-output", "")]);
    let mut kept = vec![foreign.clone(), running];
    kept.sort();

    project.run(&["build"]).success();
    project.run(&["unpack", &zip, "lop"]).success();
    project.run(&["pack", "--id", "dan"]).success();

    // (the build cache is no leftover)
    let mut left: Vec<String> = names(project.root())
        .into_iter()
        .filter(|n| n.starts_with('.') && !n.contains('/') && n != ".hoclieu-cache")
        .collect();
    left.sort();
    assert_eq!(left, kept, "only what is not hoclieu's, or still in use, is left");
    assert_eq!(project.read(&format!("{foreign}/cua-ai.txt")), "của ai đó");
    let packs = names(&project.path("packs"));
    assert!(packs.iter().all(|n| !n.contains(".tmp-")), "{packs:?}");
    project.run(&["verify", "lop"]).success();
}

#[test]
fn a_fifo_or_a_device_in_content_is_refused_without_hanging_the_build() {
    // a FIFO as a lesson or an asset would hang the build
    for (fifo, stderr) in [
        (
            "content/an-toan/ong.md",
            concat!(
                "content/an-toan/ong.md: error: not an ordinary file: a named pipe (FIFO)\n",
                "  hint: hoclieu reads only ordinary files under content/: remove it, or put the file itself there\n",
                "build failed: 1 error, 0 warnings in <t> s\n"
            ),
        ),
        (
            "content/an-toan/hinh/ong.png",
            concat!(
                "content/an-toan/hinh/ong.png: error: not an ordinary file: a named pipe (FIFO)\n",
                "  hint: hoclieu reads only ordinary files under content/: remove it, or put the file itself there\n",
                "build failed: 1 error, 0 warnings in <t> s\n"
            ),
        ),
    ] {
        let project = Project::fixture("minimal");
        let status = Command::new("mkfifo").arg(project.path(fifo)).status().expect("mkfifo");
        assert!(status.success());
        project.test(&["build"]).within(Duration::from_secs(30)).code(1).stderr(stderr).run();
    }
    let project = Project::fixture("minimal");
    std::os::unix::fs::symlink("/dev/zero", project.path("content/an-toan/zero.md")).unwrap();
    project
        .test(&["build"])
        .within(Duration::from_secs(30))
        .code(1)
        .stderr(concat!(
            "content/an-toan/zero.md: error: symlink leaves the repository (to /dev/zero)\n",
            "  hint: copy the file into the repository instead of linking to it\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
}

#[test]
fn a_symlink_loop_in_content_gets_a_diagnostic_with_a_hint() {
    let project = Project::fixture("minimal");
    std::os::unix::fs::symlink("vong-b.md", project.path("content/an-toan/vong-a.md")).unwrap();
    std::os::unix::fs::symlink("vong-a.md", project.path("content/an-toan/vong-b.md")).unwrap();
    std::os::unix::fs::symlink("chinh-no", project.path("content/an-toan/chinh-no")).unwrap();
    project
        .test(&["build"])
        .within(Duration::from_secs(30))
        .code(1)
        .stderr(concat!(
            "content/an-toan/chinh-no: error: symlink loop: the link leads back to itself\n",
            "  hint: remove the link, or point it at the file itself (ls -l shows where it leads)\n",
            "content/an-toan/vong-a.md: error: symlink loop: the link leads back to itself\n",
            "  hint: remove the link, or point it at the file itself (ls -l shows where it leads)\n",
            "content/an-toan/vong-b.md: error: symlink loop: the link leads back to itself\n",
            "  hint: remove the link, or point it at the file itself (ls -l shows where it leads)\n",
            "build failed: 3 errors, 0 warnings in <t> s\n",
        ))
        .run();
}

#[test]
fn control_characters_in_file_names_are_escaped_in_diagnostics() {
    let project = Project::fixture("minimal");
    // a name that would turn the terminal red and move the cursor, and one written backwards
    let name = "content/an-toan/x\u{1b}[31m\u{1b}[2Ab\u{202e}dm.md";
    project.file(name, "+++\ntitle = 1\n+++\n");
    project.test(&["build"]).code(1).stderr(concat!(
            "content/an-toan/x\\u{1b}[31m\\u{1b}[2Ab\\u{202e}dm.md:2:9: error: `title` must be text in quotes, not the number 1\n",
            "  | title = 1\n",
            "  |         ^\n",
            "  hint: `title` takes text in quotes\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        )).run();
    // and in errors of the environment
    project
        .test(&["build", "--root", "khong-co\u{1b}[2J"])
        .code(2)
        .stderr("error: no book.toml in khong-co\\u{1b}[2J: run hoclieu in a content repository, or pass --root DIR\n")
        .run();
}

#[test]
fn the_theme_is_a_plain_name_of_a_folder_in_themes() {
    let project = Project::fixture("minimal");
    let book = project.read("book.toml");
    let with_theme =
        |theme: &str| project.file("book.toml", book.replace("[build]", &format!("[build]\ntheme = \"{theme}\"")));
    assert!(book.contains("[build]"));

    with_theme("../../x");
    project.test(&["build"]).code(1).stderr(concat!(
            "book.toml:7:9: error: [build] theme = \"../../x\": not a plain name\n",
            "  | theme = \"../../x\"\n",
            "  |         ^\n",
            "  hint: use only lowercase ASCII letters, digits and `-` (e.g. \"an-toan\"): the theme is the folder themes/<name>/ of the repository\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        )).run();

    with_theme("truong-hoc");
    // a missing theme is an error, not the default
    project.test(&["build"]).code(1).stderr(concat!(
            "book.toml:7:9: error: [build] theme \"truong-hoc\": there is no folder themes/truong-hoc/\n",
            "  | theme = \"truong-hoc\"\n",
            "  |         ^\n",
            "  hint: create themes/truong-hoc/ with templates/ or static/ in it, or remove `theme` to use the built-in theme\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        )).run();
    assert!(!project.path("public").exists());

    std::fs::create_dir_all(project.path("themes/truong-hoc")).unwrap();
    project.run(&["build"]).success();
    with_theme("default");
    project.run(&["build"]).success();
}

#[test]
fn search_limit_is_clamped() {
    let project = Project::fixture("search");
    for limit in ["18446744073709551615", "0", "5000"] {
        let outcome = project.test(&["search", "mat", "khau", "--limit", limit]).within(Duration::from_secs(60)).run();
        assert!(outcome.stdout.contains("1. "), "--limit {limit}: {}", outcome.stdout);
    }
}

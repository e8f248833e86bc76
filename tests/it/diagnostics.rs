//! A site with many distinct mistakes: every one is reported, in one run, at its exact
//! `file:line:col`, with a hint, and nothing is written.

use crate::harness::{Lesson, Project, BOOK};

/// The `path:line:col: severity: message` lines of stderr.
fn headlines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("content/") || l.starts_with("book.toml")).collect()
}

#[test]
fn every_mistake_is_reported_at_its_place_in_one_run() {
    let project = Project::fixture("broken");
    // Made here, not committed: a symlink out of the repository and an oversized file.
    std::os::unix::fs::symlink("/etc/hostname", project.path("content/khoa/ngoai.md")).unwrap();
    let big = std::fs::File::create(project.path("content/khoa/video.mp4")).unwrap();
    big.set_len(11 * 1024 * 1024).unwrap();

    let outcome = project.run(&["build"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert_eq!(
        headlines(&outcome.stderr),
        [
            "content/khoa/chua-dong.md:1:1: error: front matter opened with `+++` is never closed",
            "content/khoa/front-matter.md:1:1: error: missing `title`",
            "content/khoa/front-matter.md:2:1: error: unknown front matter key `titel`",
            "content/khoa/front-matter.md:3:23: error: unknown domain \"an-toam\"",
            "content/khoa/front-matter.md:4:11: error: unknown group \"nguoi-dam\"",
            "content/khoa/front-matter.md:5:9: error: unknown level \"kho\"",
            "content/khoa/latin1.md:2:18: error: file is not valid UTF-8",
            "content/khoa/lien-ket.md:8:5: error: link to missing page \"content/khoa/khong-co.md\"",
            "content/khoa/lien-ket.md:8:34: error: no heading \"#phan-mot-sai\" in content/khoa/lien-ket.md",
            "content/khoa/lien-ket.md:9:4: error: no heading \"#cai-dat-sai\" in content/khoa/dung.md",
            "content/khoa/lien-ket.md:11:1: error: image \"content/khoa/thieu.png\" not found",
            "content/khoa/lien-ket.md:13:1: warning: link scheme `javascript:` is not allowed: the link is shown as text",
            "content/khoa/lien-ket.md:13:37: error: link \"/vi/index.html\" starts with `/`",
            "content/khoa/lien-ket.md:15:1: warning: image has no alt text",
            "content/khoa/ngoai.md: error: symlink leaves the repository (to /etc/hostname)",
            "content/khoa/thoi-luong.md:5:12: error: `duration` must be a whole number, not the text \"mười\"",
            "content/khoa/toml-sai.md:2:25: error: the text of `title` is not closed: its closing quote is missing",
            "content/khoa/video.mp4: error: file is 11.5 MB, over the 10 MB limit",
            "content/khoa/yaml.md:5:8: error: unknown level \"kho-qua\"",
        ]
    );
    assert_eq!(
        project.normalise(outcome.stderr.lines().last().unwrap()),
        "build failed: 17 errors, 2 warnings in <t> s"
    );
    assert!(!project.path("public").exists(), "nothing is written when there are errors");
}

#[test]
fn a_diagnostic_shows_the_line_a_caret_and_a_hint() {
    let project = Project::fixture("broken");
    // every diagnostic, in order, each with its line, a caret at its column and a hint
    project.test(&["build"]).code(1).stderr(concat!(
            "content/khoa/chua-dong.md:1:1: error: front matter opened with `+++` is never closed\n",
            "  | +++\n",
            "  | ^\n",
            "  hint: end the front matter with a line holding only `+++`\n",
            "content/khoa/front-matter.md:1:1: error: missing `title`\n",
            "  | +++\n",
            "  | ^\n",
            "  hint: add a line `title = \"…\"` to the front matter\n",
            "content/khoa/front-matter.md:2:1: error: unknown front matter key `titel`\n",
            "  | titel = \"Sai khóa\"\n",
            "  | ^\n",
            "  hint: did you mean `title`? known keys: title, summary, domains, groups, level, duration, weight, objectives, audio, draft, source_hash, review\n",
            "content/khoa/front-matter.md:3:23: error: unknown domain \"an-toam\"\n",
            "  | domains = [\"an-toan\", \"an-toam\"]\n",
            "  |                       ^\n",
            "  hint: did you mean \"an-toan\"?\n",
            "content/khoa/front-matter.md:4:11: error: unknown group \"nguoi-dam\"\n",
            "  | groups = [\"nguoi-dam\"]\n",
            "  |           ^\n",
            "  hint: did you mean \"nguoi-dan\"?\n",
            "content/khoa/front-matter.md:5:9: error: unknown level \"kho\"\n",
            "  | level = \"kho\"\n",
            "  |         ^\n",
            "  hint: use one of co-ban, nang-cao, chuyen-sau\n",
            "content/khoa/latin1.md:2:18: error: file is not valid UTF-8\n",
            "  | title = \"Latin-1 �\"\n",
            "  |                  ^\n",
            "  hint: save the file as UTF-8 (in most editors: Save with Encoding → UTF-8)\n",
            "content/khoa/lien-ket.md:8:5: error: link to missing page \"content/khoa/khong-co.md\"\n",
            "  | Xem [bài không có](khong-co.md), [mục sai](#phan-mot-sai)\n",
            "  |     ^\n",
            "  hint: check the file name; links use the path of the .md file relative to this one\n",
            "content/khoa/lien-ket.md:8:34: error: no heading \"#phan-mot-sai\" in content/khoa/lien-ket.md\n",
            "  | Xem [bài không có](khong-co.md), [mục sai](#phan-mot-sai)\n",
            "  |                                  ^\n",
            "  hint: did you mean \"#phan-mot\"?\n",
            "content/khoa/lien-ket.md:9:4: error: no heading \"#cai-dat-sai\" in content/khoa/dung.md\n",
            "  | và [mục ở bài khác](dung.md#cai-dat-sai).\n",
            "  |    ^\n",
            "  hint: did you mean \"#cai-dat\"?\n",
            "content/khoa/lien-ket.md:11:1: error: image \"content/khoa/thieu.png\" not found\n",
            "  | ![Hình thiếu](thieu.png)\n",
            "  | ^\n",
            "  hint: put the file next to the lesson and check its name (names are case-sensitive)\n",
            "content/khoa/lien-ket.md:13:1: warning: link scheme `javascript:` is not allowed: the link is shown as text\n",
            "  | [Bấm vào](javascript:alert(1)) hoặc [tuyệt đối](/vi/index.html).\n",
            "  | ^\n",
            "  hint: link to an http(s) address, an email (mailto:) or a phone number (tel:)\n",
            "content/khoa/lien-ket.md:13:37: error: link \"/vi/index.html\" starts with `/`\n",
            "  | [Bấm vào](javascript:alert(1)) hoặc [tuyệt đối](/vi/index.html).\n",
            "  |                                     ^\n",
            "  hint: link by relative path to the Markdown file, e.g. ../an-toan/mat-khau-manh.md, so the site works from any folder and from file://\n",
            "content/khoa/lien-ket.md:15:1: warning: image has no alt text\n",
            "  | ![](dung.svg)\n",
            "  | ^\n",
            "  hint: describe what the image shows: ![Sơ đồ các bước đăng nhập](hinh.png)\n",
            "content/khoa/thoi-luong.md:5:12: error: `duration` must be a whole number, not the text \"mười\"\n",
            "  | duration = \"mười\"\n",
            "  |            ^\n",
            "  hint: `duration` takes a whole number of minutes: duration = 15\n",
            "content/khoa/toml-sai.md:2:25: error: the text of `title` is not closed: its closing quote is missing\n",
            "  | title = \"Thiếu dấu ngoặc\n",
            "  |                         ^\n",
            "  hint: close the text with its quote on the same line; for several lines use \"\"\"…\"\"\"\n",
            "content/khoa/yaml.md:5:8: error: unknown level \"kho-qua\"\n",
            "  | level: kho-qua\n",
            "  |        ^\n",
            "  hint: use one of co-ban, nang-cao, chuyen-sau\n",
            "build failed: 15 errors, 2 warnings in <t> s\n",
        )).run();
}

#[test]
fn check_reports_the_same_problems_as_json_without_writing() {
    let project = Project::fixture("broken");
    let outcome = project.run(&["check", "--format", "json"]);
    assert_eq!(outcome.code, 1);
    let problems: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("valid JSON");
    let problems = problems.as_array().unwrap();
    assert_eq!(problems.len(), 17);
    let level = problems.iter().find(|p| p["message"] == "unknown level \"kho\"").unwrap();
    assert_eq!(level["file"], "content/khoa/front-matter.md");
    assert_eq!((level["line"].as_u64(), level["col"].as_u64()), (Some(5), Some(9)));
    assert_eq!(level["severity"], "error");
    assert_eq!(level["hint"], "use one of co-ban, nang-cao, chuyen-sau");
    assert!(!project.path("public").exists());
}

#[test]
fn positions_count_characters_in_decomposed_vietnamese_text() {
    // "Liên kết" typed with combining accents (NFD): the column still counts letters.
    let project = Project::fixture("minimal");
    let nfd = "Lie\u{0302}n ke\u{0302}\u{0301}t [ho\u{0309}ng](khong-co.md)";
    project.lesson("content/an-toan/nfd.md", &Lesson::new("NFD").body(&format!("{nfd}\n")));
    project
        .test(&["build"])
        .code(1)
        .stderr(concat!(
            "content/an-toan/nfd.md:6:10: error: link to missing page \"content/an-toan/khong-co.md\"\n",
            "  | Liên kết [hỏng](khong-co.md)\n",
            "  |          ^\n",
            "  hint: check the file name; links use the path of the .md file relative to this one\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
}

#[test]
fn config_errors_name_the_key_and_the_valid_ones() {
    let project = Project::fixture("minimal");
    let config = project.read("book.toml").replace("precompress = true", "precompres = true");
    project.file("book.toml", config);
    project
        .test(&["build"])
        .code(1)
        .stderr(concat!(
            "book.toml:7:1: error: unknown key `precompres`\n",
            "  | precompres = true\n",
            "  | ^\n",
            "  hint: valid keys here: `out_dir`, `precompress`, `theme`, `packs`, `cache_dir`\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
}

#[test]
fn anchors_are_checked_whatever_they_start_with_and_footnotes_are_anchors() {
    // Before, every anchor starting with `fn` or `fr` passed unchecked (meant for footnotes),
    // while links to real footnotes, whose anchors are their labels, were refused.
    let project = Project::empty();
    project.file("book.toml", BOOK).file("content/k/_index.md", "+++\ntitle = \"Khoá\"\n+++\n");
    let notes = "Chú thích[^ghi-chu] và[^1].\n\n[^ghi-chu]: Hai.\n[^1]: Một.\n\nXem [ghi chú](#ghi-chu), [một](#1)";
    let bad = format!("{notes}, [khung hình](#frame-rate), [hàm](#fn-main), [tham chiếu](#fnref-1).\n");
    project.lesson("content/k/bai.md", &Lesson::new("Bài").body(&bad));
    let hint = "  hint: anchors are the heading text in ASCII: ## Xác thực hai bước → #xac-thuc-hai-buoc\n";
    let line =
        "  | Xem [ghi chú](#ghi-chu), [một](#1), [khung hình](#frame-rate), [hàm](#fn-main), [tham chiếu](#fnref-1).\n";
    project
        .test(&["build"])
        .code(1)
        .stderr(&format!(
            "content/k/bai.md:11:37: error: no heading \"#frame-rate\" in content/k/bai.md\n{line}  |                                     ^\n{hint}\
             content/k/bai.md:11:64: error: no heading \"#fn-main\" in content/k/bai.md\n{line}  |                                                                ^\n{hint}\
             content/k/bai.md:11:81: error: no heading \"#fnref-1\" in content/k/bai.md\n{line}  |                                                                                 ^\n{hint}\
             build failed: 3 errors, 0 warnings in <t> s\n"
        ))
        .run();

    project.lesson("content/k/bai.md", &Lesson::new("Bài").body(&format!("{notes}.\n")));
    project.test(&["build"]).run();
    let html = project.read("public/vi/k/bai/index.html");
    assert!(html.contains("<a href=\"#ghi-chu\">ghi chú</a>, <a href=\"#1\">một</a>"), "{html}");
}

#[test]
fn html_the_sanitiser_removes_is_reported_not_lost() {
    // A lesson about Rust written the way a Rust book is: `Vec<T>` outside backticks is an
    // HTML tag to Markdown, and the sanitiser would drop it without a word.
    let project = Project::empty();
    project.file("book.toml", BOOK);
    project.file("content/k/_index.md", "+++\ntitle = \"Khoá\"\n+++\n");
    project.lesson(
        "content/k/bai.md",
        &Lesson::new("Vec và lát cắt").body(concat!(
            "## Vec vs &[T]\n\n",
            "Hàm nhận Vec<T> hay &[T]? Cả HashMap<K, V> nữa.\n\n",
            "<a href=\"#\" onclick=\"chamDiem()\">Chấm</a>\n",
        )),
    );
    project.test(&["build"]).stderr(concat!(
            "content/k/bai.md:8:13: warning: `<T>` is left out of the page: it reads as an HTML tag, which hoclieu does not keep\n",
            "  | Hàm nhận Vec<T> hay &[T]? Cả HashMap<K, V> nữa.\n",
            "  |             ^\n",
            "  hint: `<T>` is not an HTML tag hoclieu keeps: write `Vec<T>` in backticks\n",
            "content/k/bai.md:10:1: warning: attribute `onclick` of `<a>` is left out: lessons run no script\n",
            "  | <a href=\"#\" onclick=\"chamDiem()\">Chấm</a>\n",
            "  | ^\n",
            "  hint: remove it; for questions, write a ```quiz block\n",
        )).run();
    let html = project.read("public/vi/k/bai/index.html");
    assert!(html.contains("Hàm nhận Vec hay &amp;[T]? Cả HashMap&lt;K, V&gt; nữa."), "what was warned about: {html}");

    // with `[markdown] unsafe_html = true` nothing is removed, and nothing is said
    project.file("book.toml", format!("{BOOK}[markdown]\nunsafe_html = true\n"));
    project.test(&["build"]).stderr("").run();
    assert!(project.read("public/vi/k/bai/index.html").contains("Vec<T>"));
}

//! What the default theme adds around the content: budgets, print pages, fonts per script,
//! sharing cards, the enhancement script.

use crate::harness::{Lesson, Project};

/// Text that compresses badly, so a page really is heavy once compressed.
fn noisy_paragraphs(kilobytes: usize) -> String {
    let mut state: u64 = 42;
    let mut text = String::new();
    while text.len() < kilobytes * 1024 {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let word: String = (0..6).map(|i| (b'a' + ((state >> (i * 5)) % 26) as u8) as char).collect();
        text.push_str(&word);
        text.push(if state.is_multiple_of(11) { '\n' } else { ' ' });
        if state.is_multiple_of(97) {
            text.push('\n');
        }
    }
    text
}

fn heavy_lesson(project: &Project) {
    project.lesson("content/an-toan/nang.md", &Lesson::new("Bài nặng").front("weight = 9").body(&noisy_paragraphs(40)));
}

#[test]
fn a_page_over_budget_is_a_warning_naming_page_and_bytes() {
    let project = Project::fixture("minimal");
    heavy_lesson(&project);
    let outcome = project.run(&["build"]);
    outcome.success();
    let warning = outcome.stderr.lines().next().unwrap_or_default();
    assert!(
        warning.starts_with("content/an-toan/nang.md: warning: page vi/an-toan/nang/index.html needs ")
            && warning.ends_with(" KB), over the 20 KB budget"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stdout.contains(", 1 warning"), "{}", outcome.stdout);
    assert!(project.path("public/vi/an-toan/nang/index.html").is_file(), "warnings do not stop the build");
    // The other pages are within budget: exactly one warning.
    assert_eq!(outcome.stderr.matches("warning:").count(), 1, "{}", outcome.stderr);
}

#[test]
fn strict_makes_budgets_errors_and_writes_nothing() {
    let project = Project::fixture("minimal");
    heavy_lesson(&project);
    let outcome = project.run(&["build", "--strict"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(outcome.stderr.contains("content/an-toan/nang.md: error: page vi/an-toan/nang/index.html needs "));
    assert!(!project.path("public").exists());
    let check = project.run(&["check", "--strict"]);
    assert_eq!(check.code, 1);
    let check = project.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stderr.contains("warning: page vi/an-toan/nang/index.html needs "), "check measures budgets too");
}

#[test]
fn nothing_is_ever_loaded_from_another_host() {
    let project = Project::fixture("minimal");
    let lesson = Lesson::new("Ngoài");
    project.lesson("content/an-toan/ngoai.md", &lesson.clone().body("![Logo](https://example.org/logo.png)\n"));
    project
        .test(&["build"])
        .code(1)
        .stderr(concat!(
            "content/an-toan/ngoai.md:6:1: error: image \"https://example.org/logo.png\" is loaded from another host\n",
            "  | ![Logo](https://example.org/logo.png)\n",
            "  | ^\n",
            "  hint: save the image next to the lesson and link it by file name: pages must work offline\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
    // Raw HTML is caught in the rendered page.
    project.lesson(
        "content/an-toan/ngoai.md",
        &lesson.body("<video src=\"https://example.org/v.mp4\" controls></video>\n"),
    );
    project.test(&["build"]).code(1).stderr(concat!(
            "blt/an-toan/ban-in/index.html: error: page blt/an-toan/ban-in/index.html loads https://example.org/v.mp4 from another host\n",
            "  hint: put the file in the repository next to the lesson: pages must work offline and cost learners nothing extra\n",
            "content/an-toan/ngoai.md: error: page vi/an-toan/ngoai/index.html loads https://example.org/v.mp4 from another host\n",
            "  hint: put the file in the repository next to the lesson: pages must work offline and cost learners nothing extra\n",
            "vi/an-toan/ban-in/index.html: error: page vi/an-toan/ban-in/index.html loads https://example.org/v.mp4 from another host\n",
            "  hint: put the file in the repository next to the lesson: pages must work offline and cost learners nothing extra\n",
            "build failed: 3 errors, 0 warnings in <t> s\n",
        )).run();
}

#[test]
fn a_theme_template_that_loads_from_another_host_is_refused() {
    let project = Project::fixture("minimal");
    let base =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates/base.html")).unwrap();
    let base = base.replace("</head>", "<script src=\"https://cdn.example/track.js\"></script>\n</head>");
    project.file("themes/default/templates/base.html", &base);
    let outcome = project.run(&["build"]);
    assert_eq!(outcome.code, 2, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("template base.html loads https://cdn.example/track.js from another host"),
        "{}",
        outcome.stderr
    );
    assert!(!project.path("public").exists(), "nothing is written");
}

#[test]
fn each_course_has_a_print_page_with_all_lessons_in_order() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    let course = project.read("public/vi/an-toan/index.html");
    assert!(course.contains(r#"<a href="ban-in/index.html">"#), "{course}");
    let print = project.read("public/vi/an-toan/ban-in/index.html");
    let first = print.find(r#"<h2 id="mat-khau-manh">1. Mật khẩu mạnh</h2>"#).expect("first lesson");
    let second = print.find(r#"<h2 id="lua-dao-qua-mang">2. Nhận biết lừa đảo qua mạng</h2>"#).expect("second lesson");
    assert!(first < second);
    // heading ids are prefixed per lesson, and same-page anchors follow
    assert!(print.contains(r#"<h2 id="mat-khau-manh-tao-mat-khau">"#), "{print}");
    assert!(print.contains(r##"<a href="#mat-khau-manh-tao-mat-khau">đầu bài</a>"##), "{print}");
    assert!(print.contains(r#"<img src="../../../media/an-toan/so-do.svg""#), "images resolve from the print page too");
}

#[test]
fn a_lesson_may_not_take_the_print_page_address() {
    let project = Project::fixture("minimal");
    project.lesson("content/an-toan/ban-in.md", &Lesson::new("Bản in"));
    project.test(&["build"]).code(1).stderr(concat!(
            "content/an-toan/ban-in.md: error: gives the same address \"vi/an-toan/ban-in/index.html\" as content/an-toan/_index.md\n",
            "  hint: `ban-in` is the address of the section's print page: rename the lesson or folder\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        )).run();
}

#[test]
fn tai_viet_pages_get_the_shipped_font_and_latin_pages_do_not() {
    let project = Project::fixture("minimal");
    project.run(&["build", "--out", "latin"]).success();
    let home = project.read("latin/vi/index.html");
    assert!(!home.contains("@font-face"), "Vietnamese pages use system fonts");
    assert!(!std::fs::read_dir(project.path("latin/assets")).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".woff2")));

    let config = project.read("book.toml").replace(
        "[languages.blt]\nname = \"Tiếng Thái\"\ntag = \"blt-Latn\"",
        "[languages.blt]\nname = \"Tiếng Thái\"\ntag = \"blt-Tavt\"\nscript = \"Tavt\"",
    );
    let config = config.replace("default_language = \"vi\"", "default_language = \"blt\"");
    project.file("book.toml", config);
    // files without a language suffix are in the default language, now Thái
    project.file("content/_index.md", "+++\ntitle = \"ꪁꪫꪱꪣ ꪼꪕ\"\n+++\n");
    // with Thái as the default language its files are sources and need their own ids
    std::fs::remove_file(project.path("content/Giao tiếp số/Dùng Zalo an toàn.blt.md")).unwrap();
    project.run(&["build", "--out", "tavt"]).success();
    let home = project.read("tavt/blt/index.html");
    assert!(home.contains(r#"<html lang="blt-Tavt">"#), "{home}");
    let font = home.split("src:url(\"").nth(1).and_then(|s| s.split('"').next()).expect("an @font-face url");
    assert!(font.starts_with("../assets/noto-sans-tai-viet.") && font.ends_with(".woff2"), "{font}");
    let bytes = std::fs::read(project.path("tavt/blt").join(font)).unwrap();
    assert_eq!(&bytes[..4], b"wOF2");
    assert!(project.path("tavt/assets/noto-sans-tai-viet.OFL.txt").is_file(), "the licence ships with the font");
}

#[test]
fn pages_carry_sharing_cards() {
    let project = Project::fixture("minimal");
    project.run(&["build", "--out", "plain"]).success();
    let lesson = project.read("plain/vi/an-toan/mat-khau-manh/index.html");
    assert!(lesson.contains(r#"<meta property="og:title" content="Mật khẩu mạnh">"#));
    assert!(lesson.contains(r#"<meta property="og:description" content="Tạo và giữ mật khẩu">"#));
    assert!(lesson.contains(r#"<meta property="og:locale" content="vi_VN">"#));
    assert!(!lesson.contains("og:image"), "without base_url there is no absolute address for the picture");

    let config = project.read("book.toml").replace("[site]\n", "[site]\nbase_url = \"https://hoclieu.example.vn\"\n");
    project.file("book.toml", config);
    project.run(&["build", "--out", "shared"]).success();
    let lesson = project.read("shared/vi/an-toan/mat-khau-manh/index.html");
    assert!(
        lesson.contains(r#"<meta property="og:url" content="https://hoclieu.example.vn/vi/an-toan/mat-khau-manh/">"#),
        "{lesson}"
    );
    let image = lesson.split(r#"<meta property="og:image" content="https://hoclieu.example.vn/"#).nth(1).unwrap();
    let image = image.split('"').next().unwrap();
    assert!(project.path("shared").join(image).is_file(), "{image}");
}

#[test]
fn the_enhancement_script_is_small_and_deferred() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    let lesson = project.read("public/vi/an-toan/mat-khau-manh/index.html");
    let script = lesson.split(r#"<script src=""#).nth(1).unwrap().split('"').next().unwrap();
    assert!(lesson.contains(&format!(r#"<script src="{script}" defer></script>"#)));
    let size =
        std::fs::metadata(project.path("public/vi/an-toan/mat-khau-manh").join(format!("{script}.gz"))).unwrap().len();
    // text size, the header's search and menu boxes, learned lessons, quizzes, the search
    // loader, the service worker's registration and the data saver (which must run before
    // lazy images load, so it cannot load later): about 2.6 KB gzipped, as a LAN server
    // sends it (the search code loads only when the box is used, the save button's code
    // only on course and path pages)
    assert!(size < 2700, "the script is {size} bytes compressed");
    assert!(
        lesson.contains(r#"<div class="textsize" role="group" aria-label="Cỡ chữ" hidden>"#),
        "hidden until the script shows it"
    );
}

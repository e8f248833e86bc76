//! The minimal site builds into the documented layout, with Vietnamese file names, drafts,
//! translations kept aside, and precompressed siblings.

use crate::harness::{Lesson, Project};

#[test]
fn minimal_site_builds_into_the_documented_layout() {
    let project = Project::fixture("minimal");
    // a clean build prints no diagnostics
    let outcome = project.test(&["build"]).run();
    // 7 pages in each of the 2 languages
    assert!(outcome.stdout.starts_with("built 14 pages in "), "{}", outcome.stdout);
    for path in [
        "public/index.html",
        "public/vi/index.html",
        "public/vi/an-toan/index.html",
        "public/vi/an-toan/mat-khau-manh/index.html",
        "public/vi/gioi-thieu/index.html",
        "public/media/an-toan/so-do.svg",
        "public/.hoclieu-output",
    ] {
        assert!(project.path(path).is_file(), "missing {path}");
    }
    // a PNG becomes WebP variants; the file itself is written only when a page links to it
    assert!(!project.path("public/media/an-toan/hinh/anh.png").exists());
}

#[test]
fn vietnamese_file_and_folder_names_get_ascii_slugs() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    // "Giao tiếp số/Dùng Zalo an toàn.md" and "Lừa đảo qua mạng.md"
    let zalo = project.read("public/vi/giao-tiep-so/dung-zalo-an-toan/index.html");
    assert!(zalo.contains("<h1>Dùng Zalo an toàn</h1>"));
    assert!(zalo.contains(r#"<a href="../../an-toan/lua-dao-qua-mang/index.html">bài lừa đảo</a>"#), "{zalo}");
    assert!(project.path("public/vi/an-toan/lua-dao-qua-mang/index.html").is_file());
}

#[test]
fn two_files_with_the_same_slug_are_an_error_naming_both() {
    let project = Project::fixture("minimal");
    project.lesson("content/an-toan/Mật khẩu mạnh.md", &Lesson::new("Trùng"));
    project.test(&["build"]).code(1).stderr(concat!(
            "content/an-toan/mat-khau-manh.md: error: gives the same address \"mat-khau-manh\" as content/an-toan/Mật khẩu mạnh.md\n",
            "  hint: rename one of the two files\n",
            "content/an-toan/mat-khau-manh.md: error: gives the same address \"vi/an-toan/mat-khau-manh/index.html\" as content/an-toan/Mật khẩu mạnh.md\n",
            "  hint: rename one of the two\n",
            "build failed: 2 errors, 0 warnings in <t> s\n",
        )).run();
}

#[test]
fn drafts_are_skipped_unless_asked_for() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    assert!(!project.path("public/vi/an-toan/nhap/index.html").exists());
    let outcome = project.test(&["build", "--drafts"]).run();
    assert!(outcome.stdout.starts_with("built 16 pages"), "{}", outcome.stdout);
    assert!(project.path("public/vi/an-toan/nhap/index.html").is_file());
}

#[test]
fn lessons_are_ordered_with_previous_and_next_and_breadcrumbs() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    let course = project.read("public/vi/an-toan/index.html");
    let first = course.find("mat-khau-manh/index.html").unwrap();
    let second = course.find("lua-dao-qua-mang/index.html").unwrap();
    assert!(first < second, "weight 1 before weight 2");
    let lesson = project.read("public/vi/an-toan/lua-dao-qua-mang/index.html");
    assert!(lesson.contains(r#"<a rel="prev" href="../mat-khau-manh/index.html">"#), "{lesson}");
    assert!(!lesson.contains(r#"rel="next""#));
    assert!(lesson.contains(
        "<li><a href=\"../../index.html\">Trang chủ</a></li>\n<li><a href=\"../index.html\">An toàn thông tin</a></li>\n<li aria-current=\"page\">Nhận biết lừa đảo qua mạng</li>"
    ));
}

#[test]
fn markdown_features_render() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    let html = project.read("public/vi/an-toan/mat-khau-manh/index.html");
    for want in [
        r#"<h2 id="tao-mat-khau">Tạo mật khẩu</h2>"#,
        r#"<h2 id="tao-mat-khau-2">Tạo mật khẩu</h2>"#,
        r#"<a href="../../giao-tiep-so/dung-zalo-an-toan/index.html#cai-dat">Zalo</a>"#,
        // the first image of a page is not lazy
        r#"<img src="../../../media/an-toan/so-do.svg" alt="Sơ đồ ba bước tạo mật khẩu" width="320" height="120" decoding="async""#,
        // a PNG is offered as WebP variants (here one: it is 40 px wide)
        r#"<img src="../../../media/an-toan/hinh/anh.40."#,
        r#"sizes="(max-width: 42rem) calc(100vw - 2rem), 40rem" width="40" height="30" alt="Ảnh chụp màn hình cài đặt""#,
        "<table>",
        r#"<pre class="hl"><code class="language-bash">"#,
        r#"<html lang="vi">"#,
    ] {
        assert!(html.contains(want), "missing {want}");
    }
    assert!(!html.contains("style="), "no inline styles");
}

/// A lesson whose page is larger than gzip's 32 KB window.
pub fn long_lesson() -> String {
    let paragraph = "Mật khẩu mạnh là mật khẩu dài, khó đoán và không dùng lại ở nơi khác. ";
    let sections: String = (1..=60).map(|i| format!("## Phần {i}\n\n{}\n\n", paragraph.repeat(i % 7 + 3))).collect();
    Lesson::new("Bài dài").body(&format!("\n{sections}")).text()
}

#[test]
fn text_files_get_gzip_siblings_and_large_ones_brotli_too() {
    let project = Project::fixture("minimal");
    project.file("content/an-toan/bai-dai.md", long_lesson());
    project.run(&["build"]).success();
    let unzip = |path: &str| {
        let mut unzipped = Vec::new();
        let gz = std::fs::read(project.path(&format!("{path}.gz"))).unwrap();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut unzipped).unwrap();
        unzipped
    };
    // a small page: gzip only (brotli at the qualities a build affords does not beat it)
    let html = std::fs::read(project.path("public/vi/index.html")).unwrap();
    assert!(html.len() < 32 * 1024);
    assert_eq!(unzip("public/vi/index.html"), html);
    assert!(!project.path("public/vi/index.html.br").exists(), "no brotli for a page within gzip's window");
    // a page over 32 KB: both, and the brotli one smaller
    let long = "public/vi/an-toan/bai-dai/index.html";
    let html = std::fs::read(project.path(long)).unwrap();
    assert!(html.len() > 32 * 1024, "{} bytes", html.len());
    assert_eq!(unzip(long), html);
    let br = std::fs::read(project.path(&format!("{long}.br"))).unwrap();
    let mut unbrotli = Vec::new();
    brotli::BrotliDecompress(&mut &br[..], &mut unbrotli).unwrap();
    assert_eq!(unbrotli, html);
    let gz = std::fs::metadata(project.path(&format!("{long}.gz"))).unwrap().len();
    assert!((br.len() as u64) < gz, "brotli {} bytes, gzip {gz}", br.len());
    let pictures: Vec<String> = std::fs::read_dir(project.path("public/media/an-toan/hinh"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(pictures.iter().any(|p| p.ends_with(".webp")), "{pictures:?}");
    assert!(
        !pictures.iter().any(|p| p.ends_with(".gz") || p.ends_with(".br")),
        "images are not recompressed: {pictures:?}"
    );
}

#[test]
fn precompression_can_be_turned_off() {
    let project = Project::fixture("minimal");
    let config = project.read("book.toml").replace("precompress = true", "precompress = false");
    project.file("book.toml", config);
    project.run(&["build", "--out", "site"]).success();
    assert!(project.path("site/vi/index.html").is_file());
    assert!(!project.path("site/vi/index.html.gz").exists());
}

#[test]
fn translations_are_kept_aside_not_rendered_as_default_language() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    let zalo = project.read("public/vi/giao-tiep-so/dung-zalo-an-toan/index.html");
    assert!(!zalo.contains("máy dịch"), "the .blt.md file must not replace the Vietnamese page");
}

#[test]
fn help_and_usage_errors() {
    let project = Project::empty();
    let help = project.test(&["build", "--help"]).run();
    assert!(help.stdout.contains("--root <DIR>") && help.stdout.contains("--drafts"), "{}", help.stdout);
    project
        .test(&["build", "--no-such-flag"])
        .code(2)
        .stderr(concat!(
            "error: unexpected argument '--no-such-flag' found\n",
            "\n",
            "Usage: hoclieu build [OPTIONS]\n",
            "\n",
            "For more information, try '--help'.\n",
        ))
        .run();
    project
        .test(&["build"])
        .code(2)
        .stderr("error: no book.toml in .: run hoclieu in a content repository, or pass --root DIR\n")
        .run();
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_make() {
    let project = Project::fixture("minimal");
    project.file("keep/notes.txt", "quan trọng");
    project.test(&["build", "--out", "keep"]).code(2).stderr("error: refusing to replace keep: it was not made by hoclieu (no .hoclieu-output file); choose another --out or empty it\n").run();
    assert_eq!(project.read("keep/notes.txt"), "quan trọng");
}

#[test]
fn code_in_the_languages_lessons_show_is_highlighted() {
    // (fence info, the `language-` class written, the scope of the highlighted code)
    let blocks = [
        ("toml", "toml", "source toml", "[site]\ntitle = \"Học liệu\"\n"),
        ("yaml", "yaml", "source yaml", "title: Học liệu\ntags: [an-toan, zalo]\n"),
        ("json", "json", "source json", "{\"title\": \"Học liệu\", \"so\": 3}\n"),
        ("typescript", "typescript", "source ts", "const n: number = 3;\n"),
        ("ts", "ts", "source ts", "let s: string = \"a\";\n"),
        ("sql", "sql", "source sql", "SELECT ten FROM hoc_vien WHERE tuoi > 18;\n"),
        (
            "powershell",
            "powershell",
            "source powershell",
            "Get-ChildItem -Path C:\\ | Where-Object { $_.Length -gt 0 }\n",
        ),
        ("dockerfile", "dockerfile", "source dockerfile", "FROM debian:12\nRUN apt-get update\n"),
        ("bash", "bash", "source shell bash", "for f in *.md; do echo \"$f\"; done\n"),
        ("sh", "sh", "source shell bash", "ls -la ~\n"),
        ("shell", "shell", "source shell bash", "cd /tmp\n"),
        ("rust,editable", "rust", "source rust", "fn main() { println!(\"chào\"); }\n"),
        ("rust ignore", "rust", "source rust", "let v: Vec<u8> = Vec::new();\n"),
    ];
    let body: String = blocks.iter().map(|(info, _, _, code)| format!("```{info}\n{code}```\n\n")).collect();
    let project = Project::empty();
    project.file("book.toml", crate::harness::BOOK);
    project.file("content/k/_index.md", "+++\ntitle = \"Khoá\"\n+++\n");
    project.lesson("content/k/ma.md", &Lesson::new("Mã").body(&body));
    // no "shown without highlighting" warning
    project.test(&["build"]).stderr("").run();
    let html = scraper::Html::parse_document(&project.read("public/vi/k/ma/index.html"));
    let pres: Vec<_> = html.select(&scraper::Selector::parse("pre").unwrap()).collect();
    assert_eq!(pres.len(), blocks.len());
    for (pre, (info, class, scope, _)) in pres.iter().zip(blocks) {
        assert_eq!(pre.value().attr("class"), Some("hl"), "{info}: {}", pre.html());
        let code = pre.first_child().and_then(scraper::ElementRef::wrap).expect("a <code>");
        assert_eq!(code.value().attr("class"), Some(format!("language-{class}").as_str()), "{info}");
        let spans: Vec<String> = code
            .select(&scraper::Selector::parse("span").unwrap())
            .filter_map(|s| s.value().attr("class").map(str::to_string))
            .collect();
        let want = scope.split(' ').map(|s| format!("hl-{s}")).collect::<Vec<_>>().join(" ");
        assert_eq!(spans.first(), Some(&want), "{info}: {}", pre.html());
        assert!(spans.len() >= 3, "{info}: its tokens are told apart: {}", pre.html());
    }
}

//! Identity, trust and sharing: the publisher, logo and page icons, each lesson's date
//! from git, the "report a mistake" link naming the lesson, names in every language with
//! `lang="vi"` on what falls back, what `check` lists as untranslated, a meta description
//! on every page, and absolute alternates with `base_url` (a single note without it).

use crate::harness::{Lesson, Project};
use std::path::Path;

/// Adds `lines` to the `[site]` table of the project's book.toml.
fn site_keys(project: &Project, lines: &str) {
    let text = project.read("book.toml").replacen("[site]\n", &format!("[site]\n{lines}\n"), 1);
    project.file("book.toml", text);
}

/// Runs git in the project with a fixed author and date.
fn git(project: &Project, date: &str, args: &[&str]) {
    let output = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"])
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .current_dir(project.root())
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

/// The value of the first `attribute="…"` after `after` in `html`.
fn attribute<'a>(html: &'a str, after: &str, attribute: &str) -> &'a str {
    let start = html.find(after).unwrap_or_else(|| panic!("no {after} in {html}"));
    let rest = &html[start..];
    let value = &rest[rest.find(&format!("{attribute}=\"")).unwrap() + attribute.len() + 2..];
    &value[..value.find('"').unwrap()]
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8().expect("UTF-8").into_owned()
}

fn html_files(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect()
}

#[test]
fn the_publisher_the_logo_and_the_icons_are_on_every_page() {
    let project = Project::fixture("minimal");
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle cx="4" cy="4" r="4" fill="#0b5cad"/></svg>"##;
    project.file("themes/default/logo.svg", svg);
    project.file("themes/default/logo.png", include_bytes!("../../themes/default/static/favicon.png"));
    site_keys(&project, "publisher = \"Sở Khoa học và Công nghệ tỉnh Sơn La\"\nlogo = \"themes/default/logo.svg\"");
    project.run(&["build"]).success();
    let home = project.read("public/vi/index.html");
    let logo = attribute(&home, "<img class=\"logo\"", "src");
    assert!(logo.starts_with("../assets/logo.") && logo.ends_with(".svg"), "{logo}");
    assert_eq!(project.read(&format!("public/{}", &logo[3..])), svg, "the logo is copied as it is");
    assert!(home.contains(&format!(
        r#"<a class="brand" href="index.html"><img class="logo" src="{logo}" alt="" width="32" height="32">"#
    )));
    assert!(home.contains(&format!(r#"<link rel="icon" href="{logo}" type="image/svg+xml">"#)), "the logo is the icon");
    let png = attribute(&home, "type=\"image/svg+xml\">\n<link rel=\"icon\"", "href");
    assert!(
        png.starts_with("../assets/logo.")
            && png.ends_with(".png")
            && project.path(&format!("public/{}", &png[3..])).is_file()
    );
    for page in html_files(&project.path("public/vi")) {
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(
            html.contains(
                r#"<p class="publisher">Cơ quan chủ quản: <span>Sở Khoa học và Công nghệ tỉnh Sơn La</span></p>"#
            ),
            "{}",
            page.display()
        );
        assert!(!html.contains("data:,"), "{}: a real icon", page.display());
    }
    assert!(project.read("public/index.html").contains("Cơ quan chủ quản: Sở Khoa học và Công nghệ tỉnh Sơn La"));

    // without a logo: the theme's own icon, in SVG and PNG, and no logo in the header
    let plain = Project::fixture("minimal");
    plain.run(&["build"]).success();
    let home = plain.read("public/vi/index.html");
    assert!(!home.contains("class=\"logo\"") && !home.contains("class=\"publisher\""));
    let svg = attribute(&home, "<link rel=\"icon\"", "href");
    let png = attribute(&home, "type=\"image/svg+xml\">\n<link rel=\"icon\"", "href");
    assert!(svg.starts_with("../assets/icon.") && svg.ends_with(".svg"), "{svg}");
    assert!(plain.read(&format!("public/{}", &svg[3..])).contains("#0b5cad"), "drawn in the accent colour");
    let png_bytes = std::fs::read(plain.path(&format!("public/{}", &png[3..]))).unwrap();
    assert_eq!(&png_bytes[1..4], b"PNG");
    assert_eq!((&png_bytes[16..20], &png_bytes[20..24]), (&[0, 0, 0, 32][..], &[0, 0, 0, 32][..]), "32×32");

    // a logo that is not there, or not an SVG, is an error in book.toml
    site_keys(&plain, "logo = \"themes/default/nope.svg\"");
    plain
        .test(&["check"])
        .code(1)
        .stderr(concat!(
            "book.toml:2:8: error: logo file \"themes/default/nope.svg\" not found\n",
            "  | logo = \"themes/default/nope.svg\"\n",
            "  |        ^\n",
            "  hint: give its path relative to book.toml\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
}

#[test]
fn a_lesson_says_when_it_last_changed_from_the_last_commit_touching_its_file() {
    let project = Project::fixture("minimal");
    git(&project, "2024-03-14T10:00:00+07:00", &["init", "-q"]);
    git(&project, "2024-03-14T10:00:00+07:00", &["add", "."]);
    git(&project, "2024-03-14T10:00:00+07:00", &["commit", "-qm", "first"]);
    let lesson = project.read("content/an-toan/mat-khau-manh.md") + "\nMột dòng nữa.\n";
    project.file("content/an-toan/mat-khau-manh.md", lesson);
    // 23:30 UTC is already the next day in Sơn La
    git(&project, "2025-01-02T23:30:00+00:00", &["commit", "-qam", "second"]);
    project.lesson("content/an-toan/moi.md", &Lesson::new("Mới").body("Chưa commit.\n"));
    project.run(&["build"]).success();
    let updated = |page: &str| {
        let html = project.read(&format!("public/{page}/index.html"));
        let start = html.find("<span class=\"updated\">").unwrap_or_else(|| panic!("{page} has no date"));
        html[start..start + html[start..].find("</span>").unwrap()].to_string()
    };
    assert_eq!(
        updated("vi/an-toan/mat-khau-manh"),
        r#"<span class="updated">Cập nhật: <time datetime="2025-01-03">03/01/2025</time>"#
    );
    // a Vietnamese file name, read from git as it is
    assert_eq!(
        updated("vi/an-toan/lua-dao-qua-mang"),
        r#"<span class="updated">Cập nhật: <time datetime="2024-03-14">14/03/2024</time>"#
    );
    // a file git does not know: the newest commit of content/, or SOURCE_DATE_EPOCH
    assert!(updated("vi/an-toan/moi").contains(">03/01/2025<"));
    project.run_with_env(&["build"], &[("SOURCE_DATE_EPOCH", "1718000000")]).success();
    assert!(updated("vi/an-toan/moi").contains(">10/06/2024<"));
    assert!(updated("vi/an-toan/mat-khau-manh").contains(">03/01/2025<"), "git's date first");
    // the fallback page in another language shows the original's date
    assert!(updated("blt/an-toan/mat-khau-manh").contains(">03/01/2025<"));

    // without git nor SOURCE_DATE_EPOCH: no date rather than a made-up one
    let plain = Project::fixture("minimal");
    plain.run(&["build"]).success();
    assert!(!plain.read("public/vi/an-toan/mat-khau-manh/index.html").contains("Cập nhật"));
}

#[test]
fn the_feedback_link_names_the_lesson() {
    let project = Project::fixture("minimal");
    site_keys(&project, "feedback = \"mailto:loi@example.org\"");
    project.run(&["build"]).success();
    let html = project.read("public/vi/an-toan/mat-khau-manh/index.html");
    let href = attribute(&html, "<p class=\"feedback\">", "href");
    assert!(href.starts_with("mailto:loi@example.org?subject=") && !href.contains(' '), "{href}");
    assert_eq!(
        percent_decode(href),
        "mailto:loi@example.org?subject=Báo lỗi bài học: Mật khẩu mạnh (vi/an-toan/mat-khau-manh/)"
    );
    assert!(html.contains(&format!(r#"<p class="feedback"><a href="{href}">Báo lỗi bài học</a></p>"#)));
    assert!(!project.read("public/vi/an-toan/index.html").contains("class=\"feedback\""), "lessons only");

    let form = Project::fixture("minimal");
    site_keys(&form, "feedback = \"https://example.org/gop-y\"");
    form.run(&["build"]).success();
    let html = form.read("public/blt/an-toan/mat-khau-manh/index.html");
    let href = attribute(&html, "<p class=\"feedback\">", "href");
    assert_eq!(href, "https://example.org/gop-y?bai=blt%2Fan-toan%2Fmat-khau-manh%2F&amp;tieu-de=M%E1%BA%ADt%20kh%E1%BA%A9u%20m%E1%BA%A1nh");

    let bad = Project::fixture("minimal");
    site_keys(&bad, "feedback = \"loi@example.org\"");
    bad.test(&["check"])
        .code(1)
        .stderr(concat!(
            "book.toml:2:12: error: feedback \"loi@example.org\" is not a web address or an e-mail link\n",
            "  | feedback = \"loi@example.org\"\n",
            "  |            ^\n",
            "  hint: use feedback = \"https://…\" (a form) or feedback = \"mailto:hoclieu@example.org\"\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
}

/// The languages fixture with Mông names (machine-made) and a Mông course page.
fn translated() -> Project {
    let project = Project::fixture("languages");
    let text = project
        .read("book.toml")
        .replace(
            "[languages.hmn]\nname = \"Tiếng Mông\"\ntag = \"hmn-Latn\"\n",
            "[languages.hmn]\nname = \"Lus Hmoob\"\nname_vi = \"Tiếng Mông\"\ntag = \"hmn-Latn\"\nreview = \"machine\"\n\n[languages.hmn.site]\ntitle = \"Cov ntaub ntawv kawm\"\n",
        )
        .replace("name = \"Người dân\"\n", "name = \"Người dân\"\nnames = { hmn = \"Pej xeem\" }\n")
        .replace("name = \"An toàn\"\n", "name = \"An toàn\"\nnames = { hmn = \"Kev nyab xeeb\" }\n");
    project.file("book.toml", text);
    project.file("content/an-toan/_index.hmn.md", "+++\ntitle = \"Kev nyab xeeb hauv network\"\n+++\n");
    project
}

#[test]
fn names_are_translated_per_language_and_what_falls_back_says_it_is_vietnamese() {
    let project = translated();
    project.run(&["build"]).success();
    let choice = project.read("public/index.html");
    assert!(choice.contains(r#"<strong>Lus Hmoob</strong> <span lang="vi">(Tiếng Mông)</span>"#), "{choice}");
    assert!(choice.contains("<strong>Tiếng Thái</strong></a>"), "one name where there is one");

    let hmn = project.read("public/hmn/index.html");
    assert!(hmn.contains(r#"<a class="brand" href="index.html">Cov ntaub ntawv kawm</a>"#));
    assert!(
        hmn.contains(r#"<strong>Pej xeem</strong>"#) && hmn.contains(r#"<strong>Kev nyab xeeb hauv network</strong>"#)
    );
    assert!(hmn.contains(r#"<span lang="vi">Giao tiếp</span>"#), "an untranslated domain name is marked");
    assert!(hmn.contains(
        r#"hreflang="hmn-Latn" lang="hmn-Latn" aria-current="true">Lus Hmoob <span lang="vi">(Tiếng Mông)</span></a>"#
    ));
    assert!(
        hmn.contains("Tên trang, tên nhóm đối tượng và lĩnh vực bằng ngôn ngữ này là bản dịch máy"),
        "machine-made names say so"
    );
    let path = project.read("public/hmn/nhom/nguoi-dan/index.html");
    assert!(path.contains("<h1>Pej xeem</h1>") && path.contains(r#"lang="vi">Giao tiếp</a>"#));

    let blt = project.read("public/blt/index.html");
    assert!(blt.contains(r#"<a class="brand" href="index.html"><span lang="vi">Học liệu ba thứ tiếng</span></a>"#));
    assert!(
        blt.contains(r#"<strong lang="vi">Người dân</strong>"#)
            && blt.contains(r#"<strong lang="vi">An toàn</strong>"#)
    );
    assert!(!blt.contains("bản dịch máy"), "no names given in Thái, nothing to review");
    let path = project.read("public/blt/nhom/nguoi-dan/index.html");
    assert!(path.contains(r#"<h1 lang="vi">Người dân</h1>"#));
    let lesson = project.read("public/blt/an-toan/dien-thoai/index.html");
    assert!(lesson.contains(r#"lang="vi">An toàn</a>"#) && lesson.contains(r#"lang="vi">Người dân</a>"#));
    let vi = project.read("public/vi/index.html");
    assert!(
        !vi.contains("<strong lang") && vi.contains(r#"<a class="brand" href="index.html">Học liệu ba thứ tiếng</a>"#),
        "nothing falls back in Vietnamese"
    );

    // the home page's notice: only where its text is untranslated, worded for a page
    assert!(
        blt.contains("<p class=\"notice\" role=\"note\">Trang này chưa có bản Tiếng Thái. Đây là bản tiếng Việt.</p>"),
        "{blt}"
    );
    project.file("content/_index.md", "+++\ntitle = \"Trang chủ\"\n+++\n");
    project.run(&["build"]).success();
    assert!(
        !project.read("public/blt/index.html").contains("class=\"notice\""),
        "a home page without text has nothing untranslated"
    );
}

#[test]
fn check_lists_what_each_language_shows_in_vietnamese_as_notes() {
    let project = translated();
    // notes are counted apart from warnings
    let outcome =
        project.test(&["check"]).stdout("checked 15 pages in <t> s, 7 warnings, 3 notes\n").any_stderr().run();
    let notes: Vec<&str> = outcome.stderr.lines().filter(|l| l.contains(": note: ")).collect();
    assert_eq!(
        notes,
        [
            "book.toml: note: language blt (Tiếng Thái) shows in Tiếng Việt: site title; 1 of 1 group names (nguoi-dan); 2 of 2 domain names (an-toan, giao-tiep); 1 of 1 section titles and summaries (an-toan); home page text",
            "book.toml: note: language hmn (Lus Hmoob, Tiếng Mông) shows in Tiếng Việt: 1 of 2 domain names (giao-tiep); home page text",
            "book.toml: note: no [site] base_url: pages have no canonical address, their hreflang links to other languages are relative (search engines ignore them), and links shared on Zalo or Facebook show no picture",
        ]
    );
    assert_eq!(project.run(&["check", "--strict"]).code, 0, "notes never fail a check");
}

#[test]
fn every_page_has_a_meta_description() {
    let project = Project::fixture("packs");
    site_keys(&project, "description = \"Kỹ năng số cho mọi người.\"");
    project.file("book.toml", project.read("book.toml") + "\n[build]\npacks = true\n");
    project.run(&["build"]).success();
    let pages = html_files(&project.path("public"));
    assert!(pages.iter().any(|p| p.ends_with("vi/tai-ve/index.html")), "the catalog page is built");
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        let description = attribute(&html, "<meta name=\"description\"", "content");
        assert!(description.len() > 20, "{}: {description:?}", page.display());
    }
    let read = |page: &str| project.read(&format!("public/vi/{page}/index.html"));
    for (page, starts) in
        [("tim-kiem", "Tìm bài học theo từ khóa"), ("bao-cao", "Số bài học và số phút"), ("tai-ve", "Các gói học liệu")]
    {
        assert!(attribute(&read(page), "<meta name=\"description\"", "content").starts_with(starts), "{page}");
    }
    let paths = html_files(&project.path("public/vi/nhom"));
    let path = std::fs::read_to_string(&paths[0]).unwrap();
    let description = attribute(&path, "<meta name=\"description\"", "content");
    assert!(
        description.starts_with("Lộ trình học cho ") && description.ends_with("Kỹ năng số cho mọi người."),
        "{description}"
    );
    let domains = html_files(&project.path("public/vi/linh-vuc"));
    let domain = std::fs::read_to_string(&domains[0]).unwrap();
    assert!(attribute(&domain, "<meta name=\"description\"", "content").starts_with("Các bài học về lĩnh vực “"));
    let prints: Vec<_> =
        pages.iter().filter(|p| p.ends_with("ban-in/index.html") && p.starts_with(project.path("public/vi"))).collect();
    let print = std::fs::read_to_string(prints[0]).unwrap();
    assert!(attribute(&print, "<meta name=\"description\"", "content").starts_with("Bản in khóa học “"));
    assert!(
        attribute(&project.read("public/index.html"), "<meta name=\"description\"", "content")
            == "Kỹ năng số cho mọi người."
    );
}

#[test]
fn with_base_url_alternates_are_absolute_and_without_it_check_says_so_once() {
    let project = Project::fixture("minimal");
    site_keys(&project, "base_url = \"https://hoclieu.example.org/son-la\"");
    project.run(&["build"]).success();
    let html = project.read("public/vi/an-toan/mat-khau-manh/index.html");
    let base = "https://hoclieu.example.org/son-la";
    assert!(html.contains(&format!(r#"<link rel="canonical" href="{base}/vi/an-toan/mat-khau-manh/">"#)));
    assert!(html.contains(&format!(r#"<link rel="alternate" hreflang="vi" href="{base}/vi/an-toan/mat-khau-manh/">"#)));
    assert!(html
        .contains(&format!(r#"<link rel="alternate" hreflang="blt-Latn" href="{base}/blt/an-toan/mat-khau-manh/">"#)));
    assert!(html
        .contains(&format!(r#"<link rel="alternate" hreflang="x-default" href="{base}/vi/an-toan/mat-khau-manh/">"#)));
    assert!(
        html.contains(r#"<a href="../../../blt/an-toan/mat-khau-manh/index.html" hreflang="blt-Latn""#),
        "the switcher stays relative"
    );
    assert!(!project.run(&["check"]).stderr.contains("base_url"));

    let plain = Project::fixture("minimal");
    plain.test(&["check"]).stderr(concat!(
            "book.toml: note: language blt (Tiếng Thái) shows in Tiếng Việt: site title; description; 1 of 1 group names (nguoi-dan); 2 of 2 domain names (giao-tiep, an-toan); 2 of 2 section titles and summaries (giao-tiep-so, an-toan); home page text\n",
            "  hint: in book.toml: [languages.blt.site] title, description, publisher and names = { blt = \"…\" } in each group and domain, with [languages.blt] review = \"machine\", \"draft\" or \"reviewed\"; section pages: content/<section>/_index.blt.md\n",
            "book.toml: note: no [site] base_url: pages have no canonical address, their hreflang links to other languages are relative (search engines ignore them), and links shared on Zalo or Facebook show no picture\n",
            "  hint: set base_url = \"https://…/\" in [site] to the address the site is published at\n",
            "content/Giao tiếp số/Dùng Zalo an toàn.blt.md: warning: machine translation into Tiếng Thái, awaiting review by a native speaker\n",
            "  hint: when a native speaker has checked it, set review = \"reviewed\"\n",
        )).run();
    plain.run(&["build"]).success();
    let html = plain.read("public/vi/an-toan/mat-khau-manh/index.html");
    assert!(!html.contains("rel=\"canonical\"") && !html.contains("x-default"));
}

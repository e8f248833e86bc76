//! Nested sections on the `nested` fixture: a training programme of modules and units
//! (`content/<programme>/<module>/<unit>/<lesson>.md`), one module without `_index.md`,
//! groups, domains and level set once in a section and inherited below.

use crate::harness::{snapshot, Lesson, Project, BOOK};
use regex::Regex;

/// The text of every match of `pattern`'s first group in `html`, tags stripped.
fn all(html: &str, pattern: &str) -> Vec<String> {
    let tags = Regex::new("<[^>]+>").unwrap();
    Regex::new(pattern).unwrap().captures_iter(html).map(|c| tags.replace_all(&c[1], "").trim().to_string()).collect()
}

fn h1(html: &str) -> String {
    all(html, r"(?s)<h1[^>]*>(.*?)</h1>").remove(0)
}

/// The breadcrumbs' titles, the current page's included.
fn crumbs(html: &str) -> Vec<String> {
    let nav = Regex::new(r#"(?s)<nav class="crumbs"[^>]*>(.*?)</nav>"#).unwrap().captures(html).expect("breadcrumbs");
    all(&nav[1], r"(?s)<li[^>]*>(.*?)</li>")
}

/// Where the link with `rel` on page `path` (relative to `public/`) leads.
fn follow(project: &Project, path: &str, rel: &str) -> Option<String> {
    let html = project.read(&format!("public/{path}"));
    let href = Regex::new(&format!(r#"<a rel="{rel}" href="([^"]+)""#)).unwrap().captures(&html)?[1].to_string();
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    for part in href.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

const LESSON: &str = "vi/chuong-trinh-can-bo/mo-dun-1-an-toan/don-vi-1-mat-khau/tao-mat-khau/index.html";

#[test]
fn nested_sections_build_with_breadcrumbs_lists_and_one_reading_order() {
    let project = Project::fixture("nested");
    project.test(&["build"]).run();

    let lesson = project.read(&format!("public/{LESSON}"));
    assert_eq!(
        crumbs(&lesson),
        [
            "Trang chủ",
            "Bồi dưỡng kỹ năng số cho cán bộ",
            "Mô-đun 1: An toàn thông tin",
            "Đơn vị 1: Mật khẩu",
            "Tạo mật khẩu mạnh"
        ]
    );
    let unit = project.read("public/vi/chuong-trinh-can-bo/mo-dun-1-an-toan/don-vi-1-mat-khau/index.html");
    assert_eq!(
        crumbs(&unit),
        ["Trang chủ", "Bồi dưỡng kỹ năng số cho cán bộ", "Mô-đun 1: An toàn thông tin", "Đơn vị 1: Mật khẩu"]
    );

    // previous/next run through the whole programme, depth first, sections' pages included
    let reading = [
        "Mở đầu chương trình",
        "Mô-đun 1: An toàn thông tin",
        "Đơn vị 1: Mật khẩu",
        "Tạo mật khẩu mạnh",
        "Bật xác thực hai bước",
        "Nhận biết lừa đảo qua điện thoại",
        "Ôn tập mô-đun 1",
        "mo-dun-2-giao-tiep",
        "Thư điện tử công vụ",
        "Ôn tập mô-đun 2",
        "Tổng kết chương trình",
    ];
    let mut path = "vi/chuong-trinh-can-bo/mo-dau/index.html".to_string();
    assert_eq!(follow(&project, &path, "prev"), None, "the first page of the programme has no previous");
    let mut forward = vec![h1(&project.read(&format!("public/{path}")))];
    while let Some(next) = follow(&project, &path, "next") {
        forward.push(h1(&project.read(&format!("public/{next}"))));
        path = next;
    }
    assert_eq!(forward, reading);
    let mut backward = vec![h1(&project.read(&format!("public/{path}")))];
    while let Some(prev) = follow(&project, &path, "prev") {
        backward.push(h1(&project.read(&format!("public/{prev}"))));
        path = prev;
    }
    backward.reverse();
    assert_eq!(backward, reading);

    // a section's page lists what it holds in order: its sections with their lesson counts
    let course = project.read("public/vi/chuong-trinh-can-bo/index.html");
    let list = Regex::new(r#"(?s)<ol class="lessons">(.*?)</ol>"#).unwrap().captures(&course).unwrap()[1].to_string();
    assert_eq!(
        all(&list, r"(?s)<li[^>]*><a[^>]*>(.*?)</a>"),
        ["Mở đầu chương trình", "Mô-đun 1: An toàn thông tin", "mo-dun-2-giao-tiep", "Tổng kết chương trình"]
    );
    assert_eq!(all(&list, r#"(?s)<li class="section">.*?<small class="meta">(.*?)</small>"#), ["4 bài", "2 bài"]);
    // the home page lists the programme alone, with every lesson below it counted
    let home = project.read("public/vi/index.html");
    assert_eq!(
        all(&home, r#"(?s)<h2 id="courses-heading">.*?<strong>(.*?)</strong>"#),
        ["Bồi dưỡng kỹ năng số cho cán bộ"]
    );
    assert!(home.contains("<small>8 bài</small></a>"), "the programme holds 8 lessons");

    // each section has a print page with every page below it in reading order
    let print = project.read("public/vi/chuong-trinh-can-bo/mo-dun-1-an-toan/ban-in/index.html");
    assert_eq!(
        all(&print, r#"(?s)<h2 id="[^"]+">\d+\. (.*?)</h2>"#),
        [
            "Đơn vị 1: Mật khẩu",
            "Tạo mật khẩu mạnh",
            "Bật xác thực hai bước",
            "Nhận biết lừa đảo qua điện thoại",
            "Ôn tập mô-đun 1"
        ]
    );
    let print = project.read("public/vi/chuong-trinh-can-bo/ban-in/index.html");
    assert_eq!(all(&print, r#"(?s)<h2 id="[^"]+">\d+\. (.*?)</h2>"#), reading);
    // two lessons named on-tap.md in two modules keep their ids apart on one page
    let ids = all(&print, r#" id="([^"]+)""#);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len(), "{ids:?}");
    assert!(ids.contains(&"mo-dun-1-an-toan-on-tap-cau-hoi".to_string()), "{ids:?}");

    // offline saves of a module hold its pages
    let manifest: serde_json::Value =
        serde_json::from_str(&project.read("public/vi/chuong-trinh-can-bo/mo-dun-1-an-toan/offline.json")).unwrap();
    let saved = manifest.to_string();
    for page in [
        "don-vi-1-mat-khau/index.html",
        "tao-mat-khau/index.html",
        "xac-thuc-hai-buoc/index.html",
        "lua-dao/index.html",
        "on-tap/index.html",
    ] {
        assert!(saved.contains(page), "{page} is not saved with its module: {saved}");
    }
    assert!(!saved.contains("tong-ket"), "a module's save holds only its own pages");

    // the translation sits in the same place, marked as machine-made
    let blt = project.read(&format!("public/{}", LESSON.replacen("vi/", "blt/", 1)));
    assert_eq!(h1(&blt), "Hết mật khẩu mạnh");
    assert!(
        blt.contains("<p class=\"notice review-machine\" role=\"note\">"),
        "the machine translation shows its mark"
    );
}

#[test]
fn groups_domains_and_level_set_in_a_section_hold_below_it() {
    let project = Project::fixture("nested");
    project.test(&["build"]).run();
    let lesson = project.read(&format!("public/{LESSON}"));
    let about = Regex::new(r#"(?s)<dl class="about">(.*?)</dl>"#).unwrap().captures(&lesson).unwrap()[1].to_string();
    // domain from the module, group from the programme
    assert_eq!(all(&about, r"(?s)<li><a[^>]*>(.*?)</a></li>"), ["Đảm bảo an toàn, an ninh mạng", "Cán bộ, công chức"]);

    // learning paths: the civil servants' path has every lesson, the citizens' only the one
    // lesson that names them itself
    let path = project.read("public/vi/nhom/can-bo/index.html");
    for title in
        ["Tạo mật khẩu mạnh", "Bật xác thực hai bước", "Nhận biết lừa đảo qua điện thoại", "Thư điện tử công vụ"]
    {
        assert!(path.contains(title), "{title} is not on the civil servants' path");
    }
    let path = project.read("public/vi/nhom/nguoi-dan/index.html");
    assert!(path.contains("Nhận biết lừa đảo qua điện thoại") && !path.contains("Tạo mật khẩu mạnh"), "{path}");

    // level: inherited (basic) unless the lesson sets its own (advanced)
    let domain = project.read("public/vi/linh-vuc/an-toan/index.html");
    let basic = domain.find("Tạo mật khẩu mạnh").unwrap();
    let advanced = domain.find("Bật xác thực hai bước").unwrap();
    let heading = |at: usize| all(&domain[..at], r"(?s)<h2[^>]*>(.*?)</h2>").pop().unwrap();
    assert_eq!(heading(basic), "Cơ bản");
    assert_eq!(heading(advanced), "Nâng cao");
}

#[test]
fn a_lesson_without_groups_anywhere_above_it_is_an_error_naming_the_way_out() {
    let project = Project::empty();
    project.file("book.toml", BOOK);
    project.file("content/khoa/phan-1/_index.md", "+++\ntitle = \"Phần 1\"\ndomains = [\"an-toan\"]\n+++\n");
    project.file("content/khoa/phan-1/bai.md", "+++\ntitle = \"Bài\"\n+++\nChữ.\n");
    project
        .test(&["build"])
        .code(1)
        .stderr(concat!(
            "content/khoa/phan-1/bai.md:1:1: error: a lesson needs at least one of `groups`\n",
            "  | +++\n",
            "  | ^\n",
            "  hint: add `groups = [\"…\"]` with ids from book.toml: nguoi-dan; or set it once for a whole section in its _index.md\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
    // set once in the course's page, it holds for the lesson two folders below
    project.file("content/khoa/_index.md", "+++\ntitle = \"Khóa\"\ngroups = [\"nguoi-dan\"]\n+++\n");
    project.test(&["build"]).run();
    assert!(project.read("public/vi/khoa/phan-1/bai/index.html").contains("<h1>Bài</h1>"));
}

#[test]
fn a_lesson_and_a_folder_with_one_address_clash() {
    let project = Project::empty();
    project.file("book.toml", BOOK);
    let lesson = "+++\ntitle = \"B\"\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\n+++\n";
    project.file("content/a/b.md", lesson);
    project.file("content/a/b/c.md", lesson);
    project
        .test(&["build"])
        .code(1)
        .stderr(concat!(
            "content/a/b/_index.md: error: gives the same address \"vi/a/b/index.html\" as content/a/b.md\n",
            "  hint: rename one of the two\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
}

#[test]
fn a_pack_keeps_the_sections_above_its_lessons_and_no_others() {
    let project = Project::fixture("nested");
    project.run(&["pack", "--id", "nguoi-dan", "--out", "packs"]).success();
    project.run(&["verify", "packs/hoclieu-nguoi-dan.zip"]).success();
    project.run(&["unpack", "packs/hoclieu-nguoi-dan.zip", "dan"]).success();
    let files: Vec<String> = snapshot(&project.path("dan")).into_iter().map(|(p, _)| p).collect();
    let pages: Vec<&str> = files
        .iter()
        .map(String::as_str)
        .filter(|p| p.starts_with("vi/chuong-trinh-can-bo") && p.ends_with("/index.html") && !p.contains("/ban-in/"))
        .collect();
    assert_eq!(
        pages,
        [
            "vi/chuong-trinh-can-bo/index.html",
            "vi/chuong-trinh-can-bo/mo-dun-1-an-toan/index.html",
            "vi/chuong-trinh-can-bo/mo-dun-1-an-toan/lua-dao/index.html",
        ]
    );
}

#[test]
fn search_finds_lessons_deep_in_sections() {
    let project = Project::fixture("nested");
    let found = project.run(&["search", "xac thuc hai buoc", "--limit", "1"]).success().stdout.clone();
    assert_eq!(
        found.lines().next().unwrap(),
        "1. Bật xác thực hai bước  [vi/chuong-trinh-can-bo/mo-dun-1-an-toan/don-vi-1-mat-khau/xac-thuc-hai-buoc/]"
    );
}

#[test]
fn a_section_of_whole_courses_links_their_print_pages_instead_of_one_of_its_own() {
    // a competency domain holding two courses: 60 + 41 lessons, over the 100 a print page
    // holds (hoclieu::site::PRINT_MAX_LESSONS); each course keeps its print page
    let project = Project::empty();
    project.file("book.toml", BOOK);
    project.file("content/an-toan/_index.md", "+++\ntitle = \"An toàn số\"\n+++\n");
    for (course, count) in [("khoa-a", 60), ("khoa-b", 41)] {
        for i in 1..=count {
            let lesson = Lesson::new(&format!("Bài {i}")).front(&format!("weight = {i}")).body("Giữ mật khẩu riêng.\n");
            project.lesson(&format!("content/an-toan/{course}/bai-{i:02}.md"), &lesson);
        }
    }
    project.run(&["build"]).success();
    let print = |section: &str| project.path(&format!("public/vi/{section}/ban-in/index.html"));
    assert!(!print("an-toan").exists(), "the domain has no print page");
    assert!(!project.read("public/vi/an-toan/index.html").contains("ban-in/"), "nor a link to one");
    for (course, count) in [("khoa-a", 60), ("khoa-b", 41)] {
        let html = std::fs::read_to_string(print(&format!("an-toan/{course}"))).expect("a course's print page");
        assert_eq!(html.matches("class=\"print-lesson\"").count(), count, "{course}");
        assert!(
            project.read(&format!("public/vi/an-toan/{course}/index.html")).contains("ban-in/"),
            "{course} links it"
        );
    }
}

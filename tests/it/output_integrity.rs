//! Every page of a built site parses as HTML, and every relative link and asset in it
//! resolves to a file of the output: the site works from `file://` and any subfolder.

use crate::harness::{Lesson, Project};
use std::path::Path;

/// Checks all HTML files under `dir`; returns how many links were followed.
pub fn assert_site_is_whole(dir: &Path) -> usize {
    let mut followed = 0;
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let document = scraper::Html::parse_document(&text);
        let rel = entry.path().strip_prefix(dir).unwrap().display().to_string();
        assert!(document.errors.is_empty(), "{rel} does not parse cleanly: {:?}", document.errors);
        let html = scraper::Selector::parse("html").unwrap();
        let lang = document.select(&html).next().and_then(|h| h.value().attr("lang"));
        assert!(lang.is_some_and(|l| !l.is_empty()), "{rel} has no lang");
        let h1 = scraper::Selector::parse("h1").unwrap();
        assert_eq!(document.select(&h1).count(), 1, "{rel} must have exactly one h1");
        let linked = scraper::Selector::parse("[href], [src]").unwrap();
        for element in document.select(&linked) {
            let target = element.value().attr("href").or_else(|| element.value().attr("src")).unwrap();
            if target.contains("://") || ["mailto:", "tel:", "data:"].iter().any(|s| target.starts_with(s)) {
                continue;
            }
            assert!(!target.starts_with('/'), "{rel}: absolute link {target}");
            let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
            let file =
                if path.is_empty() { entry.path().to_path_buf() } else { entry.path().parent().unwrap().join(path) };
            assert!(file.is_file(), "{rel}: link {target} leads to no file");
            if !anchor.is_empty() {
                let target_text = std::fs::read_to_string(&file).unwrap();
                assert!(target_text.contains(&format!("id=\"{anchor}\"")), "{rel}: anchor #{anchor} missing in {path}");
            }
            followed += 1;
        }
    }
    assert!(pages > 0, "no HTML pages in {}", dir.display());
    followed
}

#[test]
fn minimal_site_links_and_assets_all_resolve() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    let followed = assert_site_is_whole(&project.path("public"));
    assert!(followed > 30, "only {followed} links followed");
}

#[test]
fn shipped_content_builds_and_is_whole() {
    let project = Project::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate::harness::copy_dir(&repo.join("content"), &project.path("content"));
    std::fs::copy(repo.join("book.toml"), project.path("book.toml")).unwrap();
    // the shipped content has no warnings
    project.test(&["build"]).run();
    assert_site_is_whole(&project.path("public"));
}

#[test]
fn a_failed_build_leaves_the_previous_output_exactly_as_it_was() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    let before = crate::harness::snapshot(&project.path("public"));
    project.file("content/an-toan/hong.md", "+++\ntitle = \"Hỏng\"\nlevel = \"kho\"\n+++\n[x](khong-co.md)\n");
    project.lesson("content/an-toan/mat-khau-manh.md", &Lesson::new("Đã sửa").body("Mới\n"));
    project.test(&["build"]).code(1).stderr(concat!(
            "content/_index.md:5:49: error: no heading \"#tao-mat-khau\" in content/an-toan/mat-khau-manh.md\n",
            "  | Học [an toàn](an-toan/_index.md) trước, rồi đọc [bài về mật khẩu](an-toan/mat-khau-manh.md#tao-mat-khau).\n",
            "  |                                                 ^\n",
            "  hint: anchors are the heading text in ASCII: ## Xác thực hai bước → #xac-thuc-hai-buoc\n",
            "content/an-toan/hong.md:1:1: error: a lesson needs at least one of `domains`\n",
            "  | +++\n",
            "  | ^\n",
            "  hint: add `domains = [\"…\"]` with ids from book.toml: giao-tiep, an-toan; or set it once for a whole section in its _index.md\n",
            "content/an-toan/hong.md:1:1: error: a lesson needs at least one of `groups`\n",
            "  | +++\n",
            "  | ^\n",
            "  hint: add `groups = [\"…\"]` with ids from book.toml: nguoi-dan; or set it once for a whole section in its _index.md\n",
            "content/an-toan/hong.md:3:9: error: unknown level \"kho\"\n",
            "  | level = \"kho\"\n",
            "  |         ^\n",
            "  hint: use one of co-ban, nang-cao, chuyen-sau\n",
            "content/an-toan/hong.md:5:1: error: link to missing page \"content/an-toan/khong-co.md\"\n",
            "  | [x](khong-co.md)\n",
            "  | ^\n",
            "  hint: check the file name; links use the path of the .md file relative to this one\n",
            "build failed: 5 errors, 0 warnings in <t> s; ./public was left as it was\n",
        )).run();
    assert!(before == crate::harness::snapshot(&project.path("public")), "output changed after a failed build");
    let leftovers: Vec<_> = std::fs::read_dir(project.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "temporary folders left behind: {leftovers:?}");
}

#[test]
fn a_successful_rebuild_replaces_stale_files() {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    std::fs::remove_file(project.path("content/gioi-thieu.md")).unwrap();
    project.run(&["build"]).success();
    assert!(!project.path("public/vi/gioi-thieu/index.html").exists(), "a removed page disappears from the output");
}

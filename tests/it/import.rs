//! `hoclieu import mdbook`: the fixture book `tests/fixtures/mdbook` (Vietnamese, every
//! feature the importer carries over) made into a repository; the files and the report are
//! checked exactly.

use crate::harness::{fixture_dir, Project};

/// The written Markdown files, exactly.
const WRITTEN: &[(&str, &str)] = &[
    (
        "content/_index.md",
        r#"+++
title = "Nhập môn Rust cho học sinh"
+++
Những bước đầu tiên với ngôn ngữ lập trình Rust, viết cho học sinh THPT.
"#,
    ),
    (
        "content/nhap-mon-rust-cho-hoc-sinh/_index.md",
        r#"+++
title = "Nhập môn Rust cho học sinh"
summary = "Những bước đầu tiên với ngôn ngữ lập trình Rust, viết cho học sinh THPT."
weight = 1
groups = ["hoc-sinh"]
domains = ["sang-tao-noi-dung"]
level = "co-ban"
+++
Tác giả: Tổ Tin học, Câu lạc bộ Lập trình Sơn La.
"#,
    ),
    (
        "content/nhap-mon-rust-cho-hoc-sinh/lam-quen/_index.md",
        r#"+++
title = "Làm quen"
weight = 2
+++
"#,
    ),
    (
        "content/nhap-mon-rust-cho-hoc-sinh/lam-quen/cai-dat.md",
        r#"+++
title = "Cài đặt Rust"
weight = 1
+++
Rust được cài bằng công cụ `rustup`. Trên Linux hoặc macOS, mở cửa sổ dòng lệnh và gõ:

```sh
curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh
```

![Cửa sổ dòng lệnh sau khi cài xong Rust](dong-lenh.svg)

Trên Windows, tải bộ cài từ trang chủ của Rust:

[Biểu tượng của Rust](https://www.rust-lang.org/logos/rust-logo-512x512.png)

## Kiểm tra phiên bản

```sh
rustc --version
```

Nếu thấy số phiên bản là xong. Tiếp theo: [chương trình đầu tiên](chuong-trinh-dau-tien/_index.md).
"#,
    ),
    (
        "content/nhap-mon-rust-cho-hoc-sinh/lam-quen/chuong-trinh-dau-tien/_index.md",
        r#"+++
title = "Chương trình đầu tiên"
weight = 2
+++
Chương này viết chương trình "Xin chào" rồi tìm hiểu biến và hàm.

```rust
fn main() {
    println!("Xin chào Sơn La!");
}
```

## Chạy chương trình

Lưu vào tệp `main.rs` rồi gõ `rustc main.rs`. Xem thêm [biến](bien.md#khai-bao-bien) và [hàm](ham.md).
"#,
    ),
    (
        "content/nhap-mon-rust-cho-hoc-sinh/lam-quen/chuong-trinh-dau-tien/bien.md",
        r#"+++
title = "Biến và kiểu dữ liệu"
weight = 1
+++
## Khai báo biến

Biến được khai báo bằng `let`:

```rust
    let ten = "Lan";
    let mut tuoi = 15;
    tuoi += 1;
```

Năm dòng đầu của tệp (dòng đánh dấu `ANCHOR` không hiện ra):

```rust
fn main() {
    let ten = "Lan";
    let mut tuoi = 15;
    tuoi += 1;
```

## Kiểu số

```rust
let tuoi: u8 = 16;
let diem = 9.5;
```
"#,
    ),
    (
        "content/nhap-mon-rust-cho-hoc-sinh/lam-quen/chuong-trinh-dau-tien/ham.md",
        r#"+++
title = "Hàm"
weight = 2
+++
Hàm được khai báo bằng `fn`. Quay lại bài [khai báo biến](bien.md#khai-bao-bien) nếu cần.

```rust
fn cong(a: i32, b: i32) -> i32 {
    a + b
}
```

Dòng đầu của tệp:

```rust
// Hàm cộng hai số
```

Từ dòng 9 đến hết:

```rust
    let tong = cong(2, 3);
    println!("{tong}");
}
```

Dòng thứ 5:

```rust
}
```

Bài tập thêm có trong sách bài tập.
"#,
    ),
    (
        "content/nhap-mon-rust-cho-hoc-sinh/lam-quen/vong-lap.md",
        r#"+++
title = "Vòng lặp"
weight = 3
draft = true
+++
Bài này đang được viết.
"#,
    ),
    (
        "content/nhap-mon-rust-cho-hoc-sinh/loi-cam-on.md",
        r#"+++
title = "Lời cảm ơn"
weight = 4
+++
Cảm ơn các thầy cô [Tổ Tin học](https://example.org/to-tin-hoc) đã góp ý.
"#,
    ),
    (
        "content/nhap-mon-rust-cho-hoc-sinh/loi-noi-dau.md",
        r#"+++
title = "Lời nói đầu"
weight = 1
+++
Cuốn sách nhỏ này dành cho các bạn học sinh lần đầu làm quen với Rust. Mỗi chương ngắn, có ví dụ chạy được ngay.

Trước khi bắt đầu, hãy [cài đặt Rust](lam-quen/cai-dat.md) và [kiểm tra phiên bản](lam-quen/cai-dat.md#kiem-tra-phien-ban).
"#,
    ),
    (
        "content/nhap-mon-rust-cho-hoc-sinh/thuc-hanh/_index.md",
        r#"+++
title = "Thực hành"
weight = 3
+++
"#,
    ),
    (
        "content/nhap-mon-rust-cho-hoc-sinh/thuc-hanh/tro-choi.md",
        r#"+++
title = "Trò chơi đoán số"
weight = 1
+++
Máy nghĩ một số từ 1 đến 100, bạn đoán. Cần biết [hàm](../lam-quen/chuong-trinh-dau-tien/ham.md) và [chương trình đầu tiên](../lam-quen/chuong-trinh-dau-tien/_index.md).

```rust
use std::io;

fn main() {
    let mut doan = String::new();
    io::stdin().read_line(&mut doan).unwrap();
    println!("Bạn đoán: {doan}");
}
```
"#,
    ),
];

const REPORT: &str = "not carried over as it was (4):
noi-dung/SUMMARY.md:11: draft chapter \"Vòng lặp\": imported with draft = true
noi-dung/cai-dat.md:13: image from another site https://www.rust-lang.org/logos/rust-logo-512x512.png: made a link to it (pages must work offline)
noi-dung/chuong-trinh-dau-tien/ham.md:27: dead link bai-tap.md: no such chapter: made plain text
noi-dung/tro-choi.md:4: unknown directive {{#title Trò chơi đoán số}}: left out
";

/// Imports the fixture book into `site/` of a new project.
fn imported() -> Project {
    let project = Project::empty();
    let book = fixture_dir("mdbook");
    project
        .test(&[
            "import",
            "mdbook",
            book.to_str().unwrap(),
            "site",
            "--group",
            "hoc-sinh",
            "--domain",
            "sang-tao-noi-dung",
            "--level",
            "co-ban",
        ])
        .stdout("imported \"Nhập môn Rust cho học sinh\" into site: 7 lessons, 4 sections, 1 files\n")
        .stderr(REPORT)
        .run();
    project
}

fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    files.sort();
    files
}

#[test]
fn an_mdbook_becomes_one_course_with_parts_sections_and_lessons_in_summary_order() {
    let project = imported();
    let mut expected: Vec<String> = WRITTEN.iter().map(|(path, _)| path.to_string()).collect();
    expected.extend(
        [".gitignore", "book.toml", "content/nhap-mon-rust-cho-hoc-sinh/lam-quen/dong-lenh.svg"].map(String::from),
    );
    expected.sort();
    assert_eq!(files_under(&project.path("site")), expected);
    for (path, text) in WRITTEN {
        assert_eq!(&project.read(&format!("site/{path}")), text, "site/{path}");
    }
    // the picture is copied as it was, next to the lesson that shows it
    assert_eq!(
        std::fs::read(project.path("site/content/nhap-mon-rust-cho-hoc-sinh/lam-quen/dong-lenh.svg")).unwrap(),
        std::fs::read(fixture_dir("mdbook").join("noi-dung/hinh/dong-lenh.svg")).unwrap()
    );
    assert_eq!(project.read("site/.gitignore"), "public/\npacks/\n.hoclieu-cache/\n");
    let book = project.read("site/book.toml");
    assert!(book.contains(
        "[site]\ntitle = \"Nhập môn Rust cho học sinh\"\ndescription = \"Những bước đầu tiên với ngôn ngữ lập trình Rust, viết cho học sinh THPT.\"\ndefault_language = \"vi\"\npublisher = \"Tổ Tin học, Câu lạc bộ Lập trình Sơn La\"\n"
    ), "{book}");
}

#[test]
fn a_non_empty_destination_missing_or_unknown_flags_and_a_folder_without_book_toml_are_refused() {
    let project = Project::empty();
    project.file("day/ghi-chu.txt", "đã có");
    let book = fixture_dir("mdbook");
    let book = book.to_str().unwrap();
    project
        .test(&["import", "mdbook", book, "day", "--group", "hoc-sinh", "--domain", "an-toan"])
        .code(2)
        .stderr("error: day: the folder is not empty; import into a new or empty folder\n")
        .run();
    project
        .test(&["import", "mdbook", book, "moi", "--domain", "an-toan"])
        .code(2)
        .stderr("error: --group is needed (once or more): every lesson is for some groups and domains; one of lanh-dao, lanh-dao-phong, can-bo, chuyen-trach-cds, nong-cot-to-cds, to-cds, doanh-nghiep, hoc-sinh, nguoi-dan\n")
        .run();
    project
        .test(&["import", "mdbook", book, "moi", "--group", "hoc-sinh", "--domain", "an-toan", "--level", "kho"])
        .code(2)
        .stderr("error: --level kho: one of co-ban, nang-cao, chuyen-sau\n")
        .run();
    project
        .test(&["import", "mdbook", book, "moi", "--group", "hocsinh", "--domain", "an-toan"])
        .code(2)
        .stderr("error: --group hocsinh: not in the reference taxonomy; one of lanh-dao, lanh-dao-phong, can-bo, chuyen-trach-cds, nong-cot-to-cds, to-cds, doanh-nghiep, hoc-sinh, nguoi-dan\n")
        .run();
    project
        .test(&["import", "mdbook", "day", "moi", "--group", "hoc-sinh", "--domain", "an-toan"])
        .code(2)
        .stderr("error: day: no book.toml: not an mdBook folder\n")
        .run();
    assert!(!project.path("moi").exists());
}

#[test]
fn a_language_outside_the_taxonomy_is_reported_and_the_site_is_in_vietnamese() {
    let project = Project::empty();
    project.file("sach/book.toml", "[book]\ntitle = \"Dùng điện thoại\"\nlanguage = \"en\"\n");
    project.file("sach/src/SUMMARY.md", "- [Gọi điện](goi-dien.md)\n");
    project.file("sach/src/goi-dien.md", "# Gọi điện\n\nBấm vào biểu tượng điện thoại.\n");
    project
        .test(&["import", "mdbook", "sach", "site", "--group", "nguoi-dan", "--domain", "thiet-bi-phan-mem"])
        .stdout("imported \"Dùng điện thoại\" into site: 1 lessons, 1 sections, 0 files\n")
        .stderr("not carried over as it was (1):\nbook.toml:3: language \"en\" is not one of the reference taxonomy's: the site is in vi\n")
        .run();
    assert!(project.read("site/book.toml").contains("default_language = \"vi\"\n"));
    assert_eq!(
        project.read("site/content/dung-dien-thoai/goi-dien.md"),
        "+++\ntitle = \"Gọi điện\"\nweight = 1\n+++\nBấm vào biểu tượng điện thoại.\n"
    );
}

#[test]
fn chapters_without_text_are_reported_and_imported_as_drafts_or_empty_sections() {
    let project = Project::empty();
    project.file("sach/book.toml", "[book]\ntitle = \"Điện thoại\"\n");
    project.file(
        "sach/src/SUMMARY.md",
        "- [Gọi điện](goi-dien.md)\n- [Nhắn tin]()\n    - [Tin nhắn SMS](sms.md)\n- [Gọi lại](goi-dien.md)\n- [Danh bạ](danh-ba.md)\n- Zalo\n",
    );
    project.file("sach/src/goi-dien.md", "# Gọi điện\n\nBấm [tin nhắn](sms.md#gửi-tin).\n");
    project.file("sach/src/sms.md", "# Tin nhắn SMS\n\n## Gửi tin\n\n<img src=\"anh.png\" alt=\"Ảnh\">\n");
    project
        .test(&["import", "mdbook", "sach", "site", "--group", "nguoi-dan", "--domain", "thiet-bi-phan-mem"])
        .stdout("imported \"Điện thoại\" into site: 5 lessons, 2 sections, 0 files\n")
        .stderr(
            "not carried over as it was (5):
src/SUMMARY.md:2: draft chapter \"Nhắn tin\": it has chapters under it: imported as a section without text
src/SUMMARY.md:4: goi-dien.md is listed twice: the second time imported as a draft lesson
src/SUMMARY.md:5: cannot read src/danh-ba.md: imported as a draft lesson
src/SUMMARY.md:6: draft chapter \"Zalo\": a list item without a link: imported as a draft
src/sms.md:5: raw HTML names anh.png: not copied nor rewritten, check it
",
        )
        .run();
    let course = "site/content/dien-thoai";
    assert_eq!(project.read(&format!("{course}/nhan-tin/_index.md")), "+++\ntitle = \"Nhắn tin\"\nweight = 2\n+++\n");
    assert_eq!(
        project.read(&format!("{course}/goi-dien.md")),
        "+++\ntitle = \"Gọi điện\"\nweight = 1\n+++\nBấm [tin nhắn](nhan-tin/sms.md#gui-tin).\n"
    );
    for (file, title, weight) in [("goi-dien-2.md", "Gọi lại", 3), ("danh-ba.md", "Danh bạ", 4), ("zalo.md", "Zalo", 5)]
    {
        assert_eq!(
            project.read(&format!("{course}/{file}")),
            format!("+++\ntitle = \"{title}\"\nweight = {weight}\ndraft = true\n+++\nBài này đang được viết.\n")
        );
    }
}

/// One page met following `rel=next` links: its path under `public/`, `h1` and breadcrumbs.
#[derive(Debug, PartialEq, Eq)]
struct Visited {
    path: String,
    title: String,
    crumbs: Vec<String>,
}

/// Follows `a[rel~=next]` from `start` (a path under `public`), checking each `rel=prev`
/// leads back; every page visited.
fn follow_next(public: &std::path::Path, start: &str) -> Vec<Visited> {
    let select = |s: &str| scraper::Selector::parse(s).unwrap();
    let (h1, crumbs, next, prev) =
        (select("h1"), select("nav.crumbs li"), select("a[rel~=next]"), select("a[rel~=prev]"));
    let mut visited: Vec<Visited> = Vec::new();
    let mut path = Some(start.to_string());
    while let Some(current) = path.take() {
        assert!(visited.len() < 50, "a loop of next links: {visited:?}");
        let html = std::fs::read_to_string(public.join(&current)).unwrap_or_else(|e| panic!("{current}: {e}"));
        let document = scraper::Html::parse_document(&html);
        let text = |e: scraper::ElementRef| e.text().collect::<String>().trim().to_string();
        let resolve = |href: &str| {
            let joined = std::path::Path::new(&current).parent().unwrap().join(href);
            crate_path(&joined)
        };
        if let Some(previous) = visited.last() {
            let back = document.select(&prev).next().unwrap_or_else(|| panic!("{current}: no rel=prev"));
            assert_eq!(resolve(back.value().attr("href").unwrap()), previous.path, "rel=prev of {current}");
        }
        visited.push(Visited {
            path: current.clone(),
            title: document.select(&h1).next().map(text).unwrap_or_default(),
            crumbs: document.select(&crumbs).map(text).collect(),
        });
        path = document.select(&next).next().map(|a| resolve(a.value().attr("href").unwrap()));
    }
    visited
}

/// `a/b/../c/index.html` → `a/c/index.html`.
fn crate_path(path: &std::path::Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            other => parts.push(other.as_os_str().to_string_lossy().to_string()),
        }
    }
    parts.join("/")
}

#[test]
fn the_imported_book_builds_and_checks_and_reads_through_in_summary_order() {
    let project = imported();
    project.test(&["build", "--root", "site"]).stdout("built 11 pages in <t> s → site/public (112 files)\n").run();
    project
        .test(&["check", "--root", "site"])
        .stdout("checked 11 pages in <t> s, 1 note\n")
        .stderr("book.toml: note: no [site] base_url: pages have no canonical address, their hreflang links to other languages are relative (search engines ignore them), and links shared on Zalo or Facebook show no picture\n  hint: set base_url = \"https://…/\" in [site] to the address the site is published at\n")
        .run();
    let public = project.path("site/public");
    let visited = follow_next(&public, "vi/nhap-mon-rust-cho-hoc-sinh/loi-noi-dau/index.html");
    let book = "Nhập môn Rust cho học sinh";
    let page = |path: &str, title: &str, crumbs: &[&str]| Visited {
        path: format!("vi/nhap-mon-rust-cho-hoc-sinh/{path}index.html"),
        title: title.to_string(),
        // the last crumb is the page itself
        crumbs: crumbs.iter().chain([&title]).map(|c| c.to_string()).collect(),
    };
    let home = "Trang chủ";
    let in_part = [home, book, "Làm quen"];
    let in_chapter = [home, book, "Làm quen", "Chương trình đầu tiên"];
    assert_eq!(
        visited,
        [
            page("loi-noi-dau/", "Lời nói đầu", &[home, book]),
            page("lam-quen/", "Làm quen", &[home, book]),
            page("lam-quen/cai-dat/", "Cài đặt Rust", &in_part),
            page("lam-quen/chuong-trinh-dau-tien/", "Chương trình đầu tiên", &in_part),
            page("lam-quen/chuong-trinh-dau-tien/bien/", "Biến và kiểu dữ liệu", &in_chapter),
            page("lam-quen/chuong-trinh-dau-tien/ham/", "Hàm", &in_chapter),
            page("thuc-hanh/", "Thực hành", &[home, book]),
            page("thuc-hanh/tro-choi/", "Trò chơi đoán số", &[home, book, "Thực hành"]),
            page("loi-cam-on/", "Lời cảm ơn", &[home, book]),
        ]
    );
    // the draft chapter is left out of the site unless --drafts
    assert!(!public.join("vi/nhap-mon-rust-cho-hoc-sinh/lam-quen/vong-lap").exists());
    // links to chapters and their headings, the picture, the remote image as a link
    let lesson = |path: &str| {
        std::fs::read_to_string(public.join("vi/nhap-mon-rust-cho-hoc-sinh").join(path).join("index.html")).unwrap()
    };
    let intro = lesson("loi-noi-dau");
    assert!(
        intro.contains(r#"<a href="../lam-quen/cai-dat/index.html#kiem-tra-phien-ban">kiểm tra phiên bản</a>"#),
        "{intro}"
    );
    let install = lesson("lam-quen/cai-dat");
    assert!(install.contains(r#"id="kiem-tra-phien-ban""#), "{install}");
    assert!(install.contains(r#"alt="Cửa sổ dòng lệnh sau khi cài xong Rust""#), "{install}");
    assert!(
        install.contains(r#"<a href="https://www.rust-lang.org/logos/rust-logo-512x512.png">Biểu tượng của Rust</a>"#),
        "{install}"
    );
    assert!(public.join("media/nhap-mon-rust-cho-hoc-sinh/lam-quen/dong-lenh.svg").is_file());
    let game = lesson("thuc-hanh/tro-choi");
    assert!(
        game.contains(r#"<a href="../../lam-quen/chuong-trinh-dau-tien/index.html">chương trình đầu tiên</a>"#),
        "{game}"
    );
    assert!(!game.contains("bi_mat"), "a hidden line is dropped: {game}");
}

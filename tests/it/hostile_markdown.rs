//! Hostile content (issue 19): no script reaches a page from Markdown, raw HTML or SVG
//! assets, nothing loads from another host through a style, and inputs built to stall the
//! build (repeated headings, deep nesting, huge tables and front matter) are refused at
//! once with a message and a hint.

use crate::harness::{Lesson, Outcome, Project, BOOK};
use std::time::{Duration, Instant};

/// A site with one lesson, `content/k/bai.md`, of this body.
fn lesson(body: &str) -> Project {
    lesson_file(&Lesson::new("Bài").body(body).text())
}

/// A site with one lesson, `content/k/bai.md`, of this whole text.
fn lesson_file(text: &str) -> Project {
    let project = Project::empty();
    project.file("book.toml", BOOK);
    project.file("content/k/_index.md", "+++\ntitle = \"Khoá\"\n+++\n");
    project.file("content/k/bai.md", text);
    project
}

/// The lesson's HTML, as built.
fn page(project: &Project) -> String {
    project.read("public/vi/k/bai/index.html")
}

/// Runs `hoclieu ARGS` and fails if it has not finished within `limit` (debug build: the
/// limits are generous; before these fixes each of these inputs took minutes).
fn run_within(project: &Project, args: &[&str], limit: Duration) -> Outcome {
    project.run_within(args, limit).unwrap_or_else(|| panic!("hoclieu {args:?} did not finish within {limit:?}"))
}

const QUICKLY: Duration = Duration::from_secs(20);

#[test]
fn heading_attributes_other_than_id_and_class_are_dropped_with_a_warning() {
    let project = lesson(
        "## Mở đầu {tabindex=0 autofocus onfocus=alert(1)}\n\n## Che trang {style=position:fixed;inset:0 .note #che}\n",
    );
    project.test(&["build"]).stderr(concat!(
            "content/k/bai.md:6:1: warning: heading attributes `tabindex`, `autofocus`, `onfocus` left out: a heading keeps only its id and classes\n",
            "  | ## Mở đầu {tabindex=0 autofocus onfocus=alert(1)}\n",
            "  | ^\n",
            "  hint: write `{#id}` or `{.class}` after the heading text, and nothing else\n",
            "content/k/bai.md:8:1: warning: heading attribute `style` left out: a heading keeps only its id and classes\n",
            "  | ## Che trang {style=position:fixed;inset:0 .note #che}\n",
            "  | ^\n",
            "  hint: write `{#id}` or `{.class}` after the heading text, and nothing else\n",
        )).run();
    let html = page(&project);
    assert!(html.contains("<h2 id=\"mo-dau\">Mở đầu</h2>"), "{html}");
    assert!(html.contains("<h2 id=\"che\" class=\"note\">Che trang</h2>"), "{html}");
    for banned in ["onfocus", "autofocus", "tabindex=\"0\"", "position:fixed"] {
        assert!(!html.contains(banned), "{banned} in {html}");
    }
}

#[test]
fn autolinks_and_links_of_unsafe_schemes_become_text_with_a_warning() {
    let project = lesson(concat!(
        "Tự động: <javascript:alert(1)> <vbscript:msgbox(1)> <data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>\n\n",
        "Viết tay: [một](JaVaScRiPt:alert(1)), [hai](java&#9;script:alert(2)), [ba][r], [bốn](<data:text/html,x>)\n\n",
        "Được: <https://dichvucong.gov.vn> [gọi](tel:113) <hotro@sonla.gov.vn>\n\n",
        "[r]: vbscript:msgbox(3)\n",
    ));
    let outcome = project.run(&["build"]);
    outcome.success();
    let warnings: Vec<&str> = outcome.stderr.lines().filter(|l| l.contains(": warning: link scheme")).collect();
    assert_eq!(
        warnings,
        [
            "content/k/bai.md:6:10: warning: link scheme `javascript:` is not allowed: the link is shown as text",
            "content/k/bai.md:6:32: warning: link scheme `vbscript:` is not allowed: the link is shown as text",
            "content/k/bai.md:6:53: warning: link scheme `data:` is not allowed: the link is shown as text",
            "content/k/bai.md:8:11: warning: link scheme `javascript:` is not allowed: the link is shown as text",
            "content/k/bai.md:8:39: warning: link scheme `javascript:` is not allowed: the link is shown as text",
            "content/k/bai.md:8:71: warning: link scheme `vbscript:` is not allowed: the link is shown as text",
            "content/k/bai.md:8:80: warning: link scheme `data:` is not allowed: the link is shown as text",
        ],
        "{}",
        outcome.stderr
    );
    let html = page(&project);
    let lower = html.to_ascii_lowercase();
    for banned in ["href=\"javascript", "href=\"java%09script", "href=\"vbscript", "href=\"data:text"] {
        assert!(!lower.contains(banned), "{banned} in {html}");
    }
    for shown in ["Tự động: javascript:alert(1) vbscript:msgbox(1) data:text/html", "Viết tay: một, hai, ba, bốn"]
    {
        assert!(html.contains(shown), "{shown} not shown as text in {html}");
    }
    for kept in [
        "<a href=\"https://dichvucong.gov.vn\">",
        "<a href=\"tel:113\">gọi</a>",
        "<a href=\"mailto:hotro@sonla.gov.vn\">",
    ] {
        assert!(html.contains(kept), "{kept} missing in {html}");
    }
}

#[test]
fn raw_html_styles_are_removed_except_the_alignment_of_table_cells() {
    let project = lesson(concat!(
        "<table><tr><td style=\"background:url(https://x.example/theo-doi.png)\">a</td></tr></table>\n\n",
        "<div style=\"position:fixed;top:0;left:0;width:100vw;height:100vh\">Che trang</div>\n\n",
        "| Cột | Số |\n|:---:|---:|\n| a | 1 |\n",
    ));
    project
        .test(&["build"])
        .stderr(concat!(
            "content/k/bai.md:6:12: warning: attribute `style` of `<td>` is left out: styles come from the theme\n",
            "  | <table><tr><td style=\"background:url(https://x.example/theo-doi.png)\">a</td></tr></table>\n",
            "  |            ^\n",
            "  hint: remove it (a table column's alignment is written in Markdown: `|:--|:-:|`)\n",
            "content/k/bai.md:8:1: warning: attribute `style` of `<div>` is left out: styles come from the theme\n",
            "  | <div style=\"position:fixed;top:0;left:0;width:100vw;height:100vh\">Che trang</div>\n",
            "  | ^\n",
            "  hint: remove it (a table column's alignment is written in Markdown: `|:--|:-:|`)\n",
        ))
        .run();
    let html = page(&project);
    assert!(!html.contains("url("), "{html}");
    assert!(!html.contains("position:fixed"), "{html}");
    assert!(html.contains("<th style=\"text-align: center\">Cột</th>"), "{html}");
    assert!(html.contains("<td style=\"text-align: right\">1</td>"), "{html}");
}

#[test]
fn style_urls_to_other_hosts_break_the_offline_rule_when_raw_html_is_trusted() {
    let project = lesson("<div style=\"background:url('https://x.example/theo-doi.png')\">a</div>\n");
    project.file("book.toml", format!("{BOOK}[markdown]\nunsafe_html = true\n"));
    project.test(&["build"]).code(1).stderr(concat!(
            "content/k/bai.md: error: page vi/k/bai/index.html loads https://x.example/theo-doi.png from another host\n",
            "  hint: put the file in the repository next to the lesson: pages must work offline and cost learners nothing extra\n",
            "vi/k/ban-in/index.html: error: page vi/k/ban-in/index.html loads https://x.example/theo-doi.png from another host\n",
            "  hint: put the file in the repository next to the lesson: pages must work offline and cost learners nothing extra\n",
            "build failed: 2 errors, 0 warnings in <t> s\n",
        )).run();
}

const HOSTILE_SVG: &str = concat!(
    "<?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"https://x.example/s.css\"?>\n",
    "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"20\" height=\"10\" onload=\"alert(1)\">\n",
    "<script>alert(document.cookie)</script>\n",
    "<a xlink:href=\"javascript:alert(2)\"><rect width=\"10\" height=\"10\" fill=\"#eef\"/></a>\n",
    "<image href=\"https://x.example/theo-doi.png\" width=\"1\" height=\"1\"/>\n",
    "<foreignObject><div xmlns=\"http://www.w3.org/1999/xhtml\"><iframe src=\"javascript:alert(3)\"></iframe></div></foreignObject>\n",
    "<set attributeName=\"href\" to=\"javascript:alert(4)\"/>\n",
    "<text x=\"1\" y=\"9\">Sơ đồ</text>\n",
    "</svg>\n"
);

#[test]
fn svg_assets_lose_scripts_handlers_and_remote_references_with_a_warning() {
    let project = lesson("![Sơ đồ](so-do.svg) ![Sạch](sach.svg)\n");
    project.file("content/k/so-do.svg", HOSTILE_SVG);
    let clean = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"><style>rect{fill:url(#g)}</style><rect width=\"4\" height=\"4\" role=\"img\"/></svg>";
    project.file("content/k/sach.svg", clean);
    // a clean SVG is not mentioned
    project.test(&["build"]).stderr(concat!(
            "content/k/so-do.svg: warning: removed from the SVG: `<foreignobject>`, `<script>`, `<set>`, `href=`, `onload=`, `xlink:href=`, processing instruction `<?…?>` (script, or loads from another host)\n",
            "  hint: the site gets a cleaned copy; remove these from the file (or save it as plain SVG) to silence this\n",
        )).run();
    let svg = project.read("public/media/k/so-do.svg");
    assert_eq!(
        svg,
        concat!(
            "<?xml version=\"1.0\"?>\n\n",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"20\" height=\"10\">\n",
            "\n<a><rect width=\"10\" height=\"10\" fill=\"#eef\"/></a>\n",
            "<image width=\"1\" height=\"1\"/>\n\n\n",
            "<text x=\"1\" y=\"9\">Sơ đồ</text>\n</svg>\n"
        )
    );
    assert_eq!(project.read("public/media/k/sach.svg"), clean, "a clean SVG is copied byte for byte");
    // the preview serves what the build writes: checked through the same files (`render`)
    let html = page(&project);
    assert!(html.contains("src=\"../../../media/k/so-do.svg\" alt=\"Sơ đồ\" width=\"20\" height=\"10\""), "{html}");
}

#[test]
fn svgs_that_cannot_be_read_safely_and_active_files_are_refused() {
    let project = lesson("Bài.\n");
    project.file(
        "content/k/thuc-the.svg",
        "<!DOCTYPE svg [<!ENTITY x \"&#60;script&#62;alert(1)&#60;/script&#62;\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>",
    );
    project.file("content/k/hong.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>");
    project.file("content/k/trang.html", "<script>alert(1)</script>");
    project.file("content/k/ma.js", "alert(1)");
    project.test(&["build"]).code(1).stderr(concat!(
            "content/k/hong.svg:1:44: error: SVG cannot be copied safely: it is not well-formed XML: ill-formed document: expected `</g>`, but `</svg>` was found\n",
            "  | <svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>\n",
            "  |                                            ^\n",
            "  hint: save it again as plain SVG (Inkscape: File → Save As → Plain SVG), or export it as PNG\n",
            "content/k/ma.js: error: `.js` files are not copied into the site: a browser would run them as part of it\n",
            "  hint: write the page in Markdown, or put the file in a .zip next to the lesson and link to that\n",
            "content/k/thuc-the.svg:1:1: error: SVG cannot be copied safely: it declares XML entities\n",
            "  | <!DOCTYPE svg [<!ENTITY x \"&#60;script&#62;alert(1)&#60;/script&#62;\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>\n",
            "  | ^\n",
            "  hint: save it again as plain SVG (Inkscape: File → Save As → Plain SVG), or export it as PNG\n",
            "content/k/trang.html: error: `.html` files are not copied into the site: a browser would run them as part of it\n",
            "  hint: write the page in Markdown, or put the file in a .zip next to the lesson and link to that\n",
            "build failed: 4 errors, 0 warnings in <t> s\n",
        )).run();
    assert!(!project.path("public").exists());
}

#[test]
fn forty_thousand_identical_headings_are_refused_at_once() {
    // Before: heading ids were made unique by trying `muc-2`, `muc-3`… from 2 each time
    // (181 s for 40 000 headings).
    let project = lesson(&"## Mục\n\n".repeat(40_000));
    project
        .test(&["build"])
        .within(QUICKLY)
        .code(1)
        .stderr(concat!(
            "content/k/bai.md:2006:1: error: more than 1000 headings on one page\n",
            "  | ## Mục\n",
            "  | ^\n",
            "  hint: split the page into several lessons\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
}

#[test]
fn repeated_headings_get_unique_ids_in_linear_time() {
    // the limit of a page is 1 000 headings; the ids are made in linear time however many
    let started = Instant::now();
    let mut ids = hoclieu::markdown::HeadingIds::default();
    let mut made: Vec<String> = (0..40_000).map(|_| ids.next(None, "Mục")).collect();
    // explicit ids and slugs that look like numbered ones take their turn, never a clash
    made.push(ids.next(Some("muc-40001"), "x"));
    made.push(ids.next(None, "Mục"));
    made.push(ids.next(None, "Mục 2"));
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert_eq!(&made[..3], ["muc", "muc-2", "muc-3"]);
    assert_eq!(made[39_999], "muc-40000");
    assert_eq!(&made[40_000..], ["muc-40001", "muc-40002", "muc-2-2"]);
    let unique: std::collections::HashSet<&String> = made.iter().collect();
    assert_eq!(unique.len(), made.len());
}

#[test]
fn the_same_ids_come_from_many_identical_headings_on_a_page() {
    let project = lesson(&format!("{}[cuối](#muc-1000)\n", "## Mục\n\n".repeat(1000)));
    project.test(&["build"]).within(QUICKLY).run();
    let html = page(&project);
    assert!(
        html.contains("<h2 id=\"muc\">") && html.contains("<h2 id=\"muc-2\">") && html.contains("<h2 id=\"muc-1000\">")
    );
    assert!(html.contains("<a href=\"#muc-1000\">cuối</a>") || html.contains("href=\"index.html#muc-1000\""), "{html}");
}

#[test]
fn deeply_nested_front_matter_is_refused_at_once() {
    // Before: 100 000 `[` in YAML front matter took 30–42 s to be refused.
    let project = lesson_file(&format!("---\ntitle: {}\n---\nx\n", "[".repeat(60_000)));
    project.test(&["build"]).within(QUICKLY).code(1).stderr(concat!(
            "content/k/bai.md:2:264: error: front matter opens more than 256 lists and tables (`[`, `{`)\n",
            "  | …[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[…\n",
            "  |                                                                                  ^\n",
            "  hint: front matter needs a few flat lists, e.g. domains = [\"an-toan\"]: remove the extra brackets\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        )).run();

    let project = lesson_file(&format!("+++\ntitle = \"{}\"\n+++\nx\n", "a".repeat(100_000)));
    project
        .test(&["build"])
        .within(QUICKLY)
        .code(1)
        .stderr(concat!(
            "content/k/bai.md:1:1: error: front matter is 97 KB, over the 64 KB limit\n",
            "  | +++\n",
            "  | ^\n",
            "  hint: front matter holds the title, summary and short lists: move long text into the body\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
}

#[test]
fn deeply_nested_raw_html_and_markdown_are_refused_at_once() {
    // Before: 100 000 nested `<div>` took 29–37 s (the sanitiser's HTML parser looks down
    // the stack of open elements for each new one).
    for (body, stderr) in [
        ("<div>".repeat(100_000) + "\n", concat!("content/k/bai.md:6:1: error: text nested more than 100 levels deep (lists, quotes, emphasis and HTML elements inside each other)\n", "  | <div><div><div><div><div><div><div><div><div><div><div><div><div><div><div><div>…\n", "  | ^\n", "  hint: close the HTML elements you open (`<div>` … `</div>`) and nest lists and quotes less deeply\n", "build failed: 1 error, 0 warnings in <t> s\n")),
        ("Bài.\n\n".to_string() + &"<div>\n".repeat(100_000), concat!("content/k/bai.md:107:1: error: text nested more than 100 levels deep (lists, quotes, emphasis and HTML elements inside each other)\n", "  | <div>\n", "  | ^\n", "  hint: close the HTML elements you open (`<div>` … `</div>`) and nest lists and quotes less deeply\n", "build failed: 1 error, 0 warnings in <t> s\n")),
        (">".repeat(100_000) + " x\n", concat!("content/k/bai.md:6:101: error: text nested more than 100 levels deep (lists, quotes, emphasis and HTML elements inside each other)\n", "  | …>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>…\n", "  |                                                                                  ^\n", "  hint: close the HTML elements you open (`<div>` … `</div>`) and nest lists and quotes less deeply\n", "build failed: 1 error, 0 warnings in <t> s\n")),
    ] {
        lesson(&body).test(&["build"]).within(QUICKLY).code(1).stderr(stderr).run();
    }
}

#[test]
fn huge_tables_and_pages_are_refused_before_they_take_gigabytes() {
    // Before: a 7.5 MB table peaked at 1.7 GB.
    let table = format!("| a | b |\n|---|---|\n{}", "| x | y |\n".repeat(6_000));
    let project = lesson(&table);
    project
        .test(&["build"])
        .within(QUICKLY)
        .code(1)
        .stderr(concat!(
            "content/k/bai.md:5007:2: error: more than 10000 table cells on one page\n",
            "  | | x | y |\n",
            "  |  ^\n",
            "  hint: split the table, or put the data in a file next to the lesson (a .csv or .pdf) and link to it\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
    let project = lesson(&"| x | y |\n".repeat(750_000));
    project
        .test(&["build"])
        .within(QUICKLY)
        .code(1)
        .stderr(concat!(
            "content/k/bai.md: error: Markdown file is 7324 KB, over the 1024 KB limit\n",
            "  hint: split the lesson into several: learners read it on cheap phones over paid data\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
}

#[test]
fn a_page_of_many_broken_anchors_reports_a_hundred_and_counts_the_rest() {
    // Before: every broken anchor was compared with every heading for a suggestion, and the
    // printer read the whole file again for each (34 s for 5 000 of each).
    let headings: String = (0..1000).map(|i| format!("## Phần {i}\n\n")).collect();
    let links: String = (0..20_000).map(|i| format!("[x](#phan-{i}-sai)\n")).collect();
    let project = lesson(&format!("{headings}{links}"));
    let outcome = run_within(&project, &["build"], QUICKLY);
    assert_eq!(outcome.code, 1);
    assert_eq!(outcome.stderr.matches(": error: no heading").count(), 100, "{}", &outcome.stderr[..2000]);
    assert!(
        outcome.stderr.contains("content/k/bai.md: error: 19900 more problems in this file not shown\n"),
        "{}",
        &outcome.stderr[..2000]
    );
}

#[test]
fn every_syntax_error_and_limit_has_a_hint() {
    let project = Project::fixture("broken");
    for (path, text) in [
        ("content/khoa/toml-mo.md", "+++\ntitle = \"T\"\ndomains = [\"an-toan\"\n+++\n"),
        ("content/khoa/toml-trung.md", "+++\ntitle = \"T\"\ntitle = \"U\"\n+++\n"),
        ("content/khoa/yaml-hai-cham.md", "---\ntitle: Bước 1: đăng nhập\n---\n"),
        ("content/khoa/yaml-tab.md", "---\ntitle: x\n\tdomains: [an-toan]\n---\n"),
        ("content/khoa/yaml-sau.md", &format!("---\ntitle: {}\n---\n", "[".repeat(300))),
        ("content/khoa/yaml-bom.md", "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\ntitle: x\n---\n"),
        ("content/khoa/sau.md", &Lesson::new("T").body(&"> ".repeat(200)).text()),
        ("content/khoa/quiz.md", &Lesson::new("T").body("```quiz\n[[question]]\ntext = \"Q\"\nchoices = [\"a\", \"b\"]\nanswer = [1, 1]\n```\n").text()),
    ] {
        project.file(path, text);
    }
    let outcome = project.run(&["check", "--format", "json"]);
    assert_eq!(outcome.code, 1);
    let problems: Vec<serde_json::Value> = serde_json::from_str(&outcome.stdout).expect("JSON");
    let files: std::collections::BTreeSet<&str> = problems.iter().filter_map(|p| p["file"].as_str()).collect();
    for path in ["toml-mo", "toml-trung", "yaml-hai-cham", "yaml-tab", "yaml-sau", "yaml-bom", "sau.md", "quiz"] {
        assert!(files.iter().any(|f| f.contains(path)), "no problem reported in {path}: {files:?}");
    }
    let without: Vec<String> = problems
        .iter()
        .filter(|p| p["hint"].as_str().is_none_or(str::is_empty))
        .map(|p| format!("{}:{}: {}", p["file"], p["line"], p["message"]))
        .collect();
    assert!(without.is_empty(), "diagnostics without a hint: {without:#?}");

    let project = Project::fixture("minimal");
    project.file("book.toml", "[site]\ntitle = \"T\nx = 1\n");
    project
        .test(&["build"])
        .code(1)
        .stderr(concat!(
            "book.toml:2:11: error: the text of `title` is not closed: its closing quote is missing\n",
            "  | title = \"T\n",
            "  |           ^\n",
            "  hint: close the text with its quote on the same line; for several lines use \"\"\"…\"\"\"\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
}

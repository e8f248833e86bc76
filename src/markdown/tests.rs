use super::*;
use std::collections::HashSet;

struct Table;

impl Resolve for Table {
    fn resolve(&self, dest: &str) -> Option<Resolved> {
        match dest {
            "../b/zalo.md#cai-dat" => {
                Some(Resolved { url: "../../b/zalo/index.html#cai-dat".into(), file: None, size: None, picture: None })
            }
            "hinh.png" => {
                Some(Resolved { url: "../../../media/a/hinh.png".into(), file: None, size: None, picture: None })
            }
            _ => None,
        }
    }
}

fn html(body: &str) -> String {
    to_html(body, &Table, &HtmlOptions::default())
}

#[test]
fn heading_ids_are_unique_ascii_slugs() {
    let body = "## Mật khẩu mạnh\n\n## Mật khẩu mạnh\n\n### Đăng nhập {#dang-nhap-zalo}\n\n## !!!\n";
    let ids: Vec<String> = outline(body).headings.into_iter().map(|h| h.id).collect();
    assert_eq!(ids, ["mat-khau-manh", "mat-khau-manh-2", "dang-nhap-zalo", "muc"]);
    let out = html(body);
    assert!(out.contains("<h2 id=\"mat-khau-manh\">Mật khẩu mạnh</h2>"), "{out}");
    assert!(out.contains("<h2 id=\"mat-khau-manh-2\">"), "{out}");
    assert!(out.contains("<h3 id=\"dang-nhap-zalo\">Đăng nhập</h3>"), "{out}");
}

#[test]
fn links_and_images_are_rewritten_and_located() {
    let body = "Xem [Zalo](../b/zalo.md#cai-dat).\n\n![Sơ đồ](hinh.png \"Hình\")\n";
    let links = outline(body).links;
    assert_eq!(links.len(), 2);
    assert_eq!(links[0].dest, "../b/zalo.md#cai-dat");
    assert_eq!(links[0].range.start, 4);
    assert!(links[1].is_image);
    assert_eq!(links[1].alt, "Sơ đồ");
    let out = html(body);
    assert!(out.contains("<a href=\"../../b/zalo/index.html#cai-dat\">Zalo</a>"), "{out}");
    assert!(
        out.contains("<img src=\"../../../media/a/hinh.png\" alt=\"Sơ đồ\" title=\"Hình\" decoding=\"async\">"),
        "{out}"
    );
}

#[test]
fn raw_html_is_sanitised_but_figures_survive() {
    let out = html("<figure><img src=\"x.png\" alt=\"x\" onerror=\"alert(1)\"><figcaption>Hình</figcaption></figure>\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n");
    assert!(out.contains("<figure>"), "{out}");
    assert!(out.contains("<figcaption>Hình</figcaption>"), "{out}");
    assert!(!out.contains("onerror"), "{out}");
    assert!(!out.contains("<script"), "{out}");
    assert!(!out.contains("javascript:"), "{out}");
}

#[test]
fn unsafe_html_passes_through_when_asked() {
    let out =
        to_html("<div onclick=\"x()\">a</div>\n", &Table, &HtmlOptions { unsafe_html: true, ..Default::default() });
    assert!(out.contains("onclick"), "{out}");
}

#[test]
fn code_is_highlighted_with_classes_only() {
    let out = html("```rust\nfn main() {}\n```\n\n```\n<b>\n```\n");
    assert!(out.contains("<pre class=\"hl\"><code class=\"language-rust\">"), "{out}");
    assert!(out.contains("class=\"hl-"), "{out}");
    assert!(!out.contains("style="), "{out}");
    assert!(out.contains("<pre><code>&lt;b&gt;\n</code></pre>"), "{out}");
}

#[test]
fn tables_footnotes_tasks_strikethrough() {
    let out = html("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~cũ~~ [^1]\n\n[^1]: chú thích\n\n- [x] xong\n");
    for want in ["<table>", "<del>cũ</del>", "footnote-definition", "type=\"checkbox\""] {
        assert!(out.contains(want), "missing {want} in {out}");
    }
}

#[test]
fn svg_size_from_attributes_or_view_box() {
    assert_eq!(svg_size("<svg xmlns=\"x\" width=\"320\" height=\"180px\">"), Some((320, 180)));
    assert_eq!(svg_size("<svg viewBox=\"0 0 400 200\">"), Some((400, 200)));
    assert_eq!(svg_size("<svg>"), None);
}

const QUIZ: &str = r#"## Ôn tập

```quiz
[[question]]
text = "Mật khẩu nào **mạnh** nhất?"
choices = ["123456", "ngay-sinh-1990", "Ca phe sang 3 ly, khong duong!"]
answer = [3]
explain = "Cụm từ dài, khó đoán."

[[question]]
text = "Cách nào giữ tài khoản an toàn?"
kind = "multiple"
choices = ["Bật xác thực hai bước", "Đọc mã OTP cho người lạ", "Mỗi tài khoản một mật khẩu"]
answer = [1, 3]
```
"#;

/// Every `id="…"` in the HTML.
fn ids(html: &str) -> Vec<&str> {
    html.split(" id=\"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]).collect()
}

#[test]
fn quiz_renders_as_a_form_that_works_without_javascript() {
    let out = html(QUIZ);
    let want = [
        "<section class=\"quiz\" id=\"quiz_1\" aria-labelledby=\"quiz_1_h\" data-result=\"Đúng {right}/{total} câu\"",
        "<h2 id=\"quiz_1_h\">Câu hỏi ôn tập</h2>\n<form>\n",
        "<fieldset class=\"quiz-q\" data-answer=\"3\">\n<legend>1. Mật khẩu nào <strong>mạnh</strong> nhất?</legend>\n<p class=\"quiz-pick\">Chọn một đáp án.</p>\n",
        "<label><input type=\"radio\" id=\"quiz_1_1_1\" name=\"quiz_1_1\" value=\"1\"> <span>123456</span></label>\n",
        "<details><summary>Xem đáp án</summary>\n<p><strong>Đáp án:</strong> Ca phe sang 3 ly, khong duong!</p>\n<p>Cụm từ dài, khó đoán.</p>\n</details>\n</fieldset>\n",
        "<fieldset class=\"quiz-q\" data-answer=\"1 3\">\n<legend>2. Cách nào giữ tài khoản an toàn?</legend>\n<p class=\"quiz-pick\">Chọn tất cả các đáp án đúng.</p>\n",
        "<input type=\"checkbox\" id=\"quiz_1_2_3\" name=\"quiz_1_2\" value=\"3\">",
        "<p><strong>Đáp án:</strong></p>\n<ul><li>Bật xác thực hai bước</li><li>Mỗi tài khoản một mật khẩu</li></ul>\n</details>",
        "<button type=\"submit\" hidden>Chấm điểm</button>\n<p class=\"quiz-score\" role=\"status\"></p>\n</form>\n</section>\n",
    ];
    for want in want {
        assert!(out.contains(want), "missing {want}\nin {out}");
    }
    assert!(!out.contains("style=") && !out.contains("<script") && !out.contains("onclick"), "{out}");
    assert!(!out.contains("<pre"), "the quiz is not shown as code: {out}");
}

#[test]
fn several_quizzes_on_one_page_have_distinct_ids() {
    let out = html(&format!("{QUIZ}\n{QUIZ}"));
    let ids = ids(&out);
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "repeated ids in {ids:?}");
    assert!(ids.contains(&"quiz_2_2_3") && ids.contains(&"quiz_2_h"), "{ids:?}");
    // Heading slugs never contain `_`, so quiz ids cannot take a heading's anchor.
    assert!(ids.contains(&"on-tap-2"), "{ids:?}");
    assert!(out.contains("aria-labelledby=\"quiz_2_h\""), "{out}");
}

#[test]
fn quizzes_and_callouts_survive_sanitising_raw_html() {
    let body = format!("<details><summary>Thêm</summary>x</details>\n\n> [!TIP]\n> Gõ <b>chậm</b>.\n\n{QUIZ}");
    let out = html(&body);
    for want in ["<form>", "<button type=\"submit\" hidden>", "role=\"note\"", "name=\"quiz_1_1\"", "<details>"] {
        assert!(out.contains(want), "missing {want} in {out}");
    }
    assert!(!out.contains('\u{E000}'), "{out}");
}

#[test]
fn slot_characters_written_by_the_author_stay_text() {
    let out = html("> [!NOTE]\n> a\n\n\u{E000}0\u{E000}\n");
    assert_eq!(out.matches("<aside").count(), 1, "{out}");
    assert!(out.contains("<p>\u{FFFD}0\u{FFFD}</p>"), "{out}");
}

#[test]
fn a_malformed_quiz_is_shown_as_its_text() {
    let out = html("```quiz\n[[question]]\ntext = \"\"\n```\n");
    assert!(out.contains("<pre><code class=\"language-quiz\">[[question]]"), "{out}");
}

#[test]
fn callouts_of_every_kind_are_labelled_asides() {
    let cases = [
        ("NOTE", "note", "Lưu ý"),
        ("TIP", "tip", "Mẹo"),
        ("IMPORTANT", "important", "Quan trọng"),
        ("WARNING", "warning", "Cảnh báo"),
        ("CAUTION", "caution", "Thận trọng"),
    ];
    for (marker, class, label) in cases {
        let out = html(&format!("> [!{marker}]\n> Không đọc mã **OTP** cho ai.\n"));
        let want = format!(
            "<aside class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-label\">{label}</p>\n<p>Không đọc mã <strong>OTP</strong> cho ai.</p>\n</aside>\n"
        );
        assert_eq!(out, want);
    }
    assert_eq!(html("> Trích dẫn thường\n"), "<blockquote>\n<p>Trích dẫn thường</p>\n</blockquote>\n");
}

#[test]
fn labels_come_from_the_theme_strings_with_vietnamese_defaults() {
    let strings: toml::Table = toml::from_str(
        "quiz_heading = \"Quiz\"\nquiz_show_answer = \"Show answer\"\nquiz_result = \"{right} of {total}\"\ncallout_warning = \"Warning\"\n",
    )
    .unwrap();
    let options = HtmlOptions { strings: Some(&strings), ..Default::default() };
    let out = to_html(&format!("> [!WARNING]\n> x\n\n{QUIZ}"), &Table, &options);
    for want in [
        "<p class=\"callout-label\">Warning</p>",
        "<h2 id=\"quiz_1_h\">Quiz</h2>",
        "<summary>Show answer</summary>",
        "data-result=\"{right} of {total}\"",
        "hidden>Chấm điểm</button>",
    ] {
        assert!(out.contains(want), "missing {want} in {out}");
    }
}

#[test]
fn quiz_problems_point_into_the_body() {
    // (body, expected (line, column) in the body, message)
    let cases = [
        (
            "Mở đầu\n\n```quiz\n[[question]]\ntext = \"Q\n```\n",
            (5, 10),
            "quiz: the text of `text` is not closed: its closing quote is missing",
        ),
        ("```quiz\n```\n", (1, 1), "quiz has no questions"),
        ("- Bước một\n\n  ```quiz\n  [[question]]\n  tex = \"Q\"\n  ```\n", (5, 3), "unknown quiz key `tex`"),
        (
            "> ```quiz\n> [[question]]\n> text = \"Q\"\n> choices = [\"a\", \"b\"]\n> answer = [5]\n> ```\n",
            (5, 13),
            "quiz question 1: answer 5 is not a choice (there are 2)",
        ),
        ("~~~ quiz lớp 6\ntitle = \"T\"\n~~~\n", (2, 1), "quiz has no questions"),
    ];
    for (body, (line, col), message) in cases {
        let problems = outline(body).problems;
        assert_eq!(problems.len(), 1, "{body}: {problems:?}");
        let at = crate::diag::Position::of_offset(body, problems[0].offset);
        assert_eq!((at.line, at.col, problems[0].message.as_str()), (line, col, message), "in {body}");
    }
    assert!(outline(QUIZ).problems.is_empty());
    assert!(outline("```python\n[x\n```\n").problems.is_empty(), "only quiz blocks are read");
}

mod heading_ids {
    use super::*;
    use proptest::prelude::*;

    /// The ids as they were made before they were made in linear time: try `base`,
    /// `base-2`, `base-3`… from the start each time.
    fn quadratic(headings: &[(Option<&str>, &str)]) -> Vec<String> {
        let mut used = HashSet::new();
        let mut ids = Vec::new();
        for (explicit, text) in headings {
            let base = match explicit {
                Some(id) => id.to_string(),
                None => Some(slugify(text)).filter(|s| !s.is_empty()).unwrap_or_else(|| "muc".to_string()),
            };
            let (mut id, mut n) = (base.clone(), 1);
            while !used.insert(id.clone()) {
                n += 1;
                id = format!("{base}-{n}");
            }
            ids.push(id);
        }
        ids
    }

    proptest! {
        #[test]
        fn linear_ids_are_the_ids_made_before(
            headings in prop::collection::vec(
                (prop::option::of(prop::sample::select(vec!["a", "a-2", "a-3", "a-2-2", "muc", "muc-2", "b-10"])),
                 prop::sample::select(vec!["a", "A", "a 2", "a-2", "a-2 2", "", "!!", "Mục", "b 10", "b"])),
                0..40,
            )
        ) {
            let mut ids = HeadingIds::default();
            let linear: Vec<String> = headings.iter().map(|(explicit, text)| ids.next(*explicit, text)).collect();
            prop_assert_eq!(linear, quadratic(&headings));
        }
    }
}

#[test]
fn one_pass_gives_the_readable_text_for_search_without_code_or_quizzes() {
    let body = format!(
        "## Mật khẩu\nChọn *mật khẩu* dài,\nkhó đoán.\n\n- Một\n- Hai `mã`\n\n| A | B |\n|---|---|\n| ô | ơ |\n\n> Trích dẫn\n\n```sh\nbi-mat --khong\n```\n\n{QUIZ}\n<b>thẻ</b> cuối\n"
    );
    let outline = super::outline(&body);
    assert_eq!(
        &*outline.text,
        "Mật khẩu\nChọn mật khẩu dài, khó đoán.\nMột\nHai mã\nA\nB\nô\nơ\nTrích dẫn\nÔn tập\nthẻ cuối\n"
    );
}

#[test]
fn rendering_reports_what_the_body_loads_and_its_answers() {
    let body = format!("![Sơ đồ](hinh.png)\n\n[Tài liệu](tai-lieu.pdf)\n\n<audio src=\"bai.mp3\"></audio><img src=\"https://x.example/a.png\">\n\n{QUIZ}");
    let html = super::render(&body, &Table, &HtmlOptions::default());
    assert!(
        html.loads.contains(&("../../../media/a/hinh.png".to_string(), super::loads::LoadKind::Image)),
        "{:?}",
        html.loads
    );
    assert!(html.loads.iter().any(|(url, _)| url == "bai.mp3"), "raw HTML loads too: {:?}", html.loads);
    assert_eq!(html.foreign, ["https://x.example/a.png"], "what raw HTML loads from another host is reported");
    assert_eq!(html.answers.len(), 1);
    assert!(html.answers[0].starts_with("<ol"), "{}", html.answers[0]);
}

/// Resolves `anh.jpg` (and `anh.jpg#goc`) to an image made into three variants.
struct Pictures(bool);

impl Resolve for Pictures {
    fn resolve(&self, dest: &str) -> Option<Resolved> {
        let sources = [(360, 9_000), (720, 31_000), (1080, 64_000)]
            .map(|(w, b)| (format!("../../../media/a/anh.{w}.abcd1234.webp"), w, b))
            .to_vec();
        dest.starts_with("anh.jpg").then(|| Resolved {
            url: "../../../media/a/anh.jpg".into(),
            file: None,
            size: Some((3000, 4000)),
            picture: Some(Picture { width: 3000, height: 4000, sources, phone: 2, originals: self.0 }),
        })
    }
}

#[test]
fn pictures_offer_their_variants_and_the_phone_loads_two() {
    let body = "![Bước 1](anh.jpg)\n\n![Bước 2](anh.jpg#goc)\n";
    let out = super::render(body, &Pictures(true), &HtmlOptions::default());
    assert!(
        out.html.contains(
            "<img src=\"../../../media/a/anh.720.abcd1234.webp\" srcset=\"../../../media/a/anh.360.abcd1234.webp 360w, ../../../media/a/anh.720.abcd1234.webp 720w, ../../../media/a/anh.1080.abcd1234.webp 1080w\" sizes=\"(max-width: 42rem) calc(100vw - 2rem), 40rem\" width=\"3000\" height=\"4000\" alt=\"Bước 1\" data-bytes=\"31000\" decoding=\"async\">"
        ),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("alt=\"Bước 2\" data-bytes=\"31000\" loading=\"lazy\" decoding=\"async\">"),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("<a class=\"image-original\" href=\"../../../media/a/anh.jpg\">Xem ảnh gốc (3000×4000)</a>"),
        "{}",
        out.html
    );
    let images: Vec<&str> =
        out.loads.iter().filter(|(_, k)| *k == loads::LoadKind::Image).map(|(u, _)| u.as_str()).collect();
    assert!(images.iter().all(|u| !u.contains(".1080.")), "a phone needs 360 and 720: {images:?}");
    assert_eq!(images.len(), 4);
    assert!(out.loads.contains(&("../../../media/a/anh.jpg".into(), loads::LoadKind::Original)), "{:?}", out.loads);
    // where originals are not carried (packs), no link to one
    let packed = super::render(body, &Pictures(false), &HtmlOptions::default());
    assert!(!packed.html.contains("image-original") && !packed.loads.iter().any(|(u, _)| u.ends_with(".jpg")));
}

#[test]
fn what_would_be_lost_silently_is_warned_about() {
    let body = "# Tiêu đề thứ hai\n\n```rust,editable\nfn main() {}\n```\n\n```brainfuck\n+++\n```\n\n```brainfuck\n---\n```\n\n```toml\na = 1\n```\n\n```rust\n{{#include vi-du.rs:2:5}}\n```\n";
    let problems: Vec<(&str, String)> =
        super::outline(body).problems.into_iter().map(|p| (p.code, p.message)).collect();
    let codes: Vec<&str> = problems.iter().map(|(c, _)| *c).collect();
    // `rust,editable` is Rust (mdBook's info strings), TOML is known (bat's syntaxes)
    assert_eq!(codes, ["body-h1", "unknown-language", "directive"], "{problems:?}");
    assert!(problems[1].1.contains("\"brainfuck\""), "once per language: {problems:?}");
    assert_eq!(problems[2].1, "`{{#include vi-du.rs:2:5}}` is shown as text: hoclieu has no such directive");
    let hint = super::outline("```cobol-x\nx\n```\n").problems.remove(0).hint;
    for lang in ["rs", "py", "toml", "yaml", "json", "ts", "sql", "powershell", "dockerfile", "bash"] {
        assert!(hint.contains(&format!(" {lang},")), "the hint lists the known languages: {hint}");
    }
    assert!(hint.contains(" languages hoclieu knows by name or file extension"), "{hint}");
}

/// (line, message, hint) of each `html-removed` warning of a body.
fn removed_html(body: &str) -> Vec<(usize, String, String)> {
    super::outline(body)
        .problems
        .into_iter()
        .filter(|p| p.code == "html-removed")
        .map(|p| (body[..p.offset].matches('\n').count() + 1, p.message, p.hint))
        .collect()
}

#[test]
fn generic_types_outside_backticks_are_warned_about() {
    let body = "Dùng Vec<T> hay &[T]? Một Option<String>, HashMap<K, V> và Result<T, E>.\n\nMã `Vec<T>` và\n\n```rust\nlet v: Vec<T>;\n```\n";
    let problems = removed_html(body);
    assert_eq!(
        problems,
        [
            (
                1,
                "`<T>` is left out of the page: it reads as an HTML tag, which hoclieu does not keep".to_string(),
                "`<T>` is not an HTML tag hoclieu keeps: write `Vec<T>` in backticks".to_string()
            ),
            (
                1,
                "`<String>` is left out of the page: it reads as an HTML tag, which hoclieu does not keep".to_string(),
                "`<String>` is not an HTML tag hoclieu keeps: write `Option<String>` in backticks".to_string()
            ),
        ],
        "`<K, V>` and `<T, E>` are not tags (CommonMark): they stay as text"
    );
    let out = html(body);
    assert!(out.contains("HashMap&lt;K, V&gt;") && out.contains("Result&lt;T, E&gt;"), "{out}");
    assert!(out.contains("Dùng Vec hay"), "what the warning is about: {out}");
}

#[test]
fn scripts_frames_handlers_and_unknown_tags_are_warned_about() {
    let body = concat!(
        "Nhấn <Enter> rồi <kbd>Ctrl</kbd>.\n\n",
        "<script>\nalert('<b>')\n</script>\n\n",
        "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>\n\n",
        "<a href=\"#\" onclick=\"alert(1)\">bấm</a> <a href=\"javascript:alert(1)\">x</a>\n\n",
        "<div\n  style=\"color:red\" class=\"ok\">\n\nđoạn\n\n</div>\n\n",
        "<table><tr><td colspan=\"2\" style=\"text-align: center\">x</td></tr></table>\n\n",
        "<style>p { color: red }</style>\n\n",
        "<!-- <T> trong ghi chú -->\n",
    );
    let problems = removed_html(body);
    let lines_and_messages: Vec<(usize, &str)> = problems.iter().map(|(l, m, _)| (*l, m.as_str())).collect();
    assert_eq!(
        lines_and_messages,
        [
            (1, "`<Enter>` is left out of the page: it reads as an HTML tag, which hoclieu does not keep (the text inside stays)"),
            (3, "`<script>` is left out of the page with everything inside it: lessons carry no script or style of their own"),
            (7, "`<iframe …>` is left out of the page: pages load nothing from other hosts and must work offline"),
            (9, "attribute `onclick` of `<a>` is left out: lessons run no script"),
            (9, "attribute `href` of `<a>` is left out: its address is not http(s), mailto, tel or a file of the site"),
            (11, "attribute `style` of `<div>` is left out: styles come from the theme"),
            (20, "`<style>` is left out of the page with everything inside it: lessons carry no script or style of their own"),
        ],
        "kept as written: <kbd>, the <td>'s colspan and alignment, the comment; {problems:#?}"
    );
    assert!(problems[0].2.contains("write it in backticks (`<Enter>`)"), "{problems:?}");
}

#[test]
fn html_the_sanitiser_keeps_is_not_warned_about() {
    let body = concat!(
        "<figure><img src=\"x.png\" alt=\"x\" width=\"10\" loading=\"lazy\"><figcaption>Hình</figcaption></figure>\n\n",
        "<details open><summary>Xem</summary>\n\nnội dung\n\n</details>\n\n",
        "<video src=\"a.mp4\" controls poster=\"a.jpg\"><track src=\"a.vtt\" kind=\"captions\" srclang=\"vi\"></video>\n\n",
        "Chữ <mark>nổi</mark>, <a href=\"../b/zalo.md\" title=\"Zalo\">Zalo</a>, <span lang=\"blt\" class=\"x\">tai</span><br>\n\n",
        "| a | b |\n|:--|--:|\n| <sub>1</sub> | 2 |\n",
    );
    assert_eq!(removed_html(body), [], "{:?}", super::outline(body).problems);
}

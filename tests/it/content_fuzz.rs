//! Property tests over hostile content (issue 19): arbitrary Markdown with raw HTML,
//! heading attributes and links of every scheme never yields script in the HTML, and
//! arbitrary front matter, Markdown and SVG build (or are refused) without a panic and
//! without a write outside the output folder.

use hoclieu::markdown::{self, HtmlOptions, Resolve, Resolved};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

/// Destinations of links and images, from ordinary to hostile.
const DESTINATIONS: &[&str] = &[
    "https://dichvucong.gov.vn",
    "mailto:a@b.vn",
    "tel:113",
    "#muc",
    "khac.md",
    "khac.md#phan-mot",
    "../k/khac.md#khong-co",
    "hinh.png",
    "so-do.svg",
    "../../../etc/passwd",
    "/vi/index.html",
    "//evil.example/x",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java&#9;script:alert(1)",
    "java&#x0A;script:alert(1)",
    "&#106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "%6Aavascript:alert(1)",
    "vbscript:msgbox(1)",
    "livescript:x",
    "data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "file:///etc/passwd",
];

/// Raw HTML a lesson could carry, from ordinary to hostile.
const RAW_HTML: &[&str] = &[
    "<figure><img src=\"hinh.png\" alt=\"x\"><figcaption>Hình</figcaption></figure>",
    "<details><summary>Thêm</summary>x</details>",
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<img src=\"x\" onerror  =  \"alert(1)\">",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>",
    "<svg onload=alert(1)><circle/></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=javascript:alert(1)>",
    "<base href=\"javascript:alert(1)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button formaction=javascript:alert(1)>x</button></form>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video poster=javascript:alert(1) src=x onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<table background=\"javascript:alert(1)\"><tr><td style=\"background:url(https://x.example/a.png)\">x</td></tr></table>",
    "<div style=\"position:fixed;inset:0\">che</div>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<style>@import 'https://x.example/a.css';</style>",
    "<!--<script>alert(1)</script>-->",
    "<div",
    "</div>",
    "<p>",
    "<span title='>' onclick=alert(1)>x</span>",
];

/// Heading attributes, from ordinary to hostile.
const HEADING_ATTRIBUTES: &[&str] = &[
    "#muc",
    ".note",
    "#a .b .c",
    "tabindex=0 autofocus onfocus=alert(1)",
    "style=position:fixed",
    "onclick=\"alert(1)\"",
    "#x\" onmouseover=\"alert(1)",
    ".x\" onmouseover=\"alert(1)",
    "data-x=1",
    "",
];

/// Markdown pieces around them.
const MARKDOWN: &[&str] = &[
    "\n\n",
    "\n",
    "> ",
    "> [!NOTE]\n> ",
    "- ",
    "1. ",
    "    ",
    "```\n<script>alert(1)</script>\n```\n",
    "```quiz\n[[question]]\ntext = \"<img src=x onerror=alert(1)>\"\nchoices = [\"[a](javascript:alert(1))\", \"<b>b</b>\"]\nanswer = [1]\n```\n",
    "| a | b |\n|:--|--:|\n| <b>x</b> | y |\n",
    "*",
    "_",
    "`",
    "[^1]",
    "\n\n[^1]: chú thích\n\n",
    "Mật khẩu mạnh",
    "\u{E000}0\u{E000}",
    "&lt;script&gt;",
    "\\",
    "<",
];

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(list).prop_map(str::to_string)
}

/// Destinations a page can link to without an error (unsafe schemes are warnings).
const LINKABLE: &[&str] = &[
    "https://dichvucong.gov.vn",
    "mailto:a@b.vn",
    "tel:113",
    "khac.md",
    "khac.md#phan-mot",
    "hinh.png",
    "javascript:alert(1)",
    " javascript:alert(1)",
    "java&#9;script:alert(1)",
    "&#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
];

/// One piece of a hostile body; `buildable`: none that is an error (a broken link, an
/// image from another host), so that the page is rendered.
fn piece(buildable: bool) -> impl Strategy<Value = String> {
    let destination = move || {
        if buildable {
            pick(LINKABLE).boxed()
        } else {
            prop_oneof![pick(DESTINATIONS), "\\PC{0,12}"].boxed()
        }
    };
    let image = if buildable { pick(&["hinh.png", "so-do.svg"]).boxed() } else { destination() };
    let text = if buildable { "[a-zA-Zà-ỹ ]{0,16}".boxed() } else { "\\PC{0,16}".boxed() };
    prop_oneof![
        pick(MARKDOWN),
        pick(RAW_HTML),
        text,
        ("[1-6]", "[a-zA-Zà-ỹ ]{0,8}", pick(HEADING_ATTRIBUTES))
            .prop_map(|(n, text, attrs)| format!("\n{} {text} {{{attrs}}}\n", "#".repeat(n.parse().unwrap()))),
        (destination(), "[a-zA-Zà-ỹ ]{0,8}").prop_map(|(d, t)| format!("[{t}]({d})")),
        (destination(), "[a-zA-Zà-ỹ ]{0,8}").prop_map(|(d, t)| format!("[{t}](<{d}>)")),
        destination().prop_map(|d| format!("<{d}>")),
        (image, "[a-zA-Z ]{1,8}").prop_map(|(d, t)| format!("![{t}]({d})")),
        destination().prop_map(|d| format!("[x][r]\n\n[r]: {d}\n")),
    ]
}

fn body(buildable: bool) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(buildable), 0..32).prop_map(|pieces| pieces.concat())
}

/// Resolves as linking does: a few known targets, `None` for the rest (the problem was
/// reported, the destination is written as it is).
struct Targets;

impl Resolve for Targets {
    fn resolve(&self, dest: &str) -> Option<Resolved> {
        match dest.split('#').next().unwrap_or_default() {
            "khac.md" => Some(Resolved { url: "../khac/index.html".into(), file: None, size: None, picture: None }),
            "hinh.png" => {
                Some(Resolved { url: "../../../media/k/hinh.png".into(), file: None, size: None, picture: None })
            }
            _ if dest.starts_with("https:") || dest.starts_with("mailto:") || dest.starts_with("tel:") => {
                Some(Resolved { url: dest.into(), file: None, size: None, picture: None })
            }
            _ => None,
        }
    }

    fn left_out(&self, dest: &str) -> bool {
        dest.starts_with("../k/")
    }
}

/// Attributes whose value a browser follows or loads as a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "cite",
    "longdesc",
    "srcset",
    "ping",
    "manifest",
    "codebase",
    "dynsrc",
    "lowsrc",
];

/// Why `html` (a body, or a whole page when `page`) could run script or cover the page:
/// `None` when it cannot. The theme's own `<script src>` and icon are allowed on pages.
fn script_in(html: &str, page: bool) -> Option<String> {
    let document = if page { scraper::Html::parse_document(html) } else { scraper::Html::parse_fragment(html) };
    for node in document.tree.nodes() {
        let Some(element) = node.value().as_element() else { continue };
        let name = element.name();
        let attribute = |n: &str| element.attrs().find(|(a, _)| *a == n).map(|(_, v)| v);
        let theme_script = page && name == "script" && attribute("src").is_some_and(|s| s.contains("assets/"));
        // the theme's icons: inline, in the header, outside anything content writes
        let theme_icon = page
            && name == "svg"
            && node.ancestors().any(|a| a.value().as_element().is_some_and(|e| e.attr("class") == Some("site-header")));
        let banned = ["script", "iframe", "frame", "object", "embed", "applet", "base", "svg", "math", "style"];
        if banned.contains(&name) && !theme_script && !theme_icon || name == "meta" && attribute("http-equiv").is_some()
        {
            return Some(format!("<{name}> element"));
        }
        for (attribute, value) in element.attrs() {
            let lower = attribute.to_ascii_lowercase();
            if lower.starts_with("on") || lower == "srcdoc" {
                return Some(format!("{attribute}= on <{name}>"));
            }
            if lower == "style" && !["text-align: left", "text-align: center", "text-align: right"].contains(&value) {
                return Some(format!("style=\"{value}\" on <{name}>"));
            }
            let local = lower.rsplit(':').next().unwrap_or_default();
            if URL_ATTRIBUTES.contains(&local) {
                // as a browser reads a URL: outer spaces and controls, and tabs and newlines
                // anywhere, do not count
                let url: String = value
                    .trim_matches(|c: char| c <= ' ')
                    .chars()
                    .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                    .collect::<String>()
                    .to_ascii_lowercase();
                let icon = page && name == "link" && url == "data:,";
                if ["javascript:", "vbscript:", "livescript:", "data:"].iter().any(|s| url.starts_with(s)) && !icon {
                    return Some(format!("{attribute}=\"{value}\" on <{name}>"));
                }
            }
        }
    }
    let lower = html.to_ascii_lowercase();
    (!page && lower.contains("<script")).then(|| "<script in the text".to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_markdown_renders_without_script(body in prop_oneof![body(false), body(true)]) {
        let outline = markdown::outline(&body);
        prop_assert!(outline.headings.iter().all(|h| !h.id.is_empty()));
        let html = markdown::to_html(&body, &Targets, &HtmlOptions::default());
        prop_assert_eq!(script_in(&html, false), None, "{}\n=>\n{}", body, html);
    }
}

/// Front matter, well-formed or not, in TOML or YAML; `buildable`: well-formed, with
/// hostile text in its values.
fn front_matter(buildable: bool) -> impl Strategy<Value = String> {
    if buildable {
        let lines = prop::sample::subsequence(
            &[
                "summary = \"<script>alert(1)</script>\"",
                "objectives = [\"<img src=x onerror=alert(1)>\", \"\\\" onmouseover=\\\"alert(1)\"]",
                "level = \"co-ban\"",
                "duration = 15",
                "weight = -3",
            ][..],
            0..=5,
        );
        let title = pick(&["Bài", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "{{ 7*7 }}"]);
        return (title, lines)
            .prop_map(|(title, lines)| {
                format!(
                    "+++\ntitle = '{title}'\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\n{}\n+++\n",
                    lines.join("\n")
                )
            })
            .boxed();
    }
    let value = prop_oneof![
        Just("\"Bài\"".to_string()),
        Just("[\"an-toan\"]".to_string()),
        Just("[\"nguoi-dan\"]".to_string()),
        Just("15".to_string()),
        Just("\"co-ban\"".to_string()),
        Just("[[[[".to_string()),
        Just("{ a = 1".to_string()),
        Just("\"<script>alert(1)</script>\"".to_string()),
        Just("&a [*a, *a]".to_string()),
        "\\PC{0,12}",
    ];
    let key = prop_oneof![
        pick(&[
            "title",
            "summary",
            "domains",
            "groups",
            "level",
            "duration",
            "weight",
            "objectives",
            "audio",
            "draft",
            "review"
        ]),
        "[a-z_]{1,8}",
    ];
    let lines = prop::collection::vec((key, value), 0..8);
    (any::<bool>(), lines)
        .prop_map(|(toml, lines)| {
            let (fence, sep) = if toml { ("+++", " = ") } else { ("---", ": ") };
            let lines: String = lines.into_iter().map(|(k, v)| format!("{k}{sep}{v}\n")).collect();
            format!(
                "{fence}\ntitle{sep}\"Bài\"\ndomains{sep}[\"an-toan\"]\ngroups{sep}[\"nguoi-dan\"]\n{lines}{fence}\n"
            )
        })
        .boxed()
}

/// An SVG with hostile parts; `buildable`: well-formed.
fn svg(buildable: bool) -> impl Strategy<Value = String> {
    let part = pick(&[
        "<script>alert(1)</script>",
        "<rect width=\"1\" height=\"1\" onclick=\"alert(1)\"/>",
        "<a xlink:href=\"javascript:alert(1)\"><text>x</text></a>",
        "<a href=\"&#106;avascript:alert(1)\"><text>x</text></a>",
        "<image href=\"https://x.example/a.png\"/>",
        "<foreignObject><div xmlns=\"http://www.w3.org/1999/xhtml\"><img src=\"x\" onerror=\"alert(1)\"/></div></foreignObject>",
        "<set attributeName=\"href\" to=\"javascript:alert(1)\"/>",
        "<style>@import url(https://x.example/a.css);</style>",
        "<g style=\"fill:url(https://x.example/a#b)\"><circle r=\"1\"/></g>",
        "<h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert(1)</h:script>",
        "<text x=\"1\">Sơ đồ</text>",
        "<g>",
        "</g>",
    ]);
    let part =
        if buildable { part.prop_filter("balanced", |p| p != "<g>" && p != "</g>").boxed() } else { part.boxed() };
    prop::collection::vec(part, 0..8).prop_map(|parts| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"4\" height=\"4\">{}</svg>",
            parts.concat()
        )
    })
}

/// Every file under `dir`, relative.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect();
    found.sort();
    found
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_content_builds_or_is_refused_writing_only_into_the_output(
        (front, body, svg) in prop_oneof![
            1 => (front_matter(false), body(false), svg(false)),
            3 => (front_matter(true), body(true), svg(true)),
        ],
    ) {
        // the site sits in a folder of its own inside the temporary one: nothing may appear
        // beside it, nor in it outside `public/`
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("site");
        let inputs = [
            ("book.toml", crate::harness::BOOK.to_string()),
            ("content/k/_index.md", "+++\ntitle = \"Khoá\"\n+++\n".to_string()),
            ("content/k/khac.md", crate::harness::Lesson::new("Khác").body("## Phần một\n").text()),
            ("content/k/bai.md", format!("{front}{body}")),
            ("content/k/so-do.svg", svg),
        ];
        for (path, text) in &inputs {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::write(root.join("content/k/hinh.png"), b"\x89PNG\r\n\x1a\n").unwrap();
        let options = hoclieu::build::BuildOptions { root: root.clone(), ..Default::default() };
        let report = hoclieu::build::run(&options, &|_| {});
        prop_assert!(report.is_ok(), "{:?}", report.err());
        let report = report.unwrap();

        prop_assert_eq!(files(outer.path()).len(), files(&root).len(), "something was written beside the site");
        let mut expected: Vec<PathBuf> = inputs.iter().map(|(p, _)| PathBuf::from(p)).collect();
        expected.push("content/k/hinh.png".into());
        expected.sort();
        let outside: Vec<PathBuf> = files(&root).into_iter().filter(|p| !p.starts_with("public")).collect();
        prop_assert_eq!(outside, expected);
        if report.has_errors() {
            prop_assert!(!root.join("public").exists(), "written despite errors");
            return Ok(());
        }
        for file in files(&root.join("public")) {
            let path = root.join("public").join(&file);
            let name = file.to_string_lossy();
            if name.ends_with(".html") {
                let html = std::fs::read_to_string(&path).unwrap();
                prop_assert_eq!(script_in(&html, true), None, "{}:\n{}", name, html);
            } else if name.ends_with(".svg") {
                let svg = std::fs::read_to_string(&path).unwrap().to_ascii_lowercase();
                for banned in ["<script", "javascript:", " on", "<foreignobject", "https:", "@import", ":script"] {
                    prop_assert!(!svg.contains(banned), "{} in {}: {}", banned, name, svg);
                }
            }
        }
    }
}

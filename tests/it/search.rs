//! Search: the Vietnamese analyzer agrees with its browser copy, and both indexes (tantivy
//! behind `hoclieu search`, the static shards the browser reads) answer a table of queries.

use crate::harness::{fixture_dir, Project};
use hoclieu::search::analyzer;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn search_js() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/search.js")
}

/// Runs `node` with `args`, feeding `stdin`; the output lines.
pub fn node(args: &[&str], stdin: &str) -> Vec<String> {
    use std::io::Write;
    let mut child = Command::new("node")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node is needed for the search tests (.ci/run installs nodejs)");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "node failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn the_rust_and_browser_analyzers_agree_on_every_case() {
    let cases = std::fs::read_to_string(fixture_dir("search").join("analyzer-cases.txt")).unwrap();
    let cases: Vec<String> = cases.lines().map(|l| l.replace("\\n", "\n").replace("\\t", "\t")).collect();
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    let script = format!(
        "const {{analyze}} = require({:?}); const fs = require('fs');
         for (const line of fs.readFileSync(0, 'utf8').split('\\n').slice(0, -1)) {{
           const text = line.replace(/\\\\n/g, '\\n').replace(/\\\\t/g, '\\t'), nfc = text.normalize('NFC');
           console.log(JSON.stringify(analyze(text).map(w => [w.exact, w.folded, nfc.slice(w.start, w.end)])));
         }}",
        search_js().to_str().unwrap()
    );
    let input: String = std::fs::read_to_string(fixture_dir("search").join("analyzer-cases.txt")).unwrap();
    let browser = node(&["-e", &script], &input);
    assert_eq!(browser.len(), cases.len());
    for (case, js) in cases.iter().zip(&browser) {
        let nfc: String = unicode_normalization::UnicodeNormalization::nfc(case.as_str()).collect();
        let rust: Vec<(String, String, String)> = analyzer::words(case)
            .into_iter()
            .map(|w| (w.exact.to_string(), w.folded.to_string(), nfc[w.start..w.end].to_string()))
            .collect();
        let js: Vec<(String, String, String)> = serde_json::from_str(js).unwrap();
        assert_eq!(rust, js, "the analyzers differ on {case:?}");
    }
}

/// (query, the path expected first)
const QUERIES: &[(&str, &str)] = &[
    ("mat khau", "an-toan/mat-khau/"),
    ("mật khẩu", "an-toan/mat-khau/"),
    ("dien thoai", "thiet-bi/dien-thoai/"),
    ("DỊCH VỤ CÔNG", "dich-vu/dich-vu-cong/"),
    // decomposed (NFD) input, as some phone keyboards send
    ("d\u{1ecb}ch vu\u{323} co\u{302}ng", "dich-vu/dich-vu-cong/"),
    // the exact diacritics rank above folded matches: đường before dương
    ("đường", "giao-thong/duong/"),
    ("dương", "giao-thong/dai-duong/"),
    // a phrase ranks above the same syllables scattered (lua-dao has them all, apart)
    ("an toàn thông tin", "an-toan/an-toan-thong-tin/"),
    // old and new tone placement are the same word: `hoà` (written old style in the
    // lesson) ranks above `Hóa đơn`, whose title has the same letters with another tone
    ("hòa", "dich-vu/dich-vu-cong/"),
    ("thủy", "thiet-bi/dien-thoai/"),
    // the same words, adjacent in one lesson and scattered in another (which comes first
    // in page order): the phrase wins
    ("bảo mật tài khoản", "an-toan/b-lien-nhau/"),
];

#[test]
fn both_indexes_answer_the_table_of_queries() {
    let project = Project::fixture("search");
    project.run(&["build"]).success();
    let out = project.path("public");
    let input: String = QUERIES.iter().map(|(q, _)| format!("{q}\n")).chain(["zzzqqq\n".to_string()]).collect();
    let browser = node(
        &[
            fixture_dir("search").join("query.js").to_str().unwrap(),
            search_js().to_str().unwrap(),
            out.to_str().unwrap(),
            "vi",
        ],
        &input,
    );
    for ((query, expected), line) in QUERIES.iter().zip(&browser) {
        let answer: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(answer["results"][0][1], *expected, "browser index, query {query:?}: {line}");

        let terminal = project.run(&["search", query]);
        terminal.success();
        let first = terminal.stdout.lines().next().unwrap_or_default();
        assert!(first.contains(&format!("[vi/{expected}]")), "tantivy, query {query:?}:\n{}", terminal.stdout);
    }
    let none: serde_json::Value = serde_json::from_str(browser.last().unwrap()).unwrap();
    assert_eq!(none["results"], serde_json::json!([]));
    let terminal = project.run(&["search", "zzzqqq"]);
    terminal.success();
    assert!(terminal.stdout.contains("Không tìm thấy"), "{}", terminal.stdout);
}

#[test]
fn the_browser_index_filters_by_group_and_domain_and_completes_the_word_being_typed() {
    let project = Project::fixture("search");
    project.run(&["build"]).success();
    let out = project.path("public");
    // groups in book.toml order: nguoi-dan 0, can-bo 1; domains: an-toan 0, thiet-bi 1
    let input = "dien thoai\ndien thoai\t1\ndien thoai\t-1\t0\ndien tho\t-1\t-1\ttyping\nmat kh\t-1\t-1\ttyping\n";
    let lines = node(
        &[
            fixture_dir("search").join("query.js").to_str().unwrap(),
            search_js().to_str().unwrap(),
            out.to_str().unwrap(),
            "vi",
        ],
        input,
    );
    let paths = |line: &str| -> Vec<String> {
        let answer: serde_json::Value = serde_json::from_str(line).unwrap();
        answer["results"].as_array().unwrap().iter().map(|r| r[1].as_str().unwrap().to_string()).collect()
    };
    let all = paths(&lines[0]);
    assert!(all.contains(&"an-toan/lua-dao/".to_string()), "{all:?}");
    let officers = paths(&lines[1]);
    assert_eq!(officers[0], "thiet-bi/dien-thoai/");
    assert!(!officers.contains(&"an-toan/lua-dao/".to_string()), "lừa đảo is for nguoi-dan only: {officers:?}");
    assert!(paths(&lines[2]).iter().all(|p| p.starts_with("an-toan/")), "domain an-toan: {:?}", paths(&lines[2]));
    assert_eq!(paths(&lines[3])[0], "thiet-bi/dien-thoai/", "`tho` completes to `thoại` while typing");
    assert_eq!(paths(&lines[4])[0], "an-toan/mat-khau/", "`kh` completes to `khẩu` while typing");
    let loaded: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
    assert!(loaded["loaded"].as_array().unwrap().iter().any(|f| f == "search/vi/f.js"), "the masks load for filters");
    let unfiltered: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert!(!unfiltered["loaded"].as_array().unwrap().iter().any(|f| f == "search/vi/f.js"), "and only then");
}

#[test]
fn object_property_names_are_ordinary_words() {
    let project = Project::fixture("search");
    project.file(
        "content/an-toan/mat-khau.md",
        project.read("content/an-toan/mat-khau.md") + "\nMột constructor và một toString.\n",
    );
    project.run(&["build"]).success();
    let out = project.path("public");
    let lines = node(
        &[
            fixture_dir("search").join("query.js").to_str().unwrap(),
            search_js().to_str().unwrap(),
            out.to_str().unwrap(),
            "vi",
        ],
        "constructor\n__proto__\nhasOwnProperty\n",
    );
    let first: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(first["results"], serde_json::json!([["Mật khẩu mạnh", "an-toan/mat-khau/"]]), "{first}");
    for line in &lines[1..] {
        let answer: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(answer["results"], serde_json::json!([]), "{line}");
        assert!(!line.contains("NaN"), "{line}");
    }
}

#[test]
fn the_terminal_search_filters_by_group_and_language_and_marks_words() {
    let project = Project::fixture("search");
    let all = project.run(&["search", "dien thoai"]);
    assert!(all.stdout.contains("an-toan/lua-dao/"), "lừa đảo mentions gọi điện:\n{}", all.stdout);
    let officers = project.run(&["search", "dien", "thoai", "--group", "can-bo"]);
    officers.success();
    assert!(officers.stdout.contains("thiet-bi/dien-thoai/"), "{}", officers.stdout);
    assert!(!officers.stdout.contains("an-toan/lua-dao/"), "lừa đảo is not for can-bo:\n{}", officers.stdout);
    assert!(officers.stdout.contains("«Điện» «thoại»"), "matched words are marked:\n{}", officers.stdout);

    let mong = project.run(&["search", "tub ceev", "--lang", "hmn"]);
    mong.success();
    assert!(mong.stdout.contains("[hmn/an-toan/lua-dao/]"), "{}", mong.stdout);

    // text that is not NFC after Markdown (a combining accent as a character reference)
    // is searched and shown without splitting a character
    project.file(
        "content/thiet-bi/dien-thoai.md",
        project.read("content/thiet-bi/dien-thoai.md") + "\nChợ phiên **Hoa**&#x300; Bình.\n",
    );
    let decomposed = project.run(&["search", "hoà", "bình"]);
    decomposed.success();
    assert!(decomposed.stdout.contains("«Hoà» «Bình»") || decomposed.stdout.contains("«Hoà»"), "{}", decomposed.stdout);

    project
        .test(&["search", "x", "--group", "can-bo-xa"])
        .code(2)
        .stderr("error: unknown group \"can-bo-xa\"; the site has: nguoi-dan, can-bo\n")
        .run();
}

#[test]
fn the_index_is_written_per_language_and_every_page_has_a_search_box() {
    let project = Project::fixture("search");
    project.run(&["build"]).success();
    for lang in ["vi", "hmn"] {
        let meta = project.read(&format!("public/search/{lang}/meta.js"));
        assert!(meta.starts_with(&format!("hoclieuSearch.add(\"{lang}\",\"meta\",0,")), "{meta}");
    }
    // the Mông index holds the Mông translation only; Vietnamese results come from vi
    assert!(project.read("public/search/hmn/meta.js").contains("\"docs\":1"));
    let lesson = project.read("public/vi/an-toan/mat-khau/index.html");
    assert!(lesson.contains(r#"<form class="search" role="search" action="../../tim-kiem/index.html""#), "{lesson}");
    let page = project.read("public/vi/tim-kiem/index.html");
    assert!(page.contains(r#"id="search-page""#) && page.contains("<noscript>"));
    assert!(!page.contains(r#"class="search" role="search""#), "no second box on the search page");
    // the search script is not on the page: it loads when the box is used
    assert!(!lesson.contains(r#"<script src="../../../assets/search."#), "search.js must not load with the page");
    assert!(lesson.contains(r#"data-script="../../../assets/search."#), "it loads when the box is used");
}

#[test]
fn a_two_word_query_downloads_a_few_kilobytes() {
    let project = Project::fixture("search");
    project.run(&["build"]).success();
    let out = project.path("public");
    let browser = node(
        &[
            fixture_dir("search").join("query.js").to_str().unwrap(),
            search_js().to_str().unwrap(),
            out.to_str().unwrap(),
            "vi",
        ],
        "mat khau\n",
    );
    let answer: serde_json::Value = serde_json::from_str(&browser[0]).unwrap();
    let loaded: Vec<&str> = answer["loaded"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(loaded[0], "search/vi/meta.js");
    // what a browser receives: the .br where the build wrote one, else the .gz
    let received = |f: &&str| {
        let br = out.join(format!("{f}.br"));
        std::fs::metadata(if br.is_file() { br } else { out.join(format!("{f}.gz")) }).unwrap().len()
    };
    let bytes: u64 = loaded.iter().map(received).sum();
    assert!(bytes < 8 * 1024, "{bytes} bytes for {loaded:?}");
}

/// One case of the shared ranking table (`tests/fixtures/ranking/cases.toml`).
#[derive(serde::Deserialize, Debug)]
pub struct RankingCase {
    pub query: String,
    pub order: Vec<String>,
    pub suggestion: Option<String>,
}

/// The shared ranking cases.
pub fn ranking_cases() -> Vec<RankingCase> {
    #[derive(serde::Deserialize)]
    struct Table {
        case: Vec<RankingCase>,
    }
    let text = std::fs::read_to_string(fixture_dir("ranking").join("cases.toml")).unwrap();
    toml::from_str::<Table>(&text).unwrap().case
}

/// Checks one answer (every matching path, best first) against its case.
pub fn check_ranking(case: &RankingCase, who: &str, paths: &[String], suggestion: Option<&str>) {
    let at: Vec<Option<usize>> = case.order.iter().map(|p| paths.iter().position(|q| q == p)).collect();
    assert!(at.iter().all(Option::is_some), "{who}, {:?}: {:?} not all found in {paths:?}", case.query, case.order);
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "{who}, {:?}: expected {:?} in this order: {paths:?}",
        case.query,
        case.order
    );
    if let Some(first) = case.order.first() {
        assert_eq!(&paths[0], first, "{who}, {:?}: first result", case.query);
    } else {
        assert!(paths.is_empty(), "{who}, {:?}: nothing expected, got {paths:?}", case.query);
    }
    assert_eq!(suggestion, case.suggestion.as_deref(), "{who}, {:?}: the suggestion", case.query);
}

/// `hoclieu search --limit 1000`: every result's path, and the suggestion.
pub fn terminal_ranking(project: &Project, query: &str) -> (Vec<String>, Option<String>) {
    let out = project.run(&["search", "--limit", "1000", query]);
    out.success();
    let paths = out
        .stdout
        .lines()
        .filter_map(|l| l.split("  [vi/").nth(1).and_then(|p| p.strip_suffix(']')))
        .map(str::to_string)
        .collect();
    let suggestion = out.stdout.lines().find_map(|l| {
        l.strip_prefix("Có phải bạn muốn tìm \"").and_then(|s| s.strip_suffix("\"?")).map(str::to_string)
    });
    (paths, suggestion)
}

#[test]
fn the_terminal_and_the_browser_code_rank_the_shared_cases_alike_and_stably() {
    let project = Project::fixture("ranking");
    project.run(&["build"]).success();
    let out = project.path("public");
    let cases = ranking_cases();
    assert!(cases.len() >= 12, "{} cases", cases.len());
    let input: String = cases.iter().map(|c| format!("{}\t-1\t-1\t\t1000\n", c.query)).collect();
    let run_node = || {
        node(
            &[
                fixture_dir("search").join("query.js").to_str().unwrap(),
                search_js().to_str().unwrap(),
                out.to_str().unwrap(),
                "vi",
            ],
            &input,
        )
    };
    let (first, second) = (run_node(), run_node());
    assert_eq!(first, second, "the browser's code ranks the same twice");
    for (case, line) in cases.iter().zip(&first) {
        let answer: serde_json::Value = serde_json::from_str(line).unwrap();
        let browser: Vec<String> =
            answer["results"].as_array().unwrap().iter().map(|r| r[1].as_str().unwrap().to_string()).collect();
        assert_eq!(answer["count"], browser.len(), "every match is listed: {line}");
        check_ranking(case, "browser", &browser, answer["suggestion"].as_str());
        let terminal = terminal_ranking(&project, &case.query);
        check_ranking(case, "terminal", &terminal.0, terminal.1.as_deref());
        assert_eq!(terminal.0, browser, "{:?}: the terminal and the browser give the same order", case.query);
        assert_eq!(terminal_ranking(&project, &case.query), terminal, "{:?}: the terminal, twice", case.query);
    }
}

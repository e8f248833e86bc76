//! Browser tests: the `minimal` fixture, built by the binary, opened in headless Chromium
//! at phone size through chromedriver, from `file://` and from a local HTTP server. They
//! check what a learner meets: links that lead where they say (with JavaScript off too),
//! WCAG 2.1 AA as axe-core sees it, the first-load transfer budget, nothing fetched from
//! another host, a page that fits a 360 px screen (screenshots in target/screenshots/), and
//! a course saved for offline reading that still shows once the server is gone.
//!
//! They need Chromium, chromedriver and `npm ci` (axe-core); without them they fail, unless
//! `HOCLIEU_SKIP_BROWSER=1` says to skip them on purpose (then loudly, on stderr).

mod driver;
mod images;
mod kiwix;
mod phones;
mod print;
mod server;

use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::harness::Project;
use driver::{axe_source, browser_available, screenshot_dir, set_viewport, with_browser, PHONE};
use server::{HoclieuServer, StaticServer};

/// One page of each kind the site has: (kind, path in the output, its `h1`).
const PAGE_KINDS: [(&str, &str, &str); 11] = [
    ("languages", "index.html", "Học liệu thử"),
    ("home", "vi/index.html", "Chào mừng"),
    ("course", "vi/an-toan/index.html", "An toàn thông tin"),
    ("lesson", "vi/an-toan/mat-khau-manh/index.html", "Mật khẩu mạnh"),
    ("page", "vi/gioi-thieu/index.html", "Giới thiệu"),
    ("print", "vi/an-toan/ban-in/index.html", "An toàn thông tin"),
    ("path", "vi/nhom/nguoi-dan/index.html", "Người dân"),
    ("domain", "vi/linh-vuc/an-toan/index.html", "Đảm bảo an toàn, an ninh mạng"),
    ("report", "vi/bao-cao/index.html", "Báo cáo độ phủ học liệu"),
    ("search", "vi/tim-kiem/index.html", "Tìm kiếm"),
    ("fallback", "blt/an-toan/mat-khau-manh/index.html", "Mật khẩu mạnh"),
];

/// First-load transfer budget of a page with its CSS and JS (`[budgets] lesson_kb`).
const BUDGET_BYTES: u64 = 20 * 1024;

/// The `minimal` fixture, built, and served over HTTP.
struct Site {
    // Declared first so that it stops before the project folder is removed.
    server: StaticServer,
    project: Project,
}

impl Site {
    fn build() -> Site {
        let project = Project::fixture("minimal");
        project.run(&["build"]).success();
        let server = StaticServer::start(&project.path("public"));
        Site { server, project }
    }

    /// `file:///…/public/`, with the final slash.
    fn file_base(&self) -> String {
        format!("file://{}/", self.project.path("public").display())
    }
}

/// Checks that the browser is at `base` + `path` and shows the `h1` `title`.
async fn expect_page(client: &Client, base: &str, path: &str, title: &str) {
    let url = client.current_url().await.expect("current URL");
    assert_eq!(url.as_str(), format!("{base}{path}"), "where the click led");
    let h1 = client.find(Locator::Css("h1")).await.expect("an h1");
    assert_eq!(h1.text().await.unwrap(), title, "h1 of {path}");
    assert!(h1.is_displayed().await.unwrap(), "h1 of {path} is visible");
}

/// Clicks the link in `main` whose text starts with `text`, as a learner would.
async fn click_link(client: &Client, text: &str) {
    let xpath = format!("//main//a[starts-with(normalize-space(.), '{text}')]");
    let link = client.find(Locator::XPath(&xpath)).await.unwrap_or_else(|e| panic!("no link \"{text}\" in main: {e}"));
    link.click().await.unwrap_or_else(|e| panic!("click \"{text}\": {e}"));
}

/// Language choice → home → course → lesson → next lesson, by clicking.
async fn walk_through_a_course(client: Client, base: String) {
    client.goto(&format!("{base}index.html")).await.unwrap();
    expect_page(&client, &base, "index.html", "Học liệu thử").await;
    click_link(&client, "Tiếng Việt").await;
    expect_page(&client, &base, "vi/index.html", "Chào mừng").await;
    click_link(&client, "An toàn thông tin").await;
    expect_page(&client, &base, "vi/an-toan/index.html", "An toàn thông tin").await;
    click_link(&client, "Mật khẩu mạnh").await;
    let lesson = "vi/an-toan/mat-khau-manh/index.html";
    expect_page(&client, &base, lesson, "Mật khẩu mạnh").await;
    let next = client.find(Locator::Css("a[rel~='next']")).await.expect("a rel=next link");
    let label = next.text().await.unwrap();
    assert!(label.contains("Bài tiếp theo"), "next link says {label:?}");
    next.click().await.unwrap();
    let next_lesson = "vi/an-toan/lua-dao-qua-mang/index.html";
    expect_page(&client, &base, next_lesson, "Nhận biết lừa đảo qua mạng").await;
}

#[tokio::test]
async fn a_learner_clicks_through_a_course_from_file_urls() {
    if !browser_available() {
        return;
    }
    let site = Site::build();
    let base = site.file_base();
    with_browser(true, |client| walk_through_a_course(client, base)).await;
}

#[tokio::test]
async fn a_learner_clicks_through_a_course_over_http() {
    if !browser_available() {
        return;
    }
    let site = Site::build();
    let base = site.server.base.clone();
    with_browser(true, |client| walk_through_a_course(client, base)).await;
}

#[tokio::test]
async fn course_to_lesson_works_with_javascript_off() {
    if !browser_available() {
        return;
    }
    let site = Site::build();
    let base = site.server.base.clone();
    with_browser(false, |client| async move {
        // Prove that the session really runs no page scripts.
        let probe = "data:text/html,<title>off</title><script>document.title='on'</script>";
        client.goto(probe).await.unwrap();
        assert_eq!(client.title().await.unwrap(), "off", "JavaScript is disabled");

        client.goto(&format!("{base}vi/an-toan/index.html")).await.unwrap();
        expect_page(&client, &base, "vi/an-toan/index.html", "An toàn thông tin").await;
        click_link(&client, "Mật khẩu mạnh").await;
        expect_page(&client, &base, "vi/an-toan/mat-khau-manh/index.html", "Mật khẩu mạnh").await;
        let main = client.find(Locator::Css("main")).await.unwrap();
        assert!(main.is_displayed().await.unwrap());
        let text = main.text().await.unwrap();
        for visible in ["Tạo mật khẩu", "Dùng cụm từ dài.", "123456", "Bài tiếp theo"] {
            assert!(text.contains(visible), "{visible:?} not visible in:\n{text}");
        }
        let image = client
            .find(Locator::Css("main img[alt='Sơ đồ ba bước tạo mật khẩu']"))
            .await
            .expect("the lesson's diagram");
        assert!(image.is_displayed().await.unwrap(), "images show without JavaScript");
        // every button that needs JavaScript is hidden; the search box's submit button is a
        // plain form that leads to the search page
        for control in client.find_all(Locator::Css("button:not([type=submit])")).await.unwrap() {
            let html = control.html(false).await.unwrap();
            assert!(!control.is_displayed().await.unwrap(), "a button that needs JavaScript shows without it: {html}");
        }
    })
    .await;
}

/// Runs axe-core on the current page and returns its violations.
async fn axe_violations(client: &Client, axe: &str) -> Vec<Value> {
    client.execute(axe, vec![]).await.expect("inject axe-core");
    let run = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
            resultTypes: ['violations'],
        }).then(r => done({ violations: r.violations }), e => done({ error: String(e) }));
    "#;
    let result = client.execute_async(run, vec![]).await.expect("run axe-core");
    if let Some(error) = result.get("error") {
        panic!("axe-core failed: {error}");
    }
    result["violations"].as_array().cloned().unwrap_or_default()
}

fn describe_violation(kind: &str, path: &str, violation: &Value) -> String {
    let mut text = format!(
        "{kind} ({path}): {} [{}] {}\n",
        violation["id"].as_str().unwrap_or("?"),
        violation["impact"].as_str().unwrap_or("?"),
        violation["help"].as_str().unwrap_or("?"),
    );
    for node in violation["nodes"].as_array().into_iter().flatten() {
        text += &format!(
            "    {} at {}\n      {}\n",
            node["html"].as_str().unwrap_or("?"),
            node["target"],
            node["failureSummary"].as_str().unwrap_or("").replace('\n', "\n      "),
        );
    }
    text
}

#[tokio::test]
async fn every_page_kind_passes_axe_wcag_2_1_aa() {
    if !browser_available() {
        return;
    }
    let Some(axe) = axe_source() else { return };
    let site = Site::build();
    let base = site.server.base.clone();
    with_browser(true, |client| async move {
        let mut report = String::new();
        for (kind, path, _) in PAGE_KINDS {
            client.goto(&format!("{base}{path}")).await.unwrap();
            for violation in axe_violations(&client, &axe).await {
                report += &describe_violation(kind, path, &violation);
            }
        }
        assert!(report.is_empty(), "axe-core found WCAG 2.1 AA violations:\n{report}");
    })
    .await;
}

/// What the browser fetched for the current page: the navigation entry first, then
/// every resource, as (URL, initiator, bytes on the wire).
pub(crate) async fn transfers(client: &Client) -> Vec<(String, String, u64)> {
    let script = r#"
        const entry = (e, type) => ({
            name: e.name, type, transfer: e.transferSize, encoded: e.encodedBodySize,
        });
        return performance.getEntriesByType('navigation').map(e => entry(e, 'navigation'))
            .concat(performance.getEntriesByType('resource').map(e => entry(e, e.initiatorType)));
    "#;
    let entries = client.execute(script, vec![]).await.expect("resource timing");
    entries
        .as_array()
        .expect("a list of entries")
        .iter()
        .map(|e| {
            let transfer = e["transfer"].as_u64().unwrap_or(0);
            let bytes = if transfer > 0 { transfer } else { e["encoded"].as_u64().unwrap_or(0) };
            let text = |key: &str| e[key].as_str().unwrap_or_default().to_string();
            (text("name"), text("type"), bytes)
        })
        .collect()
}

fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', ':']).next().unwrap_or_default()
}

#[tokio::test]
async fn every_page_kind_loads_within_budget_from_this_host_only() {
    if !browser_available() {
        return;
    }
    let site = Site::build();
    let base = site.server.base.clone();
    with_browser(true, |client| async move {
        let mut problems = String::new();
        for (kind, path, _) in PAGE_KINDS {
            client.goto(&format!("{base}{path}")).await.unwrap();
            let entries = transfers(&client).await;
            assert_eq!(entries.first().map(|e| e.1.as_str()), Some("navigation"));
            let mut table = String::new();
            let mut first_load = 0;
            for (url, initiator, bytes) in &entries {
                // The document, its style sheets and scripts, and what CSS pulls in
                // (fonts); content images load lazily and are not part of the budget.
                let counted = matches!(initiator.as_str(), "navigation" | "link" | "script" | "css")
                    || url.ends_with(".css")
                    || url.ends_with(".js");
                if counted {
                    first_load += bytes;
                }
                table += &format!("    {bytes:>7} B {initiator:<10} {url}\n");
                if host(url) != "127.0.0.1" {
                    problems += &format!("{kind}: fetched from another host: {url}\n");
                }
            }
            let line = format!("{kind} ({path}): first load {first_load} B\n{table}");
            eprint!("{line}");
            if first_load > BUDGET_BYTES {
                problems += &format!("{kind}: over the {BUDGET_BYTES} B budget: {line}");
            }
            forget_service_worker(&client).await;
        }
        assert!(problems.is_empty(), "{problems}");
    })
    .await;
}

/// The width and height of a PNG, from its IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

#[tokio::test]
async fn every_page_kind_fits_a_360_px_phone() {
    if !browser_available() {
        return;
    }
    let site = Site::build();
    let base = site.server.base.clone();
    let dir = screenshot_dir();
    with_browser(true, |client| async move {
        let (width, height) = PHONE;
        let mut overflowing = String::new();
        for (kind, path, _) in PAGE_KINDS {
            set_viewport(&client, width, height).await;
            client.goto(&format!("{base}{path}")).await.unwrap();
            let metrics = client
                .execute(
                    "const d = document.documentElement; return [d.clientWidth, d.scrollWidth, d.scrollHeight];",
                    vec![],
                )
                .await
                .unwrap();
            let [page_width, scroll_width, scroll_height] = [0, 1, 2].map(|i| metrics[i].as_u64().unwrap() as u32);
            assert_eq!(page_width, width, "{kind}: the page is as wide as a phone");
            if scroll_width > page_width {
                let wider = client
                    .execute(
                        "return [...document.querySelectorAll('body *')] \
                         .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth) \
                         .map(e => e.outerHTML.slice(0, 120));",
                        vec![],
                    )
                    .await
                    .unwrap();
                overflowing += &format!("{kind} ({path}): {scroll_width} px wide on a {width} px screen: {wider}\n");
            }
            let png = client.screenshot().await.unwrap();
            assert_eq!(png_size(&png), (width, height), "{kind}: screenshot size");
            let file = dir.join(format!("{kind}.png"));
            std::fs::write(&file, &png).unwrap_or_else(|e| panic!("write {}: {e}", file.display()));
            // The whole page as well, when it is longer than the screen, for a person to look at.
            if scroll_height > height {
                set_viewport(&client, width, scroll_height).await;
                let full = client.screenshot().await.unwrap();
                std::fs::write(dir.join(format!("{kind}-full.png")), full).unwrap();
            }
        }
        assert!(overflowing.is_empty(), "pages scroll sideways on a phone (WCAG 1.4.10 reflow):\n{overflowing}");
    })
    .await;
}

const QUIZ_LESSON: &str = r#"+++
title = "Ôn tập"
domains = ["an-toan"]
groups = ["nguoi-dan"]
weight = 5
+++
## Câu hỏi ôn tập

```quiz
[[question]]
text = "Mã OTP là gì?"
choices = ["Mật khẩu dùng một lần", "Tên ngân hàng"]
answer = [1]
explain = "OTP chỉ dùng một lần."

[[question]]
text = "Những việc nào an toàn?"
kind = "multiple"
choices = ["Bật xác thực hai bước", "Đọc OTP cho người lạ", "Khóa màn hình"]
answer = [1, 3]
```
"#;

/// The minimal fixture plus a lesson with a quiz, served over HTTP.
fn site_with_quiz() -> Site {
    let project = Project::fixture("minimal");
    project.file("content/an-toan/on-tap.md", QUIZ_LESSON);
    project.run(&["build"]).success();
    let server = StaticServer::start(&project.path("public"));
    Site { server, project }
}

#[tokio::test]
async fn a_quiz_is_scored_with_javascript_and_remembered() {
    if !browser_available() {
        return;
    }
    let site = site_with_quiz();
    let url = format!("{}vi/an-toan/on-tap/index.html", site.server.base);
    with_browser(true, |client| async move {
        client.goto(&url).await.unwrap();
        // first question right, second wrong (one of two right answers missing)
        client.find(Locator::Css("#quiz_1_1_1")).await.unwrap().click().await.unwrap();
        client.find(Locator::Css("#quiz_1_2_1")).await.unwrap().click().await.unwrap();
        let score = client.find(Locator::Css(".quiz button")).await.expect("the score button");
        assert!(score.is_displayed().await.unwrap(), "JavaScript shows the score button");
        score.click().await.unwrap();
        let result = client.find(Locator::Css(".quiz-score")).await.unwrap().text().await.unwrap();
        assert_eq!(result, "Đúng 1/2 câu");
        let marks: Vec<String> = {
            let mut texts = Vec::new();
            for mark in client.find_all(Locator::Css(".quiz-mark")).await.unwrap() {
                texts.push(mark.text().await.unwrap());
            }
            texts
        };
        assert_eq!(marks, ["Đúng", "Chưa đúng"], "each question is marked in words, not only colour");
        client.refresh().await.unwrap();
        let result = client.find(Locator::Css(".quiz-score")).await.unwrap().text().await.unwrap();
        assert_eq!(result, "Lần trước: Đúng 1/2 câu", "the last result is kept in this browser");
    })
    .await;
}

#[tokio::test]
async fn a_quiz_reveals_answers_without_javascript() {
    if !browser_available() {
        return;
    }
    let site = site_with_quiz();
    let url = format!("{}vi/an-toan/on-tap/index.html", site.server.base);
    with_browser(false, |client| async move {
        client.goto(&url).await.unwrap();
        let score = client.find(Locator::Css(".quiz button")).await.unwrap();
        assert!(!score.is_displayed().await.unwrap(), "no score button without JavaScript");
        let answer = client.find(Locator::XPath("//fieldset[1]/details/p[1]")).await.unwrap();
        assert!(!answer.is_displayed().await.unwrap(), "the answer is hidden until asked for");
        client.find(Locator::XPath("//fieldset[1]/details/summary")).await.unwrap().click().await.unwrap();
        assert!(answer.is_displayed().await.unwrap());
        assert_eq!(answer.text().await.unwrap(), "Đáp án: Mật khẩu dùng một lần");
    })
    .await;
}

#[tokio::test]
async fn marking_a_lesson_learned_counts_on_the_learning_path() {
    if !browser_available() {
        return;
    }
    let site = Site::build();
    let base = site.server.base.clone();
    with_browser(true, |client| async move {
        client.goto(&format!("{base}vi/nhom/nguoi-dan/index.html")).await.unwrap();
        let progress = client.find(Locator::Css(".progress")).await.unwrap();
        assert_eq!(progress.text().await.unwrap(), "Đã học 0/3 bài");
        client.goto(&format!("{base}vi/an-toan/mat-khau-manh/index.html")).await.unwrap();
        let button = client.find(Locator::Css(".learned button")).await.unwrap();
        button.click().await.unwrap();
        assert_eq!(button.attr("aria-pressed").await.unwrap().as_deref(), Some("true"));
        client.goto(&format!("{base}vi/nhom/nguoi-dan/index.html")).await.unwrap();
        let progress = client.find(Locator::Css(".progress")).await.unwrap();
        assert_eq!(progress.text().await.unwrap(), "Đã học 1/3 bài");
        let done = client.find(Locator::Css("li.done a")).await.unwrap();
        assert_eq!(done.text().await.unwrap(), "Mật khẩu mạnh");
    })
    .await;
}

/// Types `query` into the header's search box of the page shown and waits for the first
/// result that appears as one types.
async fn type_in_search_box(client: &Client, query: &str) -> fantoccini::elements::Element {
    let input = client.find(Locator::Css("form[role=search] input[name=q]")).await.expect("a search box");
    if !input.is_displayed().await.unwrap() {
        // on a phone the box opens from the header's search button
        client.find(Locator::Css(".search-toggle summary")).await.unwrap().click().await.unwrap();
    }
    input.click().await.unwrap();
    input.send_keys(query).await.unwrap();
    client
        .wait()
        .at_most(std::time::Duration::from_secs(5))
        .for_element(Locator::Css(".search-panel li a"))
        .await
        .expect("results appear as one types")
}

/// Types into the header's search box on a course page, reads the results shown as one
/// types, then submits to the search page and reads its results.
async fn search_from_the_box(client: Client, base: String) {
    use std::time::Duration;
    client.goto(&format!("{base}vi/an-toan/index.html")).await.unwrap();
    let first = type_in_search_box(&client, "mat khau").await;
    assert_eq!(first.text().await.unwrap(), "Mật khẩu mạnh", "Telex-less typing finds the password lesson first");
    let marked = client.find(Locator::Css(".search-panel li mark")).await.expect("matched words are marked");
    assert_eq!(marked.text().await.unwrap().to_lowercase(), "mật");
    let status = client.find(Locator::Css(".search-panel [role=status]")).await.unwrap();
    assert!(status.text().await.unwrap().contains("kết quả cho “mat khau”"), "screen readers hear the count");
    first.click().await.unwrap();
    expect_page(&client, &base, "vi/an-toan/mat-khau-manh/index.html", "Mật khẩu mạnh").await;

    client.find(Locator::Css(".search-toggle summary")).await.unwrap().click().await.unwrap();
    let input = client.find(Locator::Css("form[role=search] input[name=q]")).await.unwrap();
    input.send_keys("lua dao").await.unwrap();
    client.find(Locator::Css("form[role=search] button")).await.unwrap().click().await.unwrap();
    let first = client
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css("#search-results li a"))
        .await
        .expect("the search page shows results for ?q=");
    assert_eq!(first.text().await.unwrap(), "Nhận biết lừa đảo qua mạng");
    let url = client.current_url().await.unwrap();
    assert!(url.as_str().starts_with(&format!("{base}vi/tim-kiem/index.html?q=lua")), "{url}");
    let q = client.find(Locator::Css("#q")).await.unwrap();
    assert_eq!(q.prop("value").await.unwrap().as_deref(), Some("lua dao"), "the query stays in the box");

    // the results are reachable from the keyboard, and the page with results passes axe
    let first = client.find(Locator::Css("#search-results li a")).await.unwrap();
    client.execute("document.getElementById('q').focus()", vec![]).await.unwrap();
    for _ in 0..6 {
        let active = client.active_element().await.unwrap();
        if active.attr("href").await.unwrap() == first.attr("href").await.unwrap() {
            break;
        }
        active.send_keys("\u{E004}").await.unwrap(); // Tab
    }
    let active = client.active_element().await.unwrap();
    assert_eq!(active.text().await.unwrap(), "Nhận biết lừa đảo qua mạng", "Tab reaches the first result");
    if let Some(axe) = driver::axe_source() {
        let violations = axe_violations(&client, &axe).await;
        let report: String = violations.iter().map(|v| describe_violation("search", "results", v)).collect();
        assert!(report.is_empty(), "axe-core on the search results:\n{report}");
    }
}

#[tokio::test]
async fn search_works_from_file_urls() {
    if !browser_available() {
        return;
    }
    let site = Site::build();
    let base = site.file_base();
    with_browser(true, |client| search_from_the_box(client, base)).await;
}

#[tokio::test]
async fn search_works_over_http() {
    if !browser_available() {
        return;
    }
    let site = Site::build();
    let base = site.server.base.clone();
    with_browser(true, |client| search_from_the_box(client, base)).await;
}

#[tokio::test]
async fn a_reader_in_thai_sees_thai_results_first_then_vietnamese() {
    if !browser_available() {
        return;
    }
    let site = Site::build();
    let url = format!("{}blt/tim-kiem/index.html?q=zalo", site.server.base);
    with_browser(true, |client| async move {
        client.goto(&url).await.unwrap();
        client
            .wait()
            .at_most(std::time::Duration::from_secs(5))
            .for_element(Locator::Css("#search-results h2.search-other"))
            .await
            .expect("a heading before the Vietnamese results");
        let lists = client.find_all(Locator::Css("#search-results ol")).await.unwrap();
        assert_eq!(lists.len(), 2, "Thái results, then Vietnamese ones in a list of their own");
        let thai = lists[0].text().await.unwrap();
        let vietnamese = lists[1].text().await.unwrap();
        assert!(thai.starts_with("Zalo (bản tiếng Thái, máy dịch)"), "{thai}");
        assert!(!vietnamese.contains("Zalo (bản"), "no duplicate: {vietnamese}");
        let link = client.find(Locator::Css("#search-results li a")).await.unwrap();
        let href = link.attr("href").await.unwrap().unwrap();
        assert!(href.contains("blt/"), "results stay in the reader's language: {href}");
    })
    .await;
}

/// The `packs` fixture's pack `dan`, unpacked by the binary, opened from `file://`: the
/// way a school opens a pack copied from a USB stick.
#[tokio::test]
async fn an_unpacked_pack_navigates_searches_and_scores_from_file_urls() {
    if !browser_available() {
        return;
    }
    let project = Project::fixture("packs");
    project.run(&["pack", "--id", "dan", "--out", "packs"]).success();
    project.run(&["unpack", "packs/hoclieu-dan.zip", "dan"]).success();
    let base = format!("file://{}/", project.path("dan").display());
    with_browser(true, |client| async move {
        client.goto(&format!("{base}index.html")).await.unwrap();
        click_link(&client, "Tiếng Việt").await;
        click_link(&client, "An toàn trên mạng").await;
        expect_page(&client, &base, "vi/an-toan/index.html", "An toàn trên mạng").await;
        click_link(&client, "Mật khẩu mạnh").await;
        expect_page(&client, &base, "vi/an-toan/mat-khau/index.html", "Mật khẩu mạnh").await;
        let note = client.find(Locator::Css("main .not-in-pack")).await.expect("a note for the link out of the pack");
        assert_eq!(note.text().await.unwrap(), "(không có trong gói này)");
        // the quiz scores from file:// too
        client.find(Locator::Css("#quiz_1_1_3")).await.unwrap().click().await.unwrap();
        client.find(Locator::Css(".quiz button")).await.unwrap().click().await.unwrap();
        let result = client.find(Locator::Css(".quiz-score")).await.unwrap().text().await.unwrap();
        assert_eq!(result, "Đúng 1/1 câu");
        let next = client.find(Locator::Css("a[rel~='next']")).await.expect("a rel=next link");
        next.click().await.unwrap();
        expect_page(&client, &base, "vi/an-toan/lua-dao/index.html", "Nhận biết lừa đảo").await;
        // search finds the pack's lessons, loading the index with script tags
        let first = type_in_search_box(&client, "mat khau").await;
        assert_eq!(first.text().await.unwrap(), "Mật khẩu mạnh");
        first.click().await.unwrap();
        expect_page(&client, &base, "vi/an-toan/mat-khau/index.html", "Mật khẩu mạnh").await;
    })
    .await;
}

/// Unregisters the service worker and empties the caches, so that the next page loads as
/// on a first visit: a page served through the worker reports decompressed sizes.
async fn forget_service_worker(client: &Client) {
    let script = "navigator.serviceWorker.getRegistrations() \
        .then(rs => Promise.all(rs.map(r => r.unregister()))) \
        .then(() => caches.keys()).then(ks => Promise.all(ks.map(k => caches.delete(k)))) \
        .then(() => done(null), e => done(String(e)));";
    assert_eq!(run_async(client, script).await, Value::Null, "forget the service worker");
}

/// Runs `script` (an async function body that ends by calling `done(value)`) and returns
/// the value.
async fn run_async(client: &Client, script: &str) -> Value {
    let wrapped = format!("const done = arguments[arguments.length - 1];\n{script}");
    client.execute_async(&wrapped, vec![]).await.unwrap_or_else(|e| panic!("{e}\nin:\n{script}"))
}

/// Waits up to 10 s for the element at `css` to show `text`.
async fn wait_for_text(client: &Client, css: &str, text: &str) {
    use std::time::{Duration, Instant};
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let shown = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if shown.contains(text) {
            return;
        }
        assert!(Instant::now() < deadline, "{css} shows {shown:?}, not {text:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether the browser's caches hold `url`.
async fn cached(client: &Client, url: &str) -> bool {
    let script = format!("caches.match({url:?}).then(r => done(!!r), e => done(String(e)));");
    run_async(client, &script).await == Value::Bool(true)
}

#[tokio::test]
async fn a_saved_course_reads_without_the_network_and_can_be_cleared() {
    if !browser_available() {
        return;
    }
    let Site { server, project } = Site::build();
    let base = server.base.clone();
    with_browser(true, |client| async move {
        client.goto(&format!("{base}vi/an-toan/mat-khau-manh/index.html")).await.unwrap();
        let worker = run_async(&client, "navigator.serviceWorker.ready.then(r => done(r.active.scriptURL));").await;
        assert_eq!(worker.as_str(), Some(format!("{base}sw.js").as_str()), "the service worker is registered");
        // the first page of a visit loaded before the worker existed: it is kept all the same
        let first = format!("{base}vi/an-toan/mat-khau-manh/index.html");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !cached(&client, &first).await {
            assert!(std::time::Instant::now() < deadline, "the first page visited is not kept");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        // and so are the files every page loads (the worker's list, from the page views)
        let css = client.execute("return document.querySelector('link[rel=stylesheet]').href", vec![]).await.unwrap();
        let script = client.execute("return document.querySelector('script[src]').src", vec![]).await.unwrap();
        for url in [css, script] {
            let url = url.as_str().expect("a URL").to_string();
            while !cached(&client, &url).await {
                assert!(std::time::Instant::now() < deadline, "{url} is not kept with the first page");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }

        client.goto(&format!("{base}vi/an-toan/index.html")).await.unwrap();
        let save = client
            .wait()
            .at_most(std::time::Duration::from_secs(10))
            .for_element(Locator::Css(".offline:not([hidden]) button[value=save]"))
            .await
            .expect("the save button shows over HTTP");
        assert_eq!(save.text().await.unwrap(), "Lưu để học offline");
        save.click().await.unwrap();
        wait_for_text(&client, ".offline [role=status]", "Lưu 2 bài (").await;
        let question = client.find(Locator::Css(".offline [role=status]")).await.unwrap().text().await.unwrap();
        assert!(question.ends_with(" KB) vào máy này?"), "the size is shown before saving: {question}");
        client.find(Locator::Css(".offline button[value=yes]")).await.unwrap().click().await.unwrap();
        wait_for_text(&client, ".offline button[value=save]", "Đã lưu").await;
        wait_for_text(&client, ".offline [role=status]", "Đã lưu 2 bài (").await;

        let never_visited = format!("{base}vi/an-toan/lua-dao-qua-mang/index.html");
        let other_course = format!("{base}vi/giao-tiep-so/dung-zalo-an-toan/index.html");
        assert!(cached(&client, &never_visited).await, "the course's lessons are saved");
        assert!(!cached(&client, &other_course).await, "another course's lesson is not");
        assert!(!cached(&client, &format!("{base}vi/an-toan/ban-in/index.html")).await, "nor the print page");

        // a second course saved: "clear all" shows on both, and asks before it clears
        client.goto(&format!("{base}vi/giao-tiep-so/index.html")).await.unwrap();
        let save = client
            .wait()
            .at_most(std::time::Duration::from_secs(10))
            .for_element(Locator::Css(".offline:not([hidden]) button[value=save]"))
            .await
            .unwrap();
        save.click().await.unwrap();
        client
            .wait()
            .for_element(Locator::Css(".offline button[value=yes]:not([hidden])"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_text(&client, ".offline button[value=save]", "Đã lưu").await;
        client.find(Locator::Css(".offline button[value=all]:not([hidden])")).await.unwrap().click().await.unwrap();
        wait_for_text(&client, ".offline [role=status]", "Xóa 2 khóa học đã lưu (").await;
        let question = client.find(Locator::Css(".offline [role=status]")).await.unwrap().text().await.unwrap();
        assert!(question.ends_with(" KB) và các trang đã xem khỏi máy này?"), "{question}");
        client.find(Locator::Css(".offline button[value=no]")).await.unwrap().click().await.unwrap();
        assert!(cached(&client, &other_course).await, "asking and saying no removes nothing");

        // the network goes away: the saved lesson still shows
        drop(server);
        client.goto(&never_visited).await.unwrap();
        expect_page(&client, &base, "vi/an-toan/lua-dao-qua-mang/index.html", "Nhận biết lừa đảo qua mạng").await;
        let rules = client.execute("return document.styleSheets[0].cssRules.length", vec![]).await.unwrap();
        assert!(rules.as_u64().unwrap_or(0) > 10, "the saved stylesheet applies: {rules} rules");

        // clearing the course removes what was saved; clearing everything empties the caches
        client.goto(&format!("{base}vi/an-toan/index.html")).await.unwrap();
        wait_for_text(&client, ".offline button[value=save]", "Đã lưu").await;
        client.find(Locator::Css(".offline button[value=clear]")).await.unwrap().click().await.unwrap();
        wait_for_text(&client, ".offline [role=status]", "Đã xóa bản đã lưu.").await;
        assert!(!cached(&client, &never_visited).await, "the saved lesson is gone");
        let saves = run_async(&client, "caches.has('hoclieu-save:vi/an-toan').then(done);").await;
        assert_eq!(saves, Value::Bool(false));
        wait_for_text(&client, ".offline button[value=save]", "Lưu để học offline").await;
        client.find(Locator::Css(".offline button[value=all]:not([hidden])")).await.unwrap().click().await.unwrap();
        wait_for_text(&client, ".offline [role=status]", "Xóa 1 khóa học đã lưu (").await;
        client.find(Locator::Css(".offline button[value=allyes]")).await.unwrap().click().await.unwrap();
        wait_for_text(&client, ".offline [role=status]", "Đã xóa mọi bài").await;
        let left = run_async(&client, "caches.keys().then(done);").await;
        assert_eq!(left, serde_json::json!([]), "nothing is kept");
    })
    .await;
    drop(project);
}

#[tokio::test]
async fn from_file_urls_nothing_offline_runs_and_nothing_fails() {
    if !browser_available() {
        return;
    }
    let site = Site::build();
    let base = site.file_base();
    with_browser(true, |client| async move {
        for page in ["vi/an-toan/index.html", "vi/nhom/nguoi-dan/index.html"] {
            client.goto(&format!("{base}{page}")).await.unwrap();
            let offline = client.find(Locator::Css(".offline")).await.expect("the save box is in the page");
            assert!(!offline.is_displayed().await.unwrap(), "{page}: no save button on file://");
            // run the enhancement script again, listening for errors this time
            let script = r#"
                const errors = [];
                addEventListener('error', e => errors.push(String(e.message)));
                addEventListener('unhandledrejection', e => errors.push(String(e.reason)));
                const s = document.createElement('script');
                s.src = document.querySelector('script[src*="assets/site."]').src;
                s.onload = () => setTimeout(() => done(errors), 200);
                s.onerror = () => done(['the script did not load']);
                document.head.appendChild(s);
            "#;
            let errors = run_async(&client, script).await;
            assert_eq!(errors, serde_json::json!([]), "{page}");
            assert!(!offline.is_displayed().await.unwrap(), "{page}");
            let scripts = client.execute("return document.querySelectorAll('script[src*=offline]').length", vec![]);
            assert_eq!(scripts.await.unwrap(), 0, "{page}: the offline script is not loaded on file://");
        }
    })
    .await;
}

/// The `minimal` fixture with Thái written in Tai Viet (its pages carry the theme's inline
/// `@font-face`) and raw HTML let through unsanitised, with script in a lesson: built and
/// served by `hoclieu serve --static`, whose Content-Security-Policy must let every page of
/// the site work and stop the script.
#[tokio::test]
async fn pages_served_by_hoclieu_work_under_its_content_security_policy_and_inline_script_does_not_run() {
    if !browser_available() {
        return;
    }
    let project = Project::fixture("minimal");
    let book = project.read("book.toml").replace("tag = \"blt-Latn\"", "script = \"Tavt\"");
    project.file("book.toml", format!("{book}\n[markdown]\nunsafe_html = true\n"));
    let lesson = project.read("content/an-toan/mat-khau-manh.md");
    project.file(
        "content/an-toan/mat-khau-manh.md",
        format!(
            "{lesson}\n<script>document.title = 'chay-script'</script>\n\n\
             <details open ontoggle=\"document.title = 'chay-ontoggle'\"><summary>Mở</summary>x</details>\n"
        ),
    );
    project.run(&["build"]).success();
    let server = HoclieuServer::start(&project.path("public"));
    let base = server.base.clone();
    with_browser(true, |client| async move {
        client.goto(&format!("{base}vi/an-toan/mat-khau-manh/")).await.unwrap();
        // The load event is queued after the tasks the parser queued on the same task source
        // (the `toggle` of an open <details> among them): once it has fired, whatever the
        // content could run has run.
        let loaded =
            "if (document.readyState === 'complete') done(true); else addEventListener('load', () => done(true));";
        assert_eq!(run_async(&client, loaded).await, Value::Bool(true));
        let title = client.title().await.unwrap();
        assert!(title.starts_with("Mật khẩu mạnh"), "script from the content ran: title {title:?}");
        // the site's own script runs: it unhides the text-size control (in the header's menu)
        let control = client.find(Locator::Css(".textsize")).await.expect("a text-size control");
        assert_eq!(control.attr("hidden").await.unwrap(), None, "site.js did not run under the policy");
        // the inline @font-face of a Tai Viet page applies
        client.goto(&format!("{base}blt/an-toan/mat-khau-manh/")).await.unwrap();
        let family = client.execute("return getComputedStyle(document.body).fontFamily", vec![]).await.unwrap();
        assert!(family.as_str().unwrap().contains("Noto Sans Tai Viet"), "the inline style was blocked: {family}");
        // clicking through and searching (scripts loaded by scripts) work as without it
        walk_through_a_course(client.clone(), base.clone()).await;
        search_from_the_box(client, base).await;
    })
    .await;
}

/// Opens the search page for `query` and reads every result (pressing "Xem thêm kết quả"
/// until none is left), as paths from the language's folder, and the suggestion offered.
async fn search_page_ranking(client: &Client, base: &str, query: &str) -> (Vec<String>, Option<String>) {
    let q: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
    client.goto(&format!("{base}vi/tim-kiem/index.html?q={q}")).await.unwrap();
    let script = "const status = document.getElementById('search-status'), start = Date.now();
        (function step() {
          const more = document.querySelector('.search-more');
          if (more) { more.click(); return setTimeout(step, 50); }
          if (!status.textContent) { return Date.now() - start > 10000 ? done('no status') : setTimeout(step, 50); }
          const links = [...document.querySelectorAll('#search-results li a')].map(a => a.getAttribute('href'));
          const s = document.querySelector('.search-suggest a');
          done({ links, suggestion: s ? s.textContent : null, status: status.textContent });
        })();";
    let answer = run_async(client, script).await;
    assert!(answer.is_object(), "{query:?}: {answer}");
    let paths = answer["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|href| {
            let href = href.as_str().unwrap();
            let path = href.trim_start_matches("../").strip_prefix("vi/").expect("a Vietnamese page");
            path.strip_suffix("index.html").unwrap_or(path).to_string()
        })
        .collect();
    (paths, answer["suggestion"].as_str().map(str::to_string))
}

/// The shared ranking cases on the search page: every result reachable, the order the
/// terminal gives, the same twice, and the suggestion shown as a link.
/// `terminal`: what `hoclieu search` answers to each case, in order.
async fn the_search_page_ranks_the_shared_cases(client: Client, base: String, terminal: Vec<Vec<String>>) {
    use crate::search::{check_ranking, ranking_cases};
    for (case, terminal) in ranking_cases().iter().zip(terminal) {
        let (paths, suggestion) = search_page_ranking(&client, &base, &case.query).await;
        check_ranking(case, "Chromium", &paths, suggestion.as_deref());
        assert_eq!(search_page_ranking(&client, &base, &case.query).await, (paths.clone(), suggestion));
        assert_eq!(terminal, paths, "{:?}: terminal and Chromium", case.query);
    }
    // the suggestion leads to its results
    search_page_ranking(&client, &base, "mật khua").await;
    client.find(Locator::Css(".search-suggest a")).await.unwrap().click().await.unwrap();
    wait_for_text(&client, "#search-status", "kết quả cho “mật khau”").await;
}

#[tokio::test]
async fn the_search_page_ranks_the_shared_cases_from_file_urls_and_over_http() {
    if !browser_available() {
        return;
    }
    let project = Project::fixture("ranking");
    project.run(&["build"]).success();
    let server = StaticServer::start(&project.path("public"));
    let file = format!("file://{}/", project.path("public").display());
    let http = server.base.clone();
    let terminal: Vec<Vec<String>> =
        crate::search::ranking_cases().iter().map(|c| crate::search::terminal_ranking(&project, &c.query).0).collect();
    let again = terminal.clone();
    with_browser(true, |client| the_search_page_ranks_the_shared_cases(client, file, terminal)).await;
    with_browser(true, |client| the_search_page_ranks_the_shared_cases(client, http, again)).await;
}

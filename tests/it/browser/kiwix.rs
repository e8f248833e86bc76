//! A pack's ZIM file opened the way a school without hoclieu opens it: served by
//! `kiwix-serve` (with Kiwix's own toolbar injected into every page, as by default), in
//! Chromium. The site's relative links, quiz, progress marks and its own search (shards
//! loaded by `<script>` tags) must all work under kiwix-serve's `/<book>/` addresses.

use super::{browser_available, click_link, expect_page, type_in_search_box, with_browser};
use crate::harness::Project;
use crate::zim::{tool_available, KiwixServe};
use fantoccini::Locator;

#[tokio::test]
async fn through_kiwix_serve_a_lesson_opens_the_quiz_grades_progress_counts_and_search_finds() {
    if !browser_available() || !tool_available("kiwix-serve", "kiwix-tools") {
        return;
    }
    let project = Project::fixture("packs");
    project.run(&["pack", "--id", "dan", "--format", "zim", "--out", "packs"]).success();
    let server = KiwixServe::start(&project.path("packs/hoclieu-dan.zim"), true);
    let base = server.book_base();
    with_browser(true, |client| async move {
        client.goto(&base).await.unwrap();
        expect_page(&client, &base, "index.html", "Học liệu thử gói").await;
        let toolbar = client.find(Locator::Css("#kiwixtoolbar")).await;
        assert!(toolbar.is_ok(), "kiwix-serve's toolbar is on the page (the test sees what schools see)");
        click_link(&client, "Tiếng Việt").await;
        click_link(&client, "An toàn trên mạng").await;
        expect_page(&client, &base, "vi/an-toan/index.html", "An toàn trên mạng").await;
        click_link(&client, "Mật khẩu mạnh").await;
        expect_page(&client, &base, "vi/an-toan/mat-khau/index.html", "Mật khẩu mạnh").await;

        // the quiz grades
        client.find(Locator::Css("#quiz_1_1_3")).await.unwrap().click().await.unwrap();
        client.find(Locator::Css(".quiz button")).await.unwrap().click().await.unwrap();
        let result = client.find(Locator::Css(".quiz-score")).await.unwrap().text().await.unwrap();
        assert_eq!(result, "Đúng 1/1 câu");

        // progress marks count on the learning path
        client.goto(&format!("{base}vi/nhom/nguoi-dan/index.html")).await.unwrap();
        let before = client.find(Locator::Css(".progress")).await.unwrap().text().await.unwrap();
        assert!(before.starts_with("Đã học 0/"), "{before}");
        client.goto(&format!("{base}vi/an-toan/mat-khau/index.html")).await.unwrap();
        let button = client.find(Locator::Css(".learned button")).await.unwrap();
        button.click().await.unwrap();
        assert_eq!(button.attr("aria-pressed").await.unwrap().as_deref(), Some("true"));
        client.goto(&format!("{base}vi/nhom/nguoi-dan/index.html")).await.unwrap();
        let after = client.find(Locator::Css(".progress")).await.unwrap().text().await.unwrap();
        assert_eq!(after, before.replacen("Đã học 0/", "Đã học 1/", 1));
        let done = client.find(Locator::Css("li.done a")).await.unwrap();
        assert_eq!(done.text().await.unwrap(), "Mật khẩu mạnh");

        // the site's own search, typed without diacritics
        client.goto(&format!("{base}vi/an-toan/index.html")).await.unwrap();
        let first = type_in_search_box(&client, "mat khau").await;
        assert_eq!(first.text().await.unwrap(), "Mật khẩu mạnh");
        first.click().await.unwrap();
        expect_page(&client, &base, "vi/an-toan/mat-khau/index.html", "Mật khẩu mạnh").await;
    })
    .await;
    drop(server);
}

/// The shipped pack for villagers (`nguoi-dan`), as the build writes it, through
/// kiwix-serve: the real lessons, their quizzes, the path's progress and the search.
#[tokio::test]
async fn the_shipped_pack_through_kiwix_serve_grades_counts_and_finds() {
    if !browser_available() || !tool_available("kiwix-serve", "kiwix-tools") {
        return;
    }
    let project = Project::empty();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    crate::harness::copy_dir(&repo.join("content"), &project.path("content"));
    crate::harness::copy_dir(&repo.join("themes"), &project.path("themes"));
    std::fs::copy(repo.join("book.toml"), project.path("book.toml")).unwrap();
    project.run(&["pack", "--id", "nguoi-dan", "--format", "zim", "--out", "packs"]).success();
    let server = KiwixServe::start(&project.path("packs/hoclieu-nguoi-dan.zim"), true);
    let base = server.book_base();
    let lesson = "vi/an-toan-thong-tin/mat-khau-manh/index.html";
    with_browser(true, |client| async move {
        client.goto(&base).await.unwrap();
        click_link(&client, "Tiếng Việt").await;
        let url = client.current_url().await.unwrap();
        assert_eq!(url.as_str(), format!("{base}vi/index.html"));
        client.goto(&format!("{base}{lesson}")).await.unwrap();
        expect_page(&client, &base, lesson, "Mật khẩu mạnh và xác thực hai bước").await;

        // every question answered with its first choice, then graded
        let questions = client.find_all(Locator::Css(".quiz fieldset")).await.unwrap().len();
        assert!(questions >= 3, "{questions} questions");
        for q in 1..=questions {
            client.find(Locator::Css(&format!("#quiz_1_{q}_1"))).await.unwrap().click().await.unwrap();
        }
        client.find(Locator::Css(".quiz button")).await.unwrap().click().await.unwrap();
        let result = client.find(Locator::Css(".quiz-score")).await.unwrap().text().await.unwrap();
        assert!(result.starts_with("Đúng ") && result.ends_with(&format!("/{questions} câu")), "{result}");

        // the learned mark counts on the villagers' path
        let path = format!("{base}vi/nhom/nguoi-dan/index.html");
        client.goto(&path).await.unwrap();
        let before = client.find(Locator::Css(".progress")).await.unwrap().text().await.unwrap();
        assert!(before.starts_with("Đã học 0/"), "{before}");
        client.goto(&format!("{base}{lesson}")).await.unwrap();
        client.find(Locator::Css(".learned button")).await.unwrap().click().await.unwrap();
        client.goto(&path).await.unwrap();
        let after = client.find(Locator::Css(".progress")).await.unwrap().text().await.unwrap();
        assert_eq!(after, before.replacen("Đã học 0/", "Đã học 1/", 1));

        // the site's search, typed without diacritics
        let first = type_in_search_box(&client, "mat khau").await;
        let text = first.text().await.unwrap();
        assert!(text.starts_with("Mật khẩu"), "first result for \"mat khau\": {text}");
        first.click().await.unwrap();
        expect_page(&client, &base, lesson, "Mật khẩu mạnh và xác thực hai bước").await;
    })
    .await;
    drop(server);
}

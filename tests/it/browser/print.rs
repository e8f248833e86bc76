//! Handouts and diagrams as a teacher and a learner meet them: a course's print page
//! printed to A4 by Chromium (read back with `pdftotext`, from poppler-utils, installed by
//! `.ci/run`), and the shipped SVG diagrams opened on a 360 px phone.

use std::process::Command;

use fantoccini::wd::{PrintConfiguration, PrintSize};
use fantoccini::{Client, Locator};

use super::driver::{browser_available, set_viewport, with_browser};
use super::phones::Shipped;

/// The texts of `css` elements on the page shown.
async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut out = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap() {
        out.push(element.text().await.unwrap());
    }
    out
}

/// The PDF's text, one string per page (`pdftotext` separates pages with form feeds).
fn pdf_pages(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("handout.pdf");
    std::fs::write(&file, pdf).unwrap();
    let output = Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("run pdftotext (apt-get install poppler-utils): {e}"));
    assert!(output.status.success(), "pdftotext: {}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    let squash = |page: &str| page.split_whitespace().collect::<Vec<_>>().join(" ");
    text.split('\u{c}').map(squash).filter(|page| !page.is_empty()).collect()
}

/// A course with quizzes, printed: its first lesson starts on page 1, quizzes print without
/// their answers, and an answer page at the end holds every question's answer.
#[tokio::test]
async fn a_printed_course_starts_on_page_one_and_ends_with_the_answers() {
    if !browser_available() {
        return;
    }
    let site = Shipped::build();
    let url = format!("{}vi/{}/ban-in/index.html", site.server.base, site.picks().short_course);
    with_browser(true, |client| async move {
        client.goto(&url).await.unwrap();
        let lessons = texts(&client, "article.print-lesson > h2").await;
        let answers = texts(&client, ".answer-key li").await;
        let questions = texts(&client, ".print-lesson .quiz legend").await;
        assert!(lessons.len() > 1 && !questions.is_empty(), "the course has lessons and quizzes");
        assert_eq!(answers.len(), questions.len(), "one answer per question");
        let config = PrintConfiguration::builder().size(PrintSize::A4).build().unwrap();
        let pages = pdf_pages(&client.print(config).await.unwrap());
        assert!(pages.len() > 2, "{} pages", pages.len());
        assert!(pages[0].contains(&lessons[0]), "page 1 starts the first lesson: {}", pages[0]);
        let first_words = |text: &str| text.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
        let key_starts =
            pages.iter().position(|page| page.contains("Đáp án") && page.contains(&first_words(&answers[0]))).unwrap();
        assert!(key_starts > 0, "the answers are on pages of their own");
        for (page, text) in pages.iter().enumerate().take(key_starts) {
            assert!(!text.contains("Xem đáp án"), "page {}: a quiz prints its answer box", page + 1);
        }
        let key: String = pages[key_starts..].join(" ");
        for answer in &answers {
            assert!(key.contains(&first_words(answer)), "the answer page holds {answer:?}");
        }
        let mut order = lessons.clone();
        order.retain(|title| key.contains(title.as_str()));
        assert!(!order.is_empty(), "answers are grouped under their lessons");
    })
    .await;
}

/// On a 360 px phone a diagram scales down with the column; a tap opens it full size,
/// where its smallest label is at least 12 px.
#[tokio::test]
async fn diagrams_open_full_size_with_readable_labels() {
    if !browser_available() {
        return;
    }
    let site = Shipped::build();
    let public = site.project.path("public");
    let mut lessons: Vec<String> = Vec::new();
    for entry in walkdir::WalkDir::new(public.join("vi")).into_iter().filter_map(|e| e.ok()) {
        if entry.file_name() == "index.html" && !entry.path().to_string_lossy().contains("/ban-in/") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            if html.contains(".svg\" alt=") {
                lessons.push(entry.path().strip_prefix(&public).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    lessons.sort();
    assert!(lessons.len() >= 3, "the shipped lessons have diagrams: {lessons:?}");
    let base = site.server.base.clone();
    with_browser(true, |client| async move {
        set_viewport(&client, 360, 740).await;
        for lesson in lessons {
            client.goto(&format!("{base}{lesson}")).await.unwrap();
            let links = client
                .execute(
                    "return [...document.querySelectorAll('main img[src$=\".svg\"]')].map(i => i.closest('a.zoom') ? i.closest('a').href : null)",
                    vec![],
                )
                .await
                .unwrap();
            for link in links.as_array().unwrap() {
                let href = link.as_str().unwrap_or_else(|| panic!("{lesson}: a diagram is not a link to itself"));
                client.goto(href).await.unwrap();
                let smallest = client
                    .execute(
                        "const svg = document.documentElement; \
                         const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; \
                         return Math.min(...[...document.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale));",
                        vec![],
                    )
                    .await
                    .unwrap();
                let smallest = smallest.as_f64().unwrap();
                assert!(smallest >= 12.0, "{href}: the smallest label is {smallest:.1} px full size");
                client.back().await.unwrap();
            }
        }
    })
    .await;
}

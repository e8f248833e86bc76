//! What a phone downloads of a lesson with pictures (issue 14): six 1080×2340 screenshots
//! and a 4000×3000 photo, built, served by `hoclieu serve --static`, and scrolled through
//! in Chromium at 360×740 CSS pixels and device pixel ratio 2. The images it downloads,
//! as the Performance API counts them, must be at most 10 % of the originals' bytes; the
//! data saver ("Tiết kiệm dữ liệu", remembered in this browser) holds images back.

use super::driver::{browser_available, with_browser_args};
use super::server::HoclieuServer;
use crate::harness::Project;
use crate::images::lesson_with_images;
use fantoccini::{Client, Locator};
use std::time::Duration;

const LESSON: &str = "vi/an-toan/dang-nhap-vneid/index.html";

/// Scrolls to the end of the page a screen at a time, letting lazy images load.
async fn scroll_through(client: &Client) {
    for _ in 0..60 {
        let at_end = client
            .execute(
                "scrollBy(0, innerHeight * 0.8); return innerHeight + scrollY >= document.body.scrollHeight - 2",
                vec![],
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
        if at_end.as_bool() == Some(true) {
            break;
        }
    }
    // the last images finish
    let wait = "const done = arguments[0]; const imgs = [...document.images];\
        Promise.all(imgs.map(i => i.complete ? 0 : new Promise(r => { i.onload = i.onerror = r; setTimeout(r, 5000); })))\
        .then(() => done(imgs.filter(i => i.complete && i.naturalWidth > 0).length))";
    client.execute_async(wait, vec![]).await.unwrap();
}

/// (url, bytes) of every image the page downloaded.
async fn image_transfers(client: &Client) -> Vec<(String, u64)> {
    crate::browser::transfers(client)
        .await
        .into_iter()
        .filter(|(url, _, _)| {
            [".webp", ".png", ".jpg", ".svg"].iter().any(|e| url.split('?').next().unwrap_or(url).ends_with(e))
        })
        .map(|(url, _, bytes)| (url, bytes))
        .collect()
}

#[tokio::test]
async fn a_phone_scrolling_a_lesson_of_screenshots_downloads_a_tenth_of_the_originals() {
    if !browser_available() {
        return;
    }
    let project = Project::fixture("minimal");
    let originals = lesson_with_images(&project);
    project.run(&["build"]).success();
    let server = HoclieuServer::start(&project.path("public"));
    let url = format!("{}{LESSON}", server.base);
    with_browser_args(true, &["--force-device-scale-factor=2"], |client| async move {
        client.goto(&url).await.unwrap();
        let ratio = client.execute("return devicePixelRatio", vec![]).await.unwrap();
        assert_eq!(ratio.as_f64(), Some(2.0), "device pixel ratio");
        scroll_through(&client).await;
        let shown = client
            .execute(
                "return [...document.querySelectorAll('main img')].map(i => [i.currentSrc, i.naturalWidth])",
                vec![],
            )
            .await
            .unwrap();
        let shown = shown.as_array().unwrap();
        assert_eq!(shown.len(), 7);
        for img in shown {
            assert!(img[1].as_u64().unwrap() > 0, "every image is shown: {img}");
            assert!(img[0].as_str().unwrap().ends_with(".webp"), "{img}");
        }
        let images = image_transfers(&client).await;
        let webp: Vec<_> = images.iter().filter(|(u, _)| u.ends_with(".webp")).collect();
        assert!(webp.len() >= 7, "the lesson's images were downloaded: {images:?}");
        let total: u64 = images.iter().map(|(_, b)| b).sum();
        let table: String = images.iter().map(|(u, b)| format!("    {b:>8} B {u}\n")).collect();
        eprintln!("images downloaded at 360×740, DPR 2: {total} B of {originals} B of originals\n{table}");
        assert!(
            total * 10 <= originals,
            "downloaded {total} B of images, over 10 % of the originals' {originals} B:\n{table}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_data_saver_holds_images_back_until_tapped_and_is_remembered() {
    if !browser_available() {
        return;
    }
    let project = Project::fixture("minimal");
    lesson_with_images(&project);
    project.run(&["build"]).success();
    let server = HoclieuServer::start(&project.path("public"));
    let url = format!("{}{LESSON}", server.base);
    let home = format!("{}vi/index.html", server.base);
    with_browser_args(true, &[], |client| async move {
        client.goto(&home).await.unwrap();
        // the learner turns it on in the menu
        client.find(Locator::Css(".menu summary")).await.unwrap().click().await.unwrap();
        client.find(Locator::Css(".saver input")).await.unwrap().click().await.unwrap();
        // … and it is remembered on the lesson they open next
        client.goto(&url).await.unwrap();
        let checked = client.execute("return document.querySelector('.saver input').checked", vec![]).await.unwrap();
        assert_eq!(checked.as_bool(), Some(true));
        scroll_through(&client).await;
        let held = client
            .execute("return [...document.querySelectorAll('img[data-bytes]')].filter(i => i.hidden).map(i => new URL(i.dataset.src, location).href.split('.720.')[0] + '.')", vec![])
            .await
            .unwrap();
        let held: Vec<String> = held.as_array().unwrap().iter().map(|u| u.as_str().unwrap().to_string()).collect();
        let buttons = client.find_all(Locator::Css("button.img-hold")).await.unwrap();
        assert_eq!(buttons.len(), held.len());
        let label = buttons[0].text().await.unwrap();
        assert!(label.starts_with("Ảnh ") && label.contains(" KB — chạm để tải"), "{label}");
        let fetched: Vec<String> = image_transfers(&client).await.into_iter().map(|(u, _)| u).collect();
        // images near the top may have started before the script ran (Chromium fetches lazy
        // images well before they scroll into view); those further down cost nothing
        // (each held image by its address without width and hash: `…/buoc-6.`)
        let untouched: Vec<&String> = held.iter().filter(|u| !fetched.iter().any(|f| f.starts_with(u.as_str()))).collect();
        assert!(untouched.len() >= 3, "held {held:?}, fetched {fetched:?}");
        let last = buttons.last().unwrap();
        client.execute("arguments[0].scrollIntoView()", vec![serde_json::to_value(last).unwrap()]).await.unwrap();
        last.click().await.unwrap();
        tokio::time::sleep(Duration::from_millis(800)).await;
        let fetched: Vec<String> = image_transfers(&client).await.into_iter().map(|(u, _)| u).collect();
        let last = held.last().unwrap();
        assert!(fetched.iter().any(|f| f.starts_with(last.as_str())), "a tap loads {last}: {fetched:?}");
    })
    .await;
}

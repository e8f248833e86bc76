//! The shipped curriculum on small phones: every page kind, in every language of its
//! `book.toml`, at 320, 360 and 414 px, at every size the text-size control offers, with
//! the machine's fonts and with a wide font forced by the test (DejaVu Sans, installed by
//! `.ci/run`), so that the result does not depend on which fonts a machine happens to have.
//!
//! It builds the repository's own `book.toml` and `content/` (real lessons, real language
//! names, real tables and diagrams) rather than a fixture: what is checked is the layout,
//! never the wording, and pages are found by their place in the output. Screenshots of
//! every page kind at 320 px in every language go to `target/screenshots/phones/`.

use std::path::Path;

use fantoccini::{Client, Locator};
use serde_json::json;

use super::driver::{screenshot_dir, set_viewport};
use super::server::StaticServer;
use crate::harness::{copy_dir, Lesson, Project};

/// The phone widths checked, in CSS pixels.
pub const WIDTHS: [u32; 3] = [320, 360, 414];

/// The wide font forced by the test: present on every machine `.ci/run` prepares.
const WIDE_FONT: &str = "DejaVu Sans";

/// The shipped content, with the offline packs and their catalog page built, served over
/// HTTP (the service worker and the search index behave as on a school's LAN).
pub struct Shipped {
    pub server: StaticServer,
    pub project: Project,
    pub languages: Vec<String>,
}

/// Lessons of the shipped content picked by what they are, not by their names.
pub struct Picks {
    /// `<course>/<lesson>` of the first lesson translated into every language.
    pub translated: String,
    /// `<course>/<lesson>` of the first lesson with a quiz, a table and a diagram, translated
    /// into no other language (a fallback outside the default language).
    pub fallback: String,
    /// The course with the fewest lessons among those with two or more (a short print).
    pub short_course: String,
}

impl Shipped {
    pub fn build() -> Shipped {
        let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = Project::empty();
        copy_dir(&repository.join("content"), &project.path("content"));
        let book = std::fs::read_to_string(repository.join("book.toml")).unwrap();
        // the packs' catalog page is one of the page kinds checked
        assert!(book.contains("\npacks = true\n"), "the shipped book.toml builds the offline packs");
        project.file("book.toml", book);
        project.run(&["build"]).success();
        let config: toml::Value = toml::from_str(&project.read("book.toml")).unwrap();
        let languages = config["languages"].as_table().unwrap().keys().cloned().collect();
        let server = StaticServer::start(&project.path("public"));
        Shipped { server, project, languages }
    }

    /// Lessons picked from `content/` by their translations and what their text holds.
    pub fn picks(&self) -> Picks {
        let content = self.project.path("content");
        // (course, lesson) in the default language; a translation is `<lesson>.<lang>.md` beside it
        let mut lessons: Vec<(String, String)> = Vec::new();
        let mut files = std::collections::HashSet::new();
        for entry in walkdir::WalkDir::new(&content).min_depth(2).max_depth(2).into_iter().map(Result::unwrap) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let course = entry.path().parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
            files.insert(format!("{course}/{name}"));
            if let Some(stem) = name.strip_suffix(".md").filter(|s| !s.starts_with('_') && !s.contains('.')) {
                lessons.push((course, stem.to_string()));
            }
        }
        lessons.sort();
        let translations = |(course, lesson): &(String, String)| {
            self.languages.iter().filter(|lang| files.contains(&format!("{course}/{lesson}.{lang}.md"))).count()
        };
        let text = |(course, lesson): &(String, String)| {
            std::fs::read_to_string(content.join(course).join(format!("{lesson}.md"))).unwrap()
        };
        let path = |(course, lesson): &(String, String)| format!("{course}/{lesson}");
        let translated = lessons.iter().find(|l| translations(l) == self.languages.len() - 1);
        let fallback = lessons.iter().find(|l| {
            let text = text(l);
            translations(l) == 0
                && text.contains("```quiz")
                && text.lines().any(|l| l.starts_with('|') && l.contains("---"))
                && text.contains(".svg)")
        });
        let mut sizes: std::collections::BTreeMap<&str, usize> = Default::default();
        for (course, _) in &lessons {
            *sizes.entry(course).or_default() += 1;
        }
        let short_course =
            sizes.iter().filter(|(_, &n)| n >= 2).min_by_key(|(c, &n)| (n, *c)).map(|(c, _)| c.to_string());
        Picks {
            translated: path(translated.expect("a lesson translated into every language")),
            fallback: path(fallback.expect("an untranslated lesson with a quiz, a table and a diagram")),
            short_course: short_course.expect("a course of two lessons or more"),
        }
    }

    /// One page of each kind in language `lang`: (kind, path in the output). Lessons,
    /// courses, groups and domains are the first ones the output has, by name.
    pub fn page_kinds(&self, lang: &str) -> Vec<(&'static str, String)> {
        let public = self.project.path("public");
        let first_dir = |folder: &str, skip: &[&str]| -> String {
            let mut names: Vec<String> = std::fs::read_dir(public.join(lang).join(folder))
                .unwrap_or_else(|e| panic!("{lang}/{folder}: {e}"))
                .filter_map(|entry| entry.ok())
                .filter(|entry| entry.path().join("index.html").is_file())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| !skip.contains(&name.as_str()))
                .collect();
            names.sort();
            names.into_iter().next().unwrap_or_else(|| panic!("no page under {lang}/{folder}"))
        };
        let picks = self.picks();
        let course = picks.translated.split('/').next().unwrap().to_string();
        let mut kinds = vec![
            ("home", format!("{lang}/index.html")),
            ("course", format!("{lang}/{course}/index.html")),
            // translated into every shipped language
            ("lesson", format!("{lang}/{}/index.html", picks.translated)),
            ("print", format!("{lang}/{course}/ban-in/index.html")),
            ("path", format!("{lang}/nhom/{}/index.html", first_dir("nhom", &[]))),
            ("domain", format!("{lang}/linh-vuc/{}/index.html", first_dir("linh-vuc", &[]))),
            ("report", format!("{lang}/bao-cao/index.html")),
            // a word of the lesson's address: it matches at least that lesson
            (
                "search",
                format!(
                    "{lang}/tim-kiem/index.html?q={}",
                    picks.translated.rsplit('/').next().unwrap().split('-').next().unwrap()
                ),
            ),
            ("glossary", format!("{lang}/thuat-ngu/index.html")),
            ("packs", format!("{lang}/tai-ve/index.html")),
            // a lesson with a quiz, a table and a diagram, untranslated outside Vietnamese
            ("fallback", format!("{lang}/{}/index.html", picks.fallback)),
        ];
        if lang == self.languages[0] {
            kinds.insert(0, ("languages", "index.html".to_string()));
        }
        for (kind, path) in &kinds {
            let file = path.split('?').next().unwrap();
            assert!(public.join(file).is_file(), "{kind}: {file} is built");
        }
        kinds
    }
}

/// Measures the page shown at every text size, with the machine's fonts and with the wide
/// font, at the current viewport: one line per case where the page is wider than the
/// screen or a header control lies outside it, naming the widest elements.
pub async fn overflow_at_every_size(client: &Client) -> Vec<String> {
    let script = r#"
const [wide, done] = [arguments[0], arguments[arguments.length - 1]];
document.fonts.ready.then(() => {
  const root = document.documentElement, out = [];
  const force = document.createElement('style');
  force.textContent = `*{font-family:"${wide}" !important}`;
  for (const font of ['machine', 'wide']) {
    if (font === 'wide') document.head.appendChild(force);
    for (const size of [100, 112.5, 125, 150, 175, 200]) {
      root.style.fontSize = size + '%';
      const width = innerWidth;
      const problems = [];
      if (root.scrollWidth > width) problems.push(`page ${root.scrollWidth} px wide`);
      for (const control of document.querySelectorAll('.site-header a, .site-header button, .site-header summary')) {
        if (!control.checkVisibility()) continue;
        const r = control.getBoundingClientRect();
        if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5))
          problems.push(`header control "${control.textContent.trim().slice(0, 30)}" at ${Math.round(r.left)}..${Math.round(r.right)}`);
      }
      if (problems.length) {
        const wider = [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > width + 0.5)
          .filter(e => !e.parentElement.closest('pre, .table-wrap, table'))
          .slice(-3).map(e => e.outerHTML.slice(0, 100));
        out.push(`${font} font, text ${size} %: ${problems.join(', ')}: ${wider.join(' | ')}`);
      }
    }
  }
  force.remove();
  root.style.fontSize = '';
  done(out);
});"#;
    let result = client.execute_async(script, vec![json!(WIDE_FONT)]).await.expect("measure the page");
    result.as_array().unwrap().iter().map(|line| line.as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn every_page_kind_fits_small_phones_in_every_language_size_and_font() {
    if !super::driver::browser_available() {
        return;
    }
    let site = Shipped::build();
    let dir = screenshot_dir().join("phones");
    std::fs::create_dir_all(&dir).unwrap();
    let base = site.server.base.clone();
    let pages: Vec<(String, &str, String)> = site
        .languages
        .iter()
        .flat_map(|lang| site.page_kinds(lang).into_iter().map(move |(kind, path)| (lang.clone(), kind, path)))
        .collect();
    super::driver::with_browser(true, |client| async move {
        let mut problems = Vec::new();
        for (lang, kind, path) in pages {
            client.goto(&format!("{base}{path}")).await.unwrap();
            for width in WIDTHS {
                set_viewport(&client, width, 640).await;
                for problem in overflow_at_every_size(&client).await {
                    problems.push(format!("{lang} {kind} at {width} px: {problem}"));
                }
            }
            set_viewport(&client, 320, 640).await;
            let png = client.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("{lang}-{kind}.png")), png).unwrap();
        }
        assert!(problems.is_empty(), "pages scroll sideways on a phone:\n{}", problems.join("\n"));
    })
    .await;
}

#[tokio::test]
async fn every_page_of_the_shipped_site_fits_320_px_at_the_largest_text() {
    if !super::driver::browser_available() {
        return;
    }
    let site = Shipped::build();
    let public = site.project.path("public");
    let mut pages: Vec<String> = walkdir::WalkDir::new(&public)
        .into_iter()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name() == "index.html")
        .map(|entry| entry.path().strip_prefix(&public).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    pages.sort();
    assert!(pages.len() > 200, "the shipped site has {} pages", pages.len());
    let base = site.server.base.clone();
    super::driver::with_browser(true, |client| async move {
        set_viewport(&client, 320, 640).await;
        let check = r#"
const done = arguments[arguments.length - 1];
document.fonts.ready.then(() => {
  const root = document.documentElement;
  const force = document.createElement('style');
  force.textContent = `*{font-family:"DejaVu Sans" !important}`;
  document.head.appendChild(force);
  root.style.fontSize = '200%';
  if (root.scrollWidth <= innerWidth) return done(0);
  const wider = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
    .filter(e => !e.parentElement.closest('pre, .table-wrap, table'))
    .slice(-2).map(e => e.outerHTML.slice(0, 120));
  done(`${root.scrollWidth} px: ${wider.join(' | ')}`);
});"#;
        let mut problems = Vec::new();
        for path in pages {
            client.goto(&format!("{base}{path}")).await.unwrap();
            let wide = client.execute_async(check, vec![]).await.unwrap();
            if wide != 0 {
                problems.push(format!("{path}: {wide}"));
            }
        }
        assert!(problems.is_empty(), "pages wider than 320 px at 200 % text:\n{}", problems.join("\n"));
    })
    .await;
}

/// At 360×740, a lesson's title ends within the top 60 % of the screen, the header is one
/// row with the search reachable, and the breadcrumb trail is one line.
#[tokio::test]
async fn a_lesson_starts_on_the_first_screen() {
    if !super::driver::browser_available() {
        return;
    }
    let site = Shipped::build();
    let base = site.server.base.clone();
    let languages = site.languages.clone();
    let picks = site.picks();
    super::driver::with_browser(true, |client| async move {
        set_viewport(&client, 360, 740).await;
        for lang in languages {
            for lesson in [&picks.translated, &picks.fallback] {
                client.goto(&format!("{base}{lang}/{lesson}/index.html")).await.unwrap();
                let facts = client
                    .execute(
                        "const box = s => document.querySelector(s).getBoundingClientRect(); \
                         const crumbs = [...document.querySelectorAll('.crumbs li')].map(li => li.getBoundingClientRect().top); \
                         const header = [...document.querySelectorAll('.site-header > *')].map(e => e.getBoundingClientRect()); \
                         return [box('main h1').bottom, innerHeight, new Set(crumbs.map(Math.round)).size, \
                                 Math.max(...header.filter(r => r.width > 0).map(r => r.top)) < \
                                   Math.min(...header.filter(r => r.width > 0).map(r => r.bottom)) ? 1 : 2];",
                        vec![],
                    )
                    .await
                    .unwrap();
                let [h1_bottom, height, crumb_lines, header_rows] = [0, 1, 2, 3].map(|i| facts[i].as_f64().unwrap());
                assert!(h1_bottom <= 0.6 * height, "{lang} {lesson}: the title ends at {h1_bottom} of {height} px");
                assert_eq!(crumb_lines, 1.0, "{lang} {lesson}: breadcrumbs on one line");
                assert_eq!(header_rows, 1.0, "{lang} {lesson}: the header is one row");
                let search = client.find(Locator::Css(".site-header .search-toggle summary")).await.expect("search in the header");
                assert!(search.is_displayed().await.unwrap(), "{lang} {lesson}: search is reachable");
            }
        }
    })
    .await;
}

/// Every result of a query with many matches is reachable: the count is of all matches,
/// "Xem thêm kết quả" adds ten at a time until none is left, numbering goes on across the
/// pages, and the same from `file://`; the header's panel links to the full list.
#[tokio::test]
async fn every_search_result_is_reachable_over_http_and_from_file_urls() {
    if !super::driver::browser_available() {
        return;
    }
    // the minimal fixture and 25 lessons more that all speak of "mật khẩu": a tool test,
    // independent of the shipped curriculum's words
    let project = Project::fixture("minimal");
    for i in 1..=25 {
        let lesson = Lesson::new(&format!("Mật khẩu số {i}")).body(&format!("Bài {i} về mật khẩu.\n"));
        project.lesson(&format!("content/an-toan/mat-khau-{i:02}.md"), &lesson);
    }
    project.test(&["build"]).run();
    let server = StaticServer::start(&project.path("public"));
    let bases = [server.base.clone(), format!("file://{}/", project.path("public").display())];
    super::driver::with_browser(true, |client| async move {
        for base in bases {
            client.goto(&format!("{base}vi/tim-kiem/index.html?q=mat+khau")).await.unwrap();
            let status = client
                .wait()
                .at_most(std::time::Duration::from_secs(10))
                .for_element(Locator::XPath("//p[@id='search-status'][contains(., 'kết quả')]"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let total: usize = status.split(' ').next().unwrap().parse().unwrap_or_else(|_| panic!("{status}"));
            assert!(total > 20, "{base}: a common query matches many lessons: {status}");
            let mut shown = client.find_all(Locator::Css("#search-results li")).await.unwrap().len();
            assert_eq!(shown, 10, "{base}: the first ten");
            while shown < total {
                let more = client.find(Locator::Css(".search-more")).await.expect("a button for more results");
                assert_eq!(more.text().await.unwrap(), format!("Xem thêm kết quả ({})", total - shown));
                more.click().await.unwrap();
                let expected = (shown + 10).min(total);
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                while client.find_all(Locator::Css("#search-results li")).await.unwrap().len() < expected {
                    assert!(std::time::Instant::now() < deadline, "{base}: more results did not come");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                shown = expected;
            }
            assert!(client.find(Locator::Css(".search-more")).await.is_err(), "no button once all are shown");
            let links: Vec<String> = {
                let mut hrefs = Vec::new();
                for a in client.find_all(Locator::Css("#search-results li a")).await.unwrap() {
                    hrefs.push(a.attr("href").await.unwrap().unwrap());
                }
                hrefs
            };
            let unique: std::collections::HashSet<&String> = links.iter().collect();
            assert_eq!(unique.len(), total, "{base}: {total} different lessons");
            let numbers = client
                .execute(
                    "return [...document.querySelectorAll('#search-results li')].map(li => \
                       li.getBoundingClientRect().top <= li.querySelector('a').getBoundingClientRect().top + 1)",
                    vec![],
                )
                .await
                .unwrap();
            assert!(
                numbers.as_array().unwrap().iter().all(|n| n == true),
                "each number sits at its title's first line"
            );

            // the panel under the header's box: a few results and a link to all of them
            client.goto(&format!("{base}vi/index.html")).await.unwrap();
            client.find(Locator::Css(".search-toggle summary")).await.unwrap().click().await.unwrap();
            let input = client.find(Locator::Css("#site-q")).await.unwrap();
            input.send_keys("mat khau ").await.unwrap();
            let all = client
                .wait()
                .at_most(std::time::Duration::from_secs(10))
                .for_element(Locator::Css(".search-panel .search-all"))
                .await
                .unwrap();
            assert_eq!(all.text().await.unwrap(), format!("Xem tất cả kết quả ({total})"));
            all.click().await.unwrap();
            let url = client.current_url().await.unwrap();
            assert!(url.as_str().starts_with(&format!("{base}vi/tim-kiem/index.html?q=mat")), "{url}");
        }
    })
    .await;
}

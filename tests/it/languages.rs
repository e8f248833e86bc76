//! Three languages: translated, machine-translated, stale and untranslated lessons; the
//! pages, notices and switcher produced, what `check`, `translations` and `report` say.

use crate::harness::Project;

#[test]
fn every_page_exists_in_every_language_with_honest_fallbacks() {
    let project = Project::fixture("languages");
    project.run(&["build"]).success();
    // a reviewed translation: in its language, no notice
    let translated = project.read("public/blt/an-toan/mat-khau/index.html");
    assert!(translated.contains(r#"<html lang="blt-Latn">"#));
    assert!(translated.contains("<h1>Mat khau (Thai)</h1>"));
    assert!(!translated.contains(r#"class="notice"#), "{translated}");
    // its link to a translated lesson keeps the anchor that exists there
    assert!(translated.contains(r##"<a href="../lua-dao/index.html#dau-hieu">lua dao</a>"##), "{translated}");
    // untranslated: the Vietnamese text, marked as such, with a notice
    let fallback = project.read("public/hmn/an-toan/mat-khau/index.html");
    assert!(fallback.contains(r#"<html lang="hmn-Latn">"#));
    assert!(
        fallback
            .contains(r#"<p class="notice" role="note">Bài này chưa có bản Tiếng Mông. Đây là bản tiếng Việt.</p>"#),
        "{fallback}"
    );
    assert!(fallback.contains(r#"<article lang="vi">"#));
    assert!(fallback.contains("<h1>Mật khẩu</h1>"));
    // machine and draft translations carry a visible mark
    let machine = project.read("public/blt/an-toan/lua-dao/index.html");
    assert!(machine.contains(r#"class="notice review-machine""#) && machine.contains("Bản dịch máy"), "{machine}");
    let stale = project.read("public/hmn/an-toan/lua-dao/index.html");
    assert!(stale.contains("review-draft") && stale.contains("đã được sửa sau khi dịch"), "{stale}");
    // the UI of a language uses its own strings, falling back to Vietnamese
    assert!(translated.contains(">Hươn</a>"), "blt.toml's `home`");
    assert!(
        translated.contains("Giao diện bằng ngôn ngữ này là bản dịch chưa được kiểm tra"),
        "UI strings marked machine"
    );
}

#[test]
fn the_switcher_keeps_you_on_the_same_page() {
    let project = Project::fixture("languages");
    project.run(&["build"]).success();
    let page = project.read("public/vi/an-toan/lua-dao/index.html");
    for (tag, href) in [
        ("vi", "index.html"),
        ("blt-Latn", "../../../blt/an-toan/lua-dao/index.html"),
        ("hmn-Latn", "../../../hmn/an-toan/lua-dao/index.html"),
    ] {
        assert!(page.contains(&format!(r#"<a href="{href}" hreflang="{tag}" lang="{tag}""#)), "{tag}");
    }
    assert!(page.contains(r#"lang="vi" aria-current="true">Tiếng Việt</a>"#));
    // search engines want absolute alternates: only with `base_url` (see identity.rs)
    assert!(!page.contains(r#"<link rel="alternate""#), "relative hreflang links are invalid: {page}");
}

#[test]
fn learning_paths_and_domains_show_gaps_as_coming() {
    let project = Project::fixture("languages");
    project.run(&["build"]).success();
    let path = project.read("public/vi/nhom/nguoi-dan/index.html");
    let an_toan = path.find(">An toàn</a></h2>").unwrap();
    let giao_tiep = path.find(">Giao tiếp</a></h2>").unwrap();
    assert!(an_toan < giao_tiep, "domains in book.toml order");
    assert!(path[giao_tiep..].contains(r#"<p class="coming">Sắp có bài học.</p>"#), "a gap is shown, not hidden");
    assert!(path.contains("Tổng thời gian: 30 phút"), "{path}");
    let first = path.find("mat-khau/index.html").unwrap();
    assert!(first < path.find("lua-dao/index.html").unwrap());
    let domain = project.read("public/vi/linh-vuc/an-toan/index.html");
    assert!(
        domain.contains(r#"<h2 id="l1">Cơ bản</h2>"#) && domain.contains(r#"<h2 id="l2">Chưa xếp trình độ</h2>"#),
        "{domain}"
    );
    let home = project.read("public/vi/index.html");
    assert!(
        home.contains("Bạn là ai?")
            && home.contains(r#"<a href="nhom/nguoi-dan/index.html"><strong>Người dân</strong>"#)
    );
    let lesson = project.read("public/vi/an-toan/mat-khau/index.html");
    assert!(lesson.contains(r#"<a href="../../nhom/nguoi-dan/index.html">Người dân</a>"#), "groups link to paths");
}

#[test]
fn check_reports_review_marks_staleness_missing_strings_and_gaps() {
    let project = Project::fixture("languages");
    let outcome = project.run(&["check"]);
    assert_eq!(outcome.code, 0, "warnings only: {}", outcome.stderr);
    let headlines: Vec<&str> = outcome.stderr.lines().filter(|l| l.contains(": warning: ")).collect();
    assert_eq!(
        headlines,
        [
            "book.toml: warning: group \"nguoi-dan\" must learn domain \"giao-tiep\" but no lesson has both",
            "content/an-toan/lua-dao.blt.md: warning: machine translation into Tiếng Thái, awaiting review by a native speaker",
            "content/an-toan/lua-dao.hmn.md: warning: draft translation into Tiếng Mông, awaiting review by a native speaker",
            "content/an-toan/lua-dao.hmn.md: warning: stale translation: content/an-toan/lua-dao.md changed since it was translated (the recorded version is not in the git history)",
        ]
        .into_iter()
        .chain(headlines.iter().copied().filter(|l| l.starts_with("themes/")))
        .collect::<Vec<_>>()
    );
    // Every Vietnamese UI string is missing in Mông; the fixture's Thái file translates one.
    let vi = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/i18n/vi.toml")).unwrap();
    let keys = vi.parse::<toml::Table>().unwrap().keys().filter(|k| !k.starts_with('_')).count();
    let hmn = format!("themes/default/i18n/hmn.toml: warning: {keys} UI strings missing for Tiếng Mông");
    let blt = format!("themes/default/i18n/blt.toml: warning: {} UI strings missing for Tiếng Thái", keys - 1);
    assert!(outcome.stderr.contains(&hmn), "{hmn}\n{}", outcome.stderr);
    assert!(outcome.stderr.contains(&blt), "{blt}\n{}", outcome.stderr);
    assert!(outcome.stderr.contains("hint: update the translation, then set source_hash = \"2a44486d4872\""));
}

#[test]
fn a_stale_translation_says_how_much_changed_from_git_history() {
    let project = Project::fixture("languages");
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .current_dir(project.root())
            .output()
            .unwrap();
        assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "first"]);
    // the original gains two lines and loses one; the blt translation recorded the old hash
    let original = project
        .read("content/an-toan/lua-dao.md")
        .replace("Người lạ đòi chuyển tiền.", "Người lạ gọi điện.\n\nHọ đòi mã OTP.");
    project.file("content/an-toan/lua-dao.md", original);
    git(&["commit", "-qam", "second"]);
    let outcome = project.test(&["check"]).any_stderr().run();
    let stale: Vec<&str> = outcome.stderr.lines().filter(|l| l.contains(": warning: stale translation")).collect();
    assert_eq!(
        stale,
        [
            "content/an-toan/lua-dao.blt.md: warning: stale translation: content/an-toan/lua-dao.md changed since it was translated (2 lines added and 1 removed since)",
            "content/an-toan/lua-dao.hmn.md: warning: stale translation: content/an-toan/lua-dao.md changed since it was translated (the recorded version is not in the git history)",
        ]
    );
}

#[test]
fn translations_command_tells_the_truth_per_language() {
    let project = Project::fixture("languages");
    let outcome = project.run(&["translations"]);
    outcome.success();
    assert!(outcome.stdout.contains("3 lessons in Tiếng Việt"), "{}", outcome.stdout);
    assert!(
        outcome.stdout.contains("Tiếng Thái (blt): reviewed 1, draft 0, machine 1, stale 0, missing 1"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("Tiếng Mông (hmn): reviewed 0, draft 1, machine 0, stale 1, missing 2"),
        "{}",
        outcome.stdout
    );
    assert!(outcome.stdout.contains("  machine  content/an-toan/lua-dao.blt.md"));
    let hash = project.run(&["translations", "--hash", "content/an-toan/lua-dao.md"]);
    assert_eq!(hash.stdout, "2a44486d4872\n");
}

#[test]
fn report_writes_the_matrix_as_csv_and_json() {
    let project = Project::fixture("languages");
    let outcome = project.run(&["report", "--csv", "report.csv", "--json", "report.json"]);
    outcome.success();
    assert!(outcome.stdout.contains("GAP"), "{}", outcome.stdout);
    let csv = project.read("report.csv");
    assert!(csv.starts_with("language,group,domain,lessons,minutes,gap\n"));
    assert!(csv.contains("vi,nguoi-dan,an-toan,3,30,false\n"), "{csv}");
    assert!(csv.contains("vi,nguoi-dan,giao-tiep,0,0,true\n"));
    assert!(csv.contains("blt,nguoi-dan,an-toan,2,25,false\n"), "only real translations count: {csv}");
    let json: serde_json::Value = serde_json::from_str(&project.read("report.json")).unwrap();
    assert_eq!(json["cells"][0][0][0]["lessons"], 3);
    assert_eq!(json["languages"], serde_json::json!(["vi", "blt", "hmn"]));
    project.run(&["build"]).success();
    let page = project.read("public/vi/bao-cao/index.html");
    assert!(page.contains(r#"<td>3 bài<br>30 phút</td><td class="gap">Chưa có bài</td>"#), "{page}");
}

/// A fallback shows its original's text: the linked site holds that text's headings and
/// footnotes once, and the search documents a build takes out of the site are those the
/// site gives, with the texts gone from it afterwards (the index alone reads them).
#[test]
fn fallbacks_share_their_originals_outline_and_the_build_takes_the_texts_once() {
    let root = crate::harness::fixture_dir("languages");
    let mut site = hoclieu::pipeline::linked(&root, false).unwrap().expect("the fixture links");
    let fallbacks: Vec<&hoclieu::site::Page> =
        site.pages.iter().filter(|p| p.status == hoclieu::site::PageStatus::Fallback).collect();
    assert!(!fallbacks.is_empty());
    for page in &fallbacks {
        let original = site.page(page.key, 0);
        assert!(std::sync::Arc::ptr_eq(&page.headings, &original.headings), "{}", page.output);
        assert!(std::sync::Arc::ptr_eq(&page.footnotes, &original.footnotes), "{}", page.output);
    }
    assert!(site.pages.iter().any(|p| !p.headings.is_empty()));
    let expected: Vec<Vec<hoclieu::search::Document>> =
        (0..site.config.languages.len()).map(|lang| hoclieu::search::documents(&site, lang)).collect();
    assert!(expected.iter().all(|docs| !docs.is_empty()), "every language has a translated page");
    assert!(expected.iter().flatten().any(|d| !d.body.is_empty()));
    assert_eq!(hoclieu::search::take_documents(&mut site), expected);
    assert!(site.pages.iter().all(|p| p.text.is_empty()));
}

//! The preview's incremental rebuilds against whole builds: after each edit of a battery
//! (front matter, new, renamed, moved and deleted lessons, translations, drafts, assets,
//! course pages, errors and their fixes), the files served must be, path for path and
//! byte for byte, those a whole build of the edited content gives; and only a few pages
//! may have been rendered again, so a silent fall back to a whole build fails too.

use super::{Builder, Outcome, Served, Shared};
use crate::output::Contents;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the preview serves, without the search index (made on a thread of its own).
fn snapshot(shared: &Shared) -> BTreeMap<String, Result<Vec<u8>, PathBuf>> {
    let files = shared.files.read().unwrap().clone();
    files
        .iter()
        .filter(|(path, _)| !path.starts_with(super::SEARCH_DIR))
        .map(|(path, served)| {
            let served = match served {
                Served::Memory(bytes) => Ok(bytes.to_vec()),
                Served::Disk { path, .. } => Err(path.clone()),
                Served::Manifest(save) => Ok(shared.manifest(&save.0, &save.1).to_vec()),
            };
            (path.clone(), served)
        })
        .collect()
}

/// A preview of a copy of a fixture.
struct Preview {
    _dir: tempfile::TempDir,
    root: PathBuf,
    shared: Shared,
    builder: Builder,
}

impl Preview {
    fn of(fixture: &str) -> Preview {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        crate::fs::copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(fixture), &root);
        let shared = Shared::default();
        let mut builder = Builder::new(root.clone(), false, None);
        assert!(matches!(builder.start(&shared), Outcome::Built { .. }), "the fixture builds");
        Preview { _dir: dir, root, shared, builder }
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    fn rename(&self, from: &str, to: &str) {
        std::fs::create_dir_all(self.root.join(to).parent().unwrap()).unwrap();
        std::fs::rename(self.root.join(from), self.root.join(to)).unwrap();
    }

    fn remove(&self, rel: &str) {
        std::fs::remove_file(self.root.join(rel)).unwrap();
    }

    /// Tells the builder that `paths` changed, as the watcher would.
    fn changed(&mut self, paths: &[&str]) -> Outcome {
        let paths: Vec<PathBuf> = paths.iter().map(|p| self.root.join(p)).collect();
        self.builder.changed(&self.shared, &paths)
    }

    /// What a whole build of the content as it is now gives (the build's own stages, not
    /// the preview's).
    fn whole_build(&self) -> BTreeMap<String, Result<Vec<u8>, PathBuf>> {
        let site = crate::pipeline::linked(&self.root, false).unwrap().expect("the edited content builds");
        let (rendered, _) = crate::render::site(&site).unwrap();
        rendered
            .files
            .into_iter()
            .map(|file| {
                let contents = match file.contents {
                    Contents::Bytes(bytes) => Ok(bytes),
                    Contents::Copy(source) => Err(self.root.join(source)),
                };
                (file.path, contents)
            })
            .collect()
    }

    /// The files served are those of a whole build.
    #[track_caller]
    fn assert_like_whole_build(&self, step: &str) {
        let served = snapshot(&self.shared);
        let whole = self.whole_build();
        let mut problems = Vec::new();
        for (path, file) in &whole {
            match served.get(path) {
                None => problems.push(format!("missing {path}")),
                Some(got) if got != file => problems.push(format!("differs {path}:\n{}", difference(got, file))),
                Some(_) => {}
            }
        }
        problems.extend(served.keys().filter(|p| !whole.contains_key(*p)).map(|p| format!("extra {p}")));
        assert!(
            problems.is_empty(),
            "{step}: the preview serves other files than a whole build:\n{}",
            problems.join("\n")
        );
    }
}

/// Where two served files part, for the failure message.
fn difference(got: &Result<Vec<u8>, PathBuf>, want: &Result<Vec<u8>, PathBuf>) -> String {
    match (got, want) {
        (Ok(got), Ok(want)) => {
            let at = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
            let context = |bytes: &[u8]| {
                String::from_utf8_lossy(&bytes[at.saturating_sub(80)..(at + 80).min(bytes.len())]).into_owned()
            };
            format!("  served: …{}…\n  whole:  …{}…", context(got), context(want))
        }
        _ => format!("  served: {got:?}\n  whole:  {want:?}"),
    }
}

/// One edit of the battery: what to do, and at most how many pages it may render again.
#[track_caller]
fn step(preview: &mut Preview, name: &str, paths: &[&str], linked: bool, at_most: usize) -> usize {
    let outcome = preview.changed(paths);
    let pages = match outcome {
        Outcome::Rendered { pages, linked: was } => {
            assert_eq!(was, linked, "{name}: linked again or not");
            pages
        }
        other => panic!("{name}: not rendered incrementally: {other:?}"),
    };
    assert!(pages <= at_most, "{name}: {pages} pages rendered again, expected at most {at_most}");
    preview.assert_like_whole_build(name);
    pages
}

#[test]
fn incremental_rebuilds_serve_what_a_whole_build_gives() {
    let mut p = Preview::of("minimal");
    let total = p.builder.good.as_ref().unwrap().pages.len();
    let lesson = "content/an-toan/mat-khau-manh.md";
    let zalo = "content/Giao tiếp số/Dùng Zalo an toàn.md";
    let fraud = "content/an-toan/Lừa đảo qua mạng.md";

    p.write(lesson, &format!("{}\nĐoạn mới.\n\n> [!NOTE]\n> Ghi chú.\n", p.read(lesson)));
    step(&mut p, "text edit", &[lesson], false, 4);
    p.replace(lesson, "title = \"Mật khẩu mạnh\"", "title = \"Mật khẩu thật mạnh\"");
    step(&mut p, "title", &[lesson], true, 14);
    p.replace(fraud, "weight: 2", "weight: 0");
    step(&mut p, "weight reorders the course", &[fraud], true, 14);
    p.replace(zalo, "domains = [\"giao-tiep\", \"an-toan\"]", "domains = [\"giao-tiep\"]");
    step(&mut p, "domains", &[zalo], true, 12);
    p.replace(zalo, "groups = [\"nguoi-dan\"]", "groups = []");
    assert_eq!(p.changed(&[zalo]), Outcome::Failed, "a lesson needs a group");
    p.replace(zalo, "groups = []", "groups = [\"nguoi-dan\"]\nsummary = \"Nhắn tin an toàn\"");
    step(&mut p, "summary, after an error", &[zalo], true, 14);

    let new = "content/an-toan/bai-moi.md";
    p.write(new, &p.read(lesson).replace("Mật khẩu thật mạnh", "Bài mới").replace("weight = 1", "weight = 5"));
    step(&mut p, "new lesson", &[new], true, 20);
    let renamed = "content/an-toan/doi-ten.md";
    p.rename(new, renamed);
    step(&mut p, "renamed lesson", &[new, renamed], true, 20);
    let moved = "content/Giao tiếp số/doi-ten.md";
    p.rename(renamed, moved);
    p.replace(moved, "](so-do.svg)", "](../an-toan/so-do.svg)");
    p.replace(moved, "](hinh/anh.png)", "](../an-toan/hinh/anh.png)");
    p.replace(moved, "](../Giao%20tiếp%20số/", "](");
    step(&mut p, "lesson moved to another course", &[renamed, moved], true, 30);
    p.remove(moved);
    step(&mut p, "deleted lesson", &[moved], true, 20);

    let translation = "content/Giao tiếp số/Dùng Zalo an toàn.blt.md";
    p.replace(translation, "review = \"machine\"", "review = \"reviewed\"\nsummary = \"Tóm tắt\"");
    step(&mut p, "translation's front matter", &[translation], true, 6);
    let added = "content/an-toan/mat-khau-manh.blt.md";
    p.write(added, "+++\ntitle = \"Mat khau (Thai)\"\nreview = \"draft\"\n+++\n## Tao mat khau\n\nDich.\n");
    step(&mut p, "new translation", &[added], true, 14);

    let draft = "content/an-toan/nhap.md";
    p.replace(draft, "draft = true", "draft = false");
    step(&mut p, "draft published", &[draft], true, 20);
    p.replace(draft, "draft = false", "draft = true");
    step(&mut p, "back to draft", &[draft], true, 20);

    let course = "content/an-toan/_index.md";
    p.replace(course, "title = \"An toàn thông tin\"", "title = \"An toàn trên mạng\"");
    step(&mut p, "course title", &[course], true, total / 2);

    let image = "content/an-toan/hinh-moi.svg";
    p.write(image, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" height=\"30\"/>");
    step(&mut p, "new asset", &[image], true, 0);
    p.write(lesson, &format!("{}\n![Hình mới](hinh-moi.svg)\n", p.read(lesson)));
    step(&mut p, "an image shown", &[lesson], true, 8);
    p.write(image, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"300\"/>");
    step(&mut p, "the image's size", &[image], true, 4);

    p.replace(lesson, "\n![Hình mới](hinh-moi.svg)\n", "\n");
    p.remove(image);
    step(&mut p, "an image no longer shown, and deleted", &[lesson, image], true, 4);

    // an error keeps the last good pages; the fix is taken in incrementally
    let before = snapshot(&p.shared);
    p.rename(fraud, "content/an-toan/lua-dao.md");
    assert_eq!(p.changed(&[fraud, "content/an-toan/lua-dao.md"]), Outcome::Failed, "a link leads to the old name");
    assert_eq!(snapshot(&p.shared), before, "the last good pages stay served");
    assert!(p.shared.events.has_problems(), "and the problems are shown over them");
    p.replace(zalo, "Lừa%20đảo%20qua%20mạng.md", "lua-dao.md");
    step(&mut p, "the link fixed", &[zalo], true, 30);
    assert!(!p.shared.events.has_problems(), "fixed problems are gone");

    let folder = "content/Giao tiếp số";
    p.rename(folder, "content/giao-tiep");
    p.replace(lesson, "../Giao%20tiếp%20số/Dùng%20Zalo%20an%20toàn.md", "../giao-tiep/Dùng%20Zalo%20an%20toàn.md");
    step(&mut p, "course folder renamed", &[folder, "content/giao-tiep", lesson], true, total);

    p.write(lesson, &p.read(lesson));
    assert_eq!(p.changed(&[lesson]), Outcome::Unchanged, "saving without a change");
}

#[test]
fn incremental_rebuilds_follow_translations_headings_and_the_theme() {
    let mut p = Preview::of("languages");
    let fraud = "content/an-toan/lua-dao.md";
    let thai = "content/an-toan/lua-dao.blt.md";
    p.write(fraud, &format!("{}\nThêm một câu.\n", p.read(fraud)));
    step(&mut p, "the original's text: translations go stale", &[fraud], false, 6);
    let text = p.read(thai);
    p.remove(thai);
    step(&mut p, "a translation deleted", &[thai], true, 12);
    p.write(thai, &text);
    step(&mut p, "and back", &[thai], true, 12);
    p.replace(fraud, "## Dấu hiệu", "## Các dấu hiệu {#dau-hieu}\n\n### Khi bị gọi");
    step(&mut p, "headings of a page others link to", &[fraud], true, 12);
    p.replace(fraud, "## Các dấu hiệu {#dau-hieu}", "## Các dấu hiệu");
    assert_eq!(p.changed(&[fraud]), Outcome::Failed, "links to #dau-hieu are broken");
    p.replace(fraud, "## Các dấu hiệu", "## Dấu hiệu");
    step(&mut p, "fixed", &[fraud], true, 12);
    let phone = "content/an-toan/dien-thoai.md";
    p.replace(phone, "weight = 3", "weight = 0\nlevel = \"nang-cao\"");
    step(&mut p, "weight and level", &[phone], true, 24);

    let strings = "themes/default/i18n/blt.toml";
    p.replace(strings, "home = \"Hươn\"", "home = \"Hươn chủ\"");
    assert!(matches!(p.changed(&[strings]), Outcome::Built { .. }), "a theme change renders everything");
    p.assert_like_whole_build("theme");
    // a theme change with a content error: every page is rendered once the error is fixed
    p.replace(strings, "home = \"Hươn chủ\"", "home = \"Hươn\"");
    p.replace(phone, "duration = 5", "duration = \"năm\"");
    assert_eq!(p.changed(&[strings, phone]), Outcome::Failed);
    p.replace(phone, "duration = \"năm\"", "duration = 5");
    assert!(matches!(p.changed(&[phone]), Outcome::Built { .. }), "the theme's change is not forgotten");
    p.assert_like_whole_build("theme, after an error");
    p.replace("book.toml", "name = \"An toàn\"", "name = \"An toàn số\"");
    assert!(matches!(p.changed(&["book.toml"]), Outcome::Built { .. }), "book.toml is read again");
    p.assert_like_whole_build("book.toml");
}

/// The search files served, with where their bytes live (to tell which were replaced).
fn search_files(shared: &Shared) -> BTreeMap<String, (usize, Vec<u8>)> {
    let files = shared.files.read().unwrap();
    files
        .iter()
        .filter(|(path, _)| path.starts_with(super::SEARCH_DIR))
        .map(|(path, served)| match served {
            Served::Memory(bytes) => (path.clone(), (bytes.as_ptr() as usize, bytes.to_vec())),
            _ => panic!("{path} is not in memory"),
        })
        .collect()
}

#[test]
fn the_search_index_is_made_again_only_for_languages_whose_documents_changed() {
    let mut p = Preview::of("minimal");
    let index = |p: &Preview| super::index(&p.shared, &p.root, &p.builder.good.as_ref().unwrap().site);
    index(&p);
    let before = search_files(&p.shared);
    assert!(before.keys().any(|k| k.starts_with("search/vi/")) && before.keys().any(|k| k.starts_with("search/blt/")));

    let thai = "content/Giao tiếp số/Dùng Zalo an toàn.blt.md";
    p.replace(thai, "Bản dịch máy.", "Bản dịch máy. Khuổng xyzthai.");
    assert!(matches!(p.changed(&[thai]), Outcome::Rendered { .. }), "taken in");
    index(&p);
    let after = search_files(&p.shared);
    // exactly what the build would serve
    let whole: BTreeMap<String, Vec<u8>> = crate::search::browser::site(&p.builder.good.as_ref().unwrap().site)
        .into_iter()
        .map(|f| match f.contents {
            Contents::Bytes(bytes) => (f.path, bytes),
            Contents::Copy(_) => panic!("index files are bytes"),
        })
        .collect();
    let served: BTreeMap<String, Vec<u8>> = after.iter().map(|(k, (_, bytes))| (k.clone(), bytes.clone())).collect();
    assert_eq!(served, whole, "the index served is the build's");
    assert!(after
        .iter()
        .any(|(k, (_, b))| k.starts_with("search/blt/") && String::from_utf8_lossy(b).contains("xyzthai")));
    // the Vietnamese index was not made again: its files are the very same bytes
    for (path, (at, _)) in after.iter().filter(|(k, _)| k.starts_with("search/vi/")) {
        assert_eq!(Some(*at), before.get(path).map(|b| b.0), "{path} was replaced");
    }
}

#[test]
fn incremental_rebuilds_follow_nested_sections_and_what_they_give_below() {
    let mut p = Preview::of("nested");
    let total = p.builder.good.as_ref().unwrap().pages.len();
    let unit = "content/chuong-trinh-can-bo/mo-dun-1-an-toan/don-vi-1-mat-khau";
    let lesson = &format!("{unit}/xac-thuc-hai-buoc.md");
    // a lesson that takes its groups and domains from sections above: text alone stays
    // the fast way (its page, the print pages of its unit, module and programme)
    p.write(lesson, &format!("{}\nĐoạn mới.\n", p.read(lesson)));
    step(&mut p, "text of a lesson three sections down", &[lesson], false, 8);
    // its title reaches its neighbours in the reading order and every section above it
    p.replace(lesson, "title = \"Bật xác thực hai bước\"", "title = \"Bật xác minh hai bước\"");
    step(&mut p, "title of a nested lesson", &[lesson], true, total / 2);
    // a module's domains reach every lesson below it
    let module = "content/chuong-trinh-can-bo/mo-dun-1-an-toan/_index.md";
    p.replace(module, "domains = [\"an-toan\"]", "domains = [\"an-toan\", \"giao-tiep\"]");
    step(&mut p, "domains of a module", &[module], true, total);
    // a new unit without _index.md
    let new = "content/chuong-trinh-can-bo/mo-dun-1-an-toan/don-vi-2/bai-moi.md";
    p.write(new, "+++\ntitle = \"Bài mới\"\nweight = 5\n+++\nChữ.\n");
    step(&mut p, "a new unit folder", &["content/chuong-trinh-can-bo/mo-dun-1-an-toan/don-vi-2"], true, total);
    p.remove(new);
    step(&mut p, "and gone", &[new], true, total);
}

//! Saving for offline reading: the service worker at the output root, the hidden save
//! button on course and learning-path pages, and the list of files each button saves.

use crate::harness::Project;
use serde_json::Value;

fn built() -> Project {
    let project = Project::fixture("minimal");
    project.run(&["build"]).success();
    project
}

fn manifest(project: &Project, folder: &str) -> Value {
    serde_json::from_str(&project.read(&format!("public/{folder}/offline.json"))).expect("offline.json is JSON")
}

fn files(manifest: &Value) -> Vec<&str> {
    manifest["files"].as_array().expect("a file list").iter().map(|f| f.as_str().unwrap()).collect()
}

#[test]
fn the_build_writes_the_service_worker_at_the_root() {
    let project = built();
    let worker = project.read("public/sw.js");
    assert!(worker.contains("addEventListener(\"fetch\""), "{worker}");
    assert!(project.path("public/sw.js.gz").is_file(), "precompressed like the other scripts");
}

#[test]
fn course_and_path_pages_carry_a_hidden_save_button_with_their_manifest() {
    let project = built();
    for (page, cache) in [
        ("vi/an-toan/index.html", "vi/an-toan"),
        ("vi/nhom/nguoi-dan/index.html", "vi/nhom/nguoi-dan"),
        ("blt/an-toan/index.html", "blt/an-toan"),
    ] {
        let html = project.read(&format!("public/{page}"));
        let open =
            format!("<div class=\"offline\" hidden data-cache=\"hoclieu-save:{cache}\" data-manifest=\"offline.json\"");
        assert!(html.contains(&open), "{page}: {html}");
        assert!(html.contains("<button type=\"button\" value=\"save\">"), "{page}");
    }
    let html = project.read("public/vi/an-toan/index.html");
    assert!(html.contains(">Lưu để học offline</button>"), "Vietnamese label");
    assert!(html.contains("data-script=\"../../assets/offline."), "the save code loads lazily: {html}");
    for page in ["vi/an-toan/mat-khau-manh/index.html", "vi/index.html", "vi/gioi-thieu/index.html"] {
        assert!(!project.read(&format!("public/{page}")).contains("class=\"offline\""), "{page} saves nothing");
    }
}

#[test]
fn a_course_saves_exactly_its_pages_and_what_they_load() {
    let project = built();
    let manifest = manifest(&project, "vi/an-toan");
    let files = files(&manifest);
    let css = *files.iter().find(|f| f.starts_with("assets/style.")).expect("the stylesheet");
    let js = *files.iter().find(|f| f.starts_with("assets/site.")).expect("the script");
    let png = *files.iter().find(|f| f.starts_with("assets/icon.") && f.ends_with(".png")).expect("the icon");
    let svg = *files.iter().find(|f| f.starts_with("assets/icon.") && f.ends_with(".svg")).expect("the icon");
    // the 40 px screenshot as its one WebP variant (see images.rs)
    let webp = *files.iter().find(|f| f.starts_with("media/an-toan/hinh/anh.40.")).expect("the picture");
    assert_eq!(
        files,
        [
            png,
            svg,
            js,
            css,
            webp,
            "media/an-toan/so-do.svg",
            "vi/an-toan/index.html",
            "vi/an-toan/lua-dao-qua-mang/index.html",
            "vi/an-toan/mat-khau-manh/index.html",
        ],
        "no other course's lessons, no other language, no print page, no search or offline script"
    );
    assert_eq!(manifest["lessons"], 2);
    let on_disk: u64 =
        files.iter().map(|f| std::fs::metadata(project.path(&format!("public/{f}"))).unwrap().len()).sum();
    assert_eq!(manifest["bytes"].as_u64(), Some(on_disk), "the size shown is the files' size on disk");
    assert_eq!(manifest["size"], format!("{} KB", (on_disk as f64 / 1e3).round()));
}

#[test]
fn a_learning_path_saves_its_lessons_from_every_course_once() {
    let project = built();
    let manifest = manifest(&project, "vi/nhom/nguoi-dan");
    let pages: Vec<&str> = files(&manifest).into_iter().filter(|f| f.ends_with(".html")).collect();
    assert_eq!(
        pages,
        [
            "vi/an-toan/lua-dao-qua-mang/index.html",
            "vi/an-toan/mat-khau-manh/index.html",
            "vi/giao-tiep-so/dung-zalo-an-toan/index.html",
            "vi/nhom/nguoi-dan/index.html",
        ]
    );
    assert_eq!(manifest["lessons"], 3);
    let other = self::manifest(&project, "blt/nhom/nguoi-dan");
    assert!(files(&other).iter().all(|f| !f.starts_with("vi/")), "each language saves its own pages");
}

#[test]
fn the_service_worker_is_registered_over_http_only() {
    let project = built();
    let script_path = std::fs::read_dir(project.path("public/assets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("site.") && p.extension().unwrap() == "js")
        .expect("site.js");
    let script = std::fs::read_to_string(script_path).unwrap();
    let register = script.find(".register(").expect("the script registers the service worker");
    let guard = script.find("if (!/^https?:$/.test(location.protocol)").expect("a protocol check");
    assert!(guard < register, "the protocol is checked before registering");
    // nothing else in the output registers a worker
    for (path, bytes) in crate::harness::snapshot(&project.path("public")) {
        if path.ends_with(".html") || (path.ends_with(".js") && !path.starts_with("assets/site.")) {
            assert!(!String::from_utf8_lossy(&bytes).contains("serviceWorker.register"), "{path}");
        }
    }
}

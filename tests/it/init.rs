//! `hoclieu init` and `hoclieu new lesson`: a new repository builds and checks with no
//! warning; new lessons take the next weight and their course's groups and domains.

use crate::harness::{Lesson, Project, BOOK};

const CHECK_NOTE: &str = "book.toml: note: no [site] base_url: pages have no canonical address, their hreflang links to other languages are relative (search engines ignore them), and links shared on Zalo or Facebook show no picture
  hint: set base_url = \"https://…/\" in [site] to the address the site is published at
";

#[test]
fn init_makes_a_repository_that_builds_and_checks_without_warnings() {
    let project = Project::empty();
    project
        .test(&["init", "x"])
        .stdout("made a repository in x: 6 files; build it with `hoclieu build --root x`\n")
        .run();
    assert_eq!(project.read("x/.gitignore"), "public/\npacks/\n.hoclieu-cache/\n");
    assert!(project.read("x/book.toml").contains("[site]\ntitle = \"Học liệu kỹ năng số\"\n"));
    project.test(&["build", "--root", "x"]).run();
    project.test(&["check", "--root", "x"]).stdout("checked 3 pages in <t> s, 1 note\n").stderr(CHECK_NOTE).run();
    let lesson = project.read("x/public/vi/an-toan-tren-mang/mat-khau-manh/index.html");
    assert!(lesson.contains("<section class=\"quiz\""), "{lesson}");
    assert!(lesson.contains("alt=\"Ổ khóa đóng: mật khẩu mạnh giữ tài khoản của bạn an toàn\""), "{lesson}");
    assert!(project.path("x/public/media/an-toan-tren-mang/o-khoa.svg").is_file());
}

#[test]
fn init_in_the_current_folder_and_refusals() {
    let project = Project::empty();
    project.test(&["init"]).stdout("made a repository in .: 6 files; build it with `hoclieu build --root .`\n").run();
    project
        .test(&["init"])
        .code(2)
        .stderr("error: .: already has book.toml: init makes a new repository; run it in an empty folder\n")
        .run();
    project.file("y/content/ghi-chu.md", "giữ nguyên");
    project
        .test(&["init", "y"])
        .code(2)
        .stderr("error: y: already has content: init makes a new repository; run it in an empty folder\n")
        .run();
    assert!(!project.path("y/book.toml").exists());
    assert_eq!(project.read("y/content/ghi-chu.md"), "giữ nguyên");
}

#[test]
fn new_lessons_take_the_next_weights_and_inherit_from_the_course() {
    let project = Project::empty();
    project.run(&["init"]).success();
    let course = "content/an-toan-tren-mang";
    project
        .test(&["new", "lesson", &format!("{course}/lua-dao.md"), "--title", "Nhận biết lừa đảo"])
        .stdout("content/an-toan-tren-mang/lua-dao.md\n")
        .run();
    project
        .test(&["new", "lesson", &format!("{course}/zalo.md"), "--title", "Dùng Zalo an toàn"])
        .stdout("content/an-toan-tren-mang/zalo.md\n")
        .run();
    // the course's _index.md gives groups and domains: nothing to copy
    assert_eq!(
        project.read(&format!("{course}/lua-dao.md")),
        "+++\ntitle = \"Nhận biết lừa đảo\"\nsummary = \"\"\nweight = 2\n+++\n"
    );
    assert_eq!(
        project.read(&format!("{course}/zalo.md")),
        "+++\ntitle = \"Dùng Zalo an toàn\"\nsummary = \"\"\nweight = 3\n+++\n"
    );
    project.test(&["build"]).run();
    assert!(project.path("public/vi/an-toan-tren-mang/zalo/index.html").is_file());
}

#[test]
fn a_new_lesson_copies_groups_and_domains_of_the_previous_lesson_when_not_inherited() {
    let project = Project::empty();
    project.file("book.toml", BOOK);
    project.file("content/k/_index.md", "+++\ntitle = \"Khóa\"\n+++\n");
    project.lesson("content/k/a.md", &Lesson::new("A").front("weight = 7"));
    project.lesson("content/k/b.md", &Lesson::new("B").front("weight = 3"));
    project.file("content/k/a.blt.md", "+++\ntitle = \"A\"\nweight = 40\n+++\n");
    project.file("content/k/con/_index.md", "+++\ntitle = \"Con\"\nweight = 9\n+++\n");
    project.test(&["new", "lesson", "content/k/c.md", "--title", "C"]).stdout("content/k/c.md\n").run();
    assert_eq!(
        project.read("content/k/c.md"),
        "+++\ntitle = \"C\"\nsummary = \"\"\nweight = 10\ngroups = [\"nguoi-dan\"]\ndomains = [\"an-toan\"]\n+++\n"
    );
}

#[test]
fn new_lesson_refusals() {
    let project = Project::empty();
    project.run(&["init"]).success();
    // (the path given to `new lesson`, the refusal)
    let refusals = [
        (
            "content/an-toan-tren-mang/mat-khau-manh.md",
            "content/an-toan-tren-mang/mat-khau-manh.md: already exists; choose another name",
        ),
        (
            "content/bai.md",
            "content/bai.md: a lesson goes in a course folder under content/ (content/<course>/<name>.md)",
        ),
        (
            "content/an-toan-tren-mang/_index.md",
            "content/an-toan-tren-mang/_index.md: a lesson is a Markdown file other than _index.md (content/<course>/<name>.md)",
        ),
        ("content/khong-co/bai.md", "content/khong-co: no such folder; make the course (its folder and _index.md) first"),
        ("khac/content/k/bai.md", "khac/content/k/bai.md: no book.toml in khac: not a hoclieu repository"),
    ];
    for (path, message) in refusals {
        project.test(&["new", "lesson", path, "--title", "X"]).code(2).stderr(&format!("error: {message}\n")).run();
    }
    assert!(project.read("content/an-toan-tren-mang/mat-khau-manh.md").starts_with("+++\ntitle = \"Mật khẩu mạnh\""));
}

//! Quizzes (` ```quiz ` blocks) and callouts (`> [!NOTE]`) in a built site, and malformed
//! quizzes reported at their line inside the block.

use crate::harness::{Lesson, Project};

/// A lesson with a callout and a quiz; `answer` is the first question's answer line.
fn lesson(answer: &str) -> String {
    let body = format!(
        "## Nhớ kỹ

> [!WARNING]
> Không đọc mã **OTP** cho ai.

```quiz
[[question]]
text = \"Mật khẩu nào mạnh nhất?\"
choices = [\"123456\", \"lan1985\", \"Me2DiChoPhienSangThu7!Zl\"]
{answer}
explain = \"Dài và khó đoán.\"

[[question]]
text = \"Việc nào nên làm?\"
kind = \"multiple\"
choices = [\"Bật xác thực hai bước\", \"Đọc OTP qua điện thoại\", \"Mỗi tài khoản một mật khẩu\"]
answer = [1, 3]
```
"
    );
    Lesson::new("Ôn tập").front("weight = 5").body(&body).text()
}

#[test]
fn a_quiz_and_a_callout_are_built_into_the_lesson() {
    let project = Project::fixture("minimal");
    project.file("content/an-toan/on-tap.md", lesson("answer = [3]"));
    project.run(&["build"]).success();

    let page = project.read("public/vi/an-toan/on-tap/index.html");
    for want in [
        "<aside class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-label\">Cảnh báo</p>\n<p>Không đọc mã <strong>OTP</strong> cho ai.</p>\n</aside>",
        "<section class=\"quiz\" id=\"quiz_1\" aria-labelledby=\"quiz_1_h\" data-result=\"Đúng {right}/{total} câu\"",
        "<h2 id=\"quiz_1_h\">Câu hỏi ôn tập</h2>",
        "<fieldset class=\"quiz-q\" data-answer=\"3\">\n<legend>1. Mật khẩu nào mạnh nhất?</legend>",
        "<label><input type=\"radio\" id=\"quiz_1_1_3\" name=\"quiz_1_1\" value=\"3\"> <span>Me2DiChoPhienSangThu7!Zl</span></label>",
        "<input type=\"checkbox\" id=\"quiz_1_2_1\" name=\"quiz_1_2\" value=\"1\">",
        "<details><summary>Xem đáp án</summary>\n<p><strong>Đáp án:</strong> Me2DiChoPhienSangThu7!Zl</p>\n<p>Dài và khó đoán.</p>",
        "<button type=\"submit\" hidden>Chấm điểm</button>",
    ] {
        assert!(page.contains(want), "missing {want}\nin {page}");
    }
    assert!(!page.contains("style=\"") && !page.contains("<script>"), "no inline style or script: {page}");

    // The print page holds every lesson: quiz ids carry the lesson's prefix.
    let print = project.read("public/vi/an-toan/ban-in/index.html");
    assert!(print.contains("id=\"on-tap-quiz_1_1_3\""), "{print}");
    assert!(print.contains("aria-labelledby=\"on-tap-quiz_1_h\""), "{print}");

    // The theme's script scores quizzes; its stylesheet styles them.
    let assets: Vec<String> = std::fs::read_dir(project.path("public/assets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let named = |prefix: &str, ext: &str| {
        let name = assets.iter().find(|n| n.starts_with(prefix) && n.ends_with(ext)).expect("asset");
        project.read(&format!("public/assets/{name}"))
    };
    assert!(named("site.", ".js").contains("querySelectorAll(\".quiz\")"));
    assert!(named("style.", ".css").contains(".callout-warning"));
}

#[test]
fn a_malformed_quiz_is_an_error_at_its_line_in_the_file() {
    let project = Project::fixture("minimal");
    project.file("content/an-toan/on-tap.md", lesson("answer = [1, 4]"));
    project
        .test(&["build"])
        .code(1)
        .stderr(concat!(
            "content/an-toan/on-tap.md:16:14: error: quiz question 1: answer 4 is not a choice (there are 3)\n",
            "  | answer = [1, 4]\n",
            "  |              ^\n",
            "  hint: choices are numbered from 1: answer = [1] is the first choice\n",
            "build failed: 1 error, 0 warnings in <t> s\n",
        ))
        .run();
    assert!(!project.path("public").exists(), "nothing is written when there are errors");
}

#[test]
fn check_reports_a_quiz_syntax_error_as_json() {
    let project = Project::fixture("minimal");
    project.file("content/an-toan/on-tap.md", lesson("answer = [3"));
    let outcome = project.run(&["check", "--format", "json"]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let problems: serde_json::Value = serde_json::from_str(&outcome.stdout).expect("valid JSON");
    let quiz = problems.as_array().unwrap().iter().find(|p| p["code"] == "bad-quiz").expect("a bad-quiz problem");
    assert_eq!(quiz["file"], "content/an-toan/on-tap.md");
    assert_eq!((quiz["line"].as_u64(), quiz["col"].as_u64()), (Some(17), Some(1)), "{quiz}");
    assert_eq!(
        quiz["message"],
        "quiz: the list of `answer` is not closed with `]`, or its items are not separated by commas"
    );
    assert_eq!(quiz["hint"], "a quiz is TOML: text in \"quotes\", lists in [ ], one `[[question]]` table per question");
}

//! Quizzes: a fenced block whose info string is `quiz` holds review questions in TOML, and
//! renders as a form that works without JavaScript.
//!
//! ````markdown
//! ```quiz
//! title = "Kiểm tra nhanh"     # optional; default: the UI string `quiz_heading`
//!
//! [[question]]
//! text = "Mật khẩu nào mạnh nhất?"
//! kind = "single"              # single | multiple (default single)
//! choices = ["123456", "ngay-sinh-1990", "Ca phe sang 3 ly, khong duong!"]
//! answer = [3]                 # 1-based numbers of the right choices
//! explain = "Cụm từ dài, có chữ, số và ký tự đặc biệt, khó đoán."   # optional
//! ```
//! ````
//!
//! `text`, `choices` and `explain` may use inline Markdown (bold, italic, `code`); raw HTML
//! in them is shown as text and links keep only their text. Every question needs a text,
//! at least two non-empty choices and at least one answer; a `single` question has exactly
//! one. Unknown keys are refused, as in front matter.
//!
//! [`parse`] checks a block and reports each mistake at its byte range in the block (the
//! caller shifts it into the file); [`render`] writes a `<section class="quiz">` with one
//! `<fieldset>` per question, radio buttons or checkboxes with labels, a `<details>` that
//! reveals the answer and explanation (so learners can check themselves with JavaScript
//! off), and a hidden "score" button that the theme's script reveals and handles.

use super::{escape, Strings};
use crate::diag::did_you_mean;
use crate::msg;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;

const QUIZ_KEYS: &[&str] = &["title", "question"];
const QUESTION_KEYS: &[&str] = &["text", "kind", "choices", "answer", "explain"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    title: Option<Spanned<String>>,
    #[serde(default)]
    question: Vec<Spanned<RawQuestion>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    text: Option<Spanned<String>>,
    #[serde(default)]
    kind: Kind,
    choices: Option<Spanned<Vec<Spanned<String>>>>,
    answer: Option<Spanned<Vec<Spanned<i64>>>>,
    #[serde(default)]
    explain: String,
}

/// Whether a question has one right choice (radio buttons) or several (checkboxes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Single,
    Multiple,
}

/// A checked quiz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quiz {
    pub title: Option<String>,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub text: String,
    pub kind: Kind,
    pub choices: Vec<String>,
    /// 0-based indexes of the right choices, ascending.
    pub answer: Vec<usize>,
    pub explain: String,
}

/// A mistake in a quiz block, at a byte range of the block's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Range<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    fn new(span: Range<usize>, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Problem { span, message: message.into(), hint: Some(hint.into()).filter(|h: &String| !h.is_empty()) }
    }
}

/// What a quiz block looks like, for mistakes that have no more precise hint.
pub fn format_hint() -> String {
    msg!("quiz.format-hint")
}

/// Reads and checks the TOML of a quiz block; every mistake found is returned.
pub fn parse(text: &str) -> Result<Quiz, Vec<Problem>> {
    let raw: RawQuiz = toml::from_str(text).map_err(|e| vec![toml_problem(text, &e)])?;
    let mut problems = Vec::new();
    if raw.question.is_empty() {
        problems.push(Problem::new(0..0, msg!("quiz.no-questions"), msg!("quiz.no-questions-hint")));
    }
    let mut questions = Vec::new();
    for (n, question) in raw.question.into_iter().enumerate() {
        let at = question.span();
        if let Some(question) = check_question(n + 1, at, question.into_inner(), &mut problems) {
            questions.push(question);
        }
    }
    let title = raw.title.map(Spanned::into_inner).filter(|t| !t.trim().is_empty());
    if problems.is_empty() {
        Ok(Quiz { title, questions })
    } else {
        Err(problems)
    }
}

fn check_question(n: usize, at: Range<usize>, raw: RawQuestion, problems: &mut Vec<Problem>) -> Option<Question> {
    let before = problems.len();
    let text = match raw.text {
        Some(text) if !text.get_ref().trim().is_empty() => text.into_inner(),
        other => {
            let span = other.map_or(at.clone(), |t| t.span());
            problems.push(Problem::new(span, msg!("quiz.no-text", n), msg!("quiz.no-text-hint")));
            String::new()
        }
    };
    let choices: Vec<String> = match raw.choices {
        Some(choices) if choices.get_ref().len() >= 2 => {
            for (j, choice) in choices.get_ref().iter().enumerate() {
                if choice.get_ref().trim().is_empty() {
                    problems.push(Problem::new(
                        choice.span(),
                        msg!("quiz.empty-choice", n, choice = j + 1),
                        msg!("quiz.empty-choice-hint"),
                    ));
                }
            }
            choices.into_inner().into_iter().map(Spanned::into_inner).collect()
        }
        other => {
            let span = other.map_or(at.clone(), |c| c.span());
            problems.push(Problem::new(span, msg!("quiz.two-choices", n), msg!("quiz.two-choices-hint")));
            Vec::new()
        }
    };
    let mut answer = Vec::new();
    match raw.answer {
        Some(list) if !list.get_ref().is_empty() => {
            let span = list.span();
            for number in list.into_inner() {
                let value = *number.get_ref();
                match usize::try_from(value).ok().filter(|&v| v >= 1 && v <= choices.len()) {
                    Some(_) if answer.contains(&(value as usize - 1)) => problems.push(Problem::new(
                        number.span(),
                        msg!("quiz.answer-twice", n, value),
                        msg!("quiz.answer-twice-hint"),
                    )),
                    Some(v) => answer.push(v - 1),
                    None if choices.is_empty() => {}
                    None => problems.push(Problem::new(
                        number.span(),
                        msg!("quiz.answer-not-a-choice", n, value, count = choices.len()),
                        msg!("quiz.answer-not-a-choice-hint"),
                    )),
                }
            }
            if raw.kind == Kind::Single && answer.len() > 1 {
                problems.push(Problem::new(
                    span,
                    msg!("quiz.single-many", n, count = answer.len()),
                    msg!("quiz.single-many-hint"),
                ));
            }
        }
        other => {
            let span = other.map_or(at, |a| a.span());
            problems.push(Problem::new(span, msg!("quiz.no-answer", n), msg!("quiz.no-answer-hint")));
        }
    }
    answer.sort_unstable();
    (problems.len() == before).then_some(Question { text, kind: raw.kind, choices, answer, explain: raw.explain })
}

/// A TOML error in the block, in the words of the quiz format.
fn toml_problem(text: &str, e: &toml::de::Error) -> Problem {
    let message = e.message().trim().replace('\n', ", ");
    let span = e.span().unwrap_or(0..0);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        let known = if message.contains("`question`") { QUIZ_KEYS } else { QUESTION_KEYS };
        let hint = match did_you_mean(key, known.iter().copied()) {
            Some(best) => msg!("front-matter.did-you-mean-key", best, known = known.join(", ")),
            None => msg!("front-matter.known-keys", known = known.join(", ")),
        };
        return Problem::new(span, msg!("quiz.unknown-key", key), hint);
    }
    let hint = key_at(text, span.start).and_then(|key| {
        Some(match key {
            "answer" => msg!("quiz.answer-takes"),
            "choices" => msg!("quiz.choices-takes"),
            "kind" => msg!("quiz.kind-takes"),
            "text" | "explain" | "title" => msg!("quiz.text-takes"),
            _ => return None,
        })
    });
    // the TOML mistake in words (a quote inside the text, a list not closed…)
    let (_, explained, _) = crate::config::explained_toml(e, text, e.span().map(|s| s.start));
    Problem::new(span, msg!("quiz.toml", message = explained), hint.unwrap_or_else(format_hint))
}

/// The key whose value is at `offset` (on a line `key = …`, after the `=`).
fn key_at(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset)?;
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let key = line.split_once('=')?.0.trim();
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(key)
}

/// The quiz as HTML. `id` is unique on the page (`quiz_1`); every id in the quiz starts
/// with it. Labels wrap their inputs rather than naming them with `for`, so a page that
/// combines several bodies may prefix the ids (`id="…"`, `aria-labelledby="…"`) alone.
pub fn render(quiz: &Quiz, id: &str, strings: &Strings) -> String {
    let title = quiz.title.as_deref().map_or_else(|| escape(strings.get("quiz_heading")), inline);
    let mut html = format!(
        "<section class=\"quiz\" id=\"{id}\" aria-labelledby=\"{id}_h\" data-result=\"{}\" data-right=\"{}\" data-wrong=\"{}\" data-last=\"{}\">\n<h2 id=\"{id}_h\">{title}</h2>\n<form>\n",
        escape(strings.get("quiz_result")),
        escape(strings.get("quiz_right")),
        escape(strings.get("quiz_wrong")),
        escape(strings.get("quiz_last")),
    );
    for (q, question) in quiz.questions.iter().enumerate() {
        let q = q + 1;
        let answer: Vec<String> = question.answer.iter().map(|a| (a + 1).to_string()).collect();
        let (input, pick) = match question.kind {
            Kind::Single => ("radio", strings.get("quiz_pick_one")),
            Kind::Multiple => ("checkbox", strings.get("quiz_pick_many")),
        };
        html.push_str(&format!(
            "<fieldset class=\"quiz-q\" data-answer=\"{}\">\n<legend>{q}. {}</legend>\n<p class=\"quiz-pick\">{}</p>\n",
            answer.join(" "),
            inline(&question.text),
            escape(pick),
        ));
        for (c, choice) in question.choices.iter().enumerate() {
            let c = c + 1;
            html.push_str(&format!(
                "<label><input type=\"{input}\" id=\"{id}_{q}_{c}\" name=\"{id}_{q}\" value=\"{c}\"> <span>{}</span></label>\n",
                inline(choice)
            ));
        }
        html.push_str(&format!(
            "<details><summary>{}</summary>\n<p><strong>{}:</strong>",
            escape(strings.get("quiz_show_answer")),
            escape(strings.get("quiz_answer")),
        ));
        let right = question.answer.iter().map(|&a| inline(&question.choices[a]));
        if question.answer.len() == 1 {
            html.push_str(&format!(" {}</p>\n", right.collect::<String>()));
        } else {
            html.push_str("</p>\n<ul>");
            for choice in right {
                html.push_str(&format!("<li>{choice}</li>"));
            }
            html.push_str("</ul>\n");
        }
        if !question.explain.trim().is_empty() {
            html.push_str(&format!("<p>{}</p>\n", inline(&question.explain)));
        }
        html.push_str("</details>\n</fieldset>\n");
    }
    html.push_str(&format!(
        "<button type=\"submit\" hidden>{}</button>\n<p class=\"quiz-score\" role=\"status\"></p>\n</form>\n</section>\n",
        escape(strings.get("quiz_score"))
    ));
    html
}

/// The answers of a quiz for a printed handout's answer key: one list item per question,
/// "2. <right choices> — <explanation>", numbered as in the quiz.
pub fn answer_key(quiz: &Quiz) -> String {
    let mut html = String::from("<ol class=\"answer-key\">\n");
    for question in &quiz.questions {
        let right: Vec<String> = question.answer.iter().map(|&a| inline(&question.choices[a])).collect();
        html.push_str(&format!("<li><strong>{}</strong>", right.join("; ")));
        if !question.explain.trim().is_empty() {
            html.push_str(&format!(" — {}", inline(&question.explain)));
        }
        html.push_str("</li>\n");
    }
    html.push_str("</ol>\n");
    html
}

/// Inline Markdown of a question, choice or explanation: emphasis and code only. Raw HTML
/// becomes text (quizzes are inserted after sanitising), links and images keep their text.
fn inline(text: &str) -> String {
    // Parsed as the middle of one paragraph line, after a zero-width space, so that
    // "1. Gọi 113" or "- 5 điểm" stay text instead of becoming lists.
    const START: char = '\u{200B}';
    let line = format!("{START}{}", text.split_whitespace().collect::<Vec<_>>().join(" "));
    let events = Parser::new_ext(&line, super::options()).filter_map(|event| match event {
        Event::Text(text) if text.starts_with(START) => Some(Event::Text(text[START.len_utf8()..].to_string().into())),
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::SoftBreak | Event::HardBreak => Some(Event::Text(" ".into())),
        Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough) => Some(event),
        Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough) => Some(event),
        Event::Text(_) | Event::Code(_) => Some(event),
        _ => None,
    });
    let mut html = String::with_capacity(text.len() + 16);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mistake as (line in the block, column, message), for table-driven tests.
    fn located(text: &str) -> Vec<(usize, usize, String)> {
        let problems = parse(text).expect_err("should be refused");
        problems
            .into_iter()
            .map(|p| {
                let pos = crate::diag::Position::of_offset(text, p.span.start);
                (pos.line, pos.col, p.message)
            })
            .collect()
    }

    /// An expected mistake: line in the block, column, message.
    type Located = (usize, usize, &'static str);

    const GOOD: &str = "[[question]]\ntext = \"Q\"\nchoices = [\"a\", \"b\", \"c\"]\nanswer = [3]\n";

    #[test]
    fn a_good_quiz_is_read_with_defaults() {
        let quiz = parse(GOOD).unwrap();
        assert_eq!(quiz.title, None);
        assert_eq!(
            quiz.questions,
            [Question {
                text: "Q".into(),
                kind: Kind::Single,
                choices: vec!["a".into(), "b".into(), "c".into()],
                answer: vec![2],
                explain: String::new(),
            }]
        );
        let quiz = parse("title = \"T\"\n[[question]]\ntext = \"Q\"\nkind = \"multiple\"\nchoices = [\"a\", \"b\", \"c\"]\nanswer = [3, 1]\nexplain = \"E\"\n").unwrap();
        assert_eq!(quiz.title.as_deref(), Some("T"));
        assert_eq!(quiz.questions[0].kind, Kind::Multiple);
        assert_eq!(quiz.questions[0].answer, [0, 2]);
    }

    #[test]
    fn mistakes_are_located_in_the_block() {
        let q = "[[question]]\ntext = \"Q\"\n";
        let cases: &[(String, &[Located])] = &[
            (
                "[[question]]\ntext = \"Q\n".into(),
                &[(2, 10, "quiz: the text of `text` is not closed: its closing quote is missing")],
            ),
            (format!("{q}tex = \"x\"\n"), &[(3, 1, "unknown quiz key `tex`")]),
            ("[[questions]]\n".into(), &[(1, 3, "unknown quiz key `questions`")]),
            ("title = \"T\"\n".into(), &[(1, 1, "quiz has no questions")]),
            (format!("{q}choices = []\nanswer = [1]\n"), &[(3, 11, "quiz question 1 needs at least two choices")]),
            (format!("{q}answer = [1]\n"), &[(1, 1, "quiz question 1 needs at least two choices")]),
            (format!("{q}choices = [\"a\", \"  \"]\nanswer = [1]\n"), &[(3, 17, "quiz question 1: choice 2 is empty")]),
            (
                format!("{q}choices = [\"a\", \"b\"]\nanswer = [1, 4]\n"),
                &[(4, 14, "quiz question 1: answer 4 is not a choice (there are 2)")],
            ),
            (
                format!("{q}choices = [\"a\", \"b\"]\nanswer = [0]\n"),
                &[(4, 11, "quiz question 1: answer 0 is not a choice (there are 2)")],
            ),
            (
                format!("{q}choices = [\"a\", \"b\"]\nanswer = [1, 2]\n"),
                &[(4, 10, "quiz question 1 is `single` but has 2 answers")],
            ),
            (
                format!("{q}choices = [\"a\", \"b\"]\nanswer = [1, 1]\n"),
                &[(4, 14, "quiz question 1: answer 1 is listed twice")],
            ),
            (format!("{q}choices = [\"a\", \"b\"]\nanswer = []\n"), &[(4, 10, "quiz question 1 has no answer")]),
            (
                format!("{q}choices = [\"a\", \"b\"]\nanswer = 2\n"),
                &[(4, 10, "quiz: `answer` must be a list [ … ], not the number 2")],
            ),
            (
                format!("{q}kind = \"singel\"\nchoices = [\"a\", \"b\"]\nanswer = [1]\n"),
                &[(3, 8, "quiz: unknown variant `singel`, expected `single` or `multiple`")],
            ),
            (
                format!("{GOOD}\n[[question]]\ntext = \"\"\nchoices = [\"a\", \"b\"]\n"),
                &[(7, 8, "quiz question 2 has no text"), (6, 1, "quiz question 2 has no answer")],
            ),
        ];
        let mut failures = Vec::new();
        for (text, want) in cases {
            let want: Vec<(usize, usize, String)> = want.iter().map(|(l, c, m)| (*l, *c, m.to_string())).collect();
            let got = located(text);
            if got != want {
                failures.push(format!("in quiz:\n{text}\n  got  {got:?}\n  want {want:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn hints_name_the_fix() {
        let hint = |text: &str| parse(text).unwrap_err().remove(0).hint.unwrap_or_default();
        assert_eq!(
            hint("[[question]]\ntex = \"Q\"\n"),
            "did you mean `text`? known keys: text, kind, choices, answer, explain"
        );
        assert_eq!(
            hint("[[question]]\ntext = \"Q\"\nanswer = 2\n"),
            "`answer` takes a list of choice numbers: answer = [2]"
        );
        assert!(hint(&format!("{}kind = \"single\"\n", GOOD.replace("[3]", "[1, 3]"))).contains("kind = \"multiple\""));
    }

    #[test]
    fn inline_markdown_but_no_raw_html() {
        assert_eq!(inline("Dùng **cụm từ** dài, `Abc!`"), "Dùng <strong>cụm từ</strong> dài, <code>Abc!</code>");
        assert_eq!(inline("<b onclick=x>a</b> [link](x.md)"), "&lt;b onclick=x&gt;a&lt;/b&gt; link");
        for text in ["1. Gọi 113", "- 5 điểm", "# Không", "> trích", "<div>x</div>"] {
            assert_eq!(inline(text), escape(text), "block markers stay text");
        }
        assert_eq!(inline("*Dài*\n    và   khó"), "<em>Dài</em> và khó");
    }
}

//! The shipped curriculum (this repository's own `content/`): complete for every target
//! group, every lesson with a quiz, minority-language variants honestly marked, and
//! `hoclieu check` clean but for the marks that say a translation awaits review.

use crate::harness::Project;
use std::path::Path;

fn shipped() -> Project {
    let project = Project::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate::harness::copy_dir(&repo.join("content"), &project.path("content"));
    crate::harness::copy_dir(&repo.join("themes"), &project.path("themes"));
    std::fs::copy(repo.join("book.toml"), project.path("book.toml")).unwrap();
    project
}

#[test]
fn check_is_clean_but_for_translations_awaiting_review() {
    let project = shipped();
    let outcome = project.run(&["check"]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    for line in outcome.stderr.lines().filter(|l| l.contains(": warning: ") || l.contains(": error: ")) {
        assert!(
            line.contains(": warning: machine translation into") || line.contains(": warning: draft translation into"),
            "unexpected: {line}"
        );
    }
}

#[test]
fn every_group_has_lessons_in_every_domain_it_must_learn() {
    let project = shipped();
    project.run(&["report", "--csv", "report.csv"]).success();
    let csv = project.read("report.csv");
    let gaps: Vec<&str> = csv.lines().filter(|l| l.starts_with("vi,") && l.ends_with(",true")).collect();
    assert!(gaps.is_empty(), "coverage gaps: {gaps:?}");
}

#[test]
fn at_least_45_lessons_each_with_a_quiz_of_3_to_6_questions() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut lessons = 0;
    for entry in walkdir::WalkDir::new(&repo).min_depth(2).max_depth(2) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        // lessons in the default language: x.md, not _index.md, not x.<lang>.md
        if !name.ends_with(".md") || name.starts_with('_') || name.trim_end_matches(".md").contains('.') {
            continue;
        }
        lessons += 1;
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let questions = text.matches("[[question]]").count();
        assert!(text.contains("```quiz"), "{name} has no quiz");
        assert!((3..=6).contains(&questions), "{name} has {questions} questions");
        assert!(text.contains("objectives = ["), "{name} has no objectives");
    }
    assert!(lessons >= 45, "only {lessons} lessons");
}

#[test]
fn minority_language_variants_are_marked_as_awaiting_review() {
    let project = shipped();
    let outcome = project.run(&["translations"]);
    outcome.success();
    let count = |lang: &str, state: &str| -> usize {
        let line = outcome.stdout.lines().find(|l| l.contains(&format!("({lang}):"))).unwrap_or_default();
        line.split(&format!("{state} "))
            .nth(1)
            .and_then(|n| n.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    for (lang, at_least) in [("blt", 3), ("hmn", 3), ("blt-tavt", 1)] {
        let marked = count(lang, "machine") + count(lang, "draft");
        assert!(marked >= at_least, "{lang}: {marked} marked translations\n{}", outcome.stdout);
        assert_eq!(count(lang, "reviewed"), 0, "nobody has reviewed {lang} yet");
        assert_eq!(count(lang, "stale"), 0, "{lang} translations are up to date");
    }
}

#[test]
fn the_glossary_exists_and_explains_many_terms() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let glossary = std::fs::read_to_string(repo.join("content/thuat-ngu.md")).expect("content/thuat-ngu.md");
    let terms = glossary.lines().filter(|l| l.starts_with("### ")).count();
    assert!(terms >= 50, "{terms} terms");
}

#[test]
fn lessons_link_the_glossary_where_a_term_first_appears() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let linking = walkdir::WalkDir::new(&repo)
        .min_depth(2)
        .max_depth(2)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".md"))
        .filter(|e| std::fs::read_to_string(e.path()).unwrap().contains("](../thuat-ngu.md#"))
        .count();
    assert!(linking >= 25, "only {linking} lessons link the glossary");
}

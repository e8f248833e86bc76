//! The relevance set (`bench/relevance/queries.toml`: queries on the shipped curriculum,
//! relevant lessons judged by reading) in its four forms — as written, without diacritics,
//! NFD, the other tone placement — scored by recall@5 and MRR against the search behind
//! `hoclieu search` and against the browser's search code on the built site. Below 0.95 in
//! any form fails: a ranking change that hurts real queries is caught here. The figures of
//! bench/relevance.sh (BENCHMARKS.md) come from the same set.

use crate::harness::fixture_dir;
use hoclieu::search::{self, engine::Engine};
use std::path::Path;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

const TARGET: f64 = 0.95;

#[derive(serde::Deserialize)]
struct Query {
    text: String,
    relevant: Vec<String>,
}

fn queries() -> Vec<Query> {
    #[derive(serde::Deserialize)]
    struct Set {
        query: Vec<Query>,
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("bench/relevance/queries.toml")).unwrap();
    toml::from_str::<Set>(&text).unwrap().query
}

fn toneless(text: &str) -> String {
    text.nfd()
        .filter(|&c| !is_combining_mark(c))
        .map(|c| {
            if c == 'đ' {
                'd'
            } else if c == 'Đ' {
                'D'
            } else {
                c
            }
        })
        .nfc()
        .collect()
}

/// `hòa` ↔ `hoà`, `khỏe` ↔ `khoẻ`, `thủy` ↔ `thuỷ`: the tone on the other vowel of an open
/// syllable ending in oa, oe or uy (not after q).
fn other_tone_placement(text: &str) -> String {
    const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];
    let swap = |word: &str| -> String {
        let mut d: Vec<char> = word.nfd().collect();
        let n = d.len();
        let low = |c: char| c.to_lowercase().next().unwrap();
        let pair = |a: char, b: char| matches!((low(a), low(b)), ('o', 'a') | ('o', 'e') | ('u', 'y'));
        let after_q = |i: usize| i > 0 && low(d[i - 1]) == 'q';
        if n >= 3 && TONES.contains(&d[n - 2]) && pair(d[n - 3], d[n - 1]) && !after_q(n - 3) {
            d.swap(n - 2, n - 1); // hòa → hoà
        } else if n >= 3 && TONES.contains(&d[n - 1]) && pair(d[n - 3], d[n - 2]) && !after_q(n - 3) {
            d.swap(n - 2, n - 1); // hoà → hòa
        }
        d.into_iter().nfc().collect()
    };
    text.split(' ').map(swap).collect::<Vec<_>>().join(" ")
}

/// A form's name and how to write a query in it.
type Form = (&'static str, fn(&str) -> String);

fn forms() -> [Form; 4] {
    [
        ("with diacritics", |q| q.nfc().collect()),
        ("without diacritics", toneless),
        ("NFD", |q| q.nfd().collect()),
        ("other tone placement", other_tone_placement),
    ]
}

/// Mean recall@5 and MRR (over the first 10) of `answers` (paths, best first).
fn score(queries: &[Query], answers: &[Vec<String>]) -> (f64, f64) {
    let (mut recall, mut mrr) = (0.0, 0.0);
    for (q, found) in queries.iter().zip(answers) {
        let top: Vec<&String> = found.iter().take(5).collect();
        recall += q.relevant.iter().filter(|r| top.contains(r)).count() as f64 / q.relevant.len() as f64;
        mrr += found.iter().take(10).position(|p| q.relevant.contains(p)).map_or(0.0, |i| 1.0 / (i + 1) as f64);
    }
    (recall / queries.len() as f64, mrr / queries.len() as f64)
}

#[test]
fn the_forms_differ_as_described() {
    assert_eq!(other_tone_placement("khóa sổ Hoà Bình quý thủy"), "khoá sổ Hòa Bình quý thuỷ");
    assert_eq!(toneless("Đường khẩu"), "Duong khau");
}

#[test]
fn the_shipped_curriculum_meets_the_relevance_target() {
    let queries = queries();
    assert!(queries.len() >= 40, "{} queries", queries.len());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = hoclieu::pipeline::linked(root, false).unwrap().expect("the shipped curriculum links");
    let docs = search::documents(&site, 0);
    let engine = Engine::build(&docs, &[]).unwrap();
    let path = |id: u32| docs[id as usize].path.clone();

    // the browser's code, under node, on the built site
    let out = tempfile::tempdir().unwrap();
    let built = std::process::Command::new(env!("CARGO_BIN_EXE_hoclieu"))
        .args(["build", "--root", root.to_str().unwrap(), "--out", out.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let mut failures = Vec::new();
    for (form, make) in forms() {
        let texts: Vec<String> = queries.iter().map(|q| make(&q.text)).collect();
        let terminal: Vec<Vec<String>> =
            texts.iter().map(|t| engine.ranked(t, None).iter().take(10).map(|r| path(r.id)).collect()).collect();
        let input: String = texts.iter().map(|t| format!("{t}\t-1\t-1\t\t10\n")).collect();
        let lines = crate::search::node(
            &[
                fixture_dir("search").join("query.js").to_str().unwrap(),
                root.join("themes/default/static/search.js").to_str().unwrap(),
                out.path().to_str().unwrap(),
                "vi",
            ],
            &input,
        );
        let browser: Vec<Vec<String>> = lines
            .iter()
            .map(|l| {
                let answer: serde_json::Value = serde_json::from_str(l).unwrap();
                answer["results"].as_array().unwrap().iter().map(|r| r[1].as_str().unwrap().to_string()).collect()
            })
            .collect();
        for (engine, answers) in [("terminal", &terminal), ("browser", &browser)] {
            let (recall, mrr) = score(&queries, answers);
            eprintln!("{form:<22} {engine:<9} recall@5 {recall:.3}  MRR {mrr:.3}");
            if recall < TARGET || mrr < TARGET {
                failures.push(format!("{form}, {engine}: recall@5 {recall:.3}, MRR {mrr:.3}"));
            }
        }
        assert_eq!(terminal, browser, "{form}: the terminal and the browser rank alike");
    }
    assert!(failures.is_empty(), "below {TARGET}:\n{}", failures.join("\n"));
}

use super::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[test]
fn every_message_has_both_languages_with_the_same_placeholders() {
    let catalogue = parse(CATALOGUE_TOML).expect("the catalogue parses");
    assert!(catalogue.len() > 50, "{} messages", catalogue.len());
    let mut problems = Vec::new();
    for (id, entry) in &catalogue {
        if entry.en.trim().is_empty() || entry.vi.trim().is_empty() {
            problems.push(format!("{id}: a language is empty"));
        }
        let en: BTreeSet<_> = placeholders(&entry.en).into_iter().collect();
        let vi: BTreeSet<_> = placeholders(&entry.vi).into_iter().collect();
        if en != vi {
            problems.push(format!("{id}: placeholders {en:?} in English, {vi:?} in Vietnamese"));
        }
        use unicode_normalization::UnicodeNormalization;
        if entry.vi.nfc().collect::<String>() != entry.vi {
            problems.push(format!("{id}: the Vietnamese text is not NFC"));
        }
    }
    assert!(problems.is_empty(), "src/messages/catalogue.toml:\n{}", problems.join("\n"));
}

#[test]
fn a_message_without_both_languages_is_refused() {
    assert!(parse("[a.b]\nen = \"x\"\n").is_err());
    assert!(parse("[a]\nb = \"x\"\n").is_err());
    assert!(parse("[a.b]\nen = \"x\"\nvi = \"y\"\nfr = \"z\"\n").is_err());
    assert_eq!(parse("[a.b]\nen = \"x\"\nvi = \"y\"\n").unwrap()["a.b"].vi, "y");
}

/// `msg!("id", a = …, b)` calls in the sources: the id and the names of its arguments.
fn calls_in(text: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut calls = Vec::new();
    for (at, _) in text.match_indices("msg!(") {
        let rest = &text[at + "msg!(".len()..];
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix('"') else { continue };
        let id_end = rest.find('"').unwrap();
        let id = rest[..id_end].to_string();
        // the arguments up to the closing parenthesis, split at top-level commas
        let mut depth = 0i32;
        let mut in_string = false;
        let mut escaped = false;
        let mut args = vec![String::new()];
        for c in rest[id_end + 1..].chars() {
            if in_string {
                in_string = c != '"' || escaped;
                escaped = c == '\\' && !escaped;
                args.last_mut().unwrap().push(c);
                continue;
            }
            match c {
                '"' => in_string = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => break,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    args.push(String::new());
                    continue;
                }
                _ => {}
            }
            args.last_mut().unwrap().push(c);
        }
        let names =
            args.iter().map(|a| a.split('=').next().unwrap().trim().to_string()).filter(|a| !a.is_empty()).collect();
        calls.push((id, names));
    }
    calls
}

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("messages/tests.rs") {
            // examples in comments are not uses
            let text = std::fs::read_to_string(&path).unwrap();
            let code: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
            out.push((path.display().to_string(), code.join("\n")));
        }
    }
}

#[test]
fn every_id_used_is_in_the_catalogue_with_its_placeholders_and_every_message_is_used() {
    let catalogue = catalogue();
    let mut files = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut used = BTreeMap::new();
    let mut problems = Vec::new();
    for (file, text) in &files {
        for (id, names) in calls_in(text) {
            match catalogue.get(&id) {
                None => problems.push(format!("{file}: `{id}` is not in the catalogue")),
                Some(entry) => {
                    let wanted: BTreeSet<String> = placeholders(&entry.en).into_iter().map(String::from).collect();
                    if wanted != names {
                        problems.push(format!("{file}: `{id}` is given {names:?}, its text has {wanted:?}"));
                    }
                }
            }
            used.insert(id, file.clone());
        }
    }
    // the command line's help texts are looked up by the names of its commands and arguments
    for id in crate::cli::help_ids() {
        if !catalogue.contains_key(&id) {
            problems.push(format!("`{id}` (a help text of the command line) is not in the catalogue"));
        }
        used.insert(id, "src/cli/mod.rs".to_string());
    }
    let mut unused: Vec<_> = catalogue.keys().filter(|id| !used.contains_key(*id)).collect();
    unused.sort();
    for id in unused {
        problems.push(format!("`{id}` is in the catalogue but used nowhere in src/"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn placeholders_are_filled_by_name_and_other_braces_are_text() {
    let kb = 70;
    assert_eq!(
        fill("{kb} KB of {limit} KB; write { name = \"…\" }", &[("kb", &kb), ("limit", &64)]),
        "70 KB of 64 KB; write { name = \"…\" }"
    );
    assert_eq!(placeholders("{a} {b_2} {a} { c } {}"), ["a", "b_2"]);
    assert_eq!(fill("{missing}", &[]), "{missing}");
}

#[test]
fn the_locale_decides_as_posix_says() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |key: &str| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string())
    };
    assert_eq!(Lang::from_env(env(&[])), Lang::En);
    assert_eq!(Lang::from_env(env(&[("LANG", "vi_VN.UTF-8")])), Lang::Vi);
    assert_eq!(Lang::from_env(env(&[("LANG", "C.UTF-8")])), Lang::En);
    // LC_ALL before LC_MESSAGES before LANG; an empty one does not count
    assert_eq!(Lang::from_env(env(&[("LC_ALL", "C"), ("LANG", "vi_VN.UTF-8")])), Lang::En);
    assert_eq!(Lang::from_env(env(&[("LC_ALL", ""), ("LC_MESSAGES", "vi_VN"), ("LANG", "C")])), Lang::Vi);
    assert_eq!(Lang::from_env(env(&[("LC_MESSAGES", "en_US.UTF-8"), ("LANG", "vi_VN")])), Lang::En);
    assert_eq!(Lang::parse("vi"), Some(Lang::Vi));
    assert_eq!(Lang::parse("EN"), Some(Lang::En));
    assert_eq!(Lang::parse("fr"), None);
}

#[test]
fn the_macro_takes_named_values_and_bare_names() {
    let file = "content/a.md";
    assert_eq!(
        text_in(Lang::En, "build.written", &[("out", &file), ("files", &3)]),
        crate::msg!("build.written", out = file, files = 1 + 2)
    );
    assert_eq!(text_in(Lang::Vi, "build.written", &[("out", &file), ("files", &3)]), " → content/a.md (3 tệp)");
}

//! `hoclieu translations`: per language, how many pages are reviewed, draft, machine,
//! stale or missing, and which; `--hash FILE` prints the `source_hash` a translation of
//! FILE should record.

use super::{EXIT_CONTENT, EXIT_OK};
use crate::content::Review;
use crate::diag::print_human;
use crate::msg;
use crate::site::translations::source_hash;
use crate::site::PageStatus;
use crate::Error;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct TranslationsArgs {
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    #[arg(long, value_name = "FILE")]
    hash: Option<PathBuf>,
}

pub fn run(args: TranslationsArgs) -> Result<i32, Error> {
    if let Some(file) = args.hash {
        let text = crate::content::normalise(String::from_utf8_lossy(&crate::fs::read(&file)?).into_owned());
        let split =
            crate::content::front_matter::split(&text, &file).map_err(|d| Error::Usage(hash_refusal(&file, &d)))?;
        println!("{}", source_hash(&text[split.body_start..]));
        return Ok(EXIT_OK);
    }
    let site = match crate::pipeline::linked(&args.root, false)? {
        Ok(site) => site,
        Err(diagnostics) => {
            print_human(&mut std::io::stderr().lock(), &args.root, &diagnostics).ok();
            return Ok(EXIT_CONTENT);
        }
    };
    let lessons: Vec<usize> = site.lessons().map(|p| p.key).collect();
    println!("{}", msg!("translations.lessons-in", count = lessons.len(), language = site.config.languages[0].name));
    for (lang, language) in site.config.languages.iter().enumerate().skip(1) {
        let mut lists: [(&str, Vec<String>); 5] =
            [("reviewed", vec![]), ("draft", vec![]), ("machine", vec![]), ("stale", vec![]), ("missing", vec![])];
        for &key in &lessons {
            let page = site.page(key, lang);
            let name = page.source.path.display().to_string();
            match page.status {
                PageStatus::Fallback => lists[4].1.push(site.page(key, 0).source.path.display().to_string()),
                PageStatus::Translated { review, stale } => {
                    let slot = match review {
                        Some(Review::Reviewed) => 0,
                        Some(Review::Machine) => 2,
                        Some(Review::Draft) | None => 1,
                    };
                    lists[slot].1.push(name.clone());
                    if stale {
                        lists[3].1.push(name);
                    }
                }
                PageStatus::Original => {}
            }
        }
        let counts: Vec<String> = lists.iter().map(|(n, l)| format!("{n} {}", l.len())).collect();
        println!("\n{} ({}): {}", language.name, language.id, counts.join(", "));
        for (name, list) in lists.iter().take(4) {
            for file in list {
                println!("  {name:<8} {file}");
            }
        }
    }
    Ok(EXIT_OK)
}

/// Why `--hash FILE` cannot read FILE's front matter: `file:line: message; hint: …` (one
/// line: an error's text is printed with control characters escaped).
fn hash_refusal(file: &std::path::Path, d: &crate::diag::Diagnostic) -> String {
    let mut text = match d.line {
        0 => format!("{}: {}", file.display(), d.message),
        line => format!("{}:{line}: {}", file.display(), d.message),
    };
    if let Some(hint) = &d.hint {
        text.push_str("; ");
        text.push_str(&msg!("diag.hint", hint));
    }
    text
}

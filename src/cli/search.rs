//! `hoclieu search QUERY`: asks the search engine of one language (built in memory from the
//! content; ranked as the browser ranks) and prints the best lessons with a snippet, matched
//! words in «guillemets», after a "did you mean" line when a query word matches nothing.

use super::{EXIT_CONTENT, EXIT_ENVIRONMENT, EXIT_OK};
use crate::diag::print_human;
use crate::msg;
use crate::search::{self, engine::Engine};
use crate::Error;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[arg(required = true, num_args = 1.., value_name = "QUERY")]
    query: Vec<String>,
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    #[arg(long, value_name = "GROUP")]
    group: Option<String>,
    #[arg(long, default_value_t = 10)]
    limit: u64,
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
}

pub fn run(args: SearchArgs) -> Result<i32, Error> {
    let site = match crate::pipeline::linked(&args.root, false)? {
        Ok(site) => site,
        Err(diagnostics) => {
            print_human(&mut std::io::stderr().lock(), &args.root, &diagnostics).ok();
            return Ok(EXIT_CONTENT);
        }
    };
    let config = &site.config;
    let lang = match &args.lang {
        None => 0,
        Some(id) => match config.languages.iter().position(|l| l.id.as_str() == id) {
            Some(l) => l,
            None => {
                let known: Vec<&str> = config.languages.iter().map(|l| l.id.as_str()).collect();
                eprintln!("{}", msg!("cli.unknown-language", id, known = known.join(", ")));
                return Ok(EXIT_ENVIRONMENT);
            }
        },
    };
    let group_ids: Vec<&str> = config.groups.iter().map(|g| g.id.as_str()).collect();
    if let Some(group) = &args.group {
        if !group_ids.contains(&group.as_str()) {
            eprintln!("{}", msg!("cli.unknown-group", group, known = group_ids.join(", ")));
            return Ok(EXIT_ENVIRONMENT);
        }
    }
    let docs = search::documents(&site, lang);
    let engine = Engine::build(&docs, &group_ids).map_err(|e| Error::Usage(msg!("search.index-failed", error = e)))?;
    let query = args.query.join(" ");
    let limit = args.limit.clamp(1, search::engine::MAX_RESULTS as u64) as usize;
    let hits = engine
        .search(&query, args.group.as_deref(), limit)
        .map_err(|e| Error::Usage(msg!("search.failed", error = e)))?;
    let language = &config.languages[lang];
    if let Some(suggestion) = engine.suggestion(&query) {
        println!("Có phải bạn muốn tìm \"{suggestion}\"?");
    }
    if hits.is_empty() {
        println!("Không tìm thấy bài nào cho \"{query}\" ({}).", language.name);
        return Ok(EXIT_OK);
    }
    for (i, hit) in hits.iter().enumerate() {
        println!("{}. {}  [{}/{}]", i + 1, hit.title, language.id, hit.path);
        if !hit.crumb.is_empty() {
            println!("   {}", hit.crumb);
        }
        println!("   {}", marked(&hit.snippet, &hit.highlights).replace('\n', " "));
    }
    Ok(EXIT_OK)
}

/// The snippet with its highlighted ranges between « and ».
fn marked(text: &str, highlights: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len() + highlights.len() * 4);
    let mut at = 0;
    for range in highlights {
        let (Some(before), Some(word)) = (text.get(at..range.start), text.get(range.clone())) else {
            continue;
        };
        out.push_str(before);
        out.push('«');
        out.push_str(word);
        out.push('»');
        at = range.end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

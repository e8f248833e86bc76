//! `hoclieu import mdbook SRC DEST`: an mdBook made into a hoclieu repository
//! (`crate::import`); prints what it wrote, then every note as `file:line: what` on stderr.

use super::EXIT_OK;
use crate::{msg, Error};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    from: From,
}

#[derive(Debug, Subcommand)]
enum From {
    Mdbook(MdbookArgs),
}

#[derive(Debug, Args)]
struct MdbookArgs {
    src: PathBuf,
    dest: PathBuf,
    #[arg(long = "group", value_name = "G")]
    groups: Vec<String>,
    #[arg(long = "domain", value_name = "D")]
    domains: Vec<String>,
    #[arg(long, value_name = "L")]
    level: Option<String>,
}

pub fn run(args: ImportArgs) -> Result<i32, Error> {
    let From::Mdbook(args) = args.from;
    let options = crate::import::Options { groups: args.groups, domains: args.domains, level: args.level };
    let outcome = crate::import::mdbook(&args.src, &args.dest, &options)?;
    println!(
        "{}",
        msg!(
            "import.imported",
            title = outcome.title,
            dest = args.dest.display(),
            lessons = outcome.lessons,
            sections = outcome.sections,
            files = outcome.files
        )
    );
    if !outcome.notes.is_empty() {
        eprintln!("{}", msg!("import.notes", count = outcome.notes.len()));
        for note in &outcome.notes {
            eprintln!("{}", crate::diag::escape(&note.to_string()));
        }
    }
    Ok(EXIT_OK)
}

//! `hoclieu init [DIR]` and `hoclieu new lesson PATH --title …`: a new repository, a new
//! lesson. The text comes from `crate::scaffold`; this module checks and writes it.

use super::EXIT_OK;
use crate::{msg, Error};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct InitArgs {
    #[arg(default_value = ".")]
    dir: PathBuf,
}

pub fn init(args: InitArgs) -> Result<i32, Error> {
    let dir = &args.dir;
    for existing in ["book.toml", "content"] {
        if dir.join(existing).exists() {
            return Err(Error::Usage(msg!("init.not-new", dir = dir.display(), existing)));
        }
    }
    let files = crate::scaffold::starter();
    for (relative, text) in &files {
        let path = dir.join(relative);
        crate::fs::create_dir_all(path.parent().unwrap_or(dir))?;
        crate::fs::write(&path, text.as_bytes())?;
    }
    println!("{}", msg!("init.made", dir = dir.display(), files = files.len()));
    Ok(EXIT_OK)
}

#[derive(Debug, Args)]
pub struct NewArgs {
    #[command(subcommand)]
    what: New,
}

#[derive(Debug, Subcommand)]
enum New {
    Lesson(LessonArgs),
}

#[derive(Debug, Args)]
struct LessonArgs {
    path: PathBuf,
    #[arg(long)]
    title: String,
}

pub fn new(args: NewArgs) -> Result<i32, Error> {
    let New::Lesson(args) = args.what;
    let lesson = crate::scaffold::new_lesson(&args.path, &args.title)?;
    // `create_new`: a file made meanwhile is not overwritten either
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.path)
        .map_err(|e| Error::io(&args.path, "cannot create", e))?;
    std::io::Write::write_all(&mut file, lesson.text.as_bytes())
        .map_err(|e| Error::io(&args.path, "cannot write", e))?;
    println!("{}", args.path.display());
    Ok(EXIT_OK)
}

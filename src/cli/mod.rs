//! The command line: clap types, one small module per subcommand, and the exit-code policy
//! in one place: 0 ok, 1 content errors, 2 usage or environment errors.

mod build;
mod import;
mod init;
mod pack;
mod report;
mod search;
mod serve;
mod translations;

use clap::{Parser, Subcommand};
use std::io::IsTerminal;

pub const EXIT_OK: i32 = 0;
pub const EXIT_CONTENT: i32 = 1;
pub const EXIT_ENVIRONMENT: i32 = 2;

/// hoclieu builds the Sơn La digital-skills learning materials ("học liệu số") into a light
/// static site that works from a web host, a school LAN, a USB stick or a phone.
#[derive(Debug, Parser)]
#[command(name = "hoclieu", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 ok, 1 content errors, 2 usage or environment errors.\nRun `hoclieu build` in a folder with book.toml and content/."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the whole site into the output folder (default: public/)
    Build(build::BuildArgs),
    /// Check the content for every problem the build would report, without writing output
    Check(build::CheckArgs),
    /// Per language: reviewed, draft, machine, stale and missing translations
    Translations(translations::TranslationsArgs),
    /// Coverage of target groups × domains per language (terminal, --csv, --json)
    Report(report::ReportArgs),
    /// Search the lessons from the terminal, with or without diacritics
    Search(search::SearchArgs),
    /// Preview the site with live reload, or with --static DIR host a built site on the LAN
    Serve(serve::ServeArgs),
    /// Make offline packs ([packs.<id>] of book.toml) as zips, and small updates with --since
    Pack(pack::PackArgs),
    /// Check a pack zip, an update or an unpacked folder against its manifest
    Verify(pack::VerifyArgs),
    /// Unpack a pack safely into a folder, or apply an update to the older version there
    Unpack(pack::UnpackArgs),
    /// Make an existing book (mdBook) into a new hoclieu repository
    Import(import::ImportArgs),
    /// Make a new repository (book.toml, a home page, a course with one lesson) in DIR
    Init(init::InitArgs),
    /// Write a new lesson's front matter (hoclieu new lesson content/<course>/<name>.md --title …)
    New(init::NewArgs),
}

/// Parses the arguments, runs the command and returns the process exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_ENVIRONMENT } else { EXIT_OK };
        }
    };
    let result = match cli.command {
        Command::Build(args) => build::build(args),
        Command::Check(args) => build::check(args),
        Command::Translations(args) => translations::run(args),
        Command::Report(args) => report::run(args),
        Command::Search(args) => search::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Pack(args) => pack::run(args),
        Command::Verify(args) => pack::verify(args),
        Command::Unpack(args) => pack::unpack(args),
        Command::Import(args) => import::run(args),
        Command::Init(args) => init::init(args),
        Command::New(args) => init::new(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ENVIRONMENT
        }
    }
}

/// A spinner with the current stage on a terminal; nothing when output is redirected.
/// With `HOCLIEU_TIMINGS=1`, each stage's wall time is printed to stderr (for profiling).
fn progress() -> Box<dyn Fn(&str)> {
    let spinner = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let timings = std::env::var_os("HOCLIEU_TIMINGS").is_some();
    let last = std::cell::RefCell::new((std::time::Instant::now(), String::new()));
    Box::new(move |stage: &str| {
        if timings {
            let (started, previous) = &mut *last.borrow_mut();
            if !previous.is_empty() {
                eprintln!("timing: {previous}: {:.3} s", started.elapsed().as_secs_f64());
            }
            *started = std::time::Instant::now();
            *previous = stage.to_string();
        }
        if let Some(bar) = &spinner {
            bar.set_message(stage.to_string());
            if stage.is_empty() {
                bar.finish_and_clear();
            }
        }
    })
}

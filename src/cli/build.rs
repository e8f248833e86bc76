//! `hoclieu build` and `hoclieu check`.

use super::{progress, EXIT_CONTENT, EXIT_OK};
use crate::build::{self, BuildOptions, BuildReport};
use crate::diag::{print_human, print_json};
use crate::msg;
use crate::Error;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[arg(long)]
    drafts: bool,
    #[arg(long)]
    strict: bool,
    #[arg(long)]
    clean: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    #[arg(long)]
    drafts: bool,
    #[arg(long)]
    strict: bool,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

pub fn build(args: BuildArgs) -> Result<i32, Error> {
    let options = BuildOptions {
        root: args.root,
        out: args.out,
        drafts: args.drafts,
        dry_run: false,
        strict: args.strict,
        clean: args.clean,
    };
    let report = run_with_progress(&options)?;
    print_human(&mut std::io::stderr().lock(), &options.root, &report.diagnostics).ok();
    Ok(summarise(&report, "built"))
}

pub fn check(args: CheckArgs) -> Result<i32, Error> {
    let options = BuildOptions {
        root: args.root,
        out: None,
        drafts: args.drafts,
        dry_run: true,
        strict: args.strict,
        clean: false,
    };
    let report = run_with_progress(&options)?;
    match args.format {
        Format::Json => {
            print_json(&mut std::io::stdout().lock(), &report.diagnostics)
                .map_err(|e| Error::io(&options.root, "cannot print", e))?;
            Ok(if report.has_errors() { EXIT_CONTENT } else { EXIT_OK })
        }
        Format::Human => {
            print_human(&mut std::io::stderr().lock(), &options.root, &report.diagnostics).ok();
            Ok(summarise(&report, "checked"))
        }
    }
}

fn run_with_progress(options: &BuildOptions) -> Result<BuildReport, Error> {
    let progress = progress();
    let report = build::run(options, &*progress);
    progress("");
    report
}

/// The last line: what was done, how long it took, how many problems.
fn summarise(report: &BuildReport, verb: &str) -> i32 {
    let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
    let notes = report.diagnostics.iter().filter(|d| d.is_note()).count();
    let warnings = report.diagnostics.len() - errors - notes;
    let seconds = crate::messages::decimal(report.elapsed.as_secs_f64(), 2);
    if errors > 0 {
        let (errors, warnings) = (count(errors, Count::Errors), count(warnings, Count::Warnings));
        let mut line = match verb {
            "built" => msg!("build.failed", errors, warnings, seconds),
            _ => msg!("check.failed", errors, warnings, seconds),
        };
        if let Some(out) = report.out.as_ref().filter(|out| out.exists()) {
            line.push_str(&msg!("build.kept", out = crate::diag::escape(&out.to_string_lossy())));
        }
        eprintln!("{line}");
        return EXIT_CONTENT;
    }
    let pages = count(report.pages, Count::Pages);
    let mut line = match verb {
        "built" => msg!("build.built", pages, seconds),
        _ => msg!("build.checked", pages, seconds),
    };
    if warnings > 0 {
        line.push_str(&format!(", {}", count(warnings, Count::Warnings)));
    }
    if notes > 0 {
        line.push_str(&format!(", {}", count(notes, Count::Notes)));
    }
    if let (Some(written), Some(out)) = (&report.written, &report.out) {
        line.push_str(&msg!("build.written", out = crate::diag::escape(&out.to_string_lossy()), files = written.files));
    }
    println!("{line}");
    EXIT_OK
}

enum Count {
    Errors,
    Warnings,
    Notes,
    Pages,
}

/// `1 error`, `2 errors` (Vietnamese has no plural: `2 lỗi`).
fn count(n: usize, what: Count) -> String {
    match (what, n == 1) {
        (Count::Errors, true) => msg!("count.error", n),
        (Count::Errors, false) => msg!("count.errors", n),
        (Count::Warnings, true) => msg!("count.warning", n),
        (Count::Warnings, false) => msg!("count.warnings", n),
        (Count::Notes, true) => msg!("count.note", n),
        (Count::Notes, false) => msg!("count.notes", n),
        (Count::Pages, true) => msg!("count.page", n),
        (Count::Pages, false) => msg!("count.pages", n),
    }
}

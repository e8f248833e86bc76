//! `hoclieu build` and `hoclieu check`.

use super::{progress, EXIT_CONTENT, EXIT_OK};
use crate::build::{self, BuildOptions, BuildReport};
use crate::diag::{print_human, print_json};
use crate::Error;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The content repository (the folder with book.toml)
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Where to write the site [default: out_dir of book.toml, "public"]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Include lessons marked `draft = true`
    #[arg(long)]
    drafts: bool,
    /// Treat pages over budget as errors (nothing is written)
    #[arg(long)]
    strict: bool,
    /// Ignore the build cache (.hoclieu-cache/build/): render every page and write the
    /// whole output again
    #[arg(long)]
    clean: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The content repository (the folder with book.toml)
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Check lessons marked `draft = true` too
    #[arg(long)]
    drafts: bool,
    /// Treat pages over budget as errors
    #[arg(long)]
    strict: bool,
    /// How to print problems
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
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let seconds = report.elapsed.as_secs_f64();
    if errors > 0 {
        let kept = match &report.out {
            Some(out) if out.exists() => {
                format!("; {} was left as it was", crate::diag::escape(&out.to_string_lossy()))
            }
            _ => String::new(),
        };
        eprintln!("build failed: {}, {} in {seconds:.2} s{kept}", plural(errors, "error"), plural(warnings, "warning"));
        return EXIT_CONTENT;
    }
    let mut line = format!("{verb} {} in {seconds:.2} s", plural(report.pages, "page"));
    if warnings > 0 {
        line.push_str(&format!(", {}", plural(warnings, "warning")));
    }
    if notes > 0 {
        line.push_str(&format!(", {}", plural(notes, "note")));
    }
    if let (Some(written), Some(out)) = (&report.written, &report.out) {
        line.push_str(&format!(" → {} ({} files)", crate::diag::escape(&out.to_string_lossy()), written.files));
    }
    println!("{line}");
    EXIT_OK
}

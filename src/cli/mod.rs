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

use crate::messages::{self, Lang};
use crate::msg;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::io::IsTerminal;

pub const EXIT_OK: i32 = 0;
pub const EXIT_CONTENT: i32 = 1;
pub const EXIT_ENVIRONMENT: i32 = 2;

/// The command line. Its help texts (about, after help, each argument's help) are the
/// catalogue's `help.*` messages, set at start in the chosen language ([`command`]).
#[derive(Debug, Parser)]
#[command(name = "hoclieu", version, long_about = None)]
pub struct Cli {
    #[arg(long, value_name = "vi|en", value_parser = ["vi", "en"])]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands; what each does is said by `help.hoclieu.<name>.about` of the catalogue.
#[derive(Debug, Subcommand)]
pub enum Command {
    Build(build::BuildArgs),
    Check(build::CheckArgs),
    Translations(translations::TranslationsArgs),
    Report(report::ReportArgs),
    Search(search::SearchArgs),
    Serve(serve::ServeArgs),
    Pack(pack::PackArgs),
    Verify(pack::VerifyArgs),
    Unpack(pack::UnpackArgs),
    Import(import::ImportArgs),
    Init(init::InitArgs),
    New(init::NewArgs),
}

/// Parses the arguments, runs the command and returns the process exit code.
pub fn run() -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // the language is needed before parsing, for `--help` and for clap's own errors
    messages::set_language(
        lang_argument(&args).and_then(|l| Lang::parse(&l)).unwrap_or_else(|| Lang::from_env(|k| std::env::var(k).ok())),
    );
    let cli = match command().try_get_matches_from(args).and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => {
            match parse_error(&e) {
                Some(said) => eprint!("{said}"),
                None => drop(e.print()),
            }
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
            eprintln!("{}", msg!("cli.error", error = e));
            EXIT_ENVIRONMENT
        }
    }
}

/// clap's own errors (an unknown command or option, a value it does not take, a missing
/// argument) said in Vietnamese from the catalogue, as clap says them in English; `None`
/// in English and for what clap shows as help.
fn parse_error(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ErrorKind};
    if messages::language() != Lang::Vi {
        return None;
    }
    let get = |kind| e.get(kind).map(|value| value.to_string()).unwrap_or_default();
    let problem = match e.kind() {
        ErrorKind::InvalidSubcommand => msg!("cli.unknown-command", command = get(ContextKind::InvalidSubcommand)),
        ErrorKind::UnknownArgument => msg!("cli.unknown-argument", argument = get(ContextKind::InvalidArg)),
        ErrorKind::InvalidValue => msg!(
            "cli.invalid-value",
            value = get(ContextKind::InvalidValue),
            argument = get(ContextKind::InvalidArg),
            values = get(ContextKind::ValidValue)
        ),
        ErrorKind::ValueValidation => {
            msg!("cli.bad-value", value = get(ContextKind::InvalidValue), argument = get(ContextKind::InvalidArg))
        }
        ErrorKind::MissingRequiredArgument => msg!("cli.missing-argument", arguments = get(ContextKind::InvalidArg)),
        ErrorKind::MissingSubcommand => msg!("cli.missing-command"),
        ErrorKind::ArgumentConflict => {
            msg!("cli.argument-conflict", argument = get(ContextKind::InvalidArg))
        }
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues | ErrorKind::NoEquals => {
            msg!("cli.value-count", argument = get(ContextKind::InvalidArg))
        }
        _ => return None,
    };
    let mut said = format!("{}\n", msg!("cli.error", error = problem));
    let suggested = [get(ContextKind::SuggestedSubcommand), get(ContextKind::SuggestedArg)];
    if let Some(suggestion) = suggested.iter().find(|s| !s.is_empty()) {
        said.push_str(&format!("\n  {}\n", msg!("cli.did-you-mean", suggestion)));
    }
    let usage = get(ContextKind::Usage);
    if let Some(usage) = usage.strip_prefix("Usage: ") {
        said.push_str(&format!("\n{} {usage}\n", msg!("help.usage")));
    }
    said.push_str(&format!("\n{}\n", msg!("cli.try-help")));
    Some(said)
}

/// The value of `--lang` given before the subcommand (`--lang vi`, `--lang=vi`), if any.
fn lang_argument(args: &[std::ffi::OsString]) -> Option<String> {
    let mut args = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(arg) = args.next() {
        if let Some(value) = arg.strip_prefix("--lang=") {
            return Some(value.to_string());
        }
        if arg == "--lang" {
            return args.next().map(|v| v.into_owned());
        }
        if !arg.starts_with('-') {
            return None; // the subcommand: what follows is its own (`search --lang hmn`)
        }
    }
    None
}

/// The clap command with its help texts from the catalogue, in the current language.
pub fn command() -> clap::Command {
    let mut command = Cli::command();
    command.build();
    localise(command, "hoclieu", messages::language())
}

/// Every `help.*` id the command line reads from the catalogue.
pub fn help_ids() -> Vec<String> {
    let mut command = Cli::command();
    command.build();
    let mut ids = Vec::new();
    fn walk(command: &clap::Command, path: &str, ids: &mut Vec<String>) {
        ids.push(format!("help.{path}.about"));
        for arg in command.get_arguments() {
            ids.push(arg_help_id(path, arg.get_id().as_str()));
        }
        // `help`'s own subcommands (`help build`) are never shown
        for sub in command.get_subcommands().filter(|_| !path.ends_with(".help")) {
            walk(sub, &format!("{path}.{}", sub.get_name()), ids);
        }
    }
    walk(&command, "hoclieu", &mut ids);
    ids.push("help.hoclieu.after".to_string());
    ids.sort();
    ids.dedup();
    ids
}

/// The help of an argument: its command's own (`help.hoclieu.build.out`), else the one
/// shared by every command (`help.any.root`); `help` and `version` are the same everywhere.
fn arg_help_id(path: &str, arg: &str) -> String {
    match arg {
        "help" | "version" => format!("help.{arg}"),
        _ => {
            let own = format!("help.{path}.{arg}");
            if messages::catalogue().contains_key(&own) {
                own
            } else {
                format!("help.any.{arg}")
            }
        }
    }
}

fn localise(mut command: clap::Command, path: &str, lang: Lang) -> clap::Command {
    let text = |id: &str| messages::catalogue().get(id).map(|entry| entry.text(lang).to_string());
    if let Some(about) = text(&format!("help.{path}.about")) {
        command = command.about(about);
    }
    if path == "hoclieu" {
        if let Some(after) = text("help.hoclieu.after") {
            command = command.after_help(after);
        }
    }
    if lang == Lang::Vi {
        // clap writes its headings in English: the template and the headings say them
        let template = format!(
            "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
            msg!("help.usage")
        );
        command = command.help_template(template).subcommand_help_heading(msg!("help.commands"));
    }
    let (positionals, options) = (msg!("help.arguments"), msg!("help.options"));
    command = command.mut_args(|arg| {
        let mut arg = match text(&arg_help_id(path, arg.get_id().as_str())) {
            Some(help) => arg.help(help),
            None => arg,
        };
        if lang == Lang::Vi {
            let heading = if arg.is_positional() { &positionals } else { &options };
            // `[default: …]` and `[possible values: …]` are clap's English: said here instead
            let mut help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            let values: Vec<String> = arg.get_possible_values().iter().map(|v| v.get_name().to_string()).collect();
            if !values.is_empty() && !arg.is_hide_possible_values_set() {
                help.push_str(&msg!("help.possible", values = values.join(", ")));
            }
            let defaults: Vec<String> =
                arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
            if !defaults.is_empty()
                && !arg.is_hide_default_value_set()
                && arg.get_num_args().is_some_and(|n| n.takes_values())
            {
                help.push_str(&msg!("help.default", value = defaults.join(", ")));
            }
            arg = arg.help(help).hide_possible_values(true).hide_default_value(true).help_heading(heading.clone());
        }
        arg
    });
    let names: Vec<String> =
        command.get_subcommands().filter(|_| !path.ends_with(".help")).map(|s| s.get_name().to_string()).collect();
    for name in names {
        let sub_path = format!("{path}.{name}");
        command = command.mut_subcommand(&name, |sub| localise(sub, &sub_path, lang));
    }
    command
}

/// A spinner with the current stage on a terminal; nothing when output is redirected.
/// With `HOCLIEU_TIMINGS=1`, each stage's wall time is printed to stderr (for profiling),
/// with, where the system tells them (Linux), the CPU time the stage used (both cores busy
/// shows as twice the wall time) and the peak memory of the process so far:
/// `timing: linking pages: 0.412 s (cpu 0.650 s, peak 238 MB)`.
fn progress() -> Box<dyn Fn(&str)> {
    let spinner = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let timings = std::env::var_os("HOCLIEU_TIMINGS").is_some();
    let last = std::cell::RefCell::new((std::time::Instant::now(), cpu_seconds(), String::new()));
    Box::new(move |stage: &str| {
        if timings {
            let (started, cpu, previous) = &mut *last.borrow_mut();
            let cpu_now = cpu_seconds();
            if !previous.is_empty() {
                let wall = started.elapsed().as_secs_f64();
                match (cpu_now.zip(*cpu), peak_megabytes()) {
                    (Some((now, then)), Some(peak)) => {
                        eprintln!("timing: {previous}: {wall:.3} s (cpu {:.3} s, peak {peak} MB)", now - then)
                    }
                    _ => eprintln!("timing: {previous}: {wall:.3} s"),
                }
            }
            *started = std::time::Instant::now();
            *cpu = cpu_now;
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

/// User and system CPU seconds of this process so far (all threads), from `/proc/self/stat`
/// (fields 14 and 15, in clock ticks of 1/100 s on Linux); `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // the command name (field 2) is in parentheses and may hold spaces: count after it
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let user: f64 = fields.nth(11)?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// The process's peak resident memory so far in MB (`VmHWM` of `/proc/self/status`).
fn peak_megabytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes / 1024)
}

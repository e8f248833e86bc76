//! hoclieu ("học liệu", learning materials) builds the digital-skills learning repository of
//! Sơn La province into a light static site that works from `file://`, a LAN or the web.
//!
//! The build is a one-way pipeline; each stage is a module with one entry function:
//!
//! ```text
//! pipeline::load(root, opts)      -> Loaded            the three stages below, diagnostics gathered
//!                                                      (`build` reads book.toml itself, then
//!                                                      pipeline::load_with(Config, opts))
//!   config::load(root)            -> Config            book.toml, checked
//!   content::load(&Config, opts)  -> Content           walk + read + front matter (parallel)
//!   site::link(Config, Content)   -> Site              sections, order, URLs, link targets
//! render::site_into(&Site, put)   -> page loads        page views → Markdown → templates (parallel),
//!                                                      each file handed to output::Sink at once
//! search::browser::site(&Site)    -> Vec<OutputFile>   search index shards per language
//! lint::budget::check(..)         -> diagnostics       first-load bytes per page
//! output::Sink::finish()                               temp dir (written as files come), atomic swap
//! ```
//!
//! `pack` runs the same stages on a narrowed copy of the content, once per offline pack:
//!
//! ```text
//! pack::load(root)                -> pack::Source      pipeline::load keeping the content
//! pack::narrow(&Config, &Content, &Pack) -> (Config, Content)   the pack's lessons, languages;
//!                                                      the rest recorded as `left_out`
//! site::link → render::site → search::browser::site    as above, on the narrowed site
//! pack::manifest::Manifest::of(..) -> hoclieu-pack.json  sizes and SHA-256 of every file
//! pack::archive::write(..)        -> zip bytes         sorted, content-dated: deterministic
//! pack::unpack::{verify, unpack}                       checked reading, safe extraction
//! pack::delta::make(old, new)     -> update zip        changed + new files, removed list
//! ```
//!
//! `serve` runs the same stages up to `render` in memory and serves the files from a map.
//! After a change it reads again only the changed files (`content::Files`), links again
//! from what it kept (`site::link_with`), and renders only the pages whose fingerprint
//! changed (`render::fingerprint`, `render::targets`); an edit to one lesson's text alone
//! is taken into the linked site as it is (`Site::edit_text`).
//! `serve --static DIR` serves a written output folder (or an unpacked pack) over HTTP on a
//! school's LAN. With `[build] packs = true`, `build` also makes every pack and renders
//! their catalog page.
//!
//! Every page is described once as a [`render::view::PageView`] before it is rendered;
//! the preview's fingerprints, offline saves, budgets and the service worker read views,
//! never HTML. `docs/ARCHITECTURE.md` is the map.
//!
//! Author mistakes are collected as [`diag::Diagnostic`]s by every stage and reported all
//! at once; environment failures are [`Error`]s. Only `output` writes into the output folder.

pub mod build;
pub mod cli;
pub mod config;
pub mod content;
pub mod diag;
pub mod fs;
pub mod images;
pub mod import;
pub mod lint;
pub mod markdown;
pub mod messages;
pub mod output;
pub mod pack;
pub mod pipeline;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;

use std::path::{Path, PathBuf};

/// A failure of the environment or of hoclieu itself (not of the content): exit code 2.
#[derive(Debug)]
pub enum Error {
    Io { path: PathBuf, what: String, source: std::io::Error },
    Template(String),
    Usage(String),
}

impl Error {
    pub fn io(path: &Path, what: &str, source: std::io::Error) -> Self {
        Error::Io { path: path.to_path_buf(), what: what.to_string(), source }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // paths come from the user and the content: printed with control characters escaped
        let escape = diag::escape;
        match self {
            Error::Io { path, what, source } => {
                write!(f, "{}: {source}", io_failure(what, &escape(&path.to_string_lossy())))
            }
            Error::Template(message) => write!(f, "{}", msg!("error.template", message = escape(message))),
            Error::Usage(message) => write!(f, "{}", escape(message)),
        }
    }
}

impl std::error::Error for Error {}

/// What failed on `path`, in the reader's language: `what` is the English phrase the code
/// gives [`Error::io`] ("cannot read"), looked up in the catalogue (`io.*`).
fn io_failure(what: &str, path: &str) -> String {
    match what {
        "cannot copy" => msg!("io.cannot-copy", path),
        "cannot create" => msg!("io.cannot-create", path),
        "cannot create folder" => msg!("io.cannot-create-folder", path),
        "cannot listen" => msg!("io.cannot-listen", path),
        "cannot open" => msg!("io.cannot-open", path),
        "cannot print" => msg!("io.cannot-print", path),
        "cannot read" => msg!("io.cannot-read", path),
        "cannot read folder" => msg!("io.cannot-read-folder", path),
        "cannot read the size of" => msg!("io.cannot-read-size", path),
        "cannot remove" => msg!("io.cannot-remove", path),
        "cannot remove folder" => msg!("io.cannot-remove-folder", path),
        "cannot serve" => msg!("io.cannot-serve", path),
        "cannot write" => msg!("io.cannot-write", path),
        "server stopped" => msg!("io.server-stopped", path),
        _ => {
            if let Some(to) = what.strip_prefix("cannot rename to ") {
                msg!("io.cannot-rename", path, to = diag::escape(to))
            } else if let Some(name) = what.strip_prefix("cannot read \"").and_then(|w| w.strip_suffix("\" in")) {
                msg!("io.cannot-read-in", name = diag::escape(name), path)
            } else {
                format!("{} {path}", diag::escape(what))
            }
        }
    }
}

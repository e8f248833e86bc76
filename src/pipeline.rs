//! The way into the pipeline for every command: book.toml → content → linked site, with
//! every diagnostic of the three stages gathered. `build` and `check` go on to render,
//! `pack` narrows the content it keeps and links each pack, `translations`, `report` and
//! `search` read the site. The preview runs the same stages by itself because it keeps
//! what each read to run them again on a change (`serve::rebuild`), but it reads book.toml
//! through [`config`] like everyone else.

use crate::content::{self, Content};
use crate::diag::{Diagnostic, Diagnostics};
use crate::msg;
use crate::site::{self, Site};
use crate::{config, Error};
use std::path::Path;

/// What to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Read lessons marked `draft = true` too.
    pub drafts: bool,
    /// Whether to keep the content as read (before linking) for the packs, which narrow it.
    pub keep_content: KeepContent,
}

/// When [`load`] keeps the content as read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeepContent {
    #[default]
    Never,
    /// When book.toml asks `build` to make its packs (`[build] packs = true`).
    ForBuildPacks,
    Always,
}

/// The site, linked, with what the stages said.
pub struct Loaded {
    pub site: Site,
    /// The content as read, when [`Options::keep_content`]: what packs are made from.
    pub content: Option<Content>,
    /// Errors and warnings of reading and linking (the site is complete only without
    /// errors).
    pub diagnostics: Diagnostics,
}

/// Reads book.toml (which must exist: a usage error otherwise). `Err` holds its problems.
pub fn config(root: &Path) -> Result<Result<config::Config, Diagnostics>, Error> {
    config::require(root)?;
    Ok(config::load(root))
}

/// Reads book.toml and the content, and links the site. `progress` is told each stage's
/// name as it starts. `Ok(Err(..))` when book.toml has errors (nothing else is read).
pub fn load(root: &Path, options: Options, progress: &dyn Fn(&str)) -> Result<Result<Loaded, Diagnostics>, Error> {
    progress(&msg!("stage.config"));
    Ok(config(root)?.map(|config| load_with(config, options, progress)))
}

/// Reads the content of a site whose book.toml is read already, and links the site (what
/// [`load`] does after book.toml: `build` reads book.toml first to find its build cache).
pub fn load_with(config: config::Config, options: Options, progress: &dyn Fn(&str)) -> Loaded {
    progress(&msg!("stage.content"));
    let (content, mut diagnostics) = content::load(&config, content::LoadOptions { drafts: options.drafts });
    let keep = match options.keep_content {
        KeepContent::Never => false,
        KeepContent::ForBuildPacks => config.build.packs && !config.packs.is_empty(),
        KeepContent::Always => true,
    };
    let kept = keep.then(|| content.clone());
    progress(&msg!("stage.linking"));
    let (site, link_diagnostics) = site::link(config, content);
    diagnostics.extend(link_diagnostics);
    Loaded { site, content: kept, diagnostics }
}

/// The linked site when the content has no error; else every diagnostic, sorted.
pub fn linked(root: &Path, drafts: bool) -> Result<Result<Site, Vec<Diagnostic>>, Error> {
    let loaded = match load(root, Options { drafts, keep_content: KeepContent::Never }, &|_| {})? {
        Ok(loaded) => loaded,
        Err(diagnostics) => return Ok(Err(diagnostics.into_sorted())),
    };
    if loaded.diagnostics.has_errors() {
        return Ok(Err(loaded.diagnostics.into_sorted()));
    }
    Ok(Ok(loaded.site))
}

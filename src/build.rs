//! One build, start to finish: runs the pipeline stages in order, gathers every stage's
//! diagnostics, and writes output only when there is no error. `cli` decides how to show
//! the outcome; `serve` (later) will call the same stages.

use crate::diag::{Diagnostic, Diagnostics};
use crate::msg;
use crate::{lint, output, pack, pipeline, render, search, site, Error};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Output folder; `[build] out_dir` of book.toml (relative to the root) when `None`.
    pub out: Option<PathBuf>,
    pub drafts: bool,
    /// Check only: run every stage but write nothing.
    pub dry_run: bool,
    /// Budget overruns are errors, not warnings.
    pub strict: bool,
}

/// What happened, for the summary line.
#[derive(Debug)]
pub struct BuildReport {
    pub diagnostics: Vec<Diagnostic>,
    pub pages: usize,
    pub written: Option<output::WriteReport>,
    pub out: Option<PathBuf>,
    pub elapsed: Duration,
}

impl BuildReport {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Runs the pipeline. `progress` is told each stage's name as it starts.
pub fn run(options: &BuildOptions, progress: &dyn Fn(&str)) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let finish = |diagnostics: Diagnostics, pages, written, out| BuildReport {
        diagnostics: diagnostics.into_sorted(),
        pages,
        written,
        out,
        elapsed: started.elapsed(),
    };
    let loaded = pipeline::load(
        &options.root,
        // `[build] packs = true`: the packs are made from the same content, narrowed
        pipeline::Options {
            drafts: options.drafts,
            keep_content: if options.dry_run {
                pipeline::KeepContent::Never
            } else {
                pipeline::KeepContent::ForBuildPacks
            },
        },
        progress,
    )?;
    let pipeline::Loaded { site, content, mut diagnostics } = match loaded {
        Ok(loaded) => loaded,
        Err(diagnostics) => return Ok(finish(diagnostics, 0, None, None)),
    };
    let config = &site.config;
    let out = options.out.clone().unwrap_or_else(|| options.root.join(&config.build.out_dir));
    if !options.dry_run {
        output::check_location(&options.root, &out, &msg!("output.the-output-folder"))?;
    }
    let precompress = config.build.precompress;
    let packs_source = content.map(|content| pack::Source {
        config: config.clone(),
        content,
        time: pack::BuildTime { epoch: pack::ZIP_EPOCH, source: "none" },
    });
    let pages = site.pages.len();
    if diagnostics.has_errors() {
        return Ok(finish(diagnostics, pages, None, Some(out)));
    }
    // Budgets are measured on the compressed files; without precompression a plain build
    // skips them (the server compresses, sizes are unknown) but `check` and --strict do not.
    let measure = precompress || options.dry_run || options.strict;
    let sink = if options.dry_run {
        output::Sink::nowhere(&options.root, measure)
    } else {
        output::Sink::folder(&options.root, &out, precompress, measure)?
    };
    let put = |file: output::OutputFile| sink.put(&file);
    progress(&msg!("stage.rendering"));
    let theme = render::theme::load(&site.config)?;
    let page_loads = render::site_into(&site, &theme, &put)?;
    diagnostics.extend(lint::image_budget::check(&site, &page_loads, options.strict));
    progress(&msg!("stage.indexing"));
    search::browser::site(&site).into_par_iter().try_for_each(|file| put(file).map(drop))?;
    if let Some(mut source) = packs_source {
        progress(&msg!("stage.packs"));
        source.time = pack::BuildTime::of(&site.config.root)?;
        packs(&site, &source)?.into_par_iter().try_for_each(|file| put(file).map(drop))?;
    }
    if options.dry_run {
        diagnostics.extend(lint::translations::check(&site));
        diagnostics.extend(lint::translations::missing_strings(&site, &theme.missing_strings));
        diagnostics.extend(lint::translations::coverage_gaps(&site));
        diagnostics.extend(lint::translations::untranslated(&site));
        diagnostics.extend(lint::translations::base_url(&site));
    }
    if measure {
        progress(&msg!("stage.budgets"));
        let received = sink.received();
        let sizes: HashMap<&str, u64> = received.iter().map(|(path, size)| (path.as_str(), *size)).collect();
        diagnostics.extend(lint::budget::check(&site, &page_loads, &sizes, options.strict));
    }
    if options.dry_run || diagnostics.has_errors() {
        // dropping the sink removes what it wrote: the last good output stays
        return Ok(finish(diagnostics, pages, None, Some(out)));
    }
    progress(&msg!("stage.writing"));
    let written = sink.finish()?;
    Ok(finish(diagnostics, pages, written, Some(out)))
}

/// Every pack of the config as `packs/hoclieu-<id>.zip` (and `.zim` when its formats say
/// so), and the catalog page in every language.
fn packs(site: &site::Site, source: &pack::Source) -> Result<Vec<output::OutputFile>, Error> {
    let mut files = Vec::new();
    let mut listings = Vec::new();
    for config_pack in &source.config.packs {
        let built = pack::build(source, config_pack)?;
        let names = |ids: Vec<&str>, name: &dyn Fn(&str) -> Option<String>| {
            ids.into_iter().filter_map(name).collect::<Vec<_>>().join(", ")
        };
        let config = &site.config;
        let path = format!("packs/{}", crate::pack::zip_name(&built.id));
        let zim = match config_pack.formats.contains(&crate::config::PackFormat::Zim) {
            true => Some(pack::zim(source, config_pack, &built)?),
            false => None,
        };
        let zim_listing = zim.as_ref().map(|data| render::ZimListing {
            bytes: data.len() as u64,
            sha256: pack::manifest::sha256_hex(data),
            path: format!("packs/{}", crate::pack::zim_name(&built.id)),
        });
        if let (Some(data), Some(listing)) = (zim, &zim_listing) {
            files.push(output::OutputFile { path: listing.path.clone(), contents: output::Contents::Bytes(data) });
        }
        listings.push(render::PackListing {
            id: built.id.clone(),
            title: built.manifest.title.clone(),
            languages: names(config_pack.languages.iter().map(|l| l.as_str()).collect(), &|l| {
                config.language(l).map(|x| x.name.clone())
            }),
            groups: names(config_pack.groups.iter().map(|g| g.as_str()).collect(), &|g| {
                config.group(g).map(|x| x.name.clone())
            }),
            zip_bytes: built.zip.len() as u64,
            unpacked_bytes: built.manifest.total_size,
            files: built.manifest.file_count,
            version: built.manifest.version.clone(),
            sha256: pack::manifest::sha256_hex(&built.zip),
            path: path.clone(),
            zim: zim_listing,
        });
        files.push(output::OutputFile { path, contents: output::Contents::Bytes(built.zip) });
    }
    files.extend(render::downloads(site, &listings)?);
    Ok(files)
}

//! One build, start to finish: runs the pipeline stages in order, gathers every stage's
//! diagnostics, and writes output only when there is no error. `cli` decides how to show
//! the outcome; `serve` (later) will call the same stages.

use crate::diag::{Diagnostic, Diagnostics};
use crate::{lint, output, pack, pipeline, render, search, site, Error};
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
        output::check_location(&options.root, &out, "the output folder")?;
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
    progress("rendering pages");
    let (rendered, missing_strings) = render::site(&site)?;
    let render::RenderedSite { mut files, pages: page_loads } = rendered;
    diagnostics.extend(lint::image_budget::check(&site, &page_loads, options.strict));
    progress("indexing for search");
    files.extend(search::browser::site(&site));
    if let Some(mut source) = packs_source {
        progress("making offline packs");
        source.time = pack::BuildTime::of(&site.config.root)?;
        files.extend(packs(&site, &source)?);
        files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    if options.dry_run {
        diagnostics.extend(lint::translations::check(&site));
        diagnostics.extend(lint::translations::missing_strings(&site, &missing_strings));
        diagnostics.extend(lint::translations::coverage_gaps(&site));
        diagnostics.extend(lint::translations::untranslated(&site));
        diagnostics.extend(lint::translations::base_url(&site));
    }
    // Budgets are measured on the compressed files; without precompression a plain build
    // skips them (the server compresses, sizes are unknown) but `check` and --strict do not.
    if precompress || options.dry_run || options.strict {
        progress("compressing");
        let compressed = output::compress::siblings(&site.config.root, &files)?;
        // what a browser receives: the `.br` where there is one, else the `.gz`
        let mut sizes: HashMap<&str, u64> = HashMap::new();
        for file in &compressed {
            let output::Contents::Bytes(bytes) = &file.contents else { continue };
            if let Some(page) = file.path.strip_suffix(".br") {
                sizes.insert(page, bytes.len() as u64);
            } else if let Some(page) = file.path.strip_suffix(".gz") {
                sizes.entry(page).or_insert(bytes.len() as u64);
            }
        }
        progress("checking budgets");
        diagnostics.extend(lint::budget::check(&site, &page_loads, &sizes, options.strict));
        if precompress {
            files.extend(compressed);
        }
    }
    if options.dry_run || diagnostics.has_errors() {
        return Ok(finish(diagnostics, pages, None, Some(out)));
    }
    progress("writing output");
    let written = output::write(&site.config.root, &out, &files)?;
    Ok(finish(diagnostics, pages, Some(written), Some(out)))
}

/// Every pack of the config as `packs/<id>.zip`, and the catalog page in every language.
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
        });
        files.push(output::OutputFile { path, contents: output::Contents::Bytes(built.zip) });
    }
    files.extend(render::downloads(site, &listings)?);
    Ok(files)
}

//! One build, start to finish: runs the pipeline stages in order, gathers every stage's
//! diagnostics, and writes output only when there is no error. `cli` decides how to show
//! the outcome; `serve` (later) will call the same stages.

use crate::diag::{Diagnostic, Diagnostics};
use crate::{config, content, lint, output, pack, render, search, site, Error};
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
    progress("reading book.toml");
    config::require(&options.root)?;
    let config = match config::load(&options.root) {
        Ok(config) => config,
        Err(diagnostics) => return Ok(finish(diagnostics, 0, None, None)),
    };
    let out = options.out.clone().unwrap_or_else(|| options.root.join(&config.build.out_dir));
    if !options.dry_run {
        output::check_location(&options.root, &out, "the output folder")?;
    }
    let precompress = config.build.precompress;

    progress("reading content");
    let (content, mut diagnostics) = content::load(&config, content::LoadOptions { drafts: options.drafts });
    // `[build] packs = true`: the packs are made from the same content, narrowed
    let packs_source = (config.build.packs && !config.packs.is_empty() && !options.dry_run).then(|| pack::Source {
        config: config.clone(),
        content: content::Content {
            pages: content.pages.clone(),
            assets: content.assets.clone(),
            courses: content.courses.clone(),
            left_out: Vec::new(),
        },
        time: pack::BuildTime { epoch: pack::ZIP_EPOCH, source: "none" },
    });
    progress("linking pages");
    let (site, link_diagnostics) = site::link(config, content);
    diagnostics.extend(link_diagnostics);
    let pages = site.pages.len();
    if diagnostics.has_errors() {
        return Ok(finish(diagnostics, pages, None, Some(out)));
    }
    progress("rendering pages");
    let (mut files, missing_strings) = render::site(&site)?;
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
            let render::Contents::Bytes(bytes) = &file.contents else { continue };
            if let Some(page) = file.path.strip_suffix(".br") {
                sizes.insert(page, bytes.len() as u64);
            } else if let Some(page) = file.path.strip_suffix(".gz") {
                sizes.entry(page).or_insert(bytes.len() as u64);
            }
        }
        progress("checking budgets");
        diagnostics.extend(lint::budget::check(&site, &files, &sizes, options.strict));
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

/// Every pack of the config as `packs/hoclieu-<id>.zip` (and `.zim` when its formats say
/// so), and the catalog page in every language.
fn packs(site: &site::Site, source: &pack::Source) -> Result<Vec<render::OutputFile>, Error> {
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
            files.push(render::OutputFile { path: listing.path.clone(), contents: render::Contents::Bytes(data) });
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
        files.push(render::OutputFile { path, contents: render::Contents::Bytes(built.zip) });
    }
    files.extend(render::downloads(site, &listings)?);
    Ok(files)
}

/// Reads and links the site without rendering, for commands that only look at it
/// (`translations`, `report`). `Err` diagnostics when the content has errors.
pub fn linked_site(root: &std::path::Path, drafts: bool) -> Result<Result<site::Site, Vec<Diagnostic>>, Error> {
    config::require(root)?;
    let config = match config::load(root) {
        Ok(config) => config,
        Err(diagnostics) => return Ok(Err(diagnostics.into_sorted())),
    };
    let (content, mut diagnostics) = content::load(&config, content::LoadOptions { drafts });
    let (site, link_diagnostics) = site::link(config, content);
    diagnostics.extend(link_diagnostics);
    if diagnostics.has_errors() {
        return Ok(Err(diagnostics.into_sorted()));
    }
    Ok(Ok(site))
}

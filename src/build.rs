//! One build, start to finish: runs the pipeline stages in order, gathers every stage's
//! diagnostics, and writes output only when there is no error. `cli` decides how to show
//! the outcome; `serve` (later) will call the same stages.

use crate::content::Version;
use crate::diag::{Diagnostic, Diagnostics};
use crate::msg;
use crate::output::cache;
use crate::{lint, output, pack, pipeline, render, search, site, Error};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
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
    /// Ignore the build cache: render every page and write a whole new output (the cache
    /// is made again).
    pub clean: bool,
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
    progress(&msg!("stage.config"));
    let config = match pipeline::config(&options.root)? {
        Ok(config) => config,
        Err(diagnostics) => return Ok(finish(diagnostics, 0, None, None)),
    };
    let out = options.out.clone().unwrap_or_else(|| options.root.join(&config.build.out_dir));
    let precompress = config.build.precompress;
    // the build cache: what the last build wrote, trusted only when whole, made by this
    // hoclieu for this output, and when the output is still as it left it; read and
    // checked against the output while the content is read
    let cache_dir = config.build.cache.clone().filter(|_| !options.dry_run);
    let key = cache::key(&out, precompress);
    let (loaded, previous) = std::thread::scope(|scope| {
        let previous = cache_dir.as_ref().filter(|_| !options.clean).map(|dir| {
            let (key, out) = (&key, &out);
            scope.spawn(move || cache::State::load(dir, key).filter(|state| state.output_is_as_written(out)))
        });
        let loaded = pipeline::load_with(config, load_options(options), progress);
        (loaded, previous.and_then(|read| read.join().expect("reading the build cache does not panic")))
    });
    let pipeline::Loaded { mut site, content, mut diagnostics } = loaded;
    let config = &site.config;
    if !options.dry_run {
        output::check_location(&options.root, &out, &msg!("output.the-output-folder"))?;
    }
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
    let config_hash = cache::config_hash(&options.root, &site.config.build.theme, options.drafts);
    progress(&msg!("stage.rendering"));
    let (sink, previous) = match previous {
        _ if options.dry_run => (output::Sink::nowhere(&options.root, measure), None),
        Some(mut state) => {
            let files = std::mem::take(&mut state.files);
            if state.config != config_hash {
                // book.toml or the theme changed: every page is rendered (unchanged files
                // are still not rewritten)
                state.pages.clear();
                state.search.clear();
            }
            (output::Sink::update(&options.root, &out, precompress, measure, files)?, Some(state))
        }
        None => {
            let sink = output::Sink::folder(&options.root, &out, precompress, measure)?;
            (if cache_dir.is_some() { sink.recording() } else { sink }, None)
        }
    };
    let put = |file: output::OutputFile| sink.put(&file);
    let theme = render::theme::load(&site.config)?;
    // a page is fingerprinted as it is rendered: the cache gives those it holds as they are now
    let root = site.config.root.clone();
    let versions = |path: &Path| Version::of(&root.join(path));
    let reuse = |output: &str, print: u64| -> Option<(render::PageLoads, u64)> {
        let record = previous.as_ref()?.pages.get(output).filter(|r| r.fingerprint == print)?;
        let loads = record.page_loads()?;
        Some((loads, sink.keep(output)?))
    };
    let cached = cache_dir.as_ref().map(|_| render::Cached { versions: &versions, reuse: &reuse });
    // the search index's documents, with the site's readable texts (the index alone reads
    // them) taken out, so that they are not held twice while the pages are made
    let documents = search::take_documents(&mut site);
    // the search index needs only the site: it is made while the pages are, so that each
    // fills the other's idle moments (a batch's last pages, the index's merges)
    let (rendered, search) = rayon::join(
        || render::site_into_reusing(&site, &theme, &put, cached.as_ref()),
        || {
            let tallies =
                cache_dir.as_deref().map(|dir| search::browser::TalliesCache { dir, key: &key, reuse: !options.clean });
            search_index(&site, documents, previous.as_ref(), tallies.as_ref(), &sink)
        },
    );
    let (render::Rendered { loads: page_loads, prints }, search) = (rendered?, search?);
    diagnostics.extend(lint::image_budget::check(&site, &page_loads, options.strict));
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
    let records = sink.records();
    if let Some(dir) = &cache_dir {
        // the output changes now: until the new cache is written, none describes it
        cache::State::forget(dir);
    }
    let written = sink.finish()?;
    if let (Some(dir), Some(files)) = (&cache_dir, records) {
        let pages = prints
            .into_iter()
            .filter_map(|(output, print)| {
                let record = cache::page_record(print, page_loads.get(&output)?);
                Some((output, record))
            })
            .collect();
        cache::State { key, config: config_hash, files, pages, search }.save(dir);
    }
    Ok(finish(diagnostics, pages, written, Some(out)))
}

/// What a build reads: drafts when asked, and the content as read when book.toml asks
/// for packs (`[build] packs = true`: they are made from the same content, narrowed).
fn load_options(options: &BuildOptions) -> pipeline::Options {
    pipeline::Options {
        drafts: options.drafts,
        keep_content: if options.dry_run { pipeline::KeepContent::Never } else { pipeline::KeepContent::ForBuildPacks },
    }
}

/// The search index of every language from its `documents`, each made again only when they changed
/// since the cache's (else its files are kept as they are), from the `tallies` kept of its
/// documents where it can. Returns what the next cache keeps.
fn search_index(
    site: &site::Site,
    documents: Vec<Vec<search::Document>>,
    previous: Option<&cache::State>,
    tallies: Option<&search::browser::TalliesCache>,
    sink: &output::Sink,
) -> Result<HashMap<String, cache::SearchRecord>, Error> {
    let languages = &site.config.languages;
    // a translation's index names the default language's documents it translates
    let originals: Vec<usize> = documents[0].iter().map(|d| d.key).collect();
    let hashes: Vec<u64> = documents
        .par_iter()
        .map(|docs| {
            // xxh3, as the pages' fingerprints: this reads every text of the language
            let mut h = xxhash_rust::xxh3::Xxh3Default::new();
            originals.hash(&mut h);
            for d in docs {
                (d.key, &d.title, &d.path, &d.crumb, &d.summary, &d.headings, &d.body, &d.groups, &d.domains)
                    .hash(&mut h);
            }
            h.finish()
        })
        .collect();
    let mut records = HashMap::new();
    let mut again = Vec::new();
    for (lang, hash) in hashes.iter().enumerate() {
        let id = languages[lang].id.as_str();
        let kept = previous.and_then(|p| p.search.get(id)).filter(|r| r.documents == *hash).filter(|r| {
            // every file still in the output as written (a record without files is not kept)
            !r.files.is_empty() && r.files.iter().all(|f| sink.had(f))
        });
        match kept {
            Some(record) => {
                for file in &record.files {
                    sink.keep(file);
                }
                records.insert(id.to_string(), record.clone());
            }
            None => again.push(lang),
        }
    }
    let files = search::browser::languages(site, &documents, &again, tallies);
    for &lang in &again {
        let prefix = format!("search/{}/", languages[lang].id.as_str());
        let names = files.iter().filter(|f| f.path.starts_with(&prefix)).map(|f| f.path.clone()).collect();
        records.insert(languages[lang].id.to_string(), cache::SearchRecord { documents: hashes[lang], files: names });
    }
    files.into_par_iter().try_for_each(|file| sink.put(&file).map(drop))?;
    Ok(records)
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

//! `hoclieu pack`, `hoclieu verify` and `hoclieu unpack`: offline packs for schools.

use super::{progress, EXIT_CONTENT, EXIT_OK};
use crate::config::PackFormat;
use crate::diag::print_human;
use crate::msg;
use crate::pack::unpack::{self, Unpacked, Verified};
use crate::pack::{self, delta, manifest::Problems};
use crate::render::human_size as size;
use crate::Error;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct PackArgs {
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    #[arg(long, value_name = "ID", conflicts_with = "all")]
    id: Vec<String>,
    #[arg(long)]
    all: bool,
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[arg(long, value_name = "OLD.zip")]
    since: Option<PathBuf>,
    #[arg(long, value_name = "zip|zim", value_parser = ["zip", "zim"])]
    format: Vec<String>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[arg(value_name = "PACK.zip|PACK.zim|DIR")]
    pack: PathBuf,
}

#[derive(Debug, Args)]
pub struct UnpackArgs {
    #[arg(value_name = "PACK.zip|PACK.zim")]
    zip: PathBuf,
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

pub fn run(args: PackArgs) -> Result<i32, Error> {
    let progress = progress();
    progress(&msg!("pack.reading"));
    let source = match pack::load(&args.root)? {
        Ok(source) => source,
        Err(diagnostics) => {
            progress("");
            print_human(&mut std::io::stderr().lock(), &args.root, &diagnostics).ok();
            eprintln!("{}", msg!("pack.failed"));
            return Ok(EXIT_CONTENT);
        }
    };
    let ids = (!args.id.is_empty()).then_some(args.id.as_slice());
    let packs = pack::select(&source.config, ids)?;
    if args.since.is_some() && packs.len() != 1 {
        return Err(Error::Usage(msg!("pack.since-one-id")));
    }
    let old = args.since.as_deref().map(delta::old_manifest).transpose()?;
    let out = args.out.unwrap_or_else(|| args.root.join("packs"));
    crate::output::check_location(&args.root, &out, &msg!("pack.packs-folder"))?;
    crate::fs::create_dir_all(&out)?;
    let chosen: Vec<PackFormat> = args.format.iter().filter_map(|f| PackFormat::parse(f)).collect();
    for pack in packs {
        progress(&msg!("pack.making", id = pack.id));
        let built = pack::build(&source, pack)?;
        let formats = if chosen.is_empty() { pack.formats.clone() } else { chosen.clone() };
        for format in &formats {
            let (name, data) = match format {
                PackFormat::Zip => (crate::pack::zip_name(&built.id), None),
                PackFormat::Zim => {
                    progress(&msg!("pack.making-zim", id = pack.id));
                    (crate::pack::zim_name(&built.id), Some(pack::zim(&source, pack, &built)?))
                }
            };
            let data = data.as_deref().unwrap_or(&built.zip);
            let path = crate::output::inside(&out, &name)?;
            write_atomically(&path, data)?;
            progress("");
            println!(
                "{}",
                msg!(
                    "pack.made",
                    id = built.id,
                    version = built.manifest.version,
                    files = built.manifest.file_count,
                    size = size(built.manifest.total_size),
                    path = path.display(),
                    zip_size = size(data.len() as u64)
                )
            );
        }
        if let Some(old) = &old {
            let (delta, zip) = delta::make(old.clone(), &built, source.time)?;
            if delta.from.content_hash == delta.to.content_hash {
                println!(
                    "{}",
                    msg!("pack.no-update", old = args.since.as_ref().unwrap().display(), version = delta.to.version)
                );
                continue;
            }
            let name = crate::pack::update_name(&built.id, &delta.from.version, &delta.to.version);
            let path = crate::output::inside(&out, &name)?;
            write_atomically(&path, &zip)?;
            println!(
                "{}",
                msg!(
                    "pack.update-made",
                    from = delta.from.version,
                    to = delta.to.version,
                    changed = delta.changed.len(),
                    added = delta.added.len(),
                    removed = delta.removed.len(),
                    path = path.display(),
                    size = size(zip.len() as u64)
                )
            );
        }
    }
    Ok(EXIT_OK)
}

pub fn verify(args: VerifyArgs) -> Result<i32, Error> {
    let (what, problems) = unpack::verify(&args.pack)?;
    let name = match &what {
        Verified::Pack(m) => msg!("pack.name", id = m.id, version = m.version),
        Verified::Update(d) => msg!("pack.update-name", id = d.id, from = d.from.version, to = d.to.version),
    };
    if problems.is_empty() {
        let files = match &what {
            Verified::Pack(m) => m.file_count,
            Verified::Update(d) => d.carried().len(),
        };
        println!("{}", msg!("pack.verified", path = args.pack.display(), name, files));
        return Ok(EXIT_OK);
    }
    print_problems(&args.pack, &problems);
    eprintln!(
        "{}",
        msg!(
            "pack.verify-failed",
            name,
            missing = problems.missing.len(),
            extra = problems.extra.len(),
            corrupted = problems.corrupted.len()
        )
    );
    Ok(EXIT_CONTENT)
}

fn print_problems(at: &Path, problems: &Problems) {
    for path in &problems.missing {
        eprintln!("{}", msg!("pack.file-missing", at = at.display(), path));
    }
    for path in &problems.extra {
        eprintln!("{}", msg!("pack.file-extra", at = at.display(), path));
    }
    for (path, why) in &problems.corrupted {
        eprintln!("{}", msg!("pack.file-corrupted", at = at.display(), path, why));
    }
    eprintln!("  {}", msg!("diag.hint", hint = msg!("pack.verify-hint")));
}

pub fn unpack(args: UnpackArgs) -> Result<i32, Error> {
    match unpack::unpack(&args.zip, &args.dir)? {
        Unpacked::Pack(m) => println!(
            "{}",
            msg!(
                "pack.unpacked",
                id = m.id,
                version = m.version,
                files = m.file_count,
                size = size(m.total_size),
                dir = args.dir.display(),
                index = args.dir.join("index.html").display()
            )
        ),
        Unpacked::Updated(d) => println!(
            "{}",
            msg!(
                "pack.updated",
                dir = args.dir.display(),
                from = d.from.version,
                to = d.to.version,
                changed = d.changed.len(),
                added = d.added.len(),
                removed = d.removed.len()
            )
        ),
    }
    Ok(EXIT_OK)
}

/// Writes beside the target and renames, so a reader never sees half a zip. What killed
/// runs left there is removed first.
fn write_atomically(path: &Path, data: &[u8]) -> Result<(), Error> {
    let (parent, name) = crate::output::beside(path)?;
    crate::output::remove_leftovers(&parent, &name);
    let temp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    crate::fs::write(&temp, data)?;
    crate::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

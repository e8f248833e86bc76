//! Output: the only stage that writes into the output folder.
//!
//! Files are written into a temporary folder beside the target and swapped in with renames
//! at the end. A build that fails before this stage, or inside it, leaves the previous
//! output exactly as it was. A folder that hoclieu did not make is never replaced.
//! [`compress`] makes the `.br` and `.gz` siblings beforehand, in memory.

pub mod compress;

use crate::render::{Contents, OutputFile};
use crate::Error;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Marks a folder as hoclieu's output, so a mistyped `--out` never replaces other files.
pub const MARKER: &str = ".hoclieu-output";

#[derive(Debug, Default, Clone, Copy)]
pub struct WriteReport {
    pub files: usize,
    pub bytes: u64,
}

/// Writes `files` into `out` (relative file contents are read from `root`).
pub fn write(root: &Path, out: &Path, files: &[OutputFile]) -> Result<WriteReport, Error> {
    let name = out.file_name().ok_or_else(|| Error::Usage(format!("output folder {} has no name", out.display())))?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    check_replaceable(out)?;
    crate::fs::create_dir_all(&parent)?;
    let pid = std::process::id();
    let temp = parent.join(format!(".{}.new-{pid}", name.to_string_lossy()));
    let old = parent.join(format!(".{}.old-{pid}", name.to_string_lossy()));
    if temp.exists() {
        crate::fs::remove_dir_all(&temp)?;
    }
    let result = write_all(root, &temp, files).and_then(|report| {
        swap(out, &temp, &old)?;
        Ok(report)
    });
    if result.is_err() && temp.exists() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    result
}

fn check_replaceable(out: &Path) -> Result<(), Error> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Error::Usage(format!("output {} exists and is not a folder", out.display())));
    }
    let empty = std::fs::read_dir(out).map_err(|e| Error::io(out, "cannot read", e))?.next().is_none();
    if empty || out.join(MARKER).is_file() {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "refusing to replace {}: it was not made by hoclieu (no {MARKER} file); choose another --out or empty it",
            out.display()
        )))
    }
}

fn write_all(root: &Path, dir: &Path, files: &[OutputFile]) -> Result<WriteReport, Error> {
    let folders: BTreeSet<PathBuf> =
        files.iter().filter_map(|f| Path::new(&f.path).parent().map(|p| dir.join(p))).collect();
    crate::fs::create_dir_all(dir)?;
    for folder in &folders {
        crate::fs::create_dir_all(folder)?;
    }
    crate::fs::write(&dir.join(MARKER), b"made by hoclieu; this folder is replaced on every build\n")?;
    let sizes: Vec<Result<u64, Error>> = files
        .par_iter()
        .map(|file| {
            let target = dir.join(&file.path);
            match &file.contents {
                Contents::Bytes(bytes) => crate::fs::write(&target, bytes).map(|()| bytes.len() as u64),
                Contents::Copy(source) => {
                    let source = root.join(source);
                    std::fs::copy(&source, &target).map_err(|e| Error::io(&source, "cannot copy", e))
                }
            }
        })
        .collect();
    let mut report = WriteReport { files: files.len(), ..Default::default() };
    for size in sizes {
        report.bytes += size?;
    }
    Ok(report)
}

/// Puts `temp` where `out` is. The old output is moved aside first and removed last, so at
/// every moment one complete site is in place or about to be.
pub(crate) fn swap(out: &Path, temp: &Path, old: &Path) -> Result<(), Error> {
    if out.exists() {
        crate::fs::rename(out, old)?;
        if let Err(e) = crate::fs::rename(temp, out) {
            let _ = std::fs::rename(old, out);
            return Err(e);
        }
        remove_parallel(old)?;
    } else {
        crate::fs::rename(temp, out)?;
    }
    Ok(())
}

/// Removes a folder tree, files in parallel: the old output of a large site has tens of
/// thousands of files, and unlinking them one by one was a quarter of a rebuild.
fn remove_parallel(dir: &Path) -> Result<(), Error> {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.into_path())
        .collect();
    files.par_iter().for_each(|f| {
        let _ = std::fs::remove_file(f);
    });
    crate::fs::remove_dir_all(dir)
}

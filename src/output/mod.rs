//! Output: the only stage that writes into the output folder.
//!
//! Files are written into a temporary folder beside the target as they are made ([`Sink`])
//! and swapped in with renames at the end. A build that fails before the swap leaves the
//! previous output exactly as it was. A folder that hoclieu did not make is never replaced.
//! [`compress`] makes the `.br` and `.gz` siblings as each file is written.

pub mod cache;
pub mod compress;
mod sink;

pub use sink::Sink;

use crate::msg;
use crate::Error;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// A file of the built site (made by `render`, `search`, `pack`; written only here), relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// `/`-separated path inside the output folder.
    pub path: String,
    pub contents: Contents,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    Bytes(Vec<u8>),
    /// Copy this file (relative paths are relative to the repository root).
    Copy(PathBuf),
}

/// Marks a folder as hoclieu's output, so a mistyped `--out` never replaces other files.
pub const MARKER: &str = ".hoclieu-output";

/// Marks a temporary folder of `unpack` while it is filled (removed just before the swap):
/// what a killed run leaves behind is known for hoclieu's and removed by the next run.
pub const TEMP_MARKER: &str = ".hoclieu-temp";

/// Markers a folder of hoclieu's may carry at its root (the last is an unpacked pack's
/// manifest): [`remove_leftovers`] removes only folders with one of them.
const MARKERS: [&str; 3] = [MARKER, TEMP_MARKER, PACK_MANIFEST];

/// The manifest at the root of an offline pack (`pack::manifest`): an unpacked pack is a
/// folder of hoclieu's too.
pub const PACK_MANIFEST: &str = "hoclieu-pack.json";

/// What the temporary folders beside a target are called: `.<name>.<kind>-<pid>`.
const TEMP_KINDS: [&str; 4] = ["new", "old", "unpack", "update"];

#[derive(Debug, Default, Clone, Copy)]
pub struct WriteReport {
    pub files: usize,
    pub bytes: u64,
}

/// `dir` joined with `relative`, when that stays inside `dir`: `relative` must be a
/// `/`-separated path of plain names, without `..`, `.`, a root, a drive, an empty part, a
/// backslash or a NUL. Every path hoclieu writes into a folder it makes (the site, the
/// packs in it, an unpacked pack, an update) goes through here; the folder is fresh and
/// hoclieu makes no symlinks in it, so what this accepts cannot land outside.
pub fn inside(dir: &Path, relative: &str) -> Result<PathBuf, Error> {
    let plain = !relative.is_empty()
        && !relative.contains(['\\', '\0'])
        && relative.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
        && Path::new(relative).components().all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain {
        return Err(Error::Usage(msg!("output.not-plain", relative = format!("{relative:?}"), dir = dir.display())));
    }
    Ok(dir.join(relative))
}

/// Where a target folder really is. A symlink is followed once, here: the new folder is
/// then made beside the real one and takes its place, and the link goes on pointing at
/// it. (Renaming the link itself would leave the real folder stale, and removing the
/// "old" folder through the link would empty a folder hoclieu did not make.)
pub(crate) fn resolve_target(target: &Path) -> Result<PathBuf, Error> {
    match std::fs::symlink_metadata(target) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let real = target
                .canonicalize()
                .map_err(|e| Error::Usage(msg!("output.dangling-symlink", target = target.display(), error = e)))?;
            if !real.is_dir() {
                return Err(Error::Usage(msg!(
                    "output.symlink-not-folder",
                    target = target.display(),
                    real = real.display()
                )));
            }
            Ok(real)
        }
        _ => Ok(target.to_path_buf()),
    }
}

/// The folder a target sits in and its name: where its temporary folders go.
pub(crate) fn beside(target: &Path) -> Result<(PathBuf, String), Error> {
    let name = target
        .file_name()
        .ok_or_else(|| Error::Usage(msg!("output.no-name", target = target.display())))?
        .to_string_lossy()
        .into_owned();
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

/// The output may not be inside `content/` or `themes/` (it would be read back as content
/// or theme files, and grow with every build), nor hold the repository itself.
pub fn check_location(root: &Path, out: &Path, what: &str) -> Result<(), Error> {
    let real_out = real_location(out);
    for folder in ["content", "themes"] {
        let real = real_location(&root.join(folder));
        if real_out.starts_with(&real) {
            let read_as =
                if folder == "content" { msg!("output.read-as-content") } else { msg!("output.read-as-theme") };
            return Err(Error::Usage(msg!("output.inside", what, out = out.display(), folder, read_as)));
        }
    }
    if real_location(root).starts_with(&real_out) {
        return Err(Error::Usage(msg!("output.holds-repository", what, out = out.display())));
    }
    Ok(())
}

/// `path` made absolute with symlinks resolved, also when its last parts do not exist yet
/// (they are then taken as written).
fn real_location(path: &Path) -> PathBuf {
    let absolute = std::env::current_dir().map(|cwd| cwd.join(path)).unwrap_or_else(|_| path.to_path_buf());
    let parts: Vec<std::path::Component> = absolute.components().collect();
    for existing in (1..=parts.len()).rev() {
        let Ok(mut real) = parts[..existing].iter().collect::<PathBuf>().canonicalize() else { continue };
        for part in &parts[existing..] {
            match part {
                std::path::Component::ParentDir => {
                    real.pop();
                }
                std::path::Component::Normal(name) => real.push(name),
                _ => {}
            }
        }
        return real;
    }
    absolute
}

fn check_replaceable(out: &Path) -> Result<(), Error> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Error::Usage(msg!("output.not-a-folder", out = out.display())));
    }
    let empty = std::fs::read_dir(out).map_err(|e| Error::io(out, "cannot read", e))?.next().is_none();
    if empty || out.join(MARKER).is_file() {
        Ok(())
    } else {
        Err(Error::Usage(msg!("output.not-ours", out = out.display(), marker = MARKER)))
    }
}

/// Puts `temp` where `out` is. The old output is moved aside first and removed last, so at
/// every moment one complete site is in place or about to be. `out` is a real folder, not
/// a symlink ([`resolve_target`]).
pub(crate) fn swap(out: &Path, temp: &Path, old: &Path) -> Result<(), Error> {
    if std::fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::Usage(msg!("output.became-symlink", out = out.display())));
    }
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

/// Removes what killed runs left beside the target `name` in `parent`: folders
/// `.<name>.<new|old|unpack|update>-<pid>` whose process is gone and which carry one of
/// hoclieu's markers (or hold no file at all), and unfinished zips `.<name>.tmp-<pid>`.
/// Anything else is left alone, and so is what a run still going has made.
pub(crate) fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    let prefix = format!(".{name}.");
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name();
        let Some((kind, pid)) =
            file_name.to_str().and_then(|n| n.strip_prefix(&prefix)).and_then(|r| r.rsplit_once('-'))
        else {
            continue;
        };
        // `+12`, `012`: not a name hoclieu makes
        let Some(pid) = pid.parse::<u32>().ok().filter(|n| n.to_string() == pid) else { continue };
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        if running(pid, &meta) {
            continue;
        }
        if kind == "tmp" && meta.is_file() && is_zip_or_empty(&path) {
            let _ = std::fs::remove_file(&path);
        } else if TEMP_KINDS.contains(&kind) && meta.is_dir() && is_ours(&path) {
            let _ = remove_parallel(&path);
        }
    }
}

/// Whether the process `pid` may still be running (and using what it made). Where the
/// system does not say (no `/proc`), a leftover untouched for a day is taken as abandoned.
fn running(pid: u32, meta: &std::fs::Metadata) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        return proc.join(pid.to_string()).exists();
    }
    meta.modified().ok().and_then(|m| m.elapsed().ok()).is_none_or(|age| age.as_secs() < 24 * 3600)
}

/// A folder with one of hoclieu's markers at its root, or with no file in it at all.
fn is_ours(dir: &Path) -> bool {
    MARKERS.iter().any(|m| std::fs::symlink_metadata(dir.join(m)).is_ok_and(|meta| meta.is_file()))
        || walkdir::WalkDir::new(dir)
            .follow_links(false)
            .into_iter()
            .filter_map(Result::ok)
            .all(|e| e.file_type().is_dir())
}

fn is_zip_or_empty(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    let Ok(mut file) = std::fs::File::open(path) else { return false };
    match file.read(&mut head) {
        Ok(0) => true,
        Ok(n) => head[..n] == b"PK\x03\x04"[..n],
        Err(_) => false,
    }
}

/// Removes a folder tree, files in parallel: the old output of a large site has tens of
/// thousands of files, and unlinking them one by one was a quarter of a rebuild. Never
/// follows a symlink, the folder's own included; the markers at its root go last, so a
/// run killed while removing leaves a folder the next run still knows for hoclieu's.
fn remove_parallel(dir: &Path) -> Result<(), Error> {
    if std::fs::symlink_metadata(dir).map_err(|e| Error::io(dir, "cannot remove folder", e))?.file_type().is_symlink() {
        return Err(Error::Usage(msg!("output.remove-symlink", dir = dir.display())));
    }
    let markers: Vec<PathBuf> = MARKERS.iter().map(|m| dir.join(m)).collect();
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .follow_root_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.into_path())
        .filter(|path| !markers.contains(path))
        .collect();
    files.par_iter().for_each(|f| {
        let _ = std::fs::remove_file(f);
    });
    crate::fs::remove_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_inside() {
        let dir = Path::new("/srv/site");
        for ok in ["index.html", "vi/an-toan/index.html", "media/a.b/c..d.png", "packs/hoclieu-dan.zip"] {
            assert_eq!(inside(dir, ok).unwrap(), dir.join(ok), "{ok}");
        }
        for bad in [
            "",
            "..",
            "../victim/index.html",
            "vi/../../x",
            "vi/./x",
            "/etc/passwd",
            "vi//x",
            "vi/",
            "a\\..\\b",
            "a\0b",
            "hoclieu-dan-cap-nhat-x/../../thoat.zip",
        ] {
            assert!(inside(dir, bad).is_err(), "{bad:?} was let through");
        }
    }

    #[test]
    fn a_location_not_made_yet_is_resolved_through_what_exists() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("content/a")).unwrap();
        std::os::unix::fs::symlink(root.join("content/a"), root.join("link")).unwrap();
        assert_eq!(real_location(&root.join("link/new/x")), root.join("content/a/new/x"));
        assert_eq!(real_location(&root.join("content/../public")), root.join("public"));
        assert!(check_location(&root, &root.join("link/site"), "the output folder").is_err());
        assert!(check_location(&root, &root.join("public"), "the output folder").is_ok());
        assert!(check_location(&root, &root, "the output folder").is_err());
    }
}

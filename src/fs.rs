//! File-system helpers whose errors always name the path they were about.

use crate::Error;
use std::path::{Path, PathBuf};

pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::io(path, "cannot read", e))
}

pub fn write(path: &Path, data: &[u8]) -> Result<(), Error> {
    std::fs::write(path, data).map_err(|e| Error::io(path, "cannot write", e))
}

/// [`write`], and what the file system says of the file once written (from the open file:
/// no second look-up of the path).
pub fn write_and_stat(path: &Path, data: &[u8]) -> Result<std::fs::Metadata, Error> {
    use std::io::Write;
    let error = |e| Error::io(path, "cannot write", e);
    let mut file = std::fs::File::create(path).map_err(error)?;
    file.write_all(data).map_err(error)?;
    file.metadata().map_err(error)
}

pub fn create_dir_all(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(|e| Error::io(path, "cannot create folder", e))
}

pub fn remove_dir_all(path: &Path) -> Result<(), Error> {
    std::fs::remove_dir_all(path).map_err(|e| Error::io(path, "cannot remove folder", e))
}

pub fn rename(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::rename(from, to).map_err(|e| Error::io(from, &format!("cannot rename to {}", to.display()), e))
}

/// Whether `e` says that symlinks lead round in a circle (ELOOP).
pub fn is_symlink_loop(e: &std::io::Error) -> bool {
    // std has no stable ErrorKind for it yet
    const ELOOP: i32 = if cfg!(any(target_os = "linux", target_os = "android")) { 40 } else { 62 };
    cfg!(unix) && e.raw_os_error() == Some(ELOOP)
}

/// Copies the folder `from` to `to` with everything in it (for tests working on a copy of
/// a fixture).
#[cfg(test)]
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Resolves `.` and `..` without touching the disk; `None` if it climbs above the root.
pub fn normalise(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(part) => out.push(part),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

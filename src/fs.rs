//! File-system helpers whose errors always name the path they were about.

use crate::Error;
use std::path::Path;

pub fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::io(path, "cannot read", e))
}

pub fn write(path: &Path, data: &[u8]) -> Result<(), Error> {
    std::fs::write(path, data).map_err(|e| Error::io(path, "cannot write", e))
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

//! The image cache: one file per encoded variant, named by a key that hashes the source
//! file's bytes and the encoding settings (`<dir>/<2 hex>/<key>.bin`). Each file starts
//! with the SHA-256 of what follows; an entry that does not match (cut short, damaged,
//! edited) is ignored and encoded again. Written to a temporary name and renamed, so a
//! build stopped halfway leaves no half entry. Losing the folder costs time, nothing else.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The default cache folder, relative to the repository root (`.gitignore`d).
pub const DEFAULT_DIR: &str = ".hoclieu-cache/images";

fn entry(dir: &Path, key: &str) -> PathBuf {
    dir.join(&key[..2.min(key.len())]).join(format!("{key}.bin"))
}

/// The bytes kept under `key`, when they are there and whole.
pub fn get(dir: Option<&Path>, key: &str) -> Option<Vec<u8>> {
    let data = std::fs::read(entry(dir?, key)).ok()?;
    if data.len() < 32 {
        return None;
    }
    let (sum, payload) = data.split_at(32);
    (Sha256::digest(payload).as_slice() == sum).then(|| payload.to_vec())
}

/// Keeps `bytes` under `key`. A cache that cannot be written is no error: the next build
/// encodes again.
pub fn put(dir: Option<&Path>, key: &str, bytes: &[u8]) {
    let Some(dir) = dir else { return };
    let path = entry(dir, key);
    let Some(parent) = path.parent() else { return };
    if std::fs::create_dir_all(parent).is_err() {
        return;
    }
    let mut data = Vec::with_capacity(bytes.len() + 32);
    data.extend_from_slice(&Sha256::digest(bytes));
    data.extend_from_slice(bytes);
    let temporary = parent.join(format!(".{key}.{}.{:?}.tmp", std::process::id(), std::thread::current().id()));
    if std::fs::write(&temporary, &data).is_ok() && std::fs::rename(&temporary, &path).is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        put(Some(dir.path()), "abcdef", b"webp bytes");
        assert_eq!(get(Some(dir.path()), "abcdef").as_deref(), Some(&b"webp bytes"[..]));
        let path = entry(dir.path(), "abcdef");
        let mut data = std::fs::read(&path).unwrap();
        *data.last_mut().unwrap() ^= 1;
        std::fs::write(&path, &data).unwrap();
        assert_eq!(get(Some(dir.path()), "abcdef"), None);
        std::fs::write(&path, b"short").unwrap();
        assert_eq!(get(Some(dir.path()), "abcdef"), None);
        assert_eq!(get(None, "abcdef"), None);
    }
}

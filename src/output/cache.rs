//! The build cache: what the last build wrote into the output folder, so that the next one
//! renders only the pages whose fingerprint changed and writes only the files whose bytes
//! changed (a school's mirror then copies little: unchanged files keep their inode and
//! modification time).
//!
//! One file, `<cache_dir>/state` (`[build] cache_dir`, default `.hoclieu-cache/build/`
//! beside the images' cache): a first line `hoclieu-build-cache <format> <sha256>` with the
//! SHA-256 of what follows, then JSON. It holds
//!
//! - a key: the cache format, hoclieu's version and the identity of the running program
//!   (its size and modification time: a rebuilt hoclieu renders differently), the output
//!   folder and whether it is precompressed. A cache whose checksum or key does not match
//!   (damaged, cut short, another hoclieu, another output) is ignored, never trusted;
//! - a hash of book.toml, the theme's folder and the options: when it differs no page is
//!   taken from the cache, but files whose bytes did not change are still not rewritten;
//! - every file of the output: the hash of its bytes, its size, what a browser receives of
//!   it (its `.br` or `.gz`, for budgets), and the inode, size and modification time of it
//!   and its compressed siblings as written. Before anything is trusted, every one of them
//!   is looked at again ([`State::output_is_as_written`]): a file changed, removed or
//!   replaced by hand since makes the build a whole one;
//! - every page: its fingerprint ([`crate::render::fingerprint`]) and what it loads;
//! - the search index of every language: a hash of its documents and its files.
//!
//! Beside it, `<cache_dir>/search-<lang>` keeps the tallies each language's index was made
//! from, with its own format and checksum ([`crate::search::postings`]'s `store`), so that
//! a language whose documents changed reads again only the documents that changed.
//!
//! Losing or damaging the cache costs time, nothing else. `hoclieu build --clean` ignores it.

use crate::render::view::{Load, LoadKind};
use crate::render::PageLoads;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The default cache folder, relative to the repository root (`.gitignore`d).
pub const DEFAULT_DIR: &str = ".hoclieu-cache/build";
/// Bumped whenever what the cache holds changes meaning (2: files' hashes are XXH3-128).
const FORMAT: u32 = 2;
const FILE: &str = "state";
const MAGIC: &str = "hoclieu-build-cache";

/// One file of the output as the last build left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// The XXH3-128 of its bytes, in hex ([`hash_bytes`]).
    pub hash: String,
    pub size: u64,
    /// What a browser receives of it (its `.br` where there is one, else its `.gz`), when
    /// measured.
    pub received: Option<u64>,
    /// The file, then its `.gz` and `.br` when written, as found on disk after writing.
    pub stamps: Vec<Stamp>,
}

/// Where a file is and when it was last written: `(suffix, inode, size, modified seconds,
/// modified nanoseconds)`; the suffix is `""`, `".gz"` or `".br"`.
pub type Stamp = (String, u64, u64, i64, u32);

/// A page of the output as the last build rendered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRecord {
    pub fingerprint: u64,
    /// `(output path, kind)` of everything it loads (see [`PageLoads`]).
    pub loads: Vec<(String, u8)>,
    pub foreign: Vec<String>,
}

/// A language's search index as the last build made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRecord {
    /// A hash of the documents it was made from.
    pub documents: u64,
    pub files: Vec<String>,
}

/// What the cache holds.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct State {
    pub key: String,
    /// See [`config_hash`].
    pub config: String,
    pub files: HashMap<String, FileRecord>,
    pub pages: HashMap<String, PageRecord>,
    /// By language id.
    pub search: HashMap<String, SearchRecord>,
}

/// What a cache must have been made by and for to be used: the format, this hoclieu (its
/// version and the program file itself), the output folder and precompression.
pub fn key(out: &Path, precompress: bool) -> String {
    let program = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            format!("{}:{}", m.len(), modified.map_or(0, |d| d.as_nanos()))
        })
        .unwrap_or_else(|_| "unknown".into());
    // the same before the folder exists as after
    let out = super::real_location(out);
    format!(
        "{FORMAT} {} {program} {} {precompress}",
        env!("CARGO_PKG_VERSION"),
        serde_json::to_string(&out.to_string_lossy()).unwrap_or_default()
    )
}

/// A hash of what every page reads besides the content: book.toml, the files of the
/// theme's folder (`themes/<theme>/`, which override the built-in theme), and whether
/// drafts are built.
pub fn config_hash(root: &Path, theme: &str, drafts: bool) -> String {
    let mut h = Sha256::new();
    h.update(format!("drafts={drafts}\n"));
    h.update(std::fs::read(root.join(crate::config::FILE_NAME)).unwrap_or_default());
    let theme_dir = root.join("themes").join(theme);
    for entry in walkdir::WalkDir::new(&theme_dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
        let path = entry.path();
        h.update(path.strip_prefix(&theme_dir).unwrap_or(path).to_string_lossy().as_bytes());
        h.update([0]);
        if entry.file_type().is_file() {
            h.update(std::fs::read(path).unwrap_or_default());
        }
        h.update([0]);
    }
    hex(&h.finalize())
}

/// The hash recorded for a file's bytes: XXH3-128, which tells a changed file from an
/// unchanged one as surely as a cut SHA-256 (a chance collision is as unlikely, 2^-128) at
/// a tenth of its time; every file of the output goes through it on every build. No
/// adversary is in the loop: whoever could craft a collision writes the content anyway.
pub fn hash_bytes(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stamp of the file at `path` (named `suffix` in the record).
pub fn stamp(path: &Path, suffix: &str) -> Option<Stamp> {
    stamp_of(&std::fs::symlink_metadata(path).ok()?, suffix)
}

/// [`stamp`] from a file's metadata at hand.
pub fn stamp_of(meta: &std::fs::Metadata, suffix: &str) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    if !meta.is_file() {
        return None;
    }
    Some((suffix.to_string(), meta.ino(), meta.len(), meta.mtime(), meta.mtime_nsec() as u32))
}

impl State {
    /// The cache in `dir` when it is whole and was made by this hoclieu for this `key`;
    /// `None` otherwise (missing, damaged, cut short, foreign).
    pub fn load(dir: &Path, key: &str) -> Option<State> {
        let data = std::fs::read(dir.join(FILE)).ok()?;
        let newline = data.iter().position(|&b| b == b'\n')?;
        let (head, body) = (std::str::from_utf8(&data[..newline]).ok()?, &data[newline + 1..]);
        let mut parts = head.split(' ');
        let (magic, format, sum) = (parts.next()?, parts.next()?, parts.next()?);
        if magic != MAGIC || format != FORMAT.to_string() || parts.next().is_some() {
            return None;
        }
        if hex(&Sha256::digest(body)) != sum {
            return None;
        }
        let state: State = serde_json::from_slice(body).ok()?;
        (state.key == key).then_some(state)
    }

    /// Writes the cache into `dir` (through a temporary file renamed into place). A cache
    /// that cannot be written is no error: the next build is a whole one.
    pub fn save(&self, dir: &Path) {
        let Ok(body) = serde_json::to_vec(self) else { return };
        let mut data = format!("{MAGIC} {FORMAT} {}\n", hex(&Sha256::digest(&body))).into_bytes();
        data.extend_from_slice(&body);
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let temporary = dir.join(format!(".{FILE}.{}.tmp", std::process::id()));
        if std::fs::write(&temporary, &data).is_err() || std::fs::rename(&temporary, dir.join(FILE)).is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }

    /// Removes the cache in `dir`: done before the output is changed, so that a build
    /// stopped halfway leaves no cache describing an output that is no longer there.
    pub fn forget(dir: &Path) {
        let _ = std::fs::remove_file(dir.join(FILE));
    }

    /// Whether every file the cache records is in `out` as it was written (same inode, size
    /// and modification time, for the file and its compressed siblings), and no sibling it
    /// does not record is there.
    pub fn output_is_as_written(&self, out: &Path) -> bool {
        if !out.join(super::MARKER).is_file() {
            return false;
        }
        self.files.par_iter().all(|(path, record)| {
            let Ok(target) = super::inside(out, path) else { return false };
            let recorded = |suffix: &str| record.stamps.iter().find(|s| s.0 == suffix);
            ["", ".gz", ".br"].iter().all(|suffix| {
                let file = PathBuf::from(format!("{}{suffix}", target.display()));
                match recorded(suffix) {
                    Some(stamp) => self::stamp(&file, suffix).as_ref() == Some(stamp),
                    None => std::fs::symlink_metadata(&file).is_err(),
                }
            })
        })
    }
}

/// A page's loads as the cache keeps them.
pub fn page_record(fingerprint: u64, loads: &PageLoads) -> PageRecord {
    PageRecord {
        fingerprint,
        loads: loads.loads.iter().map(|l| (l.path.clone(), kind_number(l.kind))).collect(),
        foreign: loads.foreign.clone(),
    }
}

impl PageRecord {
    /// The loads kept, as rendering the page gives them; `None` when the record names a kind
    /// this hoclieu does not know.
    pub fn page_loads(&self) -> Option<PageLoads> {
        let loads = self
            .loads
            .iter()
            .map(|(path, kind)| Some(Load { path: path.clone(), kind: kind_of(*kind)? }))
            .collect::<Option<Vec<Load>>>()?;
        Some(PageLoads { loads, foreign: self.foreign.clone() })
    }
}

const KINDS: [LoadKind; 6] =
    [LoadKind::Stylesheet, LoadKind::Script, LoadKind::Font, LoadKind::Image, LoadKind::Linked, LoadKind::Original];

fn kind_number(kind: LoadKind) -> u8 {
    KINDS.iter().position(|k| *k == kind).unwrap_or(0) as u8
}

fn kind_of(number: u8) -> Option<LoadKind> {
    KINDS.get(number as usize).copied()
}

/// Files by output path, for the sink.
pub type Files = HashMap<String, FileRecord>;

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        let mut state = State { key: "k".into(), config: "c".into(), ..State::default() };
        state.files.insert(
            "a.html".into(),
            FileRecord { hash: hash_bytes(b"x"), size: 1, received: Some(20), stamps: vec![] },
        );
        state
    }

    #[test]
    fn a_damaged_truncated_or_foreign_cache_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        state().save(dir.path());
        assert_eq!(State::load(dir.path(), "k").map(|s| s.files.len()), Some(1));
        assert!(State::load(dir.path(), "other").is_none(), "another key");
        let path = dir.path().join(FILE);
        let data = std::fs::read(&path).unwrap();
        std::fs::write(&path, &data[..data.len() - 3]).unwrap();
        assert!(State::load(dir.path(), "k").is_none(), "cut short");
        let mut damaged = data.clone();
        let last = damaged.len() - 5;
        damaged[last] ^= 1;
        std::fs::write(&path, &damaged).unwrap();
        assert!(State::load(dir.path(), "k").is_none(), "one bit changed");
        std::fs::write(&path, b"").unwrap();
        assert!(State::load(dir.path(), "k").is_none(), "empty");
        std::fs::write(&path, data.clone()).unwrap();
        assert!(State::load(dir.path(), "k").is_some());
        State::forget(dir.path());
        assert!(State::load(dir.path(), "k").is_none(), "forgotten");
    }

    #[test]
    fn every_load_kind_is_kept() {
        for kind in KINDS {
            assert_eq!(kind_of(kind_number(kind)), Some(kind));
        }
        assert_eq!(kind_of(200), None);
    }
}

//! Where a build's files go as they are made: each file is compressed and written at once,
//! on the thread that made it, so a build holds a few pages in memory instead of the whole
//! site and its `.gz` and `.br` siblings, and both cores compress and write while pages are
//! still being rendered.
//!
//! Writing goes into a temporary folder beside the target; [`Sink::finish`] swaps it in.
//! A sink dropped without finishing (an error, a budget over `--strict`) removes its
//! temporary folder, so a failed build leaves the previous output exactly as it was.
//! `check` uses a sink that writes nothing and only measures what a browser would receive.

use super::compress::{brotli, gzip, worth_compressing, BROTLI_MIN_BYTES};
use super::{beside, check_replaceable, inside, remove_leftovers, resolve_target, swap, Contents, OutputFile};
use super::{WriteReport, MARKER};
use crate::Error;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

/// The destination of a build's files.
pub struct Sink {
    /// The repository root: `Contents::Copy` sources are relative to it.
    root: PathBuf,
    /// `None` when nothing is written (`check`).
    folder: Option<Folder>,
    /// Write `.gz` and `.br` siblings.
    precompress: bool,
    /// Measure what a browser receives of each text file (for budgets), written or not.
    measure: bool,
    /// What a browser receives of each text file: its `.br` where there is one, else its
    /// `.gz`. Filled only when measuring.
    received: Mutex<HashMap<String, u64>>,
    files: AtomicUsize,
    bytes: AtomicU64,
}

/// The temporary folder being filled, and where it goes.
struct Folder {
    out: PathBuf,
    temp: PathBuf,
    old: PathBuf,
    /// Folders made so far inside `temp`.
    made: Mutex<HashSet<PathBuf>>,
    finished: bool,
}

impl Sink {
    /// A sink that writes into `out` (replaced when [`Sink::finish`] is called).
    pub fn folder(root: &Path, out: &Path, precompress: bool, measure: bool) -> Result<Sink, Error> {
        let out = resolve_target(out)?;
        let (parent, name) = beside(&out)?;
        check_replaceable(&out)?;
        crate::fs::create_dir_all(&parent)?;
        remove_leftovers(&parent, &name);
        let pid = std::process::id();
        let temp = parent.join(format!(".{name}.new-{pid}"));
        let old = parent.join(format!(".{name}.old-{pid}"));
        if temp.exists() {
            crate::fs::remove_dir_all(&temp)?;
        }
        crate::fs::create_dir_all(&temp)?;
        // first, so that a run killed from here on leaves a folder known for hoclieu's
        crate::fs::write(&temp.join(MARKER), b"made by hoclieu; this folder is replaced on every build\n")?;
        let folder = Folder { out, temp, old, made: Mutex::new(HashSet::new()), finished: false };
        Ok(Sink::new(root, Some(folder), precompress, measure))
    }

    /// A sink that writes nothing; with `measure`, it compresses to measure.
    pub fn nowhere(root: &Path, measure: bool) -> Sink {
        Sink::new(root, None, false, measure)
    }

    fn new(root: &Path, folder: Option<Folder>, precompress: bool, measure: bool) -> Sink {
        Sink {
            root: root.to_path_buf(),
            folder,
            precompress,
            measure,
            received: Mutex::new(HashMap::new()),
            files: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
        }
    }

    /// Writes one file (and its compressed siblings); returns its size. Called from many
    /// threads at once.
    pub fn put(&self, file: &OutputFile) -> Result<u64, Error> {
        let compress = worth_compressing(&file.path) && (self.precompress || self.measure);
        let target = self.folder.as_ref().map(|f| f.target(&file.path)).transpose()?;
        let size = match (&file.contents, &target) {
            (Contents::Bytes(bytes), Some(target)) => {
                crate::fs::write(target, bytes)?;
                bytes.len() as u64
            }
            (Contents::Bytes(bytes), None) => bytes.len() as u64,
            (Contents::Copy(source), Some(target)) => {
                let source = self.root.join(source);
                std::fs::copy(&source, target).map_err(|e| Error::io(&source, "cannot copy", e))?
            }
            (Contents::Copy(source), None) => {
                let source = self.root.join(source);
                std::fs::metadata(&source).map_err(|e| Error::io(&source, "cannot read the size of", e))?.len()
            }
        };
        self.count(size);
        if compress {
            let data = match &file.contents {
                Contents::Bytes(bytes) => std::borrow::Cow::Borrowed(bytes.as_slice()),
                Contents::Copy(source) => std::borrow::Cow::Owned(crate::fs::read(&self.root.join(source))?),
            };
            let gz = gzip(&data);
            let br = (data.len() > BROTLI_MIN_BYTES).then(|| brotli(&data));
            if self.measure {
                let received = br.as_ref().unwrap_or(&gz).len() as u64;
                self.received.lock().expect("sizes lock").insert(file.path.clone(), received);
            }
            if let (Some(target), true) = (&target, self.precompress) {
                let sibling = |ext: &str| PathBuf::from(format!("{}.{ext}", target.display()));
                crate::fs::write(&sibling("gz"), &gz)?;
                self.count(gz.len() as u64);
                if let Some(br) = &br {
                    crate::fs::write(&sibling("br"), br)?;
                    self.count(br.len() as u64);
                }
            }
        }
        Ok(size)
    }

    fn count(&self, bytes: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// What a browser receives of each text file put so far, by output path (when
    /// measuring).
    pub fn received(&self) -> HashMap<String, u64> {
        self.received.lock().expect("sizes lock").clone()
    }

    /// Puts the written folder in place of the old output. `None` when nothing is written.
    pub fn finish(mut self) -> Result<Option<WriteReport>, Error> {
        let report = WriteReport { files: *self.files.get_mut(), bytes: *self.bytes.get_mut() };
        let Some(folder) = self.folder.as_mut() else { return Ok(None) };
        folder.finished = true;
        let result = swap(&folder.out, &folder.temp, &folder.old);
        if result.is_err() && folder.temp.exists() {
            let _ = std::fs::remove_dir_all(&folder.temp);
        }
        result.map(|()| Some(report))
    }
}

impl Folder {
    /// Where a file goes in the temporary folder, its folder made.
    fn target(&self, relative: &str) -> Result<PathBuf, Error> {
        let target = inside(&self.temp, relative)?;
        if let Some(parent) = target.parent() {
            let known = self.made.lock().expect("folders lock").contains(parent);
            if !known {
                crate::fs::create_dir_all(parent)?;
                self.made.lock().expect("folders lock").insert(parent.to_path_buf());
            }
        }
        Ok(target)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        if !self.finished && self.temp.exists() {
            let _ = std::fs::remove_dir_all(&self.temp);
        }
    }
}

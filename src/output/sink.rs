//! Where a build's files go as they are made: each file is compressed and written at once,
//! on the thread that made it, so a build holds a few pages in memory instead of the whole
//! site and its `.gz` and `.br` siblings, and both cores compress and write while pages are
//! still being rendered.
//!
//! Writing goes into a temporary folder beside the target; [`Sink::finish`] swaps it in.
//! A sink dropped without finishing (an error, a budget over `--strict`) removes its
//! temporary folder, so a failed build leaves the previous output exactly as it was.
//! `check` uses a sink that writes nothing and only measures what a browser would receive.
//!
//! With the build cache ([`super::cache`]) a sink records the hash of every file it is
//! given, and [`Sink::update`] makes one that knows the previous output: a file whose
//! bytes are the same as there is neither compressed nor written, a page not rendered at
//! all is [kept](Sink::keep), and only the files that changed are written into the
//! temporary folder. [`Sink::finish`] then moves those into the output one by one (the
//! files they replace, and those no longer made, moved aside first and put back if a move
//! fails), so unchanged files keep their inode and modification time and nothing of a
//! failed build reaches the output.

use super::cache::{self, FileRecord};
use super::compress::{brotli, gzip, worth_compressing, BROTLI_MIN_BYTES};
use super::{beside, check_replaceable, inside, remove_leftovers, resolve_target, swap, Contents, OutputFile};
use super::{WriteReport, MARKER, TEMP_MARKER};
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
    /// What was put or kept, by output path: the next build's cache. `None`: not recorded.
    records: Option<Mutex<HashMap<String, FileRecord>>>,
    /// The output as the last build left it (see [`Sink::update`]).
    previous: Option<cache::Files>,
    /// Files written into the temporary folder (updating only), with their siblings.
    written: Mutex<Vec<String>>,
}

/// The temporary folder being filled, and where it goes.
struct Folder {
    out: PathBuf,
    temp: PathBuf,
    old: PathBuf,
    /// Folders made so far inside `temp`.
    made: Mutex<HashSet<PathBuf>>,
    finished: bool,
    /// Only the changed files go into `temp`, then into `out` (see [`Sink::update`]).
    update: bool,
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
        let folder = Folder { out, temp, old, made: Mutex::new(HashSet::new()), finished: false, update: false };
        Ok(Sink::new(root, Some(folder), precompress, measure))
    }

    /// A sink that updates `out`, which holds what `previous` (the build cache) says: files
    /// whose bytes did not change are not written again. The caller has checked that `out`
    /// is as the cache recorded it ([`cache::State::output_is_as_written`]).
    pub fn update(
        root: &Path,
        out: &Path,
        precompress: bool,
        measure: bool,
        previous: cache::Files,
    ) -> Result<Sink, Error> {
        let mut sink = Sink::folder(root, out, precompress, measure)?.recording();
        if let Some(folder) = sink.folder.as_mut() {
            folder.update = true;
        }
        sink.previous = Some(previous);
        Ok(sink)
    }

    /// Records the hash of every file, for the build cache ([`Sink::records`]).
    pub fn recording(mut self) -> Sink {
        self.records = Some(Mutex::new(HashMap::new()));
        self
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
            records: None,
            previous: None,
            written: Mutex::new(Vec::new()),
        }
    }

    /// Keeps a file of the previous output as it is, without its bytes (a page whose
    /// fingerprint did not change); returns its size, or `None` when the previous output
    /// has no such file (the caller then makes it).
    pub fn keep(&self, path: &str) -> Option<u64> {
        let record = self.previous.as_ref()?.get(path)?;
        self.keep_record(path, record);
        Some(record.size)
    }

    /// Whether the previous output has the file `path` (when updating).
    pub fn had(&self, path: &str) -> bool {
        self.previous.as_ref().is_some_and(|p| p.contains_key(path))
    }

    fn keep_record(&self, path: &str, record: &FileRecord) {
        for stamp in &record.stamps {
            self.count(stamp.2);
        }
        if let (true, Some(received)) = (self.measure, record.received) {
            self.received.lock().expect("sizes lock").insert(path.to_string(), received);
        }
        if let Some(records) = &self.records {
            records.lock().expect("records lock").insert(path.to_string(), record.clone());
        }
    }

    /// Every file put or kept, for the next build's cache (when recording).
    pub fn records(&self) -> Option<cache::Files> {
        self.records.as_ref().map(|r| r.lock().expect("records lock").clone())
    }

    /// Writes one file (and its compressed siblings); returns its size. Called from many
    /// threads at once. When updating, a file whose bytes are those of the previous output
    /// is kept as it is there.
    pub fn put(&self, file: &OutputFile) -> Result<u64, Error> {
        let compress = worth_compressing(&file.path) && (self.precompress || self.measure);
        let recording = self.records.is_some();
        // the bytes, when they are needed: to hash them, or to compress them
        let read = |source: &PathBuf| crate::fs::read(&self.root.join(source));
        let data: Option<std::borrow::Cow<[u8]>> = match &file.contents {
            Contents::Bytes(bytes) => Some(std::borrow::Cow::Borrowed(bytes.as_slice())),
            Contents::Copy(source) if recording || compress => Some(std::borrow::Cow::Owned(read(source)?)),
            Contents::Copy(_) => None,
        };
        let hash = match (&data, recording) {
            (Some(data), true) => Some(cache::hash_bytes(data)),
            _ => None,
        };
        if let (Some(previous), Some(hash)) = (self.previous.as_ref().and_then(|p| p.get(&file.path)), &hash) {
            if previous.hash == *hash && Some(previous.size) == data.as_ref().map(|d| d.len() as u64) {
                self.keep_record(&file.path, previous);
                return Ok(previous.size);
            }
        }
        let target = self.folder.as_ref().map(|f| f.target(&file.path)).transpose()?;
        let mut stamps = Vec::new();
        let size = match (&data, &file.contents, &target) {
            (Some(data), _, Some(target)) => {
                stamps.extend(write(target, data, "")?);
                data.len() as u64
            }
            (Some(data), _, None) => data.len() as u64,
            (None, Contents::Copy(source), Some(target)) => {
                let source = self.root.join(source);
                std::fs::copy(&source, target).map_err(|e| Error::io(&source, "cannot copy", e))?
            }
            (None, Contents::Copy(source), None) => {
                let source = self.root.join(source);
                std::fs::metadata(&source).map_err(|e| Error::io(&source, "cannot read the size of", e))?.len()
            }
            (None, Contents::Bytes(_), _) => unreachable!("bytes are always at hand"),
        };
        self.count(size);
        if let (Some(target), Contents::Copy(_), None) = (&target, &file.contents, &data) {
            stamps.extend(cache::stamp(target, ""));
        }
        let mut received = None;
        if let (true, Some(data)) = (compress, &data) {
            let gz = gzip(data);
            let br = (data.len() > BROTLI_MIN_BYTES).then(|| brotli(data));
            received = Some(br.as_ref().unwrap_or(&gz).len() as u64);
            if let (true, Some(received)) = (self.measure, received) {
                self.received.lock().expect("sizes lock").insert(file.path.clone(), received);
            }
            if let (Some(target), true) = (&target, self.precompress) {
                let sibling = |ext: &str| PathBuf::from(format!("{}.{ext}", target.display()));
                stamps.extend(write(&sibling("gz"), &gz, ".gz")?);
                self.count(gz.len() as u64);
                if let Some(br) = &br {
                    stamps.extend(write(&sibling("br"), br, ".br")?);
                    self.count(br.len() as u64);
                }
            }
        }
        if let (Some(records), Some(hash)) = (&self.records, hash) {
            let record = FileRecord { hash, size, received, stamps };
            records.lock().expect("records lock").insert(file.path.clone(), record);
        }
        if self.previous.is_some() {
            self.written.lock().expect("written lock").push(file.path.clone());
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

    /// Puts the written folder in place of the old output (when updating, moves the files
    /// that changed into it). `None` when nothing is written.
    pub fn finish(mut self) -> Result<Option<WriteReport>, Error> {
        let report = WriteReport { files: *self.files.get_mut(), bytes: *self.bytes.get_mut() };
        let written = std::mem::take(self.written.get_mut().expect("written lock"));
        let previous = self.previous.take();
        let kept: HashSet<String> = self.records().map(|r| r.into_keys().collect()).unwrap_or_default();
        let Some(folder) = self.folder.as_mut() else { return Ok(None) };
        folder.finished = true;
        let result = match (folder.update, previous) {
            (true, Some(previous)) => {
                let gone: Vec<&String> = previous.keys().filter(|p| !kept.contains(*p)).collect();
                apply(folder, &written, &gone)
            }
            _ => swap(&folder.out, &folder.temp, &folder.old),
        };
        if folder.temp.exists() {
            let _ = crate::fs::remove_dir_all(&folder.temp);
        }
        result.map(|()| Some(report))
    }
}

/// Writes a file; returns its stamp for the build cache (named `suffix`).
fn write(target: &Path, data: &[u8], suffix: &str) -> Result<Option<cache::Stamp>, Error> {
    Ok(cache::stamp_of(&crate::fs::write_and_stat(target, data)?, suffix))
}

/// Moves the files written into `folder.temp` (with their siblings) into the output, and
/// removes the files of `gone` (with theirs). Every file replaced or removed is first
/// moved aside into `folder.old`; if a move fails, what was done is undone, and the output
/// is as it was.
fn apply(folder: &Folder, written: &[String], gone: &[&String]) -> Result<(), Error> {
    if written.is_empty() && gone.is_empty() {
        return Ok(());
    }
    let mut paths: Vec<String> = Vec::new();
    for path in written.iter().chain(gone.iter().copied()) {
        for suffix in ["", ".gz", ".br"] {
            paths.push(format!("{path}{suffix}"));
        }
    }
    paths.sort();
    paths.dedup();
    crate::fs::create_dir_all(&folder.old)?;
    crate::fs::write(&folder.old.join(TEMP_MARKER), b"files replaced by hoclieu's last build\n")?;
    // (path, moved aside, moved in)
    let mut done: Vec<(&String, bool, bool)> = Vec::new();
    let mut moves = || -> Result<(), Error> {
        for path in &paths {
            let (new, out, aside) = (folder.temp.join(path), folder.out.join(path), folder.old.join(path));
            let mut step = (path, false, false);
            if std::fs::symlink_metadata(&out).is_ok() {
                if let Some(parent) = aside.parent() {
                    crate::fs::create_dir_all(parent)?;
                }
                crate::fs::rename(&out, &aside)?;
                step.1 = true;
            }
            if std::fs::symlink_metadata(&new).is_ok() {
                if let Some(parent) = out.parent() {
                    if let Err(e) = crate::fs::create_dir_all(parent) {
                        done.push(step);
                        return Err(e);
                    }
                }
                if let Err(e) = crate::fs::rename(&new, &out) {
                    done.push(step);
                    return Err(e);
                }
                step.2 = true;
            }
            done.push(step);
        }
        Ok(())
    };
    let result = moves();
    if result.is_err() {
        for (path, aside, moved_in) in done.into_iter().rev() {
            let out = folder.out.join(path);
            if moved_in {
                let _ = std::fs::remove_file(&out);
            }
            if aside {
                let _ = std::fs::rename(folder.old.join(path), &out);
            }
        }
    } else {
        // folders left empty by files no longer made: a whole build would not have them
        let mut folders: Vec<PathBuf> =
            gone.iter().filter_map(|p| folder.out.join(p).parent().map(Path::to_path_buf)).collect();
        folders.sort();
        folders.dedup();
        for dir in folders {
            let mut dir = dir.as_path();
            while dir != folder.out && std::fs::remove_dir(dir).is_ok() {
                let Some(parent) = dir.parent() else { break };
                dir = parent;
            }
        }
    }
    let _ = super::remove_parallel(&folder.old);
    result
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

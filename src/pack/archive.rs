//! Zip files of packs: written deterministically, read defensively.
//!
//! Writing: entries sorted by name, every timestamp the content's [`BuildTime`], Unix
//! permissions 0644, no extra fields, deflate at a fixed level (pictures and fonts stored):
//! the same files give the same bytes.
//!
//! Reading ([`Reader::open`]) treats every zip as hostile until checked: a name that could
//! leave the target folder (`..`, an absolute path, a drive letter, a backslash), a symbolic
//! link, a duplicate name, too many entries, too many bytes in all, or an entry that
//! inflates suspiciously (a zip bomb) refuses the whole archive before anything is
//! written. While extracting, sizes are enforced on the bytes actually inflated, not on
//! what the headers claim.

use super::manifest::{self, check_name, FileEntry, Manifest};
use super::{BuildTime, PackFile};
use crate::{msg, Error};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

/// Limits a zip must keep to be read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_entries: usize,
    /// Inflated bytes of all entries together.
    pub max_total: u64,
    /// Inflated bytes of one entry.
    pub max_file: u64,
    /// Inflated / compressed, for entries past [`Limits::ratio_from`] bytes.
    pub max_ratio: u64,
    pub ratio_from: u64,
}

impl Default for Limits {
    /// A large pack (10 000 lessons in four languages) is about 100 000 files and 1 GB;
    /// HTML and search shards deflate about 4 to 8 times.
    fn default() -> Self {
        Limits { max_entries: 500_000, max_total: 8 << 30, max_file: 1 << 30, max_ratio: 100, ratio_from: 1 << 20 }
    }
}

/// Writes `files` and the manifest as a zip, in memory.
pub fn write(files: &[PackFile], manifest: &Manifest, time: BuildTime) -> Result<Vec<u8>, Error> {
    let json = manifest.to_json();
    let mut entries: Vec<(&str, &[u8])> = files.iter().map(|f| (f.path.as_str(), f.data.as_slice())).collect();
    entries.push((manifest::FILE_NAME, &json));
    write_entries(entries, time)
}

/// Writes entries (sorted here) as a deterministic zip, in memory.
pub fn write_entries(mut entries: Vec<(&str, &[u8])>, time: BuildTime) -> Result<Vec<u8>, Error> {
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let (year, month, day, hour, minute, second) = time.parts();
    let stamp = DateTime::from_date_and_time(year.clamp(1980, 2107) as u16, month, day, hour, minute, second)
        .unwrap_or_default();
    let base = SimpleFileOptions::default()
        .last_modified_time(stamp)
        .unix_permissions(0o644)
        .system(zip::System::Unix)
        .large_file(false);
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let failed = |e: &dyn std::fmt::Display| Error::Usage(msg!("archive.cannot-write", error = e));
    for (name, data) in entries {
        let options = if already_compressed(name) {
            base.compression_method(CompressionMethod::Stored)
        } else {
            base.compression_method(CompressionMethod::Deflated).compression_level(Some(6))
        };
        let options = if data.len() as u64 >= u32::MAX as u64 { options.large_file(true) } else { options };
        zip.start_file(name, options).map_err(|e| failed(&e))?;
        zip.write_all(data).map_err(|e| failed(&e))?;
    }
    Ok(zip.finish().map_err(|e| failed(&e))?.into_inner())
}

/// Files that deflate would not shrink.
fn already_compressed(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    matches!(
        ext.as_str(),
        "png"
            | "jpg"
            | "jpeg"
            | "webp"
            | "gif"
            | "woff"
            | "woff2"
            | "mp3"
            | "m4a"
            | "ogg"
            | "opus"
            | "mp4"
            | "webm"
            | "zip"
            | "br"
            | "gz"
    )
}

/// A zip checked against [`Limits`] and safe names, ready to read.
pub struct Reader {
    archive: ZipArchive<std::io::BufReader<std::fs::File>>,
    path: PathBuf,
    limits: Limits,
    /// (index in the archive, name) of every file entry, sorted by name.
    files: Vec<(usize, String)>,
}

impl Reader {
    pub fn open(path: &Path, limits: Limits) -> Result<Reader, Error> {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, "cannot open", e))?;
        let archive_size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut archive = ZipArchive::new(std::io::BufReader::new(file))
            .map_err(|e| Error::Usage(msg!("archive.not-a-zip", path = path.display(), error = e)))?;
        let refuse = |name: &str, why: String| {
            Error::Usage(msg!("archive.refused-entry", path = path.display(), name = name.escape_debug(), why))
        };
        if archive.len() > limits.max_entries {
            return Err(Error::Usage(msg!(
                "archive.too-many-entries",
                path = path.display(),
                count = archive.len(),
                max = limits.max_entries
            )));
        }
        let mut files = Vec::new();
        let mut names = HashSet::new();
        let mut total = 0u64;
        for index in 0..archive.len() {
            let entry = archive
                .by_index_raw(index)
                .map_err(|e| Error::Usage(msg!("archive.damaged-entry", path = path.display(), index, error = e)))?;
            let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            if let Err(why) = check_name(&name) {
                return Err(refuse(&name, msg!("archive.why.unsafe-name", why)));
            }
            let mode = entry.unix_mode().unwrap_or(0);
            if entry.is_symlink() || mode & 0o170000 == 0o120000 {
                return Err(refuse(&name, msg!("archive.why.symlink")));
            }
            if entry.is_dir() {
                continue;
            }
            if mode & 0o170000 != 0 && mode & 0o170000 != 0o100000 {
                return Err(refuse(&name, msg!("archive.why.not-a-file", mode = format!("{mode:o}"))));
            }
            if !names.insert(name.to_lowercase()) {
                return Err(refuse(&name, msg!("archive.why.twice")));
            }
            let (size, compressed) = (entry.size(), entry.compressed_size());
            if size > limits.max_file {
                return Err(refuse(&name, msg!("archive.why.too-large", size, max = limits.max_file)));
            }
            if size > limits.ratio_from && size / compressed.max(1) > limits.max_ratio {
                return Err(refuse(
                    &name,
                    msg!("archive.why.ratio", ratio = size / compressed.max(1), max = limits.max_ratio),
                ));
            }
            total += size;
            files.push((index, name));
        }
        if total > limits.max_total {
            return Err(Error::Usage(msg!("archive.too-large", path = path.display(), total, max = limits.max_total)));
        }
        if total > limits.ratio_from && total / archive_size.max(1) > limits.max_ratio {
            return Err(Error::Usage(msg!(
                "archive.ratio",
                path = path.display(),
                ratio = total / archive_size.max(1)
            )));
        }
        files.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(Reader { archive, path: path.to_path_buf(), limits, files })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn has(&self, name: &str) -> bool {
        self.files.binary_search_by(|(_, n)| n.as_str().cmp(name)).is_ok()
    }

    /// Names of the file entries, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(_, n)| n.as_str())
    }

    /// Reads one entry into memory (manifests), at most `max` bytes.
    pub fn read(&mut self, name: &str, max: u64) -> Result<Option<Vec<u8>>, Error> {
        let Ok(i) = self.files.binary_search_by(|(_, n)| n.as_str().cmp(name)) else {
            return Ok(None);
        };
        let index = self.files[i].0;
        let path = self.path.clone();
        let entry = self
            .archive
            .by_index(index)
            .map_err(|e| Error::Usage(msg!("archive.cannot-read-entry", path = path.display(), name, error = e)))?;
        let mut data = Vec::new();
        Bounded::new(entry, max.min(self.limits.max_file), name, &path)
            .read_to_end(&mut data)
            .map_err(|e| Error::io(&path, &format!("cannot read \"{name}\" in"), e))?;
        Ok(Some(data))
    }

    /// Extracts every file entry but those in `skip` into `dest` (a fresh folder of ours),
    /// each checked against `expected` while it is written: an entry `expected` does not
    /// know, or whose size or SHA-256 differs, is an error. Returns the names written.
    pub fn extract(
        &mut self,
        dest: &Path,
        skip: &[&str],
        expected: &dyn Fn(&str) -> Option<FileEntry>,
    ) -> Result<Vec<String>, Error> {
        let path = self.path.clone();
        let mut written = Vec::new();
        let mut total = 0u64;
        for (index, name) in self.files.clone() {
            if skip.contains(&name.as_str()) {
                continue;
            }
            let Some(want) = expected(&name) else {
                return Err(Error::Usage(msg!("archive.extra-file", path = path.display(), name)));
            };
            let target = crate::output::inside(dest, &name)?;
            if let Some(parent) = target.parent() {
                crate::fs::create_dir_all(parent)?;
            }
            let entry = self
                .archive
                .by_index(index)
                .map_err(|e| Error::Usage(msg!("archive.cannot-read-entry", path = path.display(), name, error = e)))?;
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&target)
                .map_err(|e| Error::io(&target, "cannot create", e))?;
            let mut reader = Bounded::new(entry, want.size.min(self.limits.max_file), &name, &path);
            let (size, sha) = manifest::hash_reader(Tee { reader: &mut reader, file, path: &target }, &target)?;
            total += size;
            if total > self.limits.max_total {
                return Err(Error::Usage(msg!(
                    "archive.past-limit",
                    path = path.display(),
                    max = self.limits.max_total
                )));
            }
            manifest::check_unpacked(&path, &name, size, &sha, &want)?;
            written.push(name);
        }
        Ok(written)
    }

    /// Hashes every file entry but those in `skip`, without writing: (name, size, SHA-256).
    pub fn hash_all(&mut self, skip: &[&str]) -> Result<Vec<(String, u64, String)>, Error> {
        let path = self.path.clone();
        let mut out = Vec::new();
        for (index, name) in self.files.clone() {
            if skip.contains(&name.as_str()) {
                continue;
            }
            let entry = self
                .archive
                .by_index(index)
                .map_err(|e| Error::Usage(msg!("archive.cannot-read-entry", path = path.display(), name, error = e)))?;
            let declared = entry.size();
            match manifest::hash_reader(Bounded::new(entry, declared, &name, &path), &path) {
                Ok((size, sha)) => out.push((name, size, sha)),
                // a damaged entry (bad CRC, bad deflate stream) is a corrupted file
                Err(_) => out.push((name, u64::MAX, String::new())),
            }
        }
        Ok(out)
    }
}

/// A reader that fails once more than `max` bytes come out: an entry's header can lie
/// about its size, the inflated bytes cannot.
struct Bounded<R> {
    inner: R,
    left: u64,
    message: String,
}

impl<R: Read> Bounded<R> {
    fn new(inner: R, max: u64, name: &str, zip: &Path) -> Self {
        Bounded { inner, left: max, message: msg!("archive.past-declared", name, path = zip.display()) }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // one byte past the limit is enough to know
        let want = buf.len().min(self.left.saturating_add(1).min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, self.message.clone()));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Writes what it reads into a file (hash while extracting).
struct Tee<'a, R> {
    reader: R,
    file: std::fs::File,
    path: &'a Path,
}

impl<R: Read> Read for Tee<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.reader.read(buf)?;
        self.file
            .write_all(&buf[..n])
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", self.path.display())))?;
        Ok(n)
    }
}

//! Reading a ZIM file as hostile input (see the module above).

use super::*;
use crate::pack::archive::Limits;
use crate::pack::manifest::check_name;
use crate::pack::manifest::{self, FileEntry};
use crate::{msg, Error};
use md5::{Digest, Md5};
use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The first four bytes of every ZIM file (`ZIM\x04`).
/// A directory entry as read.
#[derive(Debug, Clone)]
struct Dirent {
    namespace: u8,
    path: String,
    title: String,
    kind: Kind,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Data {
        mime: u16,
        cluster: u32,
        blob: u32,
    },
    Redirect(u32),
    /// Link targets and deleted entries of old files: no content.
    Other,
}

/// A ZIM file checked against [`Limits`] and safe names, ready to read.
pub struct Reader {
    file: std::fs::File,
    path: PathBuf,
    limits: Limits,
    size: u64,
    checksum_pos: u64,
    mimes: Vec<String>,
    dirents: Vec<Dirent>,
    cluster_offsets: Vec<u64>,
    /// (index of the dirent, path) of every `C/` file, sorted by path.
    files: Vec<(usize, String)>,
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

impl Reader {
    pub fn open(path: &Path, limits: Limits) -> Result<Reader, Error> {
        let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, "cannot open", e))?;
        let size = file.metadata().map_err(|e| Error::io(path, "cannot read", e))?.len();
        let bad = |why: String| Error::Usage(msg!("zim.refused", path = path.display(), why));
        if size < (HEADER_SIZE + 16) as u64 {
            return Err(bad(msg!("zim.why.too-short", size)));
        }
        let mut header = [0u8; HEADER_SIZE];
        read_at(&mut file, 0, &mut header, path)?;
        if !is_zim(&header) {
            return Err(bad(msg!("zim.why.not-zim")));
        }
        let major = le16(&header, 4);
        if major != 5 && major != 6 {
            return Err(bad(msg!("zim.why.version", major)));
        }
        let count = le32(&header, 24) as u64;
        let cluster_count = le32(&header, 28) as u64;
        let url_ptr_pos = le64(&header, 32);
        let cluster_ptr_pos = le64(&header, 48);
        let mime_pos = le64(&header, 56);
        let checksum_pos = le64(&header, 72);
        if checksum_pos != size - 16 {
            return Err(bad(msg!("zim.why.checksum-place", at = checksum_pos, size)));
        }
        // the checksum first: anything damaged is refused before it is interpreted
        let mut md5 = Md5::new();
        file.seek(SeekFrom::Start(0)).map_err(|e| Error::io(path, "cannot read", e))?;
        let mut left = checksum_pos;
        let mut buffer = vec![0u8; 1 << 16];
        while left > 0 {
            let n = buffer.len().min(left as usize);
            file.read_exact(&mut buffer[..n]).map_err(|e| Error::io(path, "cannot read", e))?;
            md5.update(&buffer[..n]);
            left -= n as u64;
        }
        let mut stored = [0u8; 16];
        file.read_exact(&mut stored).map_err(|e| Error::io(path, "cannot read", e))?;
        if md5.finalize().as_slice() != stored {
            return Err(bad(msg!("zim.why.md5")));
        }
        if count as usize > limits.max_entries {
            return Err(bad(msg!("zim.why.too-many", count, max = limits.max_entries)));
        }
        let within = |pos: u64, len: u64| pos.checked_add(len).is_some_and(|end| end <= checksum_pos);
        if !within(url_ptr_pos, count * 8) || !within(cluster_ptr_pos, cluster_count * 8) {
            return Err(bad(msg!("zim.why.pointers", count, clusters = cluster_count)));
        }
        if !within(mime_pos, 1) || mime_pos < HEADER_SIZE as u64 {
            return Err(bad(msg!("zim.why.mime-place")));
        }
        // MIME types: NUL-terminated, an empty one ends the list (within the first KiB or
        // before the path pointers)
        let mime_end = url_ptr_pos.min(1024).max(mime_pos + 1).min(checksum_pos);
        let mut mime_bytes = vec![0u8; (mime_end - mime_pos) as usize];
        read_at(&mut file, mime_pos, &mut mime_bytes, path)?;
        let mut mimes = Vec::new();
        let mut rest = &mime_bytes[..];
        loop {
            let Some(end) = rest.iter().position(|&b| b == 0) else {
                return Err(bad(msg!("zim.why.mime-end")));
            };
            if end == 0 {
                break;
            }
            mimes.push(String::from_utf8_lossy(&rest[..end]).into_owned());
            rest = &rest[end + 1..];
        }
        let mut pointers = vec![0u8; (count * 8) as usize];
        read_at(&mut file, url_ptr_pos, &mut pointers, path)?;
        let mut cluster_pointers = vec![0u8; (cluster_count * 8) as usize];
        read_at(&mut file, cluster_ptr_pos, &mut cluster_pointers, path)?;
        let cluster_offsets: Vec<u64> = (0..cluster_count as usize).map(|i| le64(&cluster_pointers, i * 8)).collect();
        if let Some(i) = cluster_offsets.iter().position(|&o| !within(o, 1)) {
            return Err(bad(msg!("zim.why.cluster-past-end", n = i)));
        }
        let mut dirents = Vec::with_capacity(count as usize);
        let mut scratch = Vec::new();
        for i in 0..count as usize {
            let at = le64(&pointers, i * 8);
            if !within(at, 12) {
                return Err(bad(msg!("zim.why.entry-past-end", n = i)));
            }
            // an entry is at most 16 bytes and two names of at most 4 KiB each
            let len = (checksum_pos - at).min(16 + 2 * 4097) as usize;
            scratch.resize(len, 0);
            read_at(&mut file, at, &mut scratch, path)?;
            let dirent = parse_dirent(&scratch).ok_or_else(|| bad(msg!("zim.why.entry-malformed", n = i, at)))?;
            match dirent.kind {
                Kind::Data { mime, cluster, .. } => {
                    if mime as usize >= mimes.len() {
                        return Err(bad(msg!("zim.why.entry-mime", n = i, mime, count = mimes.len())));
                    }
                    if cluster as u64 >= cluster_count {
                        return Err(bad(msg!("zim.why.entry-cluster", n = i, cluster, count = cluster_count)));
                    }
                }
                Kind::Redirect(to) if to as u64 >= count => {
                    return Err(bad(msg!("zim.why.entry-redirect", n = i, to, count)));
                }
                _ => {}
            }
            dirents.push(dirent);
        }
        let content = if major == 6 && le16(&header, 6) >= 1 { b'C' } else { b'-' };
        let mut files = Vec::new();
        let mut names = HashSet::new();
        for (i, dirent) in dirents.iter().enumerate() {
            if dirent.namespace != content || !matches!(dirent.kind, Kind::Data { .. }) {
                continue;
            }
            if let Err(why) = check_name(&dirent.path) {
                return Err(bad(msg!("zim.why.unsafe-name", name = dirent.path.escape_debug(), why)));
            }
            if !names.insert(dirent.path.to_lowercase()) {
                return Err(bad(msg!("zim.why.twice", name = dirent.path.escape_debug())));
            }
            files.push((i, dirent.path.clone()));
        }
        files.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(Reader {
            file,
            path: path.to_path_buf(),
            limits,
            size,
            checksum_pos,
            mimes,
            dirents,
            cluster_offsets,
            files,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Names of the content entries (the pack's files), sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(_, n)| n.as_str())
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.files.binary_search_by(|(_, n)| n.as_str().cmp(name)).ok().map(|i| self.files[i].0)
    }

    /// The MIME type of a content entry.
    pub fn mime(&self, name: &str) -> Option<&str> {
        match self.dirents[self.find(name)?].kind {
            Kind::Data { mime, .. } => Some(&self.mimes[mime as usize]),
            _ => None,
        }
    }

    /// The title of a content entry (empty when it has none).
    pub fn title(&self, name: &str) -> Option<&str> {
        self.find(name).map(|i| self.dirents[i].title.as_str())
    }

    /// A metadata entry (`M/<name>`) as text, at most 64 KiB.
    pub fn metadata(&mut self, name: &str) -> Result<Option<String>, Error> {
        let Some(i) = self.dirents.iter().position(|d| d.namespace == b'M' && d.path == name) else {
            return Ok(None);
        };
        Ok(self.blob(i, 64 << 10)?.map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// The path of the main page, following `W/mainPage`.
    pub fn main_page(&self) -> Option<&str> {
        let i = self.dirents.iter().position(|d| d.namespace == b'W' && d.path == "mainPage")?;
        match self.dirents[i].kind {
            Kind::Redirect(to) => Some(self.dirents[to as usize].path.as_str()),
            _ => None,
        }
    }

    /// Reads one content entry, at most `max` bytes.
    pub fn read(&mut self, name: &str, max: u64) -> Result<Option<Vec<u8>>, Error> {
        match self.find(name) {
            Some(i) => self.blob(i, max),
            None => Ok(None),
        }
    }

    fn blob(&mut self, index: usize, max: u64) -> Result<Option<Vec<u8>>, Error> {
        let Kind::Data { cluster, blob, .. } = self.dirents[index].kind else { return Ok(None) };
        let blobs = self.cluster(cluster)?;
        let Some(data) = blobs.get(blob as usize) else {
            return Err(self.damaged(&msg!("zim.why.no-blob", name = self.dirents[index].path)));
        };
        if data.len() as u64 > max.min(self.limits.max_file) {
            return Err(self.damaged(&msg!(
                "zim.why.entry-too-large",
                name = self.dirents[index].path,
                size = data.len(),
                max = max.min(self.limits.max_file)
            )));
        }
        Ok(Some(data.to_vec()))
    }

    fn damaged(&self, why: &str) -> Error {
        Error::Usage(msg!("zim.refused", path = self.path.display(), why))
    }

    /// One cluster's blobs, decompressed within the limits.
    fn cluster(&mut self, n: u32) -> Result<Vec<Vec<u8>>, Error> {
        let start = self.cluster_offsets[n as usize];
        // a cluster ends where the next one (in file order) starts, or at the checksum
        let end = self.cluster_offsets.iter().copied().filter(|&o| o > start).min().unwrap_or(self.checksum_pos);
        let end = end.min(self.checksum_pos);
        if end <= start || end > self.size {
            return Err(self.damaged(&msg!("zim.why.cluster-no-room", n)));
        }
        let mut stored = vec![0u8; (end - start) as usize];
        read_at(&mut self.file, start, &mut stored, &self.path)?;
        let info = stored[0];
        let extended = info & EXTENDED != 0;
        // what a cluster may hold: one file at the limit, or a few hundred small ones
        let cap = self.limits.max_file.saturating_add(1 << 20);
        let raw = match info & 0x0f {
            0 | COMPRESSION_NONE => stored[1..].to_vec(),
            COMPRESSION_ZSTD => {
                let decoder = zstd::stream::read::Decoder::new(&stored[1..])
                    .map_err(|e| self.damaged(&msg!("zim.why.cluster-error", n, error = e)))?;
                let mut raw = Vec::new();
                decoder
                    .take(cap + 1)
                    .read_to_end(&mut raw)
                    .map_err(|e| self.damaged(&msg!("zim.why.cluster-decompress", n, error = e)))?;
                if raw.len() as u64 > cap {
                    return Err(self.damaged(&msg!("zim.why.cluster-too-large", n, max = cap)));
                }
                let ratio = raw.len() as u64 / stored.len().max(1) as u64;
                if raw.len() as u64 > self.limits.ratio_from && ratio > self.limits.max_ratio {
                    return Err(self.damaged(&msg!("zim.why.cluster-ratio", n, ratio, max = self.limits.max_ratio)));
                }
                raw
            }
            other => return Err(self.damaged(&msg!("zim.why.cluster-compression", n, kind = other))),
        };
        let width = if extended { 8 } else { 4 };
        if raw.len() < width {
            return Err(self.damaged(&msg!("zim.why.cluster-short", n)));
        }
        let read = |at: usize| if extended { le64(&raw, at) } else { le32(&raw, at) as u64 };
        let first = read(0);
        if first % width as u64 != 0 || first < width as u64 || first > raw.len() as u64 {
            return Err(self.damaged(&msg!("zim.why.cluster-offsets", n)));
        }
        let offsets: Vec<u64> = (0..(first as usize / width)).map(|i| read(i * width)).collect();
        if offsets.windows(2).any(|w| w[1] < w[0]) || offsets.last().is_some_and(|&l| l > raw.len() as u64) {
            return Err(self.damaged(&msg!("zim.why.cluster-order", n)));
        }
        Ok(offsets.windows(2).map(|w| raw[w[0] as usize..w[1] as usize].to_vec()).collect())
    }

    /// Every content entry but those in `skip`, cluster by cluster: (name, bytes).
    fn each<F>(&mut self, skip: &[&str], mut f: F) -> Result<(), Error>
    where
        F: FnMut(&str, &[u8]) -> Result<(), Error>,
    {
        let mut order: Vec<(u32, u32, String)> = self
            .files
            .iter()
            .filter(|(_, n)| !skip.contains(&n.as_str()))
            .filter_map(|(i, name)| match self.dirents[*i].kind {
                Kind::Data { cluster, blob, .. } => Some((cluster, blob, name.clone())),
                _ => None,
            })
            .collect();
        order.sort();
        let mut total = 0u64;
        let mut loaded: Option<(u32, Vec<Vec<u8>>)> = None;
        for (cluster, blob, name) in order {
            if loaded.as_ref().is_none_or(|(c, _)| *c != cluster) {
                loaded = Some((cluster, self.cluster(cluster)?));
            }
            let blobs = &loaded.as_ref().expect("just loaded").1;
            let Some(data) = blobs.get(blob as usize) else {
                return Err(self.damaged(&msg!("zim.why.no-blob", name)));
            };
            total += data.len() as u64;
            if data.len() as u64 > self.limits.max_file || total > self.limits.max_total {
                return Err(self.damaged(&msg!("zim.why.content-too-large", max = self.limits.max_total)));
            }
            f(&name, data)?;
        }
        Ok(())
    }

    /// Hashes every content entry but those in `skip`: (name, size, SHA-256).
    pub fn hash_all(&mut self, skip: &[&str]) -> Result<Vec<(String, u64, String)>, Error> {
        let mut out = Vec::new();
        let path = self.path.clone();
        self.each(skip, |name, data| {
            let (size, sha) = manifest::hash_reader(data, &path)?;
            out.push((name.to_string(), size, sha));
            Ok(())
        })?;
        out.sort();
        Ok(out)
    }

    /// Extracts every content entry but those in `skip` into `dest` (a fresh folder of
    /// ours), each checked against `expected` (as [`super::archive::Reader::extract`]).
    pub fn extract(
        &mut self,
        dest: &Path,
        skip: &[&str],
        expected: &dyn Fn(&str) -> Option<FileEntry>,
    ) -> Result<Vec<String>, Error> {
        let path = self.path.clone();
        let mut written = Vec::new();
        self.each(skip, |name, data| {
            let Some(want) = expected(name) else {
                return Err(Error::Usage(msg!("archive.extra-file", path = path.display(), name)));
            };
            let (size, sha) = manifest::hash_reader(data, &path)?;
            manifest::check_unpacked(&path, name, size, &sha, &want)?;
            let target = crate::output::inside(dest, name)?;
            if let Some(parent) = target.parent() {
                crate::fs::create_dir_all(parent)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&target)
                .map_err(|e| Error::io(&target, "cannot create", e))?;
            file.write_all(data).map_err(|e| Error::io(&target, "cannot write", e))?;
            written.push(name.to_string());
            Ok(())
        })?;
        written.sort();
        Ok(written)
    }
}

fn read_at(file: &mut std::fs::File, at: u64, buf: &mut [u8], path: &Path) -> Result<(), Error> {
    file.seek(SeekFrom::Start(at)).map_err(|e| Error::io(path, "cannot read", e))?;
    file.read_exact(buf).map_err(|e| Error::io(path, "cannot read", e))
}

/// One directory entry from the start of `b`, or `None` when it is cut short or malformed.
fn parse_dirent(b: &[u8]) -> Option<Dirent> {
    if b.len() < 12 {
        return None;
    }
    let mime = le16(b, 0);
    let extra = b[2] as usize;
    let namespace = b[3];
    let (kind, mut at) = match mime {
        REDIRECT => (Kind::Redirect(le32(b, 8)), 12),
        0xfffe | 0xfffd => (Kind::Other, 8),
        _ => {
            if b.len() < 16 {
                return None;
            }
            (Kind::Data { mime, cluster: le32(b, 8), blob: le32(b, 12) }, 16)
        }
    };
    let mut text = || {
        let end = b.get(at..)?.iter().position(|&c| c == 0)?;
        let s = std::str::from_utf8(&b[at..at + end]).ok()?.to_string();
        at += end + 1;
        Some(s)
    };
    let path = text()?;
    let title = text()?;
    if at + extra > b.len() {
        return None;
    }
    Some(Dirent { namespace, path, title, kind })
}

// The tests read private parts of the reader (entries, blobs) to check what the writer wrote.
#[cfg(test)]
#[path = "tests.rs"]
mod tests;

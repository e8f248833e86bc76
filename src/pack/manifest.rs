//! `hoclieu-pack.json`, at the root of every pack: what the pack is (id, title, version,
//! build time, languages, groups) and every file in it with its size and SHA-256, so a
//! copy on a USB stick or a school's server can be checked file by file ([`verify_dir`]).
//!
//! The version is `<date of the content>-<first 12 hex digits of the content hash>`; the
//! content hash is the SHA-256 of the file list (`sha256  path` lines, sorted, as
//! `sha256sum` prints them), so two packs with the same files have the same version.

use super::{BuildTime, PackFile};
use crate::config::Pack;
use crate::msg;
use crate::Error;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

pub const FILE_NAME: &str = crate::output::PACK_MANIFEST;
/// The manifest format this hoclieu writes and reads.
pub const FORMAT: u32 = 1;

/// Why an entry name is refused; `Ok` for a plain relative path inside the pack.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(crate::msg!("pack-name.empty"));
    }
    if name.contains('\0') {
        return Err(crate::msg!("pack-name.nul"));
    }
    if name.contains('\\') {
        return Err(crate::msg!("pack-name.backslash"));
    }
    if name.starts_with('/') {
        return Err(crate::msg!("pack-name.absolute"));
    }
    if name.contains(':') {
        return Err(crate::msg!("pack-name.colon"));
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    for part in trimmed.split('/') {
        match part {
            "" => return Err(crate::msg!("pack-name.empty-component")),
            "." | ".." => return Err(crate::msg!("pack-name.dots")),
            _ => {}
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub id: String,
    pub title: String,
    /// `2025.03.14-1a2b3c4d5e6f`: the content's date and hash.
    pub version: String,
    /// SHA-256 of the sorted `sha256  path` lines of every file.
    pub content_hash: String,
    /// `hoclieu 0.1.0`
    pub generator: String,
    /// RFC 3339, from the content (see [`BuildTime`]), never the clock.
    pub build_time: String,
    /// Where the build time came from: `SOURCE_DATE_EPOCH`, `git` or `none`.
    pub build_time_source: String,
    pub languages: Vec<String>,
    pub groups: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
    pub file_count: usize,
    /// Bytes of all files (the manifest itself not counted).
    pub total_size: u64,
    /// Sorted by path; the manifest itself is not listed. Left out of the manifests inside
    /// an update, which carries only the differences (see `delta`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

pub fn sha256_hex(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}

impl Manifest {
    /// The manifest of `files` (sorted by path).
    pub fn of(pack: &Pack, title: &str, files: &[PackFile], time: BuildTime) -> Manifest {
        let files: Vec<FileEntry> = files
            .iter()
            .map(|f| FileEntry { path: f.path.clone(), size: f.data.len() as u64, sha256: sha256_hex(&f.data) })
            .collect();
        let content_hash = content_hash(&files);
        let (year, month, day, ..) = time.parts();
        Manifest {
            format: FORMAT,
            id: pack.id.clone(),
            title: title.to_string(),
            version: format!("{year:04}.{month:02}.{day:02}-{}", &content_hash[..12]),
            content_hash,
            generator: format!("hoclieu {}", env!("CARGO_PKG_VERSION")),
            build_time: time.rfc3339(),
            build_time_source: time.source.to_string(),
            languages: pack.languages.iter().map(|l| l.to_string()).collect(),
            groups: pack.groups.iter().map(|g| g.to_string()).collect(),
            domains: pack.domains.iter().map(|d| d.to_string()).collect(),
            file_count: files.len(),
            total_size: files.iter().map(|f| f.size).sum(),
            files,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec_pretty(self).expect("a manifest serialises");
        json.push(b'\n');
        json
    }

    /// Parses a manifest read from `from` (named in errors).
    pub fn parse(data: &[u8], from: &Path) -> Result<Manifest, Error> {
        let manifest: Manifest = serde_json::from_slice(data).map_err(|e| {
            Error::Usage(msg!(
                "manifest.invalid",
                from = from.display(),
                line = e.line(),
                col = e.column(),
                file = FILE_NAME,
                error = e
            ))
        })?;
        if manifest.format > FORMAT {
            return Err(Error::Usage(msg!(
                "manifest.newer",
                from = from.display(),
                format = manifest.format,
                known = FORMAT
            )));
        }
        let mut problems = Vec::new();
        for entry in &manifest.files {
            if check_name(&entry.path).is_err() || entry.path == FILE_NAME {
                problems.push(msg!("manifest.unsafe-name", path = entry.path));
            }
            if entry.sha256.len() != 64 || !entry.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                problems.push(msg!("manifest.bad-sha", path = entry.path));
            }
        }
        if let Some(problem) = problems.first() {
            return Err(Error::Usage(msg!("manifest.damaged", from = from.display(), problem, file = FILE_NAME)));
        }
        Ok(manifest)
    }

    pub fn entry(&self, path: &str) -> Option<&FileEntry> {
        self.files.binary_search_by(|e| e.path.as_str().cmp(path)).ok().map(|i| &self.files[i])
    }

    /// Whether the file list's hash is the recorded one (the manifest was not edited).
    pub fn is_consistent(&self) -> bool {
        self.files.windows(2).all(|w| w[0].path < w[1].path) && content_hash(&self.files) == self.content_hash
    }
}

pub(super) fn content_hash(files: &[FileEntry]) -> String {
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(format!("{}  {}\n", file.sha256, file.path));
    }
    format!("{:x}", hasher.finalize())
}

/// What is wrong with a copy of a pack, file by file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Problems {
    /// In the manifest, not in the copy.
    pub missing: Vec<String>,
    /// In the copy, not in the manifest.
    pub extra: Vec<String>,
    /// Present but different: (path, what differs).
    pub corrupted: Vec<(String, String)>,
}

impl Problems {
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty() && self.corrupted.is_empty()
    }

    /// Checks one file of the copy against its entry (not in the manifest: an extra file;
    /// `size` `u64::MAX`: unreadable).
    pub fn check(&mut self, manifest: &Manifest, path: &str, size: u64, sha256: &str) {
        match manifest.entry(path) {
            None => self.extra.push(path.to_string()),
            Some(_) if size == u64::MAX => self.corrupted.push((path.to_string(), "cannot be read (damaged)".into())),
            Some(entry) if entry.size != size => {
                self.corrupted.push((path.to_string(), format!("{size} bytes, expected {}", entry.size)))
            }
            Some(entry) if entry.sha256 != sha256 => {
                self.corrupted.push((path.to_string(), "SHA-256 differs (same size)".to_string()))
            }
            Some(_) => {}
        }
    }

    /// Adds every manifest file not in `seen` as missing, and sorts.
    pub fn finish(&mut self, manifest: &Manifest, seen: &std::collections::HashSet<String>) {
        self.missing = manifest.files.iter().filter(|e| !seen.contains(&e.path)).map(|e| e.path.clone()).collect();
        self.extra.sort();
        self.corrupted.sort();
    }
}

/// Refuses an unpacked entry (of the archive or ZIM file at `path`) whose size or hash is
/// not what the manifest says of it.
pub fn check_unpacked(path: &Path, name: &str, size: u64, sha: &str, want: &FileEntry) -> Result<(), Error> {
    if size == want.size && sha == want.sha256 {
        return Ok(());
    }
    Err(Error::Usage(msg!(
        "archive.corrupted",
        path = path.display(),
        name,
        size,
        sha = &sha[..12.min(sha.len())],
        want_size = want.size,
        want_sha = &want.sha256[..12.min(want.sha256.len())]
    )))
}

/// Hashes what `reader` yields: (bytes, SHA-256 hex).
pub fn hash_reader(mut reader: impl Read, path: &Path) -> Result<(u64, String), Error> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buffer).map_err(|e| Error::io(path, "cannot read", e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((size, format!("{:x}", hasher.finalize())))
}

/// Checks an unpacked pack folder against its `hoclieu-pack.json`.
pub fn verify_dir(dir: &Path) -> Result<(Manifest, Problems), Error> {
    let manifest_path = dir.join(FILE_NAME);
    if !manifest_path.is_file() {
        return Err(Error::Usage(msg!("manifest.not-unpacked", dir = dir.display(), file = FILE_NAME)));
    }
    let manifest = Manifest::parse(&crate::fs::read(&manifest_path)?, &manifest_path)?;
    let mut problems = Problems::default();
    if !manifest.is_consistent() {
        problems.corrupted.push((FILE_NAME.to_string(), "its file list does not match its content_hash".into()));
    }
    let mut seen = std::collections::HashSet::new();
    for entry in walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::io(&path, "cannot read", e.into())
        })?;
        // the folder itself may be a symlink to the unpacked pack (followed, not a file)
        if entry.file_type().is_dir() || entry.depth() == 0 {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let path = relative.to_string_lossy().replace('\\', "/");
        if path == FILE_NAME {
            continue;
        }
        if entry.file_type().is_symlink() {
            problems.corrupted.push((path.clone(), "is a symbolic link".into()));
            seen.insert(path);
            continue;
        }
        let file = std::fs::File::open(entry.path()).map_err(|e| Error::io(entry.path(), "cannot open", e))?;
        let (size, sha) = hash_reader(file, entry.path())?;
        problems.check(&manifest, &path, size, &sha);
        seen.insert(path);
    }
    problems.finish(&manifest, &seen);
    Ok((manifest, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_could_leave_the_folder_are_refused() {
        for bad in ["../x", "a/../../x", "/etc/passwd", "C:/x", "a\\..\\x", "a//b", "./a", "", "a/./b"] {
            assert!(check_name(bad).is_err(), "{bad:?} should be refused");
        }
        for good in ["index.html", "vi/an-toan/index.html", "media/a/hinh-1.png", "vi/"] {
            assert!(check_name(good).is_ok(), "{good:?} should pass");
        }
    }
}

//! Checking and extracting packs on the receiving end (a school's PC, a Raspberry Pi).
//!
//! [`verify`] checks a zip, a ZIM file or an unpacked folder against its manifest (a ZIM
//! file is told by its first bytes, not its name, and read by [`super::zim::Reader`]). [`unpack`] extracts
//! a pack into a fresh folder beside the target, checking every file as it is written, and
//! swaps it in only when everything is right; an update is applied the same way to a copy
//! of the old version, and only when the old version verifies. The previous folder stays
//! as it was whenever anything fails.

use super::archive::{self, Limits};
use super::delta::{self, Delta};
use super::manifest::{self, FileEntry, Manifest, Problems};
use super::zim;
use crate::msg;
use crate::Error;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A pack as a zip or as a ZIM file, read alike.
enum Reader {
    Zip(archive::Reader),
    Zim(zim::Reader),
}

impl Reader {
    fn open(path: &Path, limits: Limits) -> Result<Reader, Error> {
        let mut start = [0u8; 4];
        let head = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut start))
            .map_err(|e| Error::io(path, "cannot open", e))?;
        if zim::is_zim(&start[..head]) {
            zim::Reader::open(path, limits).map(Reader::Zim)
        } else {
            archive::Reader::open(path, limits).map(Reader::Zip)
        }
    }

    fn path(&self) -> &Path {
        match self {
            Reader::Zip(r) => r.path(),
            Reader::Zim(r) => r.path(),
        }
    }

    fn names(&self) -> Vec<&str> {
        match self {
            Reader::Zip(r) => r.names().collect(),
            Reader::Zim(r) => r.names().collect(),
        }
    }

    fn read(&mut self, name: &str, max: u64) -> Result<Option<Vec<u8>>, Error> {
        match self {
            Reader::Zip(r) => r.read(name, max),
            Reader::Zim(r) => r.read(name, max),
        }
    }

    fn hash_all(&mut self, skip: &[&str]) -> Result<Vec<(String, u64, String)>, Error> {
        match self {
            Reader::Zip(r) => r.hash_all(skip),
            Reader::Zim(r) => r.hash_all(skip),
        }
    }

    fn extract(
        &mut self,
        dest: &Path,
        skip: &[&str],
        expected: &dyn Fn(&str) -> Option<FileEntry>,
    ) -> Result<Vec<String>, Error> {
        match self {
            Reader::Zip(r) => r.extract(dest, skip, expected),
            Reader::Zim(r) => r.extract(dest, skip, expected),
        }
    }
}

/// What a verified pack or update is.
#[derive(Debug)]
pub enum Verified {
    Pack(Box<Manifest>),
    Update(Box<Delta>),
}

/// Checks a pack (zip or ZIM), an update zip or an unpacked folder, file by file.
pub fn verify(path: &Path) -> Result<(Verified, Problems), Error> {
    if path.is_dir() {
        let (manifest, problems) = manifest::verify_dir(path)?;
        return Ok((Verified::Pack(Box::new(manifest)), problems));
    }
    let mut reader = Reader::open(path, Limits::default())?;
    if let Some(data) = reader.read(delta::FILE_NAME, 512 << 20)? {
        let delta = Delta::parse(&data, path)?;
        let carried = Manifest { files: delta.files.clone(), ..delta.to.clone() };
        let mut problems = Problems::default();
        let mut seen = HashSet::new();
        for (name, size, sha) in reader.hash_all(&[delta::FILE_NAME])? {
            problems.check(&carried, &name, size, &sha);
            seen.insert(name);
        }
        problems.finish(&carried, &seen);
        return Ok((Verified::Update(Box::new(delta)), problems));
    }
    let data = reader.read(manifest::FILE_NAME, 256 << 20)?.ok_or_else(|| not_a_pack(path))?;
    let manifest = Manifest::parse(&data, path)?;
    let mut problems = Problems::default();
    if !manifest.is_consistent() {
        problems.corrupted.push((manifest::FILE_NAME.into(), "its file list does not match its content_hash".into()));
    }
    let mut seen = HashSet::new();
    for (name, size, sha) in reader.hash_all(&[manifest::FILE_NAME])? {
        problems.check(&manifest, &name, size, &sha);
        seen.insert(name);
    }
    problems.finish(&manifest, &seen);
    Ok((Verified::Pack(Box::new(manifest)), problems))
}

fn not_a_pack(path: &Path) -> Error {
    Error::Usage(msg!(
        "unpack.not-a-pack",
        path = path.display(),
        manifest = manifest::FILE_NAME,
        delta = delta::FILE_NAME
    ))
}

/// What [`unpack`] did.
#[derive(Debug)]
pub enum Unpacked {
    Pack(Box<Manifest>),
    /// An update applied: the old and the new version.
    Updated(Box<Delta>),
}

/// Extracts a pack into `dir`, or applies an update to the old version unpacked in `dir`.
pub fn unpack(zip: &Path, dir: &Path) -> Result<Unpacked, Error> {
    unpack_with(zip, dir, Limits::default())
}

pub fn unpack_with(zip: &Path, dir: &Path, limits: Limits) -> Result<Unpacked, Error> {
    let mut reader = Reader::open(zip, limits)?;
    // a symlinked target: the real folder is replaced, beside itself, and the link kept
    let dir = &crate::output::resolve_target(dir)?;
    if let Some(data) = reader.read(delta::FILE_NAME, 512 << 20)? {
        let delta = Delta::parse(&data, zip)?;
        apply(&mut reader, delta, dir).map(|d| Unpacked::Updated(Box::new(d)))
    } else {
        let data = reader.read(manifest::FILE_NAME, 256 << 20)?.ok_or_else(|| not_a_pack(zip))?;
        let manifest = Manifest::parse(&data, zip)?;
        if !manifest.is_consistent() {
            return Err(Error::Usage(msg!(
                "unpack.manifest-damaged",
                zip = zip.display(),
                manifest = manifest::FILE_NAME
            )));
        }
        check_target(dir)?;
        let temp = beside(dir, "unpack")?;
        let result = (|| {
            let written = reader.extract(&temp, &[manifest::FILE_NAME], &|name| manifest.entry(name).cloned())?;
            let written: HashSet<&str> = written.iter().map(String::as_str).collect();
            let missing: Vec<&str> =
                manifest.files.iter().map(|e| e.path.as_str()).filter(|p| !written.contains(p)).collect();
            if let Some(first) = missing.first() {
                return Err(Error::Usage(msg!(
                    "unpack.files-missing",
                    zip = zip.display(),
                    count = missing.len(),
                    first
                )));
            }
            crate::fs::write(&temp.join(manifest::FILE_NAME), &data)?;
            finish(&temp)?;
            crate::output::swap(dir, &temp, &beside(dir, "old")?)
        })();
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&temp);
        }
        result.map(|()| Unpacked::Pack(Box::new(manifest)))
    }
}

/// Applies an update: `dir` must verify as `delta.from`.
fn apply(reader: &mut Reader, delta: Delta, dir: &Path) -> Result<Delta, Error> {
    let zip = reader.path().to_path_buf();
    let carried = delta.carried();
    let names: Vec<&str> = reader.names().into_iter().filter(|n| *n != delta::FILE_NAME).collect();
    if names != carried {
        return Err(Error::Usage(msg!("unpack.update-mismatch", zip = zip.display(), delta = delta::FILE_NAME)));
    }
    if !dir.is_dir() {
        return Err(Error::Usage(msg!("unpack.no-folder", dir = dir.display())));
    }
    let (current, problems) = manifest::verify_dir(dir)?;
    if current.content_hash != delta.from.content_hash {
        return Err(Error::Usage(msg!(
            "unpack.wrong-version",
            dir = dir.display(),
            id = current.id,
            version = current.version,
            from = delta.from.version,
            to = delta.to.version
        )));
    }
    if !problems.is_empty() {
        return Err(Error::Usage(msg!(
            "unpack.does-not-verify",
            dir = dir.display(),
            version = delta.from.version,
            missing = problems.missing.len(),
            extra = problems.extra.len(),
            corrupted = problems.corrupted.len()
        )));
    }
    let Some(to) = delta.new_manifest(&current) else {
        return Err(Error::Usage(msg!("unpack.damaged-update", zip = zip.display(), version = delta.to.version)));
    };
    let temp = beside(dir, "update")?;
    let result = (|| {
        let changed: HashSet<&str> = delta.changed.iter().map(String::as_str).collect();
        let unchanged: Vec<&str> = current
            .files
            .iter()
            .map(|e| e.path.as_str())
            .filter(|p| to.entry(p).is_some() && !changed.contains(p))
            .collect();
        for path in unchanged {
            let (from, to) = (crate::output::inside(dir, path)?, crate::output::inside(&temp, path)?);
            if let Some(parent) = to.parent() {
                crate::fs::create_dir_all(parent)?;
            }
            // a hard link costs nothing and is safe: files are never changed in place
            if std::fs::hard_link(&from, &to).is_err() {
                std::fs::copy(&from, &to).map_err(|e| Error::io(&from, "cannot copy", e))?;
            }
        }
        reader.extract(&temp, &[delta::FILE_NAME], &|name| to.entry(name).cloned())?;
        crate::fs::write(&temp.join(manifest::FILE_NAME), &to.to_json())?;
        finish(&temp)?;
        let (_, problems) = manifest::verify_dir(&temp)?;
        if !problems.is_empty() {
            return Err(Error::Usage(msg!(
                "unpack.apply-failed",
                zip = zip.display(),
                version = delta.to.version,
                problems = format!("{problems:?}")
            )));
        }
        crate::output::swap(dir, &temp, &beside(dir, "old")?)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&temp);
    }
    result.map(|()| Delta { to, ..delta })
}

/// The target may be missing, empty, or an unpacked pack (which is replaced).
fn check_target(dir: &Path) -> Result<(), Error> {
    if !dir.exists() {
        return Ok(());
    }
    if !dir.is_dir() {
        return Err(Error::Usage(msg!("unpack.not-a-folder", dir = dir.display())));
    }
    let empty = std::fs::read_dir(dir).map_err(|e| Error::io(dir, "cannot read", e))?.next().is_none();
    if empty || dir.join(manifest::FILE_NAME).is_file() {
        Ok(())
    } else {
        Err(Error::Usage(msg!("unpack.not-ours", dir = dir.display(), manifest = manifest::FILE_NAME)))
    }
}

/// A fresh folder beside `dir` (same file system, so the final rename is atomic), marked
/// as hoclieu's until [`finish`]: a run killed meanwhile leaves a folder the next run
/// recognises and removes. `old` is only a name (the swap moves the previous folder there).
fn beside(dir: &Path, what: &str) -> Result<PathBuf, Error> {
    let (parent, name) = crate::output::beside(dir)?;
    crate::fs::create_dir_all(&parent)?;
    if what != "old" {
        crate::output::remove_leftovers(&parent, &name);
    }
    let path = parent.join(format!(".{name}.{what}-{}", std::process::id()));
    if path.exists() {
        crate::fs::remove_dir_all(&path)?;
    }
    if what != "old" {
        crate::fs::create_dir_all(&path)?;
        crate::fs::write(&path.join(crate::output::TEMP_MARKER), b"hoclieu unpack in progress\n")?;
    }
    Ok(path)
}

/// Takes the temporary marker out of a filled folder (it would be an extra file of the
/// pack); from here on its manifest marks it.
fn finish(temp: &Path) -> Result<(), Error> {
    let marker = temp.join(crate::output::TEMP_MARKER);
    std::fs::remove_file(&marker).map_err(|e| Error::io(&marker, "cannot remove", e))
}

//! Delta updates: a small zip that turns one version of a pack into the next, for
//! schools that pay for every megabyte. It holds the changed and new files and
//! `hoclieu-delta.json`: both versions' manifests without their file lists, the entries
//! (size, SHA-256) of the changed and new files, and the removed paths. The old file list
//! is the one of the folder being updated (its content hash must be the old version's);
//! the new one is rebuilt from it and the differences, and checked against the new
//! version's content hash, so two full lists of tens of thousands of hashes never travel.
//! [`super::unpack`] applies it only to a folder that verifies as the old version, in a
//! copy swapped in at the end.

use super::archive::{self, Reader};
use super::manifest::{self, content_hash, FileEntry, Manifest};
use super::{BuildTime, BuiltPack};
use crate::msg;
use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

pub const FILE_NAME: &str = "hoclieu-delta.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    pub format: u32,
    /// The pack's id (the same in both versions).
    pub id: String,
    /// The old version's manifest (its file list only in memory, when made here).
    pub from: Manifest,
    /// The new version's manifest (its file list only in memory, when made here).
    pub to: Manifest,
    /// Files of `to` whose bytes differ from `from`'s, sorted.
    pub changed: Vec<String>,
    /// Files of `to` that `from` lacks, sorted.
    pub added: Vec<String>,
    /// Files of `from` that `to` lacks, sorted.
    pub removed: Vec<String>,
    /// Entries of the changed and added files (the files the update carries), sorted.
    pub files: Vec<FileEntry>,
}

impl Delta {
    /// What it takes to go from `from` to `to`.
    pub fn between(from: Manifest, to: Manifest) -> Delta {
        let mut changed = Vec::new();
        let mut added = Vec::new();
        let mut files = Vec::new();
        for entry in &to.files {
            match from.entry(&entry.path) {
                None => added.push(entry.path.clone()),
                Some(old) if old.sha256 != entry.sha256 || old.size != entry.size => changed.push(entry.path.clone()),
                Some(_) => continue,
            }
            files.push(entry.clone());
        }
        let removed = from.files.iter().filter(|e| to.entry(&e.path).is_none()).map(|e| e.path.clone()).collect();
        Delta { format: manifest::FORMAT, id: to.id.clone(), from, to, changed, added, removed, files }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut compact = self.clone();
        compact.from.files.clear();
        compact.to.files.clear();
        let mut json = serde_json::to_vec_pretty(&compact).expect("a delta serialises");
        json.push(b'\n');
        json
    }

    pub fn parse(data: &[u8], from: &Path) -> Result<Delta, Error> {
        let delta: Delta = serde_json::from_slice(data).map_err(|e| {
            Error::Usage(msg!(
                "delta.invalid",
                from = from.display(),
                line = e.line(),
                col = e.column(),
                file = FILE_NAME,
                error = e
            ))
        })?;
        let damaged = |what: String| Error::Usage(msg!("delta.damaged", from = from.display(), what));
        if delta.format > manifest::FORMAT {
            return Err(Error::Usage(msg!("delta.newer", from = from.display(), format = delta.format)));
        }
        if delta.from.id != delta.to.id || delta.id != delta.to.id {
            return Err(Error::Usage(msg!(
                "delta.two-packs",
                from = from.display(),
                old = delta.from.id,
                new = delta.to.id
            )));
        }
        // the carried entries are checked as a manifest's are (safe names, hashes)
        Manifest::parse(&Manifest { files: delta.files.clone(), ..delta.to.clone() }.to_json(), from)?;
        let mut carried: Vec<&str> = delta.changed.iter().chain(&delta.added).map(String::as_str).collect();
        carried.sort_unstable();
        let listed: Vec<&str> = delta.files.iter().map(|e| e.path.as_str()).collect();
        if carried != listed {
            return Err(damaged(msg!("delta.files-differ")));
        }
        if delta.removed.iter().any(|p| manifest::check_name(p).is_err()) {
            return Err(damaged(msg!("delta.unsafe-removed")));
        }
        Ok(delta)
    }

    /// The files the update zip carries, sorted.
    pub fn carried(&self) -> Vec<&str> {
        self.files.iter().map(|e| e.path.as_str()).collect()
    }

    /// The new version's manifest with its file list: `old` (the folder's own manifest,
    /// whose content hash is `from`'s) with the differences. `None` if the result is not
    /// the new version (a damaged update).
    pub fn new_manifest(&self, old: &Manifest) -> Option<Manifest> {
        let gone: HashSet<&str> = self.removed.iter().chain(&self.changed).map(String::as_str).collect();
        let mut files: Vec<FileEntry> = old
            .files
            .iter()
            .filter(|e| !gone.contains(e.path.as_str()))
            .cloned()
            .chain(self.files.iter().cloned())
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        (content_hash(&files) == self.to.content_hash && files.len() == self.to.file_count)
            .then(|| Manifest { files, ..self.to.clone() })
    }
}

/// Reads the manifest of an old pack zip (checked as any zip is).
pub fn old_manifest(old: &Path) -> Result<Manifest, Error> {
    let mut reader = Reader::open(old, archive::Limits::default())?;
    if reader.has(FILE_NAME) {
        return Err(Error::Usage(msg!("delta.is-update", old = old.display())));
    }
    let data = reader
        .read(manifest::FILE_NAME, 256 << 20)?
        .ok_or_else(|| Error::Usage(msg!("delta.not-a-pack", old = old.display(), file = manifest::FILE_NAME)))?;
    Manifest::parse(&data, old)
}

/// The update zip from the pack whose manifest is `from` to `new`.
pub fn make(from: Manifest, new: &BuiltPack, time: BuildTime) -> Result<(Delta, Vec<u8>), Error> {
    if from.id != new.id {
        return Err(Error::Usage(msg!("delta.other-pack", old = from.id, new = new.id)));
    }
    let delta = Delta::between(from, new.manifest.clone());
    let json = delta.to_json();
    let carried = delta.carried();
    let mut entries: Vec<(&str, &[u8])> = new
        .files
        .iter()
        .filter(|f| carried.binary_search(&f.path.as_str()).is_ok())
        .map(|f| (f.path.as_str(), f.data.as_slice()))
        .collect();
    entries.push((FILE_NAME, &json));
    let zip = archive::write_entries(entries, time)?;
    Ok((delta, zip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Pack;
    use crate::pack::{PackFile, ZIP_EPOCH};

    fn manifest(files: &[(&str, &str)]) -> Manifest {
        let pack =
            Pack { id: "p".into(), title: None, languages: vec![], groups: vec![], domains: vec![], formats: vec![] };
        let files: Vec<PackFile> =
            files.iter().map(|(p, d)| PackFile { path: p.to_string(), data: d.as_bytes().to_vec() }).collect();
        Manifest::of(&pack, "P", &files, BuildTime { epoch: ZIP_EPOCH, source: "none" })
    }

    #[test]
    fn an_update_rebuilds_the_new_file_list_from_the_old_one() {
        let old = manifest(&[("a.html", "a"), ("b.html", "b"), ("c.html", "c")]);
        let new = manifest(&[("a.html", "a"), ("b.html", "B"), ("d.html", "d")]);
        let delta = Delta::between(old.clone(), new.clone());
        assert_eq!(
            (delta.changed.as_slice(), delta.added.as_slice()),
            (&["b.html".to_string()][..], &["d.html".to_string()][..])
        );
        assert_eq!(delta.removed, ["c.html"]);
        let parsed = Delta::parse(&delta.to_json(), Path::new("u.zip")).unwrap();
        assert!(parsed.from.files.is_empty() && parsed.to.files.is_empty(), "no full lists travel");
        assert_eq!(parsed.new_manifest(&old), Some(new));
        // from another old version, or with an entry tampered, the result is not the new version
        let other = manifest(&[("a.html", "x"), ("b.html", "b"), ("c.html", "c")]);
        assert_eq!(parsed.new_manifest(&other), None);
        let mut tampered = parsed.clone();
        tampered.files[0].sha256 = "0".repeat(64);
        assert_eq!(tampered.new_manifest(&old), None);
    }
}

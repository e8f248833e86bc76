//! Delta updates: a small zip that turns one version of a pack into the next, for
//! schools that pay for every megabyte. It holds the changed and new files, the list of
//! removed ones and both manifests (`hoclieu-delta.json`); [`super::unpack`] applies it
//! only to a folder that verifies as the old version, in a copy swapped in at the end.

use super::archive::{self, Reader};
use super::manifest::{self, Manifest};
use super::{BuildTime, BuiltPack};
use crate::Error;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const FILE_NAME: &str = "hoclieu-delta.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    pub format: u32,
    /// The pack's id (the same in both versions).
    pub id: String,
    pub from: Manifest,
    pub to: Manifest,
    /// Files of `to` whose bytes differ from `from`'s, sorted.
    pub changed: Vec<String>,
    /// Files of `to` that `from` lacks, sorted.
    pub added: Vec<String>,
    /// Files of `from` that `to` lacks, sorted.
    pub removed: Vec<String>,
}

impl Delta {
    /// What it takes to go from `from` to `to`.
    pub fn between(from: Manifest, to: Manifest) -> Delta {
        let mut changed = Vec::new();
        let mut added = Vec::new();
        for entry in &to.files {
            match from.entry(&entry.path) {
                None => added.push(entry.path.clone()),
                Some(old) if old.sha256 != entry.sha256 || old.size != entry.size => changed.push(entry.path.clone()),
                Some(_) => {}
            }
        }
        let removed = from.files.iter().filter(|e| to.entry(&e.path).is_none()).map(|e| e.path.clone()).collect();
        Delta { format: manifest::FORMAT, id: to.id.clone(), from, to, changed, added, removed }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec_pretty(self).expect("a delta serialises");
        json.push(b'\n');
        json
    }

    pub fn parse(data: &[u8], from: &Path) -> Result<Delta, Error> {
        let delta: Delta = serde_json::from_slice(data).map_err(|e| {
            Error::Usage(format!("{}:{}:{}: not a valid {FILE_NAME}: {e}", from.display(), e.line(), e.column()))
        })?;
        if delta.format > manifest::FORMAT {
            return Err(Error::Usage(format!(
                "{}: update format {} is newer than this hoclieu; hint: update hoclieu",
                from.display(),
                delta.format
            )));
        }
        for (what, manifest) in [("from", &delta.from), ("to", &delta.to)] {
            let json = manifest.to_json();
            Manifest::parse(&json, from)?;
            if !manifest.is_consistent() {
                return Err(Error::Usage(format!(
                    "{}: the \"{what}\" manifest of the update is damaged",
                    from.display()
                )));
            }
        }
        if delta.from.id != delta.to.id {
            return Err(Error::Usage(format!(
                "{}: the update goes from pack \"{}\" to pack \"{}\"; hint: an update applies to one pack",
                from.display(),
                delta.from.id,
                delta.to.id
            )));
        }
        if delta != Delta::between(delta.from.clone(), delta.to.clone()) {
            return Err(Error::Usage(format!(
                "{}: the update's file lists do not match its manifests",
                from.display()
            )));
        }
        Ok(delta)
    }

    /// The files the update zip must carry.
    pub fn carried(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.changed.iter().chain(&self.added).map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

/// Reads the manifest of an old pack zip (checked as any zip is).
pub fn old_manifest(old: &Path) -> Result<Manifest, Error> {
    let mut reader = Reader::open(old, archive::Limits::default())?;
    if reader.has(FILE_NAME) {
        return Err(Error::Usage(format!(
            "{} is an update, not a pack; hint: pass the full pack of the old version to --since",
            old.display()
        )));
    }
    let data = reader.read(manifest::FILE_NAME, 256 << 20)?.ok_or_else(|| {
        Error::Usage(format!("{} has no {}: it is not a hoclieu pack", old.display(), manifest::FILE_NAME))
    })?;
    Manifest::parse(&data, old)
}

/// The update zip from the pack whose manifest is `from` to `new`.
pub fn make(from: Manifest, new: &BuiltPack, time: BuildTime) -> Result<(Delta, Vec<u8>), Error> {
    if from.id != new.id {
        return Err(Error::Usage(format!(
            "the old pack is \"{}\", not \"{}\"; hint: pass the old version of the same pack to --since",
            from.id, new.id
        )));
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

//! The tallies a language's index was made from, kept in the build cache so that the next
//! build reads again only the documents that changed ([`super::incremental`]): one file per
//! language, `<cache_dir>/search-<lang>`, written as the index is made (streamed: the
//! tallies are never all in memory) and renamed into place when whole.
//!
//! Layout (integers are LEB128 varints unless said otherwise):
//!
//! - [`MAGIC`], the format ([`FORMAT`], 4 bytes little-endian), the build cache's key (its
//!   length, its bytes: this hoclieu, this output, see [`crate::output::cache::key`]);
//! - the vocabulary: how many terms, the length of each, then their UTF-8 bytes one after
//!   the other (checked as UTF-8 at once when read); a term's number is its place here, the
//!   same from build to build;
//! - one record per document, in any order: the XXH3-128 of its indexed texts
//!   ([`text_hash`], 16 bytes), its words per field (4 × f32), the length of its terms,
//!   then its terms ([`encode`]);
//! - the terms' numbers in [`crate::search::browser::shard_order`] (written last: a clean
//!   build sorts its terms once the documents are scored), so that a rebuild sorts only
//!   the terms it meets for the first time; then where they start in the file (8 bytes);
//! - the XXH3-128 of everything before (16 bytes).
//!
//! A file whose checksum, magic, format or key does not match (damaged, cut short, another
//! hoclieu) is not used; one that cannot be written costs the next build time, nothing else.

use super::{FieldCounts, FieldLengths, Occurrences, FIELDS};
use crate::search::{weighted_fields, Document};
use rustc_hash::FxHashMap as HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use xxhash_rust::xxh3::{xxh3_128, Xxh3Default};

const MAGIC: &[u8; 16] = b"hoclieu-tallies\n";
/// Bumped whenever the layout or the meaning of a tally changes.
const FORMAT: u32 = 1;
/// A record's fixed part: the hash and the lengths.
const FIXED: usize = 16 + 4 * FIELDS;
/// A run's records are handed to the file in batches of about this many bytes.
pub(super) const BATCH: usize = 256 * 1024;

/// Where the build cache keeps the tallies, and whether those found there may be used
/// (not with `hoclieu build --clean`).
pub struct TalliesCache<'a> {
    pub dir: &'a Path,
    /// The build cache's key ([`crate::output::cache::key`]): a file made by another
    /// hoclieu (which may read words otherwise) is not used.
    pub key: &'a str,
    pub reuse: bool,
}

impl TalliesCache<'_> {
    /// The file of language `lang`.
    pub(super) fn path(&self, lang: &str) -> PathBuf {
        self.dir.join(format!("search-{lang}"))
    }
}

/// The hash a document's record is found by: of the texts its tally is read from.
pub(super) fn text_hash(doc: &Document) -> u128 {
    let mut h = Xxh3Default::new();
    for (text, _) in weighted_fields(doc) {
        h.update(&(text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.digest128()
}

/// Appends one document's record: `hash`, `lengths`, its `terms` (each: its number, a byte
/// with the fields holding it (bits 0–3), the flag (bit 4) and whether each count is 1
/// (bit 5), then, unless they are all 1, the count in each field holding it).
pub(super) fn encode(out: &mut Vec<u8>, hash: u128, lengths: &FieldLengths, terms: &[Occurrences]) {
    out.extend_from_slice(&hash.to_le_bytes());
    for length in lengths {
        out.extend_from_slice(&length.to_le_bytes());
    }
    let mut body = Vec::with_capacity(terms.len() * 4);
    for o in terms {
        varint(&mut body, u64::from(o.term));
        let fields = (0..FIELDS).filter(|&f| o.counts[f] > 0).fold(0u8, |m, f| m | 1 << f);
        let ones = o.counts.iter().all(|&c| c <= 1);
        body.push(fields | u8::from(o.flag) << 4 | u8::from(ones) << 5);
        if !ones {
            for &count in o.counts.iter().filter(|&&c| c > 0) {
                varint(&mut body, u64::from(count));
            }
        }
    }
    varint(out, body.len() as u64);
    out.extend_from_slice(&body);
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a file's bytes in order; every read is `None` past the end.
struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let bytes = self.data.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(bytes)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.data.get(self.at)?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }

    fn number(&mut self) -> Option<usize> {
        usize::try_from(self.varint()?).ok()
    }
}

/// A language's tallies as the last build kept them.
pub(super) struct Kept {
    data: Vec<u8>,
    /// The terms one after the other.
    vocabulary: String,
    /// Where each term ends in `vocabulary` (it starts where the one before ends).
    ends: Vec<usize>,
    /// The terms' numbers in shard order.
    pub(super) order: Vec<u32>,
    /// Text hash → where its record starts in `data`.
    records: HashMap<u128, usize>,
}

/// One document's record in [`Kept`].
#[derive(Clone, Copy)]
pub(super) struct Record<'a> {
    pub(super) lengths: FieldLengths,
    /// Its terms ([`encode`]).
    terms: &'a [u8],
    /// The whole record, to copy into the next file.
    pub(super) bytes: &'a [u8],
}

impl Kept {
    /// The tallies in the file at `path` when it is whole and was made for `key`.
    pub(super) fn load(path: &Path, key: &str) -> Option<Kept> {
        let data = std::fs::read(path).ok()?;
        let body = data.len().checked_sub(16)?;
        if xxh3_128(&data[..body]).to_le_bytes() != data[body..] {
            return None;
        }
        let order_start =
            usize::try_from(u64::from_le_bytes(data.get(body.checked_sub(8)?..body)?.try_into().ok()?)).ok()?;
        let records_end = order_start.min(body - 8);
        let mut read = Reader { data: &data[..records_end], at: 0 };
        if read.bytes(MAGIC.len())? != MAGIC || read.bytes(4)? != FORMAT.to_le_bytes() {
            return None;
        }
        let length = read.number()?;
        if read.bytes(length)? != key.as_bytes() {
            return None;
        }
        let count = read.number()?;
        let mut ends = Vec::with_capacity(count.min(body));
        let mut end = 0usize;
        for _ in 0..count {
            end = end.checked_add(read.number()?)?;
            ends.push(end);
        }
        let vocabulary = std::str::from_utf8(read.bytes(end)?).ok()?.to_string();
        let mut records = HashMap::default();
        while read.at < records_end {
            let start = read.at;
            let hash = u128::from_le_bytes(read.bytes(16)?.try_into().ok()?);
            read.bytes(4 * FIELDS)?;
            let length = read.number()?;
            read.bytes(length)?;
            records.insert(hash, start);
        }
        // a permutation of the terms' numbers, up to the position
        let mut read = Reader { data: &data[..body - 8], at: order_start };
        let mut seen = vec![false; count];
        let mut order = Vec::with_capacity(count);
        for _ in 0..count {
            let id = read.number()?;
            if std::mem::replace(seen.get_mut(id)?, true) {
                return None;
            }
            order.push(id as u32);
        }
        if read.at != body - 8 {
            return None;
        }
        Some(Kept { data, vocabulary, ends, order, records })
    }

    /// How many terms the vocabulary holds.
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Term number `id`.
    pub(super) fn term(&self, id: u32) -> &str {
        let start = id.checked_sub(1).map_or(0, |before| self.ends[before as usize]);
        // (empty if the file cut a character: a term of no document)
        self.vocabulary.get(start..self.ends[id as usize]).unwrap_or_default()
    }

    /// The record of the document whose indexed texts hash to `hash`.
    pub(super) fn record(&self, hash: u128) -> Option<Record<'_>> {
        let start = *self.records.get(&hash)?;
        let mut read = Reader { data: &self.data, at: start + 16 };
        let mut lengths = [0.0; FIELDS];
        for length in &mut lengths {
            *length = f32::from_le_bytes(read.bytes(4)?.try_into().ok()?);
        }
        debug_assert_eq!(read.at, start + FIXED);
        let length = read.number()?;
        let terms = read.bytes(length)?;
        Some(Record { lengths, terms, bytes: &self.data[start..read.at] })
    }
}

impl Record<'_> {
    /// The document's terms into `terms` (emptied first); `None` when a number is not below
    /// `vocabulary` or the record is malformed.
    pub(super) fn terms_into(&self, terms: &mut Vec<Occurrences>, vocabulary: usize) -> Option<()> {
        terms.clear();
        let mut read = Reader { data: self.terms, at: 0 };
        while read.at < self.terms.len() {
            let term = read.number()?;
            if term >= vocabulary {
                return None;
            }
            let byte = *read.bytes(1)?.first()?;
            let mut counts = FieldCounts::default();
            for (field, count) in counts.iter_mut().enumerate() {
                if byte & 1 << field != 0 {
                    *count = match byte & 1 << 5 != 0 {
                        true => 1,
                        false => u16::try_from(read.varint()?).ok()?,
                    };
                }
            }
            terms.push(Occurrences { term: term as u32, counts, flag: byte & 1 << 4 != 0 });
        }
        Some(())
    }
}

/// A language's tallies being written: the vocabulary first, then the documents' records
/// as the runs make them, then the checksum, into a temporary file renamed into place.
pub(super) struct Writer {
    file: Mutex<Hashed>,
    temporary: PathBuf,
    path: PathBuf,
}

/// The file being written, and the hash of what it has been given.
struct Hashed {
    out: Option<std::io::BufWriter<std::fs::File>>,
    hash: Xxh3Default,
    /// Bytes given so far.
    length: u64,
}

impl Hashed {
    /// Writes `bytes`; after a failure the file is given up ([`Writer::finish`] removes it).
    fn write(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
        self.length += bytes.len() as u64;
        if let Some(out) = &mut self.out {
            if out.write_all(bytes).is_err() {
                self.out = None;
            }
        }
    }
}

impl Writer {
    /// Starts the file of `lang` with the vocabulary, `terms` by number. `None` when the
    /// file cannot be made.
    pub(super) fn create<'t>(
        cache: &TalliesCache,
        lang: &str,
        terms: impl ExactSizeIterator<Item = &'t str> + Clone,
    ) -> Option<Writer> {
        std::fs::create_dir_all(cache.dir).ok()?;
        let path = cache.path(lang);
        let temporary = cache.dir.join(format!(".search-{lang}.{}.tmp", std::process::id()));
        let out = std::io::BufWriter::with_capacity(BATCH, std::fs::File::create(&temporary).ok()?);
        let mut file = Hashed { out: Some(out), hash: Xxh3Default::new(), length: 0 };
        let mut head = Vec::with_capacity(BATCH);
        head.extend_from_slice(MAGIC);
        head.extend_from_slice(&FORMAT.to_le_bytes());
        varint(&mut head, cache.key.len() as u64);
        head.extend_from_slice(cache.key.as_bytes());
        varint(&mut head, terms.len() as u64);
        let mut flush = |head: &mut Vec<u8>| {
            if head.len() >= BATCH {
                file.write(head);
                head.clear();
            }
        };
        for term in terms.clone() {
            varint(&mut head, term.len() as u64);
            flush(&mut head);
        }
        for term in terms {
            head.extend_from_slice(term.as_bytes());
            flush(&mut head);
        }
        file.write(&head);
        Some(Writer { file: Mutex::new(file), temporary, path })
    }

    /// Appends records ([`encode`]); the runs call it with batches of about [`BATCH`] bytes.
    pub(super) fn records(&self, bytes: &[u8]) {
        if let Ok(mut file) = self.file.lock() {
            file.write(bytes);
        }
    }

    /// Ends the file with the terms' numbers in shard `order` and the checksum, and puts it
    /// in place.
    pub(super) fn finish(self, order: &[u32]) {
        let Ok(mut file) = self.file.into_inner() else { return };
        let start = file.length;
        let mut tail = Vec::with_capacity(BATCH);
        for &id in order {
            varint(&mut tail, u64::from(id));
            if tail.len() >= BATCH {
                file.write(&tail);
                tail.clear();
            }
        }
        tail.extend_from_slice(&start.to_le_bytes());
        file.write(&tail);
        let Hashed { out, hash, .. } = file;
        let whole = out.and_then(|mut out| {
            out.write_all(&hash.digest128().to_le_bytes()).ok()?;
            out.into_inner().ok().map(drop)
        });
        if whole.is_none() || std::fs::rename(&self.temporary, &self.path).is_err() {
            let _ = std::fs::remove_file(&self.temporary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<Document> {
        ["Mật khẩu mạnh", "Đường đi an toàn"]
            .iter()
            .map(|title| Document {
                key: 0,
                title: title.to_string(),
                path: String::new(),
                crumb: String::new(),
                summary: String::new(),
                headings: String::new(),
                body: "Đặt mật khẩu dài, dễ nhớ. Mật khẩu mạnh.".into(),
                groups: vec![],
                domains: vec![],
            })
            .collect()
    }

    #[test]
    fn a_damaged_truncated_or_foreign_file_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TalliesCache { dir: dir.path(), key: "k", reuse: true };
        super::super::postings_cached(&docs(), "vi", &cache);
        let path = cache.path("vi");
        let kept = Kept::load(&path, "k").expect("a whole file");
        assert_eq!(kept.records.len(), 2);
        assert!(kept.record(text_hash(&docs()[1])).is_some());
        assert!(Kept::load(&path, "other").is_none(), "made by another hoclieu");
        let data = std::fs::read(&path).unwrap();
        let mut wrong: Vec<(&str, Vec<u8>)> = vec![
            ("cut short", data[..data.len() - 20].to_vec()),
            ("empty", Vec::new()),
            ("not a tallies file", b"hoclieu-tallies\nsomething else entirely".to_vec()),
        ];
        for at in [3, MAGIC.len() + 1, data.len() / 2, data.len() - 20, data.len() - 1] {
            let mut flipped = data.clone();
            flipped[at] ^= 1;
            wrong.push(("one bit changed", flipped));
        }
        // another format, its checksum right
        let mut other = data[..data.len() - 16].to_vec();
        other[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&(FORMAT + 1).to_le_bytes());
        other.extend_from_slice(&xxh3_128(&other).to_le_bytes());
        wrong.push(("another format", other));
        for (what, bytes) in wrong {
            std::fs::write(&path, bytes).unwrap();
            assert!(Kept::load(&path, "k").is_none(), "{what}");
        }
    }
}

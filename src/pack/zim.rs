//! ZIM files, the single-file format Kiwix reads (its apps for Android, Windows, Linux and
//! iOS, `kiwix-serve`, Kiwix hotspots): a writer and a careful reader of our own, after
//! openZIM's specification, as no maintained Rust crate writes the format.
//!
//! What is written follows libzim 8's "new namespace scheme" (version 6.1): every file of the
//! pack is an entry `C/<path>`; metadata are `M/<Name>` entries (`M/Illustration_48x48@1` a
//! PNG); `W/mainPage` redirects to the main page; `X/listing/titleOrdered/v0` (every entry)
//! and `…/v1` (pages with a title: Kiwix's suggestions) list entries by title, in an
//! uncompressed cluster, the header's title pointer aiming into the first. Text is stored
//! in zstd-compressed clusters of about 1 MiB, pictures and sound as they are. Layout:
//! header, MIME types, directory entries, path pointers, cluster pointers, clusters, and the
//! MD5 of all that. Nothing depends on the clock or the machine: the same entries give the
//! same bytes.
//!
//! [`Reader`] treats every file as hostile until checked: the MD5 first, then every
//! pointer, entry, MIME index and cluster offset against the file's size, entry names as
//! [`archive::check_name`] does for zips, and each cluster's decompressed size against
//! [`Limits`] while it is decompressed, never trusting what the file claims.

use super::archive::Limits;
use super::manifest::check_name;
use super::manifest::{self, FileEntry};
use crate::Error;
use md5::{Digest, Md5};
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The first four bytes of every ZIM file (`ZIM\x04`).
pub const MAGIC: u32 = 72_173_914;
const HEADER_SIZE: usize = 80;
const NONE: u32 = u32::MAX;
const REDIRECT: u16 = 0xffff;
/// Raw bytes gathered in a cluster before it is closed.
const CLUSTER_SIZE: usize = 1 << 20;
const ZSTD_LEVEL: i32 = 15;
const COMPRESSION_NONE: u8 = 1;
const COMPRESSION_ZSTD: u8 = 5;
const EXTENDED: u8 = 0x10;
const LISTING_MIME: &str = "application/octet-stream+zimlisting";

/// Whether `data` starts like a ZIM file.
pub fn is_zim(data: &[u8]) -> bool {
    data.len() >= 4 && u32::from_le_bytes([data[0], data[1], data[2], data[3]]) == MAGIC
}

/// The `M/` entries Kiwix shows in its library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// A stable identifier of the content, the same for every version (`hoclieu_can-bo-vi`).
    pub name: String,
    pub title: String,
    /// At most 80 characters (the library's one-line description).
    pub description: String,
    /// The whole description when it is longer (at most 4000 characters).
    pub long_description: Option<String>,
    /// ISO 639-3 codes, comma-separated (`vie,blt,hmn`).
    pub language: String,
    pub creator: String,
    pub publisher: String,
    /// `YYYY-MM-DD`
    pub date: String,
    /// `;`-separated
    pub tags: String,
    /// A 48×48 PNG.
    pub illustration: Vec<u8>,
}

/// A file of the archive, stored as `C/<path>`.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    pub path: &'a str,
    pub data: &'a [u8],
    /// The title a reader searches for; `Some` makes it a "front article" of Kiwix's
    /// suggestions.
    pub title: Option<&'a str>,
}

enum Body<'a> {
    Data { mime: &'a str, data: std::borrow::Cow<'a, [u8]>, compress: bool },
    Redirect(String),
}

struct Entry<'a> {
    namespace: u8,
    path: String,
    title: String,
    front: bool,
    body: Body<'a>,
}

impl Entry<'_> {
    /// What libzim compares titles by: the title, or the path when there is none.
    fn sort_title(&self) -> &str {
        if self.title.is_empty() {
            &self.path
        } else {
            &self.title
        }
    }
}

/// The MIME type stored for a path: as `hoclieu serve` sends it, without parameters
/// (zimcheck and Kiwix match `text/html` exactly; `M/Counter` separates types by `;`).
pub fn mime_of(path: &str) -> &'static str {
    let full = crate::serve::mime::content_type(path);
    full.split_once(';').map_or(full, |(mime, _)| mime)
}

/// Whether zstd would shrink a file of this type.
fn compressible(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime.contains("json")
        || mime.contains("xml")
        || mime == "application/javascript"
        || mime == "font/ttf"
        || mime == "font/otf"
}

/// Writes a ZIM file of `pages` in memory. `main` is the path of the main page (one of
/// `pages`); `uuid` identifies this very content (derive it from the content's hash).
pub fn write(pages: &[Page], main: &str, metadata: &Metadata, uuid: [u8; 16]) -> Result<Vec<u8>, String> {
    let mut entries: Vec<Entry> = Vec::with_capacity(pages.len() + 16);
    let mut counter: BTreeMap<&str, usize> = BTreeMap::new();
    for page in pages {
        check_name(page.path).map_err(|why| format!("cannot store \"{}\": {why}", page.path))?;
        let mime = mime_of(page.path);
        *counter.entry(mime).or_default() += 1;
        entries.push(Entry {
            namespace: b'C',
            path: page.path.to_string(),
            title: page.title.unwrap_or_default().to_string(),
            front: page.title.is_some(),
            body: Body::Data { mime, data: page.data.into(), compress: compressible(mime) },
        });
    }
    if !pages.iter().any(|p| p.path == main) {
        return Err(format!("the main page \"{main}\" is not among the files"));
    }
    let counter = counter.iter().map(|(mime, n)| format!("{mime}={n}")).collect::<Vec<_>>().join(";").into_bytes();
    let texts: [(&str, &[u8]); 10] = [
        ("Counter", &counter),
        ("Creator", metadata.creator.as_bytes()),
        ("Date", metadata.date.as_bytes()),
        ("Description", metadata.description.as_bytes()),
        ("Language", metadata.language.as_bytes()),
        ("Name", metadata.name.as_bytes()),
        ("Publisher", metadata.publisher.as_bytes()),
        ("Scraper", concat!("hoclieu ", env!("CARGO_PKG_VERSION")).as_bytes()),
        ("Tags", metadata.tags.as_bytes()),
        ("Title", metadata.title.as_bytes()),
    ];
    let long = metadata.long_description.as_deref().map(|d| ("LongDescription", d.as_bytes()));
    for (name, value) in texts.into_iter().chain(long) {
        entries.push(Entry {
            namespace: b'M',
            path: name.into(),
            title: String::new(),
            front: false,
            body: Body::Data { mime: "text/plain", data: value.to_vec().into(), compress: true },
        });
    }
    entries.push(Entry {
        namespace: b'M',
        path: "Illustration_48x48@1".into(),
        title: String::new(),
        front: false,
        body: Body::Data { mime: "image/png", data: metadata.illustration.as_slice().into(), compress: false },
    });
    entries.push(Entry {
        namespace: b'W',
        path: "mainPage".into(),
        title: String::new(),
        front: false,
        body: Body::Redirect(main.to_string()),
    });
    for version in ["v0", "v1"] {
        entries.push(Entry {
            namespace: b'X',
            path: format!("listing/titleOrdered/{version}"),
            title: String::new(),
            front: false,
            // filled below, once every entry has its index
            body: Body::Data { mime: LISTING_MIME, data: Vec::new().into(), compress: false },
        });
    }
    entries.sort_by(|a, b| (a.namespace, a.path.as_str()).cmp(&(b.namespace, b.path.as_str())));
    if let Some(twice) = entries.windows(2).find(|w| (w[0].namespace, &w[0].path) == (w[1].namespace, &w[1].path)) {
        return Err(format!("\"{}\" appears twice", twice[0].path));
    }
    fn find(entries: &[Entry], namespace: u8, path: &str) -> Option<usize> {
        entries.binary_search_by(|e| (e.namespace, e.path.as_str()).cmp(&(namespace, path))).ok()
    }
    let index_of = |namespace: u8, path: &str| find(&entries, namespace, path);
    let redirects: Vec<Option<u32>> = entries
        .iter()
        .map(|e| match &e.body {
            Body::Redirect(target) => index_of(b'C', target).map(|i| i as u32),
            Body::Data { .. } => None,
        })
        .collect();
    let main_index = index_of(b'W', "mainPage").expect("added above") as u32;

    // title listings: (namespace, title) order, ties by path (the entries' order)
    let mut by_title: Vec<u32> = (0..entries.len() as u32).collect();
    by_title.sort_by(|&a, &b| {
        let (a, b) = (&entries[a as usize], &entries[b as usize]);
        (a.namespace, a.sort_title()).cmp(&(b.namespace, b.sort_title()))
    });
    let listing = |indexes: &mut dyn Iterator<Item = &u32>| indexes.flat_map(|i| i.to_le_bytes()).collect::<Vec<u8>>();
    let v0 = listing(&mut by_title.iter());
    let v1 = listing(&mut by_title.iter().filter(|&&i| entries[i as usize].front));
    for (path, data) in [("listing/titleOrdered/v0", v0), ("listing/titleOrdered/v1", v1)] {
        let i = find(&entries, b'X', path).expect("added above");
        entries[i].body = Body::Data { mime: LISTING_MIME, data: data.into(), compress: false };
    }

    // MIME types, sorted
    let mimes: Vec<&str> = {
        let mut set: Vec<&str> = entries
            .iter()
            .filter_map(|e| match &e.body {
                Body::Data { mime, .. } => Some(*mime),
                Body::Redirect(_) => None,
            })
            .collect();
        set.sort_unstable();
        set.dedup();
        set
    };

    // clusters: compressed ones first, in path order, then the stored ones
    let mut clusters: Vec<(bool, Vec<usize>)> = Vec::new();
    let mut place: Vec<(u32, u32)> = vec![(0, 0); entries.len()];
    for wanted in [true, false] {
        let mut current: Vec<usize> = Vec::new();
        let mut size = 0usize;
        for (i, entry) in entries.iter().enumerate() {
            let Body::Data { data, compress, .. } = &entry.body else { continue };
            if *compress != wanted {
                continue;
            }
            if !current.is_empty() && size + data.len() > CLUSTER_SIZE {
                clusters.push((wanted, std::mem::take(&mut current)));
                size = 0;
            }
            place[i] = (clusters.len() as u32, current.len() as u32);
            current.push(i);
            size += data.len();
        }
        if !current.is_empty() {
            clusters.push((wanted, current));
        }
    }
    let mut cluster_bytes: Vec<Vec<u8>> = Vec::with_capacity(clusters.len());
    // where the v0 listing's bytes start inside its cluster
    let mut v0_at: Option<(usize, u64)> = None;
    let v0_index = find(&entries, b'X', "listing/titleOrdered/v0").expect("added above");
    for (n, (compress, members)) in clusters.iter().enumerate() {
        let blobs: Vec<&[u8]> = members
            .iter()
            .map(|&i| match &entries[i].body {
                Body::Data { data, .. } => data.as_ref(),
                Body::Redirect(_) => unreachable!("redirects have no blob"),
            })
            .collect();
        let total: usize = blobs.iter().map(|b| b.len()).sum();
        let extended = total + 4 * (blobs.len() + 1) > u32::MAX as usize;
        let width = if extended { 8 } else { 4 };
        let mut raw = Vec::with_capacity(total + width * (blobs.len() + 1));
        let mut offset = (width * (blobs.len() + 1)) as u64;
        let mut starts = Vec::with_capacity(blobs.len() + 1);
        for blob in &blobs {
            starts.push(offset);
            offset += blob.len() as u64;
        }
        starts.push(offset);
        for start in &starts {
            if extended {
                raw.extend(start.to_le_bytes());
            } else {
                raw.extend((*start as u32).to_le_bytes());
            }
        }
        for blob in &blobs {
            raw.extend_from_slice(blob);
        }
        if let Some(pos) = members.iter().position(|&i| i == v0_index) {
            v0_at = Some((n, 1 + starts[pos]));
        }
        let flag = if extended { EXTENDED } else { 0 };
        let bytes = if *compress {
            let packed = zstd::bulk::compress(&raw, ZSTD_LEVEL).map_err(|e| format!("zstd: {e}"))?;
            let mut out = Vec::with_capacity(packed.len() + 1);
            out.push(COMPRESSION_ZSTD | flag);
            out.extend(packed);
            out
        } else {
            let mut out = Vec::with_capacity(raw.len() + 1);
            out.push(COMPRESSION_NONE | flag);
            out.extend(raw);
            out
        };
        cluster_bytes.push(bytes);
    }

    // positions
    let mime_list: Vec<u8> = mimes.iter().flat_map(|m| m.bytes().chain([0])).chain([0]).collect();
    let dirent_size = |e: &Entry| {
        let fixed = if matches!(e.body, Body::Redirect(_)) { 12 } else { 16 };
        fixed + e.path.len() + 1 + e.title.len() + 1
    };
    let dirents_at = (HEADER_SIZE + mime_list.len()) as u64;
    let mut dirent_offsets = Vec::with_capacity(entries.len());
    let mut at = dirents_at;
    for entry in &entries {
        dirent_offsets.push(at);
        at += dirent_size(entry) as u64;
    }
    let url_ptr_pos = at;
    let cluster_ptr_pos = url_ptr_pos + 8 * entries.len() as u64;
    let mut cluster_offsets = Vec::with_capacity(cluster_bytes.len());
    let mut at = cluster_ptr_pos + 8 * cluster_bytes.len() as u64;
    for bytes in &cluster_bytes {
        cluster_offsets.push(at);
        at += bytes.len() as u64;
    }
    let checksum_pos = at;
    let (v0_cluster, v0_offset) = v0_at.expect("the v0 listing has a blob");
    let title_ptr_pos = cluster_offsets[v0_cluster] + v0_offset;

    let mut out = Vec::with_capacity(checksum_pos as usize + 16);
    out.extend(MAGIC.to_le_bytes());
    out.extend(6u16.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(uuid);
    out.extend((entries.len() as u32).to_le_bytes());
    out.extend((cluster_bytes.len() as u32).to_le_bytes());
    out.extend(url_ptr_pos.to_le_bytes());
    out.extend(title_ptr_pos.to_le_bytes());
    out.extend(cluster_ptr_pos.to_le_bytes());
    out.extend((HEADER_SIZE as u64).to_le_bytes());
    out.extend(main_index.to_le_bytes());
    out.extend(NONE.to_le_bytes());
    out.extend(checksum_pos.to_le_bytes());
    debug_assert_eq!(out.len(), HEADER_SIZE);
    out.extend(&mime_list);
    for (i, entry) in entries.iter().enumerate() {
        match &entry.body {
            Body::Data { mime, .. } => {
                let mime = mimes.binary_search(mime).expect("listed above") as u16;
                out.extend(mime.to_le_bytes());
                out.extend([0, entry.namespace]);
                out.extend(0u32.to_le_bytes());
                out.extend(place[i].0.to_le_bytes());
                out.extend(place[i].1.to_le_bytes());
            }
            Body::Redirect(target) => {
                let to = redirects[i].ok_or_else(|| format!("redirect to \"{target}\", which is not stored"))?;
                out.extend(REDIRECT.to_le_bytes());
                out.extend([0, entry.namespace]);
                out.extend(0u32.to_le_bytes());
                out.extend(to.to_le_bytes());
            }
        }
        out.extend(entry.path.as_bytes());
        out.push(0);
        out.extend(entry.title.as_bytes());
        out.push(0);
    }
    for offset in &dirent_offsets {
        out.extend(offset.to_le_bytes());
    }
    for offset in &cluster_offsets {
        out.extend(offset.to_le_bytes());
    }
    for bytes in &cluster_bytes {
        out.extend(bytes);
    }
    debug_assert_eq!(out.len() as u64, checksum_pos);
    let digest = Md5::digest(&out);
    out.extend(digest);
    Ok(out)
}

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
        let bad = |why: String| {
            Error::Usage(format!("{}: refusing the ZIM file: {why}; nothing was written", path.display()))
        };
        if size < (HEADER_SIZE + 16) as u64 {
            return Err(bad(format!("it is only {size} bytes, too short for a ZIM file (truncated?)")));
        }
        let mut header = [0u8; HEADER_SIZE];
        read_at(&mut file, 0, &mut header, path)?;
        if !is_zim(&header) {
            return Err(bad("it does not start like a ZIM file".into()));
        }
        let major = le16(&header, 4);
        if major != 5 && major != 6 {
            return Err(bad(format!("format version {major} is not one this program reads (5 or 6)")));
        }
        let count = le32(&header, 24) as u64;
        let cluster_count = le32(&header, 28) as u64;
        let url_ptr_pos = le64(&header, 32);
        let cluster_ptr_pos = le64(&header, 48);
        let mime_pos = le64(&header, 56);
        let checksum_pos = le64(&header, 72);
        if checksum_pos != size - 16 {
            return Err(bad(format!(
                "its header puts the checksum at byte {checksum_pos}, but the file has {size} bytes (truncated or damaged)"
            )));
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
            return Err(bad("its MD5 checksum does not match its content: the file is damaged".into()));
        }
        if count as usize > limits.max_entries {
            return Err(bad(format!("it claims {count} entries, more than {}", limits.max_entries)));
        }
        let within = |pos: u64, len: u64| pos.checked_add(len).is_some_and(|end| end <= checksum_pos);
        if !within(url_ptr_pos, count * 8) || !within(cluster_ptr_pos, cluster_count * 8) {
            return Err(bad(format!(
                "its pointer lists ({count} entries, {cluster_count} clusters) reach past its end"
            )));
        }
        if !within(mime_pos, 1) || mime_pos < HEADER_SIZE as u64 {
            return Err(bad("its MIME type list is out of place".into()));
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
                return Err(bad("its MIME type list is not terminated".into()));
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
            return Err(bad(format!("cluster {i} starts past the end of the file")));
        }
        let mut dirents = Vec::with_capacity(count as usize);
        let mut scratch = Vec::new();
        for i in 0..count as usize {
            let at = le64(&pointers, i * 8);
            if !within(at, 12) {
                return Err(bad(format!("entry {i} lies past the end of the file")));
            }
            // an entry is at most 16 bytes and two names of at most 4 KiB each
            let len = (checksum_pos - at).min(16 + 2 * 4097) as usize;
            scratch.resize(len, 0);
            read_at(&mut file, at, &mut scratch, path)?;
            let dirent = parse_dirent(&scratch).ok_or_else(|| bad(format!("entry {i} at byte {at} is malformed")))?;
            match dirent.kind {
                Kind::Data { mime, cluster, .. } => {
                    if mime as usize >= mimes.len() {
                        return Err(bad(format!("entry {i} names MIME type {mime} of {}", mimes.len())));
                    }
                    if cluster as u64 >= cluster_count {
                        return Err(bad(format!("entry {i} names cluster {cluster} of {cluster_count}")));
                    }
                }
                Kind::Redirect(to) if to as u64 >= count => {
                    return Err(bad(format!("entry {i} redirects to entry {to} of {count}")));
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
                return Err(bad(format!("entry \"{}\" has an unsafe name: {why}", dirent.path.escape_debug())));
            }
            if !names.insert(dirent.path.to_lowercase()) {
                return Err(bad(format!(
                    "entry \"{}\" appears twice (names differing only in case count as one)",
                    dirent.path.escape_debug()
                )));
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
            return Err(self.damaged(&format!("entry \"{}\" names a blob its cluster lacks", self.dirents[index].path)));
        };
        if data.len() as u64 > max.min(self.limits.max_file) {
            return Err(self.damaged(&format!(
                "entry \"{}\" is {} bytes, more than {}",
                self.dirents[index].path,
                data.len(),
                max.min(self.limits.max_file)
            )));
        }
        Ok(Some(data.to_vec()))
    }

    fn damaged(&self, why: &str) -> Error {
        Error::Usage(format!("{}: refusing the ZIM file: {why}; nothing was written", self.path.display()))
    }

    /// One cluster's blobs, decompressed within the limits.
    fn cluster(&mut self, n: u32) -> Result<Vec<Vec<u8>>, Error> {
        let start = self.cluster_offsets[n as usize];
        // a cluster ends where the next one (in file order) starts, or at the checksum
        let end = self.cluster_offsets.iter().copied().filter(|&o| o > start).min().unwrap_or(self.checksum_pos);
        let end = end.min(self.checksum_pos);
        if end <= start || end > self.size {
            return Err(self.damaged(&format!("cluster {n} has no room")));
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
                    .map_err(|e| self.damaged(&format!("cluster {n}: {e}")))?;
                let mut raw = Vec::new();
                decoder
                    .take(cap + 1)
                    .read_to_end(&mut raw)
                    .map_err(|e| self.damaged(&format!("cluster {n} does not decompress: {e}")))?;
                if raw.len() as u64 > cap {
                    return Err(self.damaged(&format!("cluster {n} decompresses to more than {cap} bytes")));
                }
                let ratio = raw.len() as u64 / stored.len().max(1) as u64;
                if raw.len() as u64 > self.limits.ratio_from && ratio > self.limits.max_ratio {
                    return Err(self.damaged(&format!(
                        "cluster {n} decompresses {ratio}×, more than {}× (a compression bomb?)",
                        self.limits.max_ratio
                    )));
                }
                raw
            }
            other => {
                return Err(self.damaged(&format!(
                    "cluster {n} uses compression {other}, which this program does not read (only none and zstd)"
                )))
            }
        };
        let width = if extended { 8 } else { 4 };
        if raw.len() < width {
            return Err(self.damaged(&format!("cluster {n} is too short")));
        }
        let read = |at: usize| if extended { le64(&raw, at) } else { le32(&raw, at) as u64 };
        let first = read(0);
        if first % width as u64 != 0 || first < width as u64 || first > raw.len() as u64 {
            return Err(self.damaged(&format!("cluster {n} has a bad offset table")));
        }
        let offsets: Vec<u64> = (0..(first as usize / width)).map(|i| read(i * width)).collect();
        if offsets.windows(2).any(|w| w[1] < w[0]) || offsets.last().is_some_and(|&l| l > raw.len() as u64) {
            return Err(self.damaged(&format!("cluster {n} has offsets out of order or past its end")));
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
                return Err(self.damaged(&format!("entry \"{name}\" names a blob its cluster lacks")));
            };
            total += data.len() as u64;
            if data.len() as u64 > self.limits.max_file || total > self.limits.max_total {
                return Err(self.damaged(&format!("its content passes {} bytes", self.limits.max_total)));
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
                return Err(Error::Usage(format!(
                    "{}: \"{name}\" is not listed in the pack's manifest (an extra file); nothing was changed",
                    path.display()
                )));
            };
            let (size, sha) = manifest::hash_reader(data, &path)?;
            if size != want.size || sha != want.sha256 {
                return Err(Error::Usage(format!(
                    "{}: \"{name}\" is corrupted ({size} bytes, SHA-256 {}…; the manifest says {} bytes, {}…); nothing was changed",
                    path.display(),
                    &sha[..12],
                    want.size,
                    &want.sha256[..12.min(want.sha256.len())]
                )));
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata() -> Metadata {
        Metadata {
            name: "hoclieu_thu".into(),
            title: "Thử".into(),
            description: "Gói thử".into(),
            long_description: None,
            language: "vie".into(),
            creator: "Sở KH&CN".into(),
            publisher: "Sở KH&CN".into(),
            date: "2024-03-14".into(),
            tags: "_category:other;hoclieu".into(),
            illustration: vec![0x89, b'P', b'N', b'G'],
        }
    }

    /// 1.5 MB of words drawn by a fixed generator: compresses like real text, a few times.
    fn words() -> Vec<u8> {
        let words = ["mat ", "khau ", "an ", "toan ", "lua ", "dao ", "dien ", "thoai ", "ma ", "so "];
        let mut seed = 12345u64;
        let mut big = Vec::new();
        while big.len() < 1_500_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            big.extend(words[(seed >> 33) as usize % words.len()].as_bytes());
        }
        big
    }

    fn sample() -> Vec<u8> {
        let big = words();
        let pages = [
            Page { path: "index.html", data: b"<!doctype html><title>Trang chu</title>", title: Some("Trang chủ") },
            Page { path: "vi/mat-khau/index.html", data: b"<p>mat khau</p>", title: Some("Mật khẩu mạnh") },
            Page { path: "vi/an-toan/index.html", data: b"<p>an toan</p>", title: Some("An toàn") },
            Page { path: "media/a.png", data: &[1, 2, 3, 4], title: None },
            Page { path: "search/vi/shard-0.js", data: &big, title: None },
            Page { path: "empty.txt", data: b"", title: None },
        ];
        write(&pages, "index.html", &metadata(), [7; 16]).unwrap()
    }

    fn open(bytes: &[u8]) -> Result<Reader, Error> {
        open_with(bytes, Limits::default())
    }

    fn open_with(bytes: &[u8], limits: Limits) -> Result<Reader, Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.zim");
        std::fs::write(&path, bytes).unwrap();
        let reader = Reader::open(&path, limits);
        // the open file outlives the folder on Unix; keep the folder until the test ends
        std::mem::forget(dir);
        reader
    }

    fn message(result: Result<Reader, Error>) -> String {
        match result {
            Ok(_) => panic!("a hostile file was accepted"),
            Err(e) => e.to_string(),
        }
    }

    /// Recomputes the trailing MD5, as an attacker would.
    fn reseal(bytes: &mut Vec<u8>) {
        bytes.truncate(bytes.len() - 16);
        let digest = Md5::digest(&bytes[..]);
        bytes.extend(digest);
    }

    #[test]
    fn what_is_written_reads_back_with_titles_metadata_and_main_page() {
        let bytes = sample();
        assert!(is_zim(&bytes));
        let mut reader = open(&bytes).unwrap();
        assert_eq!(
            reader.names().collect::<Vec<_>>(),
            [
                "empty.txt",
                "index.html",
                "media/a.png",
                "search/vi/shard-0.js",
                "vi/an-toan/index.html",
                "vi/mat-khau/index.html"
            ]
        );
        assert_eq!(reader.read("vi/mat-khau/index.html", 1 << 20).unwrap().unwrap(), b"<p>mat khau</p>");
        let big = reader.read("search/vi/shard-0.js", 8 << 20).unwrap().unwrap();
        assert_eq!(big, words(), "the 1.5 MB file comes back whole");
        assert_eq!(reader.read("empty.txt", 10).unwrap().unwrap(), b"");
        assert_eq!(reader.mime("index.html"), Some("text/html"));
        assert_eq!(reader.mime("search/vi/shard-0.js"), Some("text/javascript"));
        assert_eq!(reader.title("vi/mat-khau/index.html"), Some("Mật khẩu mạnh"));
        assert_eq!(reader.main_page(), Some("index.html"));
        assert_eq!(reader.metadata("Language").unwrap().as_deref(), Some("vie"));
        assert_eq!(reader.metadata("Date").unwrap().as_deref(), Some("2024-03-14"));
        assert_eq!(
            reader.metadata("Counter").unwrap().as_deref(),
            Some("image/png=1;text/html=3;text/javascript=1;text/plain=1")
        );
        // text is compressed: 1.5 MB of words take far less
        assert!(bytes.len() < 750_000, "{} bytes", bytes.len());
        assert_eq!(sample(), bytes, "the same entries give the same bytes");
    }

    #[test]
    fn the_title_listing_orders_front_articles_by_title_and_the_header_points_into_v0() {
        let bytes = sample();
        let mut reader = open(&bytes).unwrap();
        let count = le32(&bytes, 24) as usize;
        let title_pos = le64(&bytes, 40) as usize;
        let v0: Vec<u32> = (0..count).map(|i| le32(&bytes, title_pos + 4 * i)).collect();
        let keys: Vec<(u8, String)> = v0
            .iter()
            .map(|&i| {
                let d = &reader.dirents[i as usize];
                (d.namespace, if d.title.is_empty() { d.path.clone() } else { d.title.clone() })
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        let i = reader.dirents.iter().position(|d| d.path == "listing/titleOrdered/v1").unwrap();
        let v1 = reader.blob(i, 1 << 20).unwrap().unwrap();
        let titles: Vec<&str> = v1
            .chunks(4)
            .map(|c| reader.dirents[u32::from_le_bytes(c.try_into().unwrap()) as usize].title.as_str())
            .collect();
        assert_eq!(titles, ["An toàn", "Mật khẩu mạnh", "Trang chủ"]);
    }

    #[test]
    fn a_flipped_byte_or_a_cut_file_is_refused_by_the_checksum() {
        let bytes = sample();
        let mut flipped = bytes.clone();
        flipped[bytes.len() / 2] ^= 1;
        assert!(message(open(&flipped)).contains("MD5 checksum does not match"));
        assert!(message(open(&bytes[..bytes.len() - 100])).contains("truncated"));
        assert!(message(open(&bytes[..50])).contains("too short"));
        assert!(message(open(b"PK\x03\x04 not a zim file at all, but long enough to have a header ......................................")).contains("does not start like a ZIM file"));
    }

    #[test]
    fn lying_counts_offsets_and_names_are_refused_even_with_a_good_checksum() {
        let bytes = sample();
        // an entry count far past the limit
        let mut many = bytes.clone();
        many[24..28].copy_from_slice(&4_000_000_000u32.to_le_bytes());
        reseal(&mut many);
        assert!(message(open(&many)).contains("claims 4000000000 entries"));
        // a count under the limit whose pointers would run past the end
        let mut past = bytes.clone();
        past[24..28].copy_from_slice(&400_000u32.to_le_bytes());
        reseal(&mut past);
        assert!(message(open(&past)).contains("reach past its end"));
        // a path that leaves the folder: rename "empty.txt" to "../pty.txt"
        let at = bytes.windows(9).position(|w| w == b"empty.txt").unwrap();
        let mut escaping = bytes.clone();
        escaping[at..at + 3].copy_from_slice(b"../");
        reseal(&mut escaping);
        assert!(message(open(&escaping)).contains("unsafe name"));
        // a cluster pointer past the end
        let mut cluster = bytes.clone();
        let at = le64(&bytes, 48) as usize;
        cluster[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        reseal(&mut cluster);
        assert!(message(open(&cluster)).contains("past the end"));
    }

    #[test]
    fn a_cluster_that_decompresses_past_the_limits_is_refused_while_decompressing() {
        let bytes = sample();
        let limits = Limits { max_file: 256 << 10, ratio_from: 1 << 30, ..Limits::default() };
        let mut reader = open_with(&bytes, limits).unwrap();
        let err = reader.hash_all(&[]).unwrap_err().to_string();
        assert!(err.contains("decompresses to more than"), "{err}");
        let limits = Limits { max_ratio: 5, ratio_from: 1 << 10, ..Limits::default() };
        let mut reader = open_with(&bytes, limits).unwrap();
        let err = reader.read("search/vi/shard-0.js", 8 << 20).unwrap_err().to_string();
        assert!(err.contains("compression bomb"), "{err}");
    }

    #[test]
    fn a_malformed_entry_is_refused() {
        assert!(parse_dirent(&[0; 11]).is_none());
        // a name without its terminating NUL
        let mut entry = vec![0u8, 0, 0, b'C', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        entry.extend(b"abc");
        assert!(parse_dirent(&entry).is_none());
        entry.extend(b"\0title\0");
        let d = parse_dirent(&entry).unwrap();
        assert_eq!((d.path.as_str(), d.title.as_str()), ("abc", "title"));
    }
}

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
//! The writer is in `write.rs`, the reader in `read.rs`, their tests in `tests.rs`.
//!
//! [`Reader`] treats every file as hostile until checked: the MD5 first, then every
//! pointer, entry, MIME index and cluster offset against the file's size, entry names as
//! [`archive::check_name`] does for zips, and each cluster's decompressed size against
//! [`Limits`] while it is decompressed, never trusting what the file claims.

mod read;
mod write;

pub use read::Reader;
pub use write::write;

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

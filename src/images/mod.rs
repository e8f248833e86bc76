//! Images for slow, paid data: every PNG, JPEG, WebP and GIF of the content is turned into a
//! few WebP files of the widths phones need ([`Settings::widths`], never wider than the
//! image), with the EXIF orientation applied and no metadata at all (libwebp writes none:
//! no EXIF, no XMP, no GPS position of a school or a learner's home). The author's file is
//! never copied: when a page links to it, a re-encoded copy without metadata is written
//! ([`original`]).
//!
//! Before anything is decoded, the header is read ([`probe`]): a file over the byte limit
//! or declaring more pixels than [`Limits`] allow is refused there, so a "decompression
//! bomb" (a few kilobytes declaring 50 000 × 50 000 pixels) costs nothing.
//!
//! Each variant is kept in a cache folder ([`cache`]) by the hash of the file's bytes and
//! the encoding settings, so a rebuild (and each offline pack, which links the site again)
//! encodes nothing twice. Encoding is deterministic: the same bytes on 1 or N threads.
//!
//! Runs at linking ([`process_all`]), in parallel over images; the site keeps the facts
//! ([`Processed`]) and rendering writes the bytes.

pub mod cache;
mod encode;

use crate::msg;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use encode::original;

/// The width a phone of 360 CSS pixels at device pixel ratio 2 picks from a `srcset` for
/// an image across the page: what offline saves and packs carry (with the smaller ones),
/// and what the image budgets weigh.
pub const PHONE_WIDTH: u32 = 720;

/// Hard limits checked on the header, before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Largest width or height, in pixels.
    pub max_side: u64,
    /// Most pixels (width × height).
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        // a 48-megapixel phone photo (8000 × 6000) passes; 50 000 × 50 000 does not
        Limits { max_bytes: 40_000_000, max_side: 12_000, max_pixels: 50_000_000 }
    }
}

/// How images are processed (`[images]` in book.toml).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Widths of the variants, ascending.
    pub widths: Vec<u32>,
    /// WebP quality for photos (JPEG sources), 0–100.
    pub photo_quality: u8,
    /// WebP quality for screens and drawings (PNG, GIF and WebP sources), 0–100.
    pub screen_quality: u8,
    pub limits: Limits,
    /// The cache folder, absolute; `None`: no cache.
    pub cache: Option<PathBuf>,
    /// Whether `![…](anh.jpg#goc)` links to the original: not in offline packs, which
    /// carry only what a phone shows.
    pub originals: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            widths: vec![360, 720, 1080],
            photo_quality: 70,
            screen_quality: 80,
            limits: Limits::default(),
            cache: None,
            originals: true,
        }
    }
}

/// Whether a file is an image this module processes (by its extension).
pub fn is_raster(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg" | "webp" | "gif"))
}

/// One WebP file written for an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    /// Output path (`media/a/hinh.720.1a2b3c4d.webp`).
    pub output: String,
    pub bytes: Arc<[u8]>,
}

/// What processing made of one image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    /// Width and height as shown (orientation applied).
    pub width: u32,
    pub height: u32,
    /// Ascending widths.
    pub variants: Vec<Variant>,
    /// The hash of the source file's bytes (the cache's key, and the original's).
    pub source_hash: String,
}

impl Processed {
    /// The variants a phone needs: up to [`PHONE_WIDTH`] (at least the smallest).
    pub fn phone_variants(&self) -> &[Variant] {
        let n = self.variants.iter().take_while(|v| v.width <= PHONE_WIDTH).count().max(1);
        &self.variants[..n.min(self.variants.len())]
    }

    /// The variant a 360 px phone at device pixel ratio 2 loads (the largest of
    /// [`Processed::phone_variants`]).
    pub fn phone(&self) -> &Variant {
        self.phone_variants().last().expect("an image has a variant")
    }
}

/// Why an image is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub message: String,
    pub hint: String,
}

/// What [`probe`] reads from a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub width: u64,
    pub height: u64,
}

/// Reads an image's size from its header and checks it against the limits, without
/// decoding (and without reading a file over the byte limit).
pub fn probe(path: &Path, limits: &Limits) -> Result<Header, Refused> {
    let unreadable = |e: &dyn std::fmt::Display| Refused {
        message: msg!("images.cannot-read", error = e),
        hint: msg!("images.save-again-hint"),
    };
    let bytes = std::fs::metadata(path).map_err(|e| unreadable(&e))?.len();
    if bytes > limits.max_bytes {
        return Err(Refused {
            message: msg!(
                "images.too-large",
                mb = crate::messages::decimal(bytes as f64 / 1e6, 1),
                limit = crate::messages::decimal(limits.max_bytes as f64 / 1e6, 0)
            ),
            hint: msg!("images.too-large-hint"),
        });
    }
    let size = imagesize::size(path).map_err(|e| unreadable(&e))?;
    let (width, height) = (size.width as u64, size.height as u64);
    check_size(width, height, limits)?;
    Ok(Header { width, height })
}

/// Checks a declared width and height against the limits.
pub fn check_size(width: u64, height: u64, limits: &Limits) -> Result<(), Refused> {
    if width == 0 || height == 0 {
        return Err(Refused { message: msg!("images.empty", width, height), hint: msg!("images.empty-hint") });
    }
    if width > limits.max_side || height > limits.max_side || width.saturating_mul(height) > limits.max_pixels {
        return Err(Refused {
            message: msg!(
                "images.too-many-pixels",
                width,
                height,
                megapixels = crate::messages::decimal((width * height) as f64 / 1e6, 1),
                side = limits.max_side,
                limit = crate::messages::decimal(limits.max_pixels as f64 / 1e6, 0)
            ),
            hint: msg!("images.too-many-pixels-hint"),
        });
    }
    Ok(())
}

/// The widths of the variants for an image `width` pixels wide: the settings' widths
/// below it, and its own width when it is not wider than the largest (never upscaled).
pub fn widths_for(width: u32, settings: &Settings) -> Vec<u32> {
    let mut out: Vec<u32> = settings.widths.iter().copied().filter(|&w| w < width).collect();
    let largest = settings.widths.iter().copied().max().unwrap_or(width);
    if width <= largest {
        out.push(width);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The hash of a file's bytes, as the cache names it.
pub fn hash_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes)[..16])
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The output path of a variant: next to where the file itself would go, with its width
/// and the hash of its bytes (a changed image gets a new address, so no stale copy is
/// served from a learner's cache).
pub fn variant_output(asset_output: &str, width: u32, bytes: &[u8]) -> String {
    let stem = asset_output.rsplit_once('.').map_or(asset_output, |(stem, _)| stem);
    format!("{stem}.{width}.{}.webp", &hash_bytes(bytes)[..8])
}

/// Processes one image: `source` is its path relative to `root`, `output` where the file
/// itself would go.
pub fn process(root: &Path, source: &Path, output: &str, settings: &Settings) -> Result<Processed, Refused> {
    let path = root.join(source);
    probe(&path, &settings.limits)?;
    let bytes = std::fs::read(&path).map_err(|e| Refused {
        message: msg!("images.cannot-read", error = e),
        hint: msg!("images.check-readable-hint"),
    })?;
    encode::variants(&bytes, output, settings)
}

/// Processes every image of `sources` (`(source, output)` pairs), in parallel; memoised in
/// this process by path, size and modification time, so the preview and the packs, which
/// link again, read nothing twice.
pub fn process_all(
    root: &Path,
    sources: &[(&Path, &str)],
    settings: &Settings,
) -> Vec<Option<Result<Arc<Processed>, Refused>>> {
    sources
        .par_iter()
        .map(|(source, output)| is_raster(source).then(|| memo::get(root, source, output, settings)))
        .collect()
}

mod memo {
    //! Processed images kept for this process, by path, length, modification time, output
    //! path and settings.
    use super::*;
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    use std::time::SystemTime;

    type Key = (PathBuf, u64, Option<SystemTime>, String, String);

    fn memo() -> &'static Mutex<HashMap<Key, Arc<Processed>>> {
        static MEMO: OnceLock<Mutex<HashMap<Key, Arc<Processed>>>> = OnceLock::new();
        MEMO.get_or_init(Default::default)
    }

    pub fn get(root: &Path, source: &Path, output: &str, settings: &Settings) -> Result<Arc<Processed>, Refused> {
        let path = root.join(source);
        let meta = std::fs::metadata(&path).ok();
        let key: Key = (
            path,
            meta.as_ref().map_or(0, |m| m.len()),
            meta.and_then(|m| m.modified().ok()),
            output.to_string(),
            format!("{settings:?}"),
        );
        if let Some(hit) = memo().lock().expect("image memo").get(&key) {
            return Ok(Arc::clone(hit));
        }
        let processed = Arc::new(process(root, source, output, settings)?);
        memo().lock().expect("image memo").insert(key, Arc::clone(&processed));
        Ok(processed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_never_upscale() {
        let s = Settings::default();
        assert_eq!(widths_for(4000, &s), vec![360, 720, 1080]);
        assert_eq!(widths_for(1080, &s), vec![360, 720, 1080]);
        assert_eq!(widths_for(500, &s), vec![360, 500]);
        assert_eq!(widths_for(200, &s), vec![200]);
    }

    #[test]
    fn a_bomb_is_refused_on_its_size() {
        let refused = check_size(50_000, 50_000, &Limits::default()).unwrap_err();
        assert!(refused.message.contains("50000×50000"), "{}", refused.message);
        assert!(check_size(4000, 3000, &Limits::default()).is_ok());
        assert!(check_size(0, 10, &Limits::default()).is_err());
    }

    #[test]
    fn variant_names_carry_width_and_hash() {
        let name = variant_output("media/a/hinh-1.png", 360, b"abc");
        assert!(name.starts_with("media/a/hinh-1.360.") && name.ends_with(".webp"), "{name}");
        assert_ne!(name, variant_output("media/a/hinh-1.png", 360, b"abd"));
    }
}

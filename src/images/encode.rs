//! Decoding, orienting, resizing and encoding: the costly part, reached only for variants
//! the [`super::cache`] does not hold. Decoding runs under [`image::Limits`] too, in case a
//! header lied to [`super::probe`].

use super::{cache, check_size, hash_bytes, variant_output, widths_for, Processed, Refused, Settings, Variant};
use crate::msg;
use image::{imageops::FilterType, DynamicImage, ImageFormat};
use std::io::Cursor;
use std::sync::Arc;

/// Changes when the encoding changes, so the cache is not trusted across versions.
const ENCODER: &str = "libwebp-1/catmullrom/m4";

fn refused(message: String) -> Refused {
    Refused { message, hint: msg!("images.save-again-hint") }
}

/// The EXIF orientation (1–8) of an image, 1 when it has none.
fn orientation(bytes: &[u8]) -> u32 {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(bytes))
        .ok()
        .and_then(|exif| exif.get_field(exif::Tag::Orientation, exif::In::PRIMARY)?.value.get_uint(0))
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1)
}

fn decode(bytes: &[u8], settings: &Settings) -> Result<(DynamicImage, ImageFormat), Refused> {
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| refused(msg!("images.cannot-read", error = e)))?;
    let format =
        reader.format().ok_or_else(|| refused("not an image this build reads (PNG, JPEG, WebP, GIF)".into()))?;
    let mut reader = reader;
    let mut limits = image::Limits::default();
    let side = u32::try_from(settings.limits.max_side).unwrap_or(u32::MAX);
    limits.max_image_width = Some(side);
    limits.max_image_height = Some(side);
    limits.max_alloc = Some(settings.limits.max_pixels.saturating_mul(8));
    reader.limits(limits);
    let mut image = reader.decode().map_err(|e| refused(msg!("images.cannot-decode", error = e)))?;
    if let Some(o) = image::metadata::Orientation::from_exif(orientation(bytes) as u8) {
        image.apply_orientation(o);
    }
    Ok((image, format))
}

fn is_photo(bytes: &[u8]) -> bool {
    image::guess_format(bytes).ok() == Some(ImageFormat::Jpeg)
}

/// The height of a variant `width` wide of an image `w` × `h`.
fn scaled_height(w: u32, h: u32, width: u32) -> u32 {
    ((u64::from(h) * u64::from(width) + u64::from(w) / 2) / u64::from(w)).max(1) as u32
}

/// Encodes to WebP, lossy, at `quality`; no metadata is written.
pub(super) fn webp(image: &DynamicImage, quality: u8) -> Vec<u8> {
    let mut config = webp::WebPConfig::new().expect("libwebp's default config");
    config.quality = f32::from(quality);
    config.method = 4;
    // one thread inside libwebp: the same bytes on every machine (rayon parallelises over images)
    config.thread_level = 0;
    let (w, h) = (image.width(), image.height());
    let memory = if image.color().has_alpha() {
        let rgba = image.to_rgba8();
        webp::Encoder::from_rgba(rgba.as_raw(), w, h).encode_advanced(&config)
    } else {
        let rgb = image.to_rgb8();
        webp::Encoder::from_rgb(rgb.as_raw(), w, h).encode_advanced(&config)
    };
    memory.map(|m| m.to_vec()).unwrap_or_default()
}

/// The cache key of one variant.
fn key(source_hash: &str, width: u32, quality: u8) -> String {
    hash_bytes(format!("{ENCODER}/{source_hash}/{width}/q{quality}").as_bytes())
}

/// Every variant of an image, from the cache or encoded now.
pub(super) fn variants(bytes: &[u8], output: &str, settings: &Settings) -> Result<Processed, Refused> {
    let source_hash = hash_bytes(bytes);
    let header = imagesize::blob_size(bytes).map_err(|e| refused(msg!("images.cannot-read", error = e)))?;
    check_size(header.width as u64, header.height as u64, &settings.limits)?;
    let (mut width, mut height) = (header.width as u32, header.height as u32);
    if (5..=8).contains(&orientation(bytes)) {
        (width, height) = (height, width);
    }
    let quality = if is_photo(bytes) { settings.photo_quality } else { settings.screen_quality };
    let widths = widths_for(width, settings);
    let mut found: Vec<Option<Vec<u8>>> =
        widths.iter().map(|&w| cache::get(settings.cache.as_deref(), &key(&source_hash, w, quality))).collect();
    if found.iter().any(Option::is_none) {
        let (image, _) = decode(bytes, settings)?;
        (width, height) = (image.width(), image.height());
        // widest first, each from the one before: a 4000 px photo is resized once in full
        let mut from = image;
        for (i, &w) in widths.iter().enumerate().rev() {
            let h = scaled_height(width, height, w);
            let resized =
                if w == from.width() { from.clone() } else { from.resize_exact(w, h, FilterType::CatmullRom) };
            if found[i].is_none() {
                let encoded = webp(&resized, quality);
                if encoded.is_empty() {
                    return Err(refused("cannot encode the image to WebP".into()));
                }
                cache::put(settings.cache.as_deref(), &key(&source_hash, w, quality), &encoded);
                found[i] = Some(encoded);
            }
            from = resized;
        }
    }
    let variants = widths
        .iter()
        .zip(found)
        .map(|(&w, bytes)| {
            let bytes = bytes.expect("every variant found or encoded");
            Variant {
                width: w,
                height: scaled_height(width, height, w),
                output: variant_output(output, w, &bytes),
                bytes: Arc::from(bytes),
            }
        })
        .collect();
    Ok(Processed { width, height, variants, source_hash })
}

/// The author's file as written when a page links to it ("Xem ảnh gốc"): full size, the
/// orientation applied, re-encoded in its own format without any metadata (JPEG at quality
/// 90, PNG and GIF losslessly, WebP at quality 90).
pub fn original(bytes: &[u8], settings: &Settings) -> Result<Vec<u8>, Refused> {
    let source_hash = hash_bytes(bytes);
    let cache_key = hash_bytes(format!("{ENCODER}/{source_hash}/original").as_bytes());
    if let Some(hit) = cache::get(settings.cache.as_deref(), &cache_key) {
        return Ok(hit);
    }
    let header = imagesize::blob_size(bytes).map_err(|e| refused(msg!("images.cannot-read", error = e)))?;
    check_size(header.width as u64, header.height as u64, &settings.limits)?;
    let (image, format) = decode(bytes, settings)?;
    let mut out = Vec::new();
    let written = match format {
        ImageFormat::Jpeg => {
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&image.to_rgb8())
        }
        ImageFormat::WebP => {
            out = webp(&image, 90);
            Ok(())
        }
        ImageFormat::Gif => image.to_rgba8().write_to(&mut Cursor::new(&mut out), ImageFormat::Gif),
        _ => image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png),
    };
    written.map_err(|e| refused(msg!("images.cannot-encode", error = e)))?;
    cache::put(settings.cache.as_deref(), &cache_key, &out);
    Ok(out)
}

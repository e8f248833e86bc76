//! Precompression: `.gz` and `.br` siblings for text files, so a static server (or
//! `hoclieu serve --static`) sends them without compressing on every request. Done in
//! memory before writing, so page budgets can be measured on the bytes a browser receives.
//!
//! Every text file gets a `.gz`: it is what a school's LAN server sends, since browsers ask
//! for brotli only over HTTPS. It is made by libdeflate (one-shot, a compressor kept per
//! thread), level 5 up to 32 KB and 6 above: on the 10 000-lesson benchmark site libdeflate 5
//! compresses the small pages to 0.376 of their size against zlib-rs 6's 0.382 in 82 % of its
//! time, and libdeflate 6 the large ones to zlib-rs 6's 0.206 in 76 % of its time (level 5
//! would lose 3 % there, where the `.gz` is all a LAN browser gets of a print page).
//! Files larger than gzip's 32 KB window (print pages, long lists) also get a `.br` (brotli
//! 5, with a window that holds the whole file, at most 4 MB, and told the file's length so
//! that it sizes its hash table for it), which finds the repeats gzip cannot see: 0.176 of
//! their size. Below 32 KB, brotli at the qualities a build can afford is not worth its
//! time: brotli 4 gives gzip's ratio at half gzip's speed, brotli 5 saves 5 % at a third of
//! it, and writing both for every file took compression to 42 % of the build. A server sends
//! the `.gz` to every browser when there is no `.br`. Measure with `cargo run --release
//! --example compress_levels -- SITE 0 32768` and `… SITE 32769` (figures in BENCHMARKS.md).

use super::{Contents, OutputFile};
use crate::Error;
use rayon::prelude::*;
use std::path::Path;

pub const BROTLI_QUALITY: u32 = 5;
/// The largest brotli window (4 MB); a smaller file gets the smallest window that holds it.
pub const BROTLI_WINDOW_BITS: u32 = 22;
/// The gzip level of files up to [`BROTLI_MIN_BYTES`] (libdeflate's levels).
pub const GZIP_LEVEL_SMALL: i32 = 5;
/// The gzip level of larger files.
pub const GZIP_LEVEL_LARGE: i32 = 6;
/// Files larger than this (gzip's window) also get a `.br`.
pub const BROTLI_MIN_BYTES: usize = 32 * 1024;

const TEXT_EXTENSIONS: &[&str] = &["html", "css", "js", "svg", "json", "xml", "txt", "md", "webmanifest"];

pub fn worth_compressing(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, ext)| TEXT_EXTENSIONS.contains(&ext))
}

/// The `.gz` sibling of every text file and the `.br` of those over [`BROTLI_MIN_BYTES`], in parallel, in the order of `files`.
/// `root` is where `Contents::Copy` sources are read from.
pub fn siblings(root: &Path, files: &[OutputFile]) -> Result<Vec<OutputFile>, Error> {
    let compressed: Vec<Result<(OutputFile, Option<OutputFile>), Error>> = files
        .par_iter()
        .filter(|file| worth_compressing(&file.path))
        .map(|file| {
            let data = match &file.contents {
                Contents::Bytes(bytes) => std::borrow::Cow::Borrowed(bytes.as_slice()),
                Contents::Copy(source) => std::borrow::Cow::Owned(crate::fs::read(&root.join(source))?),
            };
            let gz = OutputFile { path: format!("{}.gz", file.path), contents: Contents::Bytes(gzip(&data)) };
            let br = (data.len() > BROTLI_MIN_BYTES)
                .then(|| OutputFile { path: format!("{}.br", file.path), contents: Contents::Bytes(brotli(&data)) });
            Ok((gz, br))
        })
        .collect();
    let mut out = Vec::with_capacity(compressed.len() * 2);
    for pair in compressed {
        let (gz, br) = pair?;
        out.push(gz);
        out.extend(br);
    }
    Ok(out)
}

thread_local! {
    /// One libdeflate compressor per level and thread, made once: each holds a few hundred
    /// KB of match-finder tables that would otherwise be allocated for every file.
    static GZIP: std::cell::RefCell<[Option<libdeflater::Compressor>; 2]> = const { std::cell::RefCell::new([None, None]) };
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let (slot, level) = if data.len() > BROTLI_MIN_BYTES { (1, GZIP_LEVEL_LARGE) } else { (0, GZIP_LEVEL_SMALL) };
    GZIP.with(|compressors| {
        let mut compressors = compressors.borrow_mut();
        let compressor = compressors[slot].get_or_insert_with(|| {
            libdeflater::Compressor::new(libdeflater::CompressionLvl::new(level).expect("a libdeflate level"))
        });
        let mut out = vec![0; compressor.gzip_compress_bound(data.len())];
        let written = compressor.gzip_compress(data, &mut out).expect("the bound is enough");
        out.truncate(written);
        out
    })
}

pub fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 4);
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY as i32,
        lgwin: brotli_window_bits(data.len()) as i32,
        // the whole length, not the first read's: brotli sizes its hash table by it
        size_hint: data.len(),
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("writing to memory");
    out
}

/// The smallest window that holds a file of `len` bytes (brotli's window is 16 bytes short
/// of its power of two), at least 2^18 (below 2^17 quality 5 changes to a hasher that is
/// slow to set up) and at most [`BROTLI_WINDOW_BITS`]. Brotli allocates and zeroes a ring
/// buffer of the window's size: 4 MB for every file, with the window fixed.
pub fn brotli_window_bits(len: usize) -> u32 {
    (18..BROTLI_WINDOW_BITS).find(|&bits| (1usize << bits) - 16 >= len).unwrap_or(BROTLI_WINDOW_BITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_forms_decompress_to_the_original() {
        let text = "Mật khẩu mạnh là mật khẩu dài. ".repeat(100);
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gzip(text.as_bytes())[..]), &mut back)
            .unwrap();
        assert_eq!(back, text);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &brotli(text.as_bytes())[..], &mut back).unwrap();
        assert_eq!(back, text.as_bytes());
        assert!(worth_compressing("vi/index.html") && !worth_compressing("media/a.png"));
    }

    /// The window a brotli stream declares, from its first byte (RFC 7932, 9.1).
    fn window_bits(stream: &[u8]) -> u32 {
        let n = (stream[0] >> 1) & 7;
        assert!(stream[0] & 1 == 1 && n != 0, "a window of 2^18 to 2^24");
        17 + n as u32
    }

    #[test]
    fn a_brotli_window_is_as_large_as_the_file_needs_and_no_larger() {
        let page = |len: usize| {
            let sentence = "Không chia sẻ mật khẩu với ai, kể cả bạn thân. ";
            let mut text = String::new();
            for i in 0.. {
                if text.len() >= len {
                    break;
                }
                text.push_str(&format!("{i} {sentence}"));
            }
            text.truncate(text.char_indices().map(|(i, _)| i).take_while(|&i| i <= len).last().unwrap());
            text.into_bytes()
        };
        for (len, bits) in [(40_000, 18), (262_128, 18), (262_129, 19), (3_000_000, 22), (6_000_000, 22)] {
            let data = page(len);
            let compressed = brotli(&data);
            assert_eq!(window_bits(&compressed), bits, "{} bytes", data.len());
            let mut back = Vec::new();
            brotli::BrotliDecompress(&mut &compressed[..], &mut back).unwrap();
            assert!(back == data, "{len} bytes come back as they were");
        }
    }
}

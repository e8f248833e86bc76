//! Precompression: `.gz` and `.br` siblings for text files, so a static server (or
//! `hoclieu serve --static`) sends them without compressing on every request. Done in
//! memory before writing, so page budgets can be measured on the bytes a browser receives.
//!
//! Levels are chosen so compression costs under a third of the build (see BENCHMARKS.md;
//! `cargo run --release --example compress_levels -- SITE` measures them on a built site).
//! On the 10 000-lesson benchmark site (195 MB of text, one core): gzip 6 (zlib-rs) runs at
//! ~120 MB/s for a ratio of 0.247 (level 4: 139 MB/s, 0.252); brotli 4 with a 256 KB window
//! at ~70 MB/s for 0.244, where quality 5 runs at ~50 MB/s for 0.230 and took the build
//! over its time budget (quality 3: ~100 MB/s, 0.259). Learners on HTTPS get brotli, a LAN
//! server over plain HTTP gets gzip (browsers ask for brotli only over HTTPS).

use crate::render::{Contents, OutputFile};
use crate::Error;
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;

pub const BROTLI_QUALITY: u32 = 4;
pub const BROTLI_WINDOW_BITS: u32 = 18;
pub const GZIP_LEVEL: u32 = 6;

const TEXT_EXTENSIONS: &[&str] = &["html", "css", "js", "svg", "json", "xml", "txt", "md", "webmanifest"];

pub fn worth_compressing(path: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(_, ext)| TEXT_EXTENSIONS.contains(&ext))
}

/// The `.gz` and `.br` siblings of every text file, in parallel, in the order of `files`.
/// `root` is where `Contents::Copy` sources are read from.
pub fn siblings(root: &Path, files: &[OutputFile]) -> Result<Vec<OutputFile>, Error> {
    let compressed: Vec<Result<[OutputFile; 2], Error>> = files
        .par_iter()
        .filter(|file| worth_compressing(&file.path))
        .map(|file| {
            let data = match &file.contents {
                Contents::Bytes(bytes) => std::borrow::Cow::Borrowed(bytes.as_slice()),
                Contents::Copy(source) => std::borrow::Cow::Owned(crate::fs::read(&root.join(source))?),
            };
            Ok([
                OutputFile { path: format!("{}.gz", file.path), contents: Contents::Bytes(gzip(&data)) },
                OutputFile { path: format!("{}.br", file.path), contents: Contents::Bytes(brotli(&data)) },
            ])
        })
        .collect();
    let mut out = Vec::with_capacity(compressed.len() * 2);
    for pair in compressed {
        out.extend(pair?);
    }
    Ok(out)
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 3), flate2::Compression::new(GZIP_LEVEL));
    encoder.write_all(data).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

pub fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY as i32,
        lgwin: BROTLI_WINDOW_BITS as i32,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("writing to memory");
    out
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
}

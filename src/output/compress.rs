//! Precompression: `.gz` and `.br` siblings for text files, so a static server (or
//! `hoclieu serve --static`) sends them without compressing on every request. Done in
//! memory before writing, so page budgets can be measured on the bytes a browser receives.
//!
//! Every text file gets a `.gz` (gzip 6): it is what a school's LAN server sends, since
//! browsers ask for brotli only over HTTPS. Files larger than gzip's 32 KB window (print
//! pages, long lists) also get a `.br` (brotli 5, 4 MB window), which finds the repeats
//! gzip cannot see: on the 10 000-lesson benchmark site they compress to 0.073 of their
//! size against gzip's 0.098. Below 32 KB, brotli at the qualities a build can afford is
//! not worth its time: brotli 4 gives gzip's ratio (0.358 against 0.356) at half gzip's
//! speed, brotli 5 saves 5 % at a third of it, and writing both for every file took
//! compression to 42 % of the build. A server sends the `.gz` to every browser when there
//! is no `.br`. Measure with `cargo run --release --example compress_levels -- SITE 0 32768`
//! and `… SITE 32769` (figures in BENCHMARKS.md).

use super::{Contents, OutputFile};
use crate::Error;
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;

pub const BROTLI_QUALITY: u32 = 5;
pub const BROTLI_WINDOW_BITS: u32 = 22;
pub const GZIP_LEVEL: u32 = 6;
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

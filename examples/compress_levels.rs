//! Measures compression settings on the text files of a built site, on one core:
//! `cargo run --release --example compress_levels -- public/ [MIN_BYTES [MAX_BYTES]]` prints,
//! per setting, MB/s and the compressed/original ratio, for the files within the size range
//! (to compare small pages with large ones). Used to choose the precompression levels
//! (src/output/compress.rs, BENCHMARKS.md).

/// The allocator the `hoclieu` binary uses, so the figures are the build's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: compress_levels SITE_FOLDER");
    let bound =
        |n: usize, default: usize| std::env::args().nth(n).map_or(default, |v| v.parse().expect("a size in bytes"));
    let (min, max) = (bound(2, 0), bound(3, usize::MAX));
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&dir).into_iter().filter_map(Result::ok) {
        let path = entry.path();
        if entry.file_type().is_file() && hoclieu::output::compress::worth_compressing(&path.to_string_lossy()) {
            let data = std::fs::read(path).expect("readable file");
            if (min..=max).contains(&data.len()) {
                files.push(data);
            }
        }
    }
    let total: usize = files.iter().map(Vec::len).sum();
    println!("{} files, {:.1} MB", files.len(), total as f64 / 1e6);
    let measure = |name: &str, compress: &dyn Fn(&[u8]) -> Vec<u8>| {
        let started = Instant::now();
        let out: usize = files.iter().map(|f| compress(f).len()).sum();
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{name:<28} {:>7.1} MB/s  ratio {:.3}  ({:.2} s)",
            total as f64 / 1e6 / secs,
            out as f64 / total as f64,
            secs
        );
    };
    for level in [1, 4, 6] {
        measure(&format!("gzip {level} (zlib-rs)"), &|data| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
            e.write_all(data).unwrap();
            e.finish().unwrap()
        });
    }
    for (quality, window) in [(3, 18), (4, 18), (5, 18), (5, 22)] {
        measure(&format!("brotli {quality} (window 2^{window})"), &|data| {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams { quality, lgwin: window, ..Default::default() };
            brotli::BrotliCompress(&mut &data[..], &mut out, &params).unwrap();
            out
        });
    }
}

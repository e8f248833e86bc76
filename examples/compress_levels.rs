//! Measures compression settings on the text files of a built site, on one core:
//! `cargo run --release --example compress_levels -- public/` prints, per setting, MB/s and
//! the compressed/original ratio. Used to choose the precompression levels
//! (src/output/compress.rs, BENCHMARKS.md).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: compress_levels SITE_FOLDER");
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(&dir).into_iter().filter_map(Result::ok) {
        let path = entry.path();
        if entry.file_type().is_file() && hoclieu::output::compress::worth_compressing(&path.to_string_lossy()) {
            files.push(std::fs::read(path).expect("readable file"));
        }
    }
    if std::env::var("ONLY_BR4").is_ok() {
        let started = Instant::now();
        let mut n = 0;
        for f in &files {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams { quality: 4, lgwin: 18, ..Default::default() };
            brotli::BrotliCompress(&mut &f[..], &mut out, &params).unwrap();
            n += out.len();
        }
        println!("{n} {:?}", started.elapsed());
        return;
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
    for (quality, window, hint) in
        [(4, 18, false), (4, 18, true), (5, 18, false), (5, 18, true), (4, 18, false), (4, 18, true)]
    {
        measure(&format!("brotli {quality} (window 2^{window}{})", if hint { ", size hint" } else { "" }), &|data| {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality,
                lgwin: window,
                size_hint: if hint { data.len() } else { 0 },
                ..Default::default()
            };
            brotli::BrotliCompress(&mut &data[..], &mut out, &params).unwrap();
            out
        });
    }
}

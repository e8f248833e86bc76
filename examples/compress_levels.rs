//! Measures compression settings on the text files of a built site, on one core:
//! `cargo run --release --example compress_levels -- public/ [MIN_BYTES [MAX_BYTES]]` prints,
//! per setting, MB/s (of this thread's CPU time, so that other processes do not count) and
//! the compressed/original ratio, for the files within the size range (to compare small
//! pages with large ones). Used to choose the precompression levels
//! (src/output/compress.rs, BENCHMARKS.md).

/// The allocator the `hoclieu` binary uses, so the figures are the build's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;

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
        let started = cpu_seconds();
        let out: usize = files.iter().map(|f| compress(f).len()).sum();
        let secs = cpu_seconds() - started;
        println!(
            "{name:<36} {:>7.1} MB/s  ratio {:.3}  ({:.2} s CPU, {out} bytes)",
            total as f64 / 1e6 / secs,
            out as f64 / total as f64,
            secs
        );
    };
    measure("gzip 6 (zlib-rs)", &|data| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        e.write_all(data).unwrap();
        e.finish().unwrap()
    });
    for level in [4, 5, 6, 7] {
        measure(&format!("gzip {level} (libdeflate)"), &|data| {
            let mut c = libdeflater::Compressor::new(libdeflater::CompressionLvl::new(level).unwrap());
            let mut out = vec![0; c.gzip_compress_bound(data.len())];
            let n = c.gzip_compress(data, &mut out).unwrap();
            out.truncate(n);
            out
        });
    }
    // the build makes no .br of smaller files; "fitted": the smallest window that holds the
    // file (hoclieu's), "hinted": brotli told the file's length before it starts
    let brotli_settings: &[(i32, bool, bool)] = if max <= hoclieu::output::compress::BROTLI_MIN_BYTES {
        &[]
    } else {
        &[(5, false, false), (5, true, false), (4, true, true), (5, true, true), (6, true, true)]
    };
    for &(quality, fitted, hinted) in brotli_settings {
        let name = format!(
            "brotli {quality}, {} window{}",
            if fitted { "fitted" } else { "4 MB" },
            if hinted { ", hinted" } else { "" }
        );
        measure(&name, &|data| {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality,
                lgwin: if fitted { hoclieu::output::compress::brotli_window_bits(data.len()) as i32 } else { 22 },
                size_hint: if hinted { data.len() } else { 0 },
                ..Default::default()
            };
            brotli::BrotliCompress(&mut &data[..], &mut out, &params).unwrap();
            out
        });
    }
}

/// The CPU time of this thread (user + system), from /proc: the machine may be shared, and
/// what another process takes must not count.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("Linux /proc");
    // the fields after the command name (which may hold spaces), from the third on
    let fields: Vec<&str> = stat.rsplit_once(')').expect("stat line").1.split_whitespace().collect();
    let ticks = |i: usize| fields[i].parse::<f64>().expect("a tick count");
    (ticks(11) + ticks(12)) / 100.0
}

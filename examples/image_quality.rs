//! Quality per byte of the WebP encodings `hoclieu` could write, on real images: for each
//! image given, the 720 px wide variant (what a 360 px phone at device pixel ratio 2
//! loads) encoded lossy by libwebp at several qualities, losslessly by libwebp, and
//! losslessly by the pure-Rust `image-webp` (through `image`), with bytes, encode time and
//! SSIM (luma, 8×8 windows) against the resized image. `cargo run --release --example
//! image_quality -- a.png b.jpg` (bench/images.sh runs it and records BENCHMARKS.md's table).

use image::{imageops::FilterType, DynamicImage, GenericImageView};
use std::time::Instant;

fn luma(image: &DynamicImage) -> (Vec<f64>, u32, u32) {
    let gray = image.to_luma8();
    (gray.as_raw().iter().map(|&v| f64::from(v)).collect(), gray.width(), gray.height())
}

/// Mean SSIM over 8×8 windows (step 4).
fn ssim(a: &DynamicImage, b: &DynamicImage) -> f64 {
    let ((x, w, h), (y, _, _)) = (luma(a), luma(b));
    let (c1, c2) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2));
    let (mut sum, mut n) = (0.0, 0);
    for wy in (0..h.saturating_sub(8)).step_by(4) {
        for wx in (0..w.saturating_sub(8)).step_by(4) {
            let (mut ma, mut mb, mut va, mut vb, mut cov) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for dy in 0..8 {
                for dx in 0..8 {
                    let i = ((wy + dy) * w + wx + dx) as usize;
                    ma += x[i];
                    mb += y[i];
                }
            }
            ma /= 64.0;
            mb /= 64.0;
            for dy in 0..8 {
                for dx in 0..8 {
                    let i = ((wy + dy) * w + wx + dx) as usize;
                    va += (x[i] - ma).powi(2);
                    vb += (y[i] - mb).powi(2);
                    cov += (x[i] - ma) * (y[i] - mb);
                }
            }
            let (va, vb, cov) = (va / 63.0, vb / 63.0, cov / 63.0);
            sum += ((2.0 * ma * mb + c1) * (2.0 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            n += 1;
        }
    }
    sum / f64::from(n.max(1))
}

fn lossy(image: &DynamicImage, quality: f32) -> Vec<u8> {
    let mut config = webp::WebPConfig::new().unwrap();
    config.quality = quality;
    config.method = 4;
    let rgb = image.to_rgb8();
    webp::Encoder::from_rgb(rgb.as_raw(), image.width(), image.height()).encode_advanced(&config).unwrap().to_vec()
}

fn lossless(image: &DynamicImage) -> Vec<u8> {
    let rgb = image.to_rgb8();
    webp::Encoder::from_rgb(rgb.as_raw(), image.width(), image.height()).encode_lossless().to_vec()
}

fn pure_rust(image: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(image.to_rgb8())
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::WebP)
        .unwrap();
    out
}

fn main() {
    println!("| image | encoding | bytes at 720 px | SSIM | encode ms |");
    println!("|---|---|---:|---:|---:|");
    for path in std::env::args().skip(1) {
        let original = image::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (w, h) = original.dimensions();
        let resized = original.resize_exact(720, (u64::from(h) * 720 / u64::from(w)) as u32, FilterType::CatmullRom);
        let name = std::path::Path::new(&path).file_name().unwrap().to_string_lossy().into_owned();
        let source_bytes = std::fs::metadata(&path).unwrap().len();
        println!("| {name} ({w}×{h}, {} KB) | | | | |", source_bytes / 1000);
        let row = |label: &str, encode: &dyn Fn() -> Vec<u8>| {
            let started = Instant::now();
            let bytes = encode();
            let ms = started.elapsed().as_millis();
            let decoded = image::load_from_memory(&bytes).unwrap();
            println!("| | {label} | {} | {:.4} | {ms} |", bytes.len(), ssim(&resized, &decoded));
        };
        for q in [50.0, 60.0, 70.0, 80.0, 90.0] {
            row(&format!("libwebp lossy q{q}"), &|| lossy(&resized, q));
        }
        row("libwebp lossless", &|| lossless(&resized));
        row("image-webp lossless (pure Rust)", &|| pure_rust(&resized));
    }
}

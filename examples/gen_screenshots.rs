//! Writes a site of phone screenshots for the image benchmark (bench/images.sh): N
//! screenshot-like 1080×2340 PNGs (status bar, app bar, lines of text, a photo in a chat),
//! six to a lesson, into a copy of book.toml's minimal setup.
//! `cargo run --release --example gen_screenshots -- OUT_DIR N`

use image::{ImageEncoder, Rgb, RgbImage};
use std::path::Path;

struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
}

/// The same drawing as the tests' `screenshot_png` (tests/it/images.rs).
fn screenshot_png(seed: u64) -> Vec<u8> {
    let (w, h) = (1080u32, 2340u32);
    let mut noise = Noise(seed);
    let mut img = RgbImage::from_pixel(w, h, Rgb([250, 250, 250]));
    let accent = [[0, 104, 255], [0, 150, 80], [200, 40, 40]][(seed % 3) as usize];
    for y in 0..h {
        for x in 0..w {
            let p = if y < 80 {
                Rgb([20, 20, 20])
            } else if y < 260 {
                Rgb(accent)
            } else if (900..1500).contains(&y) && (120..960).contains(&x) {
                let n = (noise.next() % 48) as u8;
                Rgb([
                    (x / 5) as u8 / 2 + n,
                    (y / 7) as u8 / 2 + n / 2,
                    120u8.wrapping_add(((x + y) / 9) as u8 / 3) + n / 3,
                ])
            } else {
                continue;
            };
            img.put_pixel(x, y, p);
        }
    }
    let mut y = 300;
    while y < h - 80 {
        if (880..1520).contains(&y) {
            y = 1540;
        }
        let mut x = 60 + noise.next() % 40;
        let end = 600 + noise.next() % 420;
        while x < end {
            // a word of glyphs, each a few strokes with a soft edge, like rendered text
            for _ in 0..2 + noise.next() % 7 {
                let gw = 12 + noise.next() % 8;
                let strokes = noise.next();
                for gx in 0..gw {
                    for gy in 0..34u32 {
                        let on = (strokes & 1 != 0 && gx < 3)
                            || (strokes & 2 != 0 && gx + 3 >= gw)
                            || (strokes & 4 != 0 && gy < 3)
                            || (strokes & 8 != 0 && (16..19).contains(&gy))
                            || (strokes & 16 != 0 && gy >= 31)
                            || (strokes & 32 != 0 && (gx * 34 / gw).abs_diff(gy) < 3);
                        let edge = (strokes & 1 != 0 && gx == 3) || (strokes & 8 != 0 && (gy == 15 || gy == 19));
                        let px = (x + gx).min(w - 1);
                        if on {
                            img.put_pixel(px, y + gy, Rgb([34, 34, 34]));
                        } else if edge {
                            img.put_pixel(px, y + gy, Rgb([160, 160, 160]));
                        }
                    }
                }
                x += gw + 3;
            }
            x += 18;
        }
        y += 64;
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    png
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = Path::new(args.get(1).expect("OUT_DIR N"));
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).expect("OUT_DIR N");
    std::fs::create_dir_all(out.join("content/buoc")).unwrap();
    std::fs::write(
        out.join("book.toml"),
        "[site]\ntitle = \"Ảnh chụp màn hình\"\ndefault_language = \"vi\"\n\n[build]\nprecompress = false\n\n[languages.vi]\nname = \"Tiếng Việt\"\n\n[domains.an-toan]\nname = \"An toàn\"\n\n[groups.nguoi-dan]\nname = \"Người dân\"\ndomains = [\"an-toan\"]\n",
    )
    .unwrap();
    std::fs::write(out.join("content/buoc/_index.md"), "+++\ntitle = \"Từng bước\"\n+++\n").unwrap();
    for lesson in 0..n.div_ceil(6) {
        let mut body =
            format!("+++\ntitle = \"Bài {lesson}\"\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\n+++\n");
        for i in (lesson * 6)..((lesson + 1) * 6).min(n) {
            std::fs::write(out.join(format!("content/buoc/anh-{i}.png")), screenshot_png(i as u64 + 1)).unwrap();
            body.push_str(&format!("Bước {i}.\n\n![Bước {i}](anh-{i}.png)\n\n"));
        }
        std::fs::write(out.join(format!("content/buoc/bai-{lesson}.md")), body).unwrap();
    }
}

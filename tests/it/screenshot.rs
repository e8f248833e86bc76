//! A synthetic phone screenshot, drawn the same way for the image tests
//! (`tests/it/images.rs`) and the image benchmark (`examples/gen_screenshots.rs`, which
//! includes this file by path).

use image::{ImageEncoder, Rgb, RgbImage};

/// A small deterministic generator (a 64-bit LCG), for grain and text strokes.
pub struct Noise(pub u64);

impl Noise {
    pub fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
}

/// A phone screenshot, 1080×2340: status bar, app bar, rows of "text" (dark strokes of
/// varying length), buttons, and a photo in a chat bubble (noise), like the step-by-step
/// captures of the lessons. About 0.5–1 MB as PNG.
pub fn screenshot_png(seed: u64) -> Vec<u8> {
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
                // a photo in the chat: smooth colours with grain
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
    // lines of text: strokes 4–9 px wide with soft edges, in words
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

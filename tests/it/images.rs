//! Images for slow, paid data (issue 14): a lesson of six phone screenshots (1080×2340 PNG)
//! and a class photo (4000×3000 JPEG carrying an EXIF GPS position and an orientation),
//! made here, built by the binary. Checks the `srcset` of every processed image, that no
//! image written carries EXIF (read with kamadak-exif), that only the phone's variants go
//! to offline saves and packs, the image budgets, the cache, and the bomb refused fast.
//! The browser half (what a 360 px phone downloads) is in `browser::images`.

use crate::harness::Project;
use crate::screenshot::{screenshot_png, Noise};
use image::{Rgb, RgbImage};
use std::path::Path;
use std::time::{Duration, Instant};

/// A small deterministic generator of noise.
/// An EXIF block (APP1 payload) with orientation 6 (turn 90° clockwise to show) and a GPS
/// position (21°19'30" N, 103°54'12" E: Sơn La), written by hand as a camera does.
fn exif_app1() -> Vec<u8> {
    let mut t: Vec<u8> = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value);
    };
    // IFD0 at 8: orientation, GPS pointer (to 38)
    t.extend(2u16.to_le_bytes());
    entry(&mut t, 0x0112, 3, 1, [6, 0, 0, 0]);
    entry(&mut t, 0x8825, 4, 1, 38u32.to_le_bytes());
    t.extend(0u32.to_le_bytes());
    // GPS IFD at 38: latitude at 92, longitude at 116
    t.extend(4u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, 5, 3, 92u32.to_le_bytes());
    entry(&mut t, 0x0003, 2, 2, *b"E\0\0\0");
    entry(&mut t, 0x0004, 5, 3, 116u32.to_le_bytes());
    t.extend(0u32.to_le_bytes());
    assert_eq!(t.len(), 92);
    for (n, d) in [(21u32, 1u32), (19, 1), (3000, 100), (103, 1), (54, 1), (1200, 100)] {
        t.extend(n.to_le_bytes());
        t.extend(d.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(t);
    app1
}

/// A class photo as a phone writes it: 4000×3000 stored sideways (EXIF orientation 6, so
/// it shows 3000×4000), JPEG quality 92 with sensor noise, and the GPS position. ~4 MB.
pub fn photo_jpeg(seed: u64) -> Vec<u8> {
    let (w, h) = (4000u32, 3000u32);
    let mut noise = Noise(seed);
    let img = RgbImage::from_fn(w, h, |x, y| {
        let n = (noise.next() % 40) as u8;
        let sky = y < h / 3;
        if sky {
            Rgb([90 + (y / 40) as u8 + n / 2, 140 + (y / 40) as u8 + n / 2, 210u8.saturating_add(n / 2)])
        } else {
            Rgb([60 + ((x / 23) % 60) as u8 + n, 90 + ((y / 31) % 50) as u8 + n, 40 + n])
        }
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92).encode_image(&img).unwrap();
    // APP1 right after SOI
    let app1 = exif_app1();
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// A PNG of a few bytes that declares 50 000 × 50 000 pixels (7.5 GB decoded).
pub fn bomb_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |png: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        png.extend(kind);
        png.extend(data);
        let mut crc = crc32(kind);
        crc = crc32_more(crc, data);
        png.extend(crc.to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend(50_000u32.to_be_bytes());
    ihdr.extend(50_000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn crc32(data: &[u8]) -> u32 {
    !crc32_more_raw(0xFFFF_FFFF, data)
}

fn crc32_more(crc: u32, data: &[u8]) -> u32 {
    !crc32_more_raw(!crc, data)
}

fn crc32_more_raw(mut crc: u32, data: &[u8]) -> u32 {
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    crc
}

/// Whether an image file carries EXIF with a GPS field, as a real EXIF reader sees it.
pub fn has_gps(bytes: &[u8]) -> bool {
    match exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes)) {
        Ok(exif) => exif.fields().any(|f| f.tag.context() == exif::Context::Gps),
        Err(_) => false,
    }
}

/// Whether an image file carries any EXIF at all.
pub fn has_exif(bytes: &[u8]) -> bool {
    exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes)).is_ok()
}

pub const STEPS: [&str; 6] = [
    "Bước 1: mở ứng dụng VNeID",
    "Bước 2: chọn Đăng nhập",
    "Bước 3: nhập số định danh",
    "Bước 4: nhập mật khẩu",
    "Bước 5: nhận mã OTP",
    "Bước 6: đăng nhập xong",
];

/// The `minimal` fixture with a lesson of six screenshots and a photo (the photo linked
/// to its original with `#goc`). Returns the sum of the originals' bytes.
pub fn lesson_with_images(project: &Project) -> u64 {
    let mut total = 0;
    let mut body = String::from(
        "+++\ntitle = \"Đăng nhập VNeID\"\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\nweight = 3\n+++\n## Các bước\n\n",
    );
    for (i, step) in STEPS.iter().enumerate() {
        let png = screenshot_png(i as u64 + 1);
        total += png.len() as u64;
        project.file(&format!("content/an-toan/vneid/buoc-{}.png", i + 1), &png);
        body.push_str(&format!("{step}.\n\n![{step}](vneid/buoc-{}.png)\n\n", i + 1));
    }
    let photo = photo_jpeg(7);
    total += photo.len() as u64;
    project.file("content/an-toan/vneid/lop-hoc.jpg", &photo);
    body.push_str("Lớp học ở xã.\n\n![Lớp học kỹ năng số ở xã](vneid/lop-hoc.jpg#goc)\n");
    project.file("content/an-toan/dang-nhap-vneid.md", body);
    total
}

/// The width in a variant's name (`media/a/hinh.720.1a2b3c4d.webp`).
fn width_of(name: &str) -> u32 {
    name.rsplit('.').nth(2).and_then(|w| w.parse().ok()).unwrap_or_else(|| panic!("no width in {name}"))
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg" | "webp" | "gif"))
}

#[test]
fn a_lesson_of_screenshots_and_a_photo_is_sized_for_phones_and_leaks_no_position() {
    let project = Project::fixture("minimal");
    let originals = lesson_with_images(&project);
    let photo = std::fs::read(project.path("content/an-toan/vneid/lop-hoc.jpg")).unwrap();
    assert!(has_gps(&photo), "the test photo carries a GPS position");
    assert!(originals > 7_000_000, "realistic originals: {originals} bytes");

    let outcome = project.run(&["build"]);
    outcome.success();

    let html = project.read("public/vi/an-toan/dang-nhap-vneid/index.html");
    let doc = scraper::Html::parse_document(&html);
    let imgs: Vec<_> = doc.select(&scraper::Selector::parse("main img").unwrap()).collect();
    assert_eq!(imgs.len(), 7, "{html}");
    for (n, img) in imgs.iter().enumerate() {
        let a = |name: &str| img.value().attr(name).unwrap_or_else(|| panic!("img {n} has no {name}: {html}"));
        let srcset = a("srcset");
        assert!(
            a("src").ends_with(".webp") && a("src").contains(".720."),
            "the phone's variant is the src: {}",
            a("src")
        );
        assert_eq!(a("sizes"), "(max-width: 42rem) calc(100vw - 2rem), 40rem");
        for width in ["360w", "720w", "1080w"] {
            assert!(srcset.contains(width), "img {n} srcset {srcset}");
        }
        assert!(a("data-bytes").parse::<u64>().unwrap() > 0);
        assert_eq!(img.value().attr("decoding"), Some("async"));
        // the first image shows at once; the others wait until they are near
        assert_eq!(img.value().attr("loading"), if n == 0 { None } else { Some("lazy") }, "img {n}");
    }
    assert_eq!((imgs[0].value().attr("width"), imgs[0].value().attr("height")), (Some("1080"), Some("2340")));
    // the photo stands upright: its EXIF orientation is applied
    assert_eq!((imgs[6].value().attr("width"), imgs[6].value().attr("height")), (Some("3000"), Some("4000")));
    let photo_720 = project.path("public/vi/an-toan/dang-nhap-vneid").join(imgs[6].value().attr("src").unwrap());
    let decoded = image::open(&photo_720).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (720, 960));
    // "Xem ảnh gốc" only where the author asked, to a copy without metadata
    let links: Vec<_> = doc.select(&scraper::Selector::parse("a.image-original").unwrap()).collect();
    assert_eq!(links.len(), 1);
    assert!(links[0].text().collect::<String>().starts_with("Xem ảnh gốc (3000×4000)"));
    let original = std::fs::read(project.path("public/media/an-toan/vneid/lop-hoc.jpg")).unwrap();
    assert!(!has_exif(&original), "the original is written without EXIF");
    assert_eq!(image::load_from_memory(&original).unwrap().width(), 3000, "upright");
    // screenshots nobody links to are not written full size
    assert!(!project.path("public/media/an-toan/vneid/buoc-1.png").exists());

    // no image anywhere in the output carries EXIF (let alone a position)
    let public = project.path("public");
    let images: Vec<_> = files_under(&public).into_iter().filter(|p| is_image(p)).collect();
    assert!(images.len() >= 7 * 3, "{images:?}");
    for path in &images {
        let bytes = std::fs::read(path).unwrap();
        assert!(!has_gps(&bytes) && !has_exif(&bytes), "{} carries EXIF", path.display());
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{} has an Exif block", path.display());
    }

    // the course's offline save carries the 360 and 720 variants, not the 1080 nor the originals
    let manifest: serde_json::Value = serde_json::from_str(&project.read("public/vi/an-toan/offline.json")).unwrap();
    let files: Vec<&str> = manifest["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    let webp: Vec<&&str> = files.iter().filter(|f| f.contains("/vneid/") && f.ends_with(".webp")).collect();
    assert_eq!(webp.len(), 14, "two variants of 7 images: {files:?}");
    assert!(files.iter().filter(|f| f.ends_with(".webp")).all(|f| width_of(f) <= 720), "{files:?}");
    assert!(!files.iter().any(|f| f.ends_with("buoc-1.png") || f.ends_with("lop-hoc.jpg")), "{files:?}");
    let bytes = manifest["bytes"].as_u64().unwrap();
    assert!(bytes < originals / 10, "a save of {bytes} bytes for {originals} bytes of originals");
}

#[test]
fn a_rebuild_encodes_nothing_and_a_damaged_cache_entry_is_redone() {
    let project = Project::fixture("minimal");
    project.file("content/an-toan/vneid/buoc-1.png", screenshot_png(1));
    project.file(
        "content/an-toan/dang-nhap-vneid.md",
        "+++\ntitle = \"Đăng nhập\"\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\n+++\n![Bước 1](vneid/buoc-1.png)\n",
    );
    project.run(&["build"]).success();
    let first = crate::harness::snapshot(&project.path("public"));
    let cache = project.path(".hoclieu-cache/images");
    let entries: Vec<_> = files_under(&cache);
    // one entry per variant: three of the screenshot, one of the fixture's 40 px picture
    assert_eq!(entries.len(), 4, "{entries:?}");
    let times: Vec<_> = entries.iter().map(|e| std::fs::metadata(e).unwrap().modified().unwrap()).collect();
    // damage one entry: it is encoded again, the others are read
    std::fs::write(&entries[0], b"not a webp").unwrap();
    std::thread::sleep(Duration::from_millis(20));
    project.run(&["build"]).success();
    assert_eq!(crate::harness::snapshot(&project.path("public")), first, "same output from the cache");
    for (i, entry) in entries.iter().enumerate().skip(1) {
        assert_eq!(
            std::fs::metadata(entry).unwrap().modified().unwrap(),
            times[i],
            "{} written again",
            entry.display()
        );
    }
    assert_ne!(std::fs::read(&entries[0]).unwrap(), b"not a webp", "the damaged entry is redone");
}

#[test]
fn images_over_budget_warn_naming_file_width_and_bytes_and_fail_with_strict() {
    let project = Project::fixture("minimal");
    lesson_with_images(&project);
    let toml =
        project.read("book.toml").replace("[build]", "[budgets]\nimage_kb = 20\npage_images_kb = 100\n\n[build]");
    project.file("book.toml", toml);
    let outcome = project.run(&["build"]);
    outcome.success();
    let line = outcome
        .stderr
        .lines()
        .find(|l| l.contains("vneid/buoc-1.png") && l.contains("image_kb"))
        .unwrap_or_else(|| panic!("no image budget warning:\n{}", outcome.stderr));
    assert!(line.contains("warning") && line.contains("at 720 px wide") && line.contains(" KB"), "{line}");
    assert!(
        outcome.stderr.contains("page vi/an-toan/dang-nhap-vneid/index.html loads ")
            && outcome.stderr.contains("page_images_kb"),
        "{}",
        outcome.stderr
    );
    let strict = project.run(&["build", "--strict"]);
    assert_ne!(strict.code, 0, "{}", strict.stderr);
    assert!(strict.stderr.contains("error") && strict.stderr.contains("image_kb"), "{}", strict.stderr);
}

#[test]
fn a_decompression_bomb_is_refused_fast_before_decoding() {
    let project = Project::fixture("minimal");
    project.file("content/an-toan/bom.png", bomb_png());
    project.file(
        "content/an-toan/bom.md",
        "+++\ntitle = \"Bom\"\ndomains = [\"an-toan\"]\ngroups = [\"nguoi-dan\"]\n+++\n![Bom](bom.png)\n",
    );
    let started = Instant::now();
    let outcome = project.run_within(&["build"], Duration::from_secs(60)).expect("the build ends");
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    assert_ne!(outcome.code, 0);
    assert!(
        outcome.stderr.contains("content/an-toan/bom.png: error: image declares 50000×50000 pixels"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("hint:") && outcome.stderr.contains("decompression bomb"), "{}", outcome.stderr);
    assert!(!project.path("public").exists(), "nothing written");
}

#[test]
fn packs_carry_only_the_variants_a_phone_needs() {
    let project = Project::fixture("minimal");
    lesson_with_images(&project);
    project.file(
        "book.toml",
        project.read("book.toml") + "\n[packs.nguoi-dan]\nlanguages = [\"vi\"]\ngroups = [\"nguoi-dan\"]\n",
    );
    project.run(&["pack", "--id", "nguoi-dan", "--out", "packs"]).success();
    let zip_path = files_under(&project.path("packs"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "zip"))
        .expect("a zip");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    let webp: Vec<&String> = names.iter().filter(|n| n.ends_with(".webp")).collect();
    assert!(!webp.is_empty(), "{names:?}");
    assert!(webp.iter().all(|n| width_of(n) <= 720), "{webp:?}");
    assert_eq!(webp.iter().filter(|n| n.contains("/vneid/")).count(), 14, "{webp:?}");
    assert!(!names.iter().any(|n| n.ends_with("buoc-1.png")), "{names:?}");
    let page = names.iter().find(|n| n.ends_with("dang-nhap-vneid/index.html")).unwrap().clone();
    let mut html = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(&page).unwrap(), &mut html).unwrap();
    assert!(!html.contains("1080w"), "the pack's pages offer only what it carries");
    assert!(
        !html.contains("image-original") && !names.iter().any(|n| n.ends_with("lop-hoc.jpg")),
        "no original in a pack"
    );
}

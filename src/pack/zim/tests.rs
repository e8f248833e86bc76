//! The ZIM writer and reader, against each other and against hostile files.

use super::*;
use crate::pack::archive::Limits;
use crate::Error;
use md5::{Digest, Md5};

fn metadata() -> Metadata {
    Metadata {
        name: "hoclieu_thu".into(),
        title: "Thử".into(),
        description: "Gói thử".into(),
        long_description: None,
        language: "vie".into(),
        creator: "Sở KH&CN".into(),
        publisher: "Sở KH&CN".into(),
        date: "2024-03-14".into(),
        tags: "_category:other;hoclieu".into(),
        illustration: vec![0x89, b'P', b'N', b'G'],
    }
}

/// 1.5 MB of words drawn by a fixed generator: compresses like real text, a few times.
fn words() -> Vec<u8> {
    let words = ["mat ", "khau ", "an ", "toan ", "lua ", "dao ", "dien ", "thoai ", "ma ", "so "];
    let mut seed = 12345u64;
    let mut big = Vec::new();
    while big.len() < 1_500_000 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        big.extend(words[(seed >> 33) as usize % words.len()].as_bytes());
    }
    big
}

fn sample() -> Vec<u8> {
    let big = words();
    let pages = [
        Page { path: "index.html", data: b"<!doctype html><title>Trang chu</title>", title: Some("Trang chủ") },
        Page { path: "vi/mat-khau/index.html", data: b"<p>mat khau</p>", title: Some("Mật khẩu mạnh") },
        Page { path: "vi/an-toan/index.html", data: b"<p>an toan</p>", title: Some("An toàn") },
        Page { path: "media/a.png", data: &[1, 2, 3, 4], title: None },
        Page { path: "search/vi/shard-0.js", data: &big, title: None },
        Page { path: "empty.txt", data: b"", title: None },
    ];
    write(&pages, "index.html", &metadata(), [7; 16]).unwrap()
}

fn open(bytes: &[u8]) -> Result<Reader, Error> {
    open_with(bytes, Limits::default())
}

fn open_with(bytes: &[u8], limits: Limits) -> Result<Reader, Error> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.zim");
    std::fs::write(&path, bytes).unwrap();
    let reader = Reader::open(&path, limits);
    // the open file outlives the folder on Unix; keep the folder until the test ends
    std::mem::forget(dir);
    reader
}

fn message(result: Result<Reader, Error>) -> String {
    match result {
        Ok(_) => panic!("a hostile file was accepted"),
        Err(e) => e.to_string(),
    }
}

/// Recomputes the trailing MD5, as an attacker would.
fn reseal(bytes: &mut Vec<u8>) {
    bytes.truncate(bytes.len() - 16);
    let digest = Md5::digest(&bytes[..]);
    bytes.extend(digest);
}

#[test]
fn what_is_written_reads_back_with_titles_metadata_and_main_page() {
    let bytes = sample();
    assert!(is_zim(&bytes));
    let mut reader = open(&bytes).unwrap();
    assert_eq!(
        reader.names().collect::<Vec<_>>(),
        [
            "empty.txt",
            "index.html",
            "media/a.png",
            "search/vi/shard-0.js",
            "vi/an-toan/index.html",
            "vi/mat-khau/index.html"
        ]
    );
    assert_eq!(reader.read("vi/mat-khau/index.html", 1 << 20).unwrap().unwrap(), b"<p>mat khau</p>");
    let big = reader.read("search/vi/shard-0.js", 8 << 20).unwrap().unwrap();
    assert_eq!(big, words(), "the 1.5 MB file comes back whole");
    assert_eq!(reader.read("empty.txt", 10).unwrap().unwrap(), b"");
    assert_eq!(reader.mime("index.html"), Some("text/html"));
    assert_eq!(reader.mime("search/vi/shard-0.js"), Some("text/javascript"));
    assert_eq!(reader.title("vi/mat-khau/index.html"), Some("Mật khẩu mạnh"));
    assert_eq!(reader.main_page(), Some("index.html"));
    assert_eq!(reader.metadata("Language").unwrap().as_deref(), Some("vie"));
    assert_eq!(reader.metadata("Date").unwrap().as_deref(), Some("2024-03-14"));
    assert_eq!(
        reader.metadata("Counter").unwrap().as_deref(),
        Some("image/png=1;text/html=3;text/javascript=1;text/plain=1")
    );
    // text is compressed: 1.5 MB of words take far less
    assert!(bytes.len() < 750_000, "{} bytes", bytes.len());
    assert_eq!(sample(), bytes, "the same entries give the same bytes");
}

#[test]
fn the_title_listing_orders_front_articles_by_title_and_the_header_points_into_v0() {
    let bytes = sample();
    let mut reader = open(&bytes).unwrap();
    let count = le32(&bytes, 24) as usize;
    let title_pos = le64(&bytes, 40) as usize;
    let v0: Vec<u32> = (0..count).map(|i| le32(&bytes, title_pos + 4 * i)).collect();
    let keys: Vec<(u8, String)> = v0
        .iter()
        .map(|&i| {
            let d = &reader.dirents[i as usize];
            (d.namespace, if d.title.is_empty() { d.path.clone() } else { d.title.clone() })
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let i = reader.dirents.iter().position(|d| d.path == "listing/titleOrdered/v1").unwrap();
    let v1 = reader.blob(i, 1 << 20).unwrap().unwrap();
    let titles: Vec<&str> = v1
        .chunks(4)
        .map(|c| reader.dirents[u32::from_le_bytes(c.try_into().unwrap()) as usize].title.as_str())
        .collect();
    assert_eq!(titles, ["An toàn", "Mật khẩu mạnh", "Trang chủ"]);
}

#[test]
fn a_flipped_byte_or_a_cut_file_is_refused_by_the_checksum() {
    let bytes = sample();
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    assert!(message(open(&flipped)).contains("MD5 checksum does not match"));
    assert!(message(open(&bytes[..bytes.len() - 100])).contains("truncated"));
    assert!(message(open(&bytes[..50])).contains("too short"));
    assert!(message(open(
        b"PK\x03\x04 not a zim file at all, but long enough to have a header ......................................"
    ))
    .contains("does not start like a ZIM file"));
}

#[test]
fn lying_counts_offsets_and_names_are_refused_even_with_a_good_checksum() {
    let bytes = sample();
    // an entry count far past the limit
    let mut many = bytes.clone();
    many[24..28].copy_from_slice(&4_000_000_000u32.to_le_bytes());
    reseal(&mut many);
    assert!(message(open(&many)).contains("claims 4000000000 entries"));
    // a count under the limit whose pointers would run past the end
    let mut past = bytes.clone();
    past[24..28].copy_from_slice(&400_000u32.to_le_bytes());
    reseal(&mut past);
    assert!(message(open(&past)).contains("reach past its end"));
    // a path that leaves the folder: rename "empty.txt" to "../pty.txt"
    let at = bytes.windows(9).position(|w| w == b"empty.txt").unwrap();
    let mut escaping = bytes.clone();
    escaping[at..at + 3].copy_from_slice(b"../");
    reseal(&mut escaping);
    assert!(message(open(&escaping)).contains("unsafe name"));
    // a cluster pointer past the end
    let mut cluster = bytes.clone();
    let at = le64(&bytes, 48) as usize;
    cluster[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    reseal(&mut cluster);
    assert!(message(open(&cluster)).contains("past the end"));
}

#[test]
fn a_cluster_that_decompresses_past_the_limits_is_refused_while_decompressing() {
    let bytes = sample();
    let limits = Limits { max_file: 256 << 10, ratio_from: 1 << 30, ..Limits::default() };
    let mut reader = open_with(&bytes, limits).unwrap();
    let err = reader.hash_all(&[]).unwrap_err().to_string();
    assert!(err.contains("decompresses to more than"), "{err}");
    let limits = Limits { max_ratio: 5, ratio_from: 1 << 10, ..Limits::default() };
    let mut reader = open_with(&bytes, limits).unwrap();
    let err = reader.read("search/vi/shard-0.js", 8 << 20).unwrap_err().to_string();
    assert!(err.contains("compression bomb"), "{err}");
}

#[test]
fn a_malformed_entry_is_refused() {
    assert!(parse_dirent(&[0; 11]).is_none());
    // a name without its terminating NUL
    let mut entry = vec![0u8, 0, 0, b'C', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    entry.extend(b"abc");
    assert!(parse_dirent(&entry).is_none());
    entry.extend(b"\0title\0");
    let d = parse_dirent(&entry).unwrap();
    assert_eq!((d.path.as_str(), d.title.as_str()), ("abc", "title"));
}

//! Writes a site of phone screenshots for the image benchmark (bench/images.sh): N
//! screenshot-like 1080×2340 PNGs (status bar, app bar, lines of text, a photo in a chat),
//! six to a lesson, into a copy of book.toml's minimal setup.
//! `cargo run --release --example gen_screenshots -- OUT_DIR N`

use std::path::Path;

#[path = "../tests/it/screenshot.rs"]
mod screenshot;
use screenshot::screenshot_png;

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

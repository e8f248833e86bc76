//! Checks a built site's precompressed siblings: every `X.gz` and `X.br` under the folder
//! must decompress to exactly the bytes of `X`. `cargo run --release --example check_siblings
//! -- public/` prints how many were checked and exits non-zero, naming the file, on the
//! first that does not (or has no `X` beside it). Used by `bench/identical.sh --plain`,
//! which proves a change to compression left every file the same once decompressed.

use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = std::env::args().nth(1).expect("usage: check_siblings SITE_FOLDER");
    let (mut gz, mut br) = (0usize, 0usize);
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
        let path = entry.path();
        let name = path.to_string_lossy();
        let (original, is_gz) = match (name.strip_suffix(".gz"), name.strip_suffix(".br")) {
            (Some(original), _) => (original.to_string(), true),
            (_, Some(original)) => (original.to_string(), false),
            _ => continue,
        };
        let compressed = std::fs::read(path).expect("readable file");
        let mut back = Vec::new();
        let decoded = if is_gz {
            flate2::read::GzDecoder::new(&compressed[..]).read_to_end(&mut back).is_ok()
        } else {
            brotli::BrotliDecompress(&mut &compressed[..], &mut back).is_ok()
        };
        match std::fs::read(&original) {
            Ok(bytes) if decoded && bytes == back => {}
            Ok(_) => {
                eprintln!("{name} does not decompress to {original}");
                return ExitCode::FAILURE;
            }
            Err(_) => {
                eprintln!("{name} has no {original} beside it");
                return ExitCode::FAILURE;
            }
        }
        if is_gz {
            gz += 1;
        } else {
            br += 1;
        }
    }
    println!("{gz} .gz and {br} .br decompress to their files");
    ExitCode::SUCCESS
}

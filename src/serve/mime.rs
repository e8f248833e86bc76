//! Content types by file extension: what a built site and an offline pack contain (pages,
//! styles, search shards as `.js`, fonts, the web manifest, pictures, audio and video,
//! packs). Unknown extensions are sent as `application/octet-stream` (downloaded, never
//! run), with `nosniff` set by the responder.

pub fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "m4a" => "audio/mp4",
        "wav" => "audio/wav",
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "ogv" => "video/ogg",
        "vtt" => "text/vtt; charset=utf-8",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "tar" => "application/x-tar",
        "zst" => "application/zstd",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_types_a_site_and_a_pack_need() {
        for (path, expected) in [
            ("vi/index.html", "text/html; charset=utf-8"),
            ("search/vi/shard-0a.js", "text/javascript; charset=utf-8"),
            ("assets/noto-sans-tai-viet.abcd1234.woff2", "font/woff2"),
            ("manifest.webmanifest", "application/manifest+json"),
            ("media/an-toan/bai.MP3", "audio/mpeg"),
            ("packs/truong-hoc.zip", "application/zip"),
            ("Makefile", "application/octet-stream"),
        ] {
            assert_eq!(super::content_type(path), expected, "{path}");
        }
    }
}

//! Request paths → paths inside the served folder, refusing every way out of it.
//!
//! The path is percent-decoded exactly once, then checked segment by segment: `.` and
//! `..` (also when written `%2e%2e`), backslashes and NUL bytes (also encoded) are refused
//! with 400; names starting with `.` (`.git`, the `.hoclieu-output` marker) are hidden
//! (404), and so are paths starting with `//`. Symlinks are checked where the file is
//! opened (`static_files`), since only the file system knows where they lead.

use hyper::StatusCode;

/// A checked request path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relative {
    /// `/`-separated, no leading slash; empty for the root.
    pub path: String,
    /// The request ended with `/` (a folder was asked for).
    pub dir: bool,
}

pub fn relative(url_path: &str) -> Result<Relative, StatusCode> {
    let Some(rest) = url_path.strip_prefix('/') else { return Err(StatusCode::BAD_REQUEST) };
    // `//vi` names no file of ours, and its redirect `//vi/` would send the browser to the
    // host `vi` (a protocol-relative URL)
    if rest.starts_with('/') {
        return Err(StatusCode::NOT_FOUND);
    }
    let decoded = percent_decode(rest).ok_or(StatusCode::BAD_REQUEST)?;
    let mut segments = Vec::new();
    for segment in decoded.split('/') {
        if segment.is_empty() {
            continue;
        }
        if segment == "." || segment == ".." || segment.contains(['\\', '\0']) {
            return Err(StatusCode::BAD_REQUEST);
        }
        if segment.starts_with('.') {
            return Err(StatusCode::NOT_FOUND);
        }
        segments.push(segment);
    }
    Ok(Relative { path: segments.join("/"), dir: decoded.is_empty() || decoded.ends_with('/') })
}

/// Strict: `None` when an escape is malformed (`%zz`, a lone `%`) or the bytes are not UTF-8,
/// so a path is never read two ways.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let well_formed = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'%')
        .all(|(i, _)| bytes.get(i + 1..i + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)));
    if !well_formed {
        return None;
    }
    percent_encoding::percent_decode_str(text).decode_utf8().ok().map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_out_is_refused() {
        for (path, status) in [
            ("/../etc/passwd", StatusCode::BAD_REQUEST),
            ("/vi/../../etc/passwd", StatusCode::BAD_REQUEST),
            ("/%2e%2e/etc/passwd", StatusCode::BAD_REQUEST),
            ("/%2E%2E%2Fetc%2Fpasswd", StatusCode::BAD_REQUEST),
            ("/vi/%2e/index.html", StatusCode::BAD_REQUEST),
            ("/..%5c..%5cetc%5cpasswd", StatusCode::BAD_REQUEST),
            ("/vi\\..\\..\\etc", StatusCode::BAD_REQUEST),
            ("/index.html%00.png", StatusCode::BAD_REQUEST),
            ("/%zz", StatusCode::BAD_REQUEST),
            ("/%c3", StatusCode::BAD_REQUEST),
            ("/a%", StatusCode::BAD_REQUEST),
            ("/a%2", StatusCode::BAD_REQUEST),
            ("/%+1", StatusCode::BAD_REQUEST),
            ("/m%E1%BAt", StatusCode::BAD_REQUEST),
            ("/%2E%2E%2F", StatusCode::BAD_REQUEST),
            ("relative", StatusCode::BAD_REQUEST),
            ("/.hoclieu-output", StatusCode::NOT_FOUND),
            ("/vi/.git/config", StatusCode::NOT_FOUND),
            ("//vi", StatusCode::NOT_FOUND),
            ("//evil.example/", StatusCode::NOT_FOUND),
        ] {
            assert_eq!(relative(path), Err(status), "{path}");
        }
    }

    #[test]
    fn ordinary_paths_are_kept() {
        let ok = |path: &str, expected: &str, dir: bool| {
            assert_eq!(relative(path), Ok(Relative { path: expected.to_string(), dir }), "{path}")
        };
        ok("/", "", true);
        ok("/vi/an-toan/", "vi/an-toan", true);
        ok("/vi//index.html", "vi/index.html", false);
        ok("/media/M%E1%BA%ADt%20kh%E1%BA%A9u.png", "media/Mật khẩu.png", false);
        ok("/%252e%252e/x", "%2e%2e/x", false);
        ok("/vi%2Fan-toan%2f", "vi/an-toan", true);
    }
}

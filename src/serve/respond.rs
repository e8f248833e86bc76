//! From a file to an HTTP response, the same way for files on disk (LAN hosting) and files
//! in memory (preview): content type, `ETag` and `Last-Modified` with 304 answers, caching
//! policy, `Range` requests (one range; several get the whole file, as RFC 9110 allows),
//! `HEAD`, and the choice of a precompressed sibling from `Accept-Encoding`.

use super::http::Body;
use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Response, StatusCode};
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

/// How long a browser may keep a file without asking again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachePolicy {
    /// Content-hashed names (`assets/style.1a2b3c4d5e.css`): the name changes with the bytes.
    Immutable,
    /// Everything else: keep, but ask (a cheap 304) before each use.
    Revalidate,
    /// Preview: never keep, the author is editing.
    NoStore,
}

impl CachePolicy {
    /// The policy for a file of a built site, from its path.
    pub fn for_path(path: &str) -> CachePolicy {
        if is_fingerprinted(path) {
            CachePolicy::Immutable
        } else {
            CachePolicy::Revalidate
        }
    }

    fn header(self) -> &'static str {
        match self {
            CachePolicy::Immutable => "public, max-age=31536000, immutable",
            CachePolicy::Revalidate => "no-cache",
            CachePolicy::NoStore => "no-store",
        }
    }
}

/// `name.<hex, 8 or more>.ext` under `assets/`, as `render::theme` names them.
pub fn is_fingerprinted(path: &str) -> bool {
    let Some(name) = path.strip_prefix("assets/") else { return false };
    let mut parts = name.rsplit('.');
    let (_ext, hash) = (parts.next(), parts.next());
    parts.next().is_some() && hash.is_some_and(|h| h.len() >= 8 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Where the bytes are.
#[derive(Debug, Clone)]
pub enum Data {
    Memory(Bytes),
    /// A file too large to keep in memory, opened (and checked, [`open_inside`]): streamed
    /// from disk as the client takes it.
    File(Arc<std::fs::File>),
}

/// Opens the file at `path` if it is a regular file inside `root` (canonical) once every
/// symlink is resolved, and returns it with its metadata. The check is of the file that
/// was opened, not of the name before opening it: a file swapped for a symlink to
/// `/etc/passwd` after it was checked is not what gets served.
pub fn open_inside(path: &Path, root: &Path) -> Option<(std::fs::File, std::fs::Metadata)> {
    let real = path.canonicalize().ok()?;
    if !real.starts_with(root) {
        return None;
    }
    let file = std::fs::File::open(&real).ok()?;
    #[cfg(target_os = "linux")]
    {
        // what was opened, whatever happened to the names since canonicalize
        use std::os::fd::AsRawFd;
        if let Ok(opened) = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
            if !opened.starts_with(root) {
                return None;
            }
        }
    }
    let meta = file.metadata().ok()?;
    meta.is_file().then_some((file, meta))
}

/// One representation of a resource: the bytes and what describes them.
#[derive(Debug, Clone)]
pub struct Representation {
    pub data: Data,
    pub len: u64,
    pub content_type: &'static str,
    /// `br` or `gzip` when `data` is a precompressed sibling.
    pub encoding: Option<&'static str>,
    /// With its quotes (ignored with [`CachePolicy::NoStore`]).
    pub etag: HeaderValue,
    pub modified: Option<SystemTime>,
    /// `modified` as an HTTP date, made once per file rather than per request.
    pub last_modified: Option<HeaderValue>,
    pub cache: CachePolicy,
    /// The resource has (or may have) compressed forms: answers vary by `Accept-Encoding`.
    pub vary: bool,
}

/// The codings the client accepts among the ones we keep, best first.
pub fn accepted_encodings(headers: &HeaderMap) -> Vec<&'static str> {
    let mut accepted = Vec::with_capacity(2);
    let Some(value) = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else {
        return accepted;
    };
    let mut star = false;
    let mut listed: Vec<(&str, bool)> = Vec::new();
    for item in value.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim();
        let zero = parts.any(|p| {
            let p = p.trim();
            p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")).and_then(|q| q.trim().parse::<f32>().ok())
                == Some(0.0)
        });
        if coding == "*" {
            star = !zero;
        } else {
            listed.push((coding, !zero));
        }
    }
    for coding in ["br", "gzip"] {
        let verdict = listed.iter().find(|(c, _)| c.eq_ignore_ascii_case(coding)).map(|(_, ok)| *ok);
        if verdict.unwrap_or(star) {
            accepted.push(coding);
        }
    }
    accepted
}

/// The file extension of a coding's sibling.
pub fn sibling_extension(coding: &str) -> &'static str {
    if coding == "br" {
        "br"
    } else {
        "gz"
    }
}

/// The ETag of a file on disk, from its size and modification time (as nginx does).
pub fn file_etag(len: u64, modified: Option<SystemTime>) -> HeaderValue {
    let nanos = modified
        .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64 ^ ((d.as_nanos() >> 64) as u64));
    HeaderValue::from_str(&format!("\"{nanos:x}-{len:x}\"")).expect("hex digits and quotes")
}

/// An HTTP date header value.
pub fn http_date(time: SystemTime) -> HeaderValue {
    HeaderValue::from_str(&httpdate::fmt_http_date(time)).expect("an HTTP date is ASCII")
}

/// Answers `GET`/`HEAD` for `rep`, honouring conditional and range headers.
pub fn respond(method: &Method, headers: &HeaderMap, rep: Representation) -> Response<Body> {
    let mut response = Response::builder()
        .header(header::CONTENT_TYPE, rep.content_type)
        .header(header::CACHE_CONTROL, rep.cache.header())
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if rep.cache != CachePolicy::NoStore {
        response = response.header(header::ETAG, rep.etag.clone());
        if let Some(date) = &rep.last_modified {
            response = response.header(header::LAST_MODIFIED, date.clone());
        }
    }
    if rep.vary {
        response = response.header(header::VARY, "Accept-Encoding");
    }
    if let Some(coding) = rep.encoding {
        response = response.header(header::CONTENT_ENCODING, coding);
    }
    if rep.cache != CachePolicy::NoStore && not_modified(headers, &rep) {
        return response.status(StatusCode::NOT_MODIFIED).body(Body::empty()).expect("valid response");
    }
    response = response.header(header::ACCEPT_RANGES, "bytes");
    let (status, start, len) = match requested_range(headers, &rep) {
        RangeRequest::Whole => (StatusCode::OK, 0, rep.len),
        RangeRequest::Part(start, end) => {
            response = response.header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{}", rep.len));
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        RangeRequest::Unsatisfiable => {
            return response
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, format!("bytes */{}", rep.len))
                .body(Body::empty())
                .expect("valid response");
        }
    };
    response = response.status(status).header(header::CONTENT_LENGTH, len);
    if method == Method::HEAD {
        return response.body(Body::empty()).expect("valid response");
    }
    let body = match rep.data {
        Data::Memory(bytes) => Body::bytes(bytes.slice(start as usize..(start + len) as usize)),
        Data::File(file) => Body::File(super::http::FileStream::new(file, start, len)),
    };
    response.body(body).expect("valid response")
}

/// A plain-text answer for errors and refusals.
pub fn plain(status: StatusCode, text: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(Body::bytes(format!("{text}\n")))
        .expect("valid response")
}

/// A permanent redirect, for folders asked without their final slash.
pub fn redirect(location: &str) -> Response<Body> {
    let mut response = plain(StatusCode::MOVED_PERMANENTLY, "moved");
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn not_modified(headers: &HeaderMap, rep: &Representation) -> bool {
    if let Some(value) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        let ours = rep.etag.to_str().unwrap_or_default().trim_start_matches("W/");
        return value.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours);
    }
    match (headers.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()), rep.modified) {
        (Some(since), Some(modified)) => match httpdate::parse_http_date(since) {
            // HTTP dates have whole seconds.
            Ok(since) => truncate_to_seconds(modified) <= since,
            Err(_) => false,
        },
        _ => false,
    }
}

fn truncate_to_seconds(time: SystemTime) -> SystemTime {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(d.as_secs()),
        Err(_) => time,
    }
}

enum RangeRequest {
    Whole,
    /// First and last byte, inclusive.
    Part(u64, u64),
    Unsatisfiable,
}

fn requested_range(headers: &HeaderMap, rep: &Representation) -> RangeRequest {
    let Some(value) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return RangeRequest::Whole;
    };
    // If-Range: only the version the client already has part of may be sent in part.
    if let Some(condition) = headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok()) {
        let same = if condition.starts_with('"') {
            condition.as_bytes() == rep.etag.as_bytes()
        } else {
            match (httpdate::parse_http_date(condition), rep.modified) {
                (Ok(date), Some(modified)) => truncate_to_seconds(modified) == date,
                _ => false,
            }
        };
        if !same {
            return RangeRequest::Whole;
        }
    }
    parse_range(value, rep.len)
}

/// One `bytes=` range against a file of `len` bytes; anything unusual gets the whole file.
fn parse_range(value: &str, len: u64) -> RangeRequest {
    let Some(spec) = value.trim().strip_prefix("bytes=") else { return RangeRequest::Whole };
    if spec.contains(',') {
        return RangeRequest::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else { return RangeRequest::Whole };
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u64>().ok())?;
    match (first.is_empty(), number(first), number(last)) {
        // bytes=-N: the last N bytes
        (true, _, Some(suffix)) => {
            if suffix == 0 || len == 0 {
                RangeRequest::Unsatisfiable
            } else {
                RangeRequest::Part(len.saturating_sub(suffix), len - 1)
            }
        }
        (false, Some(start), None) if last.is_empty() => {
            if start >= len {
                RangeRequest::Unsatisfiable
            } else {
                RangeRequest::Part(start, len - 1)
            }
        }
        (false, Some(start), Some(end)) if start <= end => {
            if start >= len {
                RangeRequest::Unsatisfiable
            } else {
                RangeRequest::Part(start, end.min(len - 1))
            }
        }
        _ => RangeRequest::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        let part = |v: &str| match parse_range(v, 100) {
            RangeRequest::Whole => "whole".to_string(),
            RangeRequest::Part(a, b) => format!("{a}-{b}"),
            RangeRequest::Unsatisfiable => "416".to_string(),
        };
        assert_eq!(part("bytes=0-9"), "0-9");
        assert_eq!(part("bytes=90-"), "90-99");
        assert_eq!(part("bytes=-10"), "90-99");
        assert_eq!(part("bytes=-500"), "0-99");
        assert_eq!(part("bytes=50-500"), "50-99");
        assert_eq!(part("bytes=100-"), "416");
        assert_eq!(part("bytes=-0"), "416");
        assert_eq!(part("bytes=5-1"), "whole");
        assert_eq!(part("bytes=0-1,5-6"), "whole");
        assert_eq!(part("items=0-1"), "whole");
        assert_eq!(part("bytes=x-1"), "whole");
    }

    #[test]
    fn accept_encoding_honours_q_zero_and_star() {
        let codings = |v: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            accepted_encodings(&headers)
        };
        assert_eq!(codings("gzip, deflate, br"), ["br", "gzip"]);
        assert_eq!(codings("gzip"), ["gzip"]);
        assert_eq!(codings("br;q=0, gzip;q=0.5"), ["gzip"]);
        assert_eq!(codings("*"), ["br", "gzip"]);
        assert_eq!(codings("*, br;q=0"), ["gzip"]);
        assert_eq!(codings("identity"), Vec::<&str>::new());
    }

    #[test]
    fn only_hashed_theme_assets_are_immutable() {
        assert!(is_fingerprinted("assets/style.1a2b3c4d5e.css"));
        assert!(is_fingerprinted("assets/noto-sans-tai-viet.0123abcd.woff2"));
        assert!(!is_fingerprinted("assets/style.css"));
        assert!(!is_fingerprinted("media/an-toan/hinh.1a2b3c4d5e.png"));
        assert!(!is_fingerprinted("assets/ban-do.png"));
    }
}

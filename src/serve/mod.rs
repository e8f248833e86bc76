//! `hoclieu serve`: HTTP for a built site. Two uses share one HTTP layer ([`http`]) and
//! one responder ([`respond`]):
//!
//! - LAN hosting (`--static DIR`, [`static_files`]): a school serves a built site or an
//!   unpacked pack to its students' phones; read-only, from disk, precompressed files,
//!   caching headers, ranges, no way out of the folder.
//! - Author preview ([`preview`]): builds the site in memory, watches the sources,
//!   re-renders what changed (`rebuild`) and tells the browser to reload ([`reload`]);
//!   never writes the output folder.
//!
//! Binds to loopback unless `--bind` names another address: a site is only offered to the
//! network when someone asked for it.

pub mod api;
pub mod http;
pub mod mime;
pub mod path;
pub mod preview;
mod rebuild;
pub mod reload;
pub mod respond;
pub mod static_files;

use crate::msg;
use crate::Error;
use hyper::{Method, Response, StatusCode};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

/// Where to listen.
#[derive(Debug, Clone, Copy)]
pub struct Listen {
    pub ip: IpAddr,
    pub port: u16,
}

impl Listen {
    pub fn loopback(port: u16) -> Listen {
        Listen { ip: IpAddr::V4(Ipv4Addr::LOCALHOST), port }
    }
}

/// Parses `--bind`: an IP address, or `localhost`.
pub fn parse_bind(text: &str) -> Result<IpAddr, String> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    text.trim_start_matches('[').trim_end_matches(']').parse().map_err(|_| {
        format!("\"{text}\" is not an IP address; use 127.0.0.1 (this computer only) or 0.0.0.0 (every network)")
    })
}

/// LAN hosting options.
#[derive(Debug, Clone)]
pub struct StaticOptions {
    pub dir: PathBuf,
    pub listen: Listen,
    pub list_dirs: bool,
    pub qr: bool,
}

/// Serves `options.dir` until the process is stopped.
pub fn run_static(options: StaticOptions) -> Result<(), Error> {
    let site = Arc::new(static_files::StaticSite::new(&options.dir, options.list_dirs)?);
    let listener = http::bind(SocketAddr::new(options.listen.ip, options.listen.port))?;
    let address = listener.local_addr().map_err(|e| Error::io(&options.dir, "cannot listen", e))?;
    println!("{}", msg!("serve.serving", dir = options.dir.display()));
    print_urls(address, options.qr);
    runtime()?
        .block_on(http::serve(listener, move |request| {
            let site = Arc::clone(&site);
            async move { site.handle(request.method(), request.uri(), request.headers()) }
        }))
        .map_err(|e| Error::io(&options.dir, "server stopped", e))
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        // file chunks are read on these (`http::FileStream`); each read is short, so a few
        // threads serve any number of clients, and memory does not grow with them
        .max_blocking_threads(http::FILE_READERS)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(msg!("serve.cannot-start", error = e)))
}

/// Refusals common to every request: methods other than GET and HEAD, overlong targets.
pub(crate) fn refuse(method: &Method, uri: &hyper::Uri) -> Option<Response<http::Body>> {
    if uri.path_and_query().map_or(0, |p| p.as_str().len()) > http::MAX_URI_BYTES {
        return Some(respond::plain(StatusCode::URI_TOO_LONG, "URI too long"));
    }
    if method != Method::GET && method != Method::HEAD {
        let mut response = respond::plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD");
        response.headers_mut().insert(hyper::header::ALLOW, hyper::header::HeaderValue::from_static("GET, HEAD"));
        return Some(response);
    }
    None
}

/// The addresses to give out: this computer's own first, then each network interface's
/// when listening on every address.
pub fn urls(address: SocketAddr) -> (Vec<String>, Vec<(String, String)>) {
    let url = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => format!("http://{v4}:{}/", address.port()),
        IpAddr::V6(v6) => format!("http://[{v6}]:{}/", address.port()),
    };
    if !address.ip().is_unspecified() {
        return if address.ip().is_loopback() {
            (vec![url(address.ip())], vec![])
        } else {
            (vec![], vec![(url(address.ip()), String::new())])
        };
    }
    let v6 = address.is_ipv6();
    let local = if v6 { IpAddr::V6(std::net::Ipv6Addr::LOCALHOST) } else { IpAddr::V4(Ipv4Addr::LOCALHOST) };
    let mut lan: Vec<(String, String)> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback() && !i.is_link_local() && (v6 || i.ip().is_ipv4()))
        .map(|i| (url(i.ip()), i.name))
        .collect();
    // IPv4 first: easier to read out and type on a phone.
    lan.sort_by_key(|(url, _)| url.contains('['));
    (vec![url(local)], lan)
}

pub(crate) fn print_urls(address: SocketAddr, qr: bool) {
    let (local, lan) = urls(address);
    for url in &local {
        println!("{}", msg!("serve.on-this-computer", url));
    }
    for (url, interface) in &lan {
        let interface = if interface.is_empty() { String::new() } else { format!("  ({interface})") };
        println!("{}", msg!("serve.for-students", url, interface));
    }
    if address.ip().is_unspecified() && lan.is_empty() {
        println!("{}", msg!("serve.no-interface"));
    }
    if qr {
        if lan.is_empty() {
            eprintln!("{}", msg!("serve.qr-loopback"));
        }
        if let Some(url) = lan.first().map(|(u, _)| u).or(local.first()) {
            match qr_code(url) {
                Some(code) => println!("\n{code}\n{}", msg!("serve.scan", url)),
                None => eprintln!("{}", msg!("serve.no-qr", url)),
            }
        }
    }
}

/// A QR code for `text` in Unicode half blocks, light on dark like a terminal.
pub fn qr_code(text: &str) -> Option<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(code.render::<Dense1x2>().dark_color(Dense1x2::Light).light_color(Dense1x2::Dark).build())
}

//! The HTTP layer shared by LAN hosting and the author preview: binding the listener (with
//! a clear error when the port is taken), the accept loop with its limits, and the body
//! type every handler answers with.
//!
//! Limits, chosen for a school LAN of a few hundred phones on one old PC: at most
//! [`MAX_CONNECTIONS`] open connections (further clients wait in the kernel's backlog), of
//! which one client address holds at most [`MAX_CONNECTIONS_PER_CLIENT`] (more are answered
//! 503 at once: one machine, however slowly it reads, cannot take every slot), request
//! headers of at most [`MAX_HEADER_BYTES`] and [`MAX_HEADERS`] fields (hyper answers 431
//! beyond), request headers complete within [`HEADER_TIMEOUT`], and a connection on which
//! no byte moves in either direction for [`IDLE_TIMEOUT`] is closed (slow or stalled clients
//! cannot hold a slot forever, while a slow but moving download goes on).
//!
//! Memory stays flat however many clients read slowly: a file is read from disk only when
//! the connection has room for the next [`FILE_CHUNK`] ([`FileStream`], on one of at most
//! [`FILE_READERS`] threads; none waits on a slow reader), and hyper buffers at most
//! [`MAX_BUFFER`] per connection.
//!
//! Every response leaves with `X-Content-Type-Options: nosniff` and a
//! Content-Security-Policy ([`harden`]): no script from the content runs in the site's
//! origin, whatever slipped into a page or an SVG.

use crate::msg;
use bytes::Bytes;
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Semaphore};

pub const MAX_CONNECTIONS: usize = 1024;
/// Open connections of one client address at most (a browser opens six per site; this
/// leaves room for a classroom behind one NAT router).
pub const MAX_CONNECTIONS_PER_CLIENT: usize = 128;
/// What hyper buffers of a response at most per connection before it waits for the client.
pub const MAX_BUFFER: usize = 64 * 1024;
/// How much of a file is read at a time for a client.
pub const FILE_CHUNK: u64 = 32 * 1024;
/// Threads reading file chunks at most; more reads wait their turn (each takes well under
/// a millisecond from the page cache).
pub const FILE_READERS: usize = 16;
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
pub const MAX_HEADERS: usize = 64;
/// Longest request target accepted; longer ones get 414.
pub const MAX_URI_BYTES: usize = 4096;
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// A response body: bytes in memory, a file read as the client takes it, or chunks from an
/// event source (server-sent events).
pub enum Body {
    Full(Option<Bytes>),
    File(FileStream),
    Channel(mpsc::Receiver<io::Result<Bytes>>),
}

impl Body {
    pub fn empty() -> Body {
        Body::Full(None)
    }

    pub fn bytes(bytes: impl Into<Bytes>) -> Body {
        Body::Full(Some(bytes.into()))
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            Body::Full(bytes) => Poll::Ready(bytes.take().filter(|b| !b.is_empty()).map(|b| Ok(Frame::data(b)))),
            Body::File(stream) => stream.poll_chunk(cx).map(|chunk| chunk.map(|c| c.map(Frame::data))),
            Body::Channel(receiver) => receiver.poll_recv(cx).map(|chunk| chunk.map(|c| c.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Full(bytes) => bytes.is_none(),
            Body::File(stream) => stream.left == 0,
            Body::Channel(_) => false,
        }
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self {
            Body::Full(bytes) => hyper::body::SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Body::File(stream) => hyper::body::SizeHint::with_exact(stream.left),
            Body::Channel(_) => hyper::body::SizeHint::default(),
        }
    }
}

/// `len` bytes of an open file from `offset`, read [`FILE_CHUNK`] at a time on a blocking
/// thread when hyper asks for more, that is when the client has taken what came before.
pub struct FileStream {
    file: Arc<std::fs::File>,
    offset: u64,
    left: u64,
    reading: Option<tokio::task::JoinHandle<io::Result<Bytes>>>,
}

impl FileStream {
    pub fn new(file: Arc<std::fs::File>, offset: u64, len: u64) -> FileStream {
        FileStream { file, offset, left: len, reading: None }
    }

    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<io::Result<Bytes>>> {
        loop {
            if let Some(reading) = &mut self.reading {
                let read = std::task::ready!(Pin::new(reading).poll(cx));
                self.reading = None;
                let chunk = match read.unwrap_or_else(|e| Err(io::Error::other(e))) {
                    Ok(chunk) if !chunk.is_empty() => chunk,
                    Ok(_) => {
                        // the file shrank under us
                        self.left = 0;
                        return Poll::Ready(Some(Err(io::ErrorKind::UnexpectedEof.into())));
                    }
                    Err(e) => {
                        self.left = 0;
                        return Poll::Ready(Some(Err(e)));
                    }
                };
                self.offset += chunk.len() as u64;
                self.left -= (chunk.len() as u64).min(self.left);
                return Poll::Ready(Some(Ok(chunk)));
            }
            if self.left == 0 {
                return Poll::Ready(None);
            }
            let (file, offset, len) = (Arc::clone(&self.file), self.offset, self.left.min(FILE_CHUNK) as usize);
            self.reading = Some(tokio::task::spawn_blocking(move || {
                let mut chunk = vec![0; len];
                let n = read_at(&file, &mut chunk, offset)?;
                chunk.truncate(n);
                Ok(Bytes::from(chunk))
            }));
        }
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buffer: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, buffer: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buffer, offset)
}

/// Binds `address`, turning the usual failures into messages a teacher can act on.
pub fn bind(address: SocketAddr) -> Result<std::net::TcpListener, crate::Error> {
    let listener = std::net::TcpListener::bind(address).map_err(|e| {
        let why = match e.kind() {
            io::ErrorKind::AddrInUse => msg!("serve.port-in-use", port = address.port()),
            io::ErrorKind::PermissionDenied => msg!("serve.port-not-allowed", port = address.port()),
            io::ErrorKind::AddrNotAvailable => msg!("serve.not-this-machine", ip = address.ip()),
            _ => e.to_string(),
        };
        crate::Error::Usage(msg!("serve.cannot-listen", address, why))
    })?;
    listener.set_nonblocking(true).map_err(|e| crate::Error::Usage(msg!("serve.cannot-listen", address, why = e)))?;
    Ok(listener)
}

/// Accepts connections for ever, answering each request with `handler`.
pub async fn serve<H, F>(listener: std::net::TcpListener, handler: H) -> io::Result<()>
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    let listener = TcpListener::from_std(listener)?;
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let clients = Clients::default();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_header_size(MAX_HEADER_BYTES)
        .max_headers(MAX_HEADERS)
        .max_buf_size(MAX_BUFFER)
        .keep_alive(true);
    let builder = Arc::new(builder);
    loop {
        let permit = Arc::clone(&slots).acquire_owned().await.expect("the semaphore is never closed");
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors and the like: wait a little rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(client) = clients.admit(peer.ip()) else {
            drop(permit);
            tokio::spawn(busy(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        let builder = Arc::clone(&builder);
        tokio::spawn(async move {
            let started = Instant::now();
            let activity = Arc::new(AtomicU64::new(0));
            let io = TokioIo::new(Watched { stream, activity: Arc::clone(&activity), started });
            let service = hyper::service::service_fn(move |request| {
                let handler = handler.clone();
                async move {
                    let mut response = handler(request).await;
                    harden(response.headers_mut());
                    Ok::<_, std::convert::Infallible>(response)
                }
            });
            let connection = builder.serve_connection(io, service);
            tokio::select! {
                _ = connection => {}
                _ = watchdog(&activity, started) => {}
            }
            drop((client, permit));
        });
    }
}

/// The policy of every page and file but SVG: scripts, styles, images, fonts and media
/// from the site itself only, no inline script (an `onfocus=` or `<script>` that slipped
/// into a page does not run), inline styles allowed (the theme's `@font-face` and the
/// preview's problem overlay use them), no plugins, no `<base>` elsewhere.
pub const SITE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; \
frame-ancestors 'self'";

/// An SVG opened by itself is a document of the site's origin: no script at all, nothing
/// loaded but images and styles of the site, sandboxed.
pub const SVG_POLICY: &str =
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; sandbox";

/// Adds what every response carries: `nosniff` (a text file is never taken for a page or a
/// script) and the Content-Security-Policy for its type. A handler's own values are kept.
pub fn harden(headers: &mut hyper::HeaderMap) {
    use hyper::header::{HeaderValue, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
    headers.entry(X_CONTENT_TYPE_OPTIONS).or_insert(HeaderValue::from_static("nosniff"));
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        let svg = headers.get(CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"image/svg+xml"));
        let policy = if svg { SVG_POLICY } else { SITE_POLICY };
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    }
}

/// Open connections per client address.
#[derive(Default, Clone)]
struct Clients(Arc<std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>>);

/// One admitted connection of a client; gives its place back when dropped.
struct Client {
    clients: Clients,
    ip: std::net::IpAddr,
}

impl Clients {
    /// A place for one more connection from `ip`, unless it has [`MAX_CONNECTIONS_PER_CLIENT`].
    fn admit(&self, ip: std::net::IpAddr) -> Option<Client> {
        let ip = ip.to_canonical();
        let mut open = self.0.lock().expect("clients lock");
        let count = open.entry(ip).or_default();
        if *count >= MAX_CONNECTIONS_PER_CLIENT {
            return None;
        }
        *count += 1;
        Some(Client { clients: self.clone(), ip })
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let mut open = self.clients.0.lock().expect("clients lock");
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Answers a connection over its client's limit with 503 and closes it, within a second.
async fn busy(stream: TcpStream) {
    const ANSWER: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 2\r\nContent-Type: text/plain; charset=utf-8\r\n\
X-Content-Type-Options: nosniff\r\nContent-Security-Policy: default-src 'none'\r\nContent-Length: 37\r\nConnection: close\r\n\r\ntoo many connections from one client\n";
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        // take the request first: closing with it unread would reset the connection and
        // lose the answer
        let mut request = [0; 4096];
        if tokio::time::timeout(Duration::from_millis(200), stream.readable()).await.is_ok() {
            let _ = stream.try_read(&mut request);
        }
        let mut sent = 0;
        while sent < ANSWER.len() {
            stream.writable().await?;
            match stream.try_write(&ANSWER[sent..]) {
                Ok(n) => sent += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    })
    .await;
}

/// Resolves when no byte has moved on the connection for [`IDLE_TIMEOUT`].
async fn watchdog(activity: &AtomicU64, started: Instant) {
    loop {
        let last = Duration::from_millis(activity.load(Ordering::Relaxed));
        let idle = started.elapsed().saturating_sub(last);
        if idle >= IDLE_TIMEOUT {
            return;
        }
        tokio::time::sleep(IDLE_TIMEOUT - idle + Duration::from_millis(10)).await;
    }
}

/// A TCP stream that records when bytes last moved, for the idle watchdog.
struct Watched {
    stream: TcpStream,
    activity: Arc<AtomicU64>,
    started: Instant,
}

impl Watched {
    fn touch(&self) {
        self.activity.store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.touch();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_write(cx, data);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.touch();
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.touch();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

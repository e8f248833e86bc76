//! The HTTP layer shared by LAN hosting and the author preview: binding the listener (with
//! a clear error when the port is taken), the accept loop with its limits, and the body
//! type every handler answers with.
//!
//! Limits, chosen for a school LAN of a few hundred phones on one old PC: at most
//! [`MAX_CONNECTIONS`] open connections (further clients wait in the kernel's backlog),
//! request headers of at most [`MAX_HEADER_BYTES`] and [`MAX_HEADERS`] fields (hyper answers
//! 431 beyond), request headers complete within [`HEADER_TIMEOUT`], and a connection on
//! which no byte moves in either direction for [`IDLE_TIMEOUT`] is closed (slow or stalled
//! clients cannot hold a slot forever, while a slow but moving download goes on).

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
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
pub const MAX_HEADERS: usize = 64;
/// Longest request target accepted; longer ones get 414.
pub const MAX_URI_BYTES: usize = 4096;
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// A response body: bytes in memory, or chunks arriving from a reader thread or an event
/// source (file streams, server-sent events).
pub enum Body {
    Full(Option<Bytes>),
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
            Body::Channel(receiver) => receiver.poll_recv(cx).map(|chunk| chunk.map(|c| c.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Full(None))
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self {
            Body::Full(bytes) => hyper::body::SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Body::Channel(_) => hyper::body::SizeHint::default(),
        }
    }
}

/// Binds `address`, turning the usual failures into messages a teacher can act on.
pub fn bind(address: SocketAddr) -> Result<std::net::TcpListener, crate::Error> {
    let listener = std::net::TcpListener::bind(address).map_err(|e| {
        let why = match e.kind() {
            io::ErrorKind::AddrInUse => format!(
                "port {} is already in use (another hoclieu serve or web server?); stop it or choose another port with --port N",
                address.port()
            ),
            io::ErrorKind::PermissionDenied => format!(
                "not allowed to listen on port {}: ports under 1024 need administrator rights; use --port 8080",
                address.port()
            ),
            io::ErrorKind::AddrNotAvailable => {
                format!("{} is not an address of this machine; check --bind", address.ip())
            }
            _ => e.to_string(),
        };
        crate::Error::Usage(format!("cannot listen on {address}: {why}"))
    })?;
    listener.set_nonblocking(true).map_err(|e| crate::Error::Usage(format!("cannot listen on {address}: {e}")))?;
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
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_header_size(MAX_HEADER_BYTES)
        .max_headers(MAX_HEADERS)
        .keep_alive(true);
    let builder = Arc::new(builder);
    loop {
        let permit = Arc::clone(&slots).acquire_owned().await.expect("the semaphore is never closed");
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: wait a little rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
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
                async move { Ok::<_, std::convert::Infallible>(handler(request).await) }
            });
            let connection = builder.serve_connection(io, service);
            tokio::select! {
                _ = connection => {}
                _ = watchdog(&activity, started) => {}
            }
            drop(permit);
        });
    }
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

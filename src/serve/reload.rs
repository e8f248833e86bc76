//! Live reload for the preview: a server-sent event stream (`/_hoclieu/events`) that says
//! `reload` after each good rebuild and `problems` (the diagnostics, as the terminal shows
//! them) after a failed one, and the small script that listens to it and shows problems
//! as an overlay over the last good page.
//!
//! A new stream starts with the comment `: hoclieu preview`, then the problems of the last
//! build if it failed, then the comment `: up to date`: a client knows it has been told
//! the current state without waiting for what might still come.
//!
//! The script is added to HTML pages as they are sent by the preview, never to files the
//! build writes.

use super::http::Body;
use bytes::Bytes;
use hyper::header;
use hyper::Response;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

pub const EVENTS_PATH: &str = "/_hoclieu/events";
pub const SCRIPT_PATH: &str = "/_hoclieu/live.js";
/// Sent after the current state to a new stream (see the module's comment).
pub const UP_TO_DATE: &[u8] = b": up to date\n\n";
/// A comment line this often keeps proxies and the idle watchdog from closing the stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What the browser is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The site was rebuilt: reload (and hide any overlay).
    Reload,
    /// The last rebuild failed: show these problems over the page.
    Problems(String),
}

impl Event {
    fn to_sse(&self) -> Bytes {
        match self {
            Event::Reload => Bytes::from_static(b"event: reload\ndata: {}\n\n"),
            Event::Problems(text) => {
                let mut out = String::from("event: problems\n");
                for line in text.lines() {
                    out.push_str("data: ");
                    out.push_str(line);
                    out.push('\n');
                }
                out.push('\n');
                Bytes::from(out)
            }
        }
    }
}

/// Sends events to every open page; remembers the problems of the last build for pages
/// opened later.
#[derive(Clone)]
pub struct Broadcaster {
    sender: broadcast::Sender<Event>,
    problems: Arc<Mutex<Option<String>>>,
}

impl Default for Broadcaster {
    fn default() -> Self {
        Broadcaster { sender: broadcast::channel(16).0, problems: Arc::default() }
    }
}

impl Broadcaster {
    pub fn send(&self, event: Event) {
        *self.problems.lock().expect("problems lock") = match &event {
            Event::Problems(text) => Some(text.clone()),
            Event::Reload => None,
        };
        let _ = self.sender.send(event);
    }

    pub fn has_problems(&self) -> bool {
        self.problems.lock().expect("problems lock").is_some()
    }

    /// The event stream for one page.
    pub fn stream(&self) -> Response<Body> {
        let mut events = self.sender.subscribe();
        let current = self.problems.lock().expect("problems lock").clone();
        let (sender, receiver) = mpsc::channel::<std::io::Result<Bytes>>(8);
        tokio::spawn(async move {
            let hello = Bytes::from_static(b"retry: 500\n: hoclieu preview\n\n");
            if sender.send(Ok(hello)).await.is_err() {
                return;
            }
            if let Some(text) = current {
                if sender.send(Ok(Event::Problems(text).to_sse())).await.is_err() {
                    return;
                }
            }
            if sender.send(Ok(Bytes::from_static(UP_TO_DATE))).await.is_err() {
                return;
            }
            loop {
                let chunk = match tokio::time::timeout(KEEP_ALIVE, events.recv()).await {
                    Ok(Ok(event)) => event.to_sse(),
                    // Missed some events: the page is behind, reload it.
                    Ok(Err(broadcast::error::RecvError::Lagged(_))) => Event::Reload.to_sse(),
                    Ok(Err(broadcast::error::RecvError::Closed)) => return,
                    Err(_) => Bytes::from_static(b": keep-alive\n\n"),
                };
                if sender.send(Ok(chunk)).await.is_err() {
                    return; // the page was closed
                }
            }
        });
        Response::builder()
            .header(header::CONTENT_TYPE, "text/event-stream")
            .header(header::CACHE_CONTROL, "no-store")
            .body(Body::Channel(receiver))
            .expect("valid response")
    }
}

/// The script added to every previewed page.
pub const SCRIPT: &str = r#"(function () {
  var box = null;
  function show(text) {
    if (!box) {
      box = document.createElement("div");
      box.id = "hoclieu-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5em;" +
        "background:rgba(40,0,0,.94);color:#fff;font:15px/1.5 monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "hoclieu: lỗi trong nội dung (trang cuối cùng đúng vẫn hiện bên dưới)\n\n" + text;
  }
  var events = new EventSource("/_hoclieu/events");
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("problems", function (e) { show(e.data); });
})();
"#;

/// `html` with the reload script before `</body>` (or at the end).
pub fn inject(html: &[u8]) -> Bytes {
    let tag = format!("<script src=\"{SCRIPT_PATH}\"></script>");
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    Bytes::from(out)
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_end_of_body() {
        let html = inject(b"<html><body><p>x</p></body></html>");
        assert_eq!(&html[..], b"<html><body><p>x</p><script src=\"/_hoclieu/live.js\"></script></body></html>");
        assert!(inject(b"<p>no body</p>").ends_with(b"</script>"));
    }

    #[test]
    fn problems_are_sent_line_by_line() {
        let event = Event::Problems("a.md:1:2: error: x\n  hint: y".into()).to_sse();
        assert_eq!(&event[..], b"event: problems\ndata: a.md:1:2: error: x\ndata:   hint: y\n\n");
    }
}

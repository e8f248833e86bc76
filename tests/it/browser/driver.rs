//! Headless Chromium through chromedriver, for the browser tests.
//!
//! Owns three things: deciding whether the browser tests can run on this machine (fail
//! when a tool is missing, skip loudly only with `HOCLIEU_SKIP_BROWSER=1`), one chromedriver
//! process shared by the
//! tests that are running at the same time (killed when the last of them ends, even by a
//! panic), and one Chromium session per test, closed whatever the test's outcome.

use std::future::Future;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The phone every test looks through: a cheap Android's CSS viewport.
pub const PHONE: (u32, u32) = (360, 740);

/// True when Chromium and chromedriver are installed. Otherwise panics saying what is
/// missing (a missing browser must not pass as green), or, with `HOCLIEU_SKIP_BROWSER=1`,
/// says so on stderr (past the test harness's capture, so it shows in a passing run) and
/// returns false.
pub fn browser_available() -> bool {
    if Path::new(CHROMIUM).is_file() && Path::new(CHROMEDRIVER).is_file() {
        return true;
    }
    skip_or_fail(
        "browser tests need chromium and chromedriver \
         (apt-get install chromium chromium-driver)",
    )
}

/// The source of axe-core from `node_modules`, or `None` after the same fail-or-skip.
pub fn axe_source() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) => {
            skip_or_fail(&format!("accessibility tests need {} (run `npm ci` at the repository root)", path.display()));
            None
        }
    }
}

/// The variable that lets browser tests skip on purpose when their tools are missing.
pub const SKIP_VARIABLE: &str = "HOCLIEU_SKIP_BROWSER";

fn skip_or_fail(message: &str) -> bool {
    fail_unless_skipped(message, std::env::var(SKIP_VARIABLE).ok().as_deref())
}

/// Panics with `message`, unless `skip` (the value of [`SKIP_VARIABLE`]) is `1`: then says
/// it on stderr and returns false.
fn fail_unless_skipped(message: &str, skip: Option<&str>) -> bool {
    if !skip_on_purpose(skip) {
        panic!("{message}\nto skip the browser tests on purpose, set {SKIP_VARIABLE}=1");
    }
    let message = format!("SKIPPED ({SKIP_VARIABLE}=1): {message}");
    let line = "=".repeat(message.chars().count().min(100));
    let _ = writeln!(std::io::stderr(), "\n{line}\n{message}\n{line}");
    false
}

/// Only `1` skips: an empty or other value (`0`, `false`) runs the tests.
fn skip_on_purpose(value: Option<&str>) -> bool {
    value == Some("1")
}

/// A running chromedriver on a free localhost port.
pub struct Chromedriver {
    pub url: String,
    port: u16,
    child: Child,
}

/// The chromedriver of the tests running now; a new one starts when none is left.
static SHARED: Mutex<Weak<Chromedriver>> = Mutex::new(Weak::new());

pub fn chromedriver() -> Arc<Chromedriver> {
    let mut shared = SHARED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(driver) = shared.upgrade() {
        return driver;
    }
    let driver = Arc::new(Chromedriver::start());
    *shared = Arc::downgrade(&driver);
    driver
}

impl Chromedriver {
    fn start() -> Chromedriver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port on 127.0.0.1")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {CHROMEDRIVER}: {e}"));
        let mut driver = Chromedriver { url: format!("http://127.0.0.1:{port}"), port, child };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(status) = driver.get("/status") {
                if status.contains("\"ready\":true") {
                    return driver;
                }
            }
            if let Ok(Some(exit)) = driver.child.try_wait() {
                panic!("chromedriver exited at start: {exit}");
            }
            assert!(Instant::now() < deadline, "chromedriver not ready after 20 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A plain HTTP GET to chromedriver, for `/status` and `/shutdown`. chromedriver
    /// keeps the connection open, so the body is read up to its `Content-Length`.
    fn get(&self, path: &str) -> std::io::Result<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", self.port)?;
        let mut response = Vec::new();
        let mut chunk = [0; 4096];
        loop {
            let read = stream.read(&mut chunk)?;
            response.extend_from_slice(&chunk[..read]);
            let text = String::from_utf8_lossy(&response).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .filter_map(|line| line.split_once(':'))
                    .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, value)| value.trim().parse::<usize>().ok());
                if read == 0 || length.is_some_and(|length| body.len() >= length) {
                    return Ok(text);
                }
            } else if read == 0 {
                return Ok(text);
            }
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // `/shutdown` makes chromedriver quit the browsers it started; a plain kill would
        // leave them running.
        let _ = self.get("/shutdown");
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The capabilities of one session: headless Chromium at phone size, no traffic of its
/// own, a fresh profile, and JavaScript on or off.
fn capabilities(profile: &Path, javascript: bool, extra: &[&str]) -> fantoccini::wd::Capabilities {
    let (width, height) = PHONE;
    let mut chrome = json!({
        "binary": CHROMIUM,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            // Phones overlay their scroll bars; a classic one would narrow the page by 15 px.
            "--hide-scrollbars",
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    if let Some(args) = chrome["args"].as_array_mut() {
        args.extend(extra.iter().map(|a| json!(a)));
    }
    if !javascript {
        chrome["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
    }
    let capabilities = json!({ "browserName": "chrome", "goog:chromeOptions": chrome });
    match capabilities {
        serde_json::Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// Runs `test` with a new browser session and closes the session afterwards, also when
/// the test panics (the panic is then passed on).
pub async fn with_browser<F, Fut>(javascript: bool, test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_browser_args(javascript, &[], test).await
}

/// [`with_browser`] with more Chromium arguments (`--force-device-scale-factor=2`).
pub async fn with_browser_args<F, Fut>(javascript: bool, extra: &[&str], test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let driver = chromedriver();
    let profile = tempfile::tempdir().expect("temp dir for the Chromium profile");
    let client = ClientBuilder::native()
        .capabilities(capabilities(profile.path(), javascript, extra))
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("start a Chromium session through chromedriver: {e}"));
    set_viewport(&client, PHONE.0, PHONE.1).await;
    // A spawned task catches the test's panic, so the session is closed before we go on.
    let outcome = tokio::spawn(test(client.clone())).await;
    let _ = client.close().await;
    drop(profile);
    drop(driver);
    if let Err(error) = outcome {
        if error.is_panic() {
            std::panic::resume_unwind(error.into_panic());
        }
        panic!("browser test did not finish: {error}");
    }
}

/// Resizes the window so that the page itself is `width` × `height` CSS pixels. Headless
/// Chromium puts a title bar of its own above the page (its `outerWidth`, though, is not
/// the window's width: it never reports less than 500 px).
pub async fn set_viewport(client: &Client, width: u32, height: u32) {
    let title_bar = client.execute("return outerHeight - innerHeight", vec![]).await.expect("window frame size");
    let title_bar = title_bar.as_u64().expect("a height") as u32;
    client.set_window_size(width, height + title_bar).await.expect("resize the window");
    let viewport = client.execute("return [innerWidth, innerHeight]", vec![]).await.unwrap();
    assert_eq!(viewport, json!([width, height]), "viewport after resizing the window");
}

/// Where screenshots go: `target/screenshots/`, made on first use.
pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

#[test]
fn missing_tools_fail_the_browser_tests_unless_skipped_on_purpose() {
    let run = |skip: Option<&'static str>| std::panic::catch_unwind(move || fail_unless_skipped("no chromium", skip));
    for skip in [None, Some(""), Some("0"), Some("true")] {
        let failure = run(skip).expect_err("a missing tool is a failure");
        let message = failure.downcast_ref::<String>().expect("a message");
        assert_eq!(
            message, "no chromium\nto skip the browser tests on purpose, set HOCLIEU_SKIP_BROWSER=1",
            "{skip:?}"
        );
    }
    assert!(!run(Some("1")).expect("skipped on purpose"), "the test returns without running");
}

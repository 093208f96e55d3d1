//! A real Chromium for the console's tests, driven over W3C WebDriver by
//! Debian's `chromedriver` on a loopback port of the test's own.
//!
//! WebDriver is JSON over HTTP; the dozen commands the tests use are made
//! here with reqwest, which the workspace has anyway. (The WebDriver crates
//! were weighed: fantoccini brings a second ICU through the `webdriver`
//! crate and thirtyfour a second reqwest and a driver downloader; neither is
//! worth that for these commands.) Nothing is downloaded: the browser is
//! `/usr/bin/chromium` (`CHROMIUM` overrides), started headless with the
//! flags a closed network needs, with a profile directory of its own that
//! goes with it. Dropping the [`Browser`] ends the session and stops
//! chromedriver and the browser.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The key W3C WebDriver names an element reference by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Why a browser test cannot run here: Chromium or chromedriver is missing.
pub fn missing_browser() -> Option<String> {
    for (program, package) in [
        (chromium(), "chromium"),
        (chromedriver(), "chromium-driver"),
    ] {
        if !program.exists() {
            return Some(format!(
                "{} is missing (Debian package {package}; `bash scripts/browser.sh` installs it)",
                program.display()
            ));
        }
    }
    None
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn chromedriver() -> PathBuf {
    std::env::var_os("CHROMEDRIVER")
        .map_or_else(|| PathBuf::from("/usr/bin/chromedriver"), PathBuf::from)
}

/// A WebDriver failure: the command and what the driver said.
#[derive(Debug)]
pub struct WebDriverError {
    /// The W3C error code, e.g. `no such element`, `unexpected alert open`.
    pub error: String,
    /// The driver's message.
    pub message: String,
}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.message)
    }
}

impl std::error::Error for WebDriverError {}

/// A headless Chromium session.
#[derive(Debug)]
pub struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`.
    session: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// An element of the page.
#[derive(Debug, Clone)]
pub struct Element(String);

impl Browser {
    /// Starts chromedriver and a browser with a window of `width`×`height`.
    pub async fn start(width: u32, height: u32) -> Browser {
        let port = crate::free_port();
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = http
                .get(format!("{base}/status"))
                .send()
                .await
                .ok()
                .and_then(|r| r.status().is_success().then_some(r));
            if ready.is_some() {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not answer");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::Builder::new()
            .prefix("orchestrator-chromium-")
            .tempdir()
            .expect("a profile directory");
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--hide-scrollbars".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "unhandledPromptBehavior": "ignore",
                    // A page with a live event stream never stops "loading" for
                    // chromedriver while events flow: navigations return at
                    // DOMContentLoaded, and the tests wait for what they need.
                    "pageLoadStrategy": "eager",
                    "goog:loggingPrefs": {"browser": "ALL"},
                    "goog:chromeOptions": {
                        "binary": chromium(),
                        "args": args,
                    }
                }
            }
        });
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("a JSON answer");
        let id = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {created}"))
            .to_owned();
        let mut browser = Browser {
            http,
            session: format!("{base}/session/{id}"),
            driver,
            _profile: profile,
        };
        browser.set_viewport(width, height).await;
        browser
    }

    /// Makes the page's viewport (not the window around it) `width`×`height`.
    pub async fn set_viewport(&mut self, width: u32, height: u32) {
        self.resize(width, height).await;
        let inner = self
            .execute("return [window.innerWidth, window.innerHeight];", json!([]))
            .await;
        let inner = |i: usize| {
            inner[i]
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(0)
        };
        let (w, h) = (inner(0), inner(1));
        if (w, h) != (width, height) && w > 0 && h > 0 {
            self.resize(
                width + width.saturating_sub(w),
                height + height.saturating_sub(h),
            )
            .await;
        }
    }

    async fn command(
        &self,
        method: &str,
        path: &str,
        body: Value,
    ) -> Result<Value, WebDriverError> {
        let url = format!("{}{path}", self.session);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let answer: Value = request
            .send()
            .await
            .map_err(|e| WebDriverError {
                error: "transport".into(),
                message: e.to_string(),
            })?
            .json()
            .await
            .map_err(|e| WebDriverError {
                error: "transport".into(),
                message: e.to_string(),
            })?;
        let value = answer["value"].clone();
        match value.get("error").and_then(Value::as_str) {
            Some(error) => Err(WebDriverError {
                error: error.to_owned(),
                message: value["message"].as_str().unwrap_or("").to_owned(),
            }),
            None => Ok(value),
        }
    }

    /// Sets the window's outer size.
    pub async fn resize(&mut self, width: u32, height: u32) {
        self.command(
            "POST",
            "/window/rect",
            json!({"width": width, "height": height}),
        )
        .await
        .expect("the window can be resized");
    }

    /// Opens `url` and waits for its load.
    pub async fn goto(&self, url: &str) {
        self.command("POST", "/url", json!({"url": url}))
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// The first element `css` selects, if any.
    pub async fn find(&self, css: &str) -> Option<Element> {
        let found = self
            .command(
                "POST",
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await
            .ok()?;
        found[ELEMENT].as_str().map(|id| Element(id.to_owned()))
    }

    /// Every element `css` selects.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.command(
            "POST",
            "/elements",
            json!({"using": "css selector", "value": css}),
        )
        .await
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e[ELEMENT].as_str().map(|id| Element(id.to_owned())))
        .collect()
    }

    /// The first element `css` selects, waiting up to `timeout` for it.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Element {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = self.find(css).await {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` did not appear within {timeout:?}; the page says: {}",
                self.body_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits up to `timeout` for `script` (a function body that returns a
    /// value) to return something truthy; its value.
    pub async fn wait_until(&self, script: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.execute(script, json!([])).await;
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if truthy {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "not true within {timeout:?}: {script}; the page says: {}",
                self.body_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks an element.
    pub async fn click(&self, element: &Element) {
        self.command("POST", &format!("/element/{}/click", element.0), json!({}))
            .await
            .unwrap_or_else(|e| panic!("cannot click: {e}"));
    }

    /// Types `text` into an element.
    pub async fn type_into(&self, element: &Element, text: &str) {
        self.command(
            "POST",
            &format!("/element/{}/value", element.0),
            json!({"text": text}),
        )
        .await
        .unwrap_or_else(|e| panic!("cannot type: {e}"));
    }

    /// Empties an input.
    pub async fn clear(&self, element: &Element) {
        self.command("POST", &format!("/element/{}/clear", element.0), json!({}))
            .await
            .unwrap_or_else(|e| panic!("cannot clear: {e}"));
    }

    /// An element's rendered text.
    pub async fn text(&self, element: &Element) -> String {
        self.command("GET", &format!("/element/{}/text", element.0), Value::Null)
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// An element's attribute (or property).
    pub async fn attribute(&self, element: &Element, name: &str) -> Option<String> {
        self.command(
            "GET",
            &format!("/element/{}/attribute/{name}", element.0),
            Value::Null,
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
    }

    /// The page's visible text.
    pub async fn body_text(&self) -> String {
        match self.find("body").await {
            Some(body) => self.text(&body).await,
            None => String::new(),
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the
    /// page; what it returns.
    pub async fn execute(&self, script: &str, args: Value) -> Value {
        self.try_execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}: {script}"))
    }

    /// Like [`execute`](Self::execute), with the driver's error.
    pub async fn try_execute(&self, script: &str, args: Value) -> Result<Value, WebDriverError> {
        self.command(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": args}),
        )
        .await
    }

    /// The text of an open alert, confirm or prompt, if one is open.
    pub async fn open_dialog(&self) -> Option<String> {
        self.command("GET", "/alert/text", Value::Null)
            .await
            .ok()
            .map(|v| v.as_str().unwrap_or("").to_owned())
    }

    /// The browser's console since the last call: `(level, message)`.
    pub async fn console_log(&self) -> Vec<(String, String)> {
        self.command("POST", "/se/log", json!({"type": "browser"}))
            .await
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .map(|entry| {
                (
                    entry["level"].as_str().unwrap_or("").to_owned(),
                    entry["message"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        let encoded = self
            .command("GET", "/screenshot", Value::Null)
            .await
            .expect("a screenshot");
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or(""))
            .expect("the screenshot is base64")
    }

    /// A PNG of the whole page, however long: the window is made as tall
    /// as the page for the shot, then set back.
    pub async fn full_page_screenshot(&mut self, width: u32, height: u32) -> Vec<u8> {
        let tall = self
            .execute(
                "return Math.ceil(document.documentElement.scrollHeight);",
                json!([]),
            )
            .await
            .as_u64()
            .unwrap_or(u64::from(height));
        let tall = u32::try_from(tall).unwrap_or(height).clamp(height, 4000);
        self.resize(
            width,
            tall + (height.saturating_sub(self.inner_height().await)),
        )
        .await;
        let png = self.screenshot().await;
        self.resize(width, height).await;
        png
    }

    async fn inner_height(&self) -> u32 {
        self.execute("return window.innerHeight;", json!([]))
            .await
            .as_u64()
            .and_then(|h| u32::try_from(h).ok())
            .unwrap_or(0)
    }

    /// The cookies the browser holds for the current page: `(name, value,
    /// httpOnly, sameSite, secure)`.
    pub async fn cookies(&self) -> Vec<Value> {
        self.command("GET", "/cookie", Value::Null)
            .await
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session stops the browser; chromedriver goes after.
        let _ = delete_session(&self.session);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A blocking `DELETE` of the session, for `Drop`, which cannot await
/// (and may run outside a runtime).
fn delete_session(url: &str) -> std::io::Result<()> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    Ok(())
}

//! Headless Chromium through chromedriver (WebDriver) with fantoccini.
//!
//! Helpers are split as in leptos' e2e examples: `find` (locate by data-testid), `act` (click,
//! type), `check` (wait until text/elements appear). Every test saves screenshots under
//! `test-artifacts/screenshots/` so a person can look at what the pages looked like.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::{Client, ClientBuilder, Locator};
use testkit::until;

/// How long a page gets to show something.
const WAIT: Duration = Duration::from_secs(15);

/// chromedriver, killed on drop even if the test panicked. Closing the WebDriver session
/// (`Browser::close`) ends its Chromium; a panicking test still ends chromedriver here.
///
/// Deliberately no process-group kill: a `kill -<pgid>` that goes wrong signals every process
/// the (root) test runner can reach.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Browser {
    pub c: Client,
    /// Where the browser saves downloads (exports).
    pub downloads: tempfile::TempDir,
    pub base: String,
    name: String,
    shots: u32,
    _profile: tempfile::TempDir,
    _driver: Driver,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn artifacts_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-artifacts/screenshots");
    std::fs::create_dir_all(&d).unwrap();
    d
}

impl Browser {
    /// A fresh browser (new profile, no cookies) at `width`×900.
    pub async fn open(base: &str, name: &str, width: u32) -> Browser {
        let port = free_port();
        let mut cmd = Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()));
        cmd.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null());
        let driver =
            Driver(cmd.spawn().expect("chromedriver (apt-get install chromium-driver; scripts/setup.sh does)"));
        let profile = tempfile::tempdir().unwrap();
        let downloads = tempfile::tempdir().unwrap();
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "prefs": {
                    "download.default_directory": downloads.path().display().to_string(),
                    "download.prompt_for_download": false,
                },
                "binary": std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", format!("--window-size={width},900"),
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let mut caps = caps.as_object().unwrap().clone();
        // Headless Chromium keeps its window at least 500 px wide: a phone width is emulated
        // (viewport, touch, the page's meta viewport) instead.
        if width < 600 {
            let metrics = serde_json::json!({"deviceMetrics": {"width": width, "height": 844, "pixelRatio": 1.0}});
            caps["goog:chromeOptions"]["mobileEmulation"] = metrics;
        }
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        // chromedriver takes a moment to listen.
        let last_err = Mutex::new(None);
        let session = until(Duration::from_secs(10), || async {
            let url = format!("http://127.0.0.1:{port}");
            match ClientBuilder::new(connector.clone()).capabilities(caps.clone()).connect(&url).await {
                Ok(c) => Some(c),
                Err(e) => {
                    *last_err.lock().unwrap() = Some(e);
                    None
                }
            }
        })
        .await;
        let c = session.unwrap_or_else(|| panic!("no WebDriver session: {:?}", last_err.lock().unwrap()));
        Browser {
            c,
            downloads,
            base: base.to_string(),
            name: name.to_string(),
            shots: 0,
            _profile: profile,
            _driver: driver,
        }
    }

    pub async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    // ---- find

    pub fn tid(id: &str) -> String {
        format!("[data-testid=\"{id}\"]")
    }

    /// Wait (up to 15 s) for the element with this data-testid.
    pub async fn find(&self, testid: &str) -> Element {
        self.c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(&Self::tid(testid)))
            .await
            .unwrap_or_else(|e| panic!("[{}] no element data-testid={testid}: {e}", self.name))
    }

    pub async fn find_css(&self, css: &str) -> Element {
        self.c
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("[{}] no element {css}: {e}", self.name))
    }

    pub async fn exists(&self, testid: &str) -> bool {
        self.c.find(Locator::Css(&Self::tid(testid))).await.is_ok()
    }

    // ---- act

    pub async fn click(&self, testid: &str) {
        self.find(testid).await.click().await.unwrap_or_else(|e| panic!("[{}] click {testid}: {e}", self.name));
    }

    /// Clear the field and type `text`.
    pub async fn fill(&self, testid: &str, text: &str) {
        let el = self.find(testid).await;
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    /// Choose an option of a <select> by its value.
    pub async fn select(&self, testid: &str, value: &str) {
        let el = self.find(testid).await;
        el.select_by_value(value).await.unwrap_or_else(|e| panic!("[{}] select {testid}={value}: {e}", self.name));
    }

    // ---- check

    /// The text of the first element matching `css` (empty when there is none).
    async fn text(&self, css: &str) -> String {
        match self.c.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Wait until the element matching `css` (`what`, in the failure) contains `needle`.
    async fn wait_css_text(&self, css: &str, what: &str, needle: &str) -> String {
        if let Some(text) = until(WAIT, || async { Some(self.text(css).await).filter(|t| t.contains(needle)) }).await {
            return text;
        }
        self.screenshot("FAILED").await;
        panic!("[{}] {what} never contained {needle:?}; it says {:?}", self.name, self.text(css).await);
    }

    /// Wait until the element's text contains `needle`.
    pub async fn wait_text(&self, testid: &str, needle: &str) -> String {
        self.wait_css_text(&Self::tid(testid), testid, needle).await
    }

    /// Wait until the page body contains `needle`.
    pub async fn wait_body(&self, needle: &str) {
        self.wait_css_text("body", "the page", needle).await;
    }

    /// An attribute of the element; found again if the page re-rendered it in between (a live
    /// page replaces elements at any moment).
    pub async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        let read = until(Duration::from_secs(1), || async {
            match self.find(testid).await.attr(name).await {
                Ok(v) => Some(v),
                Err(CmdError::Standard(e)) if e.error == ErrorStatus::StaleElementReference => None,
                Err(e) => panic!("[{}] attribute {name} of {testid}: {e}", self.name),
            }
        })
        .await;
        read.unwrap_or_else(|| panic!("[{}] {testid} kept being replaced while reading {name}", self.name))
    }

    /// Save a PNG as `test-artifacts/screenshots/<test>-<n>-<label>.png`.
    pub async fn screenshot(&self, label: &str) -> PathBuf {
        let png = self.c.screenshot().await.unwrap();
        let path = artifacts_dir().join(format!("{}-{:02}-{label}.png", self.name, self.shots));
        std::fs::write(&path, png).unwrap();
        path
    }

    pub async fn shot(&mut self, label: &str) -> PathBuf {
        self.shots += 1;
        self.screenshot(label).await
    }

    /// Log in through the login page.
    pub async fn login(&self, user: &str, password: &str) {
        self.goto("/login").await;
        self.fill("login-username", user).await;
        self.fill("login-password", password).await;
        self.click("login-submit").await;
        self.find("user-menu").await;
    }

    /// Run `fetch` inside the page (same cookies as the user) and return `[status, body]`.
    /// `csrf` = true sends the user's CSRF token, as the app itself would.
    pub async fn fetch(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> (u16, serde_json::Value) {
        let script = r#"
            const [method, path, body, done] = arguments;
            fetch('/api/v1/auth/me').then(r => r.json()).then(me => {
                const headers = {'x-csrf-token': me.csrf_token || ''};
                if (body !== null) headers['content-type'] = 'application/json';
                return fetch(path, {method, headers, body: body === null ? undefined : JSON.stringify(body)});
            }).then(r => r.text().then(t => done([r.status, t]))).catch(e => done([0, String(e)]));
        "#;
        let args = vec![method.into(), path.into(), body.unwrap_or(serde_json::Value::Null)];
        let v = self.c.execute_async(script, args).await.unwrap();
        let status = v[0].as_u64().unwrap_or(0) as u16;
        let text = v[1].as_str().unwrap_or("").to_string();
        (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
    }

    pub async fn close(self) {
        let _ = self.c.close().await;
    }

    // ---- Chrome DevTools (network emulation)

    /// Run a Chrome DevTools Protocol command through chromedriver's `goog/cdp/execute`.
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> serde_json::Value {
        let c = Cdp { cmd: cmd.to_string(), params };
        self.c.issue_cmd(c).await.unwrap_or_else(|e| panic!("[{}] CDP {cmd}: {e}", self.name))
    }

    /// Emulate the network going away (`true`) or coming back (`false`). Requests fail as with a
    /// pulled cable and `navigator.onLine` follows, with its `offline` / `online` events.
    pub async fn offline(&self, off: bool) {
        self.cdp("Network.enable", serde_json::json!({})).await;
        let conditions = serde_json::json!({
            "offline": off, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
        });
        self.cdp("Network.emulateNetworkConditions", conditions).await;
    }
}

/// A DevTools command for [`Browser::cdp`].
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

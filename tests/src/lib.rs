//! Helpers shared by the end-to-end tests: a real server on free ports, real MQTT devices,
//! a real headless Chromium.
//!
//! # Layout
//! - [`server`]: start fleetdeck in-process on port 0 with a temporary data directory.
//! - [`api`]: a logged-in REST client (cookie + CSRF), for set-up and for checking the server.
//! - [`device`]: the `devclient` crate — an Alink device over MQTT that signs in like the Link SDKs.
//! - [`browser`]: chromedriver + fantoccini, split into find / act / check helpers, screenshots.

pub mod api;
pub mod browser;
pub use devclient as device;
pub mod server;

/// Poll `f` until it returns `Some`, or fail after `secs` with `what` — for waiting on things
/// that happen asynchronously (a device going online, a value reaching a page).
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out after {secs} s waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

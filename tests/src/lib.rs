//! Helpers of the end-to-end tests: a real server on free ports, real MQTT devices, a real
//! headless Chromium.
//!
//! # Layout
//! - [`testkit`]: the workspace's one harness — the server on free ports
//!   (`TestApp::builder().gateway().ui()`), logged-in REST clients, deadline-bounded waits.
//! - [`device`]: the `devclient` crate — an Alink device over MQTT that signs in like the Link SDKs.
//! - [`browser`]: chromedriver + fantoccini, split into find / act / check helpers, screenshots.
//! - [`charts`]: the Monitoring page's tiles and ECharts lines as the browser draws them.
//! - [`c_sdk`]: Alibaba's C Link SDKs (3.x, 4.x) built from source, with a C harness, as devices.
//! - [`linkkit`]: the unmodified Python Link SDK as a device process.

pub mod browser;
pub mod c_sdk;
pub mod charts;
pub mod linkkit;
pub use devclient as device;
pub use testkit;

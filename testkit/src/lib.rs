//! One test harness for fleetdeck: the backend's tests and the end-to-end tests build their
//! app, clients and devices here.
//!
//! ```text
//! let app = TestApp::builder().gateway().build().await;
//! let admin = app.client(Role::Admin).await;
//! let secret = app.device(pk, "dev1").await;
//! let dev = app.connect(&creds).await.unwrap();
//! app.wait_device(pk, "dev1", "online", |r| r.device.status == DeviceStatus::Online).await;
//! ```
//!
//! # Layout
//! - [`app`]: [`TestApp::builder`]: handlers only (tower `oneshot`), the router with a
//!   recording downlink, or the whole server on free ports (`.gateway()`); fake clock,
//!   settings, the web UI.
//! - [`client`]: a REST [`Client`] per role (session cookie + CSRF header), one for every mode.
//! - [`registry`]: products and devices made directly in the registry; the router tests' fleet.
//! - [`runlog`]: the run log and device records as stored, and waiting for them.
//! - [`wait`]: the one deadline-bounded poll every wait goes through.
//! - [`devices`]: MQTT devices are `devclient::Client`s; a refusal is its CONNACK code.
//! - [`downlink`] / [`uplink`]: the recording downlink, and uplinks straight into the router.

pub mod app;
pub mod client;
pub mod devices;
pub mod downlink;
pub mod registry;
pub mod runlog;
pub mod store;
pub mod uplink;
pub mod wait;

pub use app::{dist_dir, Builder, TestApp, ADMIN_PW, T0};
pub use client::{Client, Resp, Session, USER_PW};
pub use devices::{options, Inbox};
pub use downlink::{Published, RecordingDownlink};
pub use model::auth::Role;
pub use wait::{eventually, until, DEADLINE};

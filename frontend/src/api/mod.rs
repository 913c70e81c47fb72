//! Typed REST client (one function per endpoint) and the live WebSocket.
//!
//! # Layout
//! - [`client`]: transport — JSON, CSRF header, errors.
//! - [`auth`]: login, session, password, API tokens, users, audit.
//! - [`registry`]: products, thing models, devices, run logs, server info.
//! - [`debug`]: online debugging — property set/get, desired values, services, publish, log switch.
//! - [`groups`]: device groups and their members.
//! - [`ws`]: the reconnecting WebSocket that feeds live views.
//! - [`backoff`]: the retry schedule (WebSocket reconnects, failed loads).
//! - [`health`]: what the live badge says, from the WebSocket and the last REST load.

pub mod auth;
pub mod backoff;
pub mod client;
// Online Debug (issue 12 §3).
pub mod debug;
pub mod groups;
pub mod health;
pub mod registry;
// Device simulation (issue 13).
pub mod simulate;
pub mod ws;

pub use client::{report, Fail};

// history (issue 14)
pub mod history;
// real-time monitoring (issue 14)
pub mod monitor;

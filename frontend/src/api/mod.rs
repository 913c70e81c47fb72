//! Typed REST client (one function per endpoint) and the live WebSocket.
//!
//! # Layout
//! - [`client`]: transport — JSON, CSRF header, errors.
//! - [`auth`]: login, session, password, API tokens, users, audit.
//! - [`registry`]: products, thing models, devices, run logs, server info.
//! - [`groups`]: device groups and their members.
//! - [`ws`]: the reconnecting WebSocket that feeds live views.

pub mod auth;
pub mod client;
pub mod groups;
pub mod registry;
pub mod ws;

pub use client::{report, Fail};

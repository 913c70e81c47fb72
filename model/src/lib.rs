//! Types and pure logic shared by the fleetdeck server and the browser.
//!
//! Everything here builds for `wasm32-unknown-unknown` and native and does no I/O, so the same
//! validation runs in a browser form and on the server.
//!
//! # Layout
//! - [`alink`]: the device protocol — topics (parse/format, ACL, server-side subscriptions),
//!   envelopes (request/reply), signing (device authentication, dynamic registration).
//! - [`codes`]: the protocol's error codes, keyed by (code, the seed table it comes from), with
//!   the seed's description, cause and troubleshooting.
//! - [`csv_lines`]: the data lines of the small CSV files operators paste (device imports, group members).
//! - [`tsl`]: thing models in Alibaba's TSL JSON format and value validation with the seed's codes.
//! - [`error`]: the API error body every REST endpoint returns.
//! - [`auth`], [`registry`], [`audit`], [`runlog`]: REST request/response types per feature.
//! - [`debug`]: online debugging — device calls from REST and their one result shape.
//! - [`debug_form`]: the Online Debug page's inputs → values, with the server's codes.
//! - [`groups`]: device groups (stable id, unique name), member changes and their reports.
//! - [`ws`]: the WebSocket protocol between browser and server.
//! - [`device`]: the device page's value labels, ages and connection parameters.
//! - [`live_list`]: what a live status event does to a filtered device list.

pub mod alink;
pub mod audit;
pub mod auth;
pub mod codes;
pub mod csv_lines;
pub mod debug;
// Online Debug page (issue 12 §3): property inputs and service inputs, checked like the server.
pub mod debug_form;
pub mod device;
pub mod error;
pub mod groups;
pub mod live_list;
// Real-time monitoring (issue 14): metric codes, series, stats, the live minute.
pub mod monitor;
pub mod registry;
pub mod runlog;
pub mod tsl;
pub mod ws;

// history (issue 14): property history, device events, network status.
pub mod history;
pub mod network;
// Device simulation (issue 13): push policies, simulated telemetry, the demo fleet plan.
pub mod simulate;

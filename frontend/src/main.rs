//! fleetdeck's browser console: a Leptos client-side-rendered app built with Trunk.
//!
//! # Layout
//! - [`app`]: router, shell (sidebar, top bar), auth guard.
//! - [`state`]: app-wide signals (session, toasts, language, theme, current product, live state).
//! - [`i18n`]: the one translation table (English + Simplified Chinese).
//! - [`api`]: typed REST client (CSRF, errors → `ApiError`) and the reconnecting WebSocket.
//! - [`components`]: table helpers, pagination, toasts, dialogs, form fields, JSON view, chart.
//! - [`pages`]: one folder per feature, named like the sidebar entries.
//! - [`util`]: time formatting, browser helpers (storage, clipboard, downloads, files).

mod api;
mod app;
mod components;
mod i18n;
mod pages;
mod state;
mod util;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

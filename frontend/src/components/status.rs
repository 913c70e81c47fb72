//! Status dots (device status colours are used for status and nothing else) and the live
//! live badge.

use leptos::prelude::*;
use model::registry::DeviceStatus;

use crate::api::health::{badge, Badge};
use crate::i18n::{t, tf};
use crate::state::g;
use crate::util::fmt_hms;

pub fn status_key(s: DeviceStatus) -> &'static str {
    match s {
        DeviceStatus::Online => "status.online",
        DeviceStatus::Offline => "status.offline",
        DeviceStatus::Inactive => "status.inactive",
        DeviceStatus::Disabled => "status.disabled",
    }
}

/// A coloured dot plus the status word (colour is never the only signal).
#[component]
pub fn StatusDot(#[prop(into)] status: Signal<DeviceStatus>) -> impl IntoView {
    view! {
        <span class="status" data-testid="status-dot" data-status=move || status.get().as_str()>
            <span class=move || format!("dot dot-{}", status.get().as_str())></span>
            {move || t(status_key(status.get()))}
        </span>
    }
}

/// The live badge: green "live" only when the WebSocket is up **and** the last REST load
/// answered; amber "connecting…" / "reconnecting…"; red "offline — last updated 12:03:10" once
/// the server cannot be reached (`api::health`).
#[component]
pub fn LiveIndicator() -> impl IntoView {
    let gl = g();
    let state = Memo::new(move |_| badge(gl.live.get(), gl.ws_failures.get(), gl.rest.get(), gl.browser_offline.get()));
    let cls = move || match state.get() {
        Badge::Live => "live live-on",
        Badge::Idle => "live live-idle",
        Badge::Offline { .. } => "live live-off",
        Badge::Connecting | Badge::Reconnecting => "live live-wait",
    };
    let text = move || match state.get() {
        Badge::Live => t("live.live").to_string(),
        Badge::Idle => t("live.idle").to_string(),
        Badge::Connecting => t("live.connecting").to_string(),
        Badge::Reconnecting => t("live.reconnecting").to_string(),
        Badge::Offline { last_ok: Some(at) } => tf("live.offline_since", &[("time", fmt_hms(at as i64))]),
        Badge::Offline { last_ok: None } => t("live.offline").to_string(),
    };
    view! {
        <span class=cls data-testid="live-indicator" data-state=move || state.get().as_str()>
            <span class="live-dot"></span>
            {text}
        </span>
    }
}

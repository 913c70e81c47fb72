//! Status dots (device status colours are used for status and nothing else) and the live
//! connection indicator.

use leptos::prelude::*;
use model::registry::DeviceStatus;

use crate::i18n::t;
use crate::state::{g, LiveState};

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

/// "live" / "reconnecting" next to views fed by the WebSocket.
#[component]
pub fn LiveIndicator() -> impl IntoView {
    let live = g().live;
    let (cls, key) = (
        move || match live.get() {
            LiveState::Live => "live live-on",
            LiveState::Idle => "live live-idle",
            _ => "live live-wait",
        },
        move || match live.get() {
            LiveState::Live => "live.live",
            LiveState::Idle => "live.idle",
            LiveState::Connecting => "live.connecting",
            LiveState::Reconnecting => "live.reconnecting",
        },
    );
    view! {
        <span class=cls data-testid="live-indicator" data-state=move || format!("{:?}", live.get()).to_lowercase()>
            <span class="live-dot"></span>
            {move || t(key())}
        </span>
    }
}

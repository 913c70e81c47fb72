//! Honest pages for chapters that are not built yet, and the 404.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::i18n::t;

fn chapter_key(path: &str) -> &'static str {
    match path.trim_start_matches('/').split('/').next().unwrap_or("") {
        "groups" => "nav.groups",
        "monitoring" => "nav.monitoring",
        "alerts" => "nav.alerts",
        "debug" => "nav.debug",
        "simulate" => "nav.simulate",
        "logs" => "nav.logs",
        "ota" => "nav.ota",
        "remote-config" => "nav.remote_config",
        _ => "placeholder.unknown",
    }
}

/// "Not available yet": says what the chapter will do and where to go meanwhile.
#[component]
pub fn Placeholder() -> impl IntoView {
    let location = use_location();
    let key = move || chapter_key(&location.pathname.get());
    view! {
        <div class="page">
            <div class="page-head"><h1>{move || t(key())}</h1></div>
            <div class="card">
                <div class="state state-empty" data-testid="not-available">
                    <div class="state-title">{move || t("placeholder.title")}</div>
                    <div class="state-hint">{move || t("placeholder.hint")}</div>
                    <div class="state-actions">
                        <a class="btn" href="/devices" data-testid="placeholder-devices">{move || t("nav.devices")}</a>
                    </div>
                </div>
            </div>
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <div class="page">
            <div class="card">
                <div class="state state-empty" data-testid="not-found">
                    <div class="state-title">{move || t("notfound.title")}</div>
                    <div class="state-hint">{move || t("notfound.hint")}</div>
                    <div class="state-actions"><a class="btn" href="/">{move || t("nav.overview")}</a></div>
                </div>
            </div>
        </div>
    }
}

//! Honest pages for chapters that are not built yet, and the 404.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::app::nav::{self, NavEntry};
use crate::i18n::{t, tf};

/// Any path the router has no route for: an unbuilt chapter's page (or a page below it) says
/// "not available yet", everything else is a 404.
#[component]
pub fn Unrouted() -> impl IntoView {
    let location = use_location();
    move || match nav::entry_for(&location.pathname.get()) {
        Some(e) if !e.built => view! { <Placeholder entry=e/> }.into_any(),
        _ => view! { <NotFound/> }.into_any(),
    }
}

/// "Not available yet": says what the chapter will do and where to go meanwhile.
#[component]
fn Placeholder(entry: &'static NavEntry) -> impl IntoView {
    view! {
        <div class="page">
            <div class="page-head">
                <h1>{move || t(entry.key)}</h1>
                {entry.chapter.map(|n| view! {
                    <span class="muted" data-testid="placeholder-chapter">{move || tf("placeholder.chapter", &[("n", n.to_string())])}</span>
                })}
            </div>
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

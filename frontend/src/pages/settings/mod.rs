//! Settings `/settings?tab=password|tokens|about`: change password, API tokens, server info.

mod password;
mod tokens;

use leptos::prelude::*;

use crate::i18n::t;
use crate::pages::{query_param, query_pusher};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let tab = query_param("tab");
    let set_query = query_pusher();
    let current = move || tab().unwrap_or_else(|| "password".into());
    let tab_btn = move |name: &'static str, key: &'static str| {
        let set_query = set_query.clone();
        view! {
            <button class="tab" class:active=move || current() == name data-testid=format!("tab-{name}")
                on:click=move |_| set_query(&[("tab", Some(name.to_string()))])>
                {move || t(key)}
            </button>
        }
    };
    view! {
        <div class="page">
            <div class="page-head"><h1>{move || t("nav.settings")}</h1></div>
            <div class="tabs" role="tablist">
                {tab_btn("password", "settings.tab.password")}
                {tab_btn("tokens", "settings.tab.tokens")}
                {tab_btn("about", "settings.tab.about")}
            </div>
            {move || match current().as_str() {
                "tokens" => view! { <tokens::TokensPanel/> }.into_any(),
                "about" => view! { <About/> }.into_any(),
                _ => view! { <password::PasswordPanel/> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn About() -> impl IntoView {
    let info = LocalResource::new(crate::api::registry::info);
    view! {
        <div class="card">
            <dl class="info-grid" data-testid="about-info">
                {move || info.get().and_then(|r| r.ok()).map(|i| view! {
                    <dt>{move || t("about.version")}</dt>
                    <dd class="mono" data-testid="about-version">{i.version.clone()}</dd>
                    <dt>{move || t("about.mqtt_port")}</dt>
                    <dd class="num" data-testid="about-mqtt-port">{i.mqtt_port}</dd>
                    <dt>{move || t("about.demo")}</dt>
                    <dd>{move || if i.demo { t("common.on") } else { t("common.off") }}</dd>
                })}
            </dl>
        </div>
    }
}

//! Settings `/settings?tab=password|tokens|about`: change password, API tokens, server info.

mod password;
mod tokens;

use leptos::prelude::*;

use model::device::connection::BrokerAddress;

use crate::components::tabs::{Tab, Tabs};
use crate::i18n::t;

const TABS: &[Tab] = &[
    Tab::new("password", "settings.tab.password"),
    Tab::new("tokens", "settings.tab.tokens"),
    Tab::new("about", "settings.tab.about"),
];

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <div class="page">
            <div class="page-head"><h1>{move || t("nav.settings")}</h1></div>
            <Tabs tabs=TABS let:tab>
                {match tab {
                    "tokens" => view! { <tokens::TokensPanel/> }.into_any(),
                    "about" => view! { <About/> }.into_any(),
                    _ => view! { <password::PasswordPanel/> }.into_any(),
                }}
            </Tabs>
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
                    {i.broker.clone().map(broker_rows)}
                })}
            </dl>
        </div>
    }
}

/// Where devices connect: `--mqtt-public`, else this page's host with the broker's ports.
fn broker_rows(b: BrokerAddress) -> impl IntoView {
    let plain = format!("{}:{}", b.host, b.port);
    let tls = b.tls_port.map(|p| format!("{}:{p}", b.host));
    view! {
        <dt>{move || t("about.broker")}</dt>
        <dd>
            <span class="mono" data-testid="about-broker">{plain}</span>
            <div class="muted small">{move || if b.configured { t("about.broker_configured") } else { t("about.broker_derived") }}</div>
        </dd>
        {tls.map(|a| view! {
            <dt>{move || t("about.broker_tls")}</dt>
            <dd class="mono" data-testid="about-broker-tls">{a}</dd>
        })}
    }
}

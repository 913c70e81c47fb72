//! Device page, Info tab: status history facts, network facts, tags, groups, secret on demand.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::auth::Role;
use model::registry::Device;

use super::disconnect_key;
use super::rows::device_href;
use crate::api::{debug, registry, report};
use crate::components::json_view::CopyButton;
use crate::components::status::StatusDot;
use crate::i18n::t;
use crate::state::can;
use crate::util::{enc, fmt_opt_time, fmt_time};

#[component]
pub fn InfoTab(device: RwSignal<Option<Device>>) -> impl IntoView {
    let secret = RwSignal::new(None::<String>);
    let d = move || device.get().unwrap_or_else(|| unreachable!("InfoTab renders only with a device"));
    let show_secret = move |_| {
        let (pk, dn) = device
            .with_untracked(|d| d.as_ref().map(|d| (d.product_key.clone(), d.device_name.clone())).unwrap_or_default());
        spawn_local(async move {
            match registry::device_secret(&pk, &dn).await {
                Ok(s) => secret.set(Some(s.device_secret)),
                Err(f) => report(&f),
            }
        });
    };
    let dash = |s: Option<String>| s.filter(|s| !s.is_empty()).unwrap_or_else(|| "—".into());
    view! {
        <div class="card">
            <dl class="info-grid" data-testid="device-info">
                <dt>{move || t("device.product")}</dt>
                <dd class="mono"><a href=move || format!("/products/{}", enc(&d().product_key))>{move || d().product_key}</a></dd>
                <dt>{move || t("device.name")}</dt>
                <dd class="mono">{move || d().device_name} " " <CopyButton text=Signal::derive(move || d().device_name) testid="device-name-copy"/></dd>
                <dt>{move || t("device.nickname")}</dt>
                <dd>{move || dash(Some(d().nickname))}</dd>
                <dt>{move || t("device.status")}</dt>
                <dd data-testid="device-status"><StatusDot status=Signal::derive(move || d().status)/></dd>
                <dt>{move || t("common.created")}</dt>
                <dd class="num">{move || fmt_time(d().created_at)}</dd>
                <dt>{move || t("device.activated")}</dt>
                <dd class="num">{move || fmt_opt_time(d().activated_at)}</dd>
                <dt>{move || t("device.last_online")}</dt>
                <dd class="num" data-testid="device-last-online">{move || fmt_opt_time(d().last_online_at)}</dd>
                <dt>{move || t("device.last_offline")}</dt>
                <dd class="num" data-testid="device-last-offline">{move || fmt_opt_time(d().last_offline_at)}</dd>
                <dt>{move || t("device.disconnect_reason")}</dt>
                <dd data-testid="device-disconnect-reason">
                    {move || match d().last_disconnect_code {
                        Some(c) => view! { <span class="mono">{c}</span> " " {t(disconnect_key(c))} }.into_any(),
                        None => "—".into_any(),
                    }}
                </dd>
                <dt>{move || t("device.ip")}</dt>
                <dd class="mono" data-testid="device-ip">{move || dash(d().ip)}</dd>
                <dt>{move || t("device.sdk")}</dt>
                <dd class="mono" data-testid="device-sdk">{move || dash(d().sdk)}</dd>
                <Show when=move || d().gateway.is_some()>
                    <dt>{move || t("device.gateway")}</dt>
                    <dd class="mono" data-testid="device-gateway">
                        {move || d().gateway.map(|g| view! { <a href=device_href(&g.pk, &g.dn)>{format!("{}/{}", g.pk, g.dn)}</a> })}
                    </dd>
                </Show>
                <dt>{move || t("device.tags")}</dt>
                <dd data-testid="device-tags">
                    {move || {
                        let tags = d().tags;
                        if tags.is_empty() {
                            "—".into_any()
                        } else {
                            tags.into_iter().map(|tg| view! { <span class="chip mono">{tg.key} "=" {tg.value}</span> }).collect_view().into_any()
                        }
                    }}
                </dd>
                <dt>{move || t("device.groups")}</dt>
                <dd data-testid="device-groups">
                    <crate::pages::groups::device_links::DeviceGroupLinks
                        pk=Signal::derive(move || d().product_key)
                        dn=Signal::derive(move || d().device_name)
                        names=Signal::derive(move || d().groups)
                    />
                </dd>
                <dt>{move || t("device.log_switch")}</dt>
                <dd><LogSwitch device/></dd>
                <dt>{move || t("device.secret")}</dt>
                <dd>
                    {move || match secret.get() {
                        Some(s) => view! {
                            <span class="mono secret" data-testid="device-secret-value">{s.clone()}</span>
                            " "
                            <CopyButton text=s testid="device-secret-copy"/>
                        }.into_any(),
                        None if can(Role::Operator) => view! {
                            <button class="btn btn-small" data-testid="device-show-secret" on:click=show_secret>{move || t("common.show_secret")}</button>
                        }.into_any(),
                        None => view! { <span class="muted">{move || t("common.secret_hidden")}</span> }.into_any(),
                    }}
                </dd>
            </dl>
        </div>
    }
}

/// The device's local-log upload switch: the stored mode, and (operators) the button that flips
/// it — pushed to an online device now, read by an offline one when it connects.
#[component]
fn LogSwitch(device: RwSignal<Option<Device>>) -> impl IntoView {
    let ids = move || {
        device
            .with_untracked(|d| d.as_ref().map(|d| (d.product_key.clone(), d.device_name.clone())).unwrap_or_default())
    };
    let mode = RwSignal::new(None::<u8>);
    let busy = RwSignal::new(false);
    let (pk, dn) = ids();
    spawn_local(async move {
        if let Ok(m) = debug::log_mode(&pk, &dn).await {
            mode.set(Some(m));
        }
    });
    let flip = move |_| {
        let want = if mode.get_untracked() == Some(1) { 0 } else { 1 };
        let (pk, dn) = ids();
        busy.set(true);
        spawn_local(async move {
            match debug::log_switch(&pk, &dn, want).await {
                Ok(r) if r.code == 200 => mode.set(Some(want)),
                Ok(r) => crate::state::toast_error(format!("{} ({})", r.message, r.code)),
                Err(f) => report(&f),
            }
            busy.set(false);
        });
    };
    view! {
        <span class="log-switch">
            <span class="badge" class:badge-ok=move || mode.get() == Some(1) data-testid="device-log-mode"
                data-mode=move || mode.get().map(|m| m.to_string()).unwrap_or_default()>
                {move || match mode.get() {
                    Some(1) => t("device.log_on"),
                    Some(_) => t("device.log_off"),
                    None => "…",
                }}
            </span>
            <Show when=move || can(Role::Operator)>
                " "
                <button class="btn btn-small" data-testid="device-log-toggle" disabled=move || busy.get() || mode.get().is_none()
                    title=move || t("device.log_switch_hint") on:click=flip>
                    {move || if mode.get() == Some(1) { t("device.log_turn_off") } else { t("device.log_turn_on") }}
                </button>
            </Show>
        </span>
    }
}

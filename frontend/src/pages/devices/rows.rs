//! The device table and its row actions (view, enable/disable, delete).

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::auth::Role;
use model::registry::{Device, DeviceStatus, UpdateDevice};

use crate::api::{registry, report};
use crate::components::status::StatusDot;
use crate::components::table::{label, CardTable};
use crate::i18n::{t, tf};
use crate::state::{can, toast_ok};
use crate::util::{enc, fmt_opt_time};

pub fn device_href(pk: &str, dn: &str) -> String {
    format!("/devices/{}/{}", enc(pk), enc(dn))
}

/// Enable or disable a device (disabled devices are refused at connect).
pub fn set_enabled(d: &Device, enabled: bool, after: Callback<()>) {
    let (pk, dn) = (d.product_key.clone(), d.device_name.clone());
    let run = move || {
        let (pk, dn) = (pk.clone(), dn.clone());
        spawn_local(async move {
            let body = UpdateDevice { nickname: None, enabled: Some(enabled), tags: None, groups: None };
            match registry::update_device(&pk, &dn, &body).await {
                Ok(_) => {
                    toast_ok(if enabled { t("device.enabled_ok") } else { t("device.disabled_ok") });
                    after.run(());
                }
                Err(f) => report(&f),
            }
        });
    };
    if enabled {
        run();
    } else {
        crate::components::confirm::ask(
            tf("device.disable_title", &[("dn", d.device_name.clone())]),
            t("device.disable_confirm").to_string(),
            "device.disable",
            run,
        );
    }
}

/// The i18n keys of a confirmed device action: the question (`title` with `{dn}`, `body`), the
/// confirm button (`verb`) and the toast on success (`ok`).
struct Ask {
    title: &'static str,
    body: &'static str,
    verb: &'static str,
    ok: &'static str,
}

/// Ask, then `call` the device's API; toast and run `after` on success, report the failure
/// otherwise.
fn confirmed<F, Fut, T>(d: &Device, ask: Ask, call: F, after: Callback<()>)
where
    F: Fn(String, String) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = crate::api::client::ApiResult<T>> + 'static,
{
    let (pk, dn) = (d.product_key.clone(), d.device_name.clone());
    let Ask { title, body, verb, ok } = ask;
    crate::components::confirm::ask(tf(title, &[("dn", dn.clone())]), t(body).to_string(), verb, move || {
        let (pk, dn) = (pk.clone(), dn.clone());
        spawn_local(async move {
            match call(pk, dn).await {
                Ok(_) => {
                    toast_ok(t(ok));
                    after.run(());
                }
                Err(f) => report(&f),
            }
        });
    });
}

pub fn delete_device(d: &Device, after: Callback<()>) {
    let bump = Callback::new(move |_| {
        crate::state::g().products_rev.update(|n| *n += 1);
        after.run(());
    });
    let call = |pk: String, dn: String| async move { registry::delete_device(&pk, &dn).await };
    let ask = Ask {
        title: "device.delete_title",
        body: "device.delete_confirm",
        verb: "common.delete",
        ok: "device.deleted",
    };
    confirmed(d, ask, call, bump);
}

/// Reset activation (Aliyun's ResetThing), after a confirmation.
pub fn reset_device(d: &Device, after: Callback<()>) {
    let call = |pk: String, dn: String| async move { registry::reset_device(&pk, &dn).await };
    let ask =
        Ask { title: "device.reset_title", body: "device.reset_confirm", verb: "device.reset", ok: "device.reset_ok" };
    confirmed(d, ask, call, after);
}

pub fn device_rows(rows: RwSignal<Vec<Device>>, show_product: bool, after: Callback<()>) -> impl IntoView {
    view! {
        <CardTable testid="device-table">
                <thead>
                    <tr>
                        <th>{move || t("device.name")}</th>
                        <th>{move || t("device.status")}</th>
                        <th>{move || t("device.nickname")}</th>
                        {show_product.then(|| view! { <th>{move || t("device.product")}</th> })}
                        <th>{move || t("device.last_online")}</th>
                        <th>{move || t("device.ip")}</th>
                        <th class="actions">{move || t("common.actions")}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || rows.get().into_iter().map(|d| row(d, show_product, after)).collect_view()}
                </tbody>
        </CardTable>
    }
}

fn row(d: Device, show_product: bool, after: Callback<()>) -> impl IntoView {
    let href = device_href(&d.product_key, &d.device_name);
    let dn = d.device_name.clone();
    let status = d.status;
    let last_online = d.last_online_at;
    let dev = StoredValue::new(d.clone());
    view! {
        <tr data-testid=format!("device-row-{dn}") data-status=status.as_str()>
            <td class="mono cell-key cell-title" data-label=label("device.name")><a href=href.clone() data-testid=format!("device-link-{dn}")>{dn.clone()}</a></td>
            <td class="cell-key cell-status" data-label=label("device.status")><StatusDot status=status/></td>
            <td class="cell-clip" data-label=label("device.nickname") title=d.nickname.clone() data-testid=format!("device-nickname-{dn}")>{d.nickname.clone()}</td>
            {show_product.then(|| view! { <td class="mono" data-label=label("device.product")><a href=format!("/products/{}", enc(&d.product_key))>{d.product_key.clone()}</a></td> })}
            <td class="num" data-label=label("device.last_online")>{move || fmt_opt_time(last_online)}</td>
            <td class="mono" data-label=label("device.ip")>{d.ip.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="actions">
                <a class="btn btn-small" href=href data-testid=format!("device-view-{dn}")>{move || t("common.view")}</a>
                <Show when=move || can(Role::Operator)>
                    <button
                        class="btn btn-small"
                        data-testid=format!("device-toggle-{}", dev.with_value(|d| d.device_name.clone()))
                        on:click=move |_| set_enabled(&dev.get_value(), status == DeviceStatus::Disabled, after)
                    >
                        {move || if status == DeviceStatus::Disabled { t("device.enable") } else { t("device.disable") }}
                    </button>
                    <button
                        class="btn btn-small btn-danger-ghost"
                        data-testid=format!("device-delete-{}", dev.with_value(|d| d.device_name.clone()))
                        on:click=move |_| delete_device(&dev.get_value(), after)
                    >
                        {move || t("common.delete")}
                    </button>
                </Show>
            </td>
        </tr>
    }
}

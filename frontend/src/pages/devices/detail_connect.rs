//! Device page, Connection tab: what to put into a device to connect it — the broker address,
//! and per Link SDK the clientId, username and signed password (from the server, which holds
//! the secret), each with a copy button, plus `mosquitto_pub` and paho-mqtt snippets.
//! Viewers see everything but the passwords.

use leptos::prelude::*;
use model::device::connection::{ConnectionParams, SdkForm};
use model::registry::Device;

use crate::api::registry;
use crate::components::json_view::CopyButton;
use crate::components::table_state::TableState;
use crate::i18n::t;

const SDKS: [(&str, &str); 3] =
    [("python", "device.conn.sdk_python"), ("c4", "device.conn.sdk_c4"), ("c3", "device.conn.sdk_c3")];

#[component]
pub fn ConnectTab(device: RwSignal<Option<Device>>) -> impl IntoView {
    let (pk, dn) = device
        .with_untracked(|d| d.as_ref().map(|d| (d.product_key.clone(), d.device_name.clone())).unwrap_or_default());
    let ids = StoredValue::new((pk, dn));
    let res = LocalResource::new(move || {
        let (pk, dn) = ids.get_value();
        async move { registry::connection(&pk, &dn).await }
    });
    view! {
        <TableState res let:p>
            <ConnectBody p/>
        </TableState>
    }
}

/// One copyable value: label, the value in monospace, a copy button.
#[component]
fn Field(label: &'static str, value: String, testid: &'static str) -> impl IntoView {
    view! {
        <dt>{move || t(label)}</dt>
        <dd class="conn-field">
            <code class="mono conn-value" data-testid=testid>{value.clone()}</code>
            <CopyButton text=value testid=format!("{testid}-copy")/>
        </dd>
    }
}

#[component]
fn ConnectBody(p: ConnectionParams) -> impl IntoView {
    let sdk = RwSignal::new("python".to_string());
    let forms = StoredValue::new(p.forms.clone());
    let form = move || forms.with_value(|fs| fs.iter().find(|f| f.sdk == sdk.get()).cloned());
    let secret_visible = p.secret_visible;
    view! {
        <div class="card" data-testid="connection-panel">
            <div class="card-head"><h2>{move || t("device.conn.broker")}</h2></div>
            <dl class="info-grid conn-grid">
                <Field label="device.conn.host" value=p.host.clone() testid="conn-host"/>
                <Field label="device.conn.port" value=p.port.to_string() testid="conn-port"/>
                {p.tls_port.map(|port| view! { <Field label="device.conn.tls_port" value=port.to_string() testid="conn-tls-port"/> })}
                <Field label="device.conn.product_key" value=p.product_key.clone() testid="conn-pk"/>
                <Field label="device.conn.device_name" value=p.device_name.clone() testid="conn-dn"/>
            </dl>
            {(!p.configured).then(|| view! { <p class="muted small" data-testid="conn-host-hint">{move || t("device.conn.host_hint")}</p> })}
        </div>
        <div class="card">
            <div class="card-head">
                <h2>{move || t("device.conn.credentials")}</h2>
                <div class="seg" role="tablist">
                    {SDKS.iter().map(|&(name, label)| view! {
                        <button type="button" class="seg-btn" class:seg-on=move || sdk.get() == name
                            role="tab" aria-selected=move || (sdk.get() == name).to_string()
                            data-testid=format!("conn-sdk-{name}") on:click=move |_| sdk.set(name.to_string())>
                            {move || t(label)}
                        </button>
                    }).collect_view()}
                </div>
            </div>
            {move || form().map(|f| view! { <FormFields f secret_visible/> })}
        </div>
        <div class="card">
            <div class="card-head"><h2>{move || t("device.conn.try_it")}</h2></div>
            <div class="card-body">
                <Snippet title="device.conn.mosquitto" text=p.mosquitto_pub.clone() testid="conn-mosquitto"/>
                <Snippet title="device.conn.paho" text=p.paho_python.clone() testid="conn-paho"/>
            </div>
        </div>
    }
}

#[component]
fn FormFields(f: SdkForm, secret_visible: bool) -> impl IntoView {
    let note = if f.sdk == "python" { "device.conn.ts_python" } else { "device.conn.ts_c" };
    view! {
        <dl class="info-grid conn-grid conn-creds" data-testid=format!("conn-form-{}", f.sdk)>
            <Field label="device.conn.client_id" value=f.client_id.clone() testid="conn-client-id"/>
            <Field label="device.conn.username" value=f.username.clone() testid="conn-username"/>
            {match f.password.clone() {
                Some(pw) => view! { <Field label="device.conn.password" value=pw testid="conn-password"/> }.into_any(),
                None => view! {
                    <dt>{move || t("device.conn.password")}</dt>
                    <dd class="muted" data-testid="conn-password-hidden">{move || t("device.conn.password_hidden")}</dd>
                }.into_any(),
            }}
            <Field label="device.conn.timestamp" value=f.timestamp.clone() testid="conn-timestamp"/>
        </dl>
        <p class="muted small">
            {move || t(note)}
            {(!secret_visible).then(|| view! { " " {move || t("device.conn.viewer_note")} })}
        </p>
    }
}

#[component]
fn Snippet(title: &'static str, text: String, testid: &'static str) -> impl IntoView {
    view! {
        <div class="conn-snippet">
            <div class="conn-snippet-head">
                <span>{move || t(title)}</span>
                <CopyButton text=text.clone() testid=format!("{testid}-copy")/>
            </div>
            <pre class="mono conn-code" data-testid=testid>{text.clone()}</pre>
        </div>
    }
}

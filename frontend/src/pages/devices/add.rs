//! "Add device" dialog: DeviceName (Alibaba's rule, checked as you type), nickname, and an
//! optional DeviceSecret for a device already flashed with one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::registry::{validate_device_name, validate_secret, NewDevice};

use crate::app::ProductsCtx;
use crate::components::fields::{FormError, SelectField, TextField};
use crate::components::modal::Modal;
use crate::i18n::{t, tf, tr};
use crate::state::toast_ok;

/// A product picker for dialogs: preset to the current product.
pub fn product_picker(product: Signal<Option<String>>, value: RwSignal<String>, testid: &'static str) -> impl IntoView {
    let ProductsCtx(products) = expect_context::<ProductsCtx>();
    Effect::new(move |_| value.set(product.get().unwrap_or_default()));
    let options = Signal::derive(move || {
        let mut v = vec![(String::new(), t("device.pick_product").to_string())];
        v.extend(
            products
                .get()
                .unwrap_or_default()
                .into_iter()
                .map(|p| (p.product_key.clone(), format!("{} ({})", p.name, p.product_key))),
        );
        v
    });
    view! { <SelectField label=tr("device.product") value testid options/> }
}

#[component]
pub fn AddDeviceDialog(open: RwSignal<bool>, product: Signal<Option<String>>, on_done: Callback<()>) -> impl IntoView {
    let pk = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let nickname = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let server_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let touched = RwSignal::new(false);
    Effect::new(move |_| {
        if open.get() {
            for s in [name, nickname, secret] {
                s.set(String::new());
            }
            pk.set(product.get_untracked().unwrap_or_default());
            server_error.set(None);
            touched.set(false);
        }
    });
    let pk_err =
        Signal::derive(move || (touched.get() && pk.get().is_empty()).then(|| t("device.pick_product").to_string()));
    let name_err = Signal::derive(move || {
        let v = name.get();
        (touched.get() || !v.is_empty())
            .then(|| validate_device_name(&v).err().map(|e| crate::i18n::name_error(&e)))
            .flatten()
    });
    let secret_err = Signal::derive(move || {
        let v = secret.get();
        (!v.is_empty()).then(|| validate_secret(&v).err().map(|e| crate::i18n::name_error(&e))).flatten()
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if pk_err.get_untracked().is_some()
            || name_err.get_untracked().is_some()
            || secret_err.get_untracked().is_some()
        {
            return;
        }
        let body = NewDevice {
            device_name: name.get_untracked().trim().to_string(),
            nickname: nickname.get_untracked().trim().to_string(),
            device_secret: Some(secret.get_untracked().trim().to_string()).filter(|s| !s.is_empty()),
        };
        let pk = pk.get_untracked();
        busy.set(true);
        server_error.set(None);
        spawn_local(async move {
            match crate::api::registry::create_device(&pk, &body).await {
                Ok(d) => {
                    open.set(false);
                    toast_ok(tf("device.added", &[("dn", d.device_name)]));
                    crate::state::g().products_rev.update(|n| *n += 1);
                    on_done.run(());
                }
                Err(f) if !f.handled() => server_error.set(Some(f.text())),
                Err(_) => {}
            }
            busy.set(false);
        });
    };
    view! {
        <Modal open title=tr("device.add") testid="device-add-dialog">
            <form class="form" on:submit=submit>
                {product_picker(product, pk, "device-add-product")}
                {move || pk_err.get().map(|e| view! { <span class="field-error">{e}</span> })}
                <TextField label=tr("device.name") value=name testid="device-add-name" error=name_err hint=tr("device.name_rule") required=true mono=true/>
                <TextField label=tr("device.nickname") value=nickname testid="device-add-nickname"/>
                <TextField label=tr("device.secret_optional") value=secret testid="device-add-secret" error=secret_err hint=tr("device.secret_hint") mono=true/>
                <FormError error=Signal::derive(move || server_error.get())/>
                <div class="form-actions">
                    <button type="button" class="btn" data-testid="device-add-cancel" on:click=move |_| open.set(false)>{move || t("common.cancel")}</button>
                    <button type="submit" class="btn btn-primary" data-testid="device-add-submit" disabled=move || busy.get()>{move || t("common.create")}</button>
                </div>
            </form>
        </Modal>
    }
}

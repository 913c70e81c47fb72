//! "Create product" dialog. ProductKey/ProductSecret are optional: given, they let a fleet
//! already flashed with Alibaba credentials move over without reflashing.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use model::registry::{validate_product_key, validate_product_name, validate_secret, DataFormat, NewProduct, NodeType};

use crate::components::fields::{Checkbox, FormError, SelectField, TextArea, TextField};
use crate::components::modal::Modal;
use crate::i18n::{t, tr};
use crate::state::{g, toast_ok};
use crate::util::enc;

fn opts(pairs: &'static [(&'static str, &'static str)]) -> Signal<Vec<(String, String)>> {
    Signal::derive(move || pairs.iter().map(|(v, k)| (v.to_string(), t(k).to_string())).collect())
}

#[component]
pub fn CreateProductDialog(open: RwSignal<bool>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let node = RwSignal::new("direct".to_string());
    let format = RwSignal::new("alink_json".to_string());
    let dynamic = RwSignal::new(false);
    let description = RwSignal::new(String::new());
    let advanced = RwSignal::new(false);
    let pk = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let server_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let touched = RwSignal::new(false);
    let navigate = use_navigate();

    // Reset each time the dialog opens.
    Effect::new(move |_| {
        if open.get() {
            for s in [name, pk, secret, description] {
                s.set(String::new());
            }
            node.set("direct".into());
            format.set("alink_json".into());
            dynamic.set(false);
            advanced.set(false);
            server_error.set(None);
            touched.set(false);
        }
    });

    let name_err = Signal::derive(move || {
        (touched.get() || !name.get().is_empty())
            .then(|| validate_product_name(&name.get()).err().map(|e| crate::i18n::name_error(&e)))
            .flatten()
    });
    let pk_err = Signal::derive(move || {
        let v = pk.get();
        (!v.is_empty()).then(|| validate_product_key(&v).err().map(|e| crate::i18n::name_error(&e))).flatten()
    });
    let secret_err = Signal::derive(move || {
        let v = secret.get();
        (!v.is_empty()).then(|| validate_secret(&v).err().map(|e| crate::i18n::name_error(&e))).flatten()
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if name_err.get_untracked().is_some()
            || pk_err.get_untracked().is_some()
            || secret_err.get_untracked().is_some()
        {
            return;
        }
        let opt = |s: RwSignal<String>| Some(s.get_untracked().trim().to_string()).filter(|v| !v.is_empty());
        let body = NewProduct {
            name: name.get_untracked().trim().to_string(),
            product_key: opt(pk),
            product_secret: opt(secret),
            node_type: NodeType::parse(&node.get_untracked()).unwrap_or(NodeType::Direct),
            data_format: DataFormat::parse(&format.get_untracked()).unwrap_or(DataFormat::AlinkJson),
            dynamic_registration: dynamic.get_untracked(),
            description: description.get_untracked(),
        };
        busy.set(true);
        server_error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match crate::api::registry::create_product(&body).await {
                Ok(p) => {
                    open.set(false);
                    toast_ok(t("product.created"));
                    g().products_rev.update(|n| *n += 1);
                    navigate(&format!("/products/{}", enc(&p.product_key)), NavigateOptions::default());
                }
                Err(f) if !f.handled() => server_error.set(Some(f.text())),
                Err(_) => {}
            }
            busy.set(false);
        });
    };

    view! {
        <Modal open title=tr("product.create") testid="product-create-dialog">
            <form class="form" on:submit=submit.clone()>
                <TextField label=tr("product.name") value=name testid="product-name" error=name_err required=true/>
                <div class="form-row">
                    <SelectField
                        label=tr("product.node_type")
                        value=node
                        testid="product-node-type"
                        options=opts(&[("direct", "product.node.direct"), ("gateway", "product.node.gateway"), ("sub_device", "product.node.sub_device")])
                    />
                    <SelectField
                        label=tr("product.data_format")
                        value=format
                        testid="product-data-format"
                        options=opts(&[("alink_json", "product.format.alink_json"), ("custom", "product.format.custom")])
                    />
                </div>
                <Checkbox label=tr("product.dynamic_registration") checked=dynamic testid="product-dynamic-reg" hint=tr("product.dynamic_registration_hint")/>
                <TextArea label=tr("product.description") value=description testid="product-description" rows=2/>
                <button type="button" class="btn-link" data-testid="product-advanced" on:click=move |_| advanced.update(|a| *a = !*a)>
                    {move || if advanced.get() { t("product.hide_migration") } else { t("product.show_migration") }}
                </button>
                <Show when=move || advanced.get()>
                    <p class="muted small">{move || t("product.migration_hint")}</p>
                    <TextField label=tr("product.key") value=pk testid="product-key" error=pk_err mono=true/>
                    <TextField label=tr("product.secret") value=secret testid="product-secret" error=secret_err mono=true/>
                </Show>
                <FormError error=Signal::derive(move || server_error.get())/>
                <div class="form-actions">
                    <button type="button" class="btn" data-testid="product-create-cancel" on:click=move |_| open.set(false)>{move || t("common.cancel")}</button>
                    <button type="submit" class="btn btn-primary" data-testid="product-create-submit" disabled=move || busy.get()>{move || t("common.create")}</button>
                </div>
            </form>
        </Modal>
    }
}

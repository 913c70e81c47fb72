//! "Edit product" dialog: name, description, dynamic registration (key, node type and format
//! are fixed once devices are flashed with them).

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::registry::{validate_product_name, Product, UpdateProduct};

use crate::components::fields::{Checkbox, FormError, TextArea, TextField};
use crate::components::modal::Modal;
use crate::i18n::{name_error, t, tr};
use crate::state::{g, toast_ok};

#[component]
pub fn EditProductDialog(open: RwSignal<bool>, product: StoredValue<Product>, on_done: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let dynamic = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if open.get() {
            let p = product.get_value();
            name.set(p.name);
            description.set(p.description);
            dynamic.set(p.dynamic_registration);
            error.set(None);
        }
    });
    let name_err = Signal::derive(move || validate_product_name(&name.get()).err().map(|e| name_error(&e)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name_err.get_untracked().is_some() {
            return;
        }
        let body = UpdateProduct {
            name: Some(name.get_untracked().trim().to_string()),
            description: Some(description.get_untracked()),
            dynamic_registration: Some(dynamic.get_untracked()),
        };
        let pk = product.with_value(|p| p.product_key.clone());
        spawn_local(async move {
            match crate::api::registry::update_product(&pk, &body).await {
                Ok(_) => {
                    open.set(false);
                    toast_ok(t("product.updated"));
                    g().products_rev.update(|n| *n += 1);
                    on_done.run(());
                }
                Err(f) if !f.handled() => error.set(Some(f.text())),
                Err(_) => {}
            }
        });
    };
    view! {
        <Modal open title=tr("product.edit") testid="product-edit-dialog">
            <form class="form" on:submit=submit>
                <TextField label=tr("product.name") value=name testid="product-edit-name" error=name_err required=true/>
                <Checkbox label=tr("product.dynamic_registration") checked=dynamic testid="product-edit-dynamic-reg" hint=tr("product.dynamic_registration_hint")/>
                <TextArea label=tr("product.description") value=description testid="product-edit-description" rows=3/>
                <FormError error=Signal::derive(move || error.get())/>
                <div class="form-actions">
                    <button type="button" class="btn" on:click=move |_| open.set(false)>{move || t("common.cancel")}</button>
                    <button type="submit" class="btn btn-primary" data-testid="product-edit-submit">{move || t("common.save")}</button>
                </div>
            </form>
        </Modal>
    }
}

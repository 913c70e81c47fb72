//! Product detail `/products/:pk?tab=tsl|devices`: info card, ProductSecret on demand, tabs.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;
use model::auth::Role;
use model::registry::Product;

use super::{data_format_key, list::delete_product, node_type_key, tsl_editor::TslEditor};
use crate::api::{registry, report};
use crate::components::json_view::CopyButton;
use crate::components::states::{LoadError, Loading};
use crate::i18n::t;
use crate::pages::devices::list::DeviceBrowser;
use crate::pages::{query_param, query_pusher};
use crate::state::{can, set_product};
use crate::util::fmt_time;

#[component]
pub fn ProductDetail() -> impl IntoView {
    let params = use_params_map();
    let pk = Memo::new(move |_| params.with(|p| p.get("pk")).unwrap_or_default());
    let product = LocalResource::new(move || {
        let pk = pk.get();
        async move { registry::product(&pk).await }
    });
    // Looking at a product makes it the current product.
    Effect::new(move |_| set_product(Some(pk.get())));
    view! {
        <div class="page">
            {move || match product.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <LoadError fail=f retry=Callback::new(move |_| product.refetch())/> }.into_any(),
                Some(Ok(p)) => view! { <ProductView p=p reload=Callback::new(move |_| product.refetch())/> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn ProductView(p: Product, reload: Callback<()>) -> impl IntoView {
    let edit_open = RwSignal::new(false);
    let tab = query_param("tab");
    let set_query = query_pusher();
    let navigate = use_navigate();
    let secret = RwSignal::new(None::<String>);
    let pk = StoredValue::new(p.product_key.clone());
    let prod = StoredValue::new(p.clone());
    let show_secret = move |_| {
        spawn_local(async move {
            match registry::product_secret(&pk.get_value()).await {
                Ok(s) => secret.set(Some(s)),
                Err(f) => report(&f),
            }
        })
    };
    let on_delete = move |_| {
        let navigate = navigate.clone();
        delete_product(&prod.get_value(), move || navigate("/products", NavigateOptions::default()))
    };
    let current_tab = move || tab().unwrap_or_else(|| "tsl".into());
    let set_tab = move |name: &'static str| {
        let set_query = set_query.clone();
        move |_| set_query(&[("tab", Some(name.to_string())), ("page", None)])
    };
    view! {
        <div class="page-head">
            <h1 data-testid="product-title">{p.name.clone()}</h1>
            <span class="mono muted">{p.product_key.clone()}</span>
            <div class="page-head-actions">
                <Show when=move || can(Role::Operator)>
                    <button class="btn" data-testid="product-edit" on:click=move |_| edit_open.set(true)>{move || t("common.edit")}</button>
                    <button class="btn btn-danger-ghost" data-testid="product-delete" on:click=on_delete.clone()>{move || t("common.delete")}</button>
                </Show>
            </div>
        </div>
        <div class="card">
            <dl class="info-grid" data-testid="product-info">
                <dt>{move || t("product.key")}</dt>
                <dd class="mono">{p.product_key.clone()} " " <CopyButton text=p.product_key.clone() testid="product-key-copy"/></dd>
                <dt>{move || t("product.node_type")}</dt>
                <dd>{move || t(node_type_key(p.node_type))}</dd>
                <dt>{move || t("product.data_format")}</dt>
                <dd>{move || t(data_format_key(p.data_format))}</dd>
                <dt>{move || t("product.dynamic_registration")}</dt>
                <dd>{move || if p.dynamic_registration { t("common.on") } else { t("common.off") }}</dd>
                <dt>{move || t("product.devices")}</dt>
                <dd class="num" data-testid="product-device-count">{p.device_count}</dd>
                <dt>{move || t("common.created")}</dt>
                <dd class="num">{fmt_time(p.created_at)}</dd>
                <dt>{move || t("product.description")}</dt>
                <dd>{if p.description.is_empty() { "—".to_string() } else { p.description.clone() }}</dd>
                <dt>{move || t("product.secret")}</dt>
                <dd>
                    {move || match secret.get() {
                        Some(s) => view! {
                            <span class="mono secret" data-testid="product-secret-value">{s.clone()}</span>
                            " "
                            <CopyButton text=s testid="product-secret-copy"/>
                        }.into_any(),
                        None if can(Role::Operator) => view! {
                            <button class="btn btn-small" data-testid="product-show-secret" on:click=show_secret>{move || t("common.show_secret")}</button>
                        }.into_any(),
                        None => view! { <span class="muted">{move || t("common.secret_hidden")}</span> }.into_any(),
                    }}
                </dd>
            </dl>
        </div>
        <super::edit::EditProductDialog open=edit_open product=prod on_done=reload/>
        <div class="tabs" role="tablist">
            <button class="tab" class:active=move || current_tab() == "tsl" data-testid="tab-tsl" on:click=set_tab("tsl")>{move || t("product.tab.tsl")}</button>
            <button class="tab" class:active=move || current_tab() == "devices" data-testid="tab-devices" on:click=set_tab("devices")>{move || t("product.tab.devices")}</button>
        </div>
        {move || if current_tab() == "devices" {
            view! { <DeviceBrowser fixed_product=pk.get_value()/> }.into_any()
        } else {
            view! { <TslEditor pk=pk.get_value()/> }.into_any()
        }}
    }
}

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
use crate::components::table_state::TableState;
use crate::components::tabs::{Tab, Tabs};
use crate::i18n::t;
use crate::pages::devices::list::DeviceBrowser;
use crate::state::can;
use crate::util::fmt_time;

const TABS: &[Tab] = &[Tab::new("tsl", "product.tab.tsl"), Tab::new("devices", "product.tab.devices")];

#[component]
pub fn ProductDetail() -> impl IntoView {
    let params = use_params_map();
    let pk = Memo::new(move |_| params.with(|p| p.get("pk")).unwrap_or_default());
    let product = LocalResource::new(move || {
        let pk = pk.get();
        async move { registry::product(&pk).await }
    });
    // Looking at a product makes it the current product.
    view! {
        <div class="page">
            <TableState res=product let:p>
                <ProductView p reload=Callback::new(move |_| product.refetch())/>
            </TableState>
        </div>
    }
}

#[component]
fn ProductView(p: Product, reload: Callback<()>) -> impl IntoView {
    let edit_open = RwSignal::new(false);
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
                <dd class="num">{move || fmt_time(p.created_at)}</dd>
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
        // The Devices tab's filters and page are its own: they do not follow to the other tab.
        <Tabs tabs=TABS clear=&["page", "page_size", "q", "status"] let:tab>
            {match tab {
                "devices" => view! { <DeviceBrowser fixed_product=pk.get_value()/> }.into_any(),
                _ => view! { <TslEditor pk=pk.get_value()/> }.into_any(),
            }}
        </Tabs>
    }
}

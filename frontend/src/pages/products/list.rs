//! Products list: search by name or key (`?q=`), sortable columns, create, delete.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::auth::Role;
use model::registry::Product;

use super::{create::CreateProductDialog, data_format_key, node_type_key};
use crate::api::{registry, report};
use crate::components::table::{label, CardTable, Sort, SortTh};
use crate::components::table_state::TableState;
use crate::i18n::{t, tf};
use crate::pages::{query_param, query_setter};
use crate::state::{can, g, toast_ok};
use crate::util::{enc, fmt_time};

fn sort_products(list: &mut [Product], s: Sort) {
    list.sort_by(|a, b| {
        s.dir(match s.key {
            "key" => a.product_key.cmp(&b.product_key),
            "devices" => a.device_count.cmp(&b.device_count),
            "created" => a.created_at.cmp(&b.created_at),
            _ => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        })
    });
}

pub fn delete_product(p: &Product, after: impl Fn() + Send + Sync + 'static) {
    let pk = p.product_key.clone();
    let after = std::sync::Arc::new(after);
    crate::components::confirm::ask(
        tf("product.delete_title", &[("name", p.name.clone())]),
        tf("product.delete_confirm", &[("pk", pk.clone()), ("n", p.device_count.to_string())]),
        "common.delete",
        move || {
            let pk = pk.clone();
            let after = after.clone();
            spawn_local(async move {
                match registry::delete_product(&pk).await {
                    Ok(()) => {
                        toast_ok(t("product.deleted"));
                        g().products_rev.update(|n| *n += 1);
                        after();
                    }
                    Err(f) => report(&f),
                }
            });
        },
    );
}

#[component]
pub fn ProductList() -> impl IntoView {
    let q = query_param("q");
    let set_query = query_setter();
    let search = RwSignal::new(q().unwrap_or_default());
    let sort = RwSignal::new(Sort::new("name"));
    let create_open = RwSignal::new(false);
    let list = LocalResource::new(move || {
        let _ = g().products_rev.get();
        registry::products()
    });
    let set_q = set_query.clone();
    Effect::new(move |prev: Option<()>| {
        let s = search.get();
        if prev.is_some() {
            set_q(&[("q", Some(s))]);
        }
    });

    // The loaded list as shown: searched and sorted here, in the browser.
    let rows = move || {
        let mut items = list.get().and_then(Result::ok).unwrap_or_default();
        let needle = search.get().to_lowercase();
        items.retain(|p| {
            needle.is_empty()
                || p.name.to_lowercase().contains(&needle)
                || p.product_key.to_lowercase().contains(&needle)
        });
        sort_products(&mut items, sort.get());
        items
    };

    view! {
        <div class="page">
            <div class="page-head">
                <h1>{move || t("nav.products")}</h1>
                <Show when=move || can(Role::Operator)>
                    <button class="btn btn-primary" data-testid="product-create" on:click=move |_| create_open.set(true)>
                        {move || t("product.create")}
                    </button>
                </Show>
            </div>
            <div class="card">
                <div class="filter-bar">
                    <input
                        class="input"
                        data-search
                        data-testid="product-search"
                        placeholder=move || t("product.search")
                        bind:value=search
                    />
                </div>
                <TableState
                    res=list
                    empty=Signal::derive(move || rows().is_empty())
                    filtered=Signal::derive(move || !search.get().is_empty())
                    empty_title="product.empty"
                    empty_hint="product.empty_hint"
                    empty_actions=move || view! {
                        <Show when=move || can(Role::Operator)>
                            <button class="btn btn-primary" data-testid="product-create-empty" on:click=move |_| create_open.set(true)>
                                {move || t("product.create")}
                            </button>
                        </Show>
                    }
                    let:_loaded
                >
                    <CardTable testid="product-table">
                            <thead>
                                <tr>
                                    <SortTh label="product.name" key="name" sort/>
                                    <SortTh label="product.key" key="key" sort/>
                                    <th>{move || t("product.node_type")}</th>
                                    <th>{move || t("product.data_format")}</th>
                                    <SortTh label="product.devices" key="devices" sort/>
                                    <SortTh label="common.created" key="created" sort/>
                                    <th class="actions">{move || t("common.actions")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {move || rows().into_iter().map(|p| product_row(p, list)).collect_view()}
                            </tbody>
                    </CardTable>
                </TableState>
            </div>
            <CreateProductDialog open=create_open/>
        </div>
    }
}

fn product_row(p: Product, list: LocalResource<Result<Vec<Product>, crate::api::Fail>>) -> impl IntoView {
    let href = format!("/products/{}", enc(&p.product_key));
    let pk = p.product_key.clone();
    let created = p.created_at;
    let prod = StoredValue::new(p.clone());
    view! {
        <tr data-testid=format!("product-row-{pk}")>
            <td class="cell-key cell-title" data-label=label("product.name")><a href=href.clone() data-testid=format!("product-link-{pk}")>{p.name.clone()}</a></td>
            <td class="mono cell-key" data-label=label("product.key")>{pk.clone()}</td>
            <td data-label=label("product.node_type")>{move || t(node_type_key(p.node_type))}</td>
            <td data-label=label("product.data_format")>{move || t(data_format_key(p.data_format))}</td>
            <td class="num" data-label=label("product.devices")>
                <a href=format!("/devices?product={}", enc(&pk))>{p.device_count}</a>
            </td>
            <td class="num" data-label=label("common.created")>{move || fmt_time(created)}</td>
            <td class="actions">
                <a class="btn btn-small" href=href data-testid=format!("product-view-{pk}")>{move || t("common.view")}</a>
                <Show when=move || can(Role::Operator)>
                    <button
                        class="btn btn-small btn-danger-ghost"
                        data-testid=format!("product-delete-{}", prod.with_value(|p| p.product_key.clone()))
                        on:click=move |_| delete_product(&prod.get_value(), move || list.refetch())
                    >
                        {move || t("common.delete")}
                    </button>
                </Show>
            </td>
        </tr>
    }
}

//! Device list: filter bar (product, DeviceName prefix, status) in the URL, pagination, live
//! status dots via the WebSocket's status stream, add and CSV import.

use leptos::prelude::*;
use model::auth::Role;
use model::live_list::{apply_status, on_status, ListChange};
use model::registry::{Device, DeviceQuery, DeviceStatus};
use model::ws::{LiveEvent, Stream};

use super::{add::AddDeviceDialog, import::ImportDialog, rows::device_rows};
use crate::api::{registry, ws};
use crate::app::ProductsCtx;
use crate::components::fields::Select;
use crate::components::pagination::Pagination;
use crate::components::scope::ScopeBanner;
use crate::components::status::LiveIndicator;
use crate::components::table_state::TableState;
use crate::i18n::t;
use crate::pages::filter_bar::{pager, search_box, status_options, status_select};
use crate::pages::{query_param, query_setter};
use crate::state::can;

#[component]
pub fn DeviceList() -> impl IntoView {
    view! {
        <div class="page">
            <div class="page-head"><h1>{move || t("nav.devices")}</h1></div>
            <ScopeBanner/>
            <DeviceBrowser/>
        </div>
    }
}

/// Filter bar + table + pagination. With `fixed_product` (product page tab) the product filter
/// is hidden and fixed.
#[component]
pub fn DeviceBrowser(#[prop(optional)] fixed_product: Option<String>) -> impl IntoView {
    let fixed = StoredValue::new(fixed_product);
    let url_product = query_param("product");
    let product = move || fixed.get_value().or_else(url_product);
    let q = query_param("q");
    let status = query_param("status");
    let page = move || query_param("page")().and_then(|p| p.parse().ok()).unwrap_or(1u32).max(1);
    let page_size = move || query_param("page_size")().and_then(|p| p.parse().ok()).unwrap_or(20u32);
    let set_query = query_setter();

    let query = Memo::new(move |_| DeviceQuery {
        product_key: product(),
        q: q(),
        status: status().and_then(|s| DeviceStatus::parse(&s)),
        group: None,
        page: Some(page()),
        page_size: Some(page_size()),
    });
    let reload = RwSignal::new(0u32);
    let res = LocalResource::new(move || {
        let q = query.get();
        let _ = reload.get();
        async move { registry::devices(&q).await }
    });
    let rows = RwSignal::new(Vec::<Device>::new());
    let total = RwSignal::new(0u64);
    Effect::new(move |_| {
        if let Some(Ok(p)) = res.get() {
            rows.set(p.items);
            total.set(p.total);
        }
    });

    // Live: the rows stay true to the filter (model::live_list decides): a shown device changes
    // in place or, no longer matching, leaves at once; a device that now matches makes the page
    // load again (debounced, so a fleet reconnecting costs one reload), which also re-sorts and
    // keeps the pagination right. A dropped row is refilled from the next page the same way.
    let pending = StoredValue::new(false);
    let reload_soon = move || {
        if !pending.get_value() {
            pending.set_value(true);
            set_timeout(
                move || {
                    pending.set_value(false);
                    reload.update(|n| *n += 1);
                },
                std::time::Duration::from_millis(300),
            );
        }
    };
    let sub = ws::subscribe(Stream::Status, move |ev| {
        if let LiveEvent::Status { product_key, device_name, status, reason, at } = ev {
            let q = query.get_untracked();
            let change = rows.with_untracked(|rs| on_status(&q, rs, &product_key, &device_name, status));
            match change {
                ListChange::Ignore => {}
                ListChange::Update => {
                    rows.update(|rs| {
                        apply_status(rs, change, &product_key, &device_name, status, reason, at);
                    });
                }
                ListChange::Remove => {
                    rows.update(|rs| {
                        apply_status(rs, change, &product_key, &device_name, status, reason, at);
                    });
                    total.update(|t| *t = t.saturating_sub(1));
                    if total.get_untracked() > rows.with_untracked(Vec::len) as u64 {
                        reload_soon();
                    }
                }
                ListChange::Reload => reload_soon(),
            }
        }
    });
    on_cleanup(move || ws::unsubscribe(sub));

    // The filter bar, bound to the URL (`filter_bar`).
    let search = search_box(q(), set_query.clone());
    let status_sel = status_select(status(), set_query.clone());
    let product_sel = RwSignal::new(url_product().unwrap_or_default());
    Effect::new(move |_| product_sel.set(url_product().unwrap_or_default()));
    let sq = set_query.clone();
    let on_product = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        sq(&[("product", Some(v)), ("page", None)]);
    };
    let ProductsCtx(products) = expect_context::<ProductsCtx>();
    let status_options = status_options();
    let add_open = RwSignal::new(false);
    let import_open = RwSignal::new(false);
    let after_change = Callback::new(move |_| reload.update(|n| *n += 1));
    let on_page = pager(set_query.clone());
    // The URL's product scope counts as a filter (the product tab's fixed product does not).
    let filtered = move || q().is_some() || status().is_some() || url_product().is_some();
    let scope_note = Signal::derive(move || {
        let mut parts = Vec::new();
        if fixed.with_value(Option::is_none) {
            if let Some(pk) = url_product() {
                parts.push(crate::i18n::tf("scope.note", &[("product", crate::components::scope::product_label(&pk))]));
            }
        }
        if let Some(s) = status().and_then(|s| DeviceStatus::parse(&s)) {
            parts.push(crate::i18n::tf(
                "scope.status_note",
                &[("status", t(crate::components::status::status_key(s)).to_string())],
            ));
        }
        if let Some(q) = q() {
            parts.push(crate::i18n::tf("scope.search_note", &[("q", q)]));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    });

    view! {
        <div class="card">
            <div class="filter-bar">
                <Show when=move || fixed.with_value(|f| f.is_none())>
                    <select class="input" data-testid="device-filter-product" on:change=on_product.clone()>
                        <option value="" selected=move || product_sel.get().is_empty()>{move || t("topbar.all_products")}</option>
                        {move || products.get().unwrap_or_default().into_iter().map(|p| {
                            let sel = product_sel.get() == p.product_key;
                            view! { <option value=p.product_key.clone() selected=sel>{p.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </Show>
                <input class="input" data-search data-testid="device-search" placeholder=move || t("device.search") bind:value=search/>
                <Select value=status_sel testid="device-filter-status" options=status_options/>
                <LiveIndicator/>
                <div class="filter-spacer"></div>
                <Show when=move || can(Role::Operator)>
                    <button class="btn" data-testid="device-batch-add" on:click=move |_| import_open.set(true)>{move || t("device.batch_add")}</button>
                    <button class="btn btn-primary" data-testid="device-add" on:click=move |_| add_open.set(true)>{move || t("device.add")}</button>
                </Show>
            </div>
            <TableState
                res
                empty=Signal::derive(move || rows.with(Vec::is_empty))
                filtered=Signal::derive(filtered)
                scope_note
                no_match_hint="device.no_match_hint"
                empty_title="device.empty"
                empty_hint="device.empty_hint"
                empty_actions=move || view! {
                    <Show when=move || can(Role::Operator)>
                        <button class="btn btn-primary" data-testid="device-add-empty" on:click=move |_| add_open.set(true)>{move || t("device.add")}</button>
                    </Show>
                }
                let:_page
            >
                {device_rows(rows, fixed.get_value().is_none(), after_change)}
            </TableState>
            <Pagination page=Signal::derive(page) page_size=Signal::derive(page_size) total=total on_change=on_page/>
        </div>
        <AddDeviceDialog open=add_open product=Signal::derive(product) on_done=after_change/>
        <ImportDialog open=import_open product=Signal::derive(product) on_done=after_change/>
    }
}

//! `/groups/:id`: the group (name, description, counts; rename, delete) and its devices with
//! live status. The rows are a REST page (`?q=`, `?status=`, `?page=` in the URL) kept true by
//! the WebSocket's status stream, the same events the device list uses; the snapshot is loaded
//! again each time the subscription is confirmed (also after a reconnect), so a change between
//! the load and the subscription is not missed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;
use model::auth::Role;
use model::groups::{Group, GroupDevicesQuery};
use model::live_list::{apply_status, on_status, ListChange};
use model::registry::{Device, DeviceQuery, DeviceStatus};
use model::ws::{LiveEvent, Stream};

use super::add::AddMembersDialog;
use super::delete_group;
use super::dialog::GroupDialog;
use crate::api::{groups, report, ws};
use crate::components::fields::Select;
use crate::components::pagination::Pagination;
use crate::components::status::{LiveIndicator, StatusDot};
use crate::components::table_state::TableState;
use crate::i18n::{t, tf};
use crate::pages::filter_bar::{pager, search_box, status_options, status_select};
use crate::pages::{query_param, query_setter};
use crate::state::{can, toast_ok};
use crate::util::{enc, fmt_opt_time};

#[component]
pub fn GroupDetail() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    // Re-created per group so the live subscription follows navigation.
    move || {
        let id = id.get();
        view! { <GroupView id/> }
    }
}

#[component]
fn GroupView(id: i64) -> impl IntoView {
    let group = LocalResource::new(move || groups::get(id));
    view! {
        <div class="page">
            <TableState res=group let:g>
                <GroupHead g reload=Callback::new(move |_| group.refetch())/>
            </TableState>
            <Members id on_change=Callback::new(move |_| group.refetch())/>
        </div>
    }
}

#[component]
fn GroupHead(g: Group, reload: Callback<()>) -> impl IntoView {
    let dialog_open = RwSignal::new(false);
    let editing = RwSignal::new(Some(g.clone()));
    let grp = StoredValue::new(g.clone());
    let navigate = use_navigate();
    let on_delete = move |_| {
        let navigate = navigate.clone();
        delete_group(&grp.get_value(), move || navigate("/groups", NavigateOptions::default()))
    };
    let edit = move |_| {
        editing.set(Some(grp.get_value()));
        dialog_open.set(true);
    };
    view! {
        <div class="page-head">
            <a class="btn-link" href="/groups" data-testid="group-back">"← " {move || t("nav.groups")}</a>
        </div>
        <div class="page-head">
            <h1 data-testid="group-title">{g.name.clone()}</h1>
            <span class="muted small mono">"ID " {g.id}</span>
            <div class="page-head-actions">
                <Show when=move || can(Role::Operator)>
                    <button class="btn" data-testid="group-rename" on:click=edit>{move || t("group.rename")}</button>
                    <button class="btn btn-danger-ghost" data-testid="group-delete" on:click=on_delete.clone()>{move || t("common.delete")}</button>
                </Show>
            </div>
        </div>
        {(!g.description.is_empty()).then(|| view! { <p class="muted group-description" data-testid="group-description-text">{g.description.clone()}</p> })}
        <div class="kpis group-kpis">
            <div class="kpi">
                <div class="kpi-label">{move || t("group.devices")}</div>
                <div class="kpi-value num" data-testid="group-device-count">{g.device_count}</div>
            </div>
            <div class="kpi">
                <div class="kpi-label">{move || t("status.online")}</div>
                <div class="kpi-value num" data-testid="group-online-count">{g.online_count}</div>
            </div>
        </div>
        <GroupDialog open=dialog_open editing on_done=Callback::new(move |_| reload.run(()))/>
    }
}

/// The group's devices: filter bar, live rows, pages, add and remove.
#[component]
fn Members(id: i64, on_change: Callback<()>) -> impl IntoView {
    let q = query_param("q");
    let status = query_param("status");
    let page = move || query_param("page")().and_then(|p| p.parse().ok()).unwrap_or(1u32).max(1);
    let page_size = move || query_param("page_size")().and_then(|p| p.parse().ok()).unwrap_or(20u32);
    let set_query = query_setter();
    let query = Memo::new(move |_| GroupDevicesQuery {
        q: q(),
        status: status().and_then(|s| DeviceStatus::parse(&s)),
        page: Some(page()),
        page_size: Some(page_size()),
    });
    let res = LocalResource::new(move || {
        let q = query.get();
        async move { groups::devices(id, &q).await }
    });
    let rows = RwSignal::new(Vec::<Device>::new());
    let total = RwSignal::new(0u64);
    Effect::new(move |_| {
        if let Some(Ok(p)) = res.get() {
            rows.set(p.items);
            total.set(p.total);
        }
    });
    let reload = Callback::new(move |_| {
        res.refetch();
        on_change.run(());
    });

    // Live: a group's members are a device list filtered by group, so the device list's rules
    // apply (model::live_list): a member changes in place or, no longer matching the status
    // filter, leaves at once; a device that now matches the filter reloads the page (only the
    // server knows whether it is a member).
    let sub = ws::subscribe_synced(
        Stream::Status,
        move |ev| {
            let LiveEvent::Status { product_key, device_name, status: s, reason, at } = ev else { return };
            let g = query.get_untracked();
            let as_list = DeviceQuery { q: g.q, status: g.status, group: Some(id.to_string()), ..Default::default() };
            let change = rows.with_untracked(|rs| on_status(&as_list, rs, &product_key, &device_name, s));
            match change {
                ListChange::Ignore => {}
                ListChange::Update | ListChange::Remove => {
                    rows.update(|rs| {
                        apply_status(rs, change, &product_key, &device_name, s, reason, at);
                    });
                    if change == ListChange::Remove {
                        total.update(|t| *t = t.saturating_sub(1));
                    }
                    on_change.run(());
                }
                ListChange::Reload => reload.run(()),
            }
        },
        move || reload.run(()),
    );
    on_cleanup(move || ws::unsubscribe(sub));

    let search = search_box(q(), set_query.clone());
    let status_sel = status_select(status(), set_query.clone());
    let status_options = status_options();
    let on_page = pager(set_query.clone());
    let add_open = RwSignal::new(false);
    let filtered = move || q().is_some() || status().is_some();

    view! {
        <div class="card">
            <div class="card-head"><h2>{move || t("group.members")}</h2></div>
            <div class="filter-bar">
                <input class="input" data-search data-testid="member-filter" placeholder=move || t("device.search") bind:value=search/>
                <Select value=status_sel testid="member-filter-status" options=status_options/>
                <LiveIndicator/>
                <div class="filter-spacer"></div>
                <Show when=move || can(Role::Operator)>
                    <button class="btn btn-primary" data-testid="group-add-devices" on:click=move |_| add_open.set(true)>{move || t("group.add_devices")}</button>
                </Show>
            </div>
            <TableState
                res
                empty=Signal::derive(move || rows.with(Vec::is_empty))
                filtered=Signal::derive(filtered)
                empty_title="group.no_members"
                empty_hint="group.no_members_hint"
                empty_actions=move || view! {
                    <Show when=move || can(Role::Operator)>
                        <button class="btn btn-primary" data-testid="group-add-devices-empty" on:click=move |_| add_open.set(true)>{move || t("group.add_devices")}</button>
                    </Show>
                }
                let:_page
            >
                <div class="table-wrap">
                    <table class="tbl" data-testid="member-table">
                        <thead>
                            <tr>
                                <th>{move || t("device.name")}</th>
                                <th class="hide-phone">{move || t("device.nickname")}</th>
                                <th class="hide-phone">{move || t("device.product")}</th>
                                <th>{move || t("device.status")}</th>
                                <th class="hide-phone">{move || t("device.last_online")}</th>
                                <th class="actions">{move || t("common.actions")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || rows.get().into_iter().map(|d| member_row(id, d, reload)).collect_view()}
                        </tbody>
                    </table>
                </div>
            </TableState>
            <Pagination page=Signal::derive(page) page_size=Signal::derive(page_size) total=total on_change=on_page/>
        </div>
        <AddMembersDialog open=add_open group=id on_done=reload/>
    }
}

fn member_row(id: i64, d: Device, after: Callback<()>) -> impl IntoView {
    let href = format!("/devices/{}/{}", enc(&d.product_key), enc(&d.device_name));
    let dn = d.device_name.clone();
    let keys = StoredValue::new((d.product_key.clone(), d.device_name.clone()));
    let remove = move |_| {
        let (pk, dn) = keys.get_value();
        crate::components::confirm::ask(
            tf("group.remove_title", &[("dn", dn.clone())]),
            t("group.remove_confirm").to_string(),
            "common.remove",
            move || {
                let (pk, dn) = (pk.clone(), dn.clone());
                spawn_local(async move {
                    match groups::remove(id, &pk, &dn).await {
                        Ok(()) => {
                            toast_ok(t("group.removed"));
                            after.run(());
                        }
                        Err(f) => report(&f),
                    }
                });
            },
        );
    };
    view! {
        <tr data-testid=format!("member-row-{dn}") data-status=d.status.as_str()>
            <td class="mono"><a href=href data-testid=format!("member-link-{dn}")>{dn.clone()}</a></td>
            <td class="hide-phone">{d.nickname.clone()}</td>
            <td class="mono hide-phone"><a href=format!("/products/{}", enc(&d.product_key))>{d.product_key.clone()}</a></td>
            <td><StatusDot status=d.status/></td>
            <td class="num hide-phone">{fmt_opt_time(d.last_online_at)}</td>
            <td class="actions">
                <Show when=move || can(Role::Operator)>
                    <button class="btn btn-small btn-danger-ghost" data-testid=format!("member-remove-{}", keys.with_value(|k| k.1.clone())) on:click=remove>
                        {move || t("common.remove")}
                    </button>
                </Show>
            </td>
        </tr>
    }
}

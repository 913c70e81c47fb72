//! `/groups`: search by name (`?q=`, in the URL), pages, create, rename, delete.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use model::auth::Role;
use model::groups::{Group, GroupQuery};

use super::dialog::GroupDialog;
use super::{delete_group, group_href};
use crate::api::groups;
use crate::components::pagination::Pagination;
use crate::components::table_state::TableState;
use crate::i18n::t;
use crate::pages::filter_bar::search_box;
use crate::pages::{query_param, query_setter};
use crate::state::can;
use crate::util::fmt_time;

#[component]
pub fn GroupList() -> impl IntoView {
    let q = query_param("q");
    let page = move || query_param("page")().and_then(|p| p.parse().ok()).unwrap_or(1u32).max(1);
    let page_size = move || query_param("page_size")().and_then(|p| p.parse().ok()).unwrap_or(20u32);
    let set_query = query_setter();
    let query = Memo::new(move |_| GroupQuery { q: q(), page: Some(page()), page_size: Some(page_size()) });
    let res = LocalResource::new(move || {
        let q = query.get();
        async move { groups::list(&q).await }
    });
    let total = Signal::derive(move || res.with(|r| r.as_ref().and_then(|r| r.as_ref().ok()).map_or(0, |p| p.total)));

    // Search box → `?q=` after a pause in typing.
    let search = search_box(q(), set_query.clone());

    let dialog_open = RwSignal::new(false);
    let editing = RwSignal::new(None::<Group>);
    let navigate = use_navigate();
    let on_done = Callback::new(move |g: Group| {
        if editing.get_untracked().is_some() {
            res.refetch();
        } else {
            // A new group is empty: its page is where devices are added.
            navigate(&group_href(g.id), NavigateOptions::default());
        }
    });
    let open_create = move |_| {
        editing.set(None);
        dialog_open.set(true);
    };
    let edit = Callback::new(move |g: Group| {
        editing.set(Some(g));
        dialog_open.set(true);
    });
    let sq = set_query.clone();
    let on_page = Callback::new(move |(p, s): (u32, u32)| {
        sq(&[
            ("page", Some(p.to_string()).filter(|p| p != "1")),
            ("page_size", Some(s.to_string()).filter(|s| s != "20")),
        ])
    });

    view! {
        <div class="page">
            <div class="page-head">
                <h1>{move || t("nav.groups")}</h1>
                <div class="page-head-actions">
                    <Show when=move || can(Role::Operator)>
                        <button class="btn btn-primary" data-testid="group-create" on:click=open_create>{move || t("group.create")}</button>
                    </Show>
                </div>
            </div>
            <div class="card">
                <div class="filter-bar">
                    <input class="input" data-search data-testid="group-search" placeholder=move || t("group.search") bind:value=search/>
                </div>
                <TableState
                    res
                    empty=Signal::derive(move || total.get() == 0)
                    filtered=Signal::derive(move || q().is_some())
                    empty_title="group.empty"
                    empty_hint="group.empty_hint"
                    empty_actions=move || view! {
                        <Show when=move || can(Role::Operator)>
                            <button class="btn btn-primary" data-testid="group-create-empty" on:click=open_create>{move || t("group.create")}</button>
                        </Show>
                    }
                    let:loaded
                >
                    <div class="table-wrap">
                        <table class="tbl" data-testid="group-table">
                            <thead>
                                <tr>
                                    <th>{move || t("group.name")}</th>
                                    <th class="hide-phone">{move || t("group.description")}</th>
                                    <th class="num">{move || t("group.devices")}</th>
                                    <th class="num">{move || t("group.online")}</th>
                                    <th class="hide-phone">{move || t("common.created")}</th>
                                    <th class="actions">{move || t("common.actions")}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {loaded.items.into_iter().map(|g| group_row(g, edit, res)).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </TableState>
                <Pagination page=Signal::derive(page) page_size=Signal::derive(page_size) total on_change=on_page/>
            </div>
            <GroupDialog open=dialog_open editing on_done/>
        </div>
    }
}

type ListRes = LocalResource<crate::api::client::ApiResult<model::error::Page<Group>>>;

fn group_row(g: Group, edit: Callback<Group>, res: ListRes) -> impl IntoView {
    let href = group_href(g.id);
    let name = g.name.clone();
    let grp = StoredValue::new(g.clone());
    let desc = if g.description.is_empty() { "—".to_string() } else { g.description.clone() };
    let online_dot = if g.online_count > 0 { "dot dot-online" } else { "dot dot-offline" };
    view! {
        <tr data-testid=format!("group-row-{name}")>
            <td><a href=href.clone() data-testid=format!("group-link-{name}")>{name.clone()}</a></td>
            <td class="muted cell-ellipsis hide-phone" title=g.description.clone()>{desc}</td>
            <td class="num" data-testid=format!("group-count-{name}")>{g.device_count}</td>
            <td class="num">
                <span class="status"><span class=online_dot></span>{g.online_count}</span>
            </td>
            <td class="num hide-phone">{fmt_time(g.created_at)}</td>
            <td class="actions">
                <a class="btn btn-small" href=href data-testid=format!("group-view-{name}")>{move || t("common.view")}</a>
                <Show when=move || can(Role::Operator)>
                    <button class="btn btn-small" data-testid=format!("group-rename-{}", grp.with_value(|g| g.name.clone()))
                        on:click=move |_| edit.run(grp.get_value())>
                        {move || t("group.rename")}
                    </button>
                    <button class="btn btn-small btn-danger-ghost" data-testid=format!("group-delete-{}", grp.with_value(|g| g.name.clone()))
                        on:click=move |_| delete_group(&grp.get_value(), move || res.refetch())>
                        {move || t("common.delete")}
                    </button>
                </Show>
            </td>
        </tr>
    }
}

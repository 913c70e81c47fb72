//! Audit log (admin): who did what, to what, when; filters and page in the URL.

use leptos::prelude::*;
use model::audit::AuditQuery;
use model::auth::Role;

use crate::api::auth;
use crate::components::json_view::JsonView;
use crate::components::pagination::Pagination;
use crate::components::states::AdminsOnly;
use crate::components::table::{label, CardTable};
use crate::components::table_state::{empty_when, TableState};
use crate::i18n::t;
use crate::pages::{query_param, query_setter};
use crate::state::can;
use crate::util::{fmt_time, parse_local_datetime};

#[component]
pub fn AuditPage() -> impl IntoView {
    let actor = query_param("actor");
    let action = query_param("action");
    let target = query_param("target");
    let since = query_param("since");
    let until = query_param("until");
    let page = move || query_param("page")().and_then(|p| p.parse().ok()).unwrap_or(1u32);
    let page_size = move || query_param("page_size")().and_then(|p| p.parse().ok()).unwrap_or(50u32);
    let set_query = query_setter();
    let query = Memo::new(move |_| AuditQuery {
        actor: actor(),
        action: action(),
        target: target(),
        since: since().and_then(|s| parse_local_datetime(&s)),
        until: until().and_then(|s| parse_local_datetime(&s)),
        page: Some(page()),
        page_size: Some(page_size()),
    });
    let res = LocalResource::new(move || {
        let q = query.get();
        async move { auth::audit(&q).await }
    });
    // The form edits copies; "Apply" writes them to the URL.
    let f_actor = RwSignal::new(actor().unwrap_or_default());
    let f_action = RwSignal::new(action().unwrap_or_default());
    let f_target = RwSignal::new(target().unwrap_or_default());
    let f_since = RwSignal::new(since().unwrap_or_default());
    let f_until = RwSignal::new(until().unwrap_or_default());
    let sq = set_query.clone();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        sq(&[
            ("actor", Some(f_actor.get_untracked())),
            ("action", Some(f_action.get_untracked())),
            ("target", Some(f_target.get_untracked())),
            ("since", Some(f_since.get_untracked())),
            ("until", Some(f_until.get_untracked())),
            ("page", None),
        ])
    };
    let on_page = Callback::new(move |(p, s): (u32, u32)| {
        set_query(&[("page", Some(p.to_string())), ("page_size", Some(s.to_string()).filter(|s| s != "50"))])
    });
    let filtered = Signal::derive(move || [actor(), action(), target(), since(), until()].iter().any(Option::is_some));
    let total = Signal::derive(move || res.get().and_then(|r| r.ok()).map(|p| p.total).unwrap_or(0));
    view! {
        <div class="page">
            <div class="page-head"><h1>{move || t("nav.audit")}</h1></div>
            <div class="card">
                <form class="filter-bar" on:submit=apply>
                    <input class="input" data-search data-testid="audit-actor" placeholder=move || t("audit.actor") bind:value=f_actor/>
                    <input class="input" data-testid="audit-action" placeholder=move || t("audit.action_ph") bind:value=f_action/>
                    <input class="input mono" data-testid="audit-target" placeholder=move || t("audit.target") bind:value=f_target/>
                    <label class="muted small">{move || t("common.since")}</label>
                    <input class="input" type="datetime-local" data-testid="audit-since" bind:value=f_since/>
                    <label class="muted small">{move || t("common.until")}</label>
                    <input class="input" type="datetime-local" data-testid="audit-until" bind:value=f_until/>
                    <button class="btn btn-primary" type="submit" data-testid="audit-apply">{move || t("common.apply")}</button>
                </form>
                <Show when=move || can(Role::Admin) fallback=|| view! { <AdminsOnly/> }>
                    <TableState res empty=empty_when(res, |p| p.items.is_empty()) empty_title="audit.empty" empty_hint="audit.empty_hint" filtered let:p>
                        <CardTable testid="audit-table" compact=true>
                                <thead><tr>
                                    <th>{move || t("common.time")}</th>
                                    <th>{move || t("audit.actor")}</th>
                                    <th>{move || t("audit.action")}</th>
                                    <th>{move || t("audit.target")}</th>
                                    <th>{move || t("audit.result")}</th>
                                    <th>{move || t("audit.details")}</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|e| {
                                        let at = e.at;
                                        view! {
                                            <tr data-testid=format!("audit-row-{}", e.id) class:row-failed=e.result != "ok">
                                                <td class="num nowrap cell-key" data-label=label("common.time")>{move || fmt_time(at)}</td>
                                                <td class="cell-key cell-title" data-label=label("audit.actor")>{e.actor.clone()}</td>
                                                <td class="mono cell-key" data-label=label("audit.action")>{e.action.clone()}</td>
                                                <td class="mono" data-label=label("audit.target") title=e.target.clone()>{e.target.clone()}</td>
                                                <td class="mono cell-key" class:status-fail=e.result != "ok" data-label=label("audit.result")>{e.result.clone()}</td>
                                                <td class="cell-wide" data-label=label("audit.details")>{e.details.map(|d| view! { <JsonView text=d.to_string() testid=format!("audit-details-{}", e.id) collapsed=true/> })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                        </CardTable>
                    </TableState>
                </Show>
                <Pagination page=Signal::derive(page) page_size=Signal::derive(page_size) total on_change=on_page/>
            </div>
        </div>
    }
}

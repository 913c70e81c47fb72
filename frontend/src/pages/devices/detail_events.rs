//! Device page, Events tab: the events the device posted (stored in `device_events`), newest
//! first, filtered by event (its identifier, named through the thing model) and type (info /
//! alert / error) in the URL. A new event post on the live stream reloads the list.

use leptos::prelude::*;
use model::history::{DeviceEventRow, EventPage};
use model::registry::Device;
use model::tsl::{EventType, ThingModel};
use model::ws::Direction;

use super::detail::LiveMsg;
use crate::api::{history, registry};
use crate::components::fields::Select;
use crate::components::table::{label, CardTable};
use crate::components::table_state::{empty_when, TableState};
use crate::i18n::{t, tf};
use crate::pages::{query_param, query_setter};
use crate::util::fmt_time;

fn type_key(t: EventType) -> &'static str {
    match t {
        EventType::Info => "events.type_info",
        EventType::Alert => "events.type_alert",
        EventType::Error => "events.type_error",
    }
}

/// An event post (`thing/event/{id}/post`, not the property post) from the device.
fn is_event_post(m: &LiveMsg) -> bool {
    m.direction == Direction::Up
        && m.topic.contains("/thing/event/")
        && m.topic.ends_with("/post")
        && !m.topic.contains("/thing/event/property/")
}

#[component]
pub fn EventsTab(
    device: RwSignal<Option<Device>>,
    messages: RwSignal<std::collections::VecDeque<LiveMsg>>,
) -> impl IntoView {
    let (pk, dn) = device
        .with_untracked(|d| d.as_ref().map(|d| (d.product_key.clone(), d.device_name.clone())).unwrap_or_default());
    let ids = StoredValue::new((pk, dn));
    let event_q = query_param("event");
    let type_q = query_param("etype");
    let set_query = query_setter();
    let load = LocalResource::new(move || {
        let (pk, dn) = ids.get_value();
        let (event, etype) = (event_q(), type_q());
        async move { history::events(&pk, &dn, event, etype).await }
    });
    let tsl = LocalResource::new(move || {
        let (pk, _) = ids.get_value();
        async move { registry::tsl(&pk).await.ok().and_then(|v| serde_json::from_value::<ThingModel>(v).ok()) }
    });
    // The newest live message: a new event post reloads the list (the stream has no event rows).
    Effect::new(move |prev: Option<u64>| {
        let newest = messages.with(|ms| ms.front().map(|m| (m.seq, is_event_post(m))));
        let seq = newest.map(|(s, _)| s).unwrap_or(0);
        if prev.is_some_and(|p| p != seq) && newest.is_some_and(|(_, ev)| ev) {
            load.refetch();
        }
        seq
    });
    let event_sel = RwSignal::new(event_q().unwrap_or_default());
    let type_sel = RwSignal::new(type_q().unwrap_or_default());
    let sq = set_query.clone();
    Effect::new(move |prev: Option<()>| {
        let (e, ty) = (event_sel.get(), type_sel.get());
        if prev.is_some() {
            sq(&[("event", Some(e)), ("etype", Some(ty))]);
        }
    });
    let event_options = Signal::derive(move || {
        let mut v = vec![(String::new(), t("events.all_events").to_string())];
        if let Some(Some(m)) = tsl.get() {
            v.extend(m.events.iter().map(|e| (e.identifier.clone(), format!("{} ({})", e.name, e.identifier))));
        }
        // A filter from a link for an event the model no longer has stays selectable.
        let cur = event_sel.get();
        if !cur.is_empty() && !v.iter().any(|(k, _)| *k == cur) {
            v.push((cur.clone(), cur));
        }
        v
    });
    let type_options = Signal::derive(|| {
        let mut v = vec![(String::new(), t("events.all_types").to_string())];
        v.extend(
            [EventType::Info, EventType::Alert, EventType::Error]
                .into_iter()
                .map(|ty| (type_name(ty).to_string(), t(type_key(ty)).to_string())),
        );
        v
    });
    let empty = empty_when(load, |p| p.items.is_empty());
    let filtered = Signal::derive(move || event_q().is_some() || type_q().is_some());
    view! {
        <div class="card">
            <div class="filter-bar">
                <Select value=event_sel testid="events-filter-event" options=event_options/>
                <Select value=type_sel testid="events-filter-type" options=type_options/>
                <div class="filter-spacer"></div>
                <button class="btn btn-small" type="button" data-testid="events-refresh" on:click=move |_| load.refetch()>
                    {move || t("common.refresh")}
                </button>
            </div>
            <TableState res=load empty filtered empty_title="events.empty" empty_hint="events.empty_hint"
                no_match_hint="events.no_match" let:page>
                <EventsBody page tsl/>
            </TableState>
        </div>
    }
}

#[component]
fn EventsBody(page: EventPage, tsl: LocalResource<Option<ThingModel>>) -> impl IntoView {
    let name_of = move |id: &str| -> String {
        tsl.with(|m| {
            m.as_ref()
                .and_then(|m| m.as_ref())
                .and_then(|m| m.events.iter().find(|e| e.identifier == id).map(|e| e.name.clone()))
                .unwrap_or_default()
        })
    };
    let note = truncated_note(page.truncated, page.items.len());
    view! {
        <CardTable testid="events-table">
            <thead>
                <tr>
                    <th>{move || t("history.time")}</th>
                    <th>{move || t("events.event")}</th>
                    <th>{move || t("events.type")}</th>
                    <th>{move || t("events.params")}</th>
                </tr>
            </thead>
            <tbody>
                {page.items.clone().into_iter().map(|e: DeviceEventRow| {
                    // Reactive: the thing model may arrive after the events (a name read once
                    // here stayed missing for good when it did).
                    let id = e.identifier.clone();
                    let name = move || Some(name_of(&id)).filter(|n| !n.is_empty()).map(|n| view! { <span>{n}</span> " " });
                    let time = e.time;
                    let kind = e.event_type;
                    view! {
                        <tr data-testid="event-row" data-identifier=e.identifier.clone() data-type=type_name(kind)>
                            <td class="cell-key num" data-label=label("history.time")>{move || fmt_time(time)}</td>
                            <td class="cell-title" data-label=label("events.event")>
                                {name}
                                <span class="mono muted">{e.identifier.clone()}</span>
                            </td>
                            <td class="cell-key" data-label=label("events.type")>
                                <span class=format!("badge event-{}", type_name(kind)) data-testid="event-type">{move || t(type_key(kind))}</span>
                            </td>
                            <td class="mono small" data-label=label("events.params") data-testid="event-params">{e.params.to_string()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </CardTable>
        {note}
    }
}

fn truncated_note(truncated: bool, n: usize) -> impl IntoView {
    let note = truncated.then(|| tf("events.truncated", &[("n", n.to_string())]));
    note.map(|s| view! { <p class="muted small" data-testid="events-truncated">{s}</p> })
}

fn type_name(t: EventType) -> &'static str {
    match t {
        EventType::Info => "info",
        EventType::Alert => "alert",
        EventType::Error => "error",
    }
}

//! The three feature tables of the model: properties, events, services (built-ins hidden: they
//! follow the properties).

use leptos::prelude::*;
use model::auth::Role;
use model::tsl::{AccessMode, CallType, DataType, EventType, ThingModel, TslError};

use super::item::Item;
use super::types::type_key;
use crate::components::table::{label, CardTable};
use crate::i18n::t;
use crate::state::can;

/// A short human summary of a data type's specs: `0 ~ 100 %`, `0: off, 1: on`, `≤ 255 chars`.
pub fn specs_summary(dt: &DataType) -> String {
    match dt {
        DataType::Int(s) | DataType::Float(s) | DataType::Double(s) => {
            let range = match (&s.min, &s.max) {
                (Some(a), Some(b)) => format!("{a} ~ {b}"),
                _ => String::new(),
            };
            format!("{range} {}", s.unit.clone().unwrap_or_default()).trim().to_string()
        }
        DataType::Bool(l) | DataType::Enum(l) => {
            l.0.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ")
        }
        DataType::Text(s) => format!("≤ {}", s.max_len()),
        DataType::Struct(f) => f.iter().map(|p| p.identifier.clone()).collect::<Vec<_>>().join(", "),
        DataType::Array(a) => format!("{}[≤ {}]", a.item.type_name(), a.size),
        _ => String::new(),
    }
}

fn bad_ids(problems: &[TslError], kind: &str) -> Vec<String> {
    problems
        .iter()
        .filter_map(|e| e.path.strip_prefix(&format!("{kind}.")))
        .map(|rest| rest.split(['.', '[']).next().unwrap_or("").to_string())
        .collect()
}

fn actions(
    kind: &'static str,
    id: String,
    on_edit: Callback<(String, String)>,
    on_remove: Callback<(String, String)>,
) -> impl IntoView {
    let single = match kind {
        "properties" => "property",
        "events" => "event",
        _ => "service",
    };
    let (id1, id2) = (id.clone(), id.clone());
    view! {
        <td class="actions">
            <Show when=move || can(Role::Operator)>
                <button type="button" class="btn btn-small" data-testid=format!("tsl-{single}-edit-{id}")
                    on:click={ let id = id1.clone(); move |_| on_edit.run((kind.to_string(), id.clone())) }>{move || t("common.edit")}</button>
                <button type="button" class="btn btn-small btn-danger-ghost" data-testid=format!("tsl-{single}-remove-{id}")
                    on:click={ let id = id2.clone(); move |_| on_remove.run((kind.to_string(), id.clone())) }>{move || t("common.remove")}</button>
            </Show>
        </td>
    }
}

#[component]
pub fn FeatureTables(
    model: RwSignal<Option<ThingModel>>,
    problems: Signal<Vec<TslError>>,
    on_add: Callback<Item>,
    on_edit: Callback<(String, String)>,
    on_remove: Callback<(String, String)>,
) -> impl IntoView {
    let m = move || model.get().unwrap_or_else(|| ThingModel::new_empty(""));
    let section = move |title: &'static str, add_key: &'static str, add_id: &'static str, new: fn() -> Item| {
        view! {
            <div class="tsl-section-head">
                <h3>{move || t(title)}</h3>
                <Show when=move || can(Role::Operator)>
                    <button type="button" class="btn btn-small" data-testid=add_id on:click=move |_| on_add.run(new())>{move || t(add_key)}</button>
                </Show>
            </div>
        }
    };
    view! {
        <div class="tsl-section" data-testid="tsl-properties">
            {section("tsl.properties", "tsl.add_property", "tsl-add-property", Item::new_property)}
            {move || {
                let model = m();
                let bad = bad_ids(&problems.get(), "properties");
                if model.properties.is_empty() {
                    return view! { <p class="muted">{move || t("tsl.no_properties")}</p> }.into_any();
                }
                view! {
                    <CardTable testid="tsl-property-table" compact=true>
                        <thead><tr>
                            <th>{move || t("tsl.name")}</th><th>{move || t("tsl.identifier")}</th><th>{move || t("tsl.data_type")}</th>
                            <th>{move || t("tsl.specs")}</th><th>{move || t("tsl.access")}</th><th class="actions">{move || t("common.actions")}</th>
                        </tr></thead>
                        <tbody>{model.properties.into_iter().map(|p| {
                            let invalid = bad.contains(&p.identifier);
                            let tkey = type_key(p.data_type.type_name());
                            view! {
                                <tr data-testid=format!("tsl-property-row-{}", p.identifier) class:row-invalid=invalid>
                                    <td class="cell-key cell-title" data-label=label("tsl.name")>{p.name.clone()}</td>
                                    <td class="mono cell-key" data-label=label("tsl.identifier")>{p.identifier.clone()}</td>
                                    <td data-label=label("tsl.data_type")><span class="tag-type">{move || t(tkey)}</span></td>
                                    <td class="mono small" data-label=label("tsl.specs")>{specs_summary(&p.data_type)}</td>
                                    <td data-label=label("tsl.access")>{if p.access_mode == AccessMode::ReadOnly { "r" } else { "rw" }}</td>
                                    {actions("properties", p.identifier.clone(), on_edit, on_remove)}
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </CardTable>
                }.into_any()
            }}
        </div>
        <div class="tsl-section" data-testid="tsl-events">
            {section("tsl.events", "tsl.add_event", "tsl-add-event", Item::new_event)}
            {move || {
                let evs: Vec<_> = m().events.into_iter().filter(|e| !e.is_builtin()).collect();
                let bad = bad_ids(&problems.get(), "events");
                if evs.is_empty() {
                    return view! { <p class="muted">{move || t("tsl.no_events")}</p> }.into_any();
                }
                view! {
                    <CardTable testid="tsl-event-table" compact=true>
                        <thead><tr>
                            <th>{move || t("tsl.name")}</th><th>{move || t("tsl.identifier")}</th><th>{move || t("tsl.event_type")}</th>
                            <th>{move || t("tsl.output_params")}</th><th class="actions">{move || t("common.actions")}</th>
                        </tr></thead>
                        <tbody>{evs.into_iter().map(|e| {
                            let key = match e.event_type { EventType::Info => "tsl.event.info", EventType::Alert => "tsl.event.alert", EventType::Error => "tsl.event.error" };
                            view! {
                                <tr data-testid=format!("tsl-event-row-{}", e.identifier) class:row-invalid=bad.contains(&e.identifier)>
                                    <td class="cell-key cell-title" data-label=label("tsl.name")>{e.name.clone()}</td>
                                    <td class="mono cell-key" data-label=label("tsl.identifier")>{e.identifier.clone()}</td>
                                    <td data-label=label("tsl.event_type")>{move || t(key)}</td>
                                    <td class="mono small" data-label=label("tsl.output_params")>{e.output_data.iter().map(|p| p.identifier.clone()).collect::<Vec<_>>().join(", ")}</td>
                                    {actions("events", e.identifier.clone(), on_edit, on_remove)}
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </CardTable>
                }.into_any()
            }}
        </div>
        <div class="tsl-section" data-testid="tsl-services">
            {section("tsl.services", "tsl.add_service", "tsl-add-service", Item::new_service)}
            {move || {
                let svs: Vec<_> = m().services.into_iter().filter(|s| !s.is_builtin()).collect();
                let bad = bad_ids(&problems.get(), "services");
                if svs.is_empty() {
                    return view! { <p class="muted">{move || t("tsl.no_services")}</p> }.into_any();
                }
                view! {
                    <CardTable testid="tsl-service-table" compact=true>
                        <thead><tr>
                            <th>{move || t("tsl.name")}</th><th>{move || t("tsl.identifier")}</th><th>{move || t("tsl.call_type")}</th>
                            <th>{move || t("tsl.input_params")}</th><th>{move || t("tsl.output_params")}</th><th class="actions">{move || t("common.actions")}</th>
                        </tr></thead>
                        <tbody>{svs.into_iter().map(|s| {
                            let key = if s.call_type == CallType::Sync { "tsl.call.sync" } else { "tsl.call.async" };
                            view! {
                                <tr data-testid=format!("tsl-service-row-{}", s.identifier) class:row-invalid=bad.contains(&s.identifier)>
                                    <td class="cell-key cell-title" data-label=label("tsl.name")>{s.name.clone()}</td>
                                    <td class="mono cell-key" data-label=label("tsl.identifier")>{s.identifier.clone()}</td>
                                    <td data-label=label("tsl.call_type")>{move || t(key)}</td>
                                    <td class="mono small" data-label=label("tsl.input_params")>{s.input_params().map(|p| p.identifier.clone()).collect::<Vec<_>>().join(", ")}</td>
                                    <td class="mono small" data-label=label("tsl.output_params")>{s.output_data.iter().map(|p| p.identifier.clone()).collect::<Vec<_>>().join(", ")}</td>
                                    {actions("services", s.identifier.clone(), on_edit, on_remove)}
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </CardTable>
                }.into_any()
            }}
        </div>
    }
}

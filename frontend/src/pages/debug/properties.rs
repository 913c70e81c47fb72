//! Property Debugging: every property of the module — name, identifier, type/range/unit/step
//! as a hint, the latest reported value with its time, the desired value with its version —
//! and a debugging field per property with Get, Set, Set expectations and Reset; the same four
//! for all properties at once (only filled fields are sent).
//!
//! Built to fit beside the log pane at 1280 px: one block per property (hint under the name,
//! values on their own line), nothing wider than the column, no horizontal scrolling.

use std::collections::BTreeMap;

use leptos::prelude::*;
use model::debug_form::{collect_set, property_value, type_hint, value_text};
use model::device::value::show;
use model::tsl::{AccessMode, Property};
use serde_json::Value;

use super::Ctx;
use crate::api::debug;
use crate::i18n::{t, tf};
use crate::util::fmt_time;

/// The debugging fields: identifier → text, with the browser's verdict on each and the time of
/// the stored value shown after a Get that timed out.
#[derive(Clone, Copy)]
struct Form {
    inputs: RwSignal<BTreeMap<String, String>>,
    errors: RwSignal<BTreeMap<String, String>>,
    stored_from: RwSignal<BTreeMap<String, i64>>,
}

impl Form {
    fn text(&self, id: &str) -> String {
        self.inputs.with_untracked(|m| m.get(id).cloned().unwrap_or_default())
    }
    fn set_text(&self, id: &str, text: String) {
        self.inputs.update(|m| {
            m.insert(id.to_string(), text);
        });
    }
    fn pairs(&self, ids: &[String]) -> Vec<(String, String)> {
        ids.iter().map(|id| (id.clone(), self.text(id))).collect()
    }
}

#[component]
pub fn PropertiesTab(ctx: Ctx) -> impl IntoView {
    let form = Form {
        inputs: RwSignal::new(BTreeMap::new()),
        errors: RwSignal::new(BTreeMap::new()),
        stored_from: RwSignal::new(BTreeMap::new()),
    };
    let props = Memo::new(move |_| ctx.model.with(|m| m.as_ref().map(|m| m.properties.clone())));
    let all_ids =
        move || props.with_untracked(|p| p.iter().flatten().map(|p| p.identifier.clone()).collect::<Vec<_>>());
    view! {
        {move || match props.get() {
            None => view! { <p class="muted" data-testid="dbg-no-model">{move || t("dbg.no_model")}</p> }.into_any(),
            Some(ps) if ps.is_empty() => view! { <p class="muted" data-testid="dbg-no-props">{move || t("dbg.no_props")}</p> }.into_any(),
            Some(ps) => view! {
                <ul class="dbg-props" data-testid="dbg-props">
                    {ps.into_iter().map(|p| view! { <PropertyRow p ctx form/> }).collect_view()}
                </ul>
            }.into_any(),
        }}
        <div class="dbg-all" data-testid="dbg-all">
            <span class="dbg-all-label">{move || t("dbg.all")}</span>
            <Actions ctx form ids=Signal::derive(move || { let _ = props.get(); all_ids() }) testid="all".to_string()/>
            <span class="muted small">{move || t("dbg.all_hint")}</span>
        </div>
    }
}

#[component]
fn PropertyRow(p: Property, ctx: Ctx, form: Form) -> impl IntoView {
    let id = p.identifier.clone();
    let read_only = p.access_mode == AccessMode::ReadOnly;
    let hint = type_hint(&p.data_type);
    let placeholder = tf("dbg.input_ph", &[("type", p.data_type.type_name().to_string())]);
    let dt = StoredValue::new(p.data_type.clone());
    let reported = {
        let id = id.clone();
        Memo::new(move |_| ctx.reported.with(|vs| vs.iter().find(|v| v.identifier == id).cloned()))
    };
    let desired = {
        let id = id.clone();
        Memo::new(move |_| ctx.desired.with(|ds| ds.iter().find(|d| d.identifier == id).cloned()))
    };
    let shown = move |v: &Value| show(v, Some(&dt.get_value())).with_unit();
    // Checked as typed, with the server's codes (an empty field is fine: it is not sent).
    let on_input = {
        let id = id.clone();
        move |ev: leptos::ev::Event| {
            let text = event_target_value(&ev);
            let verdict = ctx.model.with_untracked(|m| m.as_ref().map(|m| property_value(m, &id, &text)));
            form.errors.update(|es| match verdict {
                Some(Err(e)) => {
                    es.insert(id.clone(), format!("{} ({})", e.message, e.code));
                }
                _ => {
                    es.remove(&id);
                }
            });
            form.stored_from.update(|s| {
                s.remove(&id);
            });
            form.set_text(&id, text);
        }
    };
    let value_of = {
        let id = id.clone();
        move || form.inputs.with(|m| m.get(&id).cloned().unwrap_or_default())
    };
    let error = {
        let id = id.clone();
        move || form.errors.with(|m| m.get(&id).cloned())
    };
    let stored = {
        let id = id.clone();
        move || form.stored_from.with(|m| m.get(&id).copied())
    };
    let clear_desired = {
        let id = id.clone();
        move |_| {
            let (pk, dn, id) = (ctx.pk(), ctx.dn(), id.clone());
            ctx.busy.set(true);
            leptos::task::spawn_local(async move {
                if let Err(f) = debug::clear_desired(&pk, &dn, std::slice::from_ref(&id)).await {
                    crate::api::report(&f);
                }
                ctx.busy.set(false);
                ctx.reload_desired();
            });
        }
    };
    let ids = Signal::derive({
        let id = id.clone();
        move || vec![id.clone()]
    });
    view! {
        <li class="dbg-prop" data-testid=format!("dbg-prop-{id}")>
            <div class="dbg-prop-name">
                <span class="dbg-prop-title">{p.name.clone()}</span>
                {(p.name != id).then(|| view! { <span class="mono muted small">{id.clone()}</span> })}
                {read_only.then(|| view! {
                    <span class="badge badge-down" title=move || t("dbg.read_only_hint") data-testid=format!("dbg-ro-{id}")>{move || t("dbg.read_only")}</span>
                })}
                <span class="muted small dbg-hint" data-testid=format!("dbg-hint-{id}")>{hint}</span>
            </div>
            <div class="dbg-prop-values small">
                <span class="dbg-kv" data-testid=format!("dbg-reported-{id}")>
                    <span class="muted">{move || t("dbg.reported")} ": "</span>
                    {move || match reported.get() {
                        Some(v) => view! {
                            <span class="mono dbg-wrap" data-testid="dbg-reported-value">{shown(&v.value)}</span>
                            " " <span class="muted num">{fmt_time(v.time)}</span>
                        }.into_any(),
                        None => view! { <span class="muted">{move || t("dbg.no_value")}</span> }.into_any(),
                    }}
                </span>
                <span class="dbg-kv" data-testid=format!("dbg-desired-{id}")>
                    <span class="muted">{move || t("dbg.desired")} ": "</span>
                    {move || match desired.get() {
                        Some(d) => view! {
                            <span class="mono dbg-wrap" data-testid="dbg-desired-value">{shown(&d.value)}</span>
                            " " <span class="badge badge-up" data-testid="dbg-desired-version">{format!("v{}", d.version)}</span>
                            " " <span class="muted num">{fmt_time(d.set_at)}</span>
                            <button class="btn-icon dbg-x" title=move || t("dbg.clear_desired") aria-label=move || t("dbg.clear_desired")
                                data-testid="dbg-desired-clear" disabled=move || ctx.store_blocked().is_some() || ctx.busy.get()
                                on:click=clear_desired.clone()>"×"</button>
                        }.into_any(),
                        None => view! { <span class="muted">"—"</span> }.into_any(),
                    }}
                </span>
            </div>
            <div class="dbg-prop-input">
                <input
                    class="input mono"
                    class:invalid={
                        let error = error.clone();
                        move || error().is_some()
                    }
                    data-testid=format!("dbg-input-{id}")
                    aria-label=p.name.clone()
                    placeholder=placeholder
                    prop:value=value_of
                    on:input=on_input
                />
                <Actions ctx form ids testid=id.clone()/>
            </div>
            {move || error().map(|e| view! { <div class="field-error dbg-wrap" data-testid="dbg-input-error">{e}</div> })}
            {move || stored().map(|at| view! {
                <div class="small dbg-stored" data-testid="dbg-stored">{tf("dbg.stored_from", &[("time", fmt_time(at))])}</div>
            })}
        </li>
    }
}

/// Get, Set, Set expectations and Reset for `ids` (one property, or all of them).
#[component]
fn Actions(ctx: Ctx, form: Form, #[prop(into)] ids: Signal<Vec<String>>, testid: String) -> impl IntoView {
    let call_reason = move || ctx.call_blocked().map(t);
    let store_reason = move || ctx.store_blocked().map(t);
    let get = move |_| {
        let ids = ids.get_untracked();
        let (pk, dn) = (ctx.pk(), ctx.dn());
        let target = ids.join(", ");
        let wanted = ids.clone();
        ctx.run("dbg.get", target, async move { debug::get_properties(&pk, &dn, ids).await }, move |r| {
            match (r.code, &r.data) {
                (200, Value::Object(values)) => {
                    for (id, v) in values {
                        form.set_text(id, value_text(v));
                        form.stored_from.update(|s| {
                            s.remove(id);
                        });
                    }
                }
                // No answer (many SDKs do not implement get): the stored latest value, marked.
                (1905, _) => {
                    for id in &wanted {
                        let latest = ctx.reported.with_untracked(|vs| vs.iter().find(|v| &v.identifier == id).cloned());
                        if let Some(v) = latest {
                            form.set_text(id, value_text(&v.value));
                            form.stored_from.update(|s| {
                                s.insert(id.clone(), v.time);
                            });
                        }
                    }
                }
                _ => {}
            }
        });
    };
    // Set and Set expectations: every filled field checked by the server's rules first.
    let send = move |desired: bool| {
        let ids = ids.get_untracked();
        let action = if desired { "dbg.expect" } else { "dbg.set" };
        let checked = ctx.model.with_untracked(|m| m.as_ref().map(|m| collect_set(m, &form.pairs(&ids))));
        let Some(checked) = checked else { return };
        match checked {
            Err(errs) => {
                form.errors.update(|es| {
                    for e in &errs {
                        if ids.contains(&e.path) {
                            es.insert(e.path.clone(), format!("{} ({})", e.message, e.code));
                        }
                    }
                });
                ctx.refuse(action, ids.join(", "), errs);
            }
            Ok(params) => {
                let (pk, dn) = (ctx.pk(), ctx.dn());
                let target = params.keys().cloned().collect::<Vec<_>>().join(", ");
                if desired {
                    ctx.run(action, target, async move { debug::set_desired(&pk, &dn, params).await }, |_| {});
                } else {
                    ctx.run(action, target, async move { debug::set_properties(&pk, &dn, params).await }, |_| {});
                }
            }
        }
    };
    let reset = move |_| {
        for id in ids.get_untracked() {
            form.inputs.update(|m| {
                m.remove(&id);
            });
            form.errors.update(|m| {
                m.remove(&id);
            });
            form.stored_from.update(|m| {
                m.remove(&id);
            });
        }
    };
    let call_disabled = move || call_reason().is_some() || ctx.busy.get();
    let store_disabled = move || store_reason().is_some() || ctx.busy.get();
    view! {
        <div class="dbg-actions">
            <button class="btn btn-small" data-testid=format!("dbg-get-{testid}") disabled=call_disabled title=call_reason on:click=get>
                {move || t("dbg.get")}
            </button>
            <button class="btn btn-small btn-primary" data-testid=format!("dbg-set-{testid}") disabled=call_disabled title=call_reason
                on:click=move |_| send(false)>
                {move || t("dbg.set")}
            </button>
            <button class="btn btn-small" data-testid=format!("dbg-expect-{testid}") disabled=store_disabled title=store_reason
                on:click=move |_| send(true)>
                {move || t("dbg.expect")}
            </button>
            <button class="btn btn-small btn-ghost" data-testid=format!("dbg-reset-{testid}") on:click=reset>
                {move || t("dbg.reset")}
            </button>
        </div>
    }
}

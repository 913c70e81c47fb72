//! Service Calls: pick a service, fill its input (a form of one field per parameter when they
//! are all simple types, raw JSON always available, both pre-filled from the model), Send. The
//! input is checked by the server's rules before sending; the answer (output, `pending` for an
//! async service, 1905 after the timeout) goes to the result pane.

use leptos::prelude::*;
use model::debug_form::{
    callable_services, service_form, service_input, service_template, simple_inputs, type_hint, value_text,
};
use model::tsl::{CallType, Param, Service};
use serde_json::Value;

use super::Ctx;
use crate::api::debug;
use crate::components::fields::Select;
use crate::i18n::t;

#[component]
pub fn ServicesTab(ctx: Ctx) -> impl IntoView {
    let services = Memo::new(move |_| {
        ctx.model.with(|m| m.as_ref().map(|m| callable_services(m).into_iter().cloned().collect::<Vec<Service>>()))
    });
    let selected = RwSignal::new(String::new());
    // The first service is picked once the model is there.
    Effect::new(move |_| {
        if let Some(first) = services.with(|s| s.as_ref().and_then(|s| s.first().map(|s| s.identifier.clone()))) {
            if selected.get_untracked().is_empty() {
                selected.set(first);
            }
        }
    });
    let options = Signal::derive(move || {
        services
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.identifier.clone(), format!("{} ({})", s.name, s.identifier)))
            .collect::<Vec<_>>()
    });
    let service = Memo::new(move |_| {
        let id = selected.get();
        services.with(|s| s.as_ref().and_then(|s| s.iter().find(|x| x.identifier == id).cloned()))
    });
    view! {
        {move || match services.get() {
            None => view! { <p class="muted" data-testid="dbg-no-model">{move || t("dbg.no_model")}</p> }.into_any(),
            Some(s) if s.is_empty() => view! { <p class="muted" data-testid="dbg-no-services">{move || t("dbg.no_services")}</p> }.into_any(),
            Some(_) => view! {
                <div class="dbg-service">
                    <label class="field">
                        <span class="field-label">{move || t("dbg.service")}</span>
                        <Select value=selected testid="dbg-service" options/>
                    </label>
                    {move || service.get().map(|s| view! { <ServiceForm ctx s/> })}
                </div>
            }.into_any(),
        }}
    }
}

#[component]
fn ServiceForm(ctx: Ctx, s: Service) -> impl IntoView {
    let template = service_template(&s);
    let simple = simple_inputs(&s);
    let has_inputs = s.input_params().next().is_some();
    let json = RwSignal::new(serde_json::to_string_pretty(&template).unwrap_or_default());
    let fields: Vec<(String, RwSignal<String>)> =
        s.input_params().map(|p| (p.identifier.clone(), RwSignal::new(value_text(&template[&p.identifier])))).collect();
    let fields = StoredValue::new(fields);
    // The form when every input fits a one-line field; JSON otherwise (and on request).
    let use_form = RwSignal::new(simple && has_inputs);
    let error = RwSignal::new(None::<String>);
    let svc = StoredValue::new(s.clone());
    let params = StoredValue::new(s.input_params().cloned().collect::<Vec<Param>>());
    let field_texts =
        move || fields.with_value(|f| f.iter().map(|(k, v)| (k.clone(), v.get_untracked())).collect::<Vec<_>>());
    let parse = move || -> Result<Value, Vec<model::tsl::TslError>> {
        let s = svc.get_value();
        let r = ctx.model.with_untracked(|m| {
            m.as_ref().map(|m| {
                if use_form.get_untracked() {
                    service_form(m, &s.identifier, &s, &field_texts())
                } else {
                    service_input(m, &s.identifier, &json.get_untracked())
                }
            })
        });
        r.unwrap_or(Ok(Value::Null))
    };
    // Switching keeps what was typed: the form's values become the JSON and back.
    let switch = move |to_form: bool| {
        if to_form == use_form.get_untracked() {
            return;
        }
        if to_form {
            if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(&json.get_untracked()) {
                fields.with_value(|f| {
                    for (k, sig) in f {
                        if let Some(v) = o.get(k) {
                            sig.set(value_text(v));
                        }
                    }
                });
            }
        } else if let Ok(v) = parse() {
            json.set(serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        error.set(None);
        use_form.set(to_form);
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let s = svc.get_value();
        match parse() {
            Err(errs) => {
                error.set(errs.first().map(|e| format!("{} ({})", e.message, e.code)));
                ctx.refuse("dbg.send", s.identifier.clone(), errs);
            }
            Ok(params) => {
                error.set(None);
                let (pk, dn) = (ctx.pk(), ctx.dn());
                let id = s.identifier.clone();
                ctx.run(
                    "dbg.send",
                    s.identifier.clone(),
                    async move { debug::invoke_service(&pk, &dn, &id, params).await },
                    |_| {},
                );
            }
        }
    };
    let reason = move || ctx.call_blocked().map(t);
    let is_async = s.call_type == CallType::Async;
    view! {
        <form class="dbg-service-form" on:submit=send>
            <div class="dbg-service-meta small">
                <span class="badge" class:badge-up=!is_async class:badge-down=is_async data-testid="dbg-call-type">
                    {move || if is_async { t("dbg.call_async") } else { t("dbg.call_sync") }}
                </span>
                {s.desc.clone().map(|d| view! { <span class="muted">{d}</span> })}
                <Show when=move || simple && has_inputs>
                    <div class="seg" role="group">
                        <button type="button" class="btn btn-small" class:active=move || use_form.get() data-testid="dbg-mode-form"
                            aria-pressed=move || use_form.get().to_string() on:click=move |_| switch(true)>{move || t("dbg.input_form")}</button>
                        <button type="button" class="btn btn-small" class:active=move || !use_form.get() data-testid="dbg-mode-json"
                            aria-pressed=move || (!use_form.get()).to_string() on:click=move |_| switch(false)>{move || t("dbg.input_json")}</button>
                    </div>
                </Show>
            </div>
            {(!has_inputs).then(|| view! { <p class="muted small">{move || t("dbg.no_inputs")}</p> })}
            {move || use_form.get().then(|| view! {
                <div class="dbg-service-fields">
                    {params.get_value().into_iter().map(|p| {
                        let sig = fields.with_value(|f| f.iter().find(|(k, _)| k == &p.identifier).map(|(_, s)| *s));
                        let sig = sig.unwrap_or_else(|| RwSignal::new(String::new()));
                        view! {
                            <label class="field">
                                <span class="field-label">{p.name.clone()} " " {(p.name != p.identifier).then(|| view! { <span class="mono muted small">{p.identifier.clone()}</span> })}</span>
                                <input class="input mono" data-testid=format!("dbg-param-{}", p.identifier) bind:value=sig/>
                                <span class="muted small">{type_hint(&p.data_type)}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
            })}
            <Show when=move || !use_form.get() && has_inputs>
                <label class="field">
                    <span class="field-label">{move || t("dbg.input_json_label")}</span>
                    <textarea class="input mono dbg-json-input" rows="6" data-testid="dbg-service-json" bind:value=json></textarea>
                </label>
            </Show>
            {move || error.get().map(|e| view! { <div class="field-error dbg-wrap" data-testid="dbg-service-error">{e}</div> })}
            <div class="dbg-actions">
                <button type="submit" class="btn btn-primary" data-testid="dbg-send"
                    disabled=move || reason().is_some() || ctx.busy.get() title=reason>
                    {move || t("dbg.send")}
                </button>
            </div>
        </form>
    }
}

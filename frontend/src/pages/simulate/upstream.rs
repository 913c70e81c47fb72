//! The simulator's forms: custom topic, property submission, event submission (each now or by
//! a push policy), and the downstream subscription. Values are checked by the server against the
//! thing model (`model::tsl`), whose answer shows under the form with the seed's code.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::simulate::{CustomPublish, EventSubmission, PropertySubmission, PushPolicy, MAX_PERIOD_MS};
use model::tsl::ThingModel;
use serde_json::{Map, Value};

use crate::api::{simulate, Fail};
use crate::components::fields::{FormError, Select, SelectField, TextArea, TextField};
use crate::i18n::{t, tr};
use crate::state::toast_ok;
use crate::util::now_ms;

fn fail_text(f: &Fail) -> String {
    f.text()
}

/// `{"id": example}` for every property of the model, as the form's starting point.
fn property_template(m: &ThingModel) -> String {
    let v: Map<String, Value> =
        m.properties.iter().map(|p| (p.identifier.clone(), p.data_type.example_value())).collect();
    serde_json::to_string_pretty(&Value::Object(v)).unwrap_or_default()
}

fn parse_object(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err(t("sim.json_object").to_string()),
        Err(e) => Err(format!("{}: {e}", t("sim.json_object"))),
    }
}

/// The push-policy fields of a form: now, once at a time, or at an interval for a period.
#[derive(Clone, Copy)]
struct Policy {
    kind: RwSignal<String>,
    at_s: RwSignal<String>,
    every_s: RwSignal<String>,
    for_min: RwSignal<String>,
}

impl Policy {
    fn new() -> Policy {
        Policy {
            kind: RwSignal::new("now".to_string()),
            at_s: RwSignal::new("10".to_string()),
            every_s: RwSignal::new("5".to_string()),
            for_min: RwSignal::new("1".to_string()),
        }
    }

    /// The policy the fields describe (`None` = push now).
    fn read(&self) -> Result<Option<PushPolicy>, String> {
        policy_of(&self.kind.get(), &self.at_s.get(), &self.every_s.get(), &self.for_min.get())
    }
}

/// Shows how a push went: a toast ("sent" or "scheduled"), or the server's refusal under the form.
fn report_push(result: Result<(), Fail>, scheduled: bool, error: RwSignal<Option<String>>) {
    match result {
        Ok(()) => toast_ok(if scheduled { t("sim.scheduled") } else { t("sim.sent") }),
        Err(e) => error.set(Some(fail_text(&e))),
    }
}

#[component]
fn PolicyFields(policy: Policy) -> impl IntoView {
    let Policy { kind, at_s, every_s, for_min } = policy;
    let options = Signal::derive(|| {
        vec![
            ("now".to_string(), t("sim.push.now").to_string()),
            ("once".to_string(), t("sim.push.once").to_string()),
            ("interval".to_string(), t("sim.push.interval").to_string()),
        ]
    });
    view! {
        <div class="sim-policy">
            <SelectField label=tr("sim.push") value=kind testid="sim-policy" options/>
            <Show when=move || kind.get() == "once">
                <TextField label=tr("sim.push.in_s") value=at_s testid="sim-policy-at" kind="number"/>
            </Show>
            <Show when=move || kind.get() == "interval">
                <TextField label=tr("sim.push.every_s") value=every_s testid="sim-policy-every" kind="number" hint=tr("sim.push.every_hint")/>
                <TextField label=tr("sim.push.for_min") value=for_min testid="sim-policy-for" kind="number" hint=tr("sim.push.for_hint")/>
            </Show>
        </div>
    }
}

fn policy_of(kind: &str, at_s: &str, every_s: &str, for_min: &str) -> Result<Option<PushPolicy>, String> {
    let now = now_ms();
    let num = |s: &str| s.trim().parse::<f64>().map_err(|_| t("sim.push.number").to_string());
    match kind {
        "once" => Ok(Some(PushPolicy::Once { at_ms: now + (num(at_s)? * 1000.0) as i64 })),
        "interval" => {
            let every = num(every_s)?;
            let minutes = num(for_min)?;
            let end = (minutes * 60_000.0) as i64;
            if every < 1.0 {
                return Err(t("sim.push.every_hint").to_string());
            }
            if end > MAX_PERIOD_MS {
                return Err(t("sim.push.for_hint").to_string());
            }
            Ok(Some(PushPolicy::Interval { interval_s: every as u32, start_ms: now, end_ms: now + end }))
        }
        _ => Ok(None),
    }
}

#[component]
pub fn CustomTopic(pk: String, dn: String, running: Signal<bool>) -> impl IntoView {
    let topic = RwSignal::new(format!("/{pk}/{dn}/user/update"));
    let payload = RwSignal::new("{\"hello\": \"world\"}".to_string());
    let qos = RwSignal::new("0".to_string());
    let error = RwSignal::new(None::<String>);
    let ids = StoredValue::new((pk, dn));
    let send = move |_| {
        let (pk, dn) = ids.get_value();
        let req = CustomPublish { topic: topic.get(), payload: payload.get(), qos: qos.get().parse().unwrap_or(0) };
        error.set(None);
        spawn_local(async move {
            match simulate::publish(&pk, &dn, &req).await {
                Ok(()) => toast_ok(t("sim.sent")),
                Err(e) => error.set(Some(fail_text(&e))),
            }
        });
    };
    let qos_options =
        Signal::derive(|| vec![("0".to_string(), "QoS 0".to_string()), ("1".to_string(), "QoS 1".to_string())]);
    view! {
        <div class="sim-form">
            <TextField label=tr("sim.topic") value=topic testid="sim-topic" mono=true required=true hint=tr("sim.topic_hint")/>
            <TextArea label=tr("sim.payload") value=payload testid="sim-payload" mono=true rows=4/>
            <label class="field"><span class="field-label">"QoS"</span><Select value=qos testid="sim-qos" options=qos_options/></label>
            <FormError error=error/>
            <div class="form-actions">
                <button class="btn btn-primary" data-testid="sim-publish" disabled=move || !running.get() on:click=send>{move || t("sim.report")}</button>
            </div>
        </div>
    }
}

#[component]
pub fn Properties(pk: String, dn: String, model: Signal<Option<ThingModel>>, running: Signal<bool>) -> impl IntoView {
    let values = RwSignal::new(String::new());
    Effect::new(move |_| {
        if values.get_untracked().is_empty() {
            if let Some(m) = model.get() {
                values.set(property_template(&m));
            }
        }
    });
    let policy = Policy::new();
    let error = RwSignal::new(None::<String>);
    let ids = StoredValue::new((pk, dn));
    let send = move |_| {
        error.set(None);
        let (values, policy) = match parse_object(&values.get()).and_then(|v| Ok((v, policy.read()?))) {
            Ok(v) => v,
            Err(e) => return error.set(Some(e)),
        };
        let (pk, dn) = ids.get_value();
        spawn_local(async move {
            let scheduled = policy.is_some();
            report_push(simulate::properties(&pk, &dn, &PropertySubmission { values, policy }).await, scheduled, error);
        });
    };
    view! {
        <div class="sim-form">
            <TextArea label=tr("sim.values") value=values testid="sim-values" mono=true rows=8 hint=tr("sim.values_hint")/>
            <PolicyFields policy/>
            <FormError error=error/>
            <div class="form-actions">
                <button class="btn btn-primary" data-testid="sim-push-properties" disabled=move || !running.get() on:click=send>{move || t("sim.push_data")}</button>
            </div>
        </div>
    }
}

#[component]
pub fn Events(pk: String, dn: String, model: Signal<Option<ThingModel>>, running: Signal<bool>) -> impl IntoView {
    let event = RwSignal::new(String::new());
    let params = RwSignal::new("{}".to_string());
    let options = Signal::derive(move || {
        model
            .get()
            .map(|m| {
                m.events
                    .iter()
                    .filter(|e| !e.is_builtin())
                    .map(|e| (e.identifier.clone(), format!("{} ({})", e.name, e.identifier)))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    // Picking an event fills in its output parameters.
    Effect::new(move |_| {
        let id = event.get();
        let Some(m) = model.get() else { return };
        if id.is_empty() {
            if let Some((first, _)) = options.get_untracked().first() {
                event.set(first.clone());
            }
            return;
        }
        if let Some(e) = m.events.iter().find(|e| e.identifier == id) {
            let v: Map<String, Value> =
                e.output_data.iter().map(|p| (p.identifier.clone(), p.data_type.example_value())).collect();
            params.set(serde_json::to_string_pretty(&Value::Object(v)).unwrap_or_default());
        }
    });
    let policy = Policy::new();
    let error = RwSignal::new(None::<String>);
    let ids = StoredValue::new((pk, dn));
    let send = move |_| {
        error.set(None);
        let (p, policy) = match parse_object(&params.get()).and_then(|v| Ok((v, policy.read()?))) {
            Ok(v) => v,
            Err(e) => return error.set(Some(e)),
        };
        let (pk, dn) = ids.get_value();
        let req = EventSubmission { event: event.get(), params: p, policy };
        spawn_local(async move {
            report_push(simulate::event(&pk, &dn, &req).await, req.policy.is_some(), error);
        });
    };
    view! {
        <div class="sim-form">
            <SelectField label=tr("sim.event") value=event testid="sim-event" options/>
            <TextArea label=tr("sim.event_params") value=params testid="sim-event-params" mono=true rows=5/>
            <PolicyFields policy/>
            <FormError error=error/>
            <div class="form-actions">
                <button class="btn btn-primary" data-testid="sim-push-event" disabled=move || !running.get() on:click=send>{move || t("sim.push_data")}</button>
            </div>
        </div>
    }
}

#[component]
pub fn Subscribe(pk: String, dn: String, running: Signal<bool>) -> impl IntoView {
    let topic = RwSignal::new(format!("/{pk}/{dn}/user/get"));
    let error = RwSignal::new(None::<String>);
    let ids = StoredValue::new((pk, dn));
    let send = move |_| {
        error.set(None);
        let (pk, dn) = ids.get_value();
        let topic = topic.get();
        spawn_local(async move {
            match simulate::subscribe(&pk, &dn, topic).await {
                Ok(()) => toast_ok(t("sim.subscribed")),
                Err(e) => error.set(Some(fail_text(&e))),
            }
        });
    };
    view! {
        <div class="sim-form">
            <p class="muted small">{move || t("sim.downstream_hint")}</p>
            <TextField label=tr("sim.topic") value=topic testid="sim-sub-topic" mono=true required=true/>
            <FormError error=error/>
            <div class="form-actions">
                <button class="btn btn-primary" data-testid="sim-subscribe" disabled=move || !running.get() on:click=send>{move || t("sim.subscribe")}</button>
            </div>
        </div>
    }
}

//! The dialog that adds or edits one property, event or service on a draft copy; problems are
//! computed by checking the whole model with the draft in place (the server's own check).

use leptos::prelude::*;
use model::tsl::{
    AccessMode, CallType, DataType, Event, EventType, Param, Property, Service, ServiceInput, ThingModel, TslError,
};

use super::lens::Lens;
use super::problems::{owned, ProblemList};
use super::types::{param_list, type_editor};
use crate::components::fields::FormError;
use crate::i18n::t;

/// One feature of the model being edited.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Property(Property),
    Event(Event),
    Service(Service),
}

impl Item {
    pub fn kind(&self) -> &'static str {
        match self {
            Item::Property(_) => "properties",
            Item::Event(_) => "events",
            Item::Service(_) => "services",
        }
    }
    pub fn identifier(&self) -> String {
        match self {
            Item::Property(p) => p.identifier.clone(),
            Item::Event(e) => e.identifier.clone(),
            Item::Service(s) => s.identifier.clone(),
        }
    }
    pub fn new_property() -> Item {
        Item::Property(Property::new("", "", DataType::int(0, 100)))
    }
    pub fn new_event() -> Item {
        Item::Event(Event {
            identifier: String::new(),
            name: String::new(),
            event_type: EventType::Info,
            required: false,
            desc: None,
            method: None,
            output_data: Vec::new(),
            extra: Default::default(),
        })
    }
    pub fn new_service() -> Item {
        Item::Service(Service {
            identifier: String::new(),
            name: String::new(),
            required: false,
            call_type: CallType::Async,
            desc: None,
            method: None,
            input_data: Vec::new(),
            output_data: Vec::new(),
            extra: Default::default(),
        })
    }
}

/// Put `item` into `m` (replacing `orig` if given); the method follows the identifier.
pub fn apply(m: &mut ThingModel, orig: Option<&str>, item: Item) -> Result<(), TslError> {
    match item {
        Item::Property(p) => match orig {
            Some(o) => m.replace_property(o, p),
            None => m.add_property(p),
        },
        Item::Event(mut e) => {
            e.method = Some(format!("thing.event.{}.post", e.identifier));
            match orig {
                Some(o) => m.replace_event(o, e),
                None => m.add_event(e),
            }
        }
        Item::Service(mut s) => {
            s.method = Some(format!("thing.service.{}", s.identifier));
            match orig {
                Some(o) => m.replace_service(o, s),
                None => m.add_service(s),
            }
        }
    }
}

fn text(label: &'static str, testid: &'static str, l: Lens<String>) -> impl IntoView {
    let g = l.clone();
    view! {
        <label class="field">
            <span class="field-label">{move || t(label)}</span>
            <input class="input" data-testid=testid prop:value=move || g.get() on:input=move |ev| l.set(event_target_value(&ev))/>
        </label>
    }
}

/// A select over `(value, option value, label key)`; option values are stable for tests.
fn select<T: Clone + PartialEq + Send + Sync + 'static>(
    label: &'static str,
    testid: &'static str,
    l: Lens<T>,
    options: Vec<(T, &'static str, &'static str)>,
) -> impl IntoView {
    let (g, opts) = (l.clone(), options.clone());
    view! {
        <label class="field">
            <span class="field-label">{move || t(label)}</span>
            <select class="input" data-testid=testid on:change=move |ev| {
                let v = event_target_value(&ev);
                if let Some((x, _, _)) = opts.iter().find(|(_, o, _)| *o == v) {
                    l.set(x.clone())
                }
            }>
                {options.into_iter().map(|(v, value, key)| {
                    let g = g.clone();
                    view! { <option value=value selected=move || g.get() == v>{move || t(key)}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// Form body for the draft; `problems` are the whole model's problems with the draft applied.
pub fn item_form(draft: RwSignal<Item>, problems: Signal<Vec<TslError>>) -> AnyView {
    let kind = untrack(|| draft.get().kind());
    let root = Lens::root(draft);
    let path = Signal::derive(move || draft.with(|d| format!("{}.{}", d.kind(), d.identifier())));
    let mine = Signal::derive(move || owned(&problems.get(), &path.get()));
    let body = match kind {
        "properties" => {
            let p = root.zoom(
                |i| if let Item::Property(p) = i { p.clone() } else { Property::new("", "", DataType::int(0, 1)) },
                |i, v| *i = Item::Property(v),
            );
            let access = p.zoom(|p| p.access_mode, |p, v| p.access_mode = v);
            view! {
                <div class="tsl-grid">
                    {text("tsl.identifier", "tsl-identifier", p.zoom(|p| p.identifier.clone(), |p, v| p.identifier = v.trim().to_string()))}
                    {text("tsl.name", "tsl-name", p.zoom(|p| p.name.clone(), |p, v| p.name = v))}
                    {select("tsl.access", "tsl-access", access, vec![(AccessMode::ReadWrite, "rw", "tsl.access.rw"), (AccessMode::ReadOnly, "r", "tsl.access.r")])}
                    {type_editor(p.zoom(|p| p.data_type.clone(), |p, v| p.data_type = v), "tsl-".into(), path, problems, true)}
                </div>
                {super::try_value::TryValue(p.zoom(|p| p.data_type.clone(), |p, v| p.data_type = v))}
            }
            .into_any()
        }
        "events" => {
            let e = root.zoom(
                |i| if let Item::Event(e) = i { e.clone() } else { unreachable_event() },
                |i, v| *i = Item::Event(v),
            );
            let outputs = e.zoom(|e| e.output_data.clone(), |e, v| e.output_data = v);
            let base = Signal::derive(move || format!("{}.outputData", path.get()));
            view! {
                <div class="tsl-grid">
                    {text("tsl.identifier", "tsl-identifier", e.zoom(|e| e.identifier.clone(), |e, v| e.identifier = v.trim().to_string()))}
                    {text("tsl.name", "tsl-name", e.zoom(|e| e.name.clone(), |e, v| e.name = v))}
                    {select("tsl.event_type", "tsl-event-type", e.zoom(|e| e.event_type, |e, v| e.event_type = v),
                        vec![(EventType::Info, "info", "tsl.event.info"), (EventType::Alert, "alert", "tsl.event.alert"), (EventType::Error, "error", "tsl.event.error")])}
                </div>
                <span class="field-label">{move || t("tsl.output_params")}</span>
                {param_list(outputs, "tsl-output-".into(), base, problems, true)}
            }
            .into_any()
        }
        _ => {
            let s = root.zoom(
                |i| if let Item::Service(s) = i { s.clone() } else { unreachable_service() },
                |i, v| *i = Item::Service(v),
            );
            let inputs = s.zoom(
                |s| s.input_params().cloned().collect::<Vec<Param>>(),
                |s, v| s.input_data = v.into_iter().map(ServiceInput::Param).collect(),
            );
            let outputs = s.zoom(|s| s.output_data.clone(), |s, v| s.output_data = v);
            let in_base = Signal::derive(move || format!("{}.inputData", path.get()));
            let out_base = Signal::derive(move || format!("{}.outputData", path.get()));
            view! {
                <div class="tsl-grid">
                    {text("tsl.identifier", "tsl-identifier", s.zoom(|s| s.identifier.clone(), |s, v| s.identifier = v.trim().to_string()))}
                    {text("tsl.name", "tsl-name", s.zoom(|s| s.name.clone(), |s, v| s.name = v))}
                    {select("tsl.call_type", "tsl-call-type", s.zoom(|s| s.call_type, |s, v| s.call_type = v),
                        vec![(CallType::Async, "async", "tsl.call.async"), (CallType::Sync, "sync", "tsl.call.sync")])}
                </div>
                <span class="field-label">{move || t("tsl.input_params")}</span>
                {param_list(inputs, "tsl-input-".into(), in_base, problems, true)}
                <span class="field-label">{move || t("tsl.output_params")}</span>
                {param_list(outputs, "tsl-output-".into(), out_base, problems, true)}
            }
            .into_any()
        }
    };
    view! {
        <div class="form tsl-item-form">
            {body}
            <ProblemList problems=mine testid="tsl-item-problems"/>
            <FormError error=Signal::derive(move || {
                let all = problems.get();
                let others = all.len() - owned(&all, &path.get()).len();
                (others > 0).then(|| crate::i18n::tf("tsl.other_problems", &[("n", others.to_string())]))
            })/>
        </div>
    }
    .into_any()
}

fn unreachable_event() -> Event {
    match Item::new_event() {
        Item::Event(e) => e,
        _ => unreachable!(),
    }
}

fn unreachable_service() -> Service {
    match Item::new_service() {
        Item::Service(s) => s,
        _ => unreachable!(),
    }
}

//! Raw JSON view of the model: edits apply as soon as the text parses; a parse error is shown
//! and the last good model kept.

use leptos::prelude::*;
use model::auth::Role;
use model::tsl::ThingModel;

use crate::i18n::{t, tf};
use crate::state::can;

#[component]
pub fn RawView(model: RwSignal<Option<ThingModel>>) -> impl IntoView {
    let pretty =
        |m: &Option<ThingModel>| m.as_ref().and_then(|m| serde_json::to_string_pretty(m).ok()).unwrap_or_default();
    let text = RwSignal::new(model.with_untracked(pretty));
    let error = RwSignal::new(None::<String>);
    let on_input = move |ev: leptos::ev::Event| {
        let s = event_target_value(&ev);
        match serde_json::from_str::<ThingModel>(&s) {
            Ok(m) => {
                error.set(None);
                model.set(Some(m));
            }
            Err(e) => error.set(Some(e.to_string())),
        }
        text.set(s);
    };
    view! {
        <div class="card-body">
            <textarea class="input tsl-raw" data-testid="tsl-raw" spellcheck="false" readonly=move || !can(Role::Operator)
                prop:value=move || text.get() on:input=on_input></textarea>
            {move || error.get().map(|e| view! { <div class="field-error" data-testid="tsl-raw-error">{tf("tsl.raw_error", &[("e", e)])}</div> })}
            <div class="toolbar-row">
                <crate::components::json_view::CopyButton text=Signal::derive(move || text.get()) testid="tsl-raw-copy"/>
                <span class="muted small">{move || t("tsl.raw_hint")}</span>
            </div>
        </div>
    }
}

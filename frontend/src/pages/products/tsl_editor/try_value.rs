//! "Try a value": check a sample value against the data type being edited with the same
//! validation the server applies to device posts, showing the seed's code.

use leptos::prelude::*;
use model::tsl::{validate_value, DataType};

use super::lens::Lens;
use crate::i18n::t;

#[allow(non_snake_case)]
pub fn TryValue(dt: Lens<DataType>) -> impl IntoView {
    let sample = RwSignal::new(String::new());
    let result = move || {
        let s = sample.get();
        if s.trim().is_empty() {
            return None;
        }
        // JSON if it parses (numbers, objects, arrays), else the text as a string.
        let v = serde_json::from_str::<serde_json::Value>(&s).unwrap_or(serde_json::Value::String(s));
        Some(validate_value(&dt.get(), &v, "value"))
    };
    view! {
        <div class="tsl-try">
            <label class="field">
                <span class="field-label">{move || t("tsl.try_value")}</span>
                <input class="input mono" data-testid="tsl-try-value" placeholder=move || t("tsl.try_value_ph") bind:value=sample/>
            </label>
            <div data-testid="tsl-try-result">
                {move || match result() {
                    None => None,
                    Some(Ok(())) => Some(view! { <span class="try-ok">"✓ " {move || t("tsl.try_ok")}</span> }.into_any()),
                    Some(Err(e)) => Some(view! {
                        <span class="field-error">{e.message.clone()} " " <span class="mono">"(" {e.code} ")"</span> " — " {e.description()}</span>
                    }.into_any()),
                }}
            </div>
        </div>
    }
}

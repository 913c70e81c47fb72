//! Form fields: label, control, hint and the error that concerns this field (client-side check
//! or the server's answer), so a form says what is wrong where it is wrong.

use leptos::prelude::*;

#[component]
pub fn TextField(
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(into)] testid: String,
    #[prop(optional, into)] error: MaybeProp<String>,
    #[prop(optional, into)] hint: MaybeProp<String>,
    #[prop(optional, into)] placeholder: MaybeProp<String>,
    /// `type` of the input; `text` if not given.
    #[prop(optional)]
    kind: Option<&'static str>,
    #[prop(optional)] mono: bool,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] disabled: Signal<bool>,
    /// `autocomplete` hint for password managers (`username`, `current-password`, `new-password`).
    #[prop(optional)]
    autocomplete: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{move || label.get()} {required.then_some(view! { <span class="req">"*"</span> })}</span>
            <input
                autocomplete=autocomplete
                class="input"
                class:mono=mono
                class:invalid=move || error.get().is_some()
                type=kind.unwrap_or("text")
                data-testid=testid
                placeholder=move || placeholder.get()
                disabled=move || disabled.get()
                bind:value=value
            />
            <FieldNote error hint/>
        </label>
    }
}

#[component]
pub fn TextArea(
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(into)] testid: String,
    #[prop(optional, into)] error: MaybeProp<String>,
    #[prop(optional, into)] hint: MaybeProp<String>,
    #[prop(optional, into)] placeholder: MaybeProp<String>,
    #[prop(default = 4)] rows: u32,
    #[prop(optional)] mono: bool,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{move || label.get()}</span>
            <textarea
                class="input"
                class:mono=mono
                class:invalid=move || error.get().is_some()
                rows=rows
                data-testid=testid
                placeholder=move || placeholder.get()
                bind:value=value
            ></textarea>
            <FieldNote error hint/>
        </label>
    }
}

/// A `<select>` over `(value, label)` options.
#[component]
pub fn SelectField(
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(into)] testid: String,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional, into)] error: MaybeProp<String>,
    #[prop(optional, into)] hint: MaybeProp<String>,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{move || label.get()}</span>
            <Select value testid options/>
            <FieldNote error hint/>
        </label>
    }
}

/// A bare `<select>` (filter bars, table cells).
#[component]
pub fn Select(
    value: RwSignal<String>,
    #[prop(into)] testid: String,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <select
            class="input"
            data-testid=testid
            disabled=move || disabled.get()
            on:change=move |ev| value.set(event_target_value(&ev))
            prop:value=move || value.get()
        >
            {move || {
                let current = value.get();
                options
                    .get()
                    .into_iter()
                    .map(|(v, l)| {
                        let selected = v == current;
                        view! { <option value=v selected=selected>{l}</option> }
                    })
                    .collect_view()
            }}
        </select>
    }
}

#[component]
pub fn Checkbox(
    #[prop(into)] label: Signal<String>,
    checked: RwSignal<bool>,
    #[prop(into)] testid: String,
    #[prop(optional, into)] hint: MaybeProp<String>,
) -> impl IntoView {
    view! {
        <label class="field field-check">
            <input type="checkbox" data-testid=testid bind:checked=checked/>
            <span>{move || label.get()}</span>
            <FieldNote error=MaybeProp::default() hint/>
        </label>
    }
}

#[component]
fn FieldNote(error: MaybeProp<String>, hint: MaybeProp<String>) -> impl IntoView {
    move || match (error.get(), hint.get()) {
        (Some(e), _) => Some(view! { <span class="field-error" data-testid="field-error">{e}</span> }.into_any()),
        (None, Some(h)) => Some(view! { <span class="field-hint">{h}</span> }.into_any()),
        _ => None,
    }
}

/// A form-level error line (the server's code + message).
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || error.get().map(|e| view! { <div class="form-error" data-testid="form-error">{e}</div> })
}

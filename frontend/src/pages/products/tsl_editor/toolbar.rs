//! Editor toolbar: form/raw toggle, import, export, revert, save, and the unsaved marker.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::auth::Role;
use model::tsl::ThingModel;

use crate::api::{registry, report};
use crate::i18n::{t, tf};
use crate::state::{can, toast_error};

#[component]
pub fn Toolbar(
    pk: StoredValue<String>,
    model: RwSignal<Option<ThingModel>>,
    saved: RwSignal<Option<ThingModel>>,
    #[prop(into)] dirty: Signal<bool>,
    busy: RwSignal<bool>,
    /// The model has problems: saving is pointless until they are fixed.
    #[prop(into)]
    blocked: Signal<bool>,
    raw_mode: RwSignal<bool>,
    save: Callback<()>,
) -> impl IntoView {
    let export = move |_| {
        spawn_local(async move {
            let pk = pk.get_value();
            match registry::tsl(&pk).await {
                Ok(v) => {
                    let text = serde_json::to_string_pretty(&v).unwrap_or_default();
                    crate::util::download(&format!("{pk}-tsl.json"), "application/json", &text);
                }
                Err(f) => report(&f),
            }
        })
    };
    // Import replaces the model with the file's and saves it (the server checks it); a file from
    // another product is taken over under this product's key.
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        spawn_local(async move {
            let Some(text) = crate::util::read_input_file(&input).await else { return };
            input.set_value("");
            match serde_json::from_str::<ThingModel>(&text) {
                Ok(mut m) => {
                    m.profile.product_key = pk.get_value();
                    m.rebuild_builtins();
                    model.set(Some(m));
                    save.run(());
                }
                Err(e) => toast_error(tf("tsl.import_bad", &[("e", e.to_string())])),
            }
        });
    };
    view! {
        <div class="tsl-toolbar">
            <div class="seg">
                <button type="button" class="btn btn-small" class:active=move || !raw_mode.get() data-testid="tsl-form-toggle"
                    on:click=move |_| raw_mode.set(false)>{move || t("tsl.form_view")}</button>
                <button type="button" class="btn btn-small" class:active=move || raw_mode.get() data-testid="tsl-raw-toggle"
                    on:click=move |_| raw_mode.set(true)>{move || t("tsl.raw_view")}</button>
            </div>
            <Show when=move || dirty.get()>
                <span class="badge badge-dirty" data-testid="tsl-dirty">{move || t("tsl.unsaved")}</span>
            </Show>
            <div class="filter-spacer"></div>
            <Show when=move || can(Role::Operator)>
                <label class="btn btn-small file-btn" data-testid="tsl-import">
                    {move || t("tsl.import")}
                    <input type="file" accept=".json,application/json" data-testid="tsl-import-file" on:change=import/>
                </label>
            </Show>
            <button type="button" class="btn btn-small" data-testid="tsl-export" on:click=export>{move || t("tsl.export")}</button>
            <Show when=move || can(Role::Operator)>
                <button type="button" class="btn btn-small" data-testid="tsl-revert" disabled=move || !dirty.get()
                    on:click=move |_| model.set(saved.get_untracked())>{move || t("tsl.revert")}</button>
                <button type="button" class="btn btn-small btn-primary" data-testid="tsl-save" disabled=move || busy.get() || !dirty.get() || blocked.get()
                    on:click=move |_| save.run(())>{move || t("common.save")}</button>
            </Show>
        </div>
    }
}

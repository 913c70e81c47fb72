//! "Batch add (CSV)": a file or pasted text, checked in the browser with the server's own parser
//! before upload, then the server's report (created count and the rows it refused).

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::registry::{parse_device_csv, ImportMode, ImportReport};

use super::add::product_picker;
use crate::components::fields::{FormError, TextArea};
use crate::components::modal::Modal;
use crate::i18n::{t, tf, tr};

#[component]
pub fn ImportDialog(open: RwSignal<bool>, product: Signal<Option<String>>, on_done: Callback<()>) -> impl IntoView {
    let pk = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let mode = RwSignal::new(ImportMode::AllOrNothing);
    let report = RwSignal::new(None::<ImportReport>);
    let server_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    Effect::new(move |_| {
        if open.get() {
            text.set(String::new());
            report.set(None);
            server_error.set(None);
            pk.set(product.get_untracked().unwrap_or_default());
        }
    });
    let preview = Memo::new(move |_| {
        let (rows, errors) = parse_device_csv(&text.get());
        (rows.len(), errors.len())
    });
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        spawn_local(async move {
            if let Some(s) = crate::util::read_input_file(&input).await {
                text.set(s);
            }
        });
    };
    let submit = move |_| {
        let (pk, csv, m) = (pk.get_untracked(), text.get_untracked(), mode.get_untracked());
        if pk.is_empty() {
            server_error.set(Some(t("device.pick_product").into()));
            return;
        }
        busy.set(true);
        server_error.set(None);
        spawn_local(async move {
            match crate::api::registry::import_devices(&pk, m, csv).await {
                Ok(r) => {
                    if r.created > 0 {
                        crate::state::g().products_rev.update(|n| *n += 1);
                        on_done.run(());
                    }
                    report.set(Some(r));
                }
                Err(f) if !f.handled() => server_error.set(Some(f.text())),
                Err(_) => {}
            }
            busy.set(false);
        });
    };
    view! {
        <Modal open title=tr("device.batch_add") testid="device-import-dialog" wide=true>
            <div class="form">
                {product_picker(product, pk, "device-import-product")}
                <p class="muted small">{move || t("device.csv_format")}</p>
                <label class="field">
                    <span class="field-label">{move || t("device.csv_file")}</span>
                    <input type="file" accept=".csv,text/csv,text/plain" data-testid="device-import-file" on:change=on_file/>
                </label>
                <TextArea label=tr("device.csv_paste") value=text testid="device-import-text" rows=6 mono=true placeholder="DeviceName,DeviceSecret,Nickname"/>
                <div class="muted small num" data-testid="device-import-preview">
                    {move || { let (ok, bad) = preview.get(); tf("device.csv_preview", &[("ok", ok.to_string()), ("bad", bad.to_string())]) }}
                </div>
                <fieldset class="radio-group">
                    <legend>{move || t("device.import_mode")}</legend>
                    <label>
                        <input type="radio" name="import-mode" data-testid="device-import-mode-all"
                            prop:checked=move || mode.get() == ImportMode::AllOrNothing
                            on:change=move |_| mode.set(ImportMode::AllOrNothing)/>
                        {move || t("device.mode_all")}
                    </label>
                    <label>
                        <input type="radio" name="import-mode" data-testid="device-import-mode-valid"
                            prop:checked=move || mode.get() == ImportMode::ValidRows
                            on:change=move |_| mode.set(ImportMode::ValidRows)/>
                        {move || t("device.mode_valid")}
                    </label>
                </fieldset>
                <FormError error=Signal::derive(move || server_error.get())/>
                {move || report.get().map(|r| view! { <ImportResult r/> })}
                <div class="form-actions">
                    <button type="button" class="btn" data-testid="device-import-close" on:click=move |_| open.set(false)>{move || t("common.close")}</button>
                    <button class="btn btn-primary" data-testid="device-import-submit"
                        disabled=move || busy.get() || text.with(|t| t.trim().is_empty())
                        on:click=submit>
                        {move || if busy.get() { t("device.importing") } else { t("device.import") }}
                    </button>
                </div>
            </div>
        </Modal>
    }
}

#[component]
fn ImportResult(r: ImportReport) -> impl IntoView {
    let nothing = r.created == 0 && !r.errors.is_empty();
    view! {
        <div class="import-result" class:import-failed=nothing data-testid="device-import-result">
            <div>
                <strong class="num" data-testid="device-import-created">{r.created}</strong>
                " " {move || t("device.import_created")}
                {(!r.errors.is_empty()).then(|| view! { " · " <span class="num">{r.errors.len()}</span> " " {move || t("device.import_errors")} })}
            </div>
            {(!r.errors.is_empty()).then(|| view! {
                <div class="table-wrap table-scroll">
                    <table class="tbl tbl-compact" data-testid="device-import-errors">
                        <thead><tr>
                            <th>{move || t("device.import_line")}</th>
                            <th>{move || t("device.name")}</th>
                            <th>{move || t("common.error")}</th>
                        </tr></thead>
                        <tbody>
                            {r.errors.iter().map(|e| view! {
                                <tr data-testid=format!("import-error-{}", e.line)>
                                    <td class="num">{e.line}</td>
                                    <td class="mono">{e.device_name.clone()}</td>
                                    <td>{e.message.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </div>
    }
}

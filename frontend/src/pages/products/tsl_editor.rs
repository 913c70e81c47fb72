//! Thing-model editor on the product page: feature tables with an add/edit dialog, a raw JSON
//! view, import (.json → PUT) and export (`{pk}-tsl.json`), save. Problems are found as you type
//! with `model::tsl`'s own check (the server runs the same); the server's 6317 answer is shown
//! next to the feature it names.

mod item;
mod lens;
mod lists;
mod problems;
mod raw;
mod specs;
mod toolbar;
mod try_value;
mod types;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::tsl::{ThingModel, TslError};

use self::item::{apply, item_form, Item};
use self::lists::FeatureTables;
use self::problems::{from_server, within, ProblemList};
use self::toolbar::Toolbar;
use crate::api::{registry, report, Fail};
use crate::components::modal::Modal;
use crate::components::table_state::TableState;
use crate::i18n::{t, tf};
use crate::state::toast_ok;

fn parse_model(pk: &str, v: serde_json::Value) -> Result<ThingModel, String> {
    if v.is_null() || v.as_object().is_some_and(|o| o.is_empty()) {
        return Ok(ThingModel::new_empty(pk));
    }
    serde_json::from_value(v).map_err(|e| e.to_string())
}

#[component]
pub fn TslEditor(pk: String) -> impl IntoView {
    let pk = StoredValue::new(pk);
    let res = LocalResource::new(move || {
        let pk = pk.get_value();
        async move { registry::tsl(&pk).await }
    });
    let model = RwSignal::new(None::<ThingModel>);
    let saved = RwSignal::new(None::<ThingModel>);
    let load_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(v)) = res.get() {
            match parse_model(&pk.get_value(), v) {
                Ok(m) => {
                    saved.set(Some(m.clone()));
                    model.set(Some(m));
                    load_error.set(None);
                }
                Err(e) => load_error.set(Some(e)),
            }
        }
    });
    // The server's answer to the last save, valid while the model is unchanged since.
    let server = RwSignal::new(None::<(ThingModel, Fail)>);
    let server_problems = Signal::derive(move || match (server.get(), model.get()) {
        (Some((snap, f)), Some(m)) if snap == m => from_server(&f.error),
        _ => Vec::new(),
    });
    let problems = Memo::new(move |_| {
        let mut ps: Vec<TslError> = model.with(|m| m.as_ref().map(|m| m.check()).unwrap_or_default());
        ps.extend(server_problems.get());
        ps
    });
    let dirty = move || model.get() != saved.get();
    let busy = RwSignal::new(false);

    let save = move || {
        let Some(m) = model.get_untracked() else { return };
        busy.set(true);
        spawn_local(async move {
            match registry::put_tsl(&pk.get_value(), &serde_json::to_value(&m).unwrap_or_default()).await {
                Ok(v) => {
                    let stored = parse_model(&pk.get_value(), v)
                        .ok()
                        .filter(|s| s.profile.product_key == m.profile.product_key)
                        .unwrap_or(m);
                    saved.set(Some(stored.clone()));
                    model.set(Some(stored));
                    server.set(None);
                    toast_ok(t("tsl.saved"));
                }
                Err(f) => {
                    if f.handled() {
                        report(&f);
                    } else {
                        server.set(Some((m, f)));
                    }
                }
            }
            busy.set(false);
        });
    };

    // Add/edit dialog.
    let dialog_open = RwSignal::new(false);
    let editing = RwSignal::new(None::<(Option<String>, Item)>);
    let on_add = Callback::new(move |item: Item| {
        editing.set(Some((None, item)));
        dialog_open.set(true);
    });
    let on_edit = Callback::new(move |(kind, id): (String, String)| {
        let found = model.with_untracked(|m| {
            let m = m.as_ref()?;
            match kind.as_str() {
                "properties" => m.properties.iter().find(|p| p.identifier == id).cloned().map(Item::Property),
                "events" => m.events.iter().find(|e| e.identifier == id).cloned().map(Item::Event),
                _ => m.services.iter().find(|s| s.identifier == id).cloned().map(Item::Service),
            }
        });
        if let Some(item) = found {
            editing.set(Some((Some(id), item)));
            dialog_open.set(true);
        }
    });
    let on_remove = Callback::new(move |(kind, id): (String, String)| {
        crate::components::confirm::ask(
            tf("tsl.remove_title", &[("id", id.clone())]),
            t("tsl.remove_confirm").into(),
            "common.remove",
            move || {
                model.update(|m| {
                    if let Some(m) = m {
                        match kind.as_str() {
                            "properties" => drop(m.remove_property(&id)),
                            "events" => drop(m.remove_event(&id)),
                            _ => drop(m.remove_service(&id)),
                        }
                    }
                })
            },
        )
    });
    let raw_mode = RwSignal::new(false);

    view! {
        <div class="card" data-testid="tsl-editor">
            // Loaded but not a thing model this console can read: say so above an empty editor.
            <TableState res let:_loaded>
                {move || load_error.get().map(|e| view! {
                    <div class="form-error tsl-problems" data-testid="tsl-load-error">{t("tsl.unreadable")} " " {e}</div>
                })}
            </TableState>
            <Show when=move || model.with(|m| m.is_some())>
                <Toolbar pk model dirty=Signal::derive(dirty) busy raw_mode save=Callback::new(move |_| save()) saved
                    blocked=Signal::derive(move || problems.with(|p| !p.is_empty()))/>
                {move || server.get().map(|(_, f)| view! {
                    <div class="form-error tsl-problems" data-testid="tsl-server-error">{t("tsl.server_refused")} " " {f.text()}</div>
                })}
                <div class="tsl-problems" data-testid="tsl-problems" class:hidden=move || problems.with(|p| p.is_empty())>
                    <strong>{move || tf("tsl.problems", &[("n", problems.with(|p| p.len()).to_string())])}</strong>
                    <ProblemList problems=problems testid="tsl-problem-list" on_pick=Callback::new(move |path: String| {
                        // `properties.Brightness.specs.min` → edit property Brightness.
                        let mut parts = path.splitn(2, '.');
                        if let (Some(kind), Some(rest)) = (parts.next(), parts.next()) {
                            let id: String = rest.split(['.', '[']).next().unwrap_or("").to_string();
                            on_edit.run((kind.to_string(), id));
                        }
                    })/>
                </div>
                {move || if raw_mode.get() {
                    view! { <self::raw::RawView model/> }.into_any()
                } else {
                    view! { <FeatureTables model problems=problems.into() on_add on_edit on_remove/> }.into_any()
                }}
            </Show>
        </div>
        <Modal open=dialog_open title=Signal::derive(move || {
            match editing.get() {
                Some((Some(id), _)) => tf("tsl.edit_title", &[("id", id)]),
                Some((None, item)) => t(match item.kind() { "properties" => "tsl.add_property", "events" => "tsl.add_event", _ => "tsl.add_service" }).to_string(),
                None => String::new(),
            }
        }) testid="tsl-item-dialog" wide=true>
            {move || {
                let Some((orig, item)) = editing.get_untracked() else { return ().into_any() };
                let draft = RwSignal::new(item);
                let orig = StoredValue::new(orig);
                let candidate = Memo::new(move |_| {
                    let mut m = model.get().unwrap_or_else(|| ThingModel::new_empty(""));
                    apply(&mut m, orig.get_value().as_deref(), draft.get()).map(|()| m)
                });
                let item_problems = Signal::derive(move || match candidate.get() {
                    Ok(m) => {
                        let mut ps = m.check();
                        ps.extend(server_problems.get());
                        ps
                    }
                    Err(e) => vec![e],
                });
                let item_blocked = move || match candidate.get() {
                    Err(_) => true,
                    Ok(m) => {
                        let path = draft.with(|d| format!("{}.{}", d.kind(), d.identifier()));
                        m.check().iter().any(|e| within(e, &path))
                    }
                };
                let save_item = move |_| {
                    if let Ok(m) = candidate.get_untracked() {
                        model.set(Some(m));
                        dialog_open.set(false);
                    }
                };
                view! {
                    {item_form(draft, item_problems)}
                    <div class="form-actions">
                        <button type="button" class="btn" data-testid="tsl-item-cancel" on:click=move |_| dialog_open.set(false)>{move || t("common.cancel")}</button>
                        <button type="button" class="btn btn-primary" data-testid="tsl-item-save"
                            disabled=item_blocked on:click=save_item>{move || t("tsl.apply_item")}</button>
                    </div>
                }.into_any()
            }}
        </Modal>
    }
}

//! One confirmation dialog for the whole app: `ask(...)` opens it, OK runs the action.

use std::sync::Arc;

use leptos::prelude::*;

use crate::i18n::t;

#[derive(Clone)]
pub struct ConfirmReq {
    pub title: String,
    pub message: String,
    pub ok_label: &'static str,
    pub on_ok: Arc<dyn Fn() + Send + Sync>,
}

thread_local! {
    static PENDING: std::cell::Cell<Option<RwSignal<Option<ConfirmReq>>>> = const { std::cell::Cell::new(None) };
}

/// Ask before a destructive action; `on_ok` runs only on OK.
pub fn ask(title: String, message: String, ok_label: &'static str, on_ok: impl Fn() + Send + Sync + 'static) {
    if let Some(sig) = PENDING.with(|p| p.get()) {
        sig.set(Some(ConfirmReq { title, message, ok_label, on_ok: Arc::new(on_ok) }));
    }
}

/// Mount once in the shell.
#[component]
pub fn ConfirmHost() -> impl IntoView {
    let req = RwSignal::new(None::<ConfirmReq>);
    PENDING.with(|p| p.set(Some(req)));
    let _esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && req.with_untracked(|r| r.is_some()) {
            req.set(None);
        }
    });
    view! {
        {move || {
            req.get()
                .map(|r| {
                    let on_ok = r.on_ok.clone();
                    view! {
                        <div class="modal-backdrop" on:click=move |_| req.set(None)></div>
                        <div class="modal modal-narrow" role="alertdialog" data-testid="confirm-dialog">
                            <header class="modal-head">
                                <h2>{r.title.clone()}</h2>
                            </header>
                            <div class="modal-body">
                                <p data-testid="confirm-message">{r.message.clone()}</p>
                                <div class="form-actions">
                                    <button class="btn" data-testid="confirm-cancel" on:click=move |_| req.set(None)>
                                        {move || t("common.cancel")}
                                    </button>
                                    <button
                                        class="btn btn-danger"
                                        data-testid="confirm-ok"
                                        on:click=move |_| {
                                            req.set(None);
                                            on_ok();
                                        }
                                    >
                                        {move || t(r.ok_label)}
                                    </button>
                                </div>
                            </div>
                        </div>
                    }
                })
        }}
    }
}

//! A modal dialog: rendered only while open, closes on Esc, the backdrop or the × button.

use leptos::prelude::*;

use crate::i18n::t;

#[component]
pub fn Modal(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    /// `data-testid` of the dialog; the close button gets `{testid}-close`.
    testid: &'static str,
    #[prop(optional)] wide: bool,
    children: ChildrenFn,
) -> impl IntoView {
    let children = StoredValue::new(children);
    let _esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
        }
    });
    view! {
        <Show when=move || open.get()>
            <div class="modal-backdrop" on:click=move |_| open.set(false)></div>
            <div class="modal" class:modal-wide=wide role="dialog" aria-modal="true" data-testid=testid>
                <header class="modal-head">
                    <h2>{move || title.get()}</h2>
                    <button
                        class="btn-icon"
                        title=move || t("common.close")
                        data-testid=format!("{testid}-close")
                        on:click=move |_| open.set(false)
                    >
                        "×"
                    </button>
                </header>
                <div class="modal-body">{children.read_value()()}</div>
            </div>
        </Show>
    }
}

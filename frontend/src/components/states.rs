//! Loading, empty and error states that say what to do next.

use leptos::prelude::*;

use crate::api::Fail;
use crate::i18n::t;

#[component]
pub fn Loading() -> impl IntoView {
    view! { <div class="state state-loading" data-testid="loading"><span class="spinner"></span>{move || t("common.loading")}</div> }
}

/// An empty state: a title, a sentence saying what to do, and optional actions.
#[component]
pub fn Empty(
    #[prop(into)] title: Signal<String>,
    #[prop(optional, into)] hint: MaybeProp<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="state state-empty" data-testid="empty-state">
            <div class="state-title">{move || title.get()}</div>
            {move || hint.get().map(|h| view! { <div class="state-hint">{h}</div> })}
            {children.map(|c| view! { <div class="state-actions">{c()}</div> })}
        </div>
    }
}

/// A failed load, with a retry button.
#[component]
pub fn LoadError(fail: Fail, #[prop(optional)] retry: Option<Callback<()>>) -> impl IntoView {
    view! {
        <div class="state state-error" data-testid="load-error">
            <div class="state-title">{move || t("common.load_failed")}</div>
            <div class="state-hint mono">{fail.text()}</div>
            {retry.map(|r| view! {
                <button class="btn" data-testid="retry" on:click=move |_| r.run(())>{move || t("common.retry")}</button>
            })}
        </div>
    }
}

//! Loading, empty and error states that say what to do next. Pages showing a load use
//! [`super::table_state::TableState`], which picks one of these; they are public for the few
//! places that show a state on their own (the boot screen, a live pane with nothing yet).

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

/// A page only admins may see, shown to the others instead of a failed load.
#[component]
pub fn AdminsOnly() -> impl IntoView {
    view! { <Empty title=crate::i18n::tr("common.admins_only") hint=crate::i18n::tr("common.admins_only_hint")/> }
}

/// What a failed load says, as i18n keys (title, hint). Words for people: the transport's own
/// text ("TypeError: Failed to fetch", a JSON decoder's complaint) only goes under "Details".
pub fn explain(f: &Fail) -> (&'static str, &'static str) {
    match f.status {
        0 => ("load.offline", "load.offline_hint"),
        200..=299 => ("load.bad_answer", "load.bad_answer_hint"),
        401 => ("load.signed_out", "load.signed_out_hint"),
        403 => ("load.forbidden", "common.admins_only_hint"),
        404 => ("load.not_found", "load.not_found_hint"),
        429 => ("load.busy", "load.busy_hint"),
        500..=599 => ("load.server_error", "load.server_error_hint"),
        _ => ("common.load_failed", "load.refused_hint"),
    }
}

/// A failed load in words, with a retry button and the technical detail folded away.
#[component]
pub fn LoadError(fail: Fail, #[prop(optional)] retry: Option<Callback<()>>) -> impl IntoView {
    let (title, hint) = explain(&fail);
    view! {
        <div class="state state-error" data-testid="load-error">
            <div class="state-title">{move || t(title)}</div>
            <div class="state-hint">{move || t(hint)}</div>
            {retry.map(|r| view! {
                <div class="state-actions">
                    <button class="btn" data-testid="retry" on:click=move |_| r.run(())>{move || t("common.retry")}</button>
                </div>
            })}
            <details class="state-detail">
                <summary>{move || t("load.details")}</summary>
                <code class="mono">{fail.text()}</code>
            </details>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::error::ApiError;

    fn fail(status: u16) -> Fail {
        Fail { status, error: ApiError::new("x", "JsError: TypeError: Failed to fetch") }
    }

    #[test]
    fn every_failure_gets_words_not_the_transport_text() {
        assert_eq!(explain(&fail(0)).0, "load.offline");
        assert_eq!(explain(&fail(200)).0, "load.bad_answer");
        assert_eq!(explain(&fail(403)).0, "load.forbidden");
        assert_eq!(explain(&fail(404)).0, "load.not_found");
        assert_eq!(explain(&fail(502)).0, "load.server_error");
        assert_eq!(explain(&fail(418)).0, "common.load_failed");
        for s in [0, 200, 400, 401, 403, 404, 409, 429, 500, 503, 999] {
            let (title, hint) = explain(&fail(s));
            for key in [title, hint] {
                assert!(!key.contains("Failed to fetch"), "{s}: {key}");
                assert!(crate::i18n::has_key(key), "{s}: {key} is not translated");
            }
        }
    }
}

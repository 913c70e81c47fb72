//! Loading, empty and error states that say what to do next. Pages showing a load use
//! [`super::table_state::TableState`], which picks one of these; they are public for the few
//! places that show a state on their own (the boot screen, a live pane with nothing yet).

use leptos::prelude::*;

use crate::api::backoff::POLICY;
use crate::api::health::badge;
use crate::api::Fail;
use crate::i18n::{t, tf};
use crate::state::g;

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
        0 => ("load.unreachable", "load.offline_hint"),
        200..=299 => ("load.bad_answer", "load.bad_answer_hint"),
        401 => ("load.signed_out", "load.signed_out_hint"),
        403 => ("load.forbidden", "common.admins_only_hint"),
        404 => ("load.not_found", "load.not_found_hint"),
        429 => ("load.busy", "load.busy_hint"),
        500..=599 => ("load.server_error", "load.server_error_hint"),
        _ => ("common.load_failed", "load.refused_hint"),
    }
}

/// Retry a failed load by itself while `failed` holds a retryable failure, on the console's
/// backoff (`api::backoff`). Returns the seconds left before the next try (`None` when no retry
/// is pending), for "retrying in 4 s".
///
/// The schedule lives here, outside the error view: a load that fails again with the same error
/// does not re-render anything, and a view re-rendered per failure would restart the schedule.
pub fn auto_retry(failed: Signal<Option<Fail>>, retry: Callback<()>) -> Signal<Option<u32>> {
    let left = RwSignal::new(None::<u32>);
    let attempt = StoredValue::new(0u32);
    let ticker = StoredValue::new(None::<IntervalHandle>);
    let stop = move || {
        if let Some(h) = ticker.get_value() {
            h.clear();
        }
        ticker.set_value(None);
        left.set(None);
    };
    Effect::new(move |_| {
        let retryable = failed.with(|f| f.as_ref().is_some_and(Fail::retryable));
        if !retryable {
            attempt.set_value(0);
            stop();
            return;
        }
        if ticker.with_value(Option::is_some) {
            return;
        }
        left.set(Some(POLICY.delay_secs(attempt.get_value())));
        let tick = move || {
            let next = left.get_untracked().unwrap_or(0).saturating_sub(1);
            if next > 0 {
                left.set(Some(next));
                return;
            }
            attempt.update_value(|a| *a = a.saturating_add(1));
            left.set(Some(POLICY.delay_secs(attempt.get_value())));
            retry.run(());
        };
        ticker.set_value(set_interval_with_handle(tick, std::time::Duration::from_secs(1)).ok());
    });
    on_cleanup(stop);
    left.into()
}

/// A failed load in words, with a retry button and the technical detail folded away. With
/// `retry_in` (from [`auto_retry`]) it says when it tries again by itself.
#[component]
pub fn LoadError(
    fail: Fail,
    #[prop(optional)] retry: Option<Callback<()>>,
    #[prop(optional, into)] retry_in: Option<Signal<Option<u32>>>,
) -> impl IntoView {
    let (title, hint) = explain(&fail);
    let countdown = move || {
        retry_in
            .and_then(|s| s.get())
            .map(|n| view! { <div class="state-hint" data-testid="retry-countdown">{tf("load.retrying_in", &[("n", n.to_string())])}</div> })
    };
    view! {
        <div class="state state-error" data-testid="load-error">
            <div class="state-title">{move || t(title)}</div>
            <div class="state-hint">{move || t(hint)}</div>
            {countdown}
            {retry.map(|r| view! {
                <div class="state-actions">
                    <button class="btn" data-testid="retry" on:click=move |_| r.run(())>{move || t("common.retry")}</button>
                </div>
            })}
            <details class="state-detail">
                <summary>{move || t("load.details")}</summary>
                <code class="mono">{fail.detail()}</code>
            </details>
        </div>
    }
}

/// "Can't reach the server — retrying in 4 s" above every page while the console is cut off
/// (the badge is red): the words the badge's colour stands for, and the promise that the page
/// comes back by itself.
#[component]
pub fn ConnectionBanner() -> impl IntoView {
    let gl = g();
    let state = Memo::new(move |_| badge(gl.live.get(), gl.ws_failures.get(), gl.rest.get(), gl.browser_offline.get()));
    // Re-read every second so the countdown moves.
    let now = RwSignal::new(js_sys::Date::now());
    let h = set_interval_with_handle(move || now.set(js_sys::Date::now()), std::time::Duration::from_secs(1)).ok();
    on_cleanup(move || {
        if let Some(h) = h {
            h.clear();
        }
    });
    let text = move || {
        let secs = gl.ws_retry_at.get().map(|at| ((at - now.get()) / 1000.0).ceil().max(1.0) as u32);
        match secs {
            Some(n) => tf("load.banner_retrying", &[("n", n.to_string())]),
            None => t("load.banner_trying").to_string(),
        }
    };
    view! {
        <Show when=move || state.get().is_offline()>
            <div class="conn-banner" role="status" data-testid="connection-banner">
                <span class="live-dot"></span>
                <span>{text}</span>
            </div>
        </Show>
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
        assert_eq!(explain(&fail(0)).0, "load.unreachable");
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

//! One component for the four states of anything a page loads: loading, failed (in words,
//! with Retry), empty (with the page's hint and buttons), or the content.
//!
//! ```ignore
//! let res = LocalResource::new(auth::tokens);
//! view! {
//!     <TableState res empty=empty_when(res, Vec::is_empty)
//!         empty_title="tokens.empty" empty_hint="tokens.empty_hint" let:tokens>
//!         <table class="tbl">{tokens.into_iter().map(token_row).collect_view()}</table>
//!     </TableState>
//! }
//! ```
//!
//! - `res`: a `LocalResource<ApiResult<T>>`. While it has no answer: "Loading…". A failure:
//!   words saying what went wrong and a Retry that refetches it.
//! - `empty`: when the loaded content has nothing to show. Derive it from whatever the content
//!   shows: the loaded value ([`empty_when`]), or the page's own signal when the rows are kept
//!   live (a live tail that fills an empty table then switches to the content by itself).
//!   Default: never empty.
//! - `empty_title` / `empty_hint`: i18n keys; `empty_actions`: buttons (e.g. "Add device").
//! - `scope_note`: the active scope/filters in words, put in front of the empty state's hint.
//! - A failure with no answer (or 429/502–504) is retried by itself on the console's backoff,
//!   with a countdown; the WebSocket coming back after a drop reloads the content.
//! - `filtered`: true when the page's filters are set. An empty result then says "Nothing
//!   matches these filters" with `no_match_hint` (default: "Clear or change the filters above")
//!   and no actions.
//! - The children get the loaded value (`let:value`; `let:_value` when the content reads the
//!   page's own signals). They are rebuilt when a new answer arrives or the state changes, not
//!   when `empty` is re-derived with the same result, so rows inside can update in place.

use leptos::prelude::*;

use super::states::{auto_retry, Empty, LoadError, Loading};
use crate::api::client::ApiResult;
use crate::api::Fail;
use crate::i18n::{t, tr};

/// Which of the four states to show.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Loading,
    Failed(Fail),
    Empty { no_match: bool },
    Ready,
}

impl Phase {
    /// The state of a load (`None` = no answer yet) given whether its content is empty and
    /// whether filters are set.
    pub fn of<T>(load: Option<&ApiResult<T>>, empty: bool, filtered: bool) -> Phase {
        match load {
            None => Phase::Loading,
            Some(Err(f)) => Phase::Failed(f.clone()),
            Some(Ok(_)) if empty => Phase::Empty { no_match: filtered },
            Some(Ok(_)) => Phase::Ready,
        }
    }
}

/// `empty` for content that shows the loaded value: true once it is loaded and `is_empty` says so.
pub fn empty_when<T: 'static>(
    res: LocalResource<ApiResult<T>>,
    is_empty: impl Fn(&T) -> bool + Send + Sync + 'static,
) -> Signal<bool> {
    Signal::derive(move || res.with(|r| matches!(r, Some(Ok(v)) if is_empty(v))))
}

#[component]
pub fn TableState<T, F, IV>(
    /// The load; Retry refetches it.
    res: LocalResource<ApiResult<T>>,
    /// True when the loaded content has nothing to show.
    #[prop(optional, into)]
    empty: Signal<bool>,
    /// i18n key of the empty state's title (default "Nothing here yet.").
    #[prop(optional)]
    empty_title: Option<&'static str>,
    /// i18n key of the sentence saying what to do about it.
    #[prop(optional)]
    empty_hint: Option<&'static str>,
    /// Buttons under the empty state (not shown when `filtered`).
    #[prop(optional, into)]
    empty_actions: Option<ViewFn>,
    /// True when filters are set: empty then means "nothing matches".
    #[prop(optional, into)]
    filtered: Signal<bool>,
    /// i18n key of the hint when nothing matches the filters.
    #[prop(optional)]
    no_match_hint: Option<&'static str>,
    /// The active scope and filters in words ("Product: Lamp · Status: Online"), repeated in
    /// the empty state so "nothing here" never hides why.
    #[prop(optional, into)]
    scope_note: Signal<Option<String>>,
    /// The content, given the loaded value.
    children: F,
) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let phase = Memo::new(move |_| {
        let (empty, filtered) = (empty.get(), filtered.get());
        res.with(|r| Phase::of(r.as_ref(), empty, filtered))
    });
    let retry = Callback::new(move |_| res.refetch());
    // A load that failed for want of an answer tries again by itself; the WebSocket coming
    // back after a drop reloads whatever is shown (the stream missed events meanwhile).
    let failed = Signal::derive(move || res.with(|r| r.as_ref().and_then(|r| r.as_ref().err().cloned())));
    let retry_in = auto_retry(failed, retry);
    let resync = crate::state::g().resync;
    Effect::new(move |prev: Option<u32>| {
        let n = resync.get();
        if prev.is_some_and(|p| p != n) {
            res.refetch();
        }
        n
    });
    let with_scope = move |hint: String| match scope_note.get() {
        Some(note) => format!("{note}. {hint}"),
        None => hint,
    };
    move || match phase.get() {
        Phase::Loading => view! { <Loading/> }.into_any(),
        Phase::Failed(fail) => view! { <LoadError fail retry retry_in/> }.into_any(),
        Phase::Empty { no_match: true } => {
            let hint = no_match_hint.unwrap_or("common.no_match_hint");
            let hint = Signal::derive(move || Some(with_scope(t(hint).to_string())));
            view! { <Empty title=tr("common.no_match") hint/> }.into_any()
        }
        Phase::Empty { no_match: false } => {
            let title = tr(empty_title.unwrap_or("common.empty"));
            let hint = Signal::derive(move || empty_hint.map(|k| with_scope(t(k).to_string())));
            match empty_actions.clone() {
                Some(actions) => view! { <Empty title hint=hint>{actions.run()}</Empty> }.into_any(),
                None => view! { <Empty title hint=hint/> }.into_any(),
            }
        }
        // Tracks the resource: a new answer rebuilds the content with it.
        Phase::Ready => match res.get() {
            Some(Ok(value)) => children(value).into_any(),
            _ => ().into_any(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::error::ApiError;

    #[test]
    fn phases_follow_the_load_then_emptiness_then_filters() {
        let ok: ApiResult<u8> = Ok(1);
        let fail = Fail { status: 500, error: ApiError::new("internal", "boom") };
        let failed: ApiResult<u8> = Err(fail.clone());
        assert_eq!(Phase::of::<u8>(None, true, true), Phase::Loading);
        assert_eq!(Phase::of(Some(&failed), true, true), Phase::Failed(fail));
        assert_eq!(Phase::of(Some(&ok), true, false), Phase::Empty { no_match: false });
        assert_eq!(Phase::of(Some(&ok), true, true), Phase::Empty { no_match: true });
        assert_eq!(Phase::of(Some(&ok), false, true), Phase::Ready);
    }
}

//! The run log as both log views show it (Device Log page, device page's Logs tab): a filtered
//! query, an optional live tail with the same filter, and the loading / error / empty / table
//! states.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use model::runlog::{LogEntry, LogQuery};
use model::ws::{log_matches, LiveEvent, Stream};

use crate::api::client::ApiResult;
use crate::api::{registry, ws};
use crate::components::table_state::TableState;
use crate::pages::logs::LogTable;

/// Entries of a filter: fetched whenever the filter changes, then extended by the live tail.
#[derive(Clone, Copy)]
pub struct LogFeed {
    pub res: LocalResource<ApiResult<Vec<LogEntry>>>,
    pub entries: RwSignal<Vec<LogEntry>>,
}

/// Fetch `filter`; while `live` is true, prepend new matching entries (newest first, at most
/// `keep`; an entry already shown is not added twice). Re-subscribed when the filter changes.
pub fn log_feed(filter: Memo<LogQuery>, live: Signal<bool>, keep: usize) -> LogFeed {
    let res = LocalResource::new(move || {
        let f = filter.get();
        async move { registry::logs(&f).await }
    });
    let entries = RwSignal::new(Vec::<LogEntry>::new());
    // A snapshot is merged with what the tail already brought (an entry may have arrived live
    // while the query ran, and would be lost if the snapshot replaced it); what no longer
    // matches the filter goes.
    Effect::new(move |_| {
        if let Some(Ok(v)) = res.get() {
            let f = filter.get_untracked();
            entries.update(|es| {
                es.retain(|e| log_matches(&f, e));
                merge_newest_first(es, v, keep);
            });
        }
    });
    let sub = Arc::new(AtomicU32::new(0));
    let current = sub.clone();
    Effect::new(move |_| {
        let (on, f) = (live.get(), filter.get());
        let old = current.swap(0, Ordering::Relaxed);
        if old != 0 {
            ws::unsubscribe(old);
        }
        if on {
            // Once the tail is in place the snapshot is loaded again: an entry stored between the
            // first load and the subscription is in it.
            let on_event = move |ev| {
                if let LiveEvent::Log { entry } = ev {
                    entries.update(|es| merge_newest_first(es, vec![entry], keep));
                }
            };
            let id = ws::subscribe_synced(Stream::RunLog { filter: f }, on_event, move || res.refetch());
            current.store(id, Ordering::Relaxed);
        }
    });
    on_cleanup(move || ws::unsubscribe(sub.load(Ordering::Relaxed)));
    LogFeed { res, entries }
}

/// Add `new` to `es` (newest first by id), each entry once, keeping the newest `keep`.
pub fn merge_newest_first(es: &mut Vec<LogEntry>, new: Vec<LogEntry>, keep: usize) {
    for e in new {
        if !es.iter().any(|x| x.id == e.id) {
            es.push(e);
        }
    }
    es.sort_by_key(|e| std::cmp::Reverse(e.id));
    es.truncate(keep);
}

/// Loading, error (with retry), empty (`empty_hint`: an i18n key) or the table. Emptiness
/// follows the live entries, so the first tailed entry replaces the empty state.
#[component]
pub fn LogResults(
    feed: LogFeed,
    empty_hint: &'static str,
    show_device: bool,
    /// The active scope in words, said in the empty state.
    #[prop(optional, into)]
    scope_note: Signal<Option<String>>,
) -> impl IntoView {
    let LogFeed { res, entries } = feed;
    let empty = Signal::derive(move || entries.with(Vec::is_empty));
    view! {
        <TableState res empty empty_title="logs.empty" empty_hint scope_note let:_loaded>
            <LogTable entries show_device/>
        </TableState>
    }
}

//! The run log as both log views show it (Device Log page, device page's Logs tab): a filtered
//! query, an optional live tail with the same filter, and the loading / error / empty / table
//! states.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use model::runlog::{LogEntry, LogQuery};
use model::ws::{LiveEvent, Stream};

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
    Effect::new(move |_| {
        if let Some(Ok(v)) = res.get() {
            entries.set(v);
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
            let id = ws::subscribe(Stream::RunLog { filter: f }, move |ev| {
                if let LiveEvent::Log { entry } = ev {
                    entries.update(|es| {
                        if !es.iter().any(|e| e.id == entry.id) {
                            es.insert(0, entry);
                            es.truncate(keep);
                        }
                    });
                }
            });
            current.store(id, Ordering::Relaxed);
        }
    });
    on_cleanup(move || ws::unsubscribe(sub.load(Ordering::Relaxed)));
    LogFeed { res, entries }
}

/// Loading, error (with retry), empty (`empty_hint`: an i18n key) or the table. Emptiness
/// follows the live entries, so the first tailed entry replaces the empty state.
#[component]
pub fn LogResults(feed: LogFeed, empty_hint: &'static str, show_device: bool) -> impl IntoView {
    let LogFeed { res, entries } = feed;
    let empty = Signal::derive(move || entries.with(Vec::is_empty));
    view! {
        <TableState res empty empty_title="logs.empty" empty_hint let:_loaded>
            <LogTable entries show_device/>
        </TableState>
    }
}

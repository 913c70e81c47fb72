//! The ingest writer: the one place the high-volume rows (run log entries and property values)
//! are written. Two stores, one contract:
//! - [`sqlite`] ([`run`]): rusqlite on its own connection (the default store).
//! - [`postgres`] ([`run_postgres`]): sqlx on one `PgConnection`.
//!
//! [`crate::store::spawn_writer`] starts either on a thread of its own.
//!
//! It is the hub's main lossless consumer ([`crate::hub`]): it reads device facts from its lane,
//! turns them into run-log rows ([`crate::runlog::line`]) and property rows, and answers the
//! hub's barriers ([`crate::hub::Hub::flush`]) once everything before them is committed.
//!
//! What both writers share lives here ([`Round`]): a round takes everything queued (up to
//! [`ROUND`]) and starts as soon as the previous one has committed — group commit, no timer.
//! Devices wait for their reply until their post is committed, so latency is one commit; under
//! load more arrives during each commit, rounds grow and the cost per message falls. One
//! transaction per round; its barriers are answered after the commit, then the browsers get
//! their "stored" notices (building those is the slower part, and no device waits for it).
//!
//! Closed monitoring minutes ([`crate::store::metrics::MinuteQueue`]) are taken at the start of
//! every round and written in its transaction (with their hourly rollups): metrics add no
//! transactions of their own, and a round with only minutes in it runs when the metrics job
//! nudges the writer with a barrier.
//!
//! Nothing is dropped: producers wait when the lane is full (backpressure), a failed
//! transaction is retried until it commits, and a row that can never be stored (its device was
//! deleted meanwhile) is logged and skipped without sinking the rows around it.

mod postgres;
mod sqlite;

use std::collections::hash_map::{Entry, HashMap};
use std::sync::Arc;

use model::registry::PropertyValue;
use model::ws::{EventKind, LiveEvent};
use tokio::sync::oneshot;

pub use postgres::run_postgres;
pub(crate) use postgres::text as pg_text;
pub use sqlite::run;

use crate::hub::{Delivery, DeviceEvent, Fact};
use crate::live_bus::LiveBus;
use crate::runlog::line::{line_of, Line};
use crate::store::metrics::MetricRow;

/// Facts queued at most before producers wait (the capacity of the writer's hub lane).
pub const QUEUE_CAPACITY: usize = 65_536;
/// Facts taken per transaction at most.
const ROUND: usize = 4_096;
/// The writer's nice value: it must not hold a core while a browser's live event waits to be
/// scheduled (2-core machines). Replies wait for its commits now, but measured at 10,000 msg/s
/// normal priority did not shorten them (p99 ~62 ms either way) and cost the browsers' live p99
/// (9.2 → 12.7 ms, over its goal).
const NICE: i32 = 10;

/// Lower the calling thread's priority to [`NICE`]. Failure only costs latency.
fn lower_priority() {
    // On Linux, PRIO_PROCESS with 0 is the calling thread only.
    // SAFETY: a plain syscall with no pointers.
    #[allow(unsafe_code)]
    let niced = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, NICE) };
    if niced != 0 {
        tracing::debug!("ingest writer: nice value not set");
    }
}

/// One round's deliveries: the events to store and the barriers to answer once they are.
struct Round {
    events: Vec<Arc<DeviceEvent>>,
    acks: Vec<oneshot::Sender<()>>,
    /// Closed monitoring minutes to store in the same transaction.
    minutes: Vec<MetricRow>,
}

impl Round {
    /// Split what the lane handed over (draining `cmds`, whose capacity is kept for the next round).
    fn take(cmds: &mut Vec<Delivery>, minutes: Vec<MetricRow>) -> Round {
        let mut events = Vec::with_capacity(cmds.len());
        let mut acks = Vec::new();
        for c in cmds.drain(..) {
            match c {
                Delivery::Event(e) => events.push(e),
                Delivery::Barrier(ack) => acks.push(ack),
            }
        }
        Round { events, acks, minutes }
    }

    /// Whether the round writes anything at all.
    fn writes(&self, rows: &Rows) -> bool {
        !rows.is_empty() || !self.minutes.is_empty()
    }

    fn rows(&self) -> Rows<'_> {
        Rows::of(&self.events)
    }

    /// The round is committed, its run-log lines with `ids` (in the order of the lines).
    /// Devices get their replies before browsers get their "stored" notices.
    fn committed(self, lines: Vec<(usize, Line)>, ids: Vec<i64>, bus: &LiveBus) {
        for ack in self.acks {
            let _ = ack.send(());
        }
        if bus.listens(EventKind::Log) {
            for ((i, line), id) in lines.into_iter().zip(ids) {
                bus.send(LiveEvent::Log { entry: line.into_entry(id, &self.events[i]) });
            }
        }
    }
}

/// A property value to store, its value already as the stored text.
struct PropRow<'a> {
    device_id: i64,
    value: &'a PropertyValue,
    text: String,
}

/// What a round writes: run-log lines, every property value (history) and, per device and
/// property, the newest of the round (latest).
struct Rows<'a> {
    /// (index of the line's event in the round, the line), in the order published.
    lines: Vec<(usize, Line)>,
    history: Vec<PropRow<'a>>,
    /// Indices into `history`: one per (device, identifier), the newest by time (the later one
    /// on a tie). A device posting every 100 ms would otherwise rewrite the same row ten times
    /// a second; PostgreSQL also refuses one upsert touching a row twice.
    latest: Vec<usize>,
}

impl<'a> Rows<'a> {
    fn of(events: &'a [Arc<DeviceEvent>]) -> Rows<'a> {
        let lines = events.iter().enumerate().filter_map(|(i, e)| Some((i, line_of(e)?))).collect();
        let history: Vec<PropRow<'a>> = events
            .iter()
            .filter_map(|e| match &e.fact {
                Fact::PropertiesPosted { device_id, values } => Some(values.iter().map(move |v| (*device_id, v))),
                _ => None,
            })
            .flatten()
            .map(|(device_id, value)| PropRow { device_id, value, text: value.value.to_string() })
            .collect();
        let mut newest: HashMap<(i64, &str), usize> = HashMap::new();
        for (i, r) in history.iter().enumerate() {
            match newest.entry((r.device_id, r.value.identifier.as_str())) {
                Entry::Occupied(mut e) if history[*e.get()].value.time <= r.value.time => {
                    e.insert(i);
                }
                Entry::Occupied(_) => {}
                Entry::Vacant(e) => {
                    e.insert(i);
                }
            }
        }
        // In the order posted: the same statements in the same order on every retry.
        let mut latest: Vec<usize> = newest.into_values().collect();
        latest.sort_unstable();
        Rows { lines, history, latest }
    }

    fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.history.is_empty()
    }

    fn into_lines(self) -> Vec<(usize, Line)> {
        self.lines
    }
}

#[cfg(test)]
mod tests;

//! Calls waiting for their reply, by (device, Alink id). [`crate::commands::Commands`] registers
//! a waiter before it sends; the uplink router hands each reply it receives to [`Replies::take`]
//! and answers the waiter — that is all the router knows of commands.
//!
//! A call whose caller stopped waiting (it timed out, or an async service returned `pending` at
//! once) leaves a [`Late`] record instead: a reply that still arrives is logged under the call's
//! trace with its code ([`Replies::take_late`]) rather than as an unknown reply. Late records are
//! bounded in number and age, so a device that never answers costs nothing lasting.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use bytes::Bytes;
use model::alink::{DeviceRef, Reply};
use tokio::sync::oneshot;

/// What came back.
pub enum Answer {
    Alink(Reply),
    Raw(Bytes),
}

pub struct Waiter {
    pub trace: String,
    /// The TSL service whose output the reply carries (`set`, `get` or a service).
    pub service: Option<String>,
    pub tx: oneshot::Sender<Answer>,
}

/// A call nobody waits for any more, whose reply is still worth logging in its trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Late {
    pub trace: String,
    pub service: Option<String>,
    /// When the record was made (ms); it is forgotten [`LATE_KEEP_MS`] later.
    pub since: i64,
}

/// How long a late reply is still matched to its call (Alibaba keeps async service results
/// for the same order of time).
pub const LATE_KEEP_MS: i64 = 10 * 60 * 1000;
/// At most this many late records (the oldest go first).
pub const MAX_LATE: usize = 10_000;

type Key = (DeviceRef, String);

#[derive(Default)]
struct LateCalls {
    map: HashMap<Key, Late>,
    order: VecDeque<Key>,
}

impl LateCalls {
    /// Forget records older than the keep time (when `now` is given), and the oldest beyond
    /// the bound.
    fn prune(&mut self, now: Option<i64>) {
        while let Some(k) = self.order.front() {
            let stale = match self.map.get(k) {
                Some(l) => {
                    now.is_some_and(|now| now.saturating_sub(l.since) > LATE_KEEP_MS) || self.map.len() > MAX_LATE
                }
                None => true,
            };
            if !stale {
                break;
            }
            if let Some(k) = self.order.pop_front() {
                self.map.remove(&k);
            }
        }
    }
}

/// Calls waiting for their reply, by (device, id).
#[derive(Default)]
pub struct Replies {
    map: Mutex<HashMap<Key, Waiter>>,
    late: Mutex<LateCalls>,
}

impl Replies {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Waiter>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
    fn late(&self) -> std::sync::MutexGuard<'_, LateCalls> {
        self.late.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn insert(&self, d: &DeviceRef, id: &str, w: Waiter) {
        self.lock().insert((d.clone(), id.to_string()), w);
    }
    /// The waiter for this reply, if a call still waits for it.
    pub fn take(&self, d: &DeviceRef, id: &str) -> Option<Waiter> {
        self.lock().remove(&(d.clone(), id.to_string()))
    }
    /// Remember a call nobody waits for (any more): its reply is matched by [`Replies::take_late`].
    pub fn expect_late(&self, d: &DeviceRef, id: &str, late: Late) {
        let mut l = self.late();
        l.prune(Some(late.since));
        let key = (d.clone(), id.to_string());
        if l.map.insert(key.clone(), late).is_none() {
            l.order.push_back(key);
        }
        l.prune(None);
    }
    /// The late record for this reply, if the call was made and is not too old.
    pub fn take_late(&self, d: &DeviceRef, id: &str, now: i64) -> Option<Late> {
        let mut l = self.late();
        l.prune(Some(now));
        l.map.remove(&(d.clone(), id.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn late(since: i64) -> Late {
        Late { trace: format!("t{since}"), service: None, since }
    }

    #[test]
    fn late_records_are_matched_once_and_expire() {
        let r = Replies::default();
        let d = DeviceRef::new("pk", "dn");
        r.expect_late(&d, "1", late(0));
        r.expect_late(&d, "2", late(0));
        assert_eq!(r.take_late(&d, "1", 1_000).map(|l| l.trace), Some("t0".into()));
        assert_eq!(r.take_late(&d, "1", 1_000), None, "matched once");
        assert_eq!(r.take_late(&d, "2", LATE_KEEP_MS + 1), None, "too old");
    }

    #[test]
    fn late_records_are_bounded() {
        let r = Replies::default();
        let d = DeviceRef::new("pk", "dn");
        for i in 0..(MAX_LATE + 5) {
            r.expect_late(&d, &i.to_string(), late(0));
        }
        assert_eq!(r.take_late(&d, "0", 0), None, "the oldest went first");
        assert!(r.take_late(&d, &(MAX_LATE + 4).to_string(), 0).is_some());
        assert!(r.late().map.len() <= MAX_LATE);
    }
}

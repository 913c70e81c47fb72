//! Calls waiting for their reply, by (device, Alink id). [`crate::commands::Commands`] registers
//! a waiter before it sends; the uplink router hands each reply it receives to [`Replies::take`]
//! and answers the waiter — that is all the router knows of commands.

use std::collections::HashMap;
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

/// Calls waiting for their reply, by (device, id).
#[derive(Default)]
pub struct Replies {
    map: Mutex<HashMap<(DeviceRef, String), Waiter>>,
}

impl Replies {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(DeviceRef, String), Waiter>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn insert(&self, d: &DeviceRef, id: &str, w: Waiter) {
        self.lock().insert((d.clone(), id.to_string()), w);
    }
    /// The waiter for this reply, if a call still waits for it.
    pub fn take(&self, d: &DeviceRef, id: &str) -> Option<Waiter> {
        self.lock().remove(&(d.clone(), id.to_string()))
    }
}

//! Device simulation (seed chapter 3) and the living demo fleet.
//!
//! - [`device`]: one simulated device, a real MQTT client of [`devclient`] on fleetdeck's own
//!   broker with the device's own credentials; behaviour from the thing model ([`answers`]).
//! - [`fleet`]: the demo fleet, a supervised job that keeps every demo device connected and
//!   reporting, and yields a device to the simulator or to a real device that connects.
//! - [`Simulators`]: who runs which device: the fleet, or an operator's simulator.
//!
//! The pure parts (push policies, telemetry curves, the demo plan) are `model::simulate`.

pub mod answers;
pub mod device;
pub mod fleet;
pub mod handlers;
pub mod manual;
pub mod trace;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use model::alink::DeviceRef;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Which devices the demo fleet runs and which ones it must leave alone (claimed by an
/// operator's simulator). Cheap to clone.
#[derive(Clone, Default)]
pub struct Simulators(Arc<Inner>);

#[derive(Default)]
struct Inner {
    /// Devices the fleet has connected, with the token that makes it let go.
    fleet: Mutex<HashMap<DeviceRef, CancellationToken>>,
    claimed: Mutex<HashSet<DeviceRef>>,
    released: Notify,
    /// Operators' simulators.
    manual: Mutex<HashMap<DeviceRef, Arc<manual::Manual>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Each critical section is one map operation: a poisoned map is still consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Simulators {
    /// The fleet runs `dev` until `token` fires.
    pub fn fleet_runs(&self, dev: &DeviceRef, token: CancellationToken) {
        lock(&self.0.fleet).insert(dev.clone(), token);
    }

    pub fn fleet_stopped(&self, dev: &DeviceRef) {
        lock(&self.0.fleet).remove(dev);
    }

    /// Whether the demo fleet holds `dev`'s session now.
    pub fn fleet_holds(&self, dev: &DeviceRef) -> bool {
        lock(&self.0.fleet).contains_key(dev)
    }

    /// Devices the fleet holds now.
    pub fn fleet_count(&self) -> usize {
        lock(&self.0.fleet).len()
    }

    /// Take `dev` away from the fleet (an operator's simulator starts): the fleet disconnects
    /// it and does not reconnect until [`Simulators::release`].
    pub fn claim(&self, dev: &DeviceRef) {
        lock(&self.0.claimed).insert(dev.clone());
        if let Some(t) = lock(&self.0.fleet).get(dev) {
            t.cancel();
        }
    }

    pub fn release(&self, dev: &DeviceRef) {
        lock(&self.0.claimed).remove(dev);
        self.0.released.notify_waiters();
    }

    pub fn is_claimed(&self, dev: &DeviceRef) -> bool {
        lock(&self.0.claimed).contains(dev)
    }

    /// Resolves after the next [`Simulators::release`] of any device.
    pub async fn released(&self) {
        self.0.released.notified().await
    }

    pub fn manual(&self, dev: &DeviceRef) -> Option<Arc<manual::Manual>> {
        lock(&self.0.manual).get(dev).cloned()
    }

    pub(crate) fn add_manual(&self, m: Arc<manual::Manual>) {
        lock(&self.0.manual).insert(m.me.clone(), m);
    }

    pub(crate) fn remove_manual(&self, dev: &DeviceRef) {
        lock(&self.0.manual).remove(dev);
    }
}

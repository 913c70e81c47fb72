//! The desired sync job, on a lossless hub lane: desired values reach the device on **every**
//! (re)connect, and go once the device reports them.
//!
//! - "device connected" (own session or through its gateway) with desired values waiting → one
//!   `property/set` with all of them. Devices without desired-property support (the Python SDK)
//!   still end up with the value; those with it also read `desired/get` themselves.
//! - a property post equal to a desired value (same version still stored) → that value is
//!   cleared. `desired/delete` from the device is handled by the router.
//!
//! Only devices known to have desired values are looked up: the set is loaded at start and grows
//! with every `DesiredSet` fact, so a property post of any other device costs a hash lookup.

use std::collections::HashSet;
use std::sync::Arc;

use model::alink::DeviceRef;
use model::debug::same_value;
use model::registry::PropertyValue;
use serde_json::{Map, Value};

use crate::commands::{CallError, Commands, DeviceCall, Via};
use crate::hub::{DeviceEvent, Fact};
use crate::store::{device_state, Db};

/// Lane capacity: the consumer only does work for devices with desired values.
pub const LANE: usize = 1024;

/// The facts the job wants (it publishes only downlink facts itself).
pub fn wants(ev: &DeviceEvent) -> bool {
    matches!(
        ev.fact,
        Fact::Connected { .. } | Fact::SubDeviceOnline { .. } | Fact::PropertiesPosted { .. } | Fact::DesiredSet { .. }
    )
}

pub struct DesiredSync {
    db: Db,
    commands: Commands,
    /// Devices that may have desired values waiting (a superset: emptied lazily).
    pending: HashSet<i64>,
}

impl DesiredSync {
    /// Loads which devices have desired values.
    pub async fn load(db: Db, commands: Commands) -> crate::store::Result<DesiredSync> {
        let pending = device_state::desired_device_ids(&db).await?.into_iter().collect();
        Ok(DesiredSync { db, commands, pending })
    }

    pub async fn handle(&mut self, ev: Arc<DeviceEvent>) {
        match &ev.fact {
            Fact::DesiredSet { device_id } => {
                self.pending.insert(*device_id);
            }
            Fact::Connected { device_id, .. } | Fact::SubDeviceOnline { device_id, .. } => {
                if self.pending.contains(device_id) {
                    self.push(&ev.device, *device_id).await;
                }
            }
            Fact::PropertiesPosted { device_id, values } => {
                if self.pending.contains(device_id) {
                    self.clear_reported(*device_id, values).await;
                }
            }
            _ => {}
        }
    }

    /// Send every waiting desired value as one `property/set`; the reply is logged in its trace.
    async fn push(&mut self, device: &DeviceRef, device_id: i64) {
        let desired = match device_state::get_desired(&self.db, device_id, &[]).await {
            Ok(d) => d,
            Err(e) => return tracing::warn!(error = %e, ?device, "cannot read desired values"),
        };
        if desired.is_empty() {
            self.pending.remove(&device_id);
            return;
        }
        let params: Map<String, Value> = desired.into_iter().map(|d| (d.identifier, d.value)).collect();
        let trace = self.commands_trace();
        let call = DeviceCall::SetProperties(Value::Object(params));
        match self.commands.call_in(&trace, device, call, Via::Auto, None).await.1 {
            Ok(_) => {}
            // Gone again already: the next connect sends them.
            Err(CallError::Offline | CallError::GatewayOffline) => {}
            // Logged as a downlink not sent (a value the model no longer accepts, disabled …).
            Err(e) => tracing::debug!(error = %e, ?device, "desired values not pushed"),
        }
    }

    fn commands_trace(&self) -> String {
        self.commands.new_trace()
    }

    /// Clear the desired values the device has now reported.
    async fn clear_reported(&mut self, device_id: i64, values: &[PropertyValue]) {
        let desired = match device_state::get_desired(&self.db, device_id, &[]).await {
            Ok(d) => d,
            Err(e) => return tracing::warn!(error = %e, device_id, "cannot read desired values"),
        };
        let mut left = desired.len();
        for d in desired {
            let reported = values.iter().any(|v| v.identifier == d.identifier && same_value(&v.value, &d.value));
            if !reported {
                continue;
            }
            // Only this version: a newer value set meanwhile stays.
            match device_state::delete_desired(&self.db, device_id, &d.identifier, Some(d.version)).await {
                Ok(true) => left -= 1,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, device_id, "cannot clear a desired value"),
            }
        }
        if left == 0 {
            self.pending.remove(&device_id);
        }
    }
}

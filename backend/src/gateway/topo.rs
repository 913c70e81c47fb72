//! Which sub-devices each gateway may act for, cached in memory for the ACL hooks.
//!
//! The ACL runs on every PUBLISH and must not hit the database, so the attachments
//! (`devices.gateway_id`, enabled sub-devices only) are loaded when a gateway connects and reloaded when the router
//! reports a `thing/topo/add` or `delete` ([`crate::gateway::Gateway::refresh_topo`]).

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use model::alink::DeviceRef;

use crate::store::{self, Db};

type Key = DeviceRef;

#[derive(Default)]
pub struct Topo {
    subs: RwLock<HashMap<Key, HashSet<Key>>>,
}

impl Topo {
    /// Whether `(pk, dn)` is attached to gateway `(gw_pk, gw_dn)`.
    pub fn is_sub(&self, gw_pk: &str, gw_dn: &str, pk: &str, dn: &str) -> bool {
        let subs = self.subs.read().unwrap_or_else(|e| e.into_inner());
        // Cheap when the gateway has no entry (every plain device): one hash lookup.
        subs.get(&DeviceRef::new(gw_pk, gw_dn)).is_some_and(|s| s.contains(&DeviceRef::new(pk, dn)))
    }

    /// The gateway a sub-device is attached to, among the cached (connected) gateways.
    pub fn gateway_of(&self, pk: &str, dn: &str) -> Option<Key> {
        let key = DeviceRef::new(pk, dn);
        let subs = self.subs.read().unwrap_or_else(|e| e.into_inner());
        subs.iter().find(|(_, s)| s.contains(&key)).map(|(gw, _)| gw.clone())
    }

    /// Reload the sub-devices of a gateway from the store.
    pub async fn refresh(&self, db: &Db, gw_pk: &str, gw_dn: &str) -> store::Result<()> {
        let Some(gw) = store::devices::get(db, gw_pk, gw_dn).await? else {
            self.forget(gw_pk, gw_dn);
            return Ok(());
        };
        let subs: HashSet<Key> = store::gateway::enabled_sub_devices(db, gw.id)
            .await?
            .into_iter()
            .map(|(pk, dn)| DeviceRef { pk, dn })
            .collect();
        let mut all = self.subs.write().unwrap_or_else(|e| e.into_inner());
        if subs.is_empty() {
            all.remove(&DeviceRef::new(gw_pk, gw_dn));
        } else {
            all.insert(DeviceRef::new(gw_pk, gw_dn), subs);
        }
        Ok(())
    }

    /// Drop a gateway's entry (it disconnected; reloaded on its next connect).
    pub fn forget(&self, gw_pk: &str, gw_dn: &str) {
        self.subs.write().unwrap_or_else(|e| e.into_inner()).remove(&DeviceRef::new(gw_pk, gw_dn));
    }
}

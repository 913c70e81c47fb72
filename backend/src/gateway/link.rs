//! The registry's side door: cut a device off at once when it is disabled or deleted.

use super::service::Gateway;
use crate::state::DeviceLink;

#[async_trait::async_trait]
impl DeviceLink for Gateway {
    fn broker_stats(&self) -> Option<crate::state::BrokerStats> {
        let stats = &self.scx.stats;
        let throttled = self.guard.limits.throttled().into_iter().map(|(k, pk, n)| (k.event_name(), pk, n)).collect();
        Some(crate::state::BrokerStats {
            device_sessions: self.online_count() as i64,
            connections: self.scx.connections.count() as i64,
            sessions: self.scx.sessions.count() as i64,
            inflight_in: stats.in_inflights.count() as i64,
            inflight_out: stats.out_inflights.count() as i64,
            queued: stats.message_queues.count() as i64,
            throttled,
            refused: self.refusals.totals(),
        })
    }

    async fn disconnect(&self, product_key: &str, device_name: &str) {
        // The registry has already flipped `enabled`/deleted the row, so a reconnect is refused
        // at CONNECT; this closes the session that is open now (logged as kicked, 427).
        self.sessions.kick(product_key, device_name).await;
        // A gateway that loses a sub-device must stop acting for it.
        if let Some(gw) = self.topo.gateway_of(product_key, device_name) {
            if let Err(e) = self.refresh_topo(&gw.pk, &gw.dn).await {
                tracing::warn!(error = %e, "cannot reload sub-devices");
            }
        }
    }
}

/// The router tells the broker side when a gateway's sub-device list changed, so the ACL cache
/// lets the gateway publish for a sub-device right after `topo/add` (and stops after `delete`).
#[async_trait::async_trait]
impl crate::gateway::router::TopoListener for Gateway {
    async fn topo_changed(&self, gateway_pk: &str, gateway_dn: &str) {
        if let Err(e) = self.refresh_topo(gateway_pk, gateway_dn).await {
            tracing::error!(error = %e, gateway_pk, gateway_dn, "topo cache refresh failed");
        }
    }
}

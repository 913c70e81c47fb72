//! The lossy lane: device facts as the browsers' [`LiveEvent`]s on the live bus.
//!
//! Offered synchronously by [`super::Hub::publish`] before any lossless lane, so a full store
//! queue never delays what a browser sees. Nothing is built that no open subscription can want
//! ([`LiveBus::listens`]).

use model::registry::DeviceStatus;
use model::ws::{EventKind, LiveEvent};

use super::{DeviceEvent, Fact};
use crate::live_bus::LiveBus;
use crate::runlog::text::{text_cut, MAX_LIVE_PAYLOAD};

/// Offer one fact to the browsers.
pub fn offer(bus: &LiveBus, ev: &DeviceEvent) {
    if let Some(live) = to_live(ev, |kind| bus.listens(kind)) {
        bus.send(live);
    }
}

/// What a browser is shown of a fact, if anything and if its kind is `wanted`. (Stored run-log
/// entries reach browsers from the store writer, with their ids.)
pub fn to_live(ev: &DeviceEvent, wanted: impl Fn(EventKind) -> bool) -> Option<LiveEvent> {
    let kind = match &ev.fact {
        Fact::Connected { .. }
        | Fact::SubDeviceOnline { .. }
        | Fact::Disconnected { device_id: Some(_), .. }
        | Fact::SubDeviceOffline { .. } => EventKind::Status,
        Fact::Message { .. } => EventKind::Message,
        Fact::PropertiesPosted { .. } => EventKind::Properties,
        Fact::Removed => EventKind::Removed,
        _ => return None,
    };
    if !wanted(kind) {
        return None;
    }
    let (product_key, device_name) = (ev.device.pk.clone(), ev.device.dn.clone());
    let status = |status, reason| LiveEvent::Status {
        product_key: product_key.clone(),
        device_name: device_name.clone(),
        status,
        reason,
        at: ev.at,
    };
    let live = match &ev.fact {
        Fact::Connected { .. } | Fact::SubDeviceOnline { .. } => status(DeviceStatus::Online, None),
        Fact::Disconnected { device_id: Some(_), code, .. } | Fact::SubDeviceOffline { code, .. } => {
            status(DeviceStatus::Offline, Some(*code))
        }
        Fact::Message { direction, topic, payload, .. } => LiveEvent::Message {
            product_key,
            device_name,
            direction: *direction,
            topic: topic.clone(),
            payload: text_cut(payload, MAX_LIVE_PAYLOAD),
            at: ev.at,
        },
        Fact::PropertiesPosted { values, .. } => {
            LiveEvent::Properties { product_key, device_name, values: values.clone() }
        }
        Fact::Removed => LiveEvent::Removed { product_key, device_name, at: ev.at },
        _ => return None,
    };
    // The two matches agree (every fact kind passes through here in the hub's tests).
    debug_assert_eq!(live.kind(), kind);
    Some(live)
}

//! The Alink device layer on top of [`crate::Client`]: signing in like a Link SDK, posting
//! properties and events and awaiting their `_reply` by Alink id, and answering the platform's
//! requests through a [`Handler`] the caller supplies.

pub mod calls;
pub mod creds;
pub mod device;
pub mod downlink;

pub use calls::Pending;
pub use creds::{connect_options, credentials, unix_now, Identity, Scheme};
pub use device::{Device, DeviceOptions};
pub use downlink::{answer, classify, Answer, Call, CallKind, Inbound};

use model::alink::ota::OtaUpgrade;
use model::alink::Request;

/// How a device answers the platform. Runs inside the device's connection task, so it must not
/// block; keep device state behind a `Mutex` or atomics.
///
/// Seams for the next features (each defaults to "not handled": the message then goes to the
/// device's inbox unchanged, as today):
/// - OTA: [`Handler::ota_upgrade`] sees upgrade pushes; the firmware download, progress reports
///   (`/ota/device/progress`, published with [`Device::publish`]) and the version re-inform
///   belong to the simulator that implements it.
/// - Remote config: [`Handler::config_push`] sees `thing/config/push` and may answer
///   `push_reply` (optional in the protocol); `thing/config/get` is a [`Device::request`].
pub trait Handler: Send + Sync + 'static {
    /// Answer property set/get, an async or sync service, or a classic RRPC request.
    fn call(&self, call: &Call) -> Answer;

    /// An OTA upgrade push. `true` = handled (kept out of the inbox).
    fn ota_upgrade(&self, _upgrade: &OtaUpgrade) -> bool {
        false
    }

    /// A remote-config push. `Some` = handled, answered on `push_reply` unless `Silence`.
    fn config_push(&self, _request: &Request) -> Option<Answer> {
        None
    }
}

/// Answers like the Python SDK with an app that accepts everything: 200 with empty data.
pub struct AcceptAll;

impl Handler for AcceptAll {
    fn call(&self, _call: &Call) -> Answer {
        Answer::ok(serde_json::json!({}))
    }
}

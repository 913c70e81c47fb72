//! Which device facts are run-log entries, and how they read: one table, in [`line_of`].
//!
//! One flow = one trace id: an uplink (BizType uplink, operation = topic, status = the code it
//! was answered with), its thing-model checks (ThingModel, `check`) and its reply (downlink)
//! share the event's trace; a device's reply to a platform request is logged under the
//! request's trace.

use model::codes;
use model::runlog::{BizType, LogEntry};
use model::ws::Direction;
use serde_json::json;

use super::text::{log_content, truncate, untrusted, MAX_LOG_CONTENT};
use crate::gateway::limits::Kind;
use crate::hub::{DeviceEvent, Fact, Stage};

/// Longest operation (topic) stored in the run log.
pub const MAX_OPERATION: usize = 300;
/// The seed code of an ACL refusal.
pub const CODE_ACL: u32 = codes::message::TOPIC_AUTH_FAILED.code();
/// A downlink the broker dropped: the device was not reachable (seed 9201).
pub const CODE_DROPPED: u32 = codes::message::DEVICE_OFFLINE.code();
/// No reply within the timeout (seed 1905).
pub const CODE_TIMEOUT: u32 = codes::message::RRPC_TIMEOUT.code();

/// A run-log entry before it is stored (the store assigns the id).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub biz: BizType,
    pub operation: String,
    pub content: String,
    pub status: u32,
    pub message_id: Option<String>,
}

impl Line {
    fn new(biz: BizType, operation: impl Into<String>, status: u32, content: impl Into<String>) -> Line {
        Line { biz, operation: operation.into(), content: content.into(), status, message_id: None }
    }

    fn id(mut self, message_id: &Option<String>) -> Line {
        self.message_id = message_id.clone();
        self
    }

    /// The stored entry, once the store has given it `id`.
    pub fn into_entry(self, id: i64, ev: &DeviceEvent) -> LogEntry {
        LogEntry {
            id,
            at: ev.at,
            trace_id: ev.trace.clone(),
            message_id: self.message_id,
            product_key: ev.device.pk.clone(),
            device_name: ev.device.dn.clone(),
            biz_type: self.biz,
            operation: self.operation,
            content: self.content,
            status: self.status,
        }
    }
}

fn operation(topic: &str) -> String {
    truncate(topic, MAX_OPERATION)
}

/// The run-log entry a fact makes, if any.
pub fn line_of(ev: &DeviceEvent) -> Option<Line> {
    use BizType as B;
    Some(match &ev.fact {
        Fact::Connected { client_id, ip, sdk, keepalive, .. } => Line::new(
            B::Device,
            "online",
            200,
            json!({ "clientId": untrusted(client_id), "ip": ip, "sdk": sdk, "keepalive": keepalive }).to_string(),
        ),
        Fact::Disconnected { client_id, ip, code, reason, .. } => Line::new(
            B::Device,
            "offline",
            *code,
            json!({ "clientId": untrusted(client_id), "ip": ip, "reason": reason }).to_string(),
        ),
        Fact::Registered { client_id, topic } => {
            Line::new(B::Device, "register", 200, json!({ "topic": topic, "clientId": untrusted(client_id) }).to_string())
        }
        Fact::Refused { stage, code, detail } => {
            let op = match stage {
                Stage::Auth => "auth",
                Stage::Acl => "acl",
            };
            Line::new(B::Device, op, *code, truncate(&detail.to_string(), MAX_LOG_CONTENT))
        }
        Fact::LimitHit { kind, limit } => {
            let (biz, op) = match kind {
                Kind::Connect => (B::Device, "auth"),
                Kind::Uplink => (B::Uplink, "limit"),
                Kind::Downlink => (B::Downlink, "limit"),
            };
            Line::new(biz, op, kind.code(), json!({ "event": kind.event_name(), "limit": limit }).to_string())
        }
        Fact::Message { direction, topic, payload, message_id, code, .. } => {
            let biz = match direction {
                Direction::Up => B::Uplink,
                Direction::Down => B::Downlink,
            };
            Line::new(biz, operation(topic), *code, log_content(payload)).id(message_id)
        }
        Fact::NotSent { operation: op, payload, message_id, code, reason } => {
            Line::new(B::Downlink, operation(op), *code, format!("not sent: {reason}; {}", log_content(payload)))
                .id(message_id)
        }
        Fact::Dropped { topic, reason } => Line::new(
            B::Downlink,
            "dropped",
            CODE_DROPPED,
            json!({ "topic": truncate(topic, MAX_OPERATION), "reason": reason }).to_string(),
        ),
        Fact::Checked { message_id, code, content } => {
            Line::new(B::ThingModel, "check", *code, truncate(content, MAX_LOG_CONTENT)).id(message_id)
        }
        Fact::CallTimedOut { topic, message_id, timeout_ms, .. } => Line {
            biz: B::Downlink,
            operation: operation(topic),
            content: format!("no reply within {timeout_ms} ms"),
            status: CODE_TIMEOUT,
            message_id: Some(message_id.clone()),
        },
        Fact::ApiCalled { api, request, code, message } => Line::new(
            B::ApiService,
            *api,
            *code,
            truncate(&json!({ "request": request, "result": message }).to_string(), MAX_LOG_CONTENT),
        ),
        // Facts whose message is already logged (the post, the reply) or that are state only.
        Fact::SubDeviceOnline { .. }
        | Fact::SubDeviceOffline { .. }
        | Fact::PropertiesPosted { .. }
        | Fact::EventPosted { .. }
        | Fact::CallReplied { .. }
        | Fact::DiagPosted { .. }
        | Fact::LogLinesPosted { .. }
        | Fact::TopoChanged
        | Fact::DesiredSet { .. }
        // The audit log records who deleted it; the device's run log has nobody to read it.
        | Fact::Removed => return None,
    })
}

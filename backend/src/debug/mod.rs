//! Online debugging over REST (the seed's chapter 2): read and change a device's state, call its
//! services, publish on its custom topics, switch its log upload — `/api/v1/devices/{pk}/{dn}/…`.
//!
//! Every device call answers with one shape, [`CallResult`], whose `code` is the seed's (200,
//! 9201 offline, 9389 gateway offline, 1905 timeout, 6208 disabled, 63xx/5092/5094 refused by
//! the thing model, 9324 throttled, or the device's own reply code). The HTTP status says only
//! whether the request was taken:
//!
//! | HTTP | when | body |
//! |---|---|---|
//! | 200 | the call was made or refused for a device reason: **read `code`** | `CallResult` |
//! | 400 | the request itself is malformed (timeout_ms, qos, mode, topic, JSON) | `ApiError` |
//! | 401/403 | not logged in / below operator (viewer) | `ApiError` |
//! | 404 | no such device | `ApiError` |
//! | 409 | desired: a version given does not match the stored one | `ApiError` |
//!
//! Every call is audited and writes an `ApiService` run-log entry (operation = the Alibaba API's
//! name, status = the code) in the same trace as the downlinks, checks and replies it caused.
//!
//! # Layout
//! - `calls`: property set/get, service calls.
//! - `desired`: desired (expected) property values: query, set, clear.
//! - `publish`: custom-topic publish and the log switch.
//! - `sync`: the job that pushes desired values on every (re)connect and clears them once the
//!   device reports them.

mod calls;
mod desired;
mod publish;
pub mod sync;

use model::alink::{DeviceRef, Reply};
use model::debug::CallResult;
use serde_json::Value;

use crate::auth::session::CurrentUser;
use crate::commands::CallError;
use crate::error::{AppError, AppResult};
use crate::http::openapi::{guarded, ApiRouter};
use crate::hub::{DeviceEvent, Fact};
use crate::state::AppState;
use crate::store;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(guarded!(calls::set_properties))
        .routes(guarded!(calls::get_properties))
        .routes(guarded!(calls::invoke_service))
        .routes(guarded!(desired::query))
        .routes(guarded!(desired::set))
        .routes(guarded!(desired::clear))
        .routes(guarded!(publish::publish))
        .routes(guarded!(publish::log_switch))
        .routes(guarded!(publish::get_log_switch))
}

/// One REST call on one device: its trace, and what it writes when it ends (the `ApiService`
/// run-log entry and the audit row).
struct ApiCall<'a> {
    st: &'a AppState,
    user: &'a CurrentUser,
    device: DeviceRef,
    device_id: i64,
    /// The Alibaba API it corresponds to (the run-log operation).
    api: &'static str,
    /// The audit action.
    action: &'static str,
    request: Value,
    trace: String,
    started: i64,
}

impl<'a> ApiCall<'a> {
    /// Start a call on an existing device (404 otherwise).
    async fn start(
        st: &'a AppState,
        user: &'a CurrentUser,
        (pk, dn): (String, String),
        api: &'static str,
        action: &'static str,
        request: Value,
    ) -> AppResult<ApiCall<'a>> {
        let rec = store::devices::get(&st.db, &pk, &dn)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("device {pk}/{dn}")))?;
        Ok(ApiCall {
            st,
            user,
            device: DeviceRef::new(pk, dn),
            device_id: rec.id,
            api,
            action,
            request,
            trace: st.hub.new_trace(),
            started: st.now(),
        })
    }

    fn target(&self) -> String {
        format!("{}/{}", self.device.pk, self.device.dn)
    }

    /// A request refused before anything was done (400): audited, no run-log entry.
    async fn refuse<T>(&self, e: AppError) -> AppResult<T> {
        let r: AppResult<T> = Err(e);
        crate::audit::record(self.st, &self.user.username, self.action, &self.target(), &r, Some(self.request.clone()))
            .await;
        r
    }

    /// The call's answer: run-log entry (dated when the call started, so it heads its trace)
    /// and audit row (result `ok`, or `code N`).
    async fn finish(
        self,
        code: u32,
        message: String,
        data: Value,
        message_id: Option<String>,
        pending: bool,
    ) -> CallResult {
        let fact = Fact::ApiCalled { api: self.api, request: self.request.to_string(), code, message: message.clone() };
        let ev = DeviceEvent { at: self.started, device: self.device.clone(), trace: self.trace.clone(), fact };
        self.st.hub.publish(ev).await;
        let outcome = if code == 200 { "ok".to_string() } else { format!("code {code}") };
        let mut details = serde_json::json!({ "request": self.request, "trace_id": self.trace });
        if code != 200 {
            details["message"] = Value::String(message.clone());
        }
        let target = self.target();
        let entry = store::audit::NewAudit {
            at: self.st.now(),
            actor: &self.user.username,
            action: self.action,
            target: &target,
            result: &outcome,
            details: Some(details),
        };
        if let Err(e) = store::audit::insert(&self.st.db, entry).await {
            tracing::error!(error = %e, action = self.action, "audit write failed");
        }
        CallResult { code, message, data, trace_id: self.trace, message_id, pending }
    }

    /// The answer to a call that waited for the device's reply.
    async fn replied(self, message_id: String, r: Result<Option<Reply>, CallError>) -> CallResult {
        match r {
            Ok(Some(reply)) => {
                let message = if reply.message.is_empty() {
                    if reply.is_success() {
                        "success".to_string()
                    } else {
                        format!("the device answered {}", reply.code)
                    }
                } else {
                    reply.message.clone()
                };
                self.finish(reply.code, message, reply.data, Some(message_id), false).await
            }
            Ok(None) => {
                let msg = "sent; the device's reply will show in the run log under this trace".to_string();
                self.finish(200, msg, Value::Null, Some(message_id), true).await
            }
            // Only a timeout means the request went out; other failures happen before sending.
            Err(e) => {
                let id = matches!(e, CallError::Timeout).then_some(message_id);
                self.failed(id, &e).await
            }
        }
    }

    async fn failed(self, message_id: Option<String>, e: &CallError) -> CallResult {
        self.finish(e.code(), e.to_string(), Value::Null, message_id, false).await
    }
}

/// A malformed request: 400 with the reason.
fn bad(message: impl Into<String>) -> AppError {
    AppError::validation(message)
}

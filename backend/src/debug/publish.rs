//! A message on one of the device's custom topics (Pub), and the device's log switch.

use axum::extract::{Path, State};
use bytes::Bytes;
use model::debug::{check_log_mode, check_publish, CallResult, LogSwitchRequest, PublishRequest};
use model::error::ApiError;
use serde_json::{json, Value};

use super::{bad, ApiCall};
use crate::auth::guard::{Authorized, Operator, Viewer};
use crate::error::{AppError, AppResult};
use crate::http::json::Json;
use crate::state::AppState;
use crate::store::{self, device_state};

/// Publish on a custom topic (Pub)
///
/// Sends `payload` (UTF-8 text, at most 256 KB) on one of the device's own custom topics,
/// `/{pk}/{dn}/user/…`, at QoS 0 or 1. The device receives it whether or not it subscribed.
///
/// **HTTP 200 carries the outcome in `code`**: 200 handed to the device's session; 9201
/// offline; 9389 gateway offline; 6208 disabled; 9324 throttled.
#[utoipa::path(
    post,
    path = "/api/v1/devices/{pk}/{dn}/publish",
    operation_id = "debug_publish",
    tag = "debug",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    request_body = PublishRequest,
    responses(
        (status = 200, description = "The outcome: read `code` (200, 9201, 9389, 6208, 9324)", body = CallResult),
        (status = 400, description = "A topic outside `/{pk}/{dn}/user/`, qos not 0/1, payload too large, malformed JSON", body = ApiError),
        (status = 404, description = "No such device", body = ApiError),
    ),
)]
pub async fn publish(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(key): Path<(String, String)>,
    Json(req): Json<PublishRequest>,
) -> AppResult<axum::Json<CallResult>> {
    let request = serde_json::to_value(&req).unwrap_or_default();
    let call = ApiCall::start(&st, &user, key, "Pub", "device.publish", request).await?;
    if let Err(e) = check_publish(&call.device.pk, &call.device.dn, &req) {
        return call.refuse(bad(e)).await;
    }
    let device = call.device.clone();
    let payload = Bytes::from(req.payload.into_bytes());
    let r = st.commands.publish_in(&call.trace, &device, &req.topic, payload, req.qos).await;
    let result = match r {
        Ok(()) => call.finish(200, "sent".into(), Value::Null, None, false).await,
        Err(e) => call.failed(None, &e).await,
    };
    Ok(axum::Json(result))
}

/// Switch the device's log upload
///
/// Stores the switch (the device reads it when it connects: `thing.config.log.get`) and pushes
/// `thing.config.log.push` to the device now if it is online. `data` is
/// `{"mode": 0|1, "pushed": bool}`.
///
/// **HTTP 200 carries the outcome in `code`**: 200 stored (pushed now, or read on the next
/// connect); 6208 disabled; 9324 throttled.
#[utoipa::path(
    put,
    path = "/api/v1/devices/{pk}/{dn}/log-switch",
    operation_id = "debug_log_switch",
    tag = "debug",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    request_body = LogSwitchRequest,
    responses(
        (status = 200, description = "The outcome: read `code` (200, 6208, 9324)", body = CallResult),
        (status = 400, description = "mode is not 0 or 1", body = ApiError),
        (status = 404, description = "No such device", body = ApiError),
    ),
)]
pub async fn log_switch(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(key): Path<(String, String)>,
    Json(req): Json<LogSwitchRequest>,
) -> AppResult<axum::Json<CallResult>> {
    let request = serde_json::to_value(req).unwrap_or_default();
    let call = ApiCall::start(&st, &user, key, "SetDeviceLogSwitch", "device.log_switch", request).await?;
    let on = match check_log_mode(req.mode) {
        Ok(on) => on,
        Err(e) => return call.refuse(bad(e)).await,
    };
    let device = call.device.clone();
    let result = match st.commands.set_log_switch_in(&call.trace, &device, on).await {
        Ok(pushed) => {
            let msg =
                if pushed { "switched; pushed to the device" } else { "switched; the device reads it on connect" };
            call.finish(200, msg.into(), json!({ "mode": req.mode, "pushed": pushed }), None, false).await
        }
        Err(e) => call.failed(None, &e).await,
    };
    Ok(axum::Json(result))
}

/// Read the device's log switch
///
/// The stored mode (0 off, also when never set; 1 on) the device reads when it connects, so the
/// device page can show it beside the switch.
#[utoipa::path(
    get,
    path = "/api/v1/devices/{pk}/{dn}/log-switch",
    operation_id = "debug_get_log_switch",
    tag = "debug",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    responses(
        (status = 200, description = "The stored mode", body = LogSwitchRequest),
        (status = 404, description = "No such device", body = ApiError),
    ),
)]
pub async fn get_log_switch(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
) -> AppResult<axum::Json<LogSwitchRequest>> {
    let rec =
        store::devices::get(&st.db, &pk, &dn).await?.ok_or_else(|| AppError::NotFound(format!("device {pk}/{dn}")))?;
    let mode = device_state::log_mode(&st.db, rec.id).await?;
    Ok(axum::Json(LogSwitchRequest { mode }))
}

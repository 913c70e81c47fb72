//! Property set/get and service calls: the device's answer (or the seed's code for why there is
//! none) as a [`CallResult`].

use std::time::Duration;

use axum::extract::{Path, State};
use model::debug::{check_timeout, CallResult, GetPropertiesRequest, InvokeServiceRequest, SetPropertiesRequest};
use model::error::ApiError;
use model::tsl::CallType;
use serde_json::Value;

use super::{bad, ApiCall};
use crate::auth::guard::{Authorized, Operator};
use crate::commands::{DeviceCall, Via};
use crate::error::AppResult;
use crate::http::json::Json;
use crate::state::AppState;

/// Set properties (SetDeviceProperty)
///
/// Sends `thing.service.property.set` and waits up to `timeout_ms` (1,000–8,000, default 5,000)
/// for the device's `set_reply`. Checked against the thing model first: unknown property 5092,
/// read-only 6332, a value outside its type 63xx — nothing is sent then.
///
/// **HTTP 200 carries the outcome in `code`**: 200 the device accepted; 9201 offline; 9389 the
/// gateway of a sub-device is offline; 6208 disabled; 1905 no reply in time; 5092/63xx refused
/// by the thing model; 9324 throttled; any other code is the device's own reply code.
#[utoipa::path(
    post,
    path = "/api/v1/devices/{pk}/{dn}/properties/set",
    operation_id = "debug_set_properties",
    tag = "debug",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    request_body = SetPropertiesRequest,
    responses(
        (status = 200, description = "The call's outcome: read `code` (200, 9201, 9389, 6208, 1905, 5092, 63xx, the device's code)", body = CallResult),
        (status = 400, description = "timeout_ms outside 1,000–8,000, or malformed JSON", body = ApiError),
        (status = 404, description = "No such device", body = ApiError),
    ),
)]
pub async fn set_properties(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(key): Path<(String, String)>,
    Json(req): Json<SetPropertiesRequest>,
) -> AppResult<axum::Json<CallResult>> {
    let request = serde_json::to_value(&req).unwrap_or_default();
    let call = ApiCall::start(&st, &user, key, "SetDeviceProperty", "device.property.set", request).await?;
    let timeout = match check_timeout(req.timeout_ms) {
        Ok(t) => t,
        Err(e) => return call.refuse(bad(e)).await,
    };
    let device = call.device.clone();
    let set = DeviceCall::SetProperties(Value::Object(req.params));
    let wait = Some(Duration::from_millis(timeout));
    let (id, r) = st.commands.call_in(&call.trace, &device, set, Via::Auto, wait).await;
    Ok(axum::Json(call.replied(id, r).await))
}

/// Get properties (the device's own `property/get`)
///
/// Asks the device itself (`thing.service.property.get`) for the named properties and waits up
/// to `timeout_ms` for its answer. Many SDKs do not implement it: 1905 then, and the stored
/// latest values are at `GET /api/v1/devices/{pk}/{dn}/properties`.
///
/// **HTTP 200 carries the outcome in `code`**: 200 with the values in `data`; 9201, 9389, 6208,
/// 1905, 5092 (not a property of the model), or the device's code.
#[utoipa::path(
    post,
    path = "/api/v1/devices/{pk}/{dn}/properties/get",
    operation_id = "debug_get_properties",
    tag = "debug",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    request_body = GetPropertiesRequest,
    responses(
        (status = 200, description = "The call's outcome: read `code` (200 with `data`, 9201, 9389, 6208, 1905, 5092, the device's code)", body = CallResult),
        (status = 400, description = "timeout_ms outside 1,000–8,000, no identifier, or malformed JSON", body = ApiError),
        (status = 404, description = "No such device", body = ApiError),
    ),
)]
pub async fn get_properties(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(key): Path<(String, String)>,
    Json(req): Json<GetPropertiesRequest>,
) -> AppResult<axum::Json<CallResult>> {
    let request = serde_json::to_value(&req).unwrap_or_default();
    let call = ApiCall::start(&st, &user, key, "GetDeviceProperty", "device.property.get", request).await?;
    let timeout = match check_timeout(req.timeout_ms) {
        Ok(t) => t,
        Err(e) => return call.refuse(bad(e)).await,
    };
    if req.identifiers.is_empty() {
        return call.refuse(bad("name at least one property identifier")).await;
    }
    let device = call.device.clone();
    let get = DeviceCall::GetProperties(req.identifiers);
    let wait = Some(Duration::from_millis(timeout));
    let (id, r) = st.commands.call_in(&call.trace, &device, get, Via::Auto, wait).await;
    Ok(axum::Json(call.replied(id, r).await))
}

/// Call a service (InvokeThingService)
///
/// A **sync** service (as the thing model declares it) goes over RRPC (classic RRPC for C 3.x
/// devices) and the answer is awaited up to `timeout_ms` (1,000–8,000, default 5,000). An
/// **async** service returns at once with `pending: true` and the trace id: its `_reply`
/// arrives later and shows in the run log (and the debug log pane) under that trace, with the
/// device's code. The input is checked against the model first (unknown service 5094, missing
/// parameter 6302, unknown parameter 6304, values per type 63xx).
///
/// **HTTP 200 carries the outcome in `code`**: 200 (with the output in `data`, or `pending`);
/// 9201, 9389, 6208, 1905, 5094, 63xx, or the device's code.
#[utoipa::path(
    post,
    path = "/api/v1/devices/{pk}/{dn}/services/{identifier}",
    operation_id = "debug_invoke_service",
    tag = "debug",
    params(
        ("pk" = String, Path, description = "ProductKey"),
        ("dn" = String, Path, description = "DeviceName"),
        ("identifier" = String, Path, description = "The service's identifier (`module:Id` for a custom module)"),
    ),
    request_body = InvokeServiceRequest,
    responses(
        (status = 200, description = "The call's outcome: read `code` (200 with output or `pending`, 9201, 9389, 6208, 1905, 5094, 63xx, the device's code)", body = CallResult),
        (status = 400, description = "timeout_ms outside 1,000–8,000, or malformed JSON", body = ApiError),
        (status = 404, description = "No such device", body = ApiError),
    ),
)]
pub async fn invoke_service(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((pk, dn, identifier)): Path<(String, String, String)>,
    Json(req): Json<InvokeServiceRequest>,
) -> AppResult<axum::Json<CallResult>> {
    let mut request = serde_json::to_value(&req).unwrap_or_default();
    request["identifier"] = Value::String(identifier.clone());
    let call = ApiCall::start(&st, &user, (pk, dn), "InvokeThingService", "device.service.invoke", request).await?;
    let timeout = match check_timeout(req.timeout_ms) {
        Ok(t) => t,
        Err(e) => return call.refuse(bad(e)).await,
    };
    // Async services do not keep the caller waiting; an unknown service is refused by the call
    // itself (5094), so it counts as sync here.
    let is_async = match st.commands.model(&call.device.pk).await {
        Ok(m) => m.service(&identifier).is_some_and(|s| s.call_type == CallType::Async),
        Err(_) => false,
    };
    let device = call.device.clone();
    let params = if req.params.is_null() { Value::Object(Default::default()) } else { req.params };
    let svc = DeviceCall::InvokeService { identifier, params };
    let wait = (!is_async).then(|| Duration::from_millis(timeout));
    let (id, r) = st.commands.call_in(&call.trace, &device, svc, Via::Auto, wait).await;
    Ok(axum::Json(call.replied(id, r).await))
}

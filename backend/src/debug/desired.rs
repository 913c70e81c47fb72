//! Desired (expected) property values: query, set, clear. A set is stored with a version (+1 per
//! set) and pushed as `property/set` to an online device; an offline one gets it on its next
//! connect (`super::sync`), so a device without desired-property support (the Python SDK) still
//! ends up with the value. A value is cleared when the device reports it or deletes it.

use axum::extract::{Path, State};
use model::debug::{check_set, CallResult, ClearDesiredResult, DesiredList, DesiredValue, SetDesiredRequest};
use model::error::ApiError;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;

use super::ApiCall;
use crate::auth::guard::{Authorized, Operator, Viewer};
use crate::commands::{CallError, DeviceCall, Via};
use crate::error::{AppError, AppResult};
use crate::http::json::Json;
use crate::http::query::Query;
use crate::hub::Fact;
use crate::state::AppState;
use crate::store::{self, device_state};

fn item(d: device_state::Desired) -> DesiredValue {
    DesiredValue { identifier: d.identifier, value: d.value, version: d.version, set_at: d.time }
}

/// Query desired values (QueryDeviceDesiredProperty)
///
/// Every desired value still waiting for the device, by identifier, with its version.
#[utoipa::path(
    get,
    path = "/api/v1/devices/{pk}/{dn}/desired",
    operation_id = "debug_query_desired",
    tag = "debug",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    responses((status = 200, body = DesiredList), (status = 404, description = "No such device", body = ApiError)),
)]
pub async fn query(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
) -> AppResult<axum::Json<DesiredList>> {
    let rec =
        store::devices::get(&st.db, &pk, &dn).await?.ok_or_else(|| AppError::NotFound(format!("device {pk}/{dn}")))?;
    let items = device_state::get_desired(&st.db, rec.id, &[]).await?.into_iter().map(item).collect();
    Ok(axum::Json(DesiredList { items }))
}

/// Set desired values (SetDeviceDesiredProperty)
///
/// Stores each value with its version (+1 per set; `versions` makes it conditional on the
/// stored version, 0 for none) and pushes `property/set` to the device now if it is online
/// (`pending: true`: its reply shows in the run log under `trace_id`); otherwise on its next
/// connect. `data` is `{"items": [DesiredValue…]}` with the new versions.
///
/// **HTTP 200 carries the outcome in `code`**: 200 stored (sent now, or when the device
/// connects); 5092/6332/63xx refused by the thing model (read-only property 6332) — nothing is
/// stored then; 6208 or 9324 stored but not sent now.
#[utoipa::path(
    put,
    path = "/api/v1/devices/{pk}/{dn}/desired",
    operation_id = "debug_set_desired",
    tag = "debug",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    request_body = SetDesiredRequest,
    responses(
        (status = 200, description = "Stored (read `code`: 200, 5092, 6332, 63xx; 6208/9324 stored but not sent)", body = CallResult),
        (status = 400, description = "Malformed JSON or version", body = ApiError),
        (status = 404, description = "No such device", body = ApiError),
        (status = 409, description = "A version given is not the stored one (`conflict`)", body = ApiError),
    ),
)]
pub async fn set(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(key): Path<(String, String)>,
    Json(req): Json<SetDesiredRequest>,
) -> AppResult<axum::Json<CallResult>> {
    let request = serde_json::to_value(&req).unwrap_or_default();
    let call = ApiCall::start(&st, &user, key, "SetDeviceDesiredProperty", "device.desired.set", request).await?;
    let model = match st.commands.model(&call.device.pk).await {
        Ok(m) => m,
        Err(e) => return Ok(axum::Json(call.failed(None, &e).await)),
    };
    if let Err(errs) = check_set(&*model, &req.params) {
        let e = CallError::Invalid(errs);
        return Ok(axum::Json(call.failed(None, &e).await));
    }
    if let Some(versions) = &req.versions {
        let stored = device_state::get_desired(&st.db, call.device_id, &[]).await?;
        for (id, want) in versions {
            let Some(want) = want.as_i64() else {
                return call.refuse(super::bad(format!("the version of {id} must be a number"))).await;
            };
            let have = stored.iter().find(|d| &d.identifier == id).map_or(0, |d| d.version);
            if have != want {
                let e = AppError::Conflict(format!("{id} is at version {have}, not {want}"));
                return call.refuse(e).await;
            }
        }
    }
    let now = st.now();
    let mut items = Vec::with_capacity(req.params.len());
    for (id, value) in &req.params {
        let version = device_state::set_desired(&st.db, call.device_id, id, value, now).await?;
        items.push(DesiredValue { identifier: id.clone(), value: value.clone(), version, set_at: now });
    }
    // The sync job now watches this device's posts (and its next connect).
    st.hub.emit(&call.device, Some(&call.trace), Fact::DesiredSet { device_id: call.device_id }).await;
    let data = json!({ "items": items });
    let device = call.device.clone();
    let push = DeviceCall::SetProperties(Value::Object(req.params));
    let (id, r) = st.commands.call_in(&call.trace, &device, push, Via::Auto, None).await;
    let result = match r {
        Ok(_) => {
            let msg = "stored and sent to the device; its reply shows under this trace".to_string();
            call.finish(200, msg, data, Some(id), true).await
        }
        Err(CallError::Offline | CallError::GatewayOffline) => {
            let msg = "stored; the device is offline and gets the values when it connects".to_string();
            call.finish(200, msg, data, None, false).await
        }
        Err(e) => {
            let msg = format!("stored, but not sent now: {e}");
            call.finish(e.code(), msg, data, None, false).await
        }
    };
    Ok(axum::Json(result))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClearQuery {
    /// Comma-separated identifiers; none = all.
    pub identifiers: Option<String>,
}

/// Clear desired values (ClearDeviceDesiredProperty)
///
/// Deletes the named desired values (all when none is named); `cleared` lists those that
/// existed.
#[utoipa::path(
    delete,
    path = "/api/v1/devices/{pk}/{dn}/desired",
    operation_id = "debug_clear_desired",
    tag = "debug",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName"), ClearQuery),
    responses((status = 200, body = ClearDesiredResult), (status = 404, description = "No such device", body = ApiError)),
)]
pub async fn clear(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(key): Path<(String, String)>,
    Query(q): Query<ClearQuery>,
) -> AppResult<axum::Json<ClearDesiredResult>> {
    let named: Vec<String> = q
        .identifiers
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let request = json!({ "identifiers": named });
    let call = ApiCall::start(&st, &user, key, "ClearDeviceDesiredProperty", "device.desired.clear", request).await?;
    let ids = if named.is_empty() {
        device_state::get_desired(&st.db, call.device_id, &[]).await?.into_iter().map(|d| d.identifier).collect()
    } else {
        named
    };
    let mut cleared = Vec::new();
    for id in ids {
        if device_state::delete_desired(&st.db, call.device_id, &id, None).await? {
            cleared.push(id);
        }
    }
    let msg = format!("cleared {}", cleared.join(", "));
    call.finish(200, msg, json!({ "cleared": cleared }), None, false).await;
    Ok(axum::Json(ClearDesiredResult { cleared }))
}

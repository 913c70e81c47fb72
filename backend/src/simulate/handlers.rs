//! The Device Simulation page over REST: `/api/v1/simulate/{pk}/{dn}…`. Operator role; every
//! write is audited. Values are validated by `model::tsl` before anything is sent, with the
//! seed's codes.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use devclient::QoS;
use model::error::ApiError;
use model::simulate::{
    check_custom_topic, CustomPublish, EventSubmission, PropertySubmission, SimulationStatus, StartSimulation,
    Subscription,
};
use model::tsl::{validate, Tsl};
use serde_json::{json, Value};
use std::sync::Arc;

use super::device::Command;
use super::manual::{self, Manual, Push};
use crate::audit;
use crate::auth::guard::{Authorized, Operator, Viewer};
use crate::error::{AppError, AppResult};
use crate::http::json::Json;
use crate::http::openapi::{guarded, ApiRouter};
use crate::state::AppState;
use model::alink::DeviceRef;

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(guarded!(status))
        .routes(guarded!(start))
        .routes(guarded!(stop))
        .routes(guarded!(publish))
        .routes(guarded!(properties))
        .routes(guarded!(event))
        .routes(guarded!(subscribe))
}

fn running(st: &AppState, pk: &str, dn: &str) -> AppResult<Arc<Manual>> {
    st.simulators
        .manual(&DeviceRef::new(pk, dn))
        .ok_or_else(|| AppError::NotFound(format!("simulator of {pk}/{dn} (start it first)")))
}

fn target(pk: &str, dn: &str) -> String {
    format!("{pk}/{dn}")
}

/// A simulator's status and message pane
///
/// An operator asking renews the page's lease: an unpinned simulator nobody asks about for
/// 30 s stops. Viewers may look without keeping it alive.
#[utoipa::path(
    get,
    path = "/api/v1/simulate/{pk}/{dn}",
    operation_id = "simulation_status",
    tag = "simulate",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    responses((status = 200, body = SimulationStatus)),
)]
pub async fn status(
    user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
) -> AppResult<axum::Json<SimulationStatus>> {
    Ok(axum::Json(match st.simulators.manual(&DeviceRef::new(&pk, &dn)) {
        Some(m) => {
            if user.user.role.allows(model::auth::Role::Operator) {
                m.seen();
            }
            m.status()
        }
        None => SimulationStatus {
            running: false,
            pinned: false,
            policy: None,
            pushes: 0,
            pushes_left: 0,
            lines: Vec::new(),
        },
    }))
}

/// Start device simulation
///
/// Refused (409) when the physical device is online or disabled, or when its product's data
/// format is custom. A demo-fleet device is taken over from the fleet.
#[utoipa::path(
    post,
    path = "/api/v1/simulate/{pk}/{dn}/start",
    operation_id = "start_simulation",
    tag = "simulate",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    request_body = StartSimulation,
    responses(
        (status = 200, body = SimulationStatus),
        (status = 404, description = "No such device", body = ApiError),
        (status = 409, description = "Online, disabled or a custom data format", body = ApiError),
    ),
)]
pub async fn start(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
    Json(req): Json<StartSimulation>,
) -> AppResult<axum::Json<SimulationStatus>> {
    let details = json!({"pinned": req.pinned});
    audit::audited(&st, &user, "simulate.start", &target(&pk, &dn), Some(details), async {
        let m = manual::start(&st, &pk, &dn, req.pinned).await?;
        Ok(axum::Json(m.status()))
    })
    .await
}

/// Stop device simulation
#[utoipa::path(
    post,
    path = "/api/v1/simulate/{pk}/{dn}/stop",
    operation_id = "stop_simulation",
    tag = "simulate",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    responses((status = 204, description = "Stopped (or was not running)")),
)]
pub async fn stop(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    audit::audited(&st, &user, "simulate.stop", &target(&pk, &dn), None, async {
        if let Some(m) = st.simulators.manual(&DeviceRef::new(&pk, &dn)) {
            m.stop();
        }
        Ok(StatusCode::NO_CONTENT)
    })
    .await
}

/// Upstream: publish on a custom topic
#[utoipa::path(
    post,
    path = "/api/v1/simulate/{pk}/{dn}/publish",
    operation_id = "simulation_publish",
    tag = "simulate",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    request_body = CustomPublish,
    responses(
        (status = 202, description = "Sent"),
        (status = 400, description = "Not a custom topic of this device, or QoS not 0/1", body = ApiError),
        (status = 404, description = "The simulator is not running", body = ApiError),
    ),
)]
pub async fn publish(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
    Json(req): Json<CustomPublish>,
) -> AppResult<StatusCode> {
    let details = json!({"topic": req.topic, "qos": req.qos});
    audit::audited(&st, &user, "simulate.publish", &target(&pk, &dn), Some(details), async {
        check_custom_topic(&pk, &dn, &req.topic).map_err(AppError::validation)?;
        let qos = match req.qos {
            0 => QoS::AtMostOnce,
            1 => QoS::AtLeastOnce,
            q => return Err(AppError::validation(format!("QoS is 0 or 1, not {q}"))),
        };
        let m = running(&st, &pk, &dn)?;
        m.send(Command::Publish { topic: req.topic.clone(), payload: req.payload.clone(), qos }).await?;
        Ok(StatusCode::ACCEPTED)
    })
    .await
}

/// Sends `push` now, or makes it the simulator's push policy (the last policy replaces the one
/// before, as the seed says) once the policy is within the seed's limits.
async fn push_now_or_by_policy(
    st: &AppState,
    m: &Manual,
    policy: Option<model::simulate::PushPolicy>,
    push: Push,
) -> AppResult<StatusCode> {
    match policy {
        Some(p) => {
            p.check(st.now()).map_err(|e| AppError::validation(e.to_string()))?;
            m.set_policy(p, push);
        }
        None => m.send(push.command()).await?,
    }
    Ok(StatusCode::ACCEPTED)
}

/// Upstream: property submission, now or by a push policy
#[utoipa::path(
    post,
    path = "/api/v1/simulate/{pk}/{dn}/properties",
    operation_id = "simulation_properties",
    tag = "simulate",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    request_body = PropertySubmission,
    responses(
        (status = 202, description = "Sent, or the policy set (it replaces the previous one)"),
        (status = 400, description = "A value that does not fit the thing model (the seed's code), or a policy beyond the limits", body = ApiError),
        (status = 404, description = "The simulator is not running", body = ApiError),
    ),
)]
pub async fn properties(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
    Json(req): Json<PropertySubmission>,
) -> AppResult<StatusCode> {
    let details = json!({"values": req.values, "policy": req.policy});
    audit::audited(&st, &user, "simulate.properties", &target(&pk, &dn), Some(details), async {
        let m = running(&st, &pk, &dn)?;
        if req.values.is_empty() {
            return Err(AppError::validation("no property to submit"));
        }
        let checked = validate::validate_property_post(&Tsl::new((*m.model).clone()), &req.values)
            .map_err(|e| AppError::coded(e.code, e.message))?;
        if let Some(e) = checked.first_error() {
            return Err(AppError::coded(e.code, e.message.clone()));
        }
        push_now_or_by_policy(&st, &m, req.policy, Push::Properties(req.values.clone())).await
    })
    .await
}

/// Upstream: event submission, now or by a push policy
#[utoipa::path(
    post,
    path = "/api/v1/simulate/{pk}/{dn}/event",
    operation_id = "simulation_event",
    tag = "simulate",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    request_body = EventSubmission,
    responses(
        (status = 202, description = "Sent, or the policy set (it replaces the previous one)"),
        (status = 400, description = "An unknown event or bad output values (the seed's code), or a policy beyond the limits", body = ApiError),
        (status = 404, description = "The simulator is not running", body = ApiError),
    ),
)]
pub async fn event(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
    Json(req): Json<EventSubmission>,
) -> AppResult<StatusCode> {
    let details = json!({"event": req.event, "params": req.params, "policy": req.policy});
    audit::audited(&st, &user, "simulate.event", &target(&pk, &dn), Some(details), async {
        let m = running(&st, &pk, &dn)?;
        let params = Value::Object(req.params.clone());
        if req.event == model::tsl::types::BUILTIN_POST {
            return Err(AppError::validation("the property post is submitted as properties"));
        }
        validate::validate_event(&Tsl::new((*m.model).clone()), &req.event, &params).map_err(|e| match e.first() {
            Some(e) => AppError::coded(e.code, e.message.clone()),
            None => AppError::validation("bad event"),
        })?;
        push_now_or_by_policy(&st, &m, req.policy, Push::Event { id: req.event.clone(), params }).await
    })
    .await
}

/// Downstream: subscribe the simulator to a topic
///
/// What arrives shows in the message pane.
#[utoipa::path(
    post,
    path = "/api/v1/simulate/{pk}/{dn}/subscribe",
    operation_id = "simulation_subscribe",
    tag = "simulate",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    request_body = Subscription,
    responses(
        (status = 200, description = "Subscribed"),
        (status = 400, description = "The broker refused the topic (not this device's)", body = ApiError),
        (status = 404, description = "The simulator is not running", body = ApiError),
    ),
)]
pub async fn subscribe(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
    Json(req): Json<Subscription>,
) -> AppResult<StatusCode> {
    let details = json!({"topic": req.topic});
    audit::audited(&st, &user, "simulate.subscribe", &target(&pk, &dn), Some(details), async {
        let m = running(&st, &pk, &dn)?;
        if req.topic.trim().is_empty() {
            return Err(AppError::validation("a topic to subscribe to"));
        }
        let (done, answer) = tokio::sync::oneshot::channel();
        m.send(Command::Subscribe { topic: req.topic.clone(), done }).await?;
        match answer.await {
            Ok(Ok(())) => Ok(StatusCode::OK),
            Ok(Err(e)) => Err(AppError::validation(e)),
            Err(_) => Err(AppError::Conflict("the simulator has stopped".into())),
        }
    })
    .await
}

//! A group's devices: the list (the device list's own query, so rows carry live status), and
//! adding or removing devices by (ProductKey, DeviceName), as JSON or as a CSV of names.

use std::collections::HashSet;

use axum::extract::rejection::StringRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use model::error::{ApiError, Page};
use model::groups::{
    parse_member_csv, Group, GroupDevicesQuery, MemberChange, MemberOutcome, MemberRef, MemberReport, MemberResult,
    MAX_MEMBERS_PER_REQUEST,
};
use model::registry::{CsvRowError, Device, DeviceQuery};

use super::find;
use crate::audit;
use crate::auth::guard::{Authorized, Operator, Viewer};
use crate::error::{AppError, AppResult};
use crate::http::json::Json;
use crate::http::query::Query;
use crate::state::AppState;
use crate::store;

/// The largest CSV body: 10,000 lines of `ProductKey,DeviceName` are under 700 kB.
pub const MAX_CSV_BODY: usize = 2 << 20;

/// A group's devices
///
/// The device list's filters and rows (status included) for the devices of this group.
#[utoipa::path(
    get,
    path = "/api/v1/groups/{id}/devices",
    operation_id = "list_group_devices",
    tag = "groups",
    params(("id" = i64, Path, description = "The group's id"), GroupDevicesQuery),
    responses(
        (status = 200, body = Page<Device>),
        (status = 400, description = "A malformed query or id", body = ApiError),
        (status = 404, description = "No such group", body = ApiError),
    ),
)]
pub async fn list(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<GroupDevicesQuery>,
) -> AppResult<axum::Json<Page<Device>>> {
    let g = find(&st, &id).await?;
    let q = DeviceQuery {
        product_key: None,
        q: q.q,
        status: q.status,
        group: Some(g.name),
        page: q.page,
        page_size: q.page_size,
    };
    Ok(axum::Json(store::devices::list(&st.db, &q).await?))
}

/// Add devices to a group
///
/// Each named device is reported: `added`, `already_member`, or `unknown_device`; one unknown
/// name does not stop the others.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/devices",
    operation_id = "add_group_devices",
    tag = "groups",
    params(("id" = i64, Path, description = "The group's id")),
    request_body = MemberChange,
    responses(
        (status = 200, description = "What happened to each device", body = MemberReport),
        (status = 400, description = "More than 10,000 devices (`too_many_items`) or a malformed body", body = ApiError),
        (status = 404, description = "No such group", body = ApiError),
    ),
)]
pub async fn add(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(id): Path<String>,
    Json(req): Json<MemberChange>,
) -> AppResult<axum::Json<MemberReport>> {
    audited_change(&st, &user, "group.devices.add", &id, req.devices, Vec::new(), true).await
}

/// Add devices to a group from CSV
///
/// The body is `ProductKey,DeviceName` lines, an optional header first. Lines that are not two
/// names are reported in `errors` by line; the others are added as with the JSON form.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/devices/csv",
    operation_id = "add_group_devices_csv",
    tag = "groups",
    params(("id" = i64, Path, description = "The group's id")),
    request_body(content = String, content_type = "text/csv", description = "At most 10,000 lines"),
    responses(
        (status = 200, description = "What happened to each device and every bad line", body = MemberReport),
        (status = 400, description = "No device lines, more than 10,000 (`too_many_items`), or not UTF-8", body = ApiError),
        (status = 404, description = "No such group", body = ApiError),
        (status = 413, description = "Larger than 2 MiB", body = ApiError),
    ),
)]
pub async fn add_csv(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Result<String, StringRejection>,
) -> AppResult<axum::Json<MemberReport>> {
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::validation(format!("the file must be UTF-8 text: {}", e.body_text()))
        }
    })?;
    let (rows, errors) = parse_member_csv(&body);
    if rows.is_empty() && errors.is_empty() {
        return Err(AppError::validation("the file has no device lines"));
    }
    audited_change(&st, &user, "group.devices.add", &id, rows, errors, true).await
}

/// Remove devices from a group
///
/// Each named device is reported: `removed`, `not_member`, or `unknown_device`. The devices
/// themselves stay in the registry.
#[utoipa::path(
    post,
    path = "/api/v1/groups/{id}/devices/remove",
    operation_id = "remove_group_devices",
    tag = "groups",
    params(("id" = i64, Path, description = "The group's id")),
    request_body = MemberChange,
    responses(
        (status = 200, description = "What happened to each device", body = MemberReport),
        (status = 400, description = "More than 10,000 devices (`too_many_items`) or a malformed body", body = ApiError),
        (status = 404, description = "No such group", body = ApiError),
    ),
)]
pub async fn remove_many(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path(id): Path<String>,
    Json(req): Json<MemberChange>,
) -> AppResult<axum::Json<MemberReport>> {
    audited_change(&st, &user, "group.devices.remove", &id, req.devices, Vec::new(), false).await
}

/// Remove one device from a group
#[utoipa::path(
    delete,
    path = "/api/v1/groups/{id}/devices/{pk}/{dn}",
    operation_id = "remove_group_device",
    tag = "groups",
    params(
        ("id" = i64, Path, description = "The group's id"),
        ("pk" = String, Path, description = "ProductKey"),
        ("dn" = String, Path, description = "DeviceName"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such group, no such device, or the device is not in the group", body = ApiError),
    ),
)]
pub async fn remove_one(
    user: Authorized<Operator>,
    State(st): State<AppState>,
    Path((id, pk, dn)): Path<(String, String, String)>,
) -> AppResult<StatusCode> {
    let target = format!("group/{id}");
    let details = Some(serde_json::json!({ "device": format!("{pk}/{dn}") }));
    audit::audited(&st, &user, "group.devices.remove", &target, details, async {
        let g = find(&st, &id).await?;
        let one = MemberRef { product_key: pk.clone(), device_name: dn.clone() };
        let report = change(&st, &g, vec![one], Vec::new(), false).await?;
        match report.results.first().map(|r| r.outcome) {
            Some(MemberOutcome::Removed) => Ok(StatusCode::NO_CONTENT),
            Some(MemberOutcome::NotMember) => Err(AppError::NotFound(format!("device {pk}/{dn} in group {}", g.name))),
            _ => Err(AppError::NotFound(format!("device {pk}/{dn}"))),
        }
    })
    .await
}

/// Find the group, apply the change, audit it with its counts.
async fn audited_change(
    st: &AppState,
    user: &crate::auth::session::CurrentUser,
    action: &str,
    id: &str,
    devices: Vec<MemberRef>,
    errors: Vec<CsvRowError>,
    adding: bool,
) -> AppResult<axum::Json<MemberReport>> {
    let result = async {
        let g = find(st, id).await?;
        change(st, &g, devices, errors, adding).await
    }
    .await;
    let details = result.as_ref().ok().map(|r| {
        serde_json::json!({
            "added": r.added, "removed": r.removed, "already_member": r.already_member,
            "not_member": r.not_member, "unknown_device": r.unknown_device, "bad_lines": r.errors.len(),
        })
    });
    audit::record(st, &user.username, action, &format!("group/{id}"), &result, details).await;
    result.map(axum::Json)
}

/// Add (or remove) the named devices; every name gets an outcome, in request order.
async fn change(
    st: &AppState,
    g: &Group,
    devices: Vec<MemberRef>,
    errors: Vec<CsvRowError>,
    adding: bool,
) -> AppResult<MemberReport> {
    if devices.len() > MAX_MEMBERS_PER_REQUEST {
        return Err(AppError::Validation {
            code: "too_many_items".into(),
            message: format!(
                "{} devices in one request; at most {MAX_MEMBERS_PER_REQUEST} (split the list)",
                devices.len()
            ),
            details: Some(serde_json::json!({ "max": MAX_MEMBERS_PER_REQUEST, "given": devices.len() })),
        });
    }
    let ids = store::groups::device_ids(&st.db, &devices).await?;
    let known: Vec<i64> = ids.values().copied().collect();
    let members = store::groups::members_among(&st.db, g.id, &known).await?;
    let mut seen = HashSet::new();
    let mut to_change = Vec::new();
    // (result index, device id) of each result that this request means to change.
    let mut changing = Vec::new();
    let mut results = Vec::with_capacity(devices.len());
    for d in devices {
        let outcome = match ids.get(&(d.product_key.clone(), d.device_name.clone())) {
            None => MemberOutcome::UnknownDevice,
            Some(&id) => {
                let first = seen.insert(id);
                match (adding, members.contains(&id), first) {
                    (true, false, true) => {
                        to_change.push(id);
                        changing.push((results.len(), id));
                        MemberOutcome::Added
                    }
                    (true, _, _) => MemberOutcome::AlreadyMember,
                    (false, true, true) => {
                        to_change.push(id);
                        changing.push((results.len(), id));
                        MemberOutcome::Removed
                    }
                    (false, _, _) => MemberOutcome::NotMember,
                }
            }
        };
        results.push(MemberResult { product_key: d.product_key, device_name: d.device_name, outcome });
    }
    // The read above is only a plan: a request racing this one may have added or removed the
    // same device since. The store says which rows this request really changed.
    let (done, lost_race) = if adding {
        (store::groups::add_members(&st.db, g.id, &to_change, st.now()).await?, MemberOutcome::AlreadyMember)
    } else {
        (store::groups::remove_members(&st.db, g.id, &to_change).await?, MemberOutcome::NotMember)
    };
    for (i, id) in changing {
        if !done.contains(&id) {
            results[i].outcome = lost_race;
        }
    }
    Ok(MemberReport::of(results, errors))
}

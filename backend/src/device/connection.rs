//! `GET /api/v1/devices/{pk}/{dn}/connection`: what to type into a device (or a test client)
//! to connect it.
//!
//! Who sees what: the DeviceSecret is shown to operators and admins only (`…/secret` is
//! operator-guarded and audited). A signed password is as good as the secret for logging in
//! (the C SDKs' timestamp never changes), so the same rule holds here: any signed-in user gets
//! the address, clientIds and usernames; operators also get the passwords, and that view is
//! audited like a secret view. Viewers get the answer with `secret_visible: false` and no
//! passwords (redacted, not 403: the rest is what an installer needs and is not secret).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use model::auth::Role;
use model::device::connection::{ConnectionInput, ConnectionParams};
use model::error::ApiError;
use model::tsl::ThingModel;
use serde_json::{Map, Value};

use crate::audit;
use crate::auth::guard::{Authorized, Viewer};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store;

/// Connection parameters of a device
///
/// The broker address devices use, and for the Python Link SDK, C SDK 4.x and C SDK 3.x the
/// clientId, username and signed password they send, with `mosquitto_pub` and paho-mqtt
/// examples that post one property. Passwords are included for operators and admins only (the
/// view is audited); viewers get them absent and `secret_visible: false`.
#[utoipa::path(
    get,
    path = "/api/v1/devices/{pk}/{dn}/connection",
    operation_id = "get_device_connection",
    tag = "devices",
    params(("pk" = String, Path, description = "ProductKey"), ("dn" = String, Path, description = "DeviceName")),
    responses((status = 200, body = ConnectionParams), (status = 404, description = "No such device", body = ApiError)),
)]
pub async fn connection(
    user: Authorized<Viewer>,
    State(st): State<AppState>,
    Path((pk, dn)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<axum::Json<ConnectionParams>> {
    let rec =
        store::devices::get(&st.db, &pk, &dn).await?.ok_or_else(|| AppError::NotFound(format!("device {pk}/{dn}")))?;
    let example_params = match store::products::get(&st.db, &pk).await? {
        Some(p) => example_params(&p.tsl),
        None => Value::Object(Map::new()),
    };
    let may_see_secret = user.role.allows(Role::Operator);
    let broker = super::broker::address(&st.settings, &headers);
    let params = ConnectionParams::build(ConnectionInput {
        product_key: &pk,
        device_name: &dn,
        secret: may_see_secret.then_some(rec.device_secret.as_str()),
        host: &broker.host,
        port: broker.port,
        tls_port: broker.tls_port,
        configured: broker.configured,
        now_ms: st.now(),
        example_params,
    });
    if may_see_secret {
        let target = format!("{pk}/{dn}");
        audit::record(&st, &user.username, "device.connection.view", &target, &Ok::<(), AppError>(()), None).await;
    }
    Ok(axum::Json(params))
}

/// `{"<first property>": <an example value>}` from the stored thing model, so the example post
/// passes validation; `{}` when the model has no properties (or cannot be read).
fn example_params(tsl: &str) -> Value {
    let mut m = Map::new();
    if let Some(p) = serde_json::from_str::<ThingModel>(tsl).ok().and_then(|t| t.properties.into_iter().next()) {
        m.insert(p.identifier, p.data_type.example_value());
    }
    Value::Object(m)
}

//! The audit log: recording mutating actions, and the admin's view of them.

use crate::http::query::Query;
use axum::extract::State;
use axum::Json;
use model::audit::{AuditEntry, AuditQuery};
use model::error::{ApiError, Page};

use crate::auth::guard::{Admin, Authorized};
use crate::auth::session::CurrentUser;
use crate::error::AppResult;
use crate::http::openapi::{guarded, ApiRouter};
use crate::state::AppState;
use crate::store;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(guarded!(list))
}

/// Search the audit log
///
/// Newest first; `since`/`until` are milliseconds since the epoch.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    operation_id = "search_audit",
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, body = Page<AuditEntry>),
        (status = 400, description = "A malformed query (`invalid_query`)", body = ApiError),
    ),
)]
async fn list(
    _user: Authorized<Admin>,
    State(st): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> AppResult<Json<Page<AuditEntry>>> {
    Ok(Json(store::audit::query(&st.db, &q).await?))
}

/// Record what a user did and how it ended. A failure to write the audit row is logged, not
/// returned: the action itself already happened.
pub async fn record<T>(
    st: &AppState,
    actor: &str,
    action: &str,
    target: &str,
    result: &AppResult<T>,
    details: Option<serde_json::Value>,
) {
    let outcome = match result {
        Ok(_) => "ok".to_string(),
        Err(e) => e.body().code,
    };
    let entry = store::audit::NewAudit { at: st.now(), actor, action, target, result: &outcome, details };
    if let Err(e) = store::audit::insert(&st.db, entry).await {
        tracing::error!(error = %e, action, target, "audit write failed");
    }
}

/// Run a mutating action and audit it, whatever its outcome.
pub async fn audited<T, F>(
    st: &AppState,
    user: &CurrentUser,
    action: &str,
    target: &str,
    details: Option<serde_json::Value>,
    f: F,
) -> AppResult<T>
where
    F: std::future::Future<Output = AppResult<T>>,
{
    let result = f.await;
    record(st, &user.username, action, target, &result, details).await;
    result
}

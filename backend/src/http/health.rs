//! `/healthz` (the process answers) and `/readyz` (the database answers and no background job
//! has failed), plus `/api/v1/info`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use model::device::connection::BrokerAddress;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::openapi::{public, ApiRouter};
use crate::jobs::{JobState, JobStatus};
use crate::state::AppState;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(public!(healthz)).routes(public!(readyz)).routes(public!(info))
}

/// Liveness: the process answers
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "system",
    responses((status = 200, description = "`ok`", body = String, content_type = "text/plain")),
)]
async fn healthz() -> &'static str {
    "ok"
}

/// What `/readyz` says: whether the database answers and every background job is alive.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`, or what is wrong: `database unavailable`, `jobs failed`.
    pub status: String,
    /// Whether the database answered a query.
    pub database: bool,
    /// Every background job (store writer, uplink router, watches, …) and its state.
    pub jobs: Vec<JobStatus>,
}

/// Readiness: the database answers and no background job has failed
///
/// A job that is restarting after a failure still counts as alive (it comes back by itself);
/// one that has failed for good does not, and its message is in `jobs`.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "system",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "The database does not answer or a job has failed", body = Readiness),
    ),
)]
async fn readyz(State(st): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let database = st.db.ping().await;
    let jobs = st.jobs.status();
    let failed = jobs.iter().any(|j| matches!(j.state, JobState::Failed { .. }));
    let (code, status) = match (database, failed) {
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
        (true, true) => (StatusCode::SERVICE_UNAVAILABLE, "jobs failed"),
        (true, false) => (StatusCode::OK, "ready"),
    };
    (code, Json(Readiness { status: status.into(), database, jobs }))
}

/// What the browser needs before login.
#[derive(Debug, Serialize, ToSchema)]
pub struct Info {
    /// The server's version.
    pub version: String,
    /// The port devices connect to with MQTT.
    pub mqtt_port: u16,
    /// Whether the server runs with demo data.
    pub demo: bool,
    /// Where devices connect (`--mqtt-public`, else this request's host and the MQTT ports).
    pub broker: BrokerAddress,
}

/// Version, MQTT port, demo mode
#[utoipa::path(
    get,
    path = "/api/v1/info",
    operation_id = "info",
    tag = "system",
    responses((status = 200, body = Info)),
)]
async fn info(State(st): State<AppState>, headers: HeaderMap) -> Json<Info> {
    let broker = crate::device::broker::address(&st.settings, &headers);
    Json(Info {
        version: env!("CARGO_PKG_VERSION").into(),
        mqtt_port: st.settings.mqtt.port(),
        demo: st.settings.demo,
        broker,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::FakeClock;
    use crate::config::Settings;
    use crate::jobs::Stage;

    async fn state(dir: &tempfile::TempDir) -> AppState {
        let settings = Settings::for_test(dir.path().to_path_buf());
        let db = crate::store::connect(&settings.database_url).await.unwrap();
        AppState::new(db, Arc::new(FakeClock::new(0)), settings)
    }

    #[tokio::test]
    async fn a_failed_job_makes_the_server_unready_and_says_which() {
        let dir = tempfile::tempdir().unwrap();
        let st = state(&dir).await;
        st.jobs
            .spawn("purge", Stage::Consumers, crate::jobs::Restart::default(), |cancel| async move {
                cancel.cancelled().await;
                Ok(())
            })
            .unwrap();
        let (code, Json(r)) = readyz(State(st.clone())).await;
        assert_eq!((code, r.status.as_str(), r.database), (StatusCode::OK, "ready", true));
        assert_eq!(r.jobs.len(), 1);

        st.jobs.spawn_once("import", Stage::Processing, |_| async { anyhow::bail!("disk full") }).unwrap();
        let give_up = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !st.jobs.status().iter().any(|j| matches!(j.state, JobState::Failed { .. })) {
            assert!(std::time::Instant::now() < give_up, "the job never failed");
            tokio::task::yield_now().await;
        }
        let (code, Json(r)) = readyz(State(st.clone())).await;
        assert_eq!((code, r.status.as_str()), (StatusCode::SERVICE_UNAVAILABLE, "jobs failed"));
        let import = r.jobs.iter().find(|j| j.name == "import").unwrap();
        assert_eq!(import.state, JobState::Failed { message: "disk full".into() });

        st.db.close().await;
        let (code, Json(r)) = readyz(State(st)).await;
        assert_eq!(
            (code, r.status.as_str(), r.database),
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable", false)
        );
    }
}

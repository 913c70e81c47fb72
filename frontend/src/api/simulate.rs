//! The Device Simulation page's REST calls (`/api/v1/simulate/{pk}/{dn}…`).

use model::simulate::{
    CustomPublish, EventSubmission, PropertySubmission, SimulationStatus, StartSimulation, Subscription,
};

use super::client::{self, ApiResult};
use crate::util::enc;

fn base(pk: &str, dn: &str) -> String {
    format!("/simulate/{}/{}", enc(pk), enc(dn))
}

/// The status and message pane; asking keeps an unpinned simulator alive.
pub async fn status(pk: &str, dn: &str) -> ApiResult<SimulationStatus> {
    client::get(&base(pk, dn)).await
}

pub async fn start(pk: &str, dn: &str, pinned: bool) -> ApiResult<SimulationStatus> {
    client::post(&format!("{}/start", base(pk, dn)), &StartSimulation { pinned }).await
}

pub async fn stop(pk: &str, dn: &str) -> ApiResult<()> {
    client::post_empty(&format!("{}/stop", base(pk, dn))).await
}

pub async fn publish(pk: &str, dn: &str, req: &CustomPublish) -> ApiResult<()> {
    client::post(&format!("{}/publish", base(pk, dn)), req).await
}

pub async fn properties(pk: &str, dn: &str, req: &PropertySubmission) -> ApiResult<()> {
    client::post(&format!("{}/properties", base(pk, dn)), req).await
}

pub async fn event(pk: &str, dn: &str, req: &EventSubmission) -> ApiResult<()> {
    client::post(&format!("{}/event", base(pk, dn)), req).await
}

pub async fn subscribe(pk: &str, dn: &str, topic: String) -> ApiResult<()> {
    client::post(&format!("{}/subscribe", base(pk, dn)), &Subscription { topic }).await
}

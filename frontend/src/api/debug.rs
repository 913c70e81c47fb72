//! The Online Debug page's REST calls (`/api/v1/devices/{pk}/{dn}/…`, issue 12).
//!
//! Every device call answers HTTP 200 with a [`CallResult`] whose `code` is the seed's (200,
//! 9201 offline, 1905 timeout, 6332 read-only …): that is a result for the page to show, not a
//! failure. (`POST …/publish` has no caller here: the seed's Online Debug page has no custom-topic
//! form; scripts use it.) Only a malformed request, a missing device or a refused role is a [`Fail`]
//! (`super::client`).
//!
//! [`Fail`]: super::Fail

use model::debug::{
    CallResult, ClearDesiredResult, DesiredList, GetPropertiesRequest, InvokeServiceRequest, LogSwitchRequest,
    SetDesiredRequest, SetPropertiesRequest,
};
use serde_json::{Map, Value};

use super::client::{self, query, ApiResult};
use crate::util::enc;

fn base(pk: &str, dn: &str) -> String {
    format!("/devices/{}/{}", enc(pk), enc(dn))
}

/// SetDeviceProperty: `params` reach the device's `property/set`; waits for its reply.
pub async fn set_properties(pk: &str, dn: &str, params: Map<String, Value>) -> ApiResult<CallResult> {
    let req = SetPropertiesRequest { params, timeout_ms: None };
    client::post(&format!("{}/properties/set", base(pk, dn)), &req).await
}

/// The device's own `property/get` (1905 when it does not answer: many SDKs do not).
pub async fn get_properties(pk: &str, dn: &str, identifiers: Vec<String>) -> ApiResult<CallResult> {
    let req = GetPropertiesRequest { identifiers, timeout_ms: None };
    client::post(&format!("{}/properties/get", base(pk, dn)), &req).await
}

/// InvokeThingService: sync services wait for the output; async ones answer `pending` at once.
pub async fn invoke_service(pk: &str, dn: &str, identifier: &str, params: Value) -> ApiResult<CallResult> {
    let req = InvokeServiceRequest { params, timeout_ms: None };
    client::post(&format!("{}/services/{}", base(pk, dn), enc(identifier)), &req).await
}

/// QueryDeviceDesiredProperty.
pub async fn desired(pk: &str, dn: &str) -> ApiResult<DesiredList> {
    client::get(&format!("{}/desired", base(pk, dn))).await
}

/// SetDeviceDesiredProperty: stored with a version, sent now or when the device connects.
pub async fn set_desired(pk: &str, dn: &str, params: Map<String, Value>) -> ApiResult<CallResult> {
    let req = SetDesiredRequest { params, versions: None };
    client::put(&format!("{}/desired", base(pk, dn)), &req).await
}

/// ClearDeviceDesiredProperty: the named identifiers (all when none is named).
pub async fn clear_desired(pk: &str, dn: &str, identifiers: &[String]) -> ApiResult<ClearDesiredResult> {
    let qs = query(&[("identifiers", Some(identifiers.join(",")))]);
    client::delete_json(&format!("{}/desired{qs}", base(pk, dn))).await
}

/// The device's local-log upload switch (0 off, 1 on).
pub async fn log_switch(pk: &str, dn: &str, mode: u8) -> ApiResult<CallResult> {
    client::put(&format!("{}/log-switch", base(pk, dn)), &LogSwitchRequest { mode }).await
}

/// The stored log-switch mode (0 off, also when never set; 1 on).
pub async fn log_mode(pk: &str, dn: &str) -> ApiResult<u8> {
    let r: LogSwitchRequest = client::get(&format!("{}/log-switch", base(pk, dn))).await?;
    Ok(r.mode)
}

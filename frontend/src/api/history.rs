//! A device's history (issue 14): property values over a range, its events, its network status.

use model::history::{EventPage, PropertyHistory};
use model::network::NetworkStatusPage;

use super::client::{self, query, ApiResult};
use crate::util::enc;

pub async fn property(pk: &str, dn: &str, identifier: &str, from: i64, to: i64) -> ApiResult<PropertyHistory> {
    let qs = query(&[("from", Some(from.to_string())), ("to", Some(to.to_string()))]);
    client::get(&format!("/devices/{}/{}/properties/{}/history{qs}", enc(pk), enc(dn), enc(identifier))).await
}

pub async fn events(
    pk: &str,
    dn: &str,
    identifier: Option<String>,
    event_type: Option<String>,
) -> ApiResult<EventPage> {
    let qs = query(&[("identifier", identifier), ("type", event_type)]);
    client::get(&format!("/devices/{}/{}/events{qs}", enc(pk), enc(dn))).await
}

pub async fn network(pk: &str, dn: &str, from: i64, to: i64) -> ApiResult<NetworkStatusPage> {
    let qs = query(&[("from", Some(from.to_string())), ("to", Some(to.to_string()))]);
    client::get(&format!("/devices/{}/{}/network-status{qs}", enc(pk), enc(dn))).await
}

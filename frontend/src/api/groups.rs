//! Device groups: list, create, rename, delete; a group's devices; adding and removing members.

use model::error::Page;
use model::groups::{
    Group, GroupDevicesQuery, GroupQuery, MemberChange, MemberRef, MemberReport, NewGroup, UpdateGroup,
};
use model::registry::Device;

use super::client::{self, query, ApiResult};
use crate::util::enc;

pub async fn list(q: &GroupQuery) -> ApiResult<Page<Group>> {
    let qs = query(&[
        ("q", q.q.clone()),
        ("page", q.page.map(|v| v.to_string())),
        ("page_size", q.page_size.map(|v| v.to_string())),
    ]);
    client::get(&format!("/groups{qs}")).await
}

pub async fn get(id: i64) -> ApiResult<Group> {
    client::get(&format!("/groups/{id}")).await
}

pub async fn create(g: &NewGroup) -> ApiResult<Group> {
    client::post("/groups", g).await
}

pub async fn update(id: i64, u: &UpdateGroup) -> ApiResult<Group> {
    client::patch(&format!("/groups/{id}"), u).await
}

pub async fn delete(id: i64) -> ApiResult<()> {
    client::delete(&format!("/groups/{id}")).await
}

pub async fn devices(id: i64, q: &GroupDevicesQuery) -> ApiResult<Page<Device>> {
    let qs = query(&[
        ("q", q.q.clone()),
        ("status", q.status.map(|s| s.as_str().to_string())),
        ("page", q.page.map(|v| v.to_string())),
        ("page_size", q.page_size.map(|v| v.to_string())),
    ]);
    client::get(&format!("/groups/{id}/devices{qs}")).await
}

pub async fn add(id: i64, devices: Vec<MemberRef>) -> ApiResult<MemberReport> {
    client::post(&format!("/groups/{id}/devices"), &MemberChange { devices }).await
}

/// `ProductKey,DeviceName` lines.
pub async fn add_csv(id: i64, csv: String) -> ApiResult<MemberReport> {
    client::post_text(&format!("/groups/{id}/devices/csv"), "text/csv", csv).await
}

pub async fn remove(id: i64, pk: &str, dn: &str) -> ApiResult<()> {
    client::delete(&format!("/groups/{id}/devices/{}/{}", enc(pk), enc(dn))).await
}

/// The groups of one device, with their ids (for links).
pub async fn of_device(pk: &str, dn: &str) -> ApiResult<Vec<Group>> {
    client::get(&format!("/devices/{}/{}/groups", enc(pk), enc(dn))).await
}

//! Products, thing models, devices, run logs and server info.

use model::device::connection::{BrokerAddress, ConnectionParams};
use model::error::Page;
use model::registry::{
    Device, DeviceQuery, DeviceSecret, ImportMode, ImportReport, NewDevice, NewProduct, Product, PropertyValue,
    UpdateDevice, UpdateProduct,
};
use model::runlog::{LogEntry, LogQuery};
use serde::Deserialize;

use super::client::{self, query, ApiResult};
use crate::util::enc;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Info {
    pub version: String,
    pub mqtt_port: u16,
    #[serde(default)]
    pub demo: bool,
    /// Where devices connect; absent from a server older than this page.
    #[serde(default)]
    pub broker: Option<BrokerAddress>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct ProductSecret {
    product_secret: String,
}

pub async fn info() -> ApiResult<Info> {
    client::get("/info").await
}

/// The Connection parameters of a device (passwords only for operators).
pub async fn connection(pk: &str, dn: &str) -> ApiResult<ConnectionParams> {
    client::get(&format!("/devices/{}/{}/connection", enc(pk), enc(dn))).await
}

pub async fn products() -> ApiResult<Vec<Product>> {
    client::get("/products").await
}

pub async fn product(pk: &str) -> ApiResult<Product> {
    client::get(&format!("/products/{}", enc(pk))).await
}

pub async fn create_product(p: &NewProduct) -> ApiResult<Product> {
    client::post("/products", p).await
}

pub async fn update_product(pk: &str, p: &UpdateProduct) -> ApiResult<Product> {
    client::patch(&format!("/products/{}", enc(pk)), p).await
}

pub async fn delete_product(pk: &str) -> ApiResult<()> {
    client::delete(&format!("/products/{}", enc(pk))).await
}

pub async fn product_secret(pk: &str) -> ApiResult<String> {
    let s: ProductSecret = client::get(&format!("/products/{}/secret", enc(pk))).await?;
    Ok(s.product_secret)
}

/// The thing model as raw TSL JSON (kept raw so unknown fields survive a round trip).
pub async fn tsl(pk: &str) -> ApiResult<serde_json::Value> {
    client::get(&format!("/products/{}/tsl", enc(pk))).await
}

pub async fn put_tsl(pk: &str, tsl: &serde_json::Value) -> ApiResult<serde_json::Value> {
    client::put(&format!("/products/{}/tsl", enc(pk)), tsl).await
}

pub async fn create_device(pk: &str, d: &NewDevice) -> ApiResult<Device> {
    client::post(&format!("/products/{}/devices", enc(pk)), d).await
}

pub async fn import_devices(pk: &str, mode: ImportMode, csv: String) -> ApiResult<ImportReport> {
    let mode = match mode {
        ImportMode::AllOrNothing => "all_or_nothing",
        ImportMode::ValidRows => "valid_rows",
    };
    client::post_text(&format!("/products/{}/devices/import?mode={mode}", enc(pk)), "text/csv", csv).await
}

pub async fn devices(q: &DeviceQuery) -> ApiResult<Page<Device>> {
    let qs = query(&[
        ("product_key", q.product_key.clone()),
        ("q", q.q.clone()),
        ("status", q.status.map(|s| s.as_str().to_string())),
        ("group", q.group.clone()),
        ("page", q.page.map(|v| v.to_string())),
        ("page_size", q.page_size.map(|v| v.to_string())),
    ]);
    client::get(&format!("/devices{qs}")).await
}

fn dev_path(pk: &str, dn: &str) -> String {
    format!("/devices/{}/{}", enc(pk), enc(dn))
}

pub async fn device(pk: &str, dn: &str) -> ApiResult<Device> {
    client::get(&dev_path(pk, dn)).await
}

pub async fn update_device(pk: &str, dn: &str, u: &UpdateDevice) -> ApiResult<Device> {
    client::patch(&dev_path(pk, dn), u).await
}

pub async fn delete_device(pk: &str, dn: &str) -> ApiResult<()> {
    client::delete(&dev_path(pk, dn)).await
}

/// Back to never activated (dynamic registration may register it again).
pub async fn reset_device(pk: &str, dn: &str) -> ApiResult<Device> {
    client::post(&format!("{}/reset", dev_path(pk, dn)), &serde_json::json!({})).await
}

pub async fn device_secret(pk: &str, dn: &str) -> ApiResult<DeviceSecret> {
    client::get(&format!("{}/secret", dev_path(pk, dn))).await
}

pub async fn properties(pk: &str, dn: &str) -> ApiResult<Vec<PropertyValue>> {
    client::get(&format!("{}/properties", dev_path(pk, dn))).await
}

pub async fn logs(q: &LogQuery) -> ApiResult<Vec<LogEntry>> {
    let qs = query(&[
        ("product_key", q.product_key.clone()),
        ("device_name", q.device_name.clone()),
        ("trace_id", q.trace_id.clone()),
        ("biz_type", q.biz_type.map(|b| b.as_str().to_string())),
        ("status", q.status.map(|v| v.to_string())),
        ("since", q.since.map(|v| v.to_string())),
        ("until", q.until.map(|v| v.to_string())),
        ("limit", q.limit.map(|v| v.to_string())),
    ]);
    client::get(&format!("/logs{qs}")).await
}

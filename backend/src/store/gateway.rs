//! What the device gateway keeps besides the registry: `regnwl` login tokens, limit events and
//! gateways' sub-device lists.

use super::{sql, Db, Result};

/// The (clientId, token) issued by the last `regnwl` of a device.
pub async fn load_token(db: &Db, device_id: i64) -> Result<Option<(String, String)>> {
    let row = db
        .fetch_optional(sql("SELECT client_id, token FROM device_tokens WHERE device_id = $1").bind(device_id))
        .await?;
    row.map(|r| Ok((r.get("client_id")?, r.get("token")?))).transpose()
}

/// One token per device: a new registration replaces the old one.
pub async fn store_token(db: &Db, device_id: i64, client_id: &str, token: &str, now: i64) -> Result<()> {
    db.execute(
        sql("INSERT INTO device_tokens (device_id, client_id, token, issued_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (device_id) DO UPDATE SET client_id = excluded.client_id, token = excluded.token, issued_at = excluded.issued_at")
        .bind(device_id)
        .bind(client_id)
        .bind(token)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// One stored limit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitEvent {
    pub at: i64,
    pub product_key: String,
    pub device_name: String,
    pub name: String,
    pub limit_value: i64,
}

pub async fn insert_limit_event(db: &Db, e: &LimitEvent) -> Result<()> {
    db.execute(
        sql("INSERT INTO limit_events (at, product_key, device_name, name, limit_value) VALUES ($1, $2, $3, $4, $5)")
            .bind(e.at)
            .bind(&e.product_key)
            .bind(&e.device_name)
            .bind(&e.name)
            .bind(e.limit_value),
    )
    .await?;
    Ok(())
}

/// The limit events of one device, oldest first.
pub async fn limit_events(db: &Db, pk: &str, dn: &str) -> Result<Vec<LimitEvent>> {
    let q = sql("SELECT at, product_key, device_name, name, limit_value FROM limit_events
                 WHERE product_key = $1 AND device_name = $2 ORDER BY at, id")
    .bind(pk)
    .bind(dn);
    db.fetch_all(q)
        .await?
        .iter()
        .map(|r| {
            Ok(LimitEvent {
                at: r.get("at")?,
                product_key: r.get("product_key")?,
                device_name: r.get("device_name")?,
                name: r.get("name")?,
                limit_value: r.get("limit_value")?,
            })
        })
        .collect()
}

/// The enabled sub-devices of a gateway, as (pk, dn): a gateway must not keep acting for one
/// that was disabled.
pub async fn enabled_sub_devices(db: &Db, gateway_id: i64) -> Result<Vec<(String, String)>> {
    let q =
        sql("SELECT product_key, device_name FROM devices WHERE gateway_id = $1 AND enabled = TRUE").bind(gateway_id);
    db.fetch_all(q).await?.iter().map(|r| Ok((r.get("product_key")?, r.get("device_name")?))).collect()
}

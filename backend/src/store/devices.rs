//! Devices: registry rows, tags, groups, and the connection state the gateway keeps current.

use model::alink::DeviceRef;
use model::error::Page;
use model::registry::{Device, DeviceQuery, DeviceStatus, NewDevice, Tag};

use super::{sql, Db, Error, Result, Row, Sql};

/// A device row with what only the server may see.
#[derive(Debug, Clone)]
pub struct DeviceRecord {
    pub id: i64,
    pub device: Device,
    pub device_secret: String,
    pub enabled: bool,
}

const SELECT: &str = "SELECT d.*, g.product_key AS gw_pk, g.device_name AS gw_dn FROM devices d LEFT JOIN devices g ON g.id = d.gateway_id";

/// A row as a record. A status the code does not know is corrupt data: an error, never a guess.
fn record(r: &Row) -> Result<DeviceRecord> {
    let gw_pk: Option<String> = r.get("gw_pk")?;
    let gw_dn: Option<String> = r.get("gw_dn")?;
    let status: String = r.get("status")?;
    let status =
        DeviceStatus::parse(&status).ok_or_else(|| Error::corrupt(format!("unknown device status {status:?}")))?;
    Ok(DeviceRecord {
        id: r.get("id")?,
        device_secret: r.get("device_secret")?,
        enabled: r.get("enabled")?,
        device: Device {
            product_key: r.get("product_key")?,
            device_name: r.get("device_name")?,
            nickname: r.get("nickname")?,
            status,
            created_at: r.get("created_at")?,
            activated_at: r.get("activated_at")?,
            last_online_at: r.get("last_online_at")?,
            last_offline_at: r.get("last_offline_at")?,
            last_disconnect_code: r.get::<Option<i64>>("last_disconnect_code")?.map(|c| c as u32),
            ip: r.get("ip")?,
            sdk: r.get("sdk")?,
            tags: Vec::new(),
            groups: Vec::new(),
            gateway: gw_pk.zip(gw_dn).map(|(p, d)| DeviceRef::new(p, d)),
        },
    })
}

/// Rows per INSERT statement: 5 arguments each stays far below both stores' limits on
/// arguments per statement (SQLite 32,766, PostgreSQL 65,535).
const INSERT_CHUNK: usize = 1_000;

/// Insert devices in one transaction: all or none. Multi-row statements, so 100,000 devices
/// are 100 statements, not 100,000 round trips to PostgreSQL.
pub async fn insert_many(db: &Db, pk: &str, devices: &[(NewDevice, String)], now: i64) -> Result<()> {
    let statements = devices.chunks(INSERT_CHUNK).map(|chunk| {
        let mut q = sql("INSERT INTO devices (product_key, device_name, device_secret, nickname, status, enabled, created_at) VALUES ");
        for (i, (d, secret)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.push_bind(pk).push(", ").push_bind(&d.device_name).push(", ").push_bind(secret.as_str()).push(", ");
            q.push_bind(&d.nickname).push(", 'inactive', TRUE, ").push_bind(now).push(")");
        }
        q
    });
    db.transaction(statements.collect()).await?;
    Ok(())
}

/// Which of these names already exist in the product.
pub async fn existing_names(db: &Db, pk: &str, names: &[String]) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for chunk in names.chunks(500) {
        let mut q = sql("SELECT device_name FROM devices WHERE product_key = $1 AND device_name IN ").bind(pk);
        q.push_list(chunk);
        found.extend(db.scalars::<String>(q).await?);
    }
    Ok(found)
}

/// Tags and groups of the records, two statements whatever their number.
async fn fill_tags_groups(db: &Db, recs: &mut [DeviceRecord]) -> Result<()> {
    if recs.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = recs.iter().map(|r| r.id).collect();
    let mut q = sql("SELECT device_id, key, value FROM device_tags WHERE device_id IN ");
    q.push_list(ids.iter().copied()).push(" ORDER BY key");
    for r in db.fetch_all(q).await? {
        let id: i64 = r.get("device_id")?;
        let tag = Tag { key: r.get("key")?, value: r.get("value")? };
        recs.iter_mut().filter(|d| d.id == id).for_each(|d| d.device.tags.push(tag.clone()));
    }
    for (id, group) in super::groups::names_of_devices(db, &ids).await? {
        recs.iter_mut().filter(|d| d.id == id).for_each(|d| d.device.groups.push(group.clone()));
    }
    Ok(())
}

pub async fn get(db: &Db, pk: &str, dn: &str) -> Result<Option<DeviceRecord>> {
    let q = sql(format!("{SELECT} WHERE d.product_key = $1 AND d.device_name = $2")).bind(pk).bind(dn);
    let Some(row) = db.fetch_optional(q).await? else { return Ok(None) };
    let mut rec = [record(&row)?];
    fill_tags_groups(db, &mut rec).await?;
    let [rec] = rec;
    Ok(Some(rec))
}

fn filter(qb: &mut Sql, q: &DeviceQuery) {
    qb.push(" WHERE 1=1");
    if let Some(pk) = &q.product_key {
        qb.push(" AND d.product_key = ").push_bind(pk);
    }
    if let Some(prefix) = q.q.as_ref().filter(|s| !s.is_empty()) {
        // A range instead of LIKE so the index on device_name serves the prefix search (byte
        // order on both stores: PostgreSQL's column is COLLATE "C").
        qb.push(" AND d.device_name >= ").push_bind(prefix.clone());
        qb.push(" AND d.device_name < ").push_bind(format!("{prefix}\u{10ffff}"));
    }
    if let Some(s) = q.status {
        qb.push(" AND d.status = ").push_bind(s.as_str());
    }
    if let Some(g) = &q.group {
        qb.push(
            " AND d.id IN (SELECT m.device_id FROM group_devices m JOIN groups g ON g.id = m.group_id WHERE g.name = ",
        )
        .push_bind(g)
        .push(")");
    }
}

pub async fn list(db: &Db, q: &DeviceQuery) -> Result<Page<Device>> {
    let page = q.page.unwrap_or(1).max(1);
    let size = q.page_size.unwrap_or(20).clamp(1, 200);
    let mut count = sql("SELECT COUNT(*) FROM devices d");
    filter(&mut count, q);
    let total: i64 = db.scalar(count).await?;
    let mut qb = sql(SELECT);
    filter(&mut qb, q);
    qb.push(" ORDER BY d.device_name, d.product_key LIMIT ").push_bind(size as i64);
    qb.push(" OFFSET ").push_bind(((page - 1) * size) as i64);
    let mut recs = db.fetch_all(qb).await?.iter().map(record).collect::<Result<Vec<_>>>()?;
    fill_tags_groups(db, &mut recs).await?;
    Ok(Page { items: recs.into_iter().map(|r| r.device).collect(), total: total as u64, page, page_size: size })
}

pub async fn set_nickname(db: &Db, id: i64, nickname: &str) -> Result<()> {
    db.execute(sql("UPDATE devices SET nickname = $1 WHERE id = $2").bind(nickname).bind(id)).await?;
    Ok(())
}

/// Enable or disable. Disabling sets the status to `disabled`; enabling returns it to
/// `offline` (or `inactive` if it never connected) — the gateway sets `online` on the next connect.
pub async fn set_enabled(db: &Db, id: i64, enabled: bool) -> Result<()> {
    let text = if enabled {
        "UPDATE devices SET enabled = TRUE, status = CASE WHEN activated_at IS NULL THEN 'inactive' ELSE 'offline' END WHERE id = $1"
    } else {
        "UPDATE devices SET enabled = FALSE, status = 'disabled' WHERE id = $1"
    };
    db.execute(sql(text).bind(id)).await?;
    Ok(())
}

pub async fn set_tags(db: &Db, id: i64, tags: &[Tag]) -> Result<()> {
    let mut steps = vec![sql("DELETE FROM device_tags WHERE device_id = $1").bind(id)];
    steps.extend(tags.iter().map(|t| {
        sql("INSERT INTO device_tags (device_id, key, value) VALUES ($1, $2, $3)").bind(id).bind(&t.key).bind(&t.value)
    }));
    db.transaction(steps).await?;
    Ok(())
}

/// Device-reported tags (`thing/deviceinfo/update`): upsert, keep the others.
pub async fn upsert_tags(db: &Db, id: i64, tags: &[Tag]) -> Result<()> {
    let steps = tags.iter().map(|t| {
        sql("INSERT INTO device_tags (device_id, key, value) VALUES ($1, $2, $3)
             ON CONFLICT (device_id, key) DO UPDATE SET value = excluded.value")
        .bind(id)
        .bind(&t.key)
        .bind(&t.value)
    });
    db.transaction(steps.collect()).await?;
    Ok(())
}

pub async fn delete_tags(db: &Db, id: i64, keys: &[String]) -> Result<()> {
    let steps = keys.iter().map(|k| sql("DELETE FROM device_tags WHERE device_id = $1 AND key = $2").bind(id).bind(k));
    db.transaction(steps.collect()).await?;
    Ok(())
}

/// Set the device's groups by name; missing groups are created (see `store::groups`).
pub async fn set_groups(db: &Db, id: i64, groups: &[String], now: i64) -> Result<()> {
    super::groups::set_device_groups(db, id, groups, now).await
}

/// Back to never activated (Aliyun's ResetThing): dynamic registration may register it again.
/// Its `regnwl` token goes with it. The status follows at once; a session still closing writes
/// `inactive` too ([`mark_offline`] reads the activation).
pub async fn reset(db: &Db, id: i64) -> Result<()> {
    db.transaction(vec![
        sql("UPDATE devices SET activated_at = NULL, status = CASE WHEN enabled THEN 'inactive' ELSE 'disabled' END
             WHERE id = $1")
        .bind(id),
        sql("DELETE FROM device_tokens WHERE device_id = $1").bind(id),
    ])
    .await?;
    Ok(())
}

pub async fn delete(db: &Db, id: i64) -> Result<()> {
    db.execute(sql("DELETE FROM devices WHERE id = $1").bind(id)).await?;
    Ok(())
}

/// A device connected: online, activated on first connect, with where it came from.
pub async fn mark_online(db: &Db, id: i64, ip: Option<&str>, sdk: Option<&str>, now: i64) -> Result<()> {
    db.execute(
        sql("UPDATE devices SET status = 'online', last_online_at = $1, activated_at = COALESCE(activated_at, $1),
             ip = COALESCE($2, ip), sdk = COALESCE($3, sdk) WHERE id = $4 AND enabled = TRUE")
        .bind(now)
        .bind(ip)
        .bind(sdk)
        .bind(id),
    )
    .await?;
    Ok(())
}

/// A device disconnected with the seed's reason code.
pub async fn mark_offline(db: &Db, id: i64, code: u32, now: i64) -> Result<()> {
    db.execute(
        sql("UPDATE devices SET status = CASE WHEN NOT enabled THEN 'disabled' WHEN activated_at IS NULL THEN 'inactive'
             ELSE 'offline' END, last_offline_at = $1, last_disconnect_code = $2 WHERE id = $3")
        .bind(now)
        .bind(code as i64)
        .bind(id),
    )
    .await?;
    Ok(())
}

/// After a restart nobody is connected yet: whatever was online is offline now.
pub async fn reset_online(db: &Db, now: i64) -> Result<u64> {
    db.execute(sql("UPDATE devices SET status = 'offline', last_offline_at = $1 WHERE status = 'online'").bind(now))
        .await
}

pub async fn set_gateway(db: &Db, id: i64, gateway_id: Option<i64>) -> Result<()> {
    db.execute(sql("UPDATE devices SET gateway_id = $1 WHERE id = $2").bind(gateway_id).bind(id)).await?;
    Ok(())
}

/// Sub-devices attached to a gateway, as (pk, dn).
pub async fn sub_devices(db: &Db, gateway_id: i64) -> Result<Vec<(String, String)>> {
    let q = sql("SELECT product_key, device_name FROM devices WHERE gateway_id = $1 ORDER BY product_key, device_name")
        .bind(gateway_id);
    db.fetch_all(q).await?.iter().map(|r| Ok((r.get("product_key")?, r.get("device_name")?))).collect()
}

pub async fn count_by_status(db: &Db) -> Result<Vec<(String, i64)>> {
    let rows = db.fetch_all(sql("SELECT status, COUNT(*) AS n FROM devices GROUP BY status")).await?;
    rows.iter().map(|r| Ok((r.get("status")?, r.get("n")?))).collect()
}

/// Credentials of a product's devices, for the simulated fleet: (name, secret, enabled), by name.
/// One statement for 10,000 devices.
pub async fn credentials(db: &Db, pk: &str) -> Result<Vec<(String, String, bool)>> {
    let q = sql("SELECT device_name, device_secret, enabled FROM devices WHERE product_key = $1 ORDER BY device_name")
        .bind(pk);
    db.fetch_all(q)
        .await?
        .iter()
        .map(|r| Ok((r.get("device_name")?, r.get("device_secret")?, r.get("enabled")?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_row_with_an_unknown_status_is_an_error_not_a_guess() {
        let dir = tempfile::tempdir().unwrap();
        let db = super::super::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
        db.execute(sql(
            "INSERT INTO products (product_key, name, product_secret, node_type, data_format, tsl, created_at) \
             VALUES ('pk', 'p', 's', 'direct', 'alink_json', '{}', 0)",
        ))
        .await
        .unwrap();
        let d = NewDevice { device_name: "dn".into(), nickname: String::new(), device_secret: None };
        insert_many(&db, "pk", &[(d, "secret".into())], 0).await.unwrap();
        assert_eq!(get(&db, "pk", "dn").await.unwrap().unwrap().device.status, DeviceStatus::Inactive);
        db.execute(sql("UPDATE devices SET status = 'bogus'")).await.unwrap();
        let e = get(&db, "pk", "dn").await.unwrap_err();
        assert!(e.to_string().contains("bogus"), "{e}");
        assert!(list(&db, &DeviceQuery::default()).await.is_err(), "the list says so too");
    }
}

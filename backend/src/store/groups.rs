//! Device groups: `groups` (a stable id, a unique name, a description) and their members
//! (`group_devices`). A device's group names in device JSON and the device list's `group=`
//! filter are read from here too (see `store::devices`).

use std::collections::{HashMap, HashSet};

use model::error::Page;
use model::groups::{Group, GroupQuery, MemberRef};

use super::{sql, Db, Result, Row, Sql};

/// Statement text of a group with its counts; `online_count` reads the devices' live status.
const SELECT: &str = "SELECT g.id, g.name, g.description, g.created_at,
    CAST((SELECT COUNT(*) FROM group_devices m WHERE m.group_id = g.id) AS BIGINT) AS device_count,
    CAST((SELECT COUNT(*) FROM group_devices m JOIN devices d ON d.id = m.device_id
          WHERE m.group_id = g.id AND d.status = 'online') AS BIGINT) AS online_count
    FROM groups g";

/// Pairs per `IN (VALUES …)` statement: 2 arguments each, far below both stores' limits.
const CHUNK: usize = 500;

fn group(r: &Row) -> Result<Group> {
    Ok(Group {
        id: r.get("id")?,
        name: r.get("name")?,
        description: r.get("description")?,
        device_count: r.get::<i64>("device_count")? as u64,
        online_count: r.get::<i64>("online_count")? as u64,
        created_at: r.get("created_at")?,
    })
}

/// `%`, `_` and the escape character itself match literally in a LIKE pattern.
fn like_contains(s: &str) -> String {
    let escaped = s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{}%", escaped.to_lowercase())
}

fn filter(qb: &mut Sql, q: &GroupQuery) {
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        qb.push(" WHERE LOWER(g.name) LIKE ").push_bind(like_contains(text)).push(" ESCAPE '\\'");
    }
}

pub async fn list(db: &Db, q: &GroupQuery) -> Result<Page<Group>> {
    let page = q.page.unwrap_or(1).max(1);
    let size = q.page_size.unwrap_or(20).clamp(1, 200);
    let mut count = sql("SELECT CAST(COUNT(*) AS BIGINT) FROM groups g");
    filter(&mut count, q);
    let total: i64 = db.scalar(count).await?;
    let mut qb = sql(SELECT);
    filter(&mut qb, q);
    qb.push(" ORDER BY g.name LIMIT ").push_bind(size as i64);
    qb.push(" OFFSET ").push_bind(((page - 1) * size) as i64);
    let items = db.fetch_all(qb).await?.iter().map(group).collect::<Result<Vec<_>>>()?;
    Ok(Page { items, total: total as u64, page, page_size: size })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Group>> {
    db.fetch_optional(sql(format!("{SELECT} WHERE g.id = $1")).bind(id)).await?.as_ref().map(group).transpose()
}

/// A new group's id; a taken name is [`super::Error::Conflict`].
pub async fn insert(db: &Db, name: &str, description: &str, now: i64) -> Result<i64> {
    let q = sql("INSERT INTO groups (name, description, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(name)
        .bind(description)
        .bind(now);
    db.scalar(q).await
}

/// Rename and/or describe; rows changed (0: no such group). A taken name is a conflict.
pub async fn update(db: &Db, id: i64, name: Option<&str>, description: Option<&str>) -> Result<u64> {
    let q = sql("UPDATE groups SET name = COALESCE($1, name), description = COALESCE($2, description) WHERE id = $3")
        .bind(name)
        .bind(description)
        .bind(id);
    db.execute(q).await
}

/// Delete the group and its membership rows (not its devices); rows changed.
pub async fn delete(db: &Db, id: i64) -> Result<u64> {
    db.execute(sql("DELETE FROM groups WHERE id = $1").bind(id)).await
}

/// The registry ids of the named devices that exist, by (ProductKey, DeviceName).
pub async fn device_ids(db: &Db, refs: &[MemberRef]) -> Result<HashMap<(String, String), i64>> {
    let mut found = HashMap::new();
    for chunk in refs.chunks(CHUNK) {
        // A row-value IN needs a subquery on SQLite; `VALUES` is one on both stores.
        let mut q =
            sql("SELECT id, product_key, device_name FROM devices WHERE (product_key, device_name) IN (VALUES ");
        for (i, r) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.push_bind(&r.product_key).push(", ").push_bind(&r.device_name).push(")");
        }
        q.push(")");
        for r in db.fetch_all(q).await? {
            found.insert((r.get("product_key")?, r.get("device_name")?), r.get("id")?);
        }
    }
    Ok(found)
}

/// Which of these devices are in the group.
pub async fn members_among(db: &Db, group_id: i64, device_ids: &[i64]) -> Result<HashSet<i64>> {
    let mut found = HashSet::new();
    for chunk in device_ids.chunks(CHUNK) {
        let mut q = sql("SELECT device_id FROM group_devices WHERE group_id = $1 AND device_id IN ").bind(group_id);
        q.push_list(chunk.iter().copied());
        found.extend(db.scalars::<i64>(q).await?);
    }
    Ok(found)
}

/// Add devices to the group; ones already in it stay as they are. Returns the ids this call
/// inserted (`RETURNING`), so of two racing requests only one reports a device "added". Each
/// statement of up to 500 devices is atomic; if a later one fails, the earlier ones stay added
/// and a retry reports them as already members (nothing is lost or doubled).
pub async fn add_members(db: &Db, group_id: i64, device_ids: &[i64], now: i64) -> Result<HashSet<i64>> {
    let mut added = HashSet::new();
    for chunk in device_ids.chunks(CHUNK) {
        let mut q = sql("INSERT INTO group_devices (group_id, device_id, added_at) VALUES ");
        for (i, id) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.push_bind(group_id).push(", ").push_bind(*id).push(", ").push_bind(now).push(")");
        }
        q.push(" ON CONFLICT (group_id, device_id) DO NOTHING RETURNING device_id");
        added.extend(db.scalars::<i64>(q).await?);
    }
    Ok(added)
}

/// Remove devices from the group. Returns the ids this call removed (as [`add_members`]).
pub async fn remove_members(db: &Db, group_id: i64, device_ids: &[i64]) -> Result<HashSet<i64>> {
    let mut removed = HashSet::new();
    for chunk in device_ids.chunks(CHUNK) {
        let mut q = sql("DELETE FROM group_devices WHERE group_id = $1 AND device_id IN ").bind(group_id);
        q.push_list(chunk.iter().copied()).push(" RETURNING device_id");
        removed.extend(db.scalars::<i64>(q).await?);
    }
    Ok(removed)
}

/// The groups a device belongs to, by name.
pub async fn of_device(db: &Db, device_id: i64) -> Result<Vec<Group>> {
    let q = sql(format!(
        "{SELECT} WHERE g.id IN (SELECT group_id FROM group_devices WHERE device_id = $1) ORDER BY g.name"
    ))
    .bind(device_id);
    db.fetch_all(q).await?.iter().map(group).collect()
}

/// Group names of each of these devices (device JSON's `groups`), one statement per 500.
pub async fn names_of_devices(db: &Db, device_ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let mut out = Vec::new();
    for chunk in device_ids.chunks(CHUNK) {
        let mut q = sql(
            "SELECT m.device_id, g.name FROM group_devices m JOIN groups g ON g.id = m.group_id WHERE m.device_id IN ",
        );
        q.push_list(chunk.iter().copied()).push(" ORDER BY g.name");
        for r in db.fetch_all(q).await? {
            out.push((r.get("device_id")?, r.get("name")?));
        }
    }
    Ok(out)
}

/// Set a device's groups by name (PATCH device `groups`): groups that do not exist yet are
/// created, memberships not named are dropped, kept ones keep their `added_at`. One transaction.
pub async fn set_device_groups(db: &Db, device_id: i64, names: &[String], now: i64) -> Result<()> {
    let mut steps = Vec::new();
    for n in names {
        steps.push(
            sql("INSERT INTO groups (name, description, created_at) VALUES ($1, '', $2) ON CONFLICT (name) DO NOTHING")
                .bind(n)
                .bind(now),
        );
    }
    let mut drop = sql("DELETE FROM group_devices WHERE device_id = $1").bind(device_id);
    if !names.is_empty() {
        drop.push(" AND group_id NOT IN (SELECT id FROM groups WHERE name IN ");
        drop.push_list(names.iter()).push(")");
        let mut add = sql(
            "INSERT INTO group_devices (group_id, device_id, added_at) SELECT id, $1, $2 FROM groups WHERE name IN ",
        )
        .bind(device_id)
        .bind(now);
        add.push_list(names.iter()).push(" ON CONFLICT (group_id, device_id) DO NOTHING");
        steps.push(drop);
        steps.push(add);
    } else {
        steps.push(drop);
    }
    db.transaction(steps).await?;
    Ok(())
}

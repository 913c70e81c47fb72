//! Device shadow: ↑ `/shadow/update/{pk}/{dn}` (`update`, `get`, `delete`) → ↓ `/shadow/get/{pk}/{dn}`.
//!
//! One document per device (`reported`, `desired`, `metadata` with per-key timestamps) and a
//! version that only grows: an update carrying a version not above the stored one is a conflict
//! (409), one without a version gets the next. Codes are Alibaba's shadow codes: 400 bad JSON,
//! 401 no `state`, 403 no `method`, 406 unknown method, 409 version conflict, 500 server error.

use model::alink::shadow::{ShadowDown, ShadowState, ShadowUp};
use serde_json::{json, Map, Value};

use super::respond::{Out, Outcome};
use super::Ctx;
use crate::store::device_state::{self, Shadow};

const BAD_JSON: u32 = 400;
const NO_STATE: u32 = 401;
const NO_METHOD: u32 = 403;
const BAD_METHOD: u32 = 406;
const VERSION_CONFLICT: u32 = 409;
const SERVER_ERROR: u32 = 500;

pub(super) async fn update(ctx: &Ctx<'_>) -> Outcome {
    let ts = (ctx.sh.now().max(0) / 1000) as u64;
    let down = match handle(ctx, ts).await {
        Ok(d) => d,
        Err((code, msg)) => ShadowDown::error(code, &msg, ts),
    };
    let code = match &down.payload.content {
        Some(c) => c["errorcode"].as_str().and_then(|s| s.parse().ok()).unwrap_or(SERVER_ERROR),
        None => 200,
    };
    let mut o = Outcome::status(code);
    if code != 200 {
        o = o
            .with_check(code, down.payload.content.as_ref().map(|c| c["errormessage"].to_string()).unwrap_or_default());
    }
    if let Some(topic) = ctx.topic.reply_topic() {
        o.reply = Some(Box::new(Out { topic, payload: serde_json::to_string(&down).unwrap_or_default(), code }));
    }
    o
}

async fn handle(ctx: &Ctx<'_>, ts: u64) -> Result<ShadowDown, (u32, String)> {
    let v: Value = serde_json::from_slice(ctx.payload()).map_err(|e| (BAD_JSON, format!("not JSON: {e}")))?;
    match v.get("method").and_then(Value::as_str) {
        None => return Err((NO_METHOD, "method is missing".into())),
        Some("update" | "get" | "delete") => {}
        Some(m) => return Err((BAD_METHOD, format!("unknown method {m}"))),
    }
    let up = ShadowUp::parse(ctx.payload()).map_err(|e| (NO_STATE, e.to_string()))?;
    let db = &ctx.sh.db;
    let db_err = |e: crate::store::Error| (SERVER_ERROR, format!("database: {e}"));
    let current = device_state::get_shadow(db, ctx.info.id).await.map_err(db_err)?;
    match up {
        ShadowUp::Get => Ok(ShadowDown::get_ok(
            json!({"reported": current.reported, "desired": current.desired}),
            Value::Object(current.metadata),
            current.version.max(0) as u64,
            ts,
        )),
        ShadowUp::Update { state, version } => {
            let next = next_version(&current, version)?;
            let mut s = current.clone();
            apply_update(&mut s, &state, ts)?;
            save(ctx, &current, s, next).await
        }
        ShadowUp::Delete { state, version } => {
            let next = next_version(&current, version)?;
            let mut s = current.clone();
            apply_delete(&mut s, &state)?;
            save(ctx, &current, s, next).await
        }
    }
}

async fn save(ctx: &Ctx<'_>, current: &Shadow, mut s: Shadow, next: i64) -> Result<ShadowDown, (u32, String)> {
    s.version = next;
    s.updated_at = ctx.sh.now();
    let stored = device_state::put_shadow(&ctx.sh.db, ctx.info.id, current.version, &s)
        .await
        .map_err(|e| (SERVER_ERROR, format!("database: {e}")))?;
    if !stored {
        return Err((VERSION_CONFLICT, "the shadow changed meanwhile".into()));
    }
    Ok(ShadowDown::update_ok(next as u64, (ctx.sh.now().max(0) / 1000) as u64))
}

fn next_version(current: &Shadow, requested: Option<u64>) -> Result<i64, (u32, String)> {
    match requested {
        None => Ok(current.version + 1),
        Some(v) if v > current.version as u64 && v <= i64::MAX as u64 => Ok(v as i64),
        Some(v) => Err((VERSION_CONFLICT, format!("version {v} is not above the shadow's {}", current.version))),
    }
}

/// `null` or `"null"`: the SDKs' way to say "remove".
fn is_null(v: &Value) -> bool {
    v.is_null() || v.as_str() == Some("null")
}

/// Merge `patch` into `target`; null values remove keys. `meta` gets a timestamp per set key.
fn merge(target: &mut Map<String, Value>, patch: &Map<String, Value>, meta: Option<(&mut Map<String, Value>, u64)>) {
    let mut meta = meta;
    for (k, v) in patch {
        if is_null(v) {
            target.remove(k);
            if let Some((m, _)) = meta.as_mut() {
                m.remove(k);
            }
        } else {
            target.insert(k.clone(), v.clone());
            if let Some((m, ts)) = meta.as_mut() {
                m.insert(k.clone(), json!({ "timestamp": *ts }));
            }
        }
    }
}

fn apply_update(s: &mut Shadow, state: &ShadowState, ts: u64) -> Result<(), (u32, String)> {
    if state.reported.is_none() && state.desired.is_none() {
        return Err((NO_STATE, "state has neither reported nor desired".into()));
    }
    if let Some(r) = &state.reported {
        let Value::Object(patch) = r else { return Err((NO_STATE, "state.reported must be an object".into())) };
        let mut meta = match s.metadata.remove("reported") {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        merge(&mut s.reported, patch, Some((&mut meta, ts)));
        s.metadata.insert("reported".into(), Value::Object(meta));
    }
    match &state.desired {
        None => {}
        Some(d) if is_null(d) => s.desired.clear(),
        Some(Value::Object(patch)) => merge(&mut s.desired, patch, None),
        Some(_) => return Err((NO_STATE, "state.desired must be an object or \"null\"".into())),
    }
    Ok(())
}

fn apply_delete(s: &mut Shadow, state: &Value) -> Result<(), (u32, String)> {
    let reported = state.get("reported").ok_or((NO_STATE, "state.reported is missing".to_string()))?;
    if is_null(reported) {
        s.reported.clear();
        s.metadata.remove("reported");
        return Ok(());
    }
    let Value::Object(keys) = reported else {
        return Err((NO_STATE, "state.reported must be an object or \"null\"".into()));
    };
    for k in keys.keys() {
        s.reported.remove(k);
        if let Some(Value::Object(m)) = s.metadata.get_mut("reported") {
            m.remove(k);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_merges_and_removes() {
        let mut s = Shadow::default();
        let st = ShadowState { reported: Some(json!({"a":1,"b":2})), desired: Some(json!({"a":5})) };
        apply_update(&mut s, &st, 10).unwrap();
        assert_eq!(Value::Object(s.reported.clone()), json!({"a":1,"b":2}));
        assert_eq!(s.metadata["reported"]["a"]["timestamp"], json!(10));
        let st = ShadowState { reported: Some(json!({"a":"null"})), desired: Some(json!("null")) };
        apply_update(&mut s, &st, 11).unwrap();
        assert_eq!(Value::Object(s.reported.clone()), json!({"b":2}));
        assert!(s.desired.is_empty());
        assert!(apply_update(&mut s, &ShadowState::default(), 1).is_err());
        apply_delete(&mut s, &json!({"reported":"null"})).unwrap();
        assert!(s.reported.is_empty());
        assert!(apply_delete(&mut s, &json!({})).is_err());
    }

    #[test]
    fn versions_only_grow() {
        let s = Shadow { version: 6, ..Shadow::default() };
        assert_eq!(next_version(&s, None), Ok(7));
        assert_eq!(next_version(&s, Some(9)), Ok(9));
        assert_eq!(next_version(&s, Some(6)).unwrap_err().0, VERSION_CONFLICT);
        assert_eq!(next_version(&s, Some(u64::MAX)).unwrap_err().0, VERSION_CONFLICT);
    }
}

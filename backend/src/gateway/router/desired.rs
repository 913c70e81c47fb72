//! Desired properties (C3/C4): ↑ `thing/property/desired/get` `["LightSwitch"]` →
//! `{"LightSwitch":{"value":1,"version":3}}` (all of them for `[]`), and ↑ `…/desired/delete`
//! `{"LightSwitch":{"version":3}}` (without a version: delete whatever is there).

use model::alink::CODE_INVALID_PARAMS;
use serde_json::{json, Map, Value};

use super::respond::{answer, parse_request, success, Outcome};
use super::Ctx;
use crate::store::device_state;

pub(super) async fn get(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let ids: Option<Vec<String>> = match &req.params {
        Value::Null => Some(Vec::new()),
        Value::Array(a) => a.iter().map(|v| v.as_str().map(str::to_string)).collect(),
        _ => None,
    };
    let Some(ids) = ids else {
        return answer(
            &req,
            ctx.topic,
            CODE_INVALID_PARAMS,
            json!({}),
            "params must be an array of property identifiers",
        );
    };
    match device_state::get_desired(&ctx.sh.db, ctx.info.id, &ids).await {
        Ok(list) => {
            let data: Map<String, Value> =
                list.into_iter().map(|d| (d.identifier, json!({"value": d.value, "version": d.version}))).collect();
            success(&req, ctx.topic, Value::Object(data))
        }
        Err(e) => super::internal(ctx, &req, e),
    }
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let Value::Object(items) = &req.params else {
        return answer(&req, ctx.topic, CODE_INVALID_PARAMS, json!({}), "params must be {identifier: {version}}");
    };
    for (id, spec) in items {
        let version = spec.get("version").and_then(Value::as_i64);
        if let Err(e) = device_state::delete_desired(&ctx.sh.db, ctx.info.id, id, version).await {
            return super::internal(ctx, &req, e);
        }
    }
    success(&req, ctx.topic, json!({}))
}

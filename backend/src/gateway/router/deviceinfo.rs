//! Device tags the device reports itself: `thing/deviceinfo/update`
//! `[{"attrKey":k,"attrValue":v}]` and `thing/deviceinfo/delete` `[{"attrKey":k}]`.

use model::alink::CODE_INVALID_PARAMS;
use model::registry::Tag;
use serde::Deserialize;
use serde_json::{json, Value};

use super::respond::{answer, parse_request, success, Outcome};
use super::Ctx;
use crate::store;

/// Alibaba's limits on tag keys and values.
const MAX_KEY: usize = 100;
const MAX_VALUE: usize = 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Attr {
    attr_key: String,
    #[serde(default)]
    attr_value: Option<Value>,
}

fn attrs(params: &Value) -> Result<Vec<Attr>, String> {
    let list: Vec<Attr> =
        serde_json::from_value(params.clone()).map_err(|e| format!("params must be [{{attrKey, attrValue}}]: {e}"))?;
    for a in &list {
        if a.attr_key.is_empty() || a.attr_key.chars().count() > MAX_KEY {
            return Err(format!("attrKey must be 1-{MAX_KEY} characters"));
        }
    }
    Ok(list)
}

fn value_text(v: &Option<Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

pub(super) async fn update(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let tags = attrs(&req.params).and_then(|list| {
        list.iter()
            .map(|a| {
                let value = value_text(&a.attr_value);
                if value.chars().count() > MAX_VALUE {
                    return Err(format!("attrValue of {} is longer than {MAX_VALUE} characters", a.attr_key));
                }
                Ok(Tag { key: a.attr_key.clone(), value })
            })
            .collect::<Result<Vec<_>, _>>()
    });
    let tags = match tags {
        Ok(t) => t,
        Err(msg) => return answer(&req, ctx.topic, CODE_INVALID_PARAMS, json!({}), &msg),
    };
    match store::devices::upsert_tags(&ctx.sh.db, ctx.info.id, &tags).await {
        Ok(()) => success(&req, ctx.topic, json!({})),
        Err(e) => super::internal(ctx, &req, e),
    }
}

pub(super) async fn delete(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let keys = match attrs(&req.params) {
        Ok(list) => list.into_iter().map(|a| a.attr_key).collect::<Vec<_>>(),
        Err(msg) => return answer(&req, ctx.topic, CODE_INVALID_PARAMS, json!({}), &msg),
    };
    match store::devices::delete_tags(&ctx.sh.db, ctx.info.id, &keys).await {
        Ok(()) => success(&req, ctx.topic, json!({})),
        Err(e) => super::internal(ctx, &req, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attr_lists() {
        let a = attrs(&json!([{"attrKey":"location","attrValue":"lab-3"},{"attrKey":"n","attrValue":5}])).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(value_text(&a[1].attr_value), "5");
        assert!(attrs(&json!({"attrKey":"x"})).is_err());
        assert!(attrs(&json!([{"attrKey":""}])).is_err());
        assert!(attrs(&json!([{"attrValue":"x"}])).is_err());
        assert_eq!(attrs(&json!([{"attrKey":"k"}])).unwrap().len(), 1);
    }
}

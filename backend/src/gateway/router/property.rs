//! Property posts: `thing/event/property/post` (Py, C3, C4) and C4's
//! `thing/event/property/batch/post` with `{"properties":{id:[{value,time}]},"events":{…}}`.
//!
//! Alibaba answers a post with one code: the accepted values are stored and the reply carries the
//! first rejection's code (200 if none); more than 200 properties fail the whole post (6106).

use model::registry::PropertyValue as LiveValue;
use model::tsl::{codes, validate_property_post, PropertyValue, TslError, MAX_PROPERTIES_PER_POST};
use serde_json::{json, Map, Value};

use super::respond::{answer, request_and_model, Outcome};
use super::{event, Ctx};
use crate::hub::Fact;

/// `{"properties": …}` of a batch post is neither an object nor absent, or params is no object.
const BAD_PARAMS: u32 = model::alink::CODE_INVALID_FORMAT;

pub(super) async fn post(ctx: &Ctx<'_>) -> Outcome {
    let (req, model) = match request_and_model(ctx).await {
        Ok(v) => v,
        Err(o) => return o,
    };
    let Value::Object(params) = &req.params else {
        let msg = "params must be an object of property values";
        return answer(&req, ctx.topic, BAD_PARAMS, json!({}), msg).with_check(BAD_PARAMS, msg);
    };
    match validate_property_post(&*model, params) {
        Err(e) => answer(&req, ctx.topic, e.code, json!({}), &e.message).with_check(e.code, e.to_string()),
        Ok(post) => {
            store(ctx, &post.accepted).await;
            let (code, message, check) = summary(post.accepted.len(), &post.rejected);
            answer(&req, ctx.topic, code, json!({}), &message).with_check(code, check)
        }
    }
}

pub(super) async fn batch_post(ctx: &Ctx<'_>) -> Outcome {
    let (req, model) = match request_and_model(ctx).await {
        Ok(v) => v,
        Err(o) => return o,
    };
    let empty = Map::new();
    let parts = match &req.params {
        Value::Object(p) => obj_or_empty(p.get("properties"), &empty).zip(obj_or_empty(p.get("events"), &empty)),
        _ => None,
    };
    let Some((props, events)) = parts else {
        let msg = "params must be {\"properties\":{…},\"events\":{…}}";
        return answer(&req, ctx.topic, BAD_PARAMS, json!({}), msg).with_check(BAD_PARAMS, msg);
    };
    if props.len() > MAX_PROPERTIES_PER_POST {
        let msg = format!("{} properties posted, at most {MAX_PROPERTIES_PER_POST} allowed", props.len());
        let code = codes::PROPERTY_POST_TOO_MANY;
        return answer(&req, ctx.topic, code, json!({}), &msg).with_check(code, msg);
    }
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for (id, samples) in props {
        for sample in samples_of(samples) {
            // One property, one sample: the single-post validator handles `{value, time}`.
            let one = Map::from_iter([(id.clone(), sample.clone())]);
            match validate_property_post(&*model, &one) {
                Ok(p) => {
                    accepted.extend(p.accepted);
                    rejected.extend(p.rejected);
                }
                Err(e) => rejected.push(e),
            }
        }
    }
    let mut events_stored = 0;
    for (id, samples) in events {
        for sample in samples_of(samples) {
            match event::store(ctx, &model, id, sample).await {
                Ok(()) => events_stored += 1,
                Err(event::StoreError::Invalid(e)) => rejected.push(e),
                Err(event::StoreError::Db(e)) => return super::internal(ctx, &req, e),
            }
        }
    }
    store(ctx, &accepted).await;
    let (code, message, mut check) = summary(accepted.len(), &rejected);
    check.push_str(&format!(", {events_stored} event(s) stored"));
    answer(&req, ctx.topic, code, json!({}), &message).with_check(code, check)
}

fn obj_or_empty<'a>(v: Option<&'a Value>, empty: &'a Map<String, Value>) -> Option<&'a Map<String, Value>> {
    match v {
        None | Some(Value::Null) => Some(empty),
        Some(Value::Object(o)) => Some(o),
        Some(_) => None,
    }
}

/// `[{value,time},…]` or one sample.
fn samples_of(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    }
}

/// Reply code, reply message and run-log check text of a post.
fn summary(accepted: usize, rejected: &[TslError]) -> (u32, String, String) {
    match rejected.first() {
        None => (200, "success".into(), format!("{accepted} value(s) accepted")),
        Some(first) => {
            let all: Vec<String> = rejected.iter().map(ToString::to_string).collect();
            (
                first.code,
                first.message.clone(),
                format!("{accepted} value(s) accepted, {} rejected: {}", rejected.len(), all.join("; ")),
            )
        }
    }
}

/// Accepted values are a fact: the store writer keeps them, browsers see them.
async fn store(ctx: &Ctx<'_>, accepted: &[PropertyValue]) {
    if accepted.is_empty() {
        return;
    }
    let at = ctx.up.at;
    let values = accepted
        .iter()
        .map(|v| LiveValue { identifier: v.identifier.clone(), value: v.value.clone(), time: v.time.unwrap_or(at) })
        .collect();
    ctx.sh.fact(ctx.device, Some(ctx.trace), Fact::PropertiesPosted { device_id: ctx.info.id, values }).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::tsl::TslError;

    #[test]
    fn samples_and_summary() {
        assert_eq!(samples_of(&json!([1, 2])).len(), 2);
        assert_eq!(samples_of(&json!({"value": 1})).len(), 1);
        assert_eq!(summary(3, &[]).0, 200);
        let (code, msg, check) =
            summary(1, &[TslError::new(6306, "Brightness", "too big"), TslError::new(6320, "X", "unknown")]);
        assert_eq!((code, msg.as_str()), (6306, "too big"));
        assert!(check.contains("2 rejected"), "{check}");
        let empty = Map::new();
        assert!(obj_or_empty(None, &empty).is_some());
        assert!(obj_or_empty(Some(&json!(5)), &empty).is_none());
    }
}

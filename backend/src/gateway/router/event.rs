//! Event posts: `thing/event/{Id}/post` (Py sends `{"value":{…}}` without `time`; C4 sends
//! params as the app gives them). Unknown event 5096, bad output values per type.

use model::tsl::{validate_event, EventType, ThingModel, TslError};
use serde_json::{json, Value};

use super::respond::{answer, request_and_model, Outcome};
use super::Ctx;
use crate::hub::Fact;
use crate::store;

pub(super) async fn post(ctx: &Ctx<'_>) -> Outcome {
    let model::alink::Topic::EventPost(_, identifier) = ctx.topic else {
        return Outcome::status(super::CODE_BAD_TOPIC);
    };
    let (req, model) = match request_and_model(ctx).await {
        Ok(v) => v,
        Err(o) => return o,
    };
    match store(ctx, &model, identifier, &req.params).await {
        Ok(()) => {
            answer(&req, ctx.topic, 200, json!({}), "success").with_check(200, format!("event {identifier} accepted"))
        }
        Err(StoreError::Invalid(e)) => {
            answer(&req, ctx.topic, e.code, json!({}), &e.message).with_check(e.code, e.to_string())
        }
        Err(StoreError::Db(e)) => super::internal(ctx, &req, e),
    }
}

pub(super) enum StoreError {
    Invalid(TslError),
    Db(crate::store::Error),
}

/// Validate one event post's params and store it (also used by the batch post).
pub(super) async fn store(
    ctx: &Ctx<'_>,
    model: &ThingModel,
    identifier: &str,
    params: &Value,
) -> Result<(), StoreError> {
    let ev = validate_event(model, identifier, params).map_err(|mut errs| StoreError::Invalid(errs.swap_remove(0)))?;
    let kind = model.event(identifier).map(|e| e.event_type).unwrap_or_default();
    let time = ev.time.unwrap_or(ctx.up.at);
    store::properties::insert_event(
        &ctx.sh.db,
        ctx.info.id,
        &ev.identifier,
        type_name(kind),
        &Value::Object(ev.value),
        time,
    )
    .await
    .map_err(StoreError::Db)?;
    let fact = Fact::EventPosted { identifier: ev.identifier, event_type: type_name(kind) };
    ctx.sh.fact(ctx.device, Some(ctx.trace), fact).await;
    Ok(())
}

/// The TSL spelling (`info`, `alert`, `error`).
fn type_name(t: EventType) -> &'static str {
    match t {
        EventType::Info => "info",
        EventType::Alert => "alert",
        EventType::Error => "error",
    }
}

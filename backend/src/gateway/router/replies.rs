//! Replies from devices to platform requests (set/get/service replies, RRPC responses, raw
//! replies): matched to the waiting command by (device, id), checked against the thing model,
//! and logged under the request's trace.

use model::alink::{Reply, Topic, TopicKind, CODE_INVALID_FORMAT};
use model::tsl::validate_service_output;

use super::respond::Outcome;
use super::Ctx;
use crate::commands::replies::Answer;
use crate::hub::Fact;

/// A device's reply to a platform request (set/get/service replies, RRPC responses, raw replies).
pub(super) async fn on_reply(ctx: &Ctx<'_>) -> Outcome {
    let topic = ctx.topic;
    let keyed = match topic {
        Topic::RrpcResponse(_, msg) => Some(msg.clone()),
        t => t.rrpc_id().map(str::to_string),
    };
    let raw = matches!(topic.kind(), TopicKind::RrpcCustom | TopicKind::RrpcDownRaw);
    let (answer, id, code) = if raw {
        (Answer::Raw(ctx.up.payload.clone()), keyed, 200)
    } else {
        match Reply::parse(ctx.payload()) {
            Ok(r) => {
                let id = keyed.unwrap_or_else(|| r.id.clone());
                let code = r.code;
                (Answer::Alink(r), Some(id), code)
            }
            Err(e) => {
                let salvaged = Reply::invalid_format(ctx.payload(), &e);
                let id = keyed.or_else(|| salvaged.as_ref().map(|r| r.id.clone()));
                let r = salvaged.unwrap_or_else(|| Reply {
                    code: CODE_INVALID_FORMAT,
                    data: serde_json::json!({}),
                    id: id.clone().unwrap_or_default(),
                    message: String::new(),
                    version: "1.0".into(),
                    method: None,
                });
                // The caller learns at once that the reply was unreadable instead of timing out.
                let r = Reply { message: format!("the device's reply is not valid Alink: {e}"), ..r };
                (Answer::Alink(r), id, CODE_INVALID_FORMAT)
            }
        }
    };
    let Some(id) = id else { return Outcome::status(code).with_check(code, "reply without an id") };
    // The waiting call; else a call nobody waits for any more (timed out, or an async service
    // that returned at once): its reply still belongs in the call's trace, with its code.
    let (trace, service, tx) = match ctx.sh.replies.take(ctx.device, &id) {
        Some(w) => (w.trace, w.service, Some(w.tx)),
        None => match ctx.sh.replies.take_late(ctx.device, &id, ctx.up.at) {
            Some(late) => (late.trace, late.service, None),
            None => {
                return Outcome::status(code)
                    .with_id(Some(id))
                    .with_check(code, "no call is waiting for this reply (late or unknown id)");
            }
        },
    };
    let replied = Fact::CallReplied { message_id: id.clone(), code, service: service.clone() };
    ctx.sh.fact(ctx.device, Some(&trace), replied).await;
    let mut o = Outcome::status(code).with_id(Some(id));
    o.trace = Some(trace);
    if tx.is_none() {
        o = o.with_check(code, "a late reply: the caller had stopped waiting (async service or timeout)");
    }
    if let (Answer::Alink(r), Some(service)) = (&answer, &service) {
        if r.is_success() {
            if let Ok(model) = ctx.sh.cache.model(&ctx.sh.db, &ctx.device.pk).await {
                o = match validate_service_output(&*model, service, &r.data) {
                    Ok(()) => o.with_check(200, format!("{service} output accepted")),
                    Err(errs) => {
                        o.with_check(errs[0].code, errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
                    }
                };
            }
        }
    }
    // The caller may have given up meanwhile; nothing to do then.
    if let Some(tx) = tx {
        let _ = tx.send(answer);
    }
    o
}

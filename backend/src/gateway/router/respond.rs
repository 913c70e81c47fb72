//! What a handler hands back to the dispatcher ([`Outcome`]) and the helpers every handler uses
//! to parse a request and build its reply.

use model::alink::envelope::{EnvelopeError, Reply, Request, CODE_INVALID_FORMAT, CODE_SUCCESS};
use model::alink::Topic;
use serde_json::Value;

pub use crate::runlog::text::truncate;

/// A message for the device, published to the session that sent the uplink.
#[derive(Debug, Clone)]
pub struct Out {
    pub topic: Topic,
    pub payload: String,
    /// The code inside the reply (its run-log status).
    pub code: u32,
}

/// A thing-model check to log (BizType ThingModel, operation `check`).
#[derive(Debug, Clone)]
pub struct Check {
    pub status: u32,
    pub content: String,
}

/// The result of handling one uplink.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Run-log status of the uplink: 200 or the code.
    pub status: u32,
    /// The Alink id, if the payload had one.
    pub message_id: Option<String>,
    /// Boxed: outcomes travel in `Result`s and most have no reply.
    pub reply: Option<Box<Out>>,
    pub checks: Vec<Check>,
    /// Log under this trace instead of a new one (a device's reply to a platform request).
    pub trace: Option<String>,
}

impl Outcome {
    pub fn status(status: u32) -> Outcome {
        Outcome { status, message_id: None, reply: None, checks: Vec::new(), trace: None }
    }

    pub fn ok() -> Outcome {
        Outcome::status(CODE_SUCCESS)
    }

    pub fn with_id(mut self, id: Option<String>) -> Outcome {
        self.message_id = id;
        self
    }

    pub fn with_check(mut self, status: u32, content: impl Into<String>) -> Outcome {
        self.checks.push(Check { status, content: content.into() });
        self
    }
}

/// A reply that carries every key any SDK reads: Py needs id/code/data/message, C4 parses id and
/// code; `method` echoes the request's or, when the request had none (C4), names the topic's.
pub fn reply(req: &Request, topic: &Topic, code: u32, data: Value, message: &str) -> Reply {
    let mut r =
        if code == CODE_SUCCESS { Reply::ok(req, data) } else { Reply { data, ..Reply::err(req, code, message) } };
    if r.method.is_none() {
        r.method = Some(topic.operation().into_owned());
    }
    r
}

/// The outcome of answering `req` with `code` and `data`: the reply goes to the topic's reply
/// topic unless the device asked for none (`sys.ack == 0`).
pub fn answer(req: &Request, topic: &Topic, code: u32, data: Value, message: &str) -> Outcome {
    let out = req.needs_reply().then(|| topic.reply_topic()).flatten().map(|t| Out {
        payload: reply(req, topic, code, data, message).to_json(),
        topic: t,
        code,
    });
    Outcome { reply: out.map(Box::new), ..Outcome::status(code) }.with_id(Some(req.id.clone()))
}

/// `answer` with 200, `"success"`.
pub fn success(req: &Request, topic: &Topic, data: Value) -> Outcome {
    answer(req, topic, CODE_SUCCESS, data, "success")
}

/// The outcome for a payload that is not an Alink request: 6207, answered only if an id can be
/// salvaged (otherwise nobody would recognise the reply).
pub fn invalid(payload: &[u8], topic: &Topic, err: &EnvelopeError) -> Outcome {
    let out = Reply::invalid_format(payload, err).and_then(|mut r| {
        r.method = Some(topic.operation().into_owned());
        r.message = err.to_string();
        let t = topic.reply_topic()?;
        Some((r.id.clone(), Out { topic: t, payload: r.to_json(), code: CODE_INVALID_FORMAT }))
    });
    let id = out.as_ref().map(|(id, _)| id.clone());
    Outcome { reply: out.map(|(_, o)| Box::new(o)), ..Outcome::status(CODE_INVALID_FORMAT) }
        .with_id(id)
        .with_check(CODE_INVALID_FORMAT, err.to_string())
}

/// An error for a request that may or may not parse: answered with `code` if it does, else as
/// [`invalid`]. For refusals decided before the handler looks at the payload (unknown device,
/// sub-device not attached, …).
pub fn refuse(payload: &[u8], topic: &Topic, code: u32, message: &str) -> Outcome {
    match Request::parse(payload) {
        Ok(req) => answer(&req, topic, code, Value::Object(Default::default()), message),
        Err(_) => {
            let mut o = invalid(payload, topic, &EnvelopeError::InvalidFormat(message.to_string()));
            o.status = code;
            if let Some(out) = &mut o.reply {
                if let Ok(mut r) = Reply::parse(out.payload.as_bytes()) {
                    r.code = code;
                    r.message = message.to_string();
                    out.payload = r.to_json();
                    out.code = code;
                }
            }
            o.checks.clear();
            o
        }
    }
}

/// Parses the request or gives the 6207 outcome.
pub fn parse_request(payload: &[u8], topic: &Topic) -> Result<Request, Outcome> {
    Request::parse(payload).map_err(|e| invalid(payload, topic, &e))
}

/// The preamble of every TSL-checked uplink: the request, and the product's thing model. On
/// failure, the reply to send (6207 for a bad envelope, the model lookup's code otherwise).
pub(crate) async fn request_and_model(
    ctx: &super::Ctx<'_>,
) -> Result<(Request, std::sync::Arc<model::tsl::ThingModel>), Outcome> {
    let req = parse_request(ctx.payload(), ctx.topic)?;
    match ctx.sh.model(&ctx.device.pk).await {
        Ok(m) => Ok((req, m)),
        Err((code, msg)) => Err(answer(&req, ctx.topic, code, serde_json::json!({}), &msg).with_check(code, msg)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::alink::DeviceRef;
    use serde_json::json;

    fn topic() -> Topic {
        Topic::PropertyPost(DeviceRef::new("pkA", "devA"))
    }

    #[test]
    fn replies_carry_every_key_and_a_method() {
        let req = Request::parse(br#"{"id":"7","params":{},"sys":{"ack":1}}"#).unwrap();
        let o = success(&req, &topic(), json!({}));
        let out = o.reply.unwrap();
        assert_eq!(out.topic.to_string(), "/sys/pkA/devA/thing/event/property/post_reply");
        let v: Value = serde_json::from_str(&out.payload).unwrap();
        for k in ["id", "code", "data", "message", "version", "method"] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert_eq!(v["method"], json!("thing.event.property.post"));
        assert_eq!(v["id"], json!("7"));
        let e = answer(&req, &topic(), 6320, json!({}), "nope");
        assert_eq!(e.status, 6320);
        let v: Value = serde_json::from_str(&e.reply.unwrap().payload).unwrap();
        assert_eq!((v["code"].clone(), v["message"].clone()), (json!(6320), json!("nope")));
    }

    #[test]
    fn ack_zero_means_no_reply() {
        let req = Request::parse(br#"{"id":"7","params":{},"sys":{"ack":0}}"#).unwrap();
        let o = success(&req, &topic(), json!({}));
        assert!(o.reply.is_none());
        assert_eq!(o.status, 200);
        assert_eq!(o.message_id.as_deref(), Some("7"));
    }

    #[test]
    fn invalid_payloads() {
        let o = parse_request(br#"{"id":"9","params":5,"method":7}"#, &topic()).unwrap_err();
        assert_eq!(o.status, 6207);
        assert!(o.reply.unwrap().payload.contains("\"id\":\"9\""));
        let o = parse_request(b"\xff garbage", &topic()).unwrap_err();
        assert!(o.reply.is_none());
        let r = refuse(br#"{"id":"3","params":{}}"#, &topic(), 6401, "no topo");
        assert_eq!(r.reply.as_ref().unwrap().code, 6401);
        let r = refuse(br#"{"id":"3","params":5,"method":1}"#, &topic(), 6401, "no topo");
        assert_eq!(r.status, 6401);
        assert!(r.reply.unwrap().payload.contains("6401"));
    }
}

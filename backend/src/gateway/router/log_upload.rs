//! Device local logs: ↑ `thing/log/post` `[{utcTime, logLevel, module, code, traceContext, logContent}]`
//! and the log switch: ↑ `thing/config/log/get` → ↓ `get_reply` with `"mode":0|1` (C4 uploads
//! only after mode 1; off by default), ↓ `thing/config/log/push` when the console flips it.

use model::alink::CODE_INVALID_PARAMS;
use serde_json::{json, Value};

use super::respond::{answer, parse_request, success, Outcome};
use super::Ctx;
use crate::hub::Fact;
use crate::store::device_state;

/// Lines per message and characters per field at most.
const MAX_LINES: usize = 500;
const MAX_FIELD: usize = 4096;

fn field(o: &serde_json::Map<String, Value>, k: &str) -> String {
    let s = match o.get(k) {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(v) => v.to_string(),
    };
    super::respond::truncate(&s, MAX_FIELD)
}

fn lines(params: &Value, received_at: i64) -> Result<Vec<device_state::DeviceLog>, String> {
    let Value::Array(list) = params else { return Err("params must be an array of log lines".into()) };
    if list.len() > MAX_LINES {
        return Err(format!("at most {MAX_LINES} log lines per message"));
    }
    list.iter()
        .map(|l| {
            let Value::Object(o) = l else { return Err("each log line must be an object".to_string()) };
            Ok(device_state::DeviceLog {
                utc_time: field(o, "utcTime"),
                log_level: field(o, "logLevel"),
                module: field(o, "module"),
                code: field(o, "code"),
                trace_context: field(o, "traceContext"),
                content: field(o, "logContent"),
                received_at,
            })
        })
        .collect()
}

pub(super) async fn post(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let lines = match lines(&req.params, ctx.up.at) {
        Ok(l) => l,
        Err(msg) => {
            return answer(&req, ctx.topic, CODE_INVALID_PARAMS, json!({}), &msg).with_check(CODE_INVALID_PARAMS, msg)
        }
    };
    match device_state::insert_logs(&ctx.sh.db, ctx.info.id, &lines).await {
        Ok(()) => {
            ctx.sh.fact(ctx.device, Some(ctx.trace), Fact::LogLinesPosted { count: lines.len() }).await;
            success(&req, ctx.topic, json!({}))
        }
        Err(e) => super::internal(ctx, &req, e),
    }
}

/// What the device reads the switch from (`mode` is looked up anywhere in the payload).
pub fn switch_data(mode: u8) -> Value {
    json!({"getType": "content", "content": {"mode": mode}})
}

pub(super) async fn switch_get(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    match device_state::log_mode(&ctx.sh.db, ctx.info.id).await {
        Ok(mode) => success(&req, ctx.topic, switch_data(mode)),
        Err(e) => super::internal(ctx, &req, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines() {
        let l =
            lines(&json!([{"utcTime":"2024-01-01","logLevel":"ERROR","module":"m","code":7,"logContent":"boom"}]), 3)
                .unwrap();
        assert_eq!((l[0].code.as_str(), l[0].content.as_str(), l[0].received_at), ("7", "boom", 3));
        assert!(lines(&json!({}), 0).is_err());
        assert!(lines(&json!([1]), 0).is_err());
        assert_eq!(switch_data(1)["content"]["mode"], json!(1));
    }
}

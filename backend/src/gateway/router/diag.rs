//! Network status (C3 "und" module): ↑ `_thing/diag/post`
//! `{"p":{"wifi":{"rssi","snr","per","err_stats"},"_time":ms},"model":"format=simple|quantity=single|time=now"}`;
//! the batch form (`quantity=batch|time=history`) carries an array of such samples in `p`.

use model::alink::CODE_INVALID_PARAMS;
use serde_json::{json, Value};

use super::respond::{answer, parse_request, success, Outcome};
use super::Ctx;
use crate::hub::Fact;
use crate::store::device_state::{self, NetworkStatus};

/// Samples per message at most (bounds the work a device can ask for).
const MAX_SAMPLES: usize = 500;

pub(super) async fn post(ctx: &Ctx<'_>) -> Outcome {
    let req = match parse_request(ctx.payload(), ctx.topic) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let samples = match samples(&req.params, ctx.up.at) {
        Ok(s) => s,
        Err(msg) => {
            return answer(&req, ctx.topic, CODE_INVALID_PARAMS, json!({}), &msg).with_check(CODE_INVALID_PARAMS, msg)
        }
    };
    match device_state::insert_network_status(&ctx.sh.db, ctx.info.id, &samples).await {
        Ok(()) => {
            ctx.sh.fact(ctx.device, Some(ctx.trace), Fact::DiagPosted { samples: samples.len() }).await;
            success(&req, ctx.topic, json!({}))
        }
        Err(e) => super::internal(ctx, &req, e),
    }
}

/// A number sent as a number or as a numeric string.
fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn sample(p: &Value, received_at: i64) -> Result<NetworkStatus, String> {
    let Value::Object(o) = p else { return Err("each sample must be an object".into()) };
    // `wifi` today; other link types keep the same keys, and the key names the connection method.
    let (connection, link) = match o.get("wifi") {
        Some(v) => (Some("wifi".to_string()), v.clone()),
        None => match o.iter().find(|(_, v)| v.get("rssi").is_some()) {
            Some((k, v)) => (Some(k.clone()), v.clone()),
            None => (None, Value::Null),
        },
    };
    // No `_time`: the seed leaves Collected At empty, so it is stored as NULL (the row still
    // sorts and charts by its receive time).
    let collected_at = o.get("_time").and_then(model::tsl::parse_millis);
    Ok(NetworkStatus {
        rssi: num(link.get("rssi")),
        snr: num(link.get("snr")),
        per: num(link.get("per")),
        err_stats: link.get("err_stats").map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())),
        raw: p.clone(),
        time: collected_at.unwrap_or(received_at),
        received_at,
        collected_at,
        connection,
    })
}

fn samples(params: &Value, received_at: i64) -> Result<Vec<NetworkStatus>, String> {
    match params.get("p") {
        Some(Value::Array(list)) if list.len() <= MAX_SAMPLES => list.iter().map(|p| sample(p, received_at)).collect(),
        Some(Value::Array(_)) => Err(format!("at most {MAX_SAMPLES} samples per message")),
        Some(p) => Ok(vec![sample(p, received_at)?]),
        None => Err("params.p is missing".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_batch() {
        let one = json!({"p":{"wifi":{"rssi":-60,"snr":"20","per":0,"err_stats":"0,0"},"_time":1700000000123u64},"model":"format=simple|quantity=single|time=now"});
        let s = samples(&one, 5).unwrap();
        assert_eq!((s[0].rssi, s[0].snr, s[0].per), (Some(-60.0), Some(20.0), Some(0.0)));
        assert_eq!(s[0].err_stats.as_deref(), Some("0,0"));
        assert_eq!((s[0].time, s[0].collected_at), (1700000000123, Some(1700000000123)));
        assert_eq!(s[0].connection.as_deref(), Some("wifi"));
        let batch = json!({"p":[{"wifi":{"rssi":-1}},{"wifi":{"rssi":-2},"_time":"7"}]});
        let s = samples(&batch, 5).unwrap();
        assert_eq!((s.len(), s[0].time, s[1].time), (2, 5, 7));
        assert_eq!((s[0].collected_at, s[1].collected_at), (None, Some(7)), "no _time: no collection time");
        assert!(samples(&json!({}), 0).is_err());
        assert!(samples(&json!({"p":[1]}), 0).is_err());
    }
}

//! What the simulated fleet looks like: product, thing model, device names and secrets, the CSV
//! that creates them, and the Alink property posts they send. Pure functions, unit-tested.

use std::ops::Range;

use model::tsl::ThingModel;
use serde::Deserialize;

/// The benchmark's product.
pub const PRODUCT_KEY: &str = "LoadGen0001";

/// Properties per post (each post stores this many `property_history` rows).
pub const PROPERTIES_PER_POST: u64 = 3;

/// The product's thing model (Alibaba TSL JSON): a bool, an int and a double property.
/// The built-in `post`/`set`/`get` entries are generated from the properties.
pub fn thing_model(pk: &str) -> ThingModel {
    let v = serde_json::json!({
        "schema": model::tsl::SCHEMA_URL,
        "profile": {"productKey": pk},
        "properties": [
            {"identifier": "LightSwitch", "name": "Light switch", "accessMode": "rw", "required": false,
             "dataType": {"type": "bool", "specs": {"0": "off", "1": "on"}}},
            {"identifier": "Brightness", "name": "Brightness", "accessMode": "rw", "required": false,
             "dataType": {"type": "int", "specs": {"min": "0", "max": "100", "step": "1", "unit": "%", "unitName": "percent"}}},
            {"identifier": "Temperature", "name": "Temperature", "accessMode": "r", "required": false,
             "dataType": {"type": "double", "specs": {"min": "-40", "max": "120", "step": "0.1", "unit": "°C", "unitName": "degree Celsius"}}}
        ],
        "events": [],
        "services": []
    });
    let mut m: ThingModel = serde_json::from_value(v).expect("the literal is a thing model");
    m.rebuild_builtins();
    m
}

/// DeviceName of device `i` (Alibaba's rule: 4–32 of letters, digits, `-_@.:`).
pub fn device_name(i: usize) -> String {
    format!("lg{i:06}")
}

/// DeviceSecret of device `i`: chosen by us (imported through the CSV), so we can sign.
pub fn device_secret(i: usize) -> String {
    format!("LoadGenSecret{i:08}")
}

/// The import CSV (`DeviceName,DeviceSecret`) of devices `range`.
pub fn devices_csv(range: Range<usize>) -> String {
    let mut s = String::with_capacity(40 * range.len() + 32);
    s.push_str("DeviceName,DeviceSecret\n");
    for i in range {
        s.push_str(&device_name(i));
        s.push(',');
        s.push_str(&device_secret(i));
        s.push('\n');
    }
    s
}

/// `/sys/{pk}/{dn}/thing/event/property/post`.
pub fn property_topic(pk: &str, dn: &str) -> String {
    format!("/sys/{pk}/{dn}/thing/event/property/post")
}

/// A Python-SDK-shaped property post whose Alink id is `seq` (decimal digits, as the SDKs send)
/// and whose values are valid for [`thing_model`] and vary with `seq`.
pub fn property_post(seq: u64) -> Vec<u8> {
    property_post_n(seq, PROPERTIES_PER_POST as usize)
}

/// [`property_post`] with only the first `n` (1..=3) properties (for finding where time goes).
pub fn property_post_n(seq: u64, n: usize) -> Vec<u8> {
    // -40.0 ..= 119.9 in steps of 0.1, printed with one decimal.
    let tenths = (seq % 1600) as i64 - 400;
    let sign = if tenths < 0 { "-" } else { "" };
    let t = tenths.unsigned_abs();
    let values = [
        format!(r#""LightSwitch":{}"#, seq % 2),
        format!(r#""Brightness":{}"#, seq % 101),
        format!(r#""Temperature":{sign}{}.{}"#, t / 10, t % 10),
    ];
    let params = values[..n.clamp(1, values.len())].join(",");
    format!(r#"{{"id":"{seq}","version":"1.0","params":{{{params}}},"method":"thing.event.property.post"}}"#)
        .into_bytes()
}

#[derive(Deserialize)]
struct IdOnly<'a> {
    #[serde(borrow)]
    id: IdValue<'a>,
}

/// Alink ids are strings of digits; be lenient and take numbers too.
#[derive(Deserialize)]
#[serde(untagged)]
enum IdValue<'a> {
    Str(&'a str),
    Num(u64),
}

impl IdValue<'_> {
    fn get(&self) -> Option<u64> {
        match self {
            IdValue::Str(s) => s.parse().ok(),
            IdValue::Num(n) => Some(*n),
        }
    }
}

/// The Alink id of a request or reply, as a number.
pub fn alink_id(payload: &[u8]) -> Option<u64> {
    serde_json::from_slice::<IdOnly>(payload).ok()?.id.get()
}

#[derive(Deserialize)]
struct ReplyHead<'a> {
    #[serde(borrow)]
    id: IdValue<'a>,
    code: u32,
}

/// `(id, code)` of a `post_reply`.
pub fn reply_code(payload: &[u8]) -> Option<(u64, u32)> {
    let r: ReplyHead = serde_json::from_slice(payload).ok()?;
    Some((r.id.get()?, r.code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::registry::{parse_device_csv, validate_device_name, validate_secret};
    use serde_json::Value;

    #[test]
    fn the_model_is_valid_and_every_post_passes_it() {
        let m = thing_model(PRODUCT_KEY);
        assert!(m.check().is_empty(), "{:?}", m.check());
        for seq in [0, 1, 2, 99, 100, 101, 399, 400, 401, 1599, 1600, 123_456_789, u64::MAX] {
            let bytes = property_post(seq);
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(v["id"], Value::String(seq.to_string()));
            assert_eq!(v["method"], "thing.event.property.post");
            let params = v["params"].as_object().unwrap();
            assert_eq!(params.len() as u64, PROPERTIES_PER_POST);
            let post = model::tsl::validate_property_post(&m, params).unwrap();
            assert!(post.rejected.is_empty(), "seq {seq}: {:?}", post.rejected);
            assert_eq!(post.accepted.len() as u64, PROPERTIES_PER_POST);
            assert_eq!(alink_id(&bytes), Some(seq));
        }
        let one: Value = serde_json::from_slice(&property_post_n(9, 1)).unwrap();
        assert_eq!(one["params"], serde_json::json!({"LightSwitch": 1}));
        let t = |seq| {
            serde_json::from_slice::<Value>(&property_post(seq)).unwrap()["params"]["Temperature"].as_f64().unwrap()
        };
        assert_eq!(t(0), -40.0);
        assert_eq!(t(395), -0.5);
        assert_eq!(t(1599), 119.9);
    }

    #[test]
    fn names_secrets_and_csv_are_importable() {
        for i in [0, 7, 99_999, 999_999] {
            assert!(validate_device_name(&device_name(i)).is_ok());
            assert!(validate_secret(&device_secret(i)).is_ok());
        }
        let (rows, errors) = parse_device_csv(&devices_csv(10..20));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 10);
        assert_eq!(rows[0].device.device_name, device_name(10));
        assert_eq!(rows[9].device.device_secret.as_deref(), Some(device_secret(19).as_str()));
        assert!(model::registry::validate_product_key(PRODUCT_KEY).is_ok());
    }

    #[test]
    fn replies_are_parsed() {
        let r = br#"{"code":200,"data":{},"id":"42","message":"success","version":"1.0","method":"thing.event.property.post"}"#;
        assert_eq!(reply_code(r), Some((42, 200)));
        assert_eq!(reply_code(br#"{"code":6306,"id":7,"data":{},"message":"x"}"#), Some((7, 6306)));
        assert_eq!(reply_code(b"not json"), None);
        assert_eq!(alink_id(br#"{"id":"x1"}"#), None);
    }
}

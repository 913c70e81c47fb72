use serde_json::{json, Value};

use super::age::{ago, is_stale, STALE_AFTER_MS};
use super::connection::{ConnectionInput, ConnectionParams, PASSWORD_PLACEHOLDER};
use super::value::{inline, show, utc_text, ShownValue};
use super::Locale::{En, Zh};
use crate::alink::client_id::ClientId;
use crate::alink::sign::verify_device_sign;
use crate::tsl::DataType;

fn dt(v: Value) -> DataType {
    serde_json::from_value(v).expect("a TSL dataType")
}

#[test]
fn numbers_get_their_unit_symbol_else_its_name_and_no_unit_prints_nothing() {
    let temp = dt(json!({"type": "float", "specs": {"min": "-40", "max": "120", "unit": "°C", "unitName": "摄氏度"}}));
    assert_eq!(show(&json!(19.5), Some(&temp)).with_unit(), "19.5 °C");
    let named = dt(json!({"type": "int", "specs": {"unitName": "lux"}}));
    assert_eq!(show(&json!(54), Some(&named)).with_unit(), "54 lux");
    let none = dt(json!({"type": "int", "specs": {"unit": "", "unitName": "无"}}));
    assert_eq!(show(&json!(54), Some(&none)).with_unit(), "54");
}

#[test]
fn single_precision_floats_show_as_the_device_meant_them() {
    let float = dt(json!({"type": "float", "specs": {"unit": "°C"}}));
    assert_eq!(show(&json!(35.290000915527344), Some(&float)).with_unit(), "35.29 °C");
    assert_eq!(show(&json!(-16), Some(&float)).text, "-16");
    let double = dt(json!({"type": "double", "specs": {}}));
    assert_eq!(show(&json!(35.290000915527344), Some(&double)).text, "35.290000915527344", "a double is shown as sent");
}

#[test]
fn bool_and_enum_show_their_label_and_keep_the_code() {
    let sw = dt(json!({"type": "bool", "specs": {"0": "Off", "1": "On"}}));
    assert_eq!(
        show(&json!(0), Some(&sw)),
        ShownValue { text: "Off".into(), unit: String::new(), code: Some("0".into()) }
    );
    let mode = dt(json!({"type": "enum", "specs": {"0": "Auto", "1": "Manual"}}));
    assert_eq!(show(&json!("1"), Some(&mode)).text, "Manual");
    // A code the model does not define is shown as sent, not hidden.
    assert_eq!(show(&json!(7), Some(&mode)), ShownValue { text: "7".into(), ..ShownValue::default() });
}

#[test]
fn without_a_model_the_bare_value_is_shown_strings_unquoted() {
    assert_eq!(show(&json!("abc"), None).with_unit(), "abc");
    assert_eq!(show(&json!(19.5), None).with_unit(), "19.5");
    assert_eq!(show(&json!({"a": 1}), None).with_unit(), r#"{"a":1}"#);
}

#[test]
fn structs_use_field_names_and_arrays_format_each_item() {
    let geo = dt(json!({"type": "struct", "specs": [
        {"identifier": "lat", "name": "Latitude", "dataType": {"type": "double", "specs": {"unit": "°"}}},
        {"identifier": "on", "name": "Lit", "dataType": {"type": "bool", "specs": {"0": "No", "1": "Yes"}}}
    ]}));
    assert_eq!(inline(&json!({"lat": 30.5, "on": 1, "extra": "x"}), &geo), "{Latitude: 30.5 °, Lit: Yes, extra: x}");
    let temps =
        dt(json!({"type": "array", "specs": {"size": "3", "item": {"type": "float", "specs": {"unit": "°C"}}}}));
    assert_eq!(show(&json!([1.5, 2]), Some(&temps)).with_unit(), "[1.5 °C, 2 °C]");
    // A value that does not fit its type is still shown.
    assert_eq!(inline(&json!("oops"), &geo), "oops");
}

#[test]
fn dates_are_utc_calendar_times() {
    assert_eq!(utc_text(0), "1970-01-01 00:00:00 UTC");
    assert_eq!(utc_text(1_700_000_000_000), "2023-11-14 22:13:20 UTC");
    assert_eq!(utc_text(951_782_400_000), "2000-02-29 00:00:00 UTC");
    let date = dt(json!({"type": "date", "specs": {}}));
    assert_eq!(show(&json!("1700000000000"), Some(&date)).text, "2023-11-14 22:13:20 UTC");
    assert_eq!(show(&json!("soon"), Some(&date)).text, "soon");
}

#[test]
fn ages_read_in_the_largest_whole_unit_in_both_languages() {
    let cases = [
        (-5_000, "just now", "刚刚"),
        (4_999, "just now", "刚刚"),
        (5_000, "5 s ago", "5 秒前"),
        (119_000, "1 min ago", "1 分钟前"),
        (3 * 3_600_000 + 59_000, "3 h ago", "3 小时前"),
        (49 * 3_600_000, "2 d ago", "2 天前"),
    ];
    for (ms, en, zh) in cases {
        assert_eq!((ago(ms, En).as_str(), ago(ms, Zh).as_str()), (en, zh), "age {ms} ms");
    }
}

#[test]
fn offline_devices_old_values_and_values_of_an_earlier_session_are_stale() {
    let (since, now) = (1_000_000_000, 1_000_000_000 + STALE_AFTER_MS + 10_000);
    assert!(!is_stale(Some(since), now - 1_000, now));
    assert!(!is_stale(Some(since), now - STALE_AFTER_MS, now));
    assert!(is_stale(Some(since), now - STALE_AFTER_MS - 1, now));
    assert!(is_stale(None, now, now), "offline: nothing confirms even a fresh value");
    // Posted before this connection began: from a session that has ended.
    assert!(is_stale(Some(since), since - 1, since + 1_000));
    assert!(!is_stale(Some(since), since, since + 1_000));
}

fn input(secret: Option<&str>) -> ConnectionInput<'_> {
    ConnectionInput {
        product_key: "a1FakePK001",
        device_name: "dev-001",
        secret,
        host: "mqtt.example.com",
        port: 1883,
        tls_port: Some(8883),
        configured: true,
        now_ms: 1_700_000_000_123,
        example_params: json!({"PowerSwitch": 1}),
    }
}

#[test]
fn every_form_signs_a_password_the_server_accepts() {
    let secret = "0123456789abcdef0123456789abcdef";
    let p = ConnectionParams::build(input(Some(secret)));
    assert_eq!(p.forms.iter().map(|f| f.sdk.as_str()).collect::<Vec<_>>(), ["python", "c4", "c3"]);
    // ALINK.md's worked example for Python: timestamp in seconds.
    assert_eq!(
        p.forms[0].client_id,
        "a1FakePK001&dev-001|securemode=3,signmethod=hmacsha1,ext=1,_ss=1,lan=Python,_v=1.2.13,timestamp=1700000000|"
    );
    assert_eq!(p.forms[1].timestamp, "2524608000000");
    for f in &p.forms {
        assert_eq!(f.username, "dev-001&a1FakePK001");
        let cid = ClientId::parse(&f.client_id).expect("a clientId the gateway parses");
        let pw = f.password.as_deref().expect("an operator sees passwords");
        assert!(verify_device_sign(&cid, "a1FakePK001", "dev-001", secret, pw), "{} signs right", f.sdk);
        assert!(!verify_device_sign(&cid, "a1FakePK001", "dev-001", "another-secret-0000000000000000", pw));
    }
    assert!(p.mosquitto_pub.contains(&format!("-P '{}'", p.forms[1].password.as_deref().unwrap())));
    assert!(p.mosquitto_pub.contains("-h 'mqtt.example.com' -p 1883"));
    assert!(p.mosquitto_pub.contains(r#""params":{"PowerSwitch":1}"#), "{}", p.mosquitto_pub);
    assert!(p.mosquitto_pub.contains("-t '/sys/a1FakePK001/dev-001/thing/event/property/post'"));
    assert!(p.paho_python.contains(r#"c.connect("mqtt.example.com", 1883, keepalive=60)"#));
    assert!(p.paho_python.contains(&format!("{:?}", p.forms[0].password.as_deref().unwrap())));
}

#[test]
fn without_the_secret_no_password_appears_anywhere() {
    let p = ConnectionParams::build(input(None));
    assert!(!p.secret_visible);
    assert!(p.forms.iter().all(|f| f.password.is_none() && !f.client_id.is_empty()));
    assert!(p.mosquitto_pub.contains(&format!("-P '{PASSWORD_PLACEHOLDER}'")));
    assert!(p.paho_python.contains(PASSWORD_PLACEHOLDER));
}

#[test]
fn shell_quotes_survive_a_single_quote_in_the_post() {
    let mut i = input(Some("0123456789abcdef0123456789abcdef"));
    i.example_params = json!({"Note": "it's"});
    let p = ConnectionParams::build(i);
    assert!(p.mosquitto_pub.contains(r#""Note":"it'\''s""#), "{}", p.mosquitto_pub);
    assert!(p.paho_python.contains(r#"json.loads('{"id":"1""#), "{}", p.paho_python);
    assert!(p.paho_python.contains(r#""Note":"it\'s""#), "{}", p.paho_python);
}

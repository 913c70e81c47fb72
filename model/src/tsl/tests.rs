//! Tests of the whole module against the two fixtures (copied from `shared/protocol/tsl` into
//! `model/tests/fixtures/tsl` so the crate tests without the shared folder).

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::codes::*;
use super::*;

const C_SDK: &str = include_str!("../../tests/fixtures/tsl/c-sdk-street-lamp.json");
const ALL_TYPES: &str = include_str!("../../tests/fixtures/tsl/all-types-street-lamp.json");

fn lamp() -> ThingModel {
    serde_json::from_str(ALL_TYPES).expect("all-types fixture parses")
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("object")
}

fn codes_of(errors: &[TslError]) -> Vec<u32> {
    errors.iter().map(|e| e.code).collect()
}

// ---------------------------------------------------------------- import / export

/// Import then export gives back the same JSON value, for both fixtures.
#[test]
fn fixtures_round_trip() {
    for (name, text) in [("c-sdk", C_SDK), ("all-types", ALL_TYPES)] {
        let original: Value = serde_json::from_str(text).unwrap();
        let model: ThingModel = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let exported = serde_json::to_value(&model).unwrap();
        assert_eq!(exported, original, "{name} does not round-trip");
        // And once more from the export, through a string.
        let again: ThingModel = serde_json::from_str(&serde_json::to_string(&model).unwrap()).unwrap();
        assert_eq!(again, model, "{name}");
    }
}

/// The fixtures are valid models, and their built-ins already follow their properties.
#[test]
fn fixtures_check_clean_and_builtins_consistent() {
    for text in [C_SDK, ALL_TYPES] {
        let model: ThingModel = serde_json::from_str(text).unwrap();
        assert_eq!(model.check(), vec![], "{}", model.profile.product_key);
        let mut rebuilt = model.clone();
        rebuilt.rebuild_builtins();
        assert_eq!(serde_json::to_value(&rebuilt).unwrap(), serde_json::to_value(&model).unwrap());
    }
}

#[test]
fn fixture_shapes() {
    let m = lamp();
    assert_eq!(m.profile.product_key, "a1StreetLmp");
    assert_eq!(m.properties.len(), 10);
    assert_eq!(m.property("Voltage").unwrap().access_mode, AccessMode::ReadOnly);
    assert!(matches!(m.property("Brightness").unwrap().data_type, DataType::Int(_)));
    let DataType::Array(a) = &m.property("Schedules").unwrap().data_type else { panic!() };
    assert_eq!(a.max_len(), Some(8));
    assert!(matches!(*a.item, DataType::Struct(ref f) if f.len() == 2));
    let get = m.service("get").unwrap();
    assert_eq!(get.input_data[0], ServiceInput::Identifier("PowerSwitch".into()));
    assert_eq!(m.service("SelfTest").unwrap().call_type, CallType::Sync);
    assert_eq!(m.event("LowVoltage").unwrap().event_type, EventType::Alert);
    let DataType::Enum(l) = &m.property("WorkMode").unwrap().data_type else { panic!() };
    assert_eq!(l.label("2"), Some("节能"));
}

/// Unknown keys survive, `int32` reads as `int`, numeric specs are accepted, unknown types are
/// kept, an item without specs stays without specs.
#[test]
fn lenient_import() {
    let v = json!({
        "schema": "x", "profile": {"productKey": "pk", "extra": 1}, "_ppk": {"a": 1},
        "properties": [
            {"identifier": "A", "name": "a", "accessMode": "rw", "required": false, "custom": true,
             "dataType": {"type": "int32", "specs": {"min": 0, "max": "10", "foo": "bar"}}},
            {"identifier": "B", "name": "b", "accessMode": "r", "required": true,
             "dataType": {"type": "geo", "specs": {"x": 1}}},
            {"identifier": "C", "name": "c", "accessMode": "r", "required": true,
             "dataType": {"type": "array", "specs": {"size": 3, "item": {"type": "text"}}}}
        ],
        "events": [], "services": []
    });
    let m: ThingModel = serde_json::from_value(v.clone()).unwrap();
    let DataType::Int(s) = &m.properties[0].data_type else { panic!() };
    assert_eq!(s.min.as_deref(), Some("0"));
    assert_eq!(s.extra["foo"], "bar");
    let out = serde_json::to_value(&m).unwrap();
    assert_eq!(out["_ppk"], v["_ppk"]);
    assert_eq!(out["profile"]["extra"], 1);
    assert_eq!(out["properties"][0]["custom"], true);
    assert_eq!(
        out["properties"][0]["dataType"],
        json!({"type": "int", "specs": {"min": "0", "max": "10", "foo": "bar"}})
    );
    assert_eq!(out["properties"][1]["dataType"], v["properties"][1]["dataType"]);
    assert_eq!(
        out["properties"][2]["dataType"],
        json!({"type": "array", "specs": {"size": "3", "item": {"type": "text"}}})
    );
    assert_eq!(codes_of(&m.check()), vec![MODEL_INVALID]); // the unsupported `geo`
    assert_eq!(validate_value(&m.properties[1].data_type, &json!(1), "B").unwrap_err().code, TYPE_UNSUPPORTED);
}

#[test]
fn bad_imports_fail() {
    for bad in [
        json!({"profile": {}}),
        json!({"profile": {"productKey": "p"}, "properties": [{"identifier": "a", "name": "a", "dataType": {"specs": {}}}]}),
        json!({"profile": {"productKey": "p"}, "properties": [{"identifier": "a", "name": "a", "accessMode": "w", "dataType": {"type": "date"}}]}),
        json!({"profile": {"productKey": "p"}, "properties": [{"identifier": "a", "name": "a", "dataType": {"type": "array", "specs": {"size": "2"}}}]}),
        json!({"profile": {"productKey": "p"}, "properties": [{"identifier": "a", "name": "a", "dataType": {"type": "int", "specs": {"min": []}}}]}),
    ] {
        assert!(serde_json::from_value::<ThingModel>(bad.clone()).is_err(), "{bad}");
    }
}

// ---------------------------------------------------------------- modules

fn with_module() -> Tsl {
    let module = ThingModel::new_empty("a1StreetLmp")
        .with_property(Property::new("Humidity", "湿度", DataType::int(0, 100)))
        .with_event(Event::new("Leak", "漏水", EventType::Alert).with_output(Param::new(
            "Level",
            "级别",
            DataType::int(0, 5),
        )))
        .with_service(Service::new("Purge", "排水", CallType::Async));
    Tsl::new(lamp()).with_module("env", module)
}

#[test]
fn module_lookup() {
    let t = with_module();
    assert!(t.property("Brightness").is_some());
    assert!(t.property("env:Humidity").is_some());
    assert!(t.property("env : Humidity").is_some(), "blanks around the colon, as the seed prints them");
    assert!(t.property("Humidity").is_none());
    assert!(t.property("nope:Humidity").is_none());
    assert!(t.event("env:Leak").is_some());
    assert!(t.service("env:Purge").is_some());
    assert_eq!(split_identifier("env:Leak"), (Some("env"), "Leak"));
    assert_eq!(split_identifier("Leak"), (None, "Leak"));
    // A module model answers for its own prefix only.
    let m = &t.modules["env"];
    assert!(m.property("env:Humidity").is_some());
    assert!(m.property("other:Humidity").is_none());
    assert_eq!(t.check(), vec![]);
    // Round trip of the whole product.
    let back: Tsl = serde_json::from_value(serde_json::to_value(&t).unwrap()).unwrap();
    assert_eq!(back, t);

    let post = validate_property_post(&t, &obj(json!({"env:Humidity": 40, "Brightness": 5, "x:Humidity": 1}))).unwrap();
    assert_eq!(post.accepted.len(), 2);
    assert_eq!(codes_of(&post.rejected), vec![MODULE_NOT_FOUND]);
    assert!(validate_event(&t, "env:Leak", &json!({"value": {"Level": 3}, "time": 1})).is_ok());
    assert_eq!(codes_of(&validate_event(&t, "zz:Leak", &json!({})).unwrap_err()), vec![MODULE_NOT_FOUND]);
    assert_eq!(codes_of(&validate_event(&t, "env:Error", &json!({})).unwrap_err()), vec![EVENT_NOT_IN_MODEL]);
    assert!(validate_service_input(&t, "env:Purge", &json!({})).is_ok());
    assert_eq!(
        codes_of(&validate_service_input(&t, "env:Reboot", &json!({})).unwrap_err()),
        vec![SERVICE_NOT_IN_MODEL]
    );
    assert_eq!(codes_of(&validate_property_set(&t, &obj(json!({"zz:A": 1}))).unwrap_err()), vec![MODULE_NOT_FOUND]);

    let mut bad = t.clone();
    bad.modules.get_mut("env").unwrap().function_block_id = Some("other".into());
    assert_eq!(codes_of(&bad.check()), vec![MODEL_INVALID]);
}

// ---------------------------------------------------------------- values, table-driven

/// `(property of the all-types fixture, value, expected code or None for ok)`.
fn value_table() -> Vec<(&'static str, Value, Option<u32>)> {
    vec![
        // int 0..100
        ("Brightness", json!(0), None),
        ("Brightness", json!(100), None),
        ("Brightness", json!(-1), Some(INT_MISMATCH)),
        ("Brightness", json!(101), Some(INT_MISMATCH)),
        ("Brightness", json!(5.5), Some(INT_MISMATCH)),
        ("Brightness", json!(5.0), Some(INT_MISMATCH)),
        ("Brightness", json!("5"), Some(INT_MISMATCH)),
        ("Brightness", json!(null), Some(INT_MISMATCH)),
        ("Brightness", json!(u64::MAX), Some(INT_MISMATCH)),
        // float 0..500, step 0.1 not enforced
        ("Voltage", json!(220), None),
        ("Voltage", json!(220.05), None),
        ("Voltage", json!(500.0), None),
        ("Voltage", json!(500.01), Some(FLOAT_MISMATCH)),
        ("Voltage", json!(-0.1), Some(FLOAT_MISMATCH)),
        ("Voltage", json!("220"), Some(FLOAT_MISMATCH)),
        ("Voltage", json!(true), Some(FLOAT_MISMATCH)),
        // double 0..1e6
        ("Energy", json!(123456.789), None),
        ("Energy", json!(0), None),
        ("Energy", json!(1000000.001), Some(DOUBLE_MISMATCH)),
        ("Energy", json!([1]), Some(DOUBLE_MISMATCH)),
        // bool
        ("PowerSwitch", json!(0), None),
        ("PowerSwitch", json!(1), None),
        ("PowerSwitch", json!(true), None),
        ("PowerSwitch", json!(false), None),
        ("PowerSwitch", json!(2), Some(BOOL_MISMATCH)),
        ("PowerSwitch", json!(-1), Some(BOOL_MISMATCH)),
        ("PowerSwitch", json!("1"), Some(BOOL_MISMATCH)),
        ("PowerSwitch", json!(1.0), Some(BOOL_MISMATCH)),
        // enum 0,1,2
        ("WorkMode", json!(2), None),
        ("WorkMode", json!(3), Some(ENUM_MISMATCH)),
        ("WorkMode", json!("1"), Some(ENUM_MISMATCH)),
        ("WorkMode", json!(1.5), Some(ENUM_MISMATCH)),
        // text length 64 (characters)
        ("Location", json!("路灯 #12"), None),
        ("Location", json!(""), None),
        ("Location", json!("灯".repeat(64)), None),
        ("Location", json!("灯".repeat(65)), Some(TEXT_MISMATCH)),
        ("Location", json!(12), Some(TEXT_MISMATCH)),
        // date
        ("LastMaintenance", json!("1700000000000"), None),
        ("LastMaintenance", json!(1700000000000_i64), None),
        ("LastMaintenance", json!(0), None),
        ("LastMaintenance", json!(-1), Some(DATE_MISMATCH)),
        ("LastMaintenance", json!("2023-11-14"), Some(DATE_MISMATCH)),
        ("LastMaintenance", json!(""), Some(DATE_MISMATCH)),
        ("LastMaintenance", json!("99999999999999999999999"), Some(DATE_MISMATCH)),
        ("LastMaintenance", json!(1.5), Some(DATE_MISMATCH)),
        // struct
        ("GeoLocation", json!({"Longitude": 120.1, "Latitude": 30.2, "CoordinateSystem": 1}), None),
        ("GeoLocation", json!({"Longitude": 120.1, "Latitude": 30.2}), Some(STRUCT_MISMATCH)),
        (
            "GeoLocation",
            json!({"Longitude": 120.1, "Latitude": 30.2, "CoordinateSystem": 1, "Alt": 3}),
            Some(PARAM_UNKNOWN),
        ),
        ("GeoLocation", json!([120.1, 30.2, 1]), Some(STRUCT_MISMATCH)),
        ("GeoLocation", json!({"Longitude": 181, "Latitude": 30.2, "CoordinateSystem": 1}), Some(DOUBLE_MISMATCH)),
        ("GeoLocation", json!({"Longitude": 1, "Latitude": 2, "CoordinateSystem": 3}), Some(ENUM_MISMATCH)),
        // array of float, size 24
        ("HourlyPower", json!([]), None),
        ("HourlyPower", json!([1.5, 2, 3]), None),
        ("HourlyPower", Value::Array(vec![json!(1.0); 24]), None),
        ("HourlyPower", Value::Array(vec![json!(1.0); 25]), Some(ARRAY_MISMATCH)),
        ("HourlyPower", json!([1.0, "2"]), Some(ARRAY_MISMATCH)),
        ("HourlyPower", json!(1.0), Some(NOT_AN_ARRAY)),
        ("HourlyPower", json!({"0": 1.0}), Some(NOT_AN_ARRAY)),
        // array of struct, size 8
        ("Schedules", json!([{"Start": "18:00", "Level": 80}, {"Start": "23:00", "Level": 30}]), None),
        ("Schedules", json!([{"Start": "18:00:00", "Level": 80}]), Some(ARRAY_MISMATCH)),
        ("Schedules", json!([{"Start": "18:00"}]), Some(ARRAY_MISMATCH)),
        ("Schedules", json!([{"Start": "18:00", "Level": 80, "X": 1}]), Some(ARRAY_MISMATCH)),
    ]
}

#[test]
fn values_by_type() {
    let m = lamp();
    for (id, value, expected) in value_table() {
        let dt = &m.property(id).unwrap().data_type;
        let got = validate_value(dt, &value, id);
        match expected {
            None => assert_eq!(got, Ok(()), "{id} = {value}"),
            Some(code) => {
                let e = got.expect_err(&format!("{id} = {value} should fail"));
                assert_eq!(e.code, code, "{id} = {value}: {e}");
                assert!(e.path.starts_with(id), "{}", e.path);
                assert!(!e.message.is_empty());
            }
        }
    }
}

#[test]
fn error_paths() {
    let m = lamp();
    let geo = &m.property("GeoLocation").unwrap().data_type;
    let e = geo.validate(&json!({"Longitude": 181, "Latitude": 0, "CoordinateSystem": 1}), "GeoLocation").unwrap_err();
    assert_eq!(e.path, "GeoLocation.Longitude");
    let sched = &m.property("Schedules").unwrap().data_type;
    let e = sched
        .validate(
            &json!([{"Start": "1", "Level": 1}, {"Start": "1", "Level": 1}, {"Start": "1", "Level": 101}]),
            "Schedules",
        )
        .unwrap_err();
    assert_eq!((e.code, e.path.as_str()), (ARRAY_MISMATCH, "Schedules[2].Level"));
    assert!(e.message.contains("6306"), "{}", e.message);
    let power = &m.property("HourlyPower").unwrap().data_type;
    assert_eq!(power.validate(&json!([1, 2, "x"]), "HourlyPower").unwrap_err().path, "HourlyPower[2]");
}

/// Type edges not in the fixture: int32 bounds, float range, text default limit, unsupported
/// array items, no bounds.
#[test]
fn values_edges() {
    let free_int = DataType::Int(NumberSpecs::default());
    assert!(free_int.validate(&json!(i32::MAX), "x").is_ok());
    assert_eq!(free_int.validate(&json!(i64::from(i32::MAX) + 1), "x").unwrap_err().code, INT_MISMATCH);
    assert_eq!(free_int.validate(&json!(i64::from(i32::MIN) - 1), "x").unwrap_err().code, INT_MISMATCH);
    let free_float = DataType::Float(NumberSpecs::default());
    assert!(free_float.validate(&json!(1e30), "x").is_ok());
    assert_eq!(free_float.validate(&json!(1e300), "x").unwrap_err().code, FLOAT_MISMATCH);
    assert!(DataType::Double(NumberSpecs::default()).validate(&json!(1e300), "x").is_ok());
    let text = DataType::Text(TextSpecs::default());
    assert!(text.validate(&json!("a".repeat(10240)), "x").is_ok());
    assert_eq!(text.validate(&json!("a".repeat(10241)), "x").unwrap_err().code, TEXT_MISMATCH);
    let arr_bool = DataType::array(DataType::bool("off", "on"), 4);
    assert_eq!(arr_bool.validate(&json!([0]), "x").unwrap_err().code, ARRAY_ITEM_UNSUPPORTED);
    assert_eq!(arr_bool.validate(&json!(0), "x").unwrap_err().code, NOT_AN_ARRAY);
    let arr_int = DataType::array(DataType::int(0, 9), 2);
    assert!(arr_int.validate(&json!([1, 9]), "x").is_ok());
    assert_eq!(arr_int.validate(&json!([1, 2, 3]), "x").unwrap_err().code, ARRAY_MISMATCH);
    let arr_text = DataType::array(DataType::text(2), 2);
    assert_eq!(arr_text.validate(&json!(["abc"]), "x").unwrap_err().code, ARRAY_MISMATCH);
    let arr_double = DataType::array(DataType::double(0.0, 1.0), 2);
    assert_eq!(arr_double.validate(&json!([2.0]), "x").unwrap_err().code, ARRAY_MISMATCH);
    // Unparsable bounds are ignored by validation (the model check reports them).
    let odd = DataType::Int(NumberSpecs { min: Some("low".into()), ..NumberSpecs::default() });
    assert!(odd.validate(&json!(-5), "x").is_ok());
    let unsupported = DataType::Unsupported { type_name: "long".into(), specs: None };
    assert_eq!(unsupported.validate(&json!(1), "x").unwrap_err().code, TYPE_UNSUPPORTED);
}

/// A value built by `example_value` passes validation for every type.
#[test]
fn example_values_validate() {
    let mut types: Vec<(String, DataType)> =
        lamp().properties.iter().map(|p| (p.identifier.clone(), p.data_type.clone())).collect();
    types.extend([
        ("int".into(), DataType::int(-7, 3)),
        ("int_open".into(), DataType::Int(NumberSpecs::default())),
        ("float".into(), DataType::float(0.1, 0.3)),
        ("double".into(), DataType::double(-1.0, -0.5)),
        ("bool".into(), DataType::bool("no", "yes")),
        ("enum".into(), DataType::enumeration([(5, "five"), (-2, "minus two")])),
        ("text".into(), DataType::text(3)),
        ("date".into(), DataType::date()),
        ("struct".into(), DataType::structure(vec![Param::new("a", "A", DataType::text(1))])),
        ("array".into(), DataType::array(DataType::int(1, 1), 1)),
    ]);
    for (id, dt) in types {
        let v = dt.example_value();
        assert_eq!(dt.validate(&v, &id), Ok(()), "{id}: {v}");
    }
    assert_eq!(DataType::text(3).example_value(), json!("sam"));
    assert_eq!(DataType::enumeration([(5, "five"), (-2, "minus two")]).example_value(), json!(-2));
    assert_eq!(DataType::int(0, 100).example_value(), json!(50));
}

// ---------------------------------------------------------------- property post / set / get

#[test]
fn property_post() {
    let m = lamp();
    let post = validate_property_post(
        &m,
        &obj(json!({
            "Brightness": 30,
            "Voltage": {"value": 220.5, "time": 1700000000000_i64},
            "GeoLocation": {"value": {"Longitude": 1, "Latitude": 2, "CoordinateSystem": 2}},
            "Nope": 1,
            "WorkMode": 9,
            "Energy": {"value": 1, "time": "soon"}
        })),
    )
    .unwrap();
    assert!(!post.is_ok());
    let accepted: Vec<(&str, &Value, Option<i64>)> =
        post.accepted.iter().map(|v| (v.identifier.as_str(), &v.value, v.time)).collect();
    assert!(accepted.contains(&("Brightness", &json!(30), None)));
    assert!(accepted.contains(&("Voltage", &json!(220.5), Some(1700000000000))));
    assert!(accepted.contains(&("GeoLocation", &json!({"Longitude": 1, "Latitude": 2, "CoordinateSystem": 2}), None)));
    let mut rejected: Vec<(u32, &str)> = post.rejected.iter().map(|e| (e.code, e.path.as_str())).collect();
    rejected.sort();
    assert_eq!(
        rejected,
        vec![(ENUM_MISMATCH, "WorkMode"), (DATE_MISMATCH, "Energy.time"), (PROPERTY_NOT_FOUND, "Nope")]
    );
    assert!(post.first_error().is_some());

    // A plain post of the simulator's sample values is accepted.
    let sample: Map<String, Value> =
        m.properties.iter().map(|p| (p.identifier.clone(), p.data_type.example_value())).collect();
    let ok = validate_property_post(&m, &sample).unwrap();
    assert!(ok.is_ok(), "{:?}", ok.rejected);
    assert_eq!(ok.accepted.len(), 10);

    // 200 is the limit.
    let many = |n: usize| -> Map<String, Value> { (0..n).map(|i| (format!("P{i}"), json!(1))).collect() };
    assert_eq!(validate_property_post(&m, &many(200)).unwrap().rejected.len(), 200);
    assert_eq!(validate_property_post(&m, &many(201)).unwrap_err().code, PROPERTY_POST_TOO_MANY);
    assert!(validate_property_post(&m, &Map::new()).unwrap().is_ok());
}

#[test]
fn property_set_and_get() {
    let m = lamp();
    assert_eq!(validate_property_set(&m, &obj(json!({"Brightness": 10, "PowerSwitch": 1}))), Ok(()));
    let table = [
        (json!({"Voltage": 10}), INPUT_NOT_CONFORMING),
        (json!({"Ghost": 10}), PROPERTY_NOT_IN_MODEL),
        (json!({"Brightness": 1000}), INT_MISMATCH),
        (json!({}), INPUT_NOT_CONFORMING),
    ];
    for (params, code) in table {
        assert_eq!(codes_of(&validate_property_set(&m, &obj(params.clone())).unwrap_err()), vec![code], "{params}");
    }
    let errs = validate_property_set(&m, &obj(json!({"Voltage": 1, "Ghost": 1, "Brightness": 1}))).unwrap_err();
    assert_eq!(errs.len(), 2);
    assert_eq!(validate_property_get(&m, ["Brightness", "Voltage"]), Ok(()));
    assert_eq!(codes_of(&validate_property_get(&m, ["Brightness", "Ghost"]).unwrap_err()), vec![PROPERTY_NOT_IN_MODEL]);
}

// ---------------------------------------------------------------- events and services

#[test]
fn events() {
    let m = lamp();
    let e = validate_event(&m, "Error", &json!({"value": {"ErrorCode": 1}, "time": 1700000000000_i64})).unwrap();
    assert_eq!((e.value["ErrorCode"].clone(), e.time), (json!(1), Some(1700000000000)));
    let e = validate_event(&m, "Error", &json!({"ErrorCode": 2})).unwrap();
    assert_eq!((e.value["ErrorCode"].clone(), e.time), (json!(2), None));
    assert!(validate_event(&m, "Error", &json!({})).is_ok(), "missing outputs are accepted");
    assert!(validate_event(&m, "Error", &json!(null)).is_ok());
    let table = [
        ("Nope", json!({}), vec![EVENT_NOT_IN_MODEL]),
        ("Error", json!({"value": {"ErrorCode": 7}}), vec![ENUM_MISMATCH]),
        ("Error", json!({"ErrorCode": 0, "Extra": 1}), vec![PARAM_UNKNOWN]),
        ("Error", json!({"value": {"ErrorCode": 0}, "time": -5}), vec![DATE_MISMATCH]),
        ("LowVoltage", json!({"value": {"Voltage": 900}}), vec![FLOAT_MISMATCH]),
        ("LowVoltage", json!([1]), vec![PARAM_FORMAT_CHECK_FAILED]),
    ];
    for (id, params, want) in table {
        assert_eq!(codes_of(&validate_event(&m, id, &params).unwrap_err()), want, "{id} {params}");
    }
}

#[test]
fn services() {
    let m = lamp();
    assert_eq!(validate_service_input(&m, "Reboot", &json!({"Delay": 5})), Ok(()));
    assert_eq!(validate_service_input(&m, "SelfTest", &json!({"Depth": 1})), Ok(()));
    assert_eq!(validate_service_input(&m, "set", &json!({"Brightness": 5})), Ok(()));
    assert_eq!(validate_service_input(&m, "get", &json!(["Brightness", "Energy"])), Ok(()));
    let table = [
        ("Explode", json!({}), vec![SERVICE_NOT_IN_MODEL]),
        ("Reboot", json!({}), vec![PARAM_MISSING]),
        ("Reboot", json!(null), vec![PARAM_MISSING]),
        ("Reboot", json!({"Delay": 5, "Force": true}), vec![PARAM_UNKNOWN]),
        ("Reboot", json!({"Delay": 3601}), vec![INT_MISMATCH]),
        ("Reboot", json!("now"), vec![PARAM_FORMAT_CHECK_FAILED]),
        ("SelfTest", json!({"Depth": 2}), vec![ENUM_MISMATCH]),
        ("set", json!({"Energy": 5}), vec![INPUT_NOT_CONFORMING]),
        ("set", json!({"Ghost": 5}), vec![PROPERTY_NOT_IN_MODEL]),
        ("get", json!(["Ghost"]), vec![PROPERTY_NOT_IN_MODEL]),
        ("get", json!({"Brightness": 1}), vec![INPUT_NOT_CONFORMING]),
    ];
    for (id, params, want) in table {
        assert_eq!(codes_of(&validate_service_input(&m, id, &params).unwrap_err()), want, "{id} {params}");
    }
    // Replies.
    assert_eq!(validate_service_output(&m, "SelfTest", &json!({"Passed": 1, "Report": "ok"})), Ok(()));
    assert_eq!(validate_service_output(&m, "set", &json!({})), Ok(()));
    let table = [
        ("set", json!({"Brightness": 1}), vec![SET_REPLY_NOT_EMPTY]),
        ("SelfTest", json!({"Passed": 3}), vec![BOOL_MISMATCH]),
        ("SelfTest", json!({"Other": 3}), vec![PARAM_UNKNOWN]),
        ("Nope", json!({}), vec![SERVICE_NOT_IN_MODEL]),
    ];
    for (id, data, want) in table {
        assert_eq!(codes_of(&validate_service_output(&m, id, &data).unwrap_err()), want, "{id} {data}");
    }
}

// ---------------------------------------------------------------- model check (6317)

#[test]
fn model_check() {
    type Edit = fn(&mut ThingModel);
    let table: Vec<(&str, Edit, &str)> = vec![
        ("min > max", |m| m.properties[1].data_type = DataType::int(10, 0), "properties.Brightness.specs"),
        (
            "int bound not int",
            |m| m.properties[1].data_type = DataType::Int(NumberSpecs::range("0.5", 10, 1)),
            "properties.Brightness.specs.min",
        ),
        (
            "float bound not number",
            |m| m.properties[2].data_type = DataType::Float(NumberSpecs::range("a", 10, 1)),
            "properties.Voltage.specs.min",
        ),
        (
            "step zero",
            |m| m.properties[2].data_type = DataType::Float(NumberSpecs::range(0, 1, 0)),
            "properties.Voltage.specs.step",
        ),
        (
            "array of bool",
            |m| m.properties[8].data_type = DataType::array(DataType::bool("a", "b"), 3),
            "properties.HourlyPower[]",
        ),
        (
            "array size 0",
            |m| m.properties[8].data_type = DataType::array(DataType::int(0, 1), 0),
            "properties.HourlyPower.specs.size",
        ),
        (
            "array size 513",
            |m| m.properties[8].data_type = DataType::array(DataType::int(0, 1), 513),
            "properties.HourlyPower.specs.size",
        ),
        ("duplicate property", |m| m.properties[1].identifier = "PowerSwitch".into(), "properties.PowerSwitch"),
        ("property named like an event", |m| m.properties[1].identifier = "LowVoltage".into(), "events.LowVoltage"),
        ("leading digit", |m| m.properties[1].identifier = "1Bright".into(), "properties.1Bright"),
        ("bad character", |m| m.properties[1].identifier = "Bright-ness".into(), "properties.Bright-ness"),
        (
            "too long",
            |m| m.properties[1].identifier = "A".repeat(51),
            "properties.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ),
        ("reserved", |m| m.properties[1].identifier = "value".into(), "properties.value"),
        ("empty name", |m| m.properties[1].name = " ".into(), "properties.Brightness"),
        ("text length 0", |m| m.properties[5].data_type = DataType::text(0), "properties.Location.specs.length"),
        (
            "text length > 10240",
            |m| m.properties[5].data_type = DataType::text(10241),
            "properties.Location.specs.length",
        ),
        (
            "bool keys",
            |m| m.properties[0].data_type = DataType::Bool(ValueLabels::new([("0", "a")])),
            "properties.PowerSwitch.specs",
        ),
        (
            "enum key",
            |m| m.properties[4].data_type = DataType::Enum(ValueLabels::new([("x", "a")])),
            "properties.WorkMode.specs.x",
        ),
        (
            "enum empty",
            |m| m.properties[4].data_type = DataType::Enum(ValueLabels::default()),
            "properties.WorkMode.specs",
        ),
        ("struct empty", |m| m.properties[7].data_type = DataType::structure(vec![]), "properties.GeoLocation.specs"),
        (
            "struct in struct",
            |m| {
                let inner = DataType::structure(vec![Param::new("a", "a", DataType::date())]);
                m.properties[7].data_type = DataType::structure(vec![Param::new("s", "s", inner)]);
            },
            "properties.GeoLocation.s",
        ),
        (
            "struct duplicate field",
            |m| {
                let f = Param::new("a", "a", DataType::date());
                m.properties[7].data_type = DataType::structure(vec![f.clone(), f]);
            },
            "properties.GeoLocation.a",
        ),
        (
            "unsupported type",
            |m| m.properties[6].data_type = DataType::Unsupported { type_name: "long".into(), specs: None },
            "properties.LastMaintenance",
        ),
        ("empty productKey", |m| m.profile.product_key.clear(), "profile.productKey"),
        ("event method", |m| m.events[1].method = Some("thing.event.Other.post".into()), "events.Error.method"),
        ("service method", |m| m.services[2].method = Some("thing.service.Other".into()), "services.Reboot.method"),
        (
            "reserved param",
            |m| m.services[2].input_data[0] = ServiceInput::Param(Param::new("time", "t", DataType::date())),
            "services.Reboot.inputData.time",
        ),
        (
            "duplicate param",
            |m| {
                let p = m.services[3].output_data[0].clone();
                m.services[3].output_data.push(p);
            },
            "services.SelfTest.outputData.Passed",
        ),
        (
            "get unknown",
            |m| m.services[1].input_data.push(ServiceInput::Identifier("Ghost".into())),
            "services.get.inputData.Ghost",
        ),
        (
            "plain input elsewhere",
            |m| m.services[2].input_data.push(ServiceInput::Identifier("Brightness".into())),
            "services.Reboot.inputData.Brightness",
        ),
    ];
    for (what, edit, path) in table {
        let mut m = lamp();
        edit(&mut m);
        let errors = m.check();
        assert!(!errors.is_empty(), "{what}: no error");
        assert!(errors.iter().all(|e| e.code == MODEL_INVALID), "{what}: {errors:?}");
        assert!(errors.iter().any(|e| e.path == path), "{what}: {errors:?}");
    }
    assert!(is_valid_identifier("a_1"));
    assert!(is_valid_identifier("_x"));
    assert!(!is_valid_identifier(""));
    assert!(!is_valid_identifier("电压"));
}

// ---------------------------------------------------------------- editing

#[test]
fn editing() {
    let mut m = ThingModel::new_empty("pk1");
    assert_eq!(m.check(), vec![]);
    let v = serde_json::to_value(&m).unwrap();
    assert_eq!(v["events"][0]["identifier"], "post");
    assert_eq!(v["services"][1]["inputData"], json!([]));
    assert_eq!(serde_json::from_value::<ThingModel>(v).unwrap(), m);

    m.add_property(Property::new("Temp", "温度", DataType::float(-40.0, 85.0)).read_only()).unwrap();
    m.add_property(Property::new("Level", "亮度", DataType::int(0, 100))).unwrap();
    assert_eq!(m.add_property(Property::new("Level", "x", DataType::date())).unwrap_err().code, MODEL_INVALID);
    assert_eq!(m.event("post").unwrap().output_data.len(), 2);
    assert_eq!(m.service("set").unwrap().input_data.len(), 1, "only rw properties are settable");
    assert_eq!(m.service("get").unwrap().input_data[0], ServiceInput::Identifier("Temp".into()));

    m.replace_property("Level", Property::new("Dim", "调光", DataType::int(0, 10))).unwrap();
    assert!(m.property("Level").is_none());
    assert_eq!(m.service("set").unwrap().input_data[0].identifier(), "Dim");
    assert_eq!(m.replace_property("Ghost", Property::new("G", "g", DataType::date())).unwrap_err().code, MODEL_INVALID);
    assert_eq!(
        m.replace_property("Dim", Property::new("Temp", "g", DataType::date())).unwrap_err().code,
        MODEL_INVALID
    );
    assert_eq!(m.remove_property("Dim").unwrap().identifier, "Dim");
    assert!(m.remove_property("Dim").is_none());
    assert_eq!(m.event("post").unwrap().output_data.len(), 1);

    m.add_event(Event::new("Fault", "故障", EventType::Error)).unwrap();
    assert!(m.add_event(Event::new("Fault", "x", EventType::Info)).is_err());
    assert!(m.add_event(Event::new("post", "x", EventType::Info)).is_err());
    m.replace_event("Fault", Event::new("Fault2", "故障", EventType::Error)).unwrap();
    assert!(m.replace_event("post", Event::new("X", "x", EventType::Info)).is_err());
    assert!(m.replace_event("Nope", Event::new("X", "x", EventType::Info)).is_err());
    assert!(m.remove_event("post").is_none());
    assert_eq!(m.remove_event("Fault2").unwrap().method.as_deref(), Some("thing.event.Fault2.post"));

    m.add_service(Service::new("Reset", "复位", CallType::Sync).with_input(Param::new(
        "Hard",
        "硬",
        DataType::bool("否", "是"),
    )))
    .unwrap();
    assert!(m.add_service(Service::new("Reset", "x", CallType::Sync)).is_err());
    assert!(m.add_service(Service::new("get", "x", CallType::Sync)).is_err());
    assert!(m.replace_service("set", Service::new("X", "x", CallType::Sync)).is_err());
    m.replace_service("Reset", Service::new("Reset", "复位", CallType::Async)).unwrap();
    assert!(m.remove_service("get").is_none());
    assert!(m.remove_service("Reset").is_some());
    assert_eq!(m.check(), vec![]);
}

#[test]
fn api_error_conversion() {
    let e = TslError::new(INT_MISMATCH, "Brightness", "101 is outside [0, 100]");
    assert_eq!(e.description(), description(INT_MISMATCH));
    assert_eq!(e.to_string(), "101 is outside [0, 100] (6306, at Brightness)");
    let api: crate::error::ApiError = e.into();
    assert_eq!(api.code, "6306");
    assert_eq!(api.details, Some(json!({"path": "Brightness"})));
}

/// Every code this module produces is one of the seed's (and described).
#[test]
fn produced_codes_are_seed_codes() {
    let produced = [
        PROPERTY_POST_TOO_MANY,
        PARAM_FORMAT_CHECK_FAILED,
        PARAM_MISSING,
        PARAM_UNKNOWN,
        INT_MISMATCH,
        FLOAT_MISMATCH,
        BOOL_MISMATCH,
        ENUM_MISMATCH,
        TEXT_MISMATCH,
        DATE_MISMATCH,
        STRUCT_MISMATCH,
        TYPE_UNSUPPORTED,
        MODEL_INVALID,
        PROPERTY_NOT_FOUND,
        DOUBLE_MISMATCH,
        ARRAY_MISMATCH,
        ARRAY_ITEM_UNSUPPORTED,
        NOT_AN_ARRAY,
        INPUT_NOT_CONFORMING,
        SET_REPLY_NOT_EMPTY,
        PROPERTY_NOT_IN_MODEL,
        SERVICE_NOT_IN_MODEL,
        EVENT_NOT_IN_MODEL,
        MODULE_NOT_FOUND,
    ];
    for c in produced {
        assert!(ALL.contains(&c), "{c}");
    }
}

// ---------------------------------------------------------------- properties (never panics)

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<u64>().prop_map(|i| json!(i)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        "[a-zA-Z0-9:_ ]{0,12}".prop_map(Value::String),
        prop_oneof![Just("value"), Just("time"), Just("Longitude"), Just("Start"), Just("Level")]
            .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..30).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    "[a-zA-Z]{1,8}",
                    Just("value".to_string()),
                    Just("time".to_string()),
                    Just("Longitude".to_string()),
                    Just("Latitude".to_string()),
                    Just("CoordinateSystem".to_string()),
                    Just("Brightness".to_string()),
                    Just("Start".to_string()),
                    Just("Level".to_string()),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// Validation answers `Ok` or a seed code for any JSON, never panics.
    #[test]
    fn validation_never_panics(v in arb_json()) {
        let m = lamp();
        for p in &m.properties {
            if let Err(e) = validate_value(&p.data_type, &v, &p.identifier) {
                prop_assert!(ALL.contains(&e.code));
            }
        }
        if let Value::Object(o) = &v {
            let _ = validate_property_post(&m, o);
            let _ = validate_property_set(&m, o);
        }
        for e in ["post", "Error", "LowVoltage", "x:y"] {
            let _ = validate_event(&m, e, &v);
        }
        for s in ["set", "get", "Reboot", "SelfTest", "Nope"] {
            let _ = validate_service_input(&m, s, &v);
            let _ = validate_service_output(&m, s, &v);
        }
    }

    /// Importing arbitrary JSON as a data type or model fails cleanly or succeeds; a successful
    /// import checks and exports without panicking, and the export imports again.
    #[test]
    fn import_never_panics(v in arb_json(), t in prop_oneof![Just("int"), Just("float"), Just("enum"), Just("bool"),
        Just("text"), Just("date"), Just("struct"), Just("array"), Just("weird")]) {
        let dt = json!({"type": t, "specs": v});
        if let Ok(parsed) = serde_json::from_value::<DataType>(dt) {
            let _ = parsed.example_value();
            let out = serde_json::to_value(&parsed).unwrap();
            prop_assert!(serde_json::from_value::<DataType>(out).is_ok());
        }
        if let Ok(m) = serde_json::from_value::<ThingModel>(v) {
            let _ = m.check();
            let _ = serde_json::to_value(&m).unwrap();
        }
    }
}

/// Alibaba generates `set` and `get` for every product: a model whose JSON declares no services
/// at all (hand-written, or imported without them) still takes property set/get and their
/// replies, checked against its properties.
#[test]
fn set_and_get_need_not_be_declared() {
    let m: ThingModel = serde_json::from_value(json!({
        "profile": {"productKey": "pk"},
        "properties": [
            {"identifier": "Power", "name": "P", "accessMode": "rw", "dataType": {"type": "int", "specs": {"min": "0", "max": "1"}}},
            {"identifier": "Temp", "name": "T", "accessMode": "r", "dataType": {"type": "float", "specs": {}}}
        ],
        "events": [],
        "services": []
    }))
    .unwrap();
    assert!(m.services.is_empty(), "the test needs a model without set/get");
    assert_eq!(validate_service_input(&m, "set", &json!({"Power": 1})), Ok(()));
    assert_eq!(validate_service_input(&m, "get", &json!(["Power", "Temp"])), Ok(()));
    assert_eq!(
        codes_of(&validate_service_input(&m, "set", &json!({"Temp": 1.0})).unwrap_err()),
        vec![INPUT_NOT_CONFORMING]
    );
    assert_eq!(codes_of(&validate_service_input(&m, "set", &json!({"Power": 7})).unwrap_err()), vec![INT_MISMATCH]);
    assert_eq!(codes_of(&validate_service_input(&m, "Reboot", &json!({})).unwrap_err()), vec![SERVICE_NOT_IN_MODEL]);
    assert_eq!(validate_service_output(&m, "set", &json!({})), Ok(()));
    assert_eq!(validate_service_output(&m, "get", &json!({"Power": 1, "Temp": 21.5})), Ok(()));
    assert_eq!(codes_of(&validate_service_output(&m, "get", &json!({"Ghost": 1})).unwrap_err()), vec![PARAM_UNKNOWN]);
}

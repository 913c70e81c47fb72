//! The Online Debug page's forms (the seed's chapter 2), as pure functions: one property's
//! debugging input text → the JSON value it sends, and a service's input pre-filled from the
//! model and checked. Every check ends in the same `model::tsl` validation the server runs, so
//! the browser refuses exactly what the server would, with the same 63xx code, before anything
//! is sent.
//!
//! Choices:
//! - An empty (or blank) field is "not sent": it never becomes `""` or `0`.
//! - A read-only property (`accessMode: r`) with a value is 6332 — Set and Set expectations are
//!   refused before sending, as the server refuses them.
//! - Text that does not parse as its type is checked as a JSON string instead, so the type's own
//!   mismatch code comes out (`"abc"` for an int is 6306, for a struct 6312).
//! - `bool` takes `0`/`1` and, leniently, `true`/`false` (sent as 0/1, what devices expect);
//!   `enum` takes its value or its label; `date` takes UTC milliseconds and is sent as the
//!   digit string Alibaba uses; `text` is sent exactly as typed (spaces kept).

use serde_json::{Map, Value};

use crate::tsl::{codes, DataType, Features, Service, ServiceInput, ThingModel, TslError};

/// One property's input text as the value to send: `Ok(None)` when the field is empty (not
/// sent); 5092 unknown property; 6332 read-only; the type's 63xx code for a bad value.
pub fn property_value<F: Features + ?Sized>(
    model: &F,
    identifier: &str,
    text: &str,
) -> Result<Option<Value>, TslError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let (m, plain) = crate::tsl::split_identifier(identifier);
    let p =
        model.model_for(m).and_then(|tm| tm.properties.iter().find(|p| p.identifier == plain)).ok_or_else(|| {
            TslError::new(
                codes::PROPERTY_NOT_IN_MODEL,
                identifier,
                format!("property {identifier} is not in the model"),
            )
        })?;
    if p.access_mode == crate::tsl::AccessMode::ReadOnly {
        return Err(TslError::new(
            codes::INPUT_NOT_CONFORMING,
            identifier,
            format!("property {identifier} is read-only"),
        ));
    }
    parse_value(&p.data_type, text, identifier).map(Some)
}

/// Text typed for a value of type `dt` as that value, validated (`path` names it in errors).
pub fn parse_value(dt: &DataType, text: &str, path: &str) -> Result<Value, TslError> {
    let t = text.trim();
    let parsed: Option<Value> = match dt {
        DataType::Int(_) => t.parse::<i64>().ok().map(Value::from),
        DataType::Float(_) | DataType::Double(_) => {
            t.parse::<f64>().ok().filter(|f| f.is_finite()).and_then(serde_json::Number::from_f64).map(Value::Number)
        }
        DataType::Bool(_) => match t {
            "0" | "false" => Some(Value::from(0)),
            "1" | "true" => Some(Value::from(1)),
            _ => None,
        },
        DataType::Enum(labels) => t.parse::<i64>().ok().map(Value::from).or_else(|| {
            labels.0.iter().find(|(_, l)| l == t).and_then(|(k, _)| k.parse::<i64>().ok()).map(Value::from)
        }),
        DataType::Text(_) => Some(Value::String(text.to_string())),
        DataType::Date(_) => Some(Value::String(t.to_string())),
        DataType::Struct(_) | DataType::Array(_) | DataType::Unsupported { .. } => serde_json::from_str(t).ok(),
    };
    let value = parsed.unwrap_or_else(|| Value::String(t.to_string()));
    crate::tsl::validate_value(dt, &value, path)?;
    Ok(value)
}

/// The values of a whole form (Set / Set expectations for all): every non-empty field, each
/// checked, then the set as a whole by the server's own check ([`crate::debug::check_set`]).
/// Nothing to send (every field empty) is the server's 6332 "no property to set".
pub fn collect_set<F: Features + ?Sized>(
    model: &F,
    inputs: &[(String, String)],
) -> Result<Map<String, Value>, Vec<TslError>> {
    let mut params = Map::new();
    let mut errors = Vec::new();
    for (id, text) in inputs {
        match property_value(model, id, text) {
            Ok(Some(v)) => {
                params.insert(id.clone(), v);
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    crate::debug::check_set(model, &params)?;
    Ok(params)
}

/// A property's value as the text its debugging field shows (the inverse of [`parse_value`]):
/// strings unquoted, everything else as compact JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The hint beside a property's field: type, range, step and unit (`int 0 ~ 100 step 1 %`),
/// the values of a bool/enum (`0 Off, 1 On`), a text's length, an array's size.
pub fn type_hint(dt: &DataType) -> String {
    match dt {
        DataType::Int(s) | DataType::Float(s) | DataType::Double(s) => {
            let mut out = dt.type_name().to_string();
            if s.min.is_some() || s.max.is_some() {
                let (a, b) = (s.min.as_deref().unwrap_or("…"), s.max.as_deref().unwrap_or("…"));
                out.push_str(&format!(" {a} ~ {b}"));
            }
            if let Some(step) = s.step.as_deref().filter(|s| !s.trim().is_empty()) {
                out.push_str(&format!(" step {step}"));
            }
            let unit = crate::device::value::unit_of(dt);
            if !unit.is_empty() {
                out.push_str(&format!(" {unit}"));
            }
            out
        }
        DataType::Bool(l) | DataType::Enum(l) => {
            let values: Vec<String> = l.0.iter().map(|(k, v)| format!("{k} {v}")).collect();
            format!("{} {}", dt.type_name(), values.join(", "))
        }
        DataType::Text(s) => format!("text ≤ {}", s.max_len()),
        DataType::Date(_) => "date UTC ms".to_string(),
        DataType::Struct(fields) => {
            let names: Vec<&str> = fields.iter().map(|f| f.identifier.as_str()).collect();
            format!("struct {{{}}}", names.join(", "))
        }
        DataType::Array(a) => format!("array<{}> ≤ {}", a.item.type_name(), a.size),
        DataType::Unsupported { type_name, .. } => type_name.clone(),
    }
}

/// The value a service input starts with: the lowest allowed number (0 when the range allows
/// it), the first bool/enum value, empty text, date 0, struct fields each by type, an empty
/// array. Every default passes validation for a valid type.
pub fn default_value(dt: &DataType) -> Value {
    match dt {
        DataType::Int(s) => {
            let min = s.min.as_deref().and_then(|m| m.trim().parse::<i64>().ok());
            let max = s.max.as_deref().and_then(|m| m.trim().parse::<i64>().ok());
            Value::from(clamp_i(0, min, max))
        }
        DataType::Float(s) | DataType::Double(s) => {
            let mut v = 0.0_f64;
            if let Some(a) = s.min_f64().filter(|a| v < *a) {
                v = a;
            }
            if let Some(b) = s.max_f64().filter(|b| v > *b) {
                v = b;
            }
            serde_json::Number::from_f64(v).map(Value::Number).unwrap_or(Value::from(0))
        }
        DataType::Bool(_) => Value::from(0),
        DataType::Enum(l) => Value::from(l.0.iter().find_map(|(k, _)| k.parse::<i64>().ok()).unwrap_or(0)),
        DataType::Text(_) => Value::String(String::new()),
        DataType::Date(_) => Value::String("0".into()),
        DataType::Struct(fields) => {
            Value::Object(fields.iter().map(|f| (f.identifier.clone(), default_value(&f.data_type))).collect())
        }
        DataType::Array(_) => Value::Array(Vec::new()),
        DataType::Unsupported { .. } => Value::Null,
    }
}

fn clamp_i(v: i64, min: Option<i64>, max: Option<i64>) -> i64 {
    let v = min.map_or(v, |m| v.max(m));
    max.map_or(v, |m| v.min(m))
}

/// The services the page offers: declared ones, without the built-in `set`/`get` (Property
/// debugging does those).
pub fn callable_services(model: &ThingModel) -> Vec<&Service> {
    model.services.iter().filter(|s| !s.is_builtin()).collect()
}

/// A service's input pre-filled from its `inputData` (each parameter's [`default_value`]).
pub fn service_template(service: &Service) -> Value {
    Value::Object(
        service
            .input_data
            .iter()
            .filter_map(ServiceInput::param)
            .map(|p| (p.identifier.clone(), default_value(&p.data_type)))
            .collect(),
    )
}

/// Whether a service's inputs can all be typed in one-line fields (the structured form):
/// numbers, bool, enum, text, date.
pub fn simple_inputs(service: &Service) -> bool {
    service.input_params().all(|p| {
        matches!(
            p.data_type,
            DataType::Int(_)
                | DataType::Float(_)
                | DataType::Double(_)
                | DataType::Bool(_)
                | DataType::Enum(_)
                | DataType::Text(_)
                | DataType::Date(_)
        )
    })
}

/// The raw JSON input of a service call, parsed and checked like the server checks it (5094
/// unknown service, 6302 missing, 6304 unknown, 63xx per type); text that is not JSON is 6301.
pub fn service_input<F: Features + ?Sized>(model: &F, identifier: &str, text: &str) -> Result<Value, Vec<TslError>> {
    let t = text.trim();
    let params: Value = if t.is_empty() {
        Value::Object(Map::new())
    } else {
        serde_json::from_str(t).map_err(|e| {
            vec![TslError::new(codes::PARAM_FORMAT_CHECK_FAILED, identifier, format!("not valid JSON: {e}"))]
        })?
    };
    crate::tsl::validate_service_input(model, identifier, &params)?;
    Ok(params)
}

/// The structured form's fields (`(param, text)`) as the service's input, each parsed by type
/// and the whole checked like [`service_input`].
pub fn service_form<F: Features + ?Sized>(
    model: &F,
    identifier: &str,
    service: &Service,
    fields: &[(String, String)],
) -> Result<Value, Vec<TslError>> {
    let mut params = Map::new();
    let mut errors = Vec::new();
    for p in service.input_params() {
        let text = fields.iter().find(|(id, _)| id == &p.identifier).map_or("", |(_, t)| t.as_str());
        // A text parameter may be empty on purpose; other types must be filled (6302 below).
        if text.trim().is_empty() && !matches!(p.data_type, DataType::Text(_)) {
            continue;
        }
        match parse_value(&p.data_type, text, &format!("{identifier}.{}", p.identifier)) {
            Ok(v) => {
                params.insert(p.identifier.clone(), v);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let params = Value::Object(params);
    crate::tsl::validate_service_input(model, identifier, &params)?;
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsl::{codes::*, CallType, Param, Property};
    use serde_json::json;

    fn thermostat() -> ThingModel {
        ThingModel::new_empty("pk")
            .with_property(Property::new("temperature", "Temperature", DataType::double(-40.0, 120.0)).read_only())
            .with_property(Property::new("target", "Target", DataType::float(5.0, 35.0)))
            .with_property(Property::new("humidity", "Humidity", DataType::int(0, 100)))
            .with_property(Property::new("power", "Power", DataType::bool("off", "on")))
            .with_property(Property::new("mode", "Mode", DataType::enumeration([(0, "auto"), (1, "heat")])))
            .with_property(Property::new("label", "Label", DataType::text(8)))
            .with_property(Property::new("since", "Since", DataType::date()))
            .with_property(Property::new(
                "geo",
                "Geo",
                DataType::structure(vec![
                    Param::new("lat", "Lat", DataType::double(-90.0, 90.0)),
                    Param::new("lon", "Lon", DataType::double(-180.0, 180.0)),
                ]),
            ))
            .with_property(Property::new("curve", "Curve", DataType::array(DataType::int(0, 10), 3)))
            .with_service(
                Service::new("Reboot", "Reboot", CallType::Sync)
                    .with_input(Param::new("delay", "Delay", DataType::int(1, 60)))
                    .with_input(Param::new("reason", "Reason", DataType::text(16))),
            )
            .with_service(Service::new("Calibrate", "Calibrate", CallType::Async).with_input(Param::new(
                "points",
                "Points",
                DataType::array(DataType::double(0.0, 1.0), 4),
            )))
    }

    fn code(r: Result<Option<Value>, TslError>) -> u32 {
        r.unwrap_err().code
    }

    #[test]
    fn each_type_parses_to_the_value_the_server_accepts() {
        let m = thermostat();
        let v = |id: &str, t: &str| property_value(&m, id, t).unwrap().unwrap();
        assert_eq!(v("target", "21.5"), json!(21.5));
        assert_eq!(v("humidity", " 40 "), json!(40));
        assert_eq!(v("power", "1"), json!(1));
        assert_eq!(v("power", "false"), json!(0));
        assert_eq!(v("mode", "1"), json!(1));
        assert_eq!(v("mode", "heat"), json!(1));
        assert_eq!(v("label", " hi "), json!(" hi "));
        assert_eq!(v("since", "1700000000000"), json!("1700000000000"));
        assert_eq!(v("geo", r#"{"lat": 1.5, "lon": 2}"#), json!({"lat": 1.5, "lon": 2}));
        assert_eq!(v("curve", "[1, 2]"), json!([1, 2]));
        for (id, t) in [("target", "21.5"), ("mode", "heat"), ("geo", r#"{"lat":1,"lon":2}"#)] {
            let mut params = Map::new();
            params.insert(id.into(), v(id, t));
            assert!(crate::debug::check_set(&m, &params).is_ok(), "{id}");
        }
    }

    #[test]
    fn bad_values_get_the_servers_codes() {
        let m = thermostat();
        assert_eq!(code(property_value(&m, "humidity", "abc")), INT_MISMATCH);
        assert_eq!(code(property_value(&m, "humidity", "101")), INT_MISMATCH);
        assert_eq!(code(property_value(&m, "humidity", "4.5")), INT_MISMATCH);
        assert_eq!(code(property_value(&m, "target", "40")), FLOAT_MISMATCH);
        assert_eq!(code(property_value(&m, "target", "warm")), FLOAT_MISMATCH);
        assert_eq!(code(property_value(&m, "power", "2")), BOOL_MISMATCH);
        assert_eq!(code(property_value(&m, "mode", "7")), ENUM_MISMATCH);
        assert_eq!(code(property_value(&m, "label", "longer than eight")), TEXT_MISMATCH);
        assert_eq!(code(property_value(&m, "since", "yesterday")), DATE_MISMATCH);
        assert_eq!(code(property_value(&m, "geo", "{\"lat\": 1}")), STRUCT_MISMATCH);
        assert_eq!(code(property_value(&m, "geo", "not json")), STRUCT_MISMATCH);
        assert_eq!(code(property_value(&m, "curve", "[1,2,3,4]")), ARRAY_MISMATCH);
        assert_eq!(code(property_value(&m, "curve", "5")), NOT_AN_ARRAY);
        assert_eq!(code(property_value(&m, "ghost", "1")), PROPERTY_NOT_IN_MODEL);
    }

    #[test]
    fn empty_is_not_sent_and_read_only_is_6332() {
        let m = thermostat();
        assert_eq!(property_value(&m, "humidity", ""), Ok(None));
        assert_eq!(property_value(&m, "humidity", "   "), Ok(None));
        // Empty read-only fields are simply not sent; a value is refused like the server does.
        assert_eq!(property_value(&m, "temperature", ""), Ok(None));
        assert_eq!(code(property_value(&m, "temperature", "21")), 6332);
        assert_eq!(INPUT_NOT_CONFORMING, 6332);
    }

    #[test]
    fn a_whole_form_sends_only_filled_fields() {
        let m = thermostat();
        let inputs = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
        };
        let got = collect_set(&m, &inputs(&[("humidity", "40"), ("target", ""), ("temperature", "")])).unwrap();
        assert_eq!(Value::Object(got), json!({"humidity": 40}));
        let errs = collect_set(&m, &inputs(&[("humidity", "x"), ("temperature", "3")])).unwrap_err();
        assert_eq!(errs.iter().map(|e| e.code).collect::<Vec<_>>(), vec![INT_MISMATCH, 6332]);
        // Nothing filled in: the server's own "no property to set".
        let errs = collect_set(&m, &inputs(&[("humidity", "")])).unwrap_err();
        assert_eq!(errs[0].code, 6332);
    }

    #[test]
    fn service_inputs_are_prefilled_valid_and_checked() {
        let m = thermostat();
        let reboot = m.service("Reboot").unwrap();
        assert_eq!(service_template(reboot), json!({"delay": 1, "reason": ""}));
        assert!(simple_inputs(reboot));
        assert!(!simple_inputs(m.service("Calibrate").unwrap()));
        let names: Vec<&str> = callable_services(&m).iter().map(|s| s.identifier.as_str()).collect();
        assert_eq!(names, vec!["Reboot", "Calibrate"]);
        // Every template passes the server's check as it is.
        for s in callable_services(&m) {
            let text = service_template(s).to_string();
            assert!(service_input(&m, &s.identifier, &text).is_ok(), "{}", s.identifier);
        }
        let codes_of = |r: Result<Value, Vec<TslError>>| r.unwrap_err().iter().map(|e| e.code).collect::<Vec<_>>();
        assert_eq!(codes_of(service_input(&m, "Reboot", "{\"delay\": 0, \"reason\": \"\"}")), vec![INT_MISMATCH]);
        assert_eq!(codes_of(service_input(&m, "Reboot", "{\"reason\": \"\"}")), vec![PARAM_MISSING]);
        assert_eq!(codes_of(service_input(&m, "Reboot", "{")), vec![PARAM_FORMAT_CHECK_FAILED]);
        assert_eq!(codes_of(service_input(&m, "Nope", "{}")), vec![SERVICE_NOT_IN_MODEL]);
        let fields = vec![("delay".to_string(), "5".to_string()), ("reason".to_string(), "ops".to_string())];
        assert_eq!(service_form(&m, "Reboot", reboot, &fields).unwrap(), json!({"delay": 5, "reason": "ops"}));
        let fields = vec![("delay".to_string(), String::new())];
        assert_eq!(codes_of(service_form(&m, "Reboot", reboot, &fields)), vec![PARAM_MISSING]);
    }

    #[test]
    fn defaults_fit_their_ranges() {
        assert_eq!(default_value(&DataType::int(5, 10)), json!(5));
        assert_eq!(default_value(&DataType::int(-10, -5)), json!(-5));
        assert_eq!(default_value(&DataType::double(1.5, 3.0)), json!(1.5));
        assert_eq!(default_value(&DataType::enumeration([(3, "a"), (4, "b")])), json!(3));
        for dt in [DataType::int(5, 10), DataType::float(-3.0, -1.0), DataType::date(), DataType::text(3)] {
            assert!(crate::tsl::validate_value(&dt, &default_value(&dt), "x").is_ok(), "{dt:?}");
        }
    }

    #[test]
    fn hints_say_type_range_step_and_unit() {
        use crate::tsl::NumberSpecs;
        let dt = DataType::Int(NumberSpecs::range(0, 100, 1).with_unit("%", "percent"));
        assert_eq!(type_hint(&dt), "int 0 ~ 100 step 1 %");
        assert_eq!(type_hint(&DataType::bool("off", "on")), "bool 0 off, 1 on");
        assert_eq!(type_hint(&DataType::text(8)), "text ≤ 8");
        assert_eq!(type_hint(&DataType::array(DataType::int(0, 1), 3)), "array<int> ≤ 3");
        assert_eq!(value_text(&json!("a b")), "a b");
        assert_eq!(value_text(&json!({"a": 1})), "{\"a\":1}");
    }
}

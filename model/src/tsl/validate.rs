//! Value validation against a model, with the seed's codes.
//!
//! Choices (where the seed leaves room):
//! - **int** must be a JSON integer within int32 and `min..=max`; `30.0` is rejected (6306).
//! - **float/double** accept any JSON number within `min..=max` (float also within f32) (6307/6322).
//! - **step** is not enforced: Alibaba uses it only for the console's input widgets.
//! - **bool** accepts the integers 0 and 1 (what Alibaba's devices send) and, leniently, JSON
//!   `true`/`false`, which SDKs in other languages produce; anything else is 6308.
//! - **enum** must be a JSON integer whose decimal text is a spec key (6309); `"1"` is rejected.
//! - **text** must be a string of at most `length` characters (Unicode scalar values, not bytes;
//!   10240 when absent) (6310).
//! - **date** is UTC milliseconds ≥ 0, as an integer or a string of digits (6311).
//! - **struct** must be an object; a key that is not a field is 6304, a missing field is 6312
//!   (the seed: "the number of the parameters in a structure is different").
//! - **array**: not an array 6328; element type outside int/float/double/text/struct 6325; more
//!   than `size` elements or a bad element 6324 (the element's own error is in the message, its
//!   location in the path, e.g. `Schedules[3].Level`).
//! - A type this crate does not know: 6314. Bounds that do not parse are ignored here (the model
//!   check reports them, 6317).
//! - Unknown parameters of events and services are 6304, like unknown struct fields; missing
//!   event outputs are accepted (devices report what they have), missing service inputs are 6302.
//! - A `module:` prefix naming no module is 5490 everywhere.
//! - A `time` that is not UTC milliseconds (property or event post) is 6311.

use serde_json::{Map, Value};

use super::codes;
use super::data_type::DataType;
use super::error::TslError;
use super::lookup::{split_identifier, Features};
use super::types::{AccessMode, Param, Property, Service, ThingModel, BUILTIN_GET, BUILTIN_SET};

/// At most this many properties per device post (6106).
pub const MAX_PROPERTIES_PER_POST: usize = 200;

impl DataType {
    /// Checks `value` against this type; `path` names the value in the error.
    pub fn validate(&self, value: &Value, path: &str) -> Result<(), TslError> {
        validate_value(self, value, path)
    }
}

/// Checks `value` against `dt`; `path` names the value in the error (`Brightness`,
/// `GeoLocation.Longitude`, `Schedules[3]`). Returns the first failure.
pub fn validate_value(dt: &DataType, value: &Value, path: &str) -> Result<(), TslError> {
    let err = |code: u32, msg: String| Err(TslError::new(code, path, msg));
    match dt {
        DataType::Int(s) => {
            let Some(v) = value.as_i64() else {
                return err(codes::INT_MISMATCH, format!("expected an integer (int32), got {}", short(value)));
            };
            if i32::try_from(v).is_err() {
                return err(codes::INT_MISMATCH, format!("{v} does not fit in int32"));
            }
            let min = s.min.as_deref().and_then(|m| m.trim().parse::<i64>().ok());
            let max = s.max.as_deref().and_then(|m| m.trim().parse::<i64>().ok());
            if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
                return err(
                    codes::INT_MISMATCH,
                    format!("{v} is outside {}", range(s.min.as_deref(), s.max.as_deref())),
                );
            }
            Ok(())
        }
        DataType::Float(s) | DataType::Double(s) => {
            let (code, kind) = match dt {
                DataType::Float(_) => (codes::FLOAT_MISMATCH, "float"),
                _ => (codes::DOUBLE_MISMATCH, "double"),
            };
            let Some(v) = value.as_f64().filter(|v| v.is_finite()) else {
                return err(code, format!("expected a number ({kind}), got {}", short(value)));
            };
            if code == codes::FLOAT_MISMATCH && v.abs() > f32::MAX as f64 {
                return err(code, format!("{v} does not fit in a 32-bit float"));
            }
            if s.min_f64().is_some_and(|m| v < m) || s.max_f64().is_some_and(|m| v > m) {
                return err(code, format!("{v} is outside {}", range(s.min.as_deref(), s.max.as_deref())));
            }
            Ok(())
        }
        DataType::Bool(_) => match value {
            Value::Bool(_) => Ok(()),
            Value::Number(n) if n.as_u64().is_some_and(|n| n <= 1) => Ok(()),
            _ => err(codes::BOOL_MISMATCH, format!("expected 0 or 1, got {}", short(value))),
        },
        DataType::Enum(labels) => match value.as_i64() {
            Some(v) if labels.contains(&v.to_string()) => Ok(()),
            Some(v) => err(codes::ENUM_MISMATCH, format!("{v} is not one of {}", keys(&labels.0))),
            None => err(codes::ENUM_MISMATCH, format!("expected one of {}, got {}", keys(&labels.0), short(value))),
        },
        DataType::Text(s) => {
            let Some(text) = value.as_str() else {
                return err(codes::TEXT_MISMATCH, format!("expected text, got {}", short(value)));
            };
            let (len, max) = (text.chars().count(), s.max_len());
            if len > max {
                return err(codes::TEXT_MISMATCH, format!("text of {len} characters is longer than {max}"));
            }
            Ok(())
        }
        DataType::Date(_) => {
            if parse_millis(value).is_some() {
                Ok(())
            } else {
                err(codes::DATE_MISMATCH, format!("expected UTC milliseconds, got {}", short(value)))
            }
        }
        DataType::Struct(fields) => {
            let Some(obj) = value.as_object() else {
                return err(codes::STRUCT_MISMATCH, format!("expected an object, got {}", short(value)));
            };
            if let Some(k) = obj.keys().find(|k| !fields.iter().any(|f| &f.identifier == *k)) {
                return Err(TslError::new(
                    codes::PARAM_UNKNOWN,
                    join(path, k),
                    format!("{k} is not a field of the struct"),
                ));
            }
            for f in fields {
                let p = join(path, &f.identifier);
                match obj.get(&f.identifier) {
                    None => {
                        return Err(TslError::new(
                            codes::STRUCT_MISMATCH,
                            p,
                            format!("missing field {} ({} of {} fields given)", f.identifier, obj.len(), fields.len()),
                        ))
                    }
                    Some(v) => validate_value(&f.data_type, v, &p)?,
                }
            }
            Ok(())
        }
        DataType::Array(a) => {
            let Some(items) = value.as_array() else {
                return err(codes::NOT_AN_ARRAY, format!("expected an array, got {}", short(value)));
            };
            if !a.item.is_array_item_type() {
                return err(
                    codes::ARRAY_ITEM_UNSUPPORTED,
                    format!("arrays of {} are not supported (int, float, double, text, struct)", a.item.type_name()),
                );
            }
            if let Some(max) = a.max_len().filter(|m| items.len() > *m) {
                return err(codes::ARRAY_MISMATCH, format!("{} elements, at most {max} allowed", items.len()));
            }
            for (i, item) in items.iter().enumerate() {
                validate_value(&a.item, item, &format!("{path}[{i}]")).map_err(|e| {
                    TslError::new(codes::ARRAY_MISMATCH, e.path, format!("element {i}: {} ({})", e.message, e.code))
                })?;
            }
            Ok(())
        }
        DataType::Unsupported { type_name, .. } => {
            err(codes::TYPE_UNSUPPORTED, format!("data type {type_name} is not supported"))
        }
    }
}

/// UTC milliseconds as an integer ≥ 0 or a string of digits (what `date` values and `time` carry).
pub fn parse_millis(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().filter(|v| *v >= 0),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse::<i64>().ok(),
        _ => None,
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

fn range(min: Option<&str>, max: Option<&str>) -> String {
    format!("[{}, {}]", min.unwrap_or("-∞"), max.unwrap_or("∞"))
}

fn keys(l: &[(String, String)]) -> String {
    let k: Vec<&str> = l.iter().map(|(k, _)| k.as_str()).collect();
    format!("{{{}}}", k.join(", "))
}

/// A value for error messages, cut to a readable length.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// One accepted property value of a post, normalized from `v` or `{"value": v, "time": t}`.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyValue {
    /// As posted, including a `module:` prefix.
    pub identifier: String,
    pub value: Value,
    /// The device's timestamp (UTC ms), if it sent one.
    pub time: Option<i64>,
}

/// The outcome of a device's property post: what passed and what did not.
///
/// Alibaba answers the whole message with one code; the caller can store `accepted` and reply
/// with [`PropertyPost::first_error`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PropertyPost {
    pub accepted: Vec<PropertyValue>,
    pub rejected: Vec<TslError>,
}

impl PropertyPost {
    /// Whether every property passed.
    pub fn is_ok(&self) -> bool {
        self.rejected.is_empty()
    }

    /// The error to reply with, if any.
    pub fn first_error(&self) -> Option<&TslError> {
        self.rejected.first()
    }
}

/// Splits a posted value into `(value, time)`: `{"value": v, "time": t}` (only those keys, `value`
/// present) is the timed form unless the type is a struct with a field named `value`.
fn unwrap_timed<'a>(dt: &DataType, v: &'a Value, path: &str) -> Result<(&'a Value, Option<i64>), TslError> {
    if let Value::Object(o) = v {
        let struct_has_value = matches!(dt, DataType::Struct(f) if f.iter().any(|f| f.identifier == "value"));
        if o.contains_key("value") && o.keys().all(|k| k == "value" || k == "time") && !struct_has_value {
            let time = match o.get("time") {
                None => None,
                Some(t) => Some(parse_millis(t).ok_or_else(|| {
                    TslError::new(
                        codes::DATE_MISMATCH,
                        join(path, "time"),
                        format!("time must be UTC milliseconds, got {}", short(t)),
                    )
                })?),
            };
            return Ok((&o["value"], time));
        }
    }
    Ok((v, None))
}

fn module_missing(m: &str, path: &str) -> TslError {
    TslError::new(codes::MODULE_NOT_FOUND, path, format!("module {m} does not exist"))
}

/// Finds a property for a message; `not_found` is 6320 for device posts and 5092 for the console.
fn find_property<'a, F: Features + ?Sized>(model: &'a F, id: &str, not_found: u32) -> Result<&'a Property, TslError> {
    let (m, plain) = split_identifier(id);
    let tm = model.model_for(m).ok_or_else(|| module_missing(m.unwrap_or_default(), id))?;
    tm.properties
        .iter()
        .find(|p| p.identifier == plain)
        .ok_or_else(|| TslError::new(not_found, id, format!("property {id} is not in the model")))
}

/// Validates a device's `thing.event.property.post` params: more than 200 properties is 6106
/// (the whole post fails); otherwise each property is checked (unknown 6320, bad value per type).
/// Values may be plain (`{"Brightness": 30}`) or timed (`{"Brightness": {"value": 30, "time": …}}`).
pub fn validate_property_post<F: Features + ?Sized>(
    model: &F,
    params: &Map<String, Value>,
) -> Result<PropertyPost, TslError> {
    if params.len() > MAX_PROPERTIES_PER_POST {
        return Err(TslError::new(
            codes::PROPERTY_POST_TOO_MANY,
            "",
            format!("{} properties posted, at most {MAX_PROPERTIES_PER_POST} allowed", params.len()),
        ));
    }
    let mut out = PropertyPost::default();
    for (id, raw) in params {
        let checked = find_property(model, id, codes::PROPERTY_NOT_FOUND).and_then(|p| {
            let (value, time) = unwrap_timed(&p.data_type, raw, id)?;
            validate_value(&p.data_type, value, id)?;
            Ok(PropertyValue { identifier: id.clone(), value: value.clone(), time })
        });
        match checked {
            Ok(v) => out.accepted.push(v),
            Err(e) => out.rejected.push(e),
        }
    }
    Ok(out)
}

/// Validates the console setting properties (`thing.service.property.set`): unknown property
/// 5092, read-only property 6332, bad value per type; an empty set is 6332. Returns every error.
pub fn validate_property_set<F: Features + ?Sized>(
    model: &F,
    params: &Map<String, Value>,
) -> Result<(), Vec<TslError>> {
    if params.is_empty() {
        return Err(vec![TslError::new(codes::INPUT_NOT_CONFORMING, "", "no property to set")]);
    }
    let errors: Vec<TslError> = params
        .iter()
        .filter_map(|(id, v)| {
            let p = match find_property(model, id, codes::PROPERTY_NOT_IN_MODEL) {
                Ok(p) => p,
                Err(e) => return Some(e),
            };
            if p.access_mode == AccessMode::ReadOnly {
                return Some(TslError::new(codes::INPUT_NOT_CONFORMING, id, format!("property {id} is read-only")));
            }
            validate_value(&p.data_type, v, id).err()
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Validates the console reading properties (`thing.service.property.get`): each identifier must
/// be a property (5092).
pub fn validate_property_get<'a, F: Features + ?Sized>(
    model: &F,
    identifiers: impl IntoIterator<Item = &'a str>,
) -> Result<(), Vec<TslError>> {
    let errors: Vec<TslError> =
        identifiers.into_iter().filter_map(|id| find_property(model, id, codes::PROPERTY_NOT_IN_MODEL).err()).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks `obj` against a parameter list: unknown key 6304, missing 6302 if `all_required`,
/// values per type. Paths are `{feature}.{param}`.
fn check_params(feature: &str, defs: &[&Param], obj: &Map<String, Value>, all_required: bool) -> Vec<TslError> {
    let mut errors: Vec<TslError> = obj
        .keys()
        .filter(|k| !defs.iter().any(|d| &d.identifier == *k))
        .map(|k| TslError::new(codes::PARAM_UNKNOWN, join(feature, k), format!("{k} is not a parameter of {feature}")))
        .collect();
    for d in defs {
        let path = join(feature, &d.identifier);
        match obj.get(&d.identifier) {
            None if all_required => {
                errors.push(TslError::new(codes::PARAM_MISSING, path, format!("parameter {} is missing", d.identifier)))
            }
            None => {}
            Some(v) => errors.extend(validate_value(&d.data_type, v, &path).err()),
        }
    }
    errors
}

/// `params` as an object; `null` counts as `{}` (a service without inputs).
fn as_object<'a>(
    params: &'a Value,
    path: &str,
    empty: &'a Map<String, Value>,
) -> Result<&'a Map<String, Value>, TslError> {
    match params {
        Value::Object(o) => Ok(o),
        Value::Null => Ok(empty),
        other => Err(TslError::new(
            codes::PARAM_FORMAT_CHECK_FAILED,
            path,
            format!("params must be an object, got {}", short(other)),
        )),
    }
}

/// A device's event post, normalized.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPost {
    /// As posted, including a `module:` prefix.
    pub identifier: String,
    /// The output parameters.
    pub value: Map<String, Value>,
    /// The device's timestamp (UTC ms), if it sent one.
    pub time: Option<i64>,
}

/// Validates a device's `thing.event.{identifier}.post` params, either `{"value": {…}, "time": t}`
/// (Alibaba's form) or the output parameters directly. Unknown event 5096 (5490 for an unknown
/// module); unknown parameter 6304; missing parameters are accepted. For the property post use
/// [`validate_property_post`].
pub fn validate_event<F: Features + ?Sized>(
    model: &F,
    identifier: &str,
    params: &Value,
) -> Result<EventPost, Vec<TslError>> {
    let (m, plain) = split_identifier(identifier);
    let tm = model.model_for(m).ok_or_else(|| vec![module_missing(m.unwrap_or_default(), identifier)])?;
    let event = tm.events.iter().find(|e| e.identifier == plain).ok_or_else(|| {
        vec![TslError::new(codes::EVENT_NOT_IN_MODEL, identifier, format!("event {identifier} is not in the model"))]
    })?;
    let empty = Map::new();
    let obj = as_object(params, identifier, &empty).map_err(|e| vec![e])?;
    let has_value_param = event.output_data.iter().any(|p| p.identifier == "value");
    let timed = !has_value_param
        && obj.get("value").is_some_and(Value::is_object)
        && obj.keys().all(|k| k == "value" || k == "time");
    let (value, time) = if timed {
        let time = match obj.get("time") {
            None => None,
            Some(t) => Some(parse_millis(t).ok_or_else(|| {
                vec![TslError::new(
                    codes::DATE_MISMATCH,
                    join(identifier, "time"),
                    format!("time must be UTC milliseconds, got {}", short(t)),
                )]
            })?),
        };
        (obj["value"].as_object().unwrap_or(&empty), time)
    } else {
        (obj, None)
    };
    let defs: Vec<&Param> = event.output_data.iter().collect();
    let errors = check_params(identifier, &defs, value, false);
    if errors.is_empty() {
        Ok(EventPost { identifier: identifier.to_string(), value: value.clone(), time })
    } else {
        Err(errors)
    }
}

/// The module's model and the plain identifier, or 5490 (unknown module).
fn find_module<'a, F: Features + ?Sized>(
    model: &'a F,
    identifier: &'a str,
) -> Result<(&'a ThingModel, &'a str), Vec<TslError>> {
    let (m, plain) = split_identifier(identifier);
    let tm = model.model_for(m).ok_or_else(|| vec![module_missing(m.unwrap_or_default(), identifier)])?;
    Ok((tm, plain))
}

/// The module's model, the service and its plain identifier, or 5490 (unknown module) / 5094.
fn find_service<'a, F: Features + ?Sized>(
    model: &'a F,
    identifier: &'a str,
) -> Result<(&'a ThingModel, &'a Service, &'a str), Vec<TslError>> {
    let (m, plain) = split_identifier(identifier);
    let tm = model.model_for(m).ok_or_else(|| vec![module_missing(m.unwrap_or_default(), identifier)])?;
    let service = tm.services.iter().find(|s| s.identifier == plain).ok_or_else(|| {
        vec![TslError::new(
            codes::SERVICE_NOT_IN_MODEL,
            identifier,
            format!("service {identifier} is not in the model"),
        )]
    })?;
    Ok((tm, service, plain))
}

/// Validates the console calling a service (`thing.service.{identifier}`): unknown service 5094
/// (5490 for an unknown module); missing parameter 6302; unknown parameter 6304; values per type.
/// The built-in `set` is checked like [`validate_property_set`]; the built-in `get` takes an array
/// of property identifiers (5092 for unknown ones, 6332 if not an array of strings).
pub fn validate_service_input<F: Features + ?Sized>(
    model: &F,
    identifier: &str,
    params: &Value,
) -> Result<(), Vec<TslError>> {
    // `set` and `get` exist for every product (Alibaba generates them), declared or not: they
    // are checked against the properties, never looked up among the declared services.
    let (tm, plain) = find_module(model, identifier)?;
    let empty = Map::new();
    if plain == BUILTIN_SET {
        let obj = as_object(params, identifier, &empty).map_err(|e| vec![e])?;
        return validate_property_set(tm, obj);
    }
    if plain == BUILTIN_GET {
        let ids: Option<Vec<&str>> = params.as_array().and_then(|a| a.iter().map(Value::as_str).collect());
        return match ids {
            Some(ids) => validate_property_get(tm, ids),
            None => Err(vec![TslError::new(
                codes::INPUT_NOT_CONFORMING,
                identifier,
                "get takes an array of property identifiers",
            )]),
        };
    }
    let (_, service, _) = find_service(model, identifier)?;
    let obj = as_object(params, identifier, &empty).map_err(|e| vec![e])?;
    let defs: Vec<&Param> = service.input_params().collect();
    let errors = check_params(identifier, &defs, obj, true);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Validates a device's reply `data` to a service call against the service's `outputData`
/// (unknown parameter 6304, values per type; missing outputs accepted). The built-in `set` must
/// reply with empty data (6335).
pub fn validate_service_output<F: Features + ?Sized>(
    model: &F,
    identifier: &str,
    data: &Value,
) -> Result<(), Vec<TslError>> {
    let (tm, plain) = find_module(model, identifier)?;
    let empty = Map::new();
    let obj = as_object(data, identifier, &empty).map_err(|e| vec![e])?;
    if plain == BUILTIN_SET {
        if obj.is_empty() {
            return Ok(());
        }
        return Err(vec![TslError::new(
            codes::SET_REPLY_NOT_EMPTY,
            identifier,
            "the reply to a property set must have empty data",
        )]);
    }
    // The built-in `get` answers with property values, declared as a service or not.
    let props: Vec<Param>;
    let defs: Vec<&Param> = if plain == BUILTIN_GET {
        props = tm.properties.iter().map(Property::to_param).collect();
        props.iter().collect()
    } else {
        let (_, service, _) = find_service(model, identifier)?;
        service.output_data.iter().collect()
    };
    let errors = check_params(identifier, &defs, obj, false);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

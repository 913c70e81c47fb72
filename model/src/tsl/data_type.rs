//! [`DataType`]: the `dataType` object of a property or parameter, `{"type": …, "specs": …}`.
//!
//! Specs keep Alibaba's strings (`"min": "0"`) so an imported model is exported exactly as it came
//! in; numbers are parsed only when a value is validated or the model is checked. Import is lenient
//! where it costs nothing (a spec written as a JSON number is accepted and exported as a string;
//! `int32` is read as `int`), so hand-written files load.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::types::Param;

/// Largest text length Alibaba allows, and the limit used when `specs.length` is absent.
pub const TEXT_MAX_LENGTH: u32 = 10240;
/// Largest array size Alibaba allows.
pub const ARRAY_MAX_SIZE: u32 = 512;
/// A date example: 2023-11-14T22:13:20Z in UTC milliseconds (the model has no clock; no I/O).
pub const EXAMPLE_DATE_MS: &str = "1700000000000";

/// A TSL data type with its specs.
///
/// Export normalizations (all keep the JSON equivalent): `int32` is written `int`; number and
/// text specs are omitted when empty (Alibaba's array items are written `{"type": "float"}`);
/// bool/enum labels are ordered by numeric value. Unknown keys beside `type`/`specs` are dropped;
/// unknown keys inside `specs` are kept.
#[derive(Debug, Clone, PartialEq)]
pub enum DataType {
    /// `int` (32-bit signed; `int32` accepted on import).
    Int(NumberSpecs),
    /// `float` (32-bit).
    Float(NumberSpecs),
    /// `double` (64-bit).
    Double(NumberSpecs),
    /// `bool`: labels for `"0"` and `"1"`.
    Bool(ValueLabels),
    /// `enum`: labels for each allowed integer value.
    Enum(ValueLabels),
    /// `text`: a string of at most `length` characters.
    Text(TextSpecs),
    /// `date`: UTC milliseconds, as a string or an integer.
    Date(DateSpecs),
    /// `struct`: its fields, in order.
    Struct(Vec<Param>),
    /// `array`: at most `size` elements of `item`.
    Array(ArraySpecs),
    /// A type this crate does not know. Kept so import/export loses nothing; [`ThingModel::check`]
    /// reports it (6317) and validation rejects values of it (6314).
    ///
    /// [`ThingModel::check`]: super::ThingModel::check
    Unsupported { type_name: String, specs: Option<Value> },
}

/// Specs of `int`, `float` and `double`: all strings, all optional.
///
/// `step` is informational: Alibaba uses it for the console's input widgets only, so a value off
/// the step grid is accepted by validation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NumberSpecs {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_opt")]
    pub min: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_opt")]
    pub max: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_opt")]
    pub step: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_opt")]
    pub unit: Option<String>,
    #[serde(rename = "unitName", default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_opt")]
    pub unit_name: Option<String>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

impl NumberSpecs {
    /// `min`..=`max` with the given step and no unit.
    pub fn range(min: impl ToString, max: impl ToString, step: impl ToString) -> Self {
        Self { min: Some(min.to_string()), max: Some(max.to_string()), step: Some(step.to_string()), ..Self::default() }
    }

    /// Sets `unit` (symbol, e.g. `%`) and `unitName` (e.g. `百分比`).
    pub fn with_unit(mut self, unit: impl Into<String>, unit_name: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self.unit_name = Some(unit_name.into());
        self
    }

    fn is_empty(&self) -> bool {
        self.min.is_none()
            && self.max.is_none()
            && self.step.is_none()
            && self.unit.is_none()
            && self.unit_name.is_none()
            && self.extra.is_empty()
    }

    /// `min` parsed, if present and numeric.
    pub fn min_f64(&self) -> Option<f64> {
        parse_f64(self.min.as_deref())
    }

    /// `max` parsed, if present and numeric.
    pub fn max_f64(&self) -> Option<f64> {
        parse_f64(self.max.as_deref())
    }
}

pub(crate) fn parse_f64(s: Option<&str>) -> Option<f64> {
    s.and_then(|s| s.trim().parse::<f64>().ok()).filter(|f| f.is_finite())
}

/// Specs of `bool` and `enum`: value (a decimal integer as a string) → label.
///
/// Kept as a list ordered by numeric value (non-numeric keys last), which is how the console lists
/// them and is independent of the JSON object's key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueLabels(pub Vec<(String, String)>);

impl ValueLabels {
    /// Labels from `(value, label)` pairs; ordered as documented on the type.
    pub fn new<K: ToString, L: ToString>(pairs: impl IntoIterator<Item = (K, L)>) -> Self {
        let mut v: Vec<(String, String)> = pairs.into_iter().map(|(k, l)| (k.to_string(), l.to_string())).collect();
        sort_labels(&mut v);
        Self(v)
    }

    /// The label of `value`, if defined.
    pub fn label(&self, value: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == value).map(|(_, l)| l.as_str())
    }

    /// Whether `value` is a defined key.
    pub fn contains(&self, value: &str) -> bool {
        self.0.iter().any(|(k, _)| k == value)
    }
}

fn sort_labels(v: &mut [(String, String)]) {
    v.sort_by(|a, b| match (a.0.parse::<i64>(), b.0.parse::<i64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.0.cmp(&b.0),
    });
}

impl Serialize for ValueLabels {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, l) in &self.0 {
            m.serialize_entry(k, l)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for ValueLabels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ValueLabels;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object mapping values to labels")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ValueLabels, A::Error> {
                let mut v = Vec::new();
                while let Some((k, l)) = map.next_entry::<String, Lenient>()? {
                    v.push((k, l.0));
                }
                sort_labels(&mut v);
                Ok(ValueLabels(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// Specs of `text`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextSpecs {
    /// Maximum number of characters, as a string; [`TEXT_MAX_LENGTH`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient_opt")]
    pub length: Option<String>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

impl TextSpecs {
    /// The effective length limit in characters.
    pub fn max_len(&self) -> usize {
        self.length.as_deref().and_then(|l| l.trim().parse::<usize>().ok()).unwrap_or(TEXT_MAX_LENGTH as usize)
    }
}

/// Specs of `date`: Alibaba writes `{}`; anything else found there is kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DateSpecs {
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

/// Specs of `array`: `{"size": "24", "item": {"type": "float"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArraySpecs {
    /// Maximum number of elements, as a string.
    #[serde(deserialize_with = "lenient")]
    pub size: String,
    /// The element type: int, float, double, text or struct.
    pub item: Box<DataType>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

impl ArraySpecs {
    /// The size parsed, if it is a non-negative integer.
    pub fn max_len(&self) -> Option<usize> {
        self.size.trim().parse::<usize>().ok()
    }
}

impl DataType {
    /// The `type` string Alibaba writes for this type.
    pub fn type_name(&self) -> &str {
        match self {
            DataType::Int(_) => "int",
            DataType::Float(_) => "float",
            DataType::Double(_) => "double",
            DataType::Bool(_) => "bool",
            DataType::Enum(_) => "enum",
            DataType::Text(_) => "text",
            DataType::Date(_) => "date",
            DataType::Struct(_) => "struct",
            DataType::Array(_) => "array",
            DataType::Unsupported { type_name, .. } => type_name,
        }
    }

    /// `int` from `min` to `max`, step 1.
    pub fn int(min: i32, max: i32) -> Self {
        DataType::Int(NumberSpecs::range(min, max, 1))
    }

    /// `float` from `min` to `max` (step 0.1).
    pub fn float(min: f32, max: f32) -> Self {
        DataType::Float(NumberSpecs::range(min, max, "0.1"))
    }

    /// `double` from `min` to `max` (step 0.01).
    pub fn double(min: f64, max: f64) -> Self {
        DataType::Double(NumberSpecs::range(min, max, "0.01"))
    }

    /// `bool` with the labels for 0 and 1.
    pub fn bool(false_label: impl ToString, true_label: impl ToString) -> Self {
        DataType::Bool(ValueLabels::new([("0", false_label.to_string()), ("1", true_label.to_string())]))
    }

    /// `enum` with `(value, label)` pairs.
    pub fn enumeration<L: ToString>(pairs: impl IntoIterator<Item = (i32, L)>) -> Self {
        DataType::Enum(ValueLabels::new(pairs))
    }

    /// `text` of at most `length` characters.
    pub fn text(length: u32) -> Self {
        DataType::Text(TextSpecs { length: Some(length.to_string()), extra: Map::new() })
    }

    /// `date` (UTC milliseconds).
    pub fn date() -> Self {
        DataType::Date(DateSpecs::default())
    }

    /// `struct` with the given fields.
    pub fn structure(fields: Vec<Param>) -> Self {
        DataType::Struct(fields)
    }

    /// `array` of at most `size` elements of `item`.
    pub fn array(item: DataType, size: u32) -> Self {
        DataType::Array(ArraySpecs { size: size.to_string(), item: Box::new(item), extra: Map::new() })
    }

    /// Whether Alibaba allows this type as an array element (int, float, double, text, struct).
    pub fn is_array_item_type(&self) -> bool {
        matches!(
            self,
            DataType::Int(_) | DataType::Float(_) | DataType::Double(_) | DataType::Text(_) | DataType::Struct(_)
        )
    }

    /// A value that passes validation against this type (if the type itself is valid), used by
    /// the device simulator and demo seeding: the middle of a number range, the first enum value,
    /// `0` for bool, a short text, [`EXAMPLE_DATE_MS`], every struct field, one array element.
    pub fn example_value(&self) -> Value {
        match self {
            DataType::Int(s) => {
                let min = s.min.as_deref().and_then(|m| m.trim().parse::<i64>().ok());
                let max = s.max.as_deref().and_then(|m| m.trim().parse::<i64>().ok());
                let v = match (min, max) {
                    (Some(a), Some(b)) => a + (b - a) / 2,
                    (Some(a), None) => a,
                    (None, Some(b)) => b.min(0),
                    (None, None) => 0,
                };
                json!(v)
            }
            DataType::Float(s) | DataType::Double(s) => {
                let v = match (s.min_f64(), s.max_f64()) {
                    (Some(a), Some(b)) => a + (b - a) / 2.0,
                    (Some(a), None) => a,
                    (None, Some(b)) => b.min(0.0),
                    (None, None) => 0.0,
                };
                let v = if matches!(self, DataType::Float(_)) { v as f32 as f64 } else { v };
                // Casting to f32 may step just outside the range; fall back to a bound.
                let v = match (s.min_f64(), s.max_f64()) {
                    (Some(a), _) if v < a => a,
                    (_, Some(b)) if v > b => b,
                    _ => v,
                };
                serde_json::Number::from_f64(v).map(Value::Number).unwrap_or(json!(0))
            }
            DataType::Bool(_) => json!(0),
            DataType::Enum(l) => {
                json!(l.0.iter().find_map(|(k, _)| k.parse::<i64>().ok()).unwrap_or(0))
            }
            DataType::Text(s) => Value::String("sample".chars().take(s.max_len()).collect()),
            DataType::Date(_) => json!(EXAMPLE_DATE_MS),
            DataType::Struct(fields) => {
                Value::Object(fields.iter().map(|f| (f.identifier.clone(), f.data_type.example_value())).collect())
            }
            DataType::Array(a) => {
                if a.item.is_array_item_type() && a.max_len().unwrap_or(1) >= 1 {
                    json!([a.item.example_value()])
                } else {
                    json!([])
                }
            }
            DataType::Unsupported { .. } => Value::Null,
        }
    }
}

impl Serialize for DataType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", self.type_name())?;
        match self {
            DataType::Int(n) | DataType::Float(n) | DataType::Double(n) => {
                if !n.is_empty() {
                    m.serialize_entry("specs", n)?;
                }
            }
            DataType::Bool(l) | DataType::Enum(l) => m.serialize_entry("specs", l)?,
            DataType::Text(t) => {
                if t.length.is_some() || !t.extra.is_empty() {
                    m.serialize_entry("specs", t)?;
                }
            }
            DataType::Date(d) => m.serialize_entry("specs", d)?,
            DataType::Struct(f) => m.serialize_entry("specs", f)?,
            DataType::Array(a) => m.serialize_entry("specs", a)?,
            DataType::Unsupported { specs, .. } => {
                if let Some(specs) = specs {
                    m.serialize_entry("specs", specs)?;
                }
            }
        }
        m.end()
    }
}

#[derive(Deserialize)]
struct RawDataType {
    #[serde(rename = "type")]
    type_name: String,
    #[serde(default)]
    specs: Option<Value>,
}

impl<'de> Deserialize<'de> for DataType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawDataType::deserialize(d)?;
        fn specs<T: serde::de::DeserializeOwned + Default, E: de::Error>(
            t: &str,
            specs: Option<Value>,
        ) -> Result<T, E> {
            match specs {
                None | Some(Value::Null) => Ok(T::default()),
                Some(v) => serde_json::from_value(v).map_err(|e| E::custom(format!("specs of {t}: {e}"))),
            }
        }
        let t = raw.type_name.as_str();
        Ok(match t {
            "int" | "int32" => DataType::Int(specs(t, raw.specs)?),
            "float" => DataType::Float(specs(t, raw.specs)?),
            "double" => DataType::Double(specs(t, raw.specs)?),
            "bool" => DataType::Bool(specs(t, raw.specs)?),
            "enum" => DataType::Enum(specs(t, raw.specs)?),
            "text" => DataType::Text(specs(t, raw.specs)?),
            "date" => DataType::Date(specs(t, raw.specs)?),
            "struct" => DataType::Struct(specs(t, raw.specs)?),
            "array" => match raw.specs {
                Some(v) => DataType::Array(
                    serde_json::from_value(v).map_err(|e| de::Error::custom(format!("specs of array: {e}")))?,
                ),
                None => return Err(de::Error::custom("array needs specs {size, item}")),
            },
            _ => DataType::Unsupported { type_name: raw.type_name, specs: raw.specs },
        })
    }
}

/// A spec value: Alibaba writes strings; a JSON number or bool is accepted and kept as its text.
struct Lenient(String);

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(Lenient(s)),
            Value::Number(n) => Ok(Lenient(n.to_string())),
            Value::Bool(b) => Ok(Lenient(b.to_string())),
            other => Err(de::Error::custom(format!("expected a string, found {other}"))),
        }
    }
}

fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Lenient::deserialize(d).map(|l| l.0)
}

fn lenient_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<Lenient>::deserialize(d).map(|o| o.map(|l| l.0))
}

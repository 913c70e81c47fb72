//! A property value as an operator reads it: with its unit, its enum/bool label, struct fields
//! by name and dates as dates — all from the product's thing model (TSL `specs`).

use serde_json::Value;

use crate::tsl::{DataType, ValueLabels};

/// A value ready to show: `text` in the value's font, `unit` beside it, and for enum/bool the
/// raw `code` the device sent (shown small, so "Off" can still be matched with a post).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShownValue {
    pub text: String,
    pub unit: String,
    pub code: Option<String>,
}

impl ShownValue {
    /// `text`, then the unit after a space when there is one: "19.5 °C".
    pub fn with_unit(&self) -> String {
        if self.unit.is_empty() {
            self.text.clone()
        } else {
            format!("{} {}", self.text, self.unit)
        }
    }
}

/// The unit to print after a number: the symbol (`unit`, e.g. "°C"), else its name
/// (`unitName`); Alibaba's console writes "无" / "none" for "no unit", which prints nothing.
pub fn unit_of(dt: &DataType) -> String {
    let (DataType::Int(s) | DataType::Float(s) | DataType::Double(s)) = dt else { return String::new() };
    pick(&s.unit).or_else(|| pick(&s.unit_name)).unwrap_or_default().to_string()
}

fn pick(u: &Option<String>) -> Option<&str> {
    u.as_deref().map(str::trim).filter(|u| !u.is_empty() && !is_no_unit(u))
}

fn is_no_unit(u: &str) -> bool {
    matches!(u.to_ascii_lowercase().as_str(), "无" | "none" | "null" | "/")
}

/// Shows `v` through its type; without a type (the model does not have the property any more)
/// the bare value, strings unquoted.
pub fn show(v: &Value, dt: Option<&DataType>) -> ShownValue {
    match dt {
        Some(DataType::Bool(l) | DataType::Enum(l)) => labelled(v, l),
        Some(dt @ DataType::Float(_)) => ShownValue { text: single(v), unit: unit_of(dt), code: None },
        Some(dt @ (DataType::Int(_) | DataType::Double(_))) => {
            ShownValue { text: plain(v), unit: unit_of(dt), code: None }
        }
        Some(dt) => ShownValue { text: inline(v, dt), ..ShownValue::default() },
        None => ShownValue { text: plain(v), ..ShownValue::default() },
    }
}

fn labelled(v: &Value, l: &ValueLabels) -> ShownValue {
    let code = plain(v);
    match l.label(&code) {
        Some(label) if !label.trim().is_empty() => {
            ShownValue { text: label.to_string(), unit: String::new(), code: Some(code) }
        }
        _ => ShownValue { text: code, ..ShownValue::default() },
    }
}

/// One line for any value: numbers with units, labels, `{Field: v, …}` for structs (field names
/// from the model), `[a, b]` for arrays, dates in UTC.
pub fn inline(v: &Value, dt: &DataType) -> String {
    match (dt, v) {
        (DataType::Struct(fields), Value::Object(m)) => {
            let parts: Vec<String> = fields
                .iter()
                .filter_map(|f| {
                    m.get(&f.identifier)
                        .map(|fv| format!("{}: {}", title(&f.name, &f.identifier), inline(fv, &f.data_type)))
                })
                // Fields the model does not know are still shown, after the known ones.
                .chain(
                    m.iter()
                        .filter(|(k, _)| !fields.iter().any(|f| &f.identifier == *k))
                        .map(|(k, fv)| format!("{k}: {}", plain(fv))),
                )
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        (DataType::Array(a), Value::Array(items)) => {
            let parts: Vec<String> = items.iter().map(|i| inline(i, &a.item)).collect();
            format!("[{}]", parts.join(", "))
        }
        (DataType::Date(_), _) => date_of(v).map(utc_text).unwrap_or_else(|| plain(v)),
        (DataType::Int(_) | DataType::Float(_) | DataType::Double(_) | DataType::Bool(_) | DataType::Enum(_), _) => {
            show(v, Some(dt)).with_unit()
        }
        // Text, unknown types, and values that do not fit their struct/array type: as sent.
        _ => plain(v),
    }
}

fn title(name: &str, identifier: &str) -> String {
    if name.trim().is_empty() {
        identifier.to_string()
    } else {
        name.to_string()
    }
}

/// A TSL `float` is single precision: a device that widens its C `float` to JSON sends
/// 35.290000915527344 for 35.29, so it is shown as the shortest text that reads back as the
/// same `f32`. Values outside `f32` (refused by validation anyway) stay as sent.
fn single(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x.is_finite() && x.abs() <= f64::from(f32::MAX) => (x as f32).to_string(),
        _ => plain(v),
    }
}

/// Strings without quotes; everything else as compact JSON.
pub fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A TSL date: UTC milliseconds as an integer or a digit string.
fn date_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `2026-12-02 14:13:35 UTC`. Dates are UTC by definition in the TSL, so no time zone lookup
/// (which the browser and the server would answer differently) is wanted here.
pub fn utc_text(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

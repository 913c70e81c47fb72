//! Checking a model itself before it is saved ([`ThingModel::check`], [`Tsl::check`]); every
//! finding is 6317 ("The TSL model is invalid") with a path and a precise message.
//!
//! Rules (Alibaba's console rules, applied conservatively):
//! - identifiers: 1–50 letters, digits or underscores, not starting with a digit;
//! - the reserved words `set get post property event time value` are not identifiers of
//!   properties, events, services or their parameters (the built-in `post`/`set`/`get` excepted) —
//!   which also keeps the timed form `{"value", "time"}` unambiguous;
//! - identifiers are unique across properties, events and services, and within each parameter
//!   list and struct;
//! - numbers: `min`/`max`/`step` parse (int: within int32), `min ≤ max`, `step > 0`;
//! - bool: exactly the keys `0` and `1`; enum: at least one key, every key an int32;
//! - text: `length` 1–10240; array: `size` 1–512 and element type int/float/double/text/struct;
//! - struct: at least one field, fields are not struct or array;
//! - `get`'s plain identifiers name properties; other services have typed inputs only;
//! - a custom module's map key equals its `functionBlockId`.

use std::collections::HashSet;

use super::codes::MODEL_INVALID;
use super::data_type::{parse_f64, DataType, NumberSpecs, ARRAY_MAX_SIZE, TEXT_MAX_LENGTH};
use super::error::TslError;
use super::lookup::Tsl;
use super::types::{Param, ServiceInput, ThingModel};

/// Identifiers reserved by Alibaba.
pub const RESERVED_IDENTIFIERS: &[&str] = &["set", "get", "post", "property", "event", "time", "value"];

/// Whether `id` follows Alibaba's identifier rule (see the module docs).
pub fn is_valid_identifier(id: &str) -> bool {
    (1..=50).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !id.as_bytes()[0].is_ascii_digit()
}

fn bad(out: &mut Vec<TslError>, path: &str, msg: impl Into<String>) {
    out.push(TslError::new(MODEL_INVALID, path, msg));
}

fn check_identifier(out: &mut Vec<TslError>, path: &str, id: &str, reserved_ok: bool) {
    if !is_valid_identifier(id) {
        bad(
            out,
            path,
            format!("identifier {id:?} must be 1-50 letters, digits or underscores, not starting with a digit"),
        );
    } else if !reserved_ok && RESERVED_IDENTIFIERS.contains(&id) {
        bad(out, path, format!("identifier {id:?} is reserved"));
    }
}

fn check_params(out: &mut Vec<TslError>, path: &str, params: &[&Param], top_level: bool) {
    let mut seen = HashSet::new();
    for p in params {
        let pp = format!("{path}.{}", p.identifier);
        check_identifier(out, &pp, &p.identifier, !top_level);
        if !seen.insert(p.identifier.as_str()) {
            bad(out, &pp, format!("duplicate identifier {}", p.identifier));
        }
        if p.name.trim().is_empty() {
            bad(out, &pp, "name must not be empty");
        }
        check_data_type(out, &pp, &p.data_type);
    }
}

fn check_numbers(out: &mut Vec<TslError>, path: &str, s: &NumberSpecs, int: bool) {
    let mut parse = |key: &str, v: &Option<String>| -> Option<f64> {
        let v = v.as_deref()?;
        let ok = if int { v.trim().parse::<i32>().ok().map(f64::from) } else { parse_f64(Some(v)) };
        if ok.is_none() {
            let kind = if int { "an int32" } else { "a number" };
            bad(out, &format!("{path}.specs.{key}"), format!("{key} {v:?} is not {kind}"));
        }
        ok
    };
    let min = parse("min", &s.min);
    let max = parse("max", &s.max);
    // A step like 0.1 is fine for a float; for int it must be an integer.
    let step = parse("step", &s.step);
    if let (Some(a), Some(b)) = (min, max) {
        if a > b {
            bad(out, &format!("{path}.specs"), format!("min {a} is greater than max {b}"));
        }
    }
    if step.is_some_and(|st| st <= 0.0) {
        bad(out, &format!("{path}.specs.step"), "step must be positive");
    }
}

fn check_data_type(out: &mut Vec<TslError>, path: &str, dt: &DataType) {
    match dt {
        DataType::Int(s) => check_numbers(out, path, s, true),
        DataType::Float(s) | DataType::Double(s) => check_numbers(out, path, s, false),
        DataType::Bool(l) => {
            let keys: Vec<&str> = l.0.iter().map(|(k, _)| k.as_str()).collect();
            if keys != ["0", "1"] {
                bad(out, &format!("{path}.specs"), format!("bool needs labels for 0 and 1, found {keys:?}"));
            }
        }
        DataType::Enum(l) => {
            if l.0.is_empty() {
                bad(out, &format!("{path}.specs"), "enum needs at least one value");
            }
            for (k, _) in &l.0 {
                if k.parse::<i32>().is_err() {
                    bad(out, &format!("{path}.specs.{k}"), format!("enum value {k:?} is not an int32"));
                }
            }
        }
        DataType::Text(t) => {
            if let Some(len) = &t.length {
                if !len.trim().parse::<u32>().is_ok_and(|l| (1..=TEXT_MAX_LENGTH).contains(&l)) {
                    bad(out, &format!("{path}.specs.length"), format!("length {len:?} must be 1-{TEXT_MAX_LENGTH}"));
                }
            }
        }
        DataType::Date(_) => {}
        DataType::Struct(fields) => {
            if fields.is_empty() {
                bad(out, &format!("{path}.specs"), "struct needs at least one field");
            }
            for f in fields {
                if matches!(f.data_type, DataType::Struct(_) | DataType::Array(_)) {
                    bad(
                        out,
                        &format!("{path}.{}", f.identifier),
                        format!("struct fields cannot be {}", f.data_type.type_name()),
                    );
                }
            }
            let refs: Vec<&Param> = fields.iter().collect();
            check_params(out, path, &refs, false);
        }
        DataType::Array(a) => {
            if !a.size.trim().parse::<u32>().is_ok_and(|s| (1..=ARRAY_MAX_SIZE).contains(&s)) {
                bad(out, &format!("{path}.specs.size"), format!("size {:?} must be 1-{ARRAY_MAX_SIZE}", a.size));
            }
            if !a.item.is_array_item_type() {
                bad(
                    out,
                    &format!("{path}[]"),
                    format!("arrays of {} are not supported (int, float, double, text, struct)", a.item.type_name()),
                );
            } else {
                check_data_type(out, &format!("{path}[]"), &a.item);
            }
        }
        DataType::Unsupported { type_name, .. } => {
            bad(out, path, format!("data type {type_name:?} is not supported"));
        }
    }
}

impl ThingModel {
    /// Every problem that makes this model invalid (6317 each); empty when it can be saved.
    pub fn check(&self) -> Vec<TslError> {
        let mut out = Vec::new();
        if self.profile.product_key.trim().is_empty() {
            bad(&mut out, "profile.productKey", "productKey must not be empty");
        }
        let ids = self
            .properties
            .iter()
            .map(|p| ("properties", &p.identifier))
            .chain(self.events.iter().map(|e| ("events", &e.identifier)))
            .chain(self.services.iter().map(|s| ("services", &s.identifier)));
        let mut seen = HashSet::new();
        for (kind, id) in ids {
            if !seen.insert(id.as_str()) {
                bad(
                    &mut out,
                    &format!("{kind}.{id}"),
                    format!("duplicate identifier {id}: identifiers are unique across properties, events and services"),
                );
            }
        }
        for p in &self.properties {
            let path = format!("properties.{}", p.identifier);
            check_identifier(&mut out, &path, &p.identifier, false);
            if p.name.trim().is_empty() {
                bad(&mut out, &path, "name must not be empty");
            }
            check_data_type(&mut out, &path, &p.data_type);
        }
        for e in &self.events {
            let path = format!("events.{}", e.identifier);
            check_identifier(&mut out, &path, &e.identifier, e.is_builtin());
            if let Some(m) = &e.method {
                let ok = if e.is_builtin() {
                    m == "thing.event.property.post"
                } else {
                    self.method_matches(m, "thing.event.", &e.identifier, ".post")
                };
                if !ok {
                    bad(&mut out, &format!("{path}.method"), format!("method {m:?} does not match the identifier"));
                }
            }
            let params: Vec<&Param> = e.output_data.iter().collect();
            check_params(&mut out, &format!("{path}.outputData"), &params, !e.is_builtin());
        }
        for s in &self.services {
            let path = format!("services.{}", s.identifier);
            check_identifier(&mut out, &path, &s.identifier, s.is_builtin());
            if let Some(m) = &s.method {
                let ok = if s.is_builtin() {
                    *m == format!("thing.service.property.{}", s.identifier)
                } else {
                    self.method_matches(m, "thing.service.", &s.identifier, "")
                };
                if !ok {
                    bad(&mut out, &format!("{path}.method"), format!("method {m:?} does not match the identifier"));
                }
            }
            for input in &s.input_data {
                if let ServiceInput::Identifier(id) = input {
                    if s.identifier != super::types::BUILTIN_GET {
                        bad(
                            &mut out,
                            &format!("{path}.inputData.{id}"),
                            "only the built-in get lists plain identifiers",
                        );
                    } else if !self.properties.iter().any(|p| &p.identifier == id) {
                        bad(&mut out, &format!("{path}.inputData.{id}"), format!("{id} is not a property"));
                    }
                }
            }
            let inputs: Vec<&Param> = s.input_params().collect();
            check_params(&mut out, &format!("{path}.inputData"), &inputs, !s.is_builtin());
            let outputs: Vec<&Param> = s.output_data.iter().collect();
            check_params(&mut out, &format!("{path}.outputData"), &outputs, !s.is_builtin());
        }
        out
    }

    /// `{prefix}{id}{suffix}`, or with `{module}:{id}` in a custom module.
    fn method_matches(&self, method: &str, prefix: &str, id: &str, suffix: &str) -> bool {
        let plain = format!("{prefix}{id}{suffix}");
        method == plain
            || self.function_block_id.as_deref().is_some_and(|fb| method == format!("{prefix}{fb}:{id}{suffix}"))
    }
}

impl Tsl {
    /// [`ThingModel::check`] for the default model and every module (paths prefixed with
    /// `{module}:`), plus: a module's key must be a valid identifier equal to its `functionBlockId`.
    pub fn check(&self) -> Vec<TslError> {
        let mut out = self.default.check();
        for (id, m) in &self.modules {
            if !is_valid_identifier(id) {
                bad(&mut out, &format!("{id}:"), format!("module identifier {id:?} is invalid"));
            }
            if m.function_block_id.as_deref() != Some(id.as_str()) {
                bad(&mut out, &format!("{id}:"), format!("module {id} has functionBlockId {:?}", m.function_block_id));
            }
            out.extend(m.check().into_iter().map(|mut e| {
                e.path = format!("{id}:{}", e.path);
                e
            }));
        }
        out
    }
}

//! How a simulated device answers the platform, from its thing model: property set (validated;
//! the values stick and are re-reported), property get (the current values), async and sync
//! services (outputs generated from the service's output params), classic RRPC (accepted).
//!
//! Runs inside the device's connection task ([`devclient::Handler`]), so it only locks a small
//! mutex and queues notices; the device's own task does the re-reporting.

use std::sync::{Arc, Mutex};

use devclient::{Answer, Call, CallKind, Handler};
use model::simulate;
use model::tsl::{codes, validate, AccessMode, ThingModel, Tsl};
use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

use super::trace::{Trace, TraceLineExt};
use crate::clock::SharedClock;
use model::simulate::TraceLine;

/// What the device remembers: values the console set (and rw values it started with), and
/// whether the log switch is on.
#[derive(Debug, Default)]
pub struct Memory {
    pub sticky: Map<String, Value>,
    pub log_on: bool,
}

/// What the handler tells the device's task.
#[derive(Debug)]
pub enum Notice {
    /// These properties were set: report them.
    Changed(Map<String, Value>),
}

/// The thing model, the device's seed and its memory: everything to answer a call.
pub struct Brain {
    pub model: Arc<ThingModel>,
    pub tsl: Tsl,
    pub seed: u64,
    pub clock: SharedClock,
    pub memory: Mutex<Memory>,
}

impl Brain {
    /// rw properties start at a value of their own and keep it until set; r ones move.
    pub fn new(model: Arc<ThingModel>, seed: u64, clock: SharedClock) -> Brain {
        let now = clock.now_ms();
        let sticky = model
            .properties
            .iter()
            .filter(|p| p.access_mode == AccessMode::ReadWrite)
            .map(|p| {
                (p.identifier.clone(), simulate::signal(&p.data_type, simulate::seed_of(&p.identifier) ^ seed, now))
            })
            .collect();
        Brain {
            tsl: Tsl::new((*model).clone()),
            model,
            seed,
            clock,
            memory: Mutex::new(Memory { sticky, log_on: false }),
        }
    }

    pub fn memory(&self) -> std::sync::MutexGuard<'_, Memory> {
        // Every update is one insert or flag: a poisoned lock still holds consistent values.
        self.memory.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every property's value now: generated ones overlaid with the sticky ones.
    pub fn current(&self) -> Map<String, Value> {
        let mut v = simulate::property_values(&self.model, self.seed, self.clock.now_ms());
        v.extend(self.memory().sticky.clone());
        v
    }

    /// Set values after validation (the console's set, desired properties, the shadow's
    /// desired state). Unknown, read-only or invalid values are refused with the seed's code.
    pub fn set(&self, values: &Map<String, Value>) -> Result<(), u32> {
        validate::validate_property_set(&self.tsl, values)
            .map_err(|e| e.first().map_or(codes::INPUT_NOT_CONFORMING, |e| e.code))?;
        self.memory().sticky.extend(values.clone());
        Ok(())
    }

    /// The answer to one call, from the model.
    pub fn answer(&self, call: &Call) -> (Answer, Option<Notice>) {
        let params = &call.request.params;
        match &call.kind {
            CallKind::PropertySet => {
                let Some(values) = params.as_object() else { return (Answer::err(codes::INPUT_NOT_CONFORMING), None) };
                match self.set(values) {
                    Ok(()) => (Answer::ok(json!({})), Some(Notice::Changed(values.clone()))),
                    Err(code) => (Answer::err(code), None),
                }
            }
            CallKind::PropertyGet => {
                let all = self.current();
                let ids: Vec<&str> =
                    params.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
                // "If the property value does not exist on the device simulator, no data is retrieved."
                let data: Map<String, Value> = if ids.is_empty() {
                    all
                } else {
                    ids.iter().filter_map(|id| all.get(*id).map(|v| (id.to_string(), v.clone()))).collect()
                };
                (Answer::ok(Value::Object(data)), None)
            }
            CallKind::Service { id } | CallKind::SyncService { id, .. } => {
                let Some(service) = self.model.services.iter().find(|s| &s.identifier == id) else {
                    return (Answer::err(codes::SERVICE_NOT_IN_MODEL), None);
                };
                if let Err(e) = validate::validate_service_input(&self.tsl, id, params) {
                    return (Answer::err(e.first().map_or(codes::INPUT_NOT_CONFORMING, |e| e.code)), None);
                }
                let out = simulate::outputs(&service.output_data, self.seed, self.clock.now_ms());
                (Answer::ok(Value::Object(out)), None)
            }
            CallKind::Rrpc { .. } => (Answer::ok(json!({})), None),
        }
    }
}

/// The [`devclient::Handler`] of a simulated device (and of each sub-device its gateway answers for).
pub struct Answers {
    pub brain: Arc<Brain>,
    pub notices: mpsc::UnboundedSender<Notice>,
    pub trace: Trace,
}

impl Handler for Answers {
    fn call(&self, call: &Call) -> Answer {
        let (answer, notice) = self.brain.answer(call);
        if let Some(n) = notice {
            let _ = self.notices.send(n);
        }
        let reply = match &answer {
            Answer::Reply { code, data } => json!({"code": code, "data": data}),
            Answer::Silence => Value::Null,
        };
        self.trace.send(|| TraceLine::down(self.brain.clock.now_ms(), &call.topic, &call.request.to_json(), reply));
        answer
    }
}

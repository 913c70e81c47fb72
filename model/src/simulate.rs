//! Device simulation, the pure parts: push policies (the seed's limits: interval ≥ 1 s, period
//! ≤ 3 h, only the last policy counts), telemetry a simulated device reports (daily cycle, noise,
//! drift, always inside the thing model's ranges), service outputs generated from a model's
//! output params, and the shape of the demo fleet.
//!
//! Pure and deterministic (a seed and a time in, a value out), so the same device reports the
//! same curve in a test on the injected clock and the server needs no random generator here.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::tsl::{DataType, Param, ThingModel};

/// The shortest interval between consecutive pushes (seed: 1 second).
pub const MIN_INTERVAL_S: u32 = 1;
/// The longest period of consecutive pushes (seed: 3 hours).
pub const MAX_PERIOD_MS: i64 = 3 * 3600 * 1000;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// When the simulator pushes a prepared message (property or event submission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PushPolicy {
    /// Once, at `at_ms` (Unix ms).
    Once { at_ms: i64 },
    /// Every `interval_s` seconds from `start_ms` until `end_ms` (both inclusive).
    Interval { interval_s: u32, start_ms: i64, end_ms: i64 },
}

/// Why a push policy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the push interval must be at least {MIN_INTERVAL_S} second")]
    IntervalTooShort,
    #[error("consecutive pushes may last at most 3 hours")]
    PeriodTooLong,
    #[error("the period ends before it starts")]
    EndBeforeStart,
    #[error("the push time has already passed")]
    InThePast,
}

impl PushPolicy {
    /// The seed's limits, checked against `now_ms`.
    pub fn check(&self, now_ms: i64) -> Result<(), PolicyError> {
        match *self {
            PushPolicy::Once { at_ms } if at_ms < now_ms => Err(PolicyError::InThePast),
            PushPolicy::Once { .. } => Ok(()),
            PushPolicy::Interval { interval_s, start_ms, end_ms } => {
                if interval_s < MIN_INTERVAL_S {
                    Err(PolicyError::IntervalTooShort)
                } else if end_ms < start_ms {
                    Err(PolicyError::EndBeforeStart)
                } else if end_ms - start_ms > MAX_PERIOD_MS {
                    Err(PolicyError::PeriodTooLong)
                } else if end_ms < now_ms {
                    Err(PolicyError::InThePast)
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The first push at or after `from_ms`, if any is left.
    pub fn next_at(&self, from_ms: i64) -> Option<i64> {
        match *self {
            PushPolicy::Once { at_ms } => (at_ms >= from_ms).then_some(at_ms),
            PushPolicy::Interval { interval_s, start_ms, end_ms } => {
                let step = i64::from(interval_s.max(MIN_INTERVAL_S)) * 1000;
                let at = if from_ms <= start_ms {
                    start_ms
                } else {
                    start_ms + (from_ms - start_ms + step - 1) / step * step
                };
                (at <= end_ms).then_some(at)
            }
        }
    }

    /// How many pushes the whole policy makes.
    pub fn total(&self) -> u64 {
        match *self {
            PushPolicy::Once { .. } => 1,
            PushPolicy::Interval { interval_s, start_ms, end_ms } if end_ms >= start_ms => {
                let step = i64::from(interval_s.max(MIN_INTERVAL_S)) * 1000;
                ((end_ms - start_ms) / step + 1) as u64
            }
            PushPolicy::Interval { .. } => 0,
        }
    }
}

/// A uniform number in [-1, 1] from a seed and a counter (splitmix64): noise without a
/// random generator, the same for the same inputs.
pub fn noise(seed: u64, n: u64) -> f64 {
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

/// A stable seed for a name (FNV-1a), so a device keeps its own curve across restarts.
pub fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Daylight in [-1, 1] at `t_ms`: +1 at local noon, -1 at midnight (UTC shifted by the seed's
/// hour, so a fleet is spread over a few time zones).
pub fn daylight(seed: u64, t_ms: i64) -> f64 {
    let shift = (seed % 5) as i64 * 3600 * 1000;
    let phase = ((t_ms + shift).rem_euclid(DAY_MS)) as f64 / DAY_MS as f64;
    -(phase * std::f64::consts::TAU).cos()
}

/// Whether it is night where the device is (lamps switch on).
pub fn is_night(seed: u64, t_ms: i64) -> bool {
    daylight(seed, t_ms) < -0.2
}

/// A value of `dt` as a real device would report it at `t_ms`: numbers follow a daily cycle
/// around the middle of their range with noise and a slow drift, clamped to the range; bools
/// follow night and day; enums stay on their first value mostly; dates are now. Always valid
/// against `dt` (when `dt` itself is valid).
pub fn signal(dt: &DataType, seed: u64, t_ms: i64) -> Value {
    match dt {
        DataType::Int(s) | DataType::Float(s) | DataType::Double(s) => {
            let (lo, hi) = match (s.min_f64(), s.max_f64()) {
                (Some(a), Some(b)) if b >= a => (a, b),
                (Some(a), _) => (a, a + 100.0),
                (None, Some(b)) => (b - 100.0, b),
                (None, None) => (0.0, 100.0),
            };
            let (mid, span) = ((lo + hi) / 2.0, (hi - lo) / 2.0);
            let cycle = 0.5 * daylight(seed, t_ms);
            let drift = 0.15
                * ((t_ms as f64 / (7.0 * DAY_MS as f64) + (seed % 100) as f64 / 100.0) * std::f64::consts::TAU).sin();
            let jitter = 0.08 * noise(seed, (t_ms / 1000) as u64);
            let v = (mid + span * (cycle + drift + jitter)).clamp(lo, hi);
            match dt {
                DataType::Int(_) => {
                    let (a, b) = (lo.ceil() as i64, hi.floor() as i64);
                    json!(if a <= b { (v.round() as i64).clamp(a, b) } else { v.round() as i64 })
                }
                _ => {
                    let default = if matches!(dt, DataType::Float(_)) { 2 } else { 3 };
                    let r = round_decimals(v, decimals(s.step.as_deref()).unwrap_or(default)).clamp(lo, hi);
                    serde_json::Number::from_f64(r).map(Value::Number).unwrap_or_else(|| dt.example_value())
                }
            }
        }
        DataType::Bool(_) => json!(u8::from(is_night(seed, t_ms))),
        DataType::Enum(labels) => {
            let keys: Vec<i64> = labels.0.iter().filter_map(|(k, _)| k.parse().ok()).collect();
            // One report in twenty leaves the usual value.
            let n = noise(seed, (t_ms / 60_000) as u64);
            let i = if n > 0.9 && keys.len() > 1 { 1 + (seed as usize % (keys.len() - 1)) } else { 0 };
            keys.get(i).map(|k| json!(k)).unwrap_or_else(|| dt.example_value())
        }
        DataType::Date(_) => json!(t_ms.to_string()),
        DataType::Struct(fields) => Value::Object(
            fields
                .iter()
                .enumerate()
                .map(|(i, f)| (f.identifier.clone(), signal(&f.data_type, seed.wrapping_add(i as u64 + 1), t_ms)))
                .collect(),
        ),
        DataType::Array(a) if a.item.is_array_item_type() && a.max_len().unwrap_or(1) >= 1 => {
            let n = a.max_len().unwrap_or(3).min(3);
            Value::Array((0..n as u64).map(|i| signal(&a.item, seed.wrapping_add(i * 7919), t_ms)).collect())
        }
        _ => dt.example_value(),
    }
}

/// Decimals a step such as `"0.01"` asks for (a device reports no finer than its step; `"1"`
/// gives 0); `None` without a usable step.
fn decimals(step: Option<&str>) -> Option<u32> {
    let step = step?.trim();
    step.parse::<f64>().ok().filter(|f| f.is_finite() && *f > 0.0)?;
    Some(step.split_once('.').map_or(0, |(_, frac)| frac.trim_end_matches('0').len() as u32).min(6))
}

/// `v` rounded to `d` decimals in decimal terms, so it prints as a person would write it
/// (35.29, never 35.290000915527344: values are never passed through `f32`).
fn round_decimals(v: f64, d: u32) -> f64 {
    let text = format!("{v:.*}", d as usize);
    text.parse().unwrap_or(v)
}

/// Values for `params` (a service's output, an event's output) at `t_ms`.
pub fn outputs(params: &[Param], seed: u64, t_ms: i64) -> Map<String, Value> {
    params.iter().map(|p| (p.identifier.clone(), signal(&p.data_type, seed_of(&p.identifier) ^ seed, t_ms))).collect()
}

/// Every property a device reports in one post, at `t_ms`.
pub fn property_values(model: &ThingModel, seed: u64, t_ms: i64) -> Map<String, Value> {
    model
        .properties
        .iter()
        .map(|p| (p.identifier.clone(), signal(&p.data_type, seed_of(&p.identifier) ^ seed, t_ms)))
        .collect()
}

/// Wi-Fi diagnostics (`_thing/diag/post` params): RSSI and SNR around the device's own level;
/// one post in `1/error_every` carries an error statistic in the seed's `type,code,count`
/// records (`10,02,01;10,05,01`, [`crate::network`]), so the console's "View details" lists them
/// instead of calling the demo's own diagnosis unreadable.
pub fn wifi_diag(seed: u64, t_ms: i64, error_every: u64) -> Value {
    let n = (t_ms / 1000) as u64;
    let base = -45.0 - (seed % 40) as f64;
    let rssi = (base + 6.0 * noise(seed, n)).round() as i64;
    let snr = (25.0 + 5.0 * noise(seed ^ 1, n)).round() as i64;
    let err = error_every > 0 && (seed ^ n).is_multiple_of(error_every);
    let per = if err { 12 } else { 0 };
    let mut wifi = json!({"rssi": rssi, "snr": snr, "per": per});
    if err {
        // One or two records of type 10 (Wi-Fi), each counted 1-3 times.
        let k = (seed ^ n) / error_every;
        let count = 1 + k % 3;
        let mut stats = format!("10,02,{count:02}");
        if k.is_multiple_of(2) {
            stats.push_str(";10,05,01");
        }
        wifi["err_stats"] = json!(stats);
    }
    json!({"p": {"wifi": wifi, "_time": t_ms}, "model": "format=simple|quantity=single|time=now"})
}

/// Products of the demo fleet: which kind of device a product simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemoKind {
    StreetLamp,
    EnvSensor,
    Gateway,
    SubDevice,
}

/// How many devices of each kind a demo fleet of `n` has: a gateway with
/// [`SUBS_PER_GATEWAY`] sub-devices per 50 devices, the rest split 55/45 between street lamps
/// and environment sensors. Sums to `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoPlan {
    pub lamps: usize,
    pub sensors: usize,
    pub gateways: usize,
    pub subs: usize,
}

/// Sub-devices each demo gateway logs in.
pub const SUBS_PER_GATEWAY: usize = 4;

pub fn demo_plan(n: usize) -> DemoPlan {
    let gateways = if n >= 10 { (n / 50).max(1) } else { 0 };
    let subs = gateways * SUBS_PER_GATEWAY;
    let rest = n - gateways - subs;
    let lamps = rest * 55 / 100;
    DemoPlan { lamps, sensors: rest - lamps, gateways, subs }
}

/// Every this many demo devices, one flaps (drops off and comes back).
pub const FLAP_EVERY: usize = 40;

/// One line of a simulator's message pane: what it sent, what it received and how it answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceLine {
    pub at_ms: i64,
    /// `up` (the simulator sent it), `down` (it arrived), `info` (connected, log switch…).
    pub dir: String,
    pub topic: String,
    pub payload: String,
    /// The simulator's answer to a downstream call (`{"code","data"}`), else null.
    #[serde(default)]
    pub reply: Value,
}

/// Start a simulator (`POST /api/v1/simulate/{pk}/{dn}/start`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartSimulation {
    /// Keep running after the page is left (beyond the seed, which stops it).
    #[serde(default)]
    pub pinned: bool,
}

/// A simulator as the page sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimulationStatus {
    pub running: bool,
    pub pinned: bool,
    /// The push policy in effect, if any (only the last one set).
    pub policy: Option<PushPolicy>,
    /// Pushes the current policy has made.
    pub pushes: u64,
    /// Pushes the current policy has still to make.
    pub pushes_left: u64,
    /// The message pane, oldest first: at most the last [`TRACE_LINES`].
    pub lines: Vec<TraceLine>,
}

/// Lines a simulator's message pane keeps.
pub const TRACE_LINES: usize = 200;

/// Upstream: publish on a custom topic (`/{pk}/{dn}/user/…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomPublish {
    pub topic: String,
    pub payload: String,
    /// 0 or 1.
    #[serde(default)]
    pub qos: u8,
}

/// Upstream: property submission, now or by a push policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropertySubmission {
    pub values: Map<String, Value>,
    #[serde(default)]
    pub policy: Option<PushPolicy>,
}

/// Upstream: event submission, now or by a push policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventSubmission {
    pub event: String,
    #[serde(default)]
    pub params: Map<String, Value>,
    #[serde(default)]
    pub policy: Option<PushPolicy>,
}

/// Downstream: subscribe the simulator to a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subscription {
    pub topic: String,
}

/// Why a custom topic is not one the simulator may publish on: it must be under
/// `/{pk}/{dn}/user/` and name something there, without wildcards.
pub fn check_custom_topic(pk: &str, dn: &str, topic: &str) -> Result<(), String> {
    let prefix = format!("/{pk}/{dn}/user/");
    match topic.strip_prefix(&prefix) {
        None => Err(format!("a custom topic starts with {prefix}")),
        Some("") => Err("the topic needs a name after /user/".into()),
        Some(rest) if rest.contains(['+', '#']) => Err("a topic to publish on has no wildcards".into()),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests;

//! Real-time monitoring (issue 14): the seed's metric codes, the series the Monitoring page
//! draws, the home page's stats in one answer, and the minute pushed live over the WebSocket.
//!
//! The REST routes that carry these types:
//! - `GET /api/v1/monitoring/series?metrics=A,B&protocol=MQTT&product=PK&from=MS&to=MS` →
//!   [`SeriesResponse`] (`from`/`to` in epoch ms, range ≤ [`MAX_RANGE_MS`]);
//! - `GET /api/v1/monitoring/stats?product=PK` → [`Stats`];
//! - live: `Stream::Metrics { product_key }` → `LiveEvent::Metrics { sample }` ([`MinuteSample`]).

use serde::{Deserialize, Serialize};

/// One minute in ms: metric buckets align to the wall clock's minutes.
pub const MINUTE_MS: i64 = 60_000;
/// One hour in ms: the rollup bucket kept for a year.
pub const HOUR_MS: i64 = 3_600_000;
/// The longest range one query may ask for (the seed's custom range: 7 days).
pub const MAX_RANGE_MS: i64 = 7 * 24 * HOUR_MS;
/// The most points the server returns per series; longer ranges are downsampled into buckets
/// of whole minutes carrying min and max, so a spike never disappears from a week's chart.
pub const MAX_POINTS: i64 = 2_000;

/// A metric, serialized as the seed's code without its protocol suffix (see [`Metric::code`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Metric {
    /// Devices online (per protocol), the last value of the minute.
    OnlineDevicesCount,
    /// Devices registered in the product (or instance), the last value of the minute.
    #[serde(rename = "DeviceCount_Product")]
    DeviceCountProduct,
    /// Every PUBLISH the ACL accepted from devices, replies included (per protocol).
    MessageCountSentToIoT,
    /// Every PUBLISH fleetdeck delivered to devices (per protocol).
    MessageCountSentFromIoT,
    /// Both directions.
    MessageCountPerMinute,
    /// A property post answered with a code other than 200.
    DevicePropertyReportError,
    /// An event post answered with a code other than 200.
    DeviceEventReportError,
    /// A property set answered with a code other than 200, or timed out (1905).
    DevicePropertySettingError,
    /// A service call answered with a code other than 200, or timed out (1905).
    DeviceServiceCallError,
    /// Online devices as a percentage of the configured capacity (instance only).
    #[serde(rename = "DeviceNum_instance")]
    DeviceNumInstance,
    /// The minute's peak messages per second (both directions) as a percentage of the
    /// configured capacity (instance only).
    #[serde(rename = "MessageWatermarkTps_instance")]
    MessageWatermarkTpsInstance,
    /// Not a seed code: the minute's average uplink messages per second.
    #[serde(rename = "UpstreamQPS")]
    UpstreamQps,
    /// Not a seed code: the minute's average downlink messages per second.
    #[serde(rename = "DownstreamQPS")]
    DownstreamQps,
    /// Not a seed code: accepted MQTT CONNECTs of devices in the minute.
    #[serde(rename = "ConnectCountPerMinute")]
    ConnectCountPerMinute,
}

impl Metric {
    /// Every metric, in the order the Monitoring page shows them.
    pub const ALL: [Metric; 14] = [
        Metric::OnlineDevicesCount,
        Metric::DeviceCountProduct,
        Metric::MessageCountSentToIoT,
        Metric::MessageCountSentFromIoT,
        Metric::MessageCountPerMinute,
        Metric::DevicePropertyReportError,
        Metric::DeviceEventReportError,
        Metric::DevicePropertySettingError,
        Metric::DeviceServiceCallError,
        Metric::DeviceNumInstance,
        Metric::MessageWatermarkTpsInstance,
        Metric::UpstreamQps,
        Metric::DownstreamQps,
        Metric::ConnectCountPerMinute,
    ];

    /// The code without a protocol suffix, exactly as serialized.
    pub fn base_code(self) -> &'static str {
        match self {
            Metric::OnlineDevicesCount => "OnlineDevicesCount",
            Metric::DeviceCountProduct => "DeviceCount_Product",
            Metric::MessageCountSentToIoT => "MessageCountSentToIoT",
            Metric::MessageCountSentFromIoT => "MessageCountSentFromIoT",
            Metric::MessageCountPerMinute => "MessageCountPerMinute",
            Metric::DevicePropertyReportError => "DevicePropertyReportError",
            Metric::DeviceEventReportError => "DeviceEventReportError",
            Metric::DevicePropertySettingError => "DevicePropertySettingError",
            Metric::DeviceServiceCallError => "DeviceServiceCallError",
            Metric::DeviceNumInstance => "DeviceNum_instance",
            Metric::MessageWatermarkTpsInstance => "MessageWatermarkTps_instance",
            Metric::UpstreamQps => "UpstreamQPS",
            Metric::DownstreamQps => "DownstreamQPS",
            Metric::ConnectCountPerMinute => "ConnectCountPerMinute",
        }
    }

    /// Parses a code as [`Metric::code`] or [`Metric::base_code`] writes it; the protocol
    /// suffix, if any, is returned too.
    pub fn parse(code: &str) -> Option<(Metric, Option<Protocol>)> {
        if let Some(m) = Metric::ALL.into_iter().find(|m| m.base_code() == code) {
            return Some((m, None));
        }
        let (base, suffix) = code.rsplit_once('_')?;
        let (base, suffix) = match base.strip_suffix("_HTTP") {
            // "…_HTTP_2": the suffix itself holds an underscore.
            Some(b) if suffix == "2" => (b, "HTTP_2"),
            _ => (base, suffix),
        };
        let metric = Metric::ALL.into_iter().find(|m| m.base_code() == base && m.per_protocol())?;
        Some((metric, Some(Protocol::parse(suffix)?)))
    }

    /// The seed's full code: per-protocol metrics carry the protocol (`OnlineDevicesCount_MQTT`).
    pub fn code(self, protocol: Protocol) -> String {
        if self.per_protocol() {
            format!("{}_{}", self.base_code(), protocol.code())
        } else {
            self.base_code().to_owned()
        }
    }

    /// Split by protocol (the others are one series).
    pub fn per_protocol(self) -> bool {
        matches!(self, Metric::OnlineDevicesCount | Metric::MessageCountSentToIoT | Metric::MessageCountSentFromIoT)
    }

    /// A level read at the minute's end (downsampled by its last value), not a count summed
    /// over the minute.
    pub fn is_gauge(self) -> bool {
        matches!(
            self,
            Metric::OnlineDevicesCount
                | Metric::DeviceCountProduct
                | Metric::DeviceNumInstance
                | Metric::MessageWatermarkTpsInstance
        )
    }

    /// Only for the whole instance, never per product.
    pub fn instance_only(self) -> bool {
        matches!(self, Metric::DeviceNumInstance | Metric::MessageWatermarkTpsInstance)
    }

    /// Shown as a percentage.
    pub fn is_percent(self) -> bool {
        self.instance_only()
    }
}

/// How a device talks to the platform. fleetdeck speaks MQTT today; the others exist so the
/// metric codes and the UI keep room for them (shown as zero series only when asked).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub enum Protocol {
    #[default]
    #[serde(rename = "MQTT")]
    Mqtt,
    #[serde(rename = "CoAP")]
    Coap,
    #[serde(rename = "HTTP")]
    Http,
    #[serde(rename = "HTTP_2")]
    Http2,
    #[serde(rename = "LoRa")]
    Lora,
}

impl Protocol {
    pub const ALL: [Protocol; 5] = [Protocol::Mqtt, Protocol::Coap, Protocol::Http, Protocol::Http2, Protocol::Lora];

    pub fn code(self) -> &'static str {
        match self {
            Protocol::Mqtt => "MQTT",
            Protocol::Coap => "CoAP",
            Protocol::Http => "HTTP",
            Protocol::Http2 => "HTTP_2",
            Protocol::Lora => "LoRa",
        }
    }

    pub fn parse(code: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// One point of a series: the bucket's start (epoch ms, aligned to the minute) and its value.
/// A downsampled bucket also carries the minimum and maximum of the minutes inside it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub t: i64,
    pub v: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// The current minute, still counting: drawn dashed, never read as a drop.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

/// One metric's points over the asked range (one series per protocol when split).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub metric: Metric,
    /// Set for per-protocol metrics.
    pub protocol: Option<Protocol>,
    pub points: Vec<Point>,
}

/// Answer of `GET /api/v1/monitoring/series`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesResponse {
    pub from: i64,
    pub to: i64,
    /// Bucket width of the points (a whole number of minutes, see [`bucket_ms`]).
    pub step_ms: i64,
    pub product_key: Option<String>,
    pub series: Vec<Series>,
}

/// The figures of one minute (the last complete one in [`Stats`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MinuteFigures {
    pub up: u64,
    pub down: u64,
    pub tsl_errors: u64,
    pub connects: u64,
}

/// Devices of one product, for the home page.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCount {
    pub product_key: String,
    pub name: String,
    pub devices: u64,
    pub online: u64,
}

/// Answer of `GET /api/v1/monitoring/stats`: the home page's KPIs in one query.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// When the figures were read (epoch ms).
    pub at: i64,
    pub product_key: Option<String>,
    pub devices: u64,
    pub online: u64,
    pub offline: u64,
    pub inactive: u64,
    pub disabled: u64,
    pub products: u64,
    pub per_product: Vec<ProductCount>,
    /// The last complete minute; `None` until one has been counted.
    pub last_minute: Option<MinuteFigures>,
}

/// One metric's value in a [`MinuteSample`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    pub metric: Metric,
    pub protocol: Option<Protocol>,
    pub value: f64,
}

/// A minute pushed live: the current minute so far (`partial`) every few seconds, then the
/// final figures when it closes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinuteSample {
    pub product_key: Option<String>,
    /// The minute's start (epoch ms).
    pub t: i64,
    pub partial: bool,
    pub values: Vec<MetricValue>,
}

/// The start of the wall-clock minute holding `t_ms`.
pub fn minute_floor(t_ms: i64) -> i64 {
    t_ms.div_euclid(MINUTE_MS) * MINUTE_MS
}

/// The start of the wall-clock hour holding `t_ms` (the rollup's bucket).
pub fn hour_floor(t_ms: i64) -> i64 {
    t_ms.div_euclid(HOUR_MS) * HOUR_MS
}

/// Bucket width for a range: whole minutes, as few as keep the answer ≤ [`MAX_POINTS`] points.
pub fn bucket_ms(from: i64, to: i64) -> i64 {
    let minutes = ((to - from).max(0) + MINUTE_MS - 1) / MINUTE_MS;
    let per_bucket = ((minutes + MAX_POINTS - 1) / MAX_POINTS).max(1);
    per_bucket * MINUTE_MS
}

/// Why a series query is refused (the handler answers 400 with this text).
pub fn check_range(from: i64, to: i64) -> Result<(), String> {
    if to <= from {
        return Err(format!("`to` ({to}) must be after `from` ({from})"));
    }
    if to - from > MAX_RANGE_MS {
        return Err("the range may be at most 7 days".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_parse_and_serde() {
        for m in Metric::ALL {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.base_code()));
            assert_eq!(Metric::parse(m.base_code()), Some((m, None)));
            for p in Protocol::ALL {
                let code = m.code(p);
                let expect = if m.per_protocol() { Some(p) } else { None };
                assert_eq!(Metric::parse(&code), Some((m, expect)), "{code}");
            }
        }
        assert_eq!(Metric::MessageCountSentToIoT.code(Protocol::Mqtt), "MessageCountSentToIoT_MQTT");
        assert_eq!(
            Metric::parse("OnlineDevicesCount_HTTP_2"),
            Some((Metric::OnlineDevicesCount, Some(Protocol::Http2)))
        );
        assert_eq!(Metric::parse("DeviceCount_Product_MQTT"), None);
        assert_eq!(Metric::parse("Nope"), None);
    }

    #[test]
    fn buckets_keep_a_week_under_the_point_limit() {
        assert_eq!(minute_floor(125_000), 120_000);
        assert_eq!(minute_floor(-1), -60_000);
        assert_eq!(bucket_ms(0, HOUR_MS), MINUTE_MS);
        assert_eq!(bucket_ms(0, 2_000 * MINUTE_MS), MINUTE_MS);
        assert_eq!(bucket_ms(0, 2_001 * MINUTE_MS), 2 * MINUTE_MS);
        let week = bucket_ms(0, MAX_RANGE_MS);
        assert!(MAX_RANGE_MS / week <= MAX_POINTS, "{week}");
        assert_eq!(week % MINUTE_MS, 0);
    }

    #[test]
    fn ranges_are_checked() {
        assert!(check_range(0, MAX_RANGE_MS).is_ok());
        assert!(check_range(0, MAX_RANGE_MS + 1).is_err());
        assert!(check_range(5, 5).is_err());
    }
}

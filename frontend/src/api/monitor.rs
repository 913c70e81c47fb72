//! Real-time monitoring (issue 14): the metric series of the Monitoring page and the one stats
//! answer behind the home page's tiles. Both are read by viewers too.

use model::monitor::{Metric, Protocol, SeriesResponse, Stats};

use super::client::{self, query, ApiResult};

/// Which protocols a series query covers: MQTT only (the default view), or every protocol the
/// model knows (CoAP, HTTP, HTTP/2 and LoRa come back as zero series today).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocols {
    Mqtt,
    All,
}

impl Protocols {
    /// The `protocol=` value: one code, or all of them comma-separated.
    pub fn param(self) -> String {
        match self {
            Protocols::Mqtt => Protocol::Mqtt.code().to_string(),
            Protocols::All => Protocol::ALL.iter().map(|p| p.code()).collect::<Vec<_>>().join(","),
        }
    }
}

/// `GET /monitoring/series`: `metrics` over `[from, to)` (epoch ms), for one product or the
/// whole instance.
pub async fn series(
    metrics: &[Metric],
    protocols: Protocols,
    product: Option<String>,
    from: i64,
    to: i64,
) -> ApiResult<SeriesResponse> {
    let codes = metrics.iter().map(|m| m.base_code()).collect::<Vec<_>>().join(",");
    let qs = query(&[
        ("metrics", Some(codes)),
        ("protocol", Some(protocols.param())),
        ("product", product),
        ("from", Some(from.to_string())),
        ("to", Some(to.to_string())),
    ]);
    client::get(&format!("/monitoring/series{qs}")).await
}

/// `GET /monitoring/stats`: device counts by status, products, and the last complete minute.
pub async fn stats(product: Option<String>) -> ApiResult<Stats> {
    client::get(&format!("/monitoring/stats{}", query(&[("product", product)]))).await
}

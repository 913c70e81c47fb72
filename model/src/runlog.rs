//! The cloud run log: one entry per uplink, downlink, reply, connect, disconnect, auth failure
//! and ACL refusal (the seed's "Cloud run logs"), searchable by device, trace id and type.

use serde::{Deserialize, Serialize};

/// The seed's business types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BizType {
    /// Device connects and disconnects.
    #[serde(rename = "device")]
    Device,
    /// Device → platform messages.
    #[serde(rename = "uplink")]
    Uplink,
    /// Platform → device messages.
    #[serde(rename = "downlink")]
    Downlink,
    /// TSL checks of posted data and service calls.
    ThingModel,
    /// OTA messages.
    #[serde(rename = "OTA")]
    Ota,
    /// Sub-device management through a gateway.
    SubDevice,
    /// A call through the REST API (online debugging: set/get, services, desired, publish, log
    /// switch), in the same trace as the device traffic it caused.
    ApiService,
}

impl BizType {
    pub const ALL: [BizType; 7] =
        [Self::Device, Self::Uplink, Self::Downlink, Self::ThingModel, Self::Ota, Self::SubDevice, Self::ApiService];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Device => "device",
            Self::Uplink => "uplink",
            Self::Downlink => "downlink",
            Self::ThingModel => "ThingModel",
            Self::Ota => "OTA",
            Self::SubDevice => "SubDevice",
            Self::ApiService => "ApiService",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "device" => Self::Device,
            "uplink" => Self::Uplink,
            "downlink" => Self::Downlink,
            "ThingModel" => Self::ThingModel,
            "OTA" => Self::Ota,
            "SubDevice" => Self::SubDevice,
            "ApiService" => Self::ApiService,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogEntry {
    pub id: i64,
    /// Milliseconds since the epoch.
    pub at: i64,
    /// One per flow: a request and its reply share it.
    pub trace_id: String,
    /// The Alink message id, where there is one.
    pub message_id: Option<String>,
    pub product_key: String,
    pub device_name: String,
    pub biz_type: BizType,
    /// e.g. the topic for up/downlinks, `online`/`offline` for device, `check` for ThingModel.
    pub operation: String,
    pub content: String,
    /// 200 or the seed's code.
    pub status: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct LogQuery {
    pub product_key: Option<String>,
    pub device_name: Option<String>,
    pub trace_id: Option<String>,
    pub biz_type: Option<BizType>,
    pub status: Option<u32>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub limit: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::BizType;

    /// The stored column (`as_str`), the query parameter (`parse`) and the JSON name are one
    /// spelling: a type that read back differently from how it was written would vanish from
    /// filtered searches.
    #[test]
    fn every_biz_type_has_one_spelling() {
        for b in BizType::ALL {
            let json = serde_json::to_value(b).unwrap();
            assert_eq!(json, serde_json::json!(b.as_str()), "{b:?}");
            assert_eq!(BizType::parse(b.as_str()), Some(b));
            assert_eq!(serde_json::from_value::<BizType>(json).unwrap(), b);
        }
    }
}

//! The device registry: products, devices, their states, and the rules for their names.

use serde::{Deserialize, Serialize};

use crate::csv_lines::{csv_lines, CsvLine};

/// How a product's devices reach the platform (Alibaba's "node type").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NodeType {
    /// Connects itself over MQTT.
    Direct,
    /// Connects itself and acts for attached sub-devices.
    Gateway,
    /// Reaches the platform only through a gateway.
    SubDevice,
}

impl NodeType {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeType::Direct => "direct",
            NodeType::Gateway => "gateway",
            NodeType::SubDevice => "sub_device",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "direct" => Some(Self::Direct),
            "gateway" => Some(Self::Gateway),
            "sub_device" => Some(Self::SubDevice),
            _ => None,
        }
    }
}

/// What devices send: Alink JSON, or custom bytes that a parsing script turns into Alink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DataFormat {
    AlinkJson,
    Custom,
}

impl DataFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            DataFormat::AlinkJson => "alink_json",
            DataFormat::Custom => "custom",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "alink_json" => Some(Self::AlinkJson),
            "custom" => Some(Self::Custom),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    pub product_key: String,
    pub name: String,
    pub node_type: NodeType,
    pub data_format: DataFormat,
    /// Whether devices may register themselves with the ProductSecret (ALINK.md 1.4).
    pub dynamic_registration: bool,
    pub description: String,
    pub created_at: i64,
    /// Number of devices of this product.
    pub device_count: u64,
}

/// Create a product. `product_key`/`product_secret` are generated unless given, so a fleet
/// already flashed with Alibaba credentials moves over without reflashing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewProduct {
    pub name: String,
    #[serde(default)]
    pub product_key: Option<String>,
    #[serde(default)]
    pub product_secret: Option<String>,
    pub node_type: NodeType,
    #[serde(default = "default_format")]
    pub data_format: DataFormat,
    #[serde(default)]
    pub dynamic_registration: bool,
    #[serde(default)]
    pub description: String,
}

fn default_format() -> DataFormat {
    DataFormat::AlinkJson
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateProduct {
    pub name: Option<String>,
    pub dynamic_registration: Option<bool>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DeviceStatus {
    /// Created, never connected.
    Inactive,
    Online,
    Offline,
    /// Refused at connect; operations on it return 6208.
    Disabled,
}

impl DeviceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inactive => "inactive",
            Self::Online => "online",
            Self::Offline => "offline",
            Self::Disabled => "disabled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "inactive" => Some(Self::Inactive),
            "online" => Some(Self::Online),
            "offline" => Some(Self::Offline),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    pub product_key: String,
    pub device_name: String,
    pub nickname: String,
    pub status: DeviceStatus,
    pub created_at: i64,
    pub activated_at: Option<i64>,
    pub last_online_at: Option<i64>,
    pub last_offline_at: Option<i64>,
    /// Seed code of the last disconnect: 200 normal, 427 kicked, 1910 keepalive, 1911 TCP closed.
    pub last_disconnect_code: Option<u32>,
    pub ip: Option<String>,
    /// e.g. "Python 1.2.13", from the MQTT clientId.
    pub sdk: Option<String>,
    pub tags: Vec<Tag>,
    pub groups: Vec<String>,
    /// For a sub-device: the gateway it is attached to.
    pub gateway: Option<crate::alink::DeviceRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDevice {
    pub device_name: String,
    #[serde(default)]
    pub nickname: String,
    /// Given when moving a flashed device over; generated otherwise.
    #[serde(default)]
    pub device_secret: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateDevice {
    pub nickname: Option<String>,
    pub enabled: Option<bool>,
    pub tags: Option<Vec<Tag>>,
    pub groups: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSecret {
    pub product_key: String,
    pub device_name: String,
    pub device_secret: String,
}

/// Filters for `GET /api/v1/devices`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct DeviceQuery {
    pub product_key: Option<String>,
    /// Prefix of the DeviceName (prefix search stays index-backed at 100,000 devices).
    pub q: Option<String>,
    pub status: Option<DeviceStatus>,
    pub group: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

/// How a CSV import treats a file with bad rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Create nothing if any row is invalid (the default: nothing half-done).
    #[default]
    AllOrNothing,
    /// Create every valid row and report the rest.
    ValidRows,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsvRowError {
    /// 1-based line number in the file (the header is line 1).
    pub line: u32,
    pub device_name: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub mode: ImportMode,
    pub created: u32,
    pub errors: Vec<CsvRowError>,
}

/// One parsed row of a device CSV: `DeviceName[,DeviceSecret[,Nickname]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvDevice {
    pub line: u32,
    pub device: NewDevice,
}

/// Largest CSV import, in rows: big enough for a production batch, small enough for one request.
pub const MAX_CSV_ROWS: usize = 10_000;

/// Parse a device CSV. A header line (`DeviceName,...`) is optional. Row errors are collected,
/// never panicked on; duplicates inside the file are errors too.
pub fn parse_device_csv(text: &str) -> (Vec<CsvDevice>, Vec<CsvRowError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for CsvLine { line, cols, .. } in csv_lines(text, "devicename") {
        if rows.len() + errors.len() >= MAX_CSV_ROWS {
            errors.push(CsvRowError {
                line,
                device_name: cols[0].to_string(),
                message: format!("more than {MAX_CSV_ROWS} rows"),
            });
            break;
        }
        let err = |message: String| CsvRowError { line, device_name: cols[0].to_string(), message };
        if cols.len() > 3 {
            errors.push(err("expected DeviceName[,DeviceSecret[,Nickname]]".into()));
            continue;
        }
        if let Err(e) = validate_device_name(cols[0]) {
            errors.push(err(e.to_string()));
            continue;
        }
        let secret = cols.get(1).filter(|s| !s.is_empty()).map(|s| s.to_string());
        if let Some(s) = &secret {
            if let Err(e) = validate_secret(s) {
                errors.push(err(e.to_string()));
                continue;
            }
        }
        if !seen.insert(cols[0].to_string()) {
            errors.push(err("duplicate DeviceName in file".into()));
            continue;
        }
        rows.push(CsvDevice {
            line,
            device: NewDevice {
                device_name: cols[0].to_string(),
                nickname: cols.get(2).unwrap_or(&"").to_string(),
                device_secret: secret,
            },
        });
    }
    (rows, errors)
}

/// Why a name or key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("DeviceName must be 4–32 characters of letters, digits and -_@.:")]
    DeviceName,
    #[error("ProductKey must be 6–32 letters or digits")]
    ProductKey,
    #[error("a secret must be 16–64 letters or digits")]
    Secret,
    #[error("a name must be 1–64 characters")]
    ProductName,
}

/// Alibaba's DeviceName rule: 4–32 characters of letters, digits and `-_@.:`.
pub fn validate_device_name(name: &str) -> Result<(), NameError> {
    let ok = (4..=32).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_@.:".contains(c));
    if ok {
        Ok(())
    } else {
        Err(NameError::DeviceName)
    }
}

/// ProductKeys are alphanumeric (Alibaba's are 11 chars; imported fleets keep theirs).
pub fn validate_product_key(pk: &str) -> Result<(), NameError> {
    // Topic first levels (`/sys/…`, `/ext/…`, `/ota/…`, `/shadow/…`) can never be a ProductKey:
    // custom topics `/{pk}/{dn}/user/…` would become ambiguous with system topics.
    let reserved = crate::alink::topic::RESERVED_FIRST_LEVELS.contains(&pk);
    if !reserved && (6..=32).contains(&pk.len()) && pk.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(NameError::ProductKey)
    }
}

pub fn validate_secret(s: &str) -> Result<(), NameError> {
    if (16..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(NameError::Secret)
    }
}

pub fn validate_product_name(s: &str) -> Result<(), NameError> {
    let n = s.trim().chars().count();
    if (1..=64).contains(&n) {
        Ok(())
    } else {
        Err(NameError::ProductName)
    }
}

/// The latest value of one property, as the device page's "TSL data" tab shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropertyValue {
    pub identifier: String,
    pub value: serde_json::Value,
    /// Device time if the device sent one, else the receive time (ms).
    pub time: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names_follow_alibaba() {
        for ok in ["dev1", "light-01_a@b.c:d", &"x".repeat(32)] {
            assert!(validate_device_name(ok).is_ok(), "{ok}");
        }
        for bad in ["abc", "", &"x".repeat(33), "has space", "dev/1", "dév1", "a&bcd"] {
            assert_eq!(validate_device_name(bad), Err(NameError::DeviceName), "{bad}");
        }
    }

    #[test]
    fn csv_reports_every_bad_row() {
        let csv = "DeviceName,DeviceSecret,Nickname\nlamp-0001,,Porch\nx\nlamp-0002,0123456789abcdef0123\nlamp-0001\nlamp-0003,short\n\nlamp-0004,a,b,c\n";
        let (rows, errors) = parse_device_csv(csv);
        let names: Vec<_> = rows.iter().map(|r| r.device.device_name.as_str()).collect();
        assert_eq!(names, ["lamp-0001", "lamp-0002"]);
        assert_eq!(rows[0].device.nickname, "Porch");
        assert_eq!(rows[1].device.device_secret.as_deref(), Some("0123456789abcdef0123"));
        let lines: Vec<_> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 5, 6, 8]);
        assert!(errors[1].message.contains("duplicate"));
    }

    #[test]
    fn csv_without_header() {
        let (rows, errors) = parse_device_csv("abcd\nefgh\n");
        assert_eq!(rows.len(), 2);
        assert!(errors.is_empty());
    }
}

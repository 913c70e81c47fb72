//! Serde types for Alibaba's TSL JSON (`schema`, `profile`, `properties`, `events`, `services`).
//!
//! Field names follow Alibaba's camelCase. Every object keeps keys it does not know in `extra`
//! (`#[serde(flatten)]`), so a model imported from the Alibaba console is exported unchanged
//! (compared as JSON values; key order is not preserved).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::data_type::DataType;

/// One thing model: the product's default model, or one custom module (`functionBlockId` set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThingModel {
    /// Alibaba's schema URL; [`ThingModel::new_empty`] writes [`SCHEMA_URL`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub profile: Profile,
    #[serde(default)]
    pub properties: Vec<Property>,
    #[serde(default)]
    pub events: Vec<Event>,
    #[serde(default)]
    pub services: Vec<Service>,
    /// The module identifier of a custom module; absent for the default model.
    #[serde(rename = "functionBlockId", default, skip_serializing_if = "Option::is_none")]
    pub function_block_id: Option<String>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

/// The schema URL Alibaba writes in every exported model.
pub const SCHEMA_URL: &str = "https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json";

/// `profile`: the product the model belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    #[serde(rename = "productKey")]
    pub product_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

/// `r` (device reports it, the console cannot set it) or `rw`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AccessMode {
    #[serde(rename = "r")]
    ReadOnly,
    #[default]
    #[serde(rename = "rw")]
    ReadWrite,
}

/// A property: a value the device reports (and, if `rw`, the console may set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Property {
    pub identifier: String,
    pub name: String,
    /// Absent on import means `rw`.
    #[serde(rename = "accessMode", default)]
    pub access_mode: AccessMode,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(rename = "dataType")]
    pub data_type: DataType,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

/// A named, typed parameter: an event's output, a service's input or output, a struct field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Param {
    pub identifier: String,
    pub name: String,
    #[serde(rename = "dataType")]
    pub data_type: DataType,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

/// `info`, `alert` or `error`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    #[default]
    Info,
    Alert,
    Error,
}

/// An event the device posts (`thing.event.{identifier}.post`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    pub identifier: String,
    pub name: String,
    #[serde(rename = "type", default)]
    pub event_type: EventType,
    #[serde(default)]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(rename = "outputData", default)]
    pub output_data: Vec<Param>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

/// `sync` (the console waits for the reply) or `async`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CallType {
    Sync,
    #[default]
    Async,
}

/// One entry of a service's `inputData`.
///
/// The built-in `get` service lists plain property identifiers (`"inputData": ["LightStatus"]`);
/// every other service lists typed parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ServiceInput {
    Identifier(String),
    Param(Param),
}

impl ServiceInput {
    /// The identifier of the input, in either form.
    pub fn identifier(&self) -> &str {
        match self {
            ServiceInput::Identifier(s) => s,
            ServiceInput::Param(p) => &p.identifier,
        }
    }

    /// The typed parameter, if this is not a plain identifier.
    pub fn param(&self) -> Option<&Param> {
        match self {
            ServiceInput::Identifier(_) => None,
            ServiceInput::Param(p) => Some(p),
        }
    }
}

/// A service the console calls on the device (`thing.service.{identifier}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Service {
    pub identifier: String,
    pub name: String,
    #[serde(default)]
    pub required: bool,
    #[serde(rename = "callType", default)]
    pub call_type: CallType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(rename = "inputData", default)]
    pub input_data: Vec<ServiceInput>,
    #[serde(rename = "outputData", default)]
    pub output_data: Vec<Param>,
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub extra: Map<String, Value>,
}

/// Identifier of the built-in property-post event.
pub const BUILTIN_POST: &str = "post";
/// Identifier of the built-in property-set service.
pub const BUILTIN_SET: &str = "set";
/// Identifier of the built-in property-get service.
pub const BUILTIN_GET: &str = "get";

impl Event {
    /// Whether this is the built-in `post` (property post) event, generated from the properties.
    pub fn is_builtin(&self) -> bool {
        self.identifier == BUILTIN_POST
    }
}

impl Service {
    /// Whether this is the built-in `set` or `get` service, generated from the properties.
    pub fn is_builtin(&self) -> bool {
        self.identifier == BUILTIN_SET || self.identifier == BUILTIN_GET
    }

    /// The typed input parameters (plain identifiers of `get` skipped).
    pub fn input_params(&self) -> impl Iterator<Item = &Param> {
        self.input_data.iter().filter_map(ServiceInput::param)
    }
}

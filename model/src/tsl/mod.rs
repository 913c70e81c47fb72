//! Thing models (TSL) in Alibaba's JSON format, and validation of device and console data against
//! them with the seed's numeric error codes.
//!
//! - [`types`]: serde types for the JSON (`ThingModel`, `Property`, `Event`, `Service`, `Param`);
//!   importing a file from the Alibaba console and exporting it gives back the same JSON value.
//! - [`data_type`]: [`DataType`] with specs kept as Alibaba's strings, constructors and
//!   [`DataType::example_value`].
//! - [`lookup`]: [`Tsl`] (default model + custom modules) and `{module}:{identifier}` addressing.
//! - [`validate`]: values against types, property post/set/get, events, service calls.
//! - [`check`]: whether a model itself is valid before it is saved (6317).
//! - [`builder`]: constructors and add/replace/remove for the model editor.
//! - [`codes`]: the seed's codes with their descriptions, shown by the browser.

pub mod builder;
pub mod check;
pub mod codes;
pub mod data_type;
pub mod error;
pub mod lookup;
#[cfg(feature = "openapi")]
mod schema;
pub mod types;
pub mod validate;

#[cfg(test)]
mod tests;

pub use check::{is_valid_identifier, RESERVED_IDENTIFIERS};
pub use data_type::{ArraySpecs, DataType, DateSpecs, NumberSpecs, TextSpecs, ValueLabels};
pub use error::TslError;
pub use lookup::{split_identifier, Features, Tsl};
pub use types::{
    AccessMode, CallType, Event, EventType, Param, Profile, Property, Service, ServiceInput, ThingModel, SCHEMA_URL,
};
pub use validate::{
    parse_millis, validate_event, validate_property_get, validate_property_post, validate_property_set,
    validate_service_input, validate_service_output, validate_value, EventPost, PropertyPost, PropertyValue,
    MAX_PROPERTIES_PER_POST,
};

/// Alias: the product's whole model under the name the rest of the app may prefer.
pub type ProductModel = Tsl;

//! [`TslError`]: one validation or model-check failure, carrying the seed's numeric code.

use serde::{Deserialize, Serialize};

use super::codes;

/// A failed check: the seed's numeric `code` (see [`codes`]), a sentence for the operator and
/// the `path` of the offending value.
///
/// Paths name what the operator sees: `Brightness`, `GeoLocation.Longitude`, `Schedules[3].Level`,
/// `lamp:Brightness` for a custom module; model checks use `properties.Brightness`,
/// `events.Error.outputData.ErrorCode`, `services.Reboot.inputData.Delay`, and `[]` for an array's
/// element definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message} ({code}, at {path})")]
pub struct TslError {
    pub code: u32,
    pub message: String,
    pub path: String,
}

impl TslError {
    pub fn new(code: u32, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), path: path.into() }
    }

    /// The seed's description of this error's code.
    pub fn description(&self) -> &'static str {
        codes::description(self.code)
    }
}

/// The REST body for a TSL failure: `code` is the seed's number as a string (as
/// [`crate::error::ApiError`] documents) and `details` holds `{"path": …}`.
impl From<TslError> for crate::error::ApiError {
    fn from(e: TslError) -> Self {
        let mut api = crate::error::ApiError::new(e.code.to_string(), e.message);
        api.details = Some(serde_json::json!({ "path": e.path }));
        api
    }
}

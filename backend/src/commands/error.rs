//! [`CallError`]: why a command did not get through, with the seed's code.

use model::tsl::{codes, TslError};

use crate::gateway::router::{CODE_DEVICE_NOT_FOUND, CODE_INTERNAL};
use crate::gateway::DownlinkError;
use crate::runlog::line::CODE_TIMEOUT;

/// The device's downlink rate limit is exhausted (seed 9324).
pub const CODE_THROTTLED: u32 = model::codes::message::THROTTLED.code();

/// Why a command did not get through.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("the device does not exist")]
    NotFound,
    #[error("the device is disabled")]
    Disabled,
    #[error("the device is offline")]
    Offline,
    #[error("the sub-device's gateway is offline")]
    GatewayOffline,
    #[error("no reply within the timeout")]
    Timeout,
    #[error("the device's downlink rate limit is exhausted")]
    Throttled,
    /// The request does not fit the thing model (the first error's code is the call's code).
    #[error("the request does not fit the thing model: {}", .0.first().map(ToString::to_string).unwrap_or_default())]
    Invalid(Vec<TslError>),
    #[error("{message} ({code})")]
    Failed { code: u32, message: String },
}

impl CallError {
    /// The seed's code.
    pub fn code(&self) -> u32 {
        match self {
            CallError::NotFound => CODE_DEVICE_NOT_FOUND,
            CallError::Disabled => codes::DEVICE_DISABLED,
            CallError::Offline => codes::DEVICE_OFFLINE,
            CallError::GatewayOffline => codes::GATEWAY_OFFLINE,
            CallError::Timeout => CODE_TIMEOUT,
            CallError::Throttled => CODE_THROTTLED,
            CallError::Invalid(errs) => errs.first().map_or(codes::INPUT_NOT_CONFORMING, |e| e.code),
            CallError::Failed { code, .. } => *code,
        }
    }

    pub fn db(e: crate::store::Error) -> CallError {
        CallError::Failed { code: CODE_INTERNAL, message: format!("database: {e}") }
    }
}

impl From<DownlinkError> for CallError {
    fn from(e: DownlinkError) -> Self {
        match e {
            DownlinkError::Offline => CallError::Offline,
            DownlinkError::Throttled => CallError::Throttled,
            DownlinkError::Failed(m) => CallError::Failed { code: codes::SERVICE_CALL_FAILED, message: m },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(CallError::Offline.code(), 9201);
        assert_eq!(CallError::GatewayOffline.code(), 9389);
        assert_eq!(CallError::Timeout.code(), 1905);
        assert_eq!(CallError::Disabled.code(), 6208);
        assert_eq!(CallError::from(DownlinkError::Throttled).code(), 9324);
    }
}

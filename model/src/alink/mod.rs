//! The Alink device protocol over MQTT, as the Alibaba Link SDKs speak it
//! (`/work/shared/protocol/ALINK.md` is the spec; section numbers below refer to it).
//!
//! - [`client_id`]: CONNECT clientId/username parsing (1.1–1.4).
//! - [`sign`]: device, dynreg and sub-device signatures; the credentials each SDK sends.
//! - [`table`]: THE topic table; [`topic`] parses/formats it, [`acl`] and [`subscriptions`]
//!   derive the broker's per-device rules and auto-subscriptions from it.
//! - [`filter`]: MQTT filter syntax and matching.
//! - [`envelope`]: request/reply JSON, error codes, downlink id counter.
//! - [`ota`], [`shadow`], [`ntp`], [`dynreg`], [`gateway`]: the non-thing-model payloads.

pub mod acl;
pub mod client_id;
pub mod dynreg;
pub mod envelope;
pub mod filter;
pub mod gateway;
pub mod ntp;
pub mod ota;
pub mod shadow;
pub mod sign;
pub mod subscriptions;
pub mod table;
pub mod topic;

#[cfg(test)]
mod tests;

pub use acl::{may_publish, may_publish_as_gateway, may_subscribe, may_subscribe_as_gateway, Denied};
pub use client_id::{format_username, parse_username, AuthType, ClientId, ClientIdError, Sdk};
pub use dynreg::{DynregConnect, DynregMode, RegisterPush, RegnwlPush};
pub use envelope::{EnvelopeError, IdGen, Reply, Request, Sys, CODE_INVALID_FORMAT, CODE_INVALID_PARAMS, CODE_SUCCESS};
pub use filter::{filter_matches, validate_filter};
pub use sign::{device_credentials, verify_device_sign, Credentials, SignMethod};
pub use subscriptions::{dynreg_session_filters, server_side_filters};
pub use table::{Direction, TopicSpec, TOPIC_TABLE};
pub use topic::{DeviceRef, Topic, TopicError, TopicKind};

/// The name the brief and older notes use for a parsed clientId.
pub type ParsedClientId = ClientId;

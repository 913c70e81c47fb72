//! Typed Alink topics: parse and format every topic of ALINK.md sections 2 and 4.
//!
//! Parsing walks the rows of [`TOPIC_TABLE`] and compares whole levels (never substrings), so
//! `/sys/pkA/devA2/...` can never be taken for `/sys/pkA/devA/...`. Every captured value is
//! checked against its alphabet, which is what makes `Topic::parse(s)?.to_string() == s`.
//!
//! - `names`: the alphabet of each value a topic carries.
//! - `kind`: [`TopicKind`] and the [`Topic`] variants, one per row of the table.
//! - `parse`: from a string to a [`Topic`] ([`Topic::parse`]).
//! - this file: formatting a [`Topic`] and what it tells about itself (device, reply topic, …).

use std::borrow::Cow;
use std::fmt;

use super::table::{segments, spec, Direction, Seg, TopicSpec, TOPIC_TABLE};

mod kind;
mod names;
mod parse;
#[cfg(test)]
mod tests;

use kind::Caps;
pub use kind::{Topic, TopicKind};
pub use names::{is_custom_level, is_device_name, is_identifier, is_message_id, is_product_key, RESERVED_FIRST_LEVELS};
pub use parse::{TopicError, MAX_TOPIC_LEN};

/// A device, as addressed in topics and in the username.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRef {
    pub pk: String,
    pub dn: String,
}

impl DeviceRef {
    pub fn new(pk: impl Into<String>, dn: impl Into<String>) -> Self {
        DeviceRef { pk: pk.into(), dn: dn.into() }
    }
    /// Whether this is the device `(pk, dn)`.
    pub fn is(&self, pk: &str, dn: &str) -> bool {
        self.pk == pk && self.dn == dn
    }
}

impl Topic {
    /// The table row of this topic.
    pub fn spec(&self) -> &'static TopicSpec {
        spec(self.kind())
    }

    /// The device the topic belongs to; for custom RRPC the device of the wrapped topic;
    /// `None` only for `/ext/register` and `/ext/regnwl`.
    pub fn device(&self) -> Option<&DeviceRef> {
        match self {
            Topic::RrpcCustom { inner, .. } => inner.device(),
            t => t.fields().device,
        }
    }

    /// Who publishes on it (see [`Direction`]).
    pub fn direction(&self) -> Direction {
        self.spec().direction
    }

    /// The TSL event/service identifier, or the classic RRPC messageId.
    pub fn identifier(&self) -> Option<&str> {
        self.fields().id
    }

    /// The rrpcId of an `/ext/rrpc/...` topic.
    pub fn rrpc_id(&self) -> Option<&str> {
        self.fields().rrpc
    }

    /// The run-log operation, e.g. `thing.event.property.post`, `thing.service.Reboot`.
    pub fn operation(&self) -> Cow<'static, str> {
        let op = self.spec().operation;
        match self.identifier() {
            Some(id) if op.contains("{id}") => Cow::Owned(op.replace("{id}", id)),
            _ => Cow::Borrowed(op),
        }
    }

    /// The topic on which the other side answers this one, if the protocol has an answer:
    /// `x` → `x_reply`, classic RRPC request → response, NTP request → response, shadow
    /// update → `/shadow/get`, and the topic itself for same-topic RRPC and C3's OTA request.
    pub fn reply_topic(&self) -> Option<Topic> {
        use TopicKind as K;
        let kind = self.kind();
        let reply_kind = match kind {
            K::RrpcService | K::RrpcDownRaw | K::RrpcCustom | K::OtaRequest => return Some(self.clone()),
            K::RrpcRequest => K::RrpcResponse,
            K::NtpRequest => K::NtpResponse,
            K::ShadowUpdate => K::ShadowGet,
            _ => {
                let wanted = format!("{}_reply", self.spec().template);
                TOPIC_TABLE.iter().find(|s| s.template == wanted)?.kind
            }
        };
        Topic::from_caps(reply_kind, Caps::of(&self.fields()))
    }

    /// Whether `parse(to_string())` gives this topic back, i.e. all its values are legal.
    /// Variants can be built by hand with any strings; check before publishing such a topic.
    pub fn is_valid(&self) -> bool {
        Topic::parse(&self.to_string()).as_ref() == Ok(self)
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.fields();
        for seg in segments(self.spec().template) {
            if let Seg::Topic = seg {
                // The wrapped topic starts with its own '/'.
                if let Some(inner) = v.inner {
                    write!(f, "{inner}")?;
                }
                continue;
            }
            f.write_str("/")?;
            let dev = v.device;
            match seg {
                Seg::Lit(l) => f.write_str(l)?,
                Seg::Pk => f.write_str(dev.map_or("", |d| &d.pk))?,
                Seg::Dn => f.write_str(dev.map_or("", |d| &d.dn))?,
                Seg::Id(suffix) => write!(f, "{}{suffix}", v.id.unwrap_or(""))?,
                Seg::Msg => f.write_str(v.id.unwrap_or(""))?,
                Seg::Rrpc => f.write_str(v.rrpc.unwrap_or(""))?,
                Seg::Path => f.write_str(v.path.unwrap_or(""))?,
                Seg::Topic => {}
            }
        }
        Ok(())
    }
}

/// Topics travel as their string form (run log, WebSocket).
impl serde::Serialize for Topic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One concrete topic per table row (device `pkA`/`devA`), for tests across the module.
#[cfg(test)]
pub(crate) fn sample_topic(kind: TopicKind) -> Topic {
    let c = Caps {
        pk: Some("pkA".into()),
        dn: Some("devA".into()),
        id: Some("Reboot".into()),
        rrpc: Some("123456".into()),
        path: Some("a/b".into()),
        inner: Some(Topic::Custom { device: DeviceRef::new("pkA", "devA"), path: "x".into() }),
    };
    Topic::from_caps(kind, c).expect("sample values fit every template")
}

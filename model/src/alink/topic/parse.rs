//! Parsing a topic name: the shape every name shares, then the first row of [`TOPIC_TABLE`] whose
//! template fits level by level.

use std::borrow::Cow;
use std::str::FromStr;

use super::kind::Caps;
use super::names::{is_custom_level, is_device_name, is_identifier, is_message_id, is_product_key};
use super::Topic;
use crate::alink::table::{segments, Seg, TOPIC_TABLE};

/// Longest topic accepted. Alibaba caps *custom* topics at 128 bytes, but a system topic with a
/// 32-char ProductKey, a 32-char DeviceName, a 64-char identifier and an rrpcId is longer than
/// that; 256 bytes covers every legal system topic and still bounds the work per publish.
pub const MAX_TOPIC_LEN: usize = 256;

/// Why a string is not an Alink topic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopicError {
    #[error("topic is empty")]
    Empty,
    #[error("topic is longer than {MAX_TOPIC_LEN} bytes")]
    TooLong,
    #[error("topic must start with '/'")]
    NotAbsolute,
    #[error("topic has an empty level")]
    EmptyLevel,
    #[error("a topic name must not contain the wildcards '+' or '#'")]
    Wildcard,
    #[error("not a known Alink topic")]
    Unknown,
}

/// Checks the shape shared by all topic names and returns the levels after the leading `/`.
fn levels(s: &str) -> Result<Vec<&str>, TopicError> {
    if s.is_empty() {
        return Err(TopicError::Empty);
    }
    if s.len() > MAX_TOPIC_LEN {
        return Err(TopicError::TooLong);
    }
    let Some(rest) = s.strip_prefix('/') else { return Err(TopicError::NotAbsolute) };
    if s.contains(['+', '#']) {
        return Err(TopicError::Wildcard);
    }
    let levels: Vec<&str> = rest.split('/').collect();
    if levels.iter().any(|l| l.is_empty()) {
        return Err(TopicError::EmptyLevel);
    }
    Ok(levels)
}

/// Matches `levels` against one template; `None` if it does not fit.
fn match_template(template: &str, levels: &[&str]) -> Option<Caps> {
    let mut caps = Caps::default();
    let mut i = 0;
    for seg in segments(template) {
        match seg {
            Seg::Path => {
                let rest = &levels[i.min(levels.len())..];
                if rest.is_empty() || !rest.iter().all(|l| is_custom_level(l)) {
                    return None;
                }
                caps.path = Some(rest.join("/"));
                return Some(caps);
            }
            Seg::Topic => {
                let rest = &levels[i.min(levels.len())..];
                let inner = match_levels(rest, false)?;
                // Custom RRPC wraps a device's own topic; dynreg pushes have no device.
                inner.device()?;
                caps.inner = Some(inner);
                return Some(caps);
            }
            _ => {}
        }
        let level = *levels.get(i)?;
        i += 1;
        let ok = match seg {
            Seg::Lit(lit) => level == lit,
            Seg::Pk => is_product_key(level) && caps.pk.replace(level.into()).is_none(),
            Seg::Dn => is_device_name(level) && caps.dn.replace(level.into()).is_none(),
            Seg::Id(suffix) => match level.strip_suffix(suffix) {
                Some(id) if is_identifier(id) => caps.id.replace(id.into()).is_none(),
                _ => false,
            },
            Seg::Rrpc => is_message_id(level) && caps.rrpc.replace(level.into()).is_none(),
            Seg::Msg => is_message_id(level) && caps.id.replace(level.into()).is_none(),
            Seg::Path | Seg::Topic => unreachable!("handled above"),
        };
        if !ok {
            return None;
        }
    }
    (i == levels.len()).then_some(caps)
}

/// First row of the table that matches. RRPC rows are skipped for the topic inside a custom RRPC.
fn match_levels(levels: &[&str], allow_rrpc: bool) -> Option<Topic> {
    if levels.is_empty() {
        return None;
    }
    TOPIC_TABLE
        .iter()
        .filter(|s| allow_rrpc || !s.template.starts_with("/ext/rrpc/"))
        .find_map(|s| match_template(s.template, levels).and_then(|c| Topic::from_caps(s.kind, c)))
}

impl Topic {
    /// Parses a topic *name* (as published; filters are handled by [`super::filter`]).
    pub fn parse(s: &str) -> Result<Topic, TopicError> {
        let levels = levels(s)?;
        match_levels(&levels, true).ok_or(TopicError::Unknown)
    }
}

impl FromStr for Topic {
    type Err = TopicError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Topic::parse(s)
    }
}

/// Topics travel as their string form (run log, WebSocket); see the `Serialize` impl.
impl<'de> serde::Deserialize<'de> for Topic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        Topic::parse(&s).map_err(serde::de::Error::custom)
    }
}

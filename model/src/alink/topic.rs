//! Typed Alink topics: parse and format every topic of ALINK.md sections 2 and 4.
//!
//! Parsing walks the rows of [`TOPIC_TABLE`] and compares whole levels (never substrings), so
//! `/sys/pkA/devA2/...` can never be taken for `/sys/pkA/devA/...`. Every captured value is
//! checked against its alphabet, which is what makes `Topic::parse(s)?.to_string() == s`.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::table::{segments, spec, Direction, Seg, TopicSpec, TOPIC_TABLE};

/// Longest topic accepted. Alibaba caps *custom* topics at 128 bytes, but a system topic with a
/// 32-char ProductKey, a 32-char DeviceName, a 64-char identifier and an rrpcId is longer than
/// that; 256 bytes covers every legal system topic and still bounds the work per publish.
pub const MAX_TOPIC_LEN: usize = 256;

/// First levels used by system topics; a ProductKey equal to one of them would make a custom
/// topic `/{pk}/{dn}/user/...` look like a system one, so they are not ProductKeys.
pub const RESERVED_FIRST_LEVELS: &[&str] = &["sys", "ext", "ota", "shadow"];

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

/// A device, as addressed in topics and in the username.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
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

/// ProductKey as it may appear in a topic: 1–32 ASCII letters/digits, not a reserved first level.
/// (The registry asks for 6–32 on creation; being lenient here keeps parsing independent of it.)
pub fn is_product_key(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
        && !RESERVED_FIRST_LEVELS.iter().any(|r| r.eq_ignore_ascii_case(s))
}

/// DeviceName as it may appear in a topic: 1–32 of letters, digits and `-_@.:`
/// (Alibaba's alphabet; the registry enforces the 4-character minimum).
pub fn is_device_name(s: &str) -> bool {
    (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_@.:".contains(&b))
}

/// TSL identifier in a topic: 1–64 of letters, digits, `_` and `:` (`module:identifier`).
pub fn is_identifier(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

/// rrpcId / classic RRPC messageId: 1–64 of letters, digits, `_` and `-`.
pub fn is_message_id(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// One level of a custom topic path: 1–64 of letters, digits, `_`, `-`, `.`, but not only dots
/// (MQTT has no `..`, yet a level named like that only invites confusion downstream).
pub fn is_custom_level(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
        && !s.bytes().all(|b| b == b'.')
}

macro_rules! topics {
    (
        none { $($(#[$nm:meta])* $N:ident),* $(,)? }
        dev { $($(#[$dm:meta])* $D:ident),* $(,)? }
        dev_id { $($(#[$im:meta])* $I:ident),* $(,)? }
    ) => {
        /// The kind of a [`Topic`] without its values; keys [`TOPIC_TABLE`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum TopicKind { $($N,)* $($D,)* $($I,)* RrpcService, RrpcDownRaw, RrpcCustom, Custom }

        impl TopicKind {
            /// Every kind, for tests and documentation.
            pub const ALL: &'static [TopicKind] = &[
                $(TopicKind::$N,)* $(TopicKind::$D,)* $(TopicKind::$I,)*
                TopicKind::RrpcService, TopicKind::RrpcDownRaw, TopicKind::RrpcCustom, TopicKind::Custom,
            ];
        }

        /// A parsed Alink topic. The template of each variant is in [`TOPIC_TABLE`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum Topic {
            $($(#[$nm])* $N,)*
            $($(#[$dm])* $D(DeviceRef),)*
            $($(#[$im])* $I(DeviceRef, String),)*
            /// `/ext/rrpc/{rrpcId}/sys/{pk}/{dn}/thing/service/{id}`: synchronous service call;
            /// the reply goes on the same topic.
            RrpcService { rrpc_id: String, device: DeviceRef, service: String },
            /// `/ext/rrpc/{rrpcId}/sys/{pk}/{dn}/thing/model/down_raw` (C4), same-topic reply.
            RrpcDownRaw { rrpc_id: String, device: DeviceRef },
            /// `/ext/rrpc/{rrpcId}{topic}`: custom RRPC around any device topic.
            RrpcCustom { rrpc_id: String, inner: Box<Topic> },
            /// `/{pk}/{dn}/user/{path}`: custom topic; `path` is the levels after `user/`.
            Custom { device: DeviceRef, path: String },
        }

        impl Topic {
            /// The kind, i.e. the row of [`TOPIC_TABLE`].
            pub fn kind(&self) -> TopicKind {
                match self {
                    $(Topic::$N => TopicKind::$N,)*
                    $(Topic::$D(..) => TopicKind::$D,)*
                    $(Topic::$I(..) => TopicKind::$I,)*
                    Topic::RrpcService { .. } => TopicKind::RrpcService,
                    Topic::RrpcDownRaw { .. } => TopicKind::RrpcDownRaw,
                    Topic::RrpcCustom { .. } => TopicKind::RrpcCustom,
                    Topic::Custom { .. } => TopicKind::Custom,
                }
            }

            fn fields(&self) -> Fields<'_> {
                match self {
                    $(Topic::$N => Fields::default(),)*
                    $(Topic::$D(d) => Fields { device: Some(d), ..Fields::default() },)*
                    $(Topic::$I(d, id) => Fields { device: Some(d), id: Some(id), ..Fields::default() },)*
                    Topic::RrpcService { rrpc_id, device, service } =>
                        Fields { device: Some(device), id: Some(service), rrpc: Some(rrpc_id), ..Fields::default() },
                    Topic::RrpcDownRaw { rrpc_id, device } =>
                        Fields { device: Some(device), rrpc: Some(rrpc_id), ..Fields::default() },
                    Topic::RrpcCustom { rrpc_id, inner } =>
                        Fields { rrpc: Some(rrpc_id), inner: Some(inner), ..Fields::default() },
                    Topic::Custom { device, path } =>
                        Fields { device: Some(device), path: Some(path), ..Fields::default() },
                }
            }

            fn from_caps(kind: TopicKind, c: Caps) -> Option<Topic> {
                let device = match (c.pk, c.dn) {
                    (Some(pk), Some(dn)) => Some(DeviceRef { pk, dn }),
                    _ => None,
                };
                Some(match kind {
                    $(TopicKind::$N => Topic::$N,)*
                    $(TopicKind::$D => Topic::$D(device?),)*
                    $(TopicKind::$I => Topic::$I(device?, c.id?),)*
                    TopicKind::RrpcService => Topic::RrpcService { rrpc_id: c.rrpc?, device: device?, service: c.id? },
                    TopicKind::RrpcDownRaw => Topic::RrpcDownRaw { rrpc_id: c.rrpc?, device: device? },
                    TopicKind::RrpcCustom => Topic::RrpcCustom { rrpc_id: c.rrpc?, inner: Box::new(c.inner?) },
                    TopicKind::Custom => Topic::Custom { device: device?, path: c.path? },
                })
            }
        }
    };
}

topics! {
    none {
        /// `/ext/register`: dynreg answer with the deviceSecret (pushed, never subscribed).
        Register,
        /// `/ext/regnwl`: dynreg answer with a deviceToken (pushed, never subscribed).
        Regnwl,
    }
    dev {
        PropertyPost, PropertyPostReply, PropertyBatchPost, PropertyBatchPostReply,
        PropertySet, PropertySetReply, PropertyGet, PropertyGetReply,
        DeviceInfoUpdate, DeviceInfoUpdateReply, DeviceInfoDelete, DeviceInfoDeleteReply,
        UpRaw, UpRawReply, DownRaw, DownRawReply,
        DesiredGet, DesiredGetReply, DesiredDelete, DesiredDeleteReply,
        ShadowUpdate, ShadowGet,
        OtaInform, OtaUpgrade, OtaProgress,
        /// `/ota/device/request/{pk}/{dn}`: C3's legacy pull; the answer comes on the same topic.
        OtaRequest,
        OtaFirmwareGet, OtaFirmwareGetReply,
        ConfigPush, ConfigPushReply, ConfigGet, ConfigGetReply,
        LogConfigGet, LogConfigGetReply, LogConfigPush, LogConfigPushReply,
        LogPost, LogPostReply, DiagPost, DiagPostReply,
        NtpRequest, NtpResponse, Error,
        TopoAdd, TopoAddReply, TopoDelete, TopoDeleteReply, TopoGet, TopoGetReply, TopoChange,
        SubRegister, SubRegisterReply, ProductRegister, ProductRegisterReply,
        CombineLogin, CombineLoginReply, CombineLogout, CombineLogoutReply,
        CombineBatchLogin, CombineBatchLoginReply, CombineBatchLogout, CombineBatchLogoutReply,
        ThingEnable, ThingDisable, ThingDelete,
    }
    dev_id {
        /// `thing/event/{id}/post`: the `String` is the TSL event identifier.
        EventPost,
        EventPostReply,
        /// `thing/service/{id}`: the `String` is the TSL service identifier.
        ServiceCall,
        ServiceReply,
        /// `/sys/{pk}/{dn}/rrpc/request/{messageId}` (classic RRPC).
        RrpcRequest,
        RrpcResponse,
    }
}

/// Borrowed values of a topic, used to fill its template.
#[derive(Default)]
struct Fields<'a> {
    device: Option<&'a DeviceRef>,
    id: Option<&'a str>,
    rrpc: Option<&'a str>,
    path: Option<&'a str>,
    inner: Option<&'a Topic>,
}

/// Values captured while matching a template.
#[derive(Default)]
struct Caps {
    pk: Option<String>,
    dn: Option<String>,
    id: Option<String>,
    rrpc: Option<String>,
    path: Option<String>,
    inner: Option<Topic>,
}

impl Caps {
    fn of(f: &Fields<'_>) -> Caps {
        Caps {
            pk: f.device.map(|d| d.pk.clone()),
            dn: f.device.map(|d| d.dn.clone()),
            id: f.id.map(str::to_string),
            rrpc: f.rrpc.map(str::to_string),
            path: f.path.map(str::to_string),
            inner: f.inner.cloned(),
        }
    }
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

impl FromStr for Topic {
    type Err = TopicError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Topic::parse(s)
    }
}

/// Topics travel as their string form (run log, WebSocket).
impl serde::Serialize for Topic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Topic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <Cow<'de, str>>::deserialize(d)?;
        Topic::parse(&s).map_err(serde::de::Error::custom)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dev() -> DeviceRef {
        DeviceRef::new("pkA", "devA")
    }

    #[test]
    fn every_kind_has_one_row_and_round_trips() {
        for &k in TopicKind::ALL {
            assert_eq!(TOPIC_TABLE.iter().filter(|s| s.kind == k).count(), 1, "{k:?}");
            let t = sample_topic(k);
            let s = t.to_string();
            assert_eq!(Topic::parse(&s), Ok(t.clone()), "{s} must parse back as {k:?}");
            assert!(t.is_valid());
            assert_eq!(s.parse::<Topic>().unwrap().kind(), k);
        }
        assert_eq!(TOPIC_TABLE.len(), TopicKind::ALL.len());
    }

    #[test]
    fn examples() {
        let cases: &[(&str, Topic)] = &[
            ("/sys/pkA/devA/thing/event/property/post", Topic::PropertyPost(dev())),
            ("/sys/pkA/devA/thing/event/Alarm/post", Topic::EventPost(dev(), "Alarm".into())),
            ("/sys/pkA/devA/thing/event/Alarm/post_reply", Topic::EventPostReply(dev(), "Alarm".into())),
            ("/sys/pkA/devA/thing/service/Reboot", Topic::ServiceCall(dev(), "Reboot".into())),
            ("/sys/pkA/devA/thing/service/Reboot_reply", Topic::ServiceReply(dev(), "Reboot".into())),
            ("/sys/pkA/devA/thing/service/property/set", Topic::PropertySet(dev())),
            ("/sys/pkA/devA/thing/service/property/set_reply", Topic::PropertySetReply(dev())),
            ("/sys/pkA/devA/thing/service/property_reply", Topic::ServiceReply(dev(), "property".into())),
            ("/sys/pkA/devA/thing/service/lamp:Reboot", Topic::ServiceCall(dev(), "lamp:Reboot".into())),
            ("/sys/pkA/devA/thing/service/_reply", Topic::ServiceCall(dev(), "_reply".into())),
            ("/sys/pkA/dev.A:1@x/thing/event/property/post", Topic::PropertyPost(DeviceRef::new("pkA", "dev.A:1@x"))),
            (
                "/ext/rrpc/1234/sys/pkA/devA/thing/service/Add",
                Topic::RrpcService { rrpc_id: "1234".into(), device: dev(), service: "Add".into() },
            ),
            (
                "/ext/rrpc/1234/sys/pkA/devA/thing/model/down_raw",
                Topic::RrpcDownRaw { rrpc_id: "1234".into(), device: dev() },
            ),
            (
                "/ext/rrpc/77/pkA/devA/user/cmd",
                Topic::RrpcCustom {
                    rrpc_id: "77".into(),
                    inner: Box::new(Topic::Custom { device: dev(), path: "cmd".into() }),
                },
            ),
            (
                "/ext/rrpc/77/sys/pkA/devA/thing/service/property/set",
                Topic::RrpcCustom { rrpc_id: "77".into(), inner: Box::new(Topic::PropertySet(dev())) },
            ),
            ("/sys/pkA/devA/rrpc/request/99", Topic::RrpcRequest(dev(), "99".into())),
            ("/sys/pkA/devA/rrpc/response/99", Topic::RrpcResponse(dev(), "99".into())),
            ("/shadow/update/pkA/devA", Topic::ShadowUpdate(dev())),
            ("/ota/device/upgrade/pkA/devA", Topic::OtaUpgrade(dev())),
            ("/sys/pkA/devA/_thing/diag/post", Topic::DiagPost(dev())),
            ("/ext/ntp/pkA/devA/request", Topic::NtpRequest(dev())),
            ("/ext/register", Topic::Register),
            ("/ext/regnwl", Topic::Regnwl),
            ("/ext/session/pkA/devA/combine/batch_login_reply", Topic::CombineBatchLoginReply(dev())),
            ("/ext/error/pkA/devA", Topic::Error(dev())),
            ("/pkA/devA/user/a/b.c/d-e", Topic::Custom { device: dev(), path: "a/b.c/d-e".into() }),
        ];
        for (s, t) in cases {
            assert_eq!(Topic::parse(s).as_ref(), Ok(t), "{s}");
            assert_eq!(&t.to_string(), s);
        }
    }

    #[test]
    fn rejects() {
        use TopicError::*;
        let cases: &[(&str, TopicError)] = &[
            ("", Empty),
            ("sys/pkA/devA/thing/event/property/post", NotAbsolute),
            ("/sys/pkA/devA/thing/event/property/post/", EmptyLevel),
            ("/sys/pkA//thing/event/property/post", EmptyLevel),
            ("/sys/pkA/devA/../", EmptyLevel),
            ("/sys/pkA/+/thing/event/property/post", Wildcard),
            ("/sys/pkA/devA/#", Wildcard),
            ("/sys/pkA/devA/thing/service/a+b", Wildcard),
            ("/sys/pkA/devA/../devB/thing/event/property/post", Unknown),
            ("/sys/pkA/devA/thing/event/property/postx", Unknown),
            ("/sys/pkA/devA/thing/event/property/post/extra", Unknown),
            ("/sys/pkA/devA/thing/event/Al arm/post", Unknown),
            ("/sys/pk-A/devA/thing/event/property/post", Unknown),
            ("/sys/pkA/de/vA/thing/event/property/post", Unknown),
            ("/sys/pkA/devA/thing/service/Re-boot", Unknown),
            ("/sys/pkA/devA/thing/event/:/post?", Unknown),
            ("/sys/pkA/devA/thing", Unknown),
            ("/ext/rrpc/1/ext/rrpc/2/pkA/devA/user/x", Unknown),
            ("/ext/rrpc/1/ext/register", Unknown),
            ("/ext/rrpc/1", Unknown),
            ("/sys/devA/user/x", Unknown),
            ("/pkA/devA/user", Unknown),
            ("/pkA/devA/user/..", Unknown),
            ("/pkA/devA/system/x", Unknown),
            ("/ext/register/x", Unknown),
            ("/SYS/pkA/devA/thing/event/property/post", Unknown),
            ("/sys/pkA/dévA/thing/event/property/post", Unknown),
        ];
        for (s, e) in cases {
            assert_eq!(Topic::parse(s).as_ref(), Err(e), "{s}");
        }
        let long = format!("/pkA/devA/user/{}", "a/".repeat(130));
        assert_eq!(Topic::parse(&long), Err(TooLong));
        // Reserved first levels cannot be a ProductKey of a custom topic.
        assert_eq!(Topic::parse("/ext/ntp/user/x"), Err(Unknown));
        assert_eq!(Topic::parse("/ext/ntp/user/devX/request"), Ok(Topic::NtpRequest(DeviceRef::new("user", "devX"))));
    }

    #[test]
    fn directions_operations_replies() {
        let p = Topic::PropertyPost(dev());
        assert_eq!(p.direction(), Direction::Up);
        assert_eq!(p.operation(), "thing.event.property.post");
        assert_eq!(p.reply_topic(), Some(Topic::PropertyPostReply(dev())));
        let e = Topic::EventPost(dev(), "Alarm".into());
        assert_eq!(e.operation(), "thing.event.Alarm.post");
        assert_eq!(e.reply_topic(), Some(Topic::EventPostReply(dev(), "Alarm".into())));
        let s = Topic::ServiceCall(dev(), "Reboot".into());
        assert_eq!(s.direction(), Direction::Down);
        assert_eq!(s.operation(), "thing.service.Reboot");
        assert_eq!(s.reply_topic(), Some(Topic::ServiceReply(dev(), "Reboot".into())));
        assert_eq!(Topic::RrpcRequest(dev(), "5".into()).reply_topic(), Some(Topic::RrpcResponse(dev(), "5".into())));
        let r = Topic::RrpcService { rrpc_id: "1".into(), device: dev(), service: "Add".into() };
        assert_eq!(r.reply_topic().as_ref(), Some(&r));
        assert_eq!(r.direction(), Direction::Both);
        assert_eq!(Topic::NtpRequest(dev()).reply_topic(), Some(Topic::NtpResponse(dev())));
        assert_eq!(Topic::ShadowUpdate(dev()).reply_topic(), Some(Topic::ShadowGet(dev())));
        assert_eq!(Topic::ConfigPush(dev()).reply_topic(), Some(Topic::ConfigPushReply(dev())));
        assert_eq!(Topic::CombineLogin(dev()).reply_topic(), Some(Topic::CombineLoginReply(dev())));
        assert_eq!(Topic::OtaInform(dev()).reply_topic(), None);
        assert_eq!(Topic::PropertyPostReply(dev()).reply_topic(), None);
        assert_eq!(Topic::Register.device(), None);
        let rc = Topic::parse("/ext/rrpc/9/pkA/devA/user/x").unwrap();
        assert_eq!(rc.device(), Some(&dev()));
        assert_eq!(rc.rrpc_id(), Some("9"));
    }

    #[test]
    fn hand_built_invalid_topics_are_detected() {
        assert!(!Topic::PropertyPost(DeviceRef::new("pkA", "a/b")).is_valid());
        assert!(!Topic::EventPost(dev(), "".into()).is_valid());
        // An event named "property" formats to the property topic: not a valid EventPost.
        assert!(!Topic::EventPost(dev(), "property".into()).is_valid());
    }

    #[test]
    fn serde_as_string() {
        let t = Topic::PropertyPost(dev());
        let j = serde_json::to_string(&t).unwrap();
        assert_eq!(j, "\"/sys/pkA/devA/thing/event/property/post\"");
        assert_eq!(serde_json::from_str::<Topic>(&j).unwrap(), t);
        assert!(serde_json::from_str::<Topic>("\"/nope\"").is_err());
    }
}

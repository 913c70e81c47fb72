//! The kinds of topics: [`TopicKind`], one per row of [`TOPIC_TABLE`](crate::alink::TOPIC_TABLE), and
//! the [`Topic`] variants that carry each kind's values, generated together so they cannot drift apart.

use super::DeviceRef;

macro_rules! topics {
    (
        none { $($(#[$nm:meta])* $N:ident),* $(,)? }
        dev { $($(#[$dm:meta])* $D:ident),* $(,)? }
        dev_id { $($(#[$im:meta])* $I:ident),* $(,)? }
    ) => {
        /// The kind of a [`Topic`] without its values; keys [`TOPIC_TABLE`](crate::alink::TOPIC_TABLE).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum TopicKind { $($N,)* $($D,)* $($I,)* RrpcService, RrpcDownRaw, RrpcCustom, Custom }

        impl TopicKind {
            /// Every kind, for tests and documentation.
            pub const ALL: &'static [TopicKind] = &[
                $(TopicKind::$N,)* $(TopicKind::$D,)* $(TopicKind::$I,)*
                TopicKind::RrpcService, TopicKind::RrpcDownRaw, TopicKind::RrpcCustom, TopicKind::Custom,
            ];
        }

        /// A parsed Alink topic. The template of each variant is in
        /// [`TOPIC_TABLE`](crate::alink::TOPIC_TABLE).
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
            /// The kind, i.e. the row of [`TOPIC_TABLE`](crate::alink::TOPIC_TABLE).
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

            pub(super) fn fields(&self) -> Fields<'_> {
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

            pub(super) fn from_caps(kind: TopicKind, c: Caps) -> Option<Topic> {
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
pub(super) struct Fields<'a> {
    pub(super) device: Option<&'a DeviceRef>,
    pub(super) id: Option<&'a str>,
    pub(super) rrpc: Option<&'a str>,
    pub(super) path: Option<&'a str>,
    pub(super) inner: Option<&'a Topic>,
}

/// Values captured while matching a template.
#[derive(Default)]
pub(super) struct Caps {
    pub(super) pk: Option<String>,
    pub(super) dn: Option<String>,
    pub(super) id: Option<String>,
    pub(super) rrpc: Option<String>,
    pub(super) path: Option<String>,
    pub(super) inner: Option<Topic>,
}

impl Caps {
    pub(super) fn of(f: &Fields<'_>) -> Caps {
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

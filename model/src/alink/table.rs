//! THE topic table (ALINK.md sections 2 and 4): one row per topic template with its direction,
//! whether the broker subscribes it for the device, and its run-log operation name.
//!
//! Everything topic-shaped is derived from this one slice, so a topic added here is at once
//! parseable ([`super::topic::Topic::parse`]), formattable, covered by the ACL ([`super::acl`])
//! and, if `auto` says so, auto-subscribed ([`super::subscriptions`]).
//!
//! Template placeholders, each one whole topic level: `{pk}`, `{dn}`, `{id}` (a TSL identifier;
//! `{id}_reply` allows a literal suffix), `{rrpc}` (rrpcId), `{msg}` (classic RRPC messageId),
//! `{path}` (one or more custom levels), `{topic}` (any device topic, for custom RRPC).
//! Order matters: the first matching row wins, so literal rows come before `{id}` rows.

use super::topic::TopicKind;

/// Who publishes on a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// ↑ device → platform: the device may publish, not subscribe.
    Up,
    /// ↓ platform → device: the device may subscribe, not publish.
    Down,
    /// Request ↓ and reply ↑ on the **same** topic (RRPC, custom topics, C3's legacy OTA
    /// request): the device may do both; the broker's no-local stops the echo.
    Both,
}

/// Whether the broker subscribes a session to this topic without a SUBSCRIBE (ALINK.md 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auto {
    /// Only if the device subscribes itself.
    No,
    /// Every authenticated device session (filters from [`super::subscriptions::server_side_filters`]).
    Device,
    /// Only a dynamic-registration session; see [`super::subscriptions::dynreg_session_filters`].
    Dynreg,
}

/// One row of [`TOPIC_TABLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicSpec {
    pub kind: TopicKind,
    pub template: &'static str,
    pub direction: Direction,
    pub auto: Auto,
    /// Run-log operation; `{id}` is replaced by the topic's identifier.
    pub operation: &'static str,
}

const fn row(
    kind: TopicKind,
    template: &'static str,
    direction: Direction,
    auto: Auto,
    operation: &'static str,
) -> TopicSpec {
    TopicSpec { kind, template, direction, auto, operation }
}

use Auto::{Device as A, Dynreg, No as N};
use Direction::{Both, Down, Up};
use TopicKind as K;

/// Every topic of ALINK.md sections 2 and 4, in matching order.
#[rustfmt::skip]
pub static TOPIC_TABLE: &[TopicSpec] = &[
    // Thing model: properties, events, services.
    row(K::PropertyPost,           "/sys/{pk}/{dn}/thing/event/property/post",             Up,   N, "thing.event.property.post"),
    row(K::PropertyPostReply,      "/sys/{pk}/{dn}/thing/event/property/post_reply",       Down, A, "thing.event.property.post_reply"),
    row(K::PropertyBatchPost,      "/sys/{pk}/{dn}/thing/event/property/batch/post",       Up,   N, "thing.event.property.batch.post"),
    row(K::PropertyBatchPostReply, "/sys/{pk}/{dn}/thing/event/property/batch/post_reply", Down, A, "thing.event.property.batch.post_reply"),
    row(K::EventPost,              "/sys/{pk}/{dn}/thing/event/{id}/post",                 Up,   N, "thing.event.{id}.post"),
    row(K::EventPostReply,         "/sys/{pk}/{dn}/thing/event/{id}/post_reply",           Down, A, "thing.event.{id}.post_reply"),
    row(K::PropertySet,            "/sys/{pk}/{dn}/thing/service/property/set",            Down, A, "thing.service.property.set"),
    row(K::PropertySetReply,       "/sys/{pk}/{dn}/thing/service/property/set_reply",      Up,   N, "thing.service.property.set_reply"),
    row(K::PropertyGet,            "/sys/{pk}/{dn}/thing/service/property/get",            Down, A, "thing.service.property.get"),
    row(K::PropertyGetReply,       "/sys/{pk}/{dn}/thing/service/property/get_reply",      Up,   N, "thing.service.property.get_reply"),
    row(K::ServiceReply,           "/sys/{pk}/{dn}/thing/service/{id}_reply",              Up,   N, "thing.service.{id}_reply"),
    row(K::ServiceCall,            "/sys/{pk}/{dn}/thing/service/{id}",                    Down, A, "thing.service.{id}"),
    // RRPC.
    row(K::RrpcService,            "/ext/rrpc/{rrpc}/sys/{pk}/{dn}/thing/service/{id}",    Both, A, "rrpc.thing.service.{id}"),
    row(K::RrpcDownRaw,            "/ext/rrpc/{rrpc}/sys/{pk}/{dn}/thing/model/down_raw",  Both, A, "rrpc.thing.model.down_raw"),
    row(K::RrpcCustom,             "/ext/rrpc/{rrpc}/{topic}",                             Both, N, "rrpc.custom"),
    row(K::RrpcRequest,            "/sys/{pk}/{dn}/rrpc/request/{msg}",                    Down, A, "rrpc.request"),
    row(K::RrpcResponse,           "/sys/{pk}/{dn}/rrpc/response/{msg}",                   Up,   N, "rrpc.response"),
    // Device info (tags).
    row(K::DeviceInfoUpdate,       "/sys/{pk}/{dn}/thing/deviceinfo/update",               Up,   N, "thing.deviceinfo.update"),
    row(K::DeviceInfoUpdateReply,  "/sys/{pk}/{dn}/thing/deviceinfo/update_reply",         Down, A, "thing.deviceinfo.update_reply"),
    row(K::DeviceInfoDelete,       "/sys/{pk}/{dn}/thing/deviceinfo/delete",               Up,   N, "thing.deviceinfo.delete"),
    row(K::DeviceInfoDeleteReply,  "/sys/{pk}/{dn}/thing/deviceinfo/delete_reply",         Down, A, "thing.deviceinfo.delete_reply"),
    // Raw (transparent) data.
    row(K::UpRaw,                  "/sys/{pk}/{dn}/thing/model/up_raw",                    Up,   N, "thing.model.up_raw"),
    row(K::UpRawReply,             "/sys/{pk}/{dn}/thing/model/up_raw_reply",              Down, A, "thing.model.up_raw_reply"),
    row(K::DownRaw,                "/sys/{pk}/{dn}/thing/model/down_raw",                  Down, A, "thing.model.down_raw"),
    row(K::DownRawReply,           "/sys/{pk}/{dn}/thing/model/down_raw_reply",            Up,   N, "thing.model.down_raw_reply"),
    // Desired properties (C3/C4).
    row(K::DesiredGet,             "/sys/{pk}/{dn}/thing/property/desired/get",            Up,   N, "thing.property.desired.get"),
    row(K::DesiredGetReply,        "/sys/{pk}/{dn}/thing/property/desired/get_reply",      Down, A, "thing.property.desired.get_reply"),
    row(K::DesiredDelete,          "/sys/{pk}/{dn}/thing/property/desired/delete",         Up,   N, "thing.property.desired.delete"),
    row(K::DesiredDeleteReply,     "/sys/{pk}/{dn}/thing/property/desired/delete_reply",   Down, A, "thing.property.desired.delete_reply"),
    // Shadow.
    row(K::ShadowUpdate,           "/shadow/update/{pk}/{dn}",                             Up,   N, "shadow.update"),
    row(K::ShadowGet,              "/shadow/get/{pk}/{dn}",                                Down, A, "shadow.get"),
    // OTA.
    row(K::OtaInform,              "/ota/device/inform/{pk}/{dn}",                         Up,   N, "ota.device.inform"),
    row(K::OtaUpgrade,             "/ota/device/upgrade/{pk}/{dn}",                        Down, A, "ota.device.upgrade"),
    row(K::OtaProgress,            "/ota/device/progress/{pk}/{dn}",                       Up,   N, "ota.device.progress"),
    row(K::OtaRequest,             "/ota/device/request/{pk}/{dn}",                        Both, N, "ota.device.request"),
    row(K::OtaFirmwareGet,         "/sys/{pk}/{dn}/thing/ota/firmware/get",                Up,   N, "thing.ota.firmware.get"),
    row(K::OtaFirmwareGetReply,    "/sys/{pk}/{dn}/thing/ota/firmware/get_reply",          Down, A, "thing.ota.firmware.get_reply"),
    // Remote config and the log switch.
    row(K::ConfigPush,             "/sys/{pk}/{dn}/thing/config/push",                     Down, A, "thing.config.push"),
    row(K::ConfigPushReply,        "/sys/{pk}/{dn}/thing/config/push_reply",               Up,   N, "thing.config.push_reply"),
    row(K::ConfigGet,              "/sys/{pk}/{dn}/thing/config/get",                      Up,   N, "thing.config.get"),
    row(K::ConfigGetReply,         "/sys/{pk}/{dn}/thing/config/get_reply",                Down, A, "thing.config.get_reply"),
    row(K::LogConfigGet,           "/sys/{pk}/{dn}/thing/config/log/get",                  Up,   N, "thing.config.log.get"),
    row(K::LogConfigGetReply,      "/sys/{pk}/{dn}/thing/config/log/get_reply",            Down, A, "thing.config.log.get_reply"),
    row(K::LogConfigPush,          "/sys/{pk}/{dn}/thing/config/log/push",                 Down, A, "thing.config.log.push"),
    row(K::LogConfigPushReply,     "/sys/{pk}/{dn}/thing/config/log/push_reply",           Up,   N, "thing.config.log.push_reply"),
    // Logs and diagnostics.
    row(K::LogPost,                "/sys/{pk}/{dn}/thing/log/post",                        Up,   N, "thing.log.post"),
    row(K::LogPostReply,           "/sys/{pk}/{dn}/thing/log/post_reply",                  Down, A, "thing.log.post_reply"),
    row(K::DiagPost,               "/sys/{pk}/{dn}/_thing/diag/post",                      Up,   N, "_thing.diag.post"),
    row(K::DiagPostReply,          "/sys/{pk}/{dn}/_thing/diag/post_reply",                Down, A, "_thing.diag.post_reply"),
    // NTP, errors.
    row(K::NtpRequest,             "/ext/ntp/{pk}/{dn}/request",                           Up,   N, "ext.ntp.request"),
    row(K::NtpResponse,            "/ext/ntp/{pk}/{dn}/response",                          Down, A, "ext.ntp.response"),
    row(K::Error,                  "/ext/error/{pk}/{dn}",                                 Down, A, "ext.error"),
    // Dynamic registration: pushed to the registering session only, never routed.
    row(K::Register,               "/ext/register",                                        Down, Dynreg, "ext.register"),
    row(K::Regnwl,                 "/ext/regnwl",                                          Down, Dynreg, "ext.regnwl"),
    // Gateway.
    row(K::TopoAdd,                "/sys/{pk}/{dn}/thing/topo/add",                        Up,   N, "thing.topo.add"),
    row(K::TopoAddReply,           "/sys/{pk}/{dn}/thing/topo/add_reply",                  Down, A, "thing.topo.add_reply"),
    row(K::TopoDelete,             "/sys/{pk}/{dn}/thing/topo/delete",                     Up,   N, "thing.topo.delete"),
    row(K::TopoDeleteReply,        "/sys/{pk}/{dn}/thing/topo/delete_reply",               Down, A, "thing.topo.delete_reply"),
    row(K::TopoGet,                "/sys/{pk}/{dn}/thing/topo/get",                        Up,   N, "thing.topo.get"),
    row(K::TopoGetReply,           "/sys/{pk}/{dn}/thing/topo/get_reply",                  Down, A, "thing.topo.get_reply"),
    row(K::TopoChange,             "/sys/{pk}/{dn}/thing/topo/change",                     Down, A, "thing.topo.change"),
    row(K::SubRegister,            "/sys/{pk}/{dn}/thing/sub/register",                    Up,   N, "thing.sub.register"),
    row(K::SubRegisterReply,       "/sys/{pk}/{dn}/thing/sub/register_reply",              Down, A, "thing.sub.register_reply"),
    row(K::ProductRegister,        "/sys/{pk}/{dn}/thing/proxy/provisioning/product_register",       Up,   N, "thing.proxy.provisioning.product_register"),
    row(K::ProductRegisterReply,   "/sys/{pk}/{dn}/thing/proxy/provisioning/product_register_reply", Down, A, "thing.proxy.provisioning.product_register_reply"),
    row(K::CombineLogin,           "/ext/session/{pk}/{dn}/combine/login",                 Up,   N, "combine.login"),
    row(K::CombineLoginReply,      "/ext/session/{pk}/{dn}/combine/login_reply",           Down, A, "combine.login_reply"),
    row(K::CombineLogout,          "/ext/session/{pk}/{dn}/combine/logout",                Up,   N, "combine.logout"),
    row(K::CombineLogoutReply,     "/ext/session/{pk}/{dn}/combine/logout_reply",          Down, A, "combine.logout_reply"),
    row(K::CombineBatchLogin,      "/ext/session/{pk}/{dn}/combine/batch_login",           Up,   N, "combine.batch_login"),
    row(K::CombineBatchLoginReply, "/ext/session/{pk}/{dn}/combine/batch_login_reply",     Down, A, "combine.batch_login_reply"),
    row(K::CombineBatchLogout,     "/ext/session/{pk}/{dn}/combine/batch_logout",          Up,   N, "combine.batch_logout"),
    row(K::CombineBatchLogoutReply,"/ext/session/{pk}/{dn}/combine/batch_logout_reply",    Down, A, "combine.batch_logout_reply"),
    row(K::ThingEnable,            "/sys/{pk}/{dn}/thing/enable",                          Down, A, "thing.enable"),
    row(K::ThingDisable,           "/sys/{pk}/{dn}/thing/disable",                         Down, A, "thing.disable"),
    row(K::ThingDelete,            "/sys/{pk}/{dn}/thing/delete",                          Down, A, "thing.delete"),
    // Custom topics, both ways, never auto-subscribed (Py subscribes them itself).
    row(K::Custom,                 "/{pk}/{dn}/user/{path}",                               Both, N, "user"),
];

/// The row of `kind` (every kind has exactly one; a test checks it).
pub fn spec(kind: TopicKind) -> &'static TopicSpec {
    TOPIC_TABLE.iter().find(|s| s.kind == kind).expect("every TopicKind has a row in TOPIC_TABLE")
}

/// One level of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seg<'a> {
    Lit(&'a str),
    Pk,
    Dn,
    /// TSL identifier followed by a literal suffix (`{id}_reply` → suffix `_reply`).
    Id(&'a str),
    Rrpc,
    Msg,
    /// One or more custom levels (always last).
    Path,
    /// Any device topic (always last).
    Topic,
}

/// The levels of a template after its leading `/`.
pub(crate) fn segments(template: &str) -> impl Iterator<Item = Seg<'_>> + Clone {
    template[1..].split('/').map(|s| match s {
        "{pk}" => Seg::Pk,
        "{dn}" => Seg::Dn,
        "{rrpc}" => Seg::Rrpc,
        "{msg}" => Seg::Msg,
        "{path}" => Seg::Path,
        "{topic}" => Seg::Topic,
        s if s.starts_with("{id}") => Seg::Id(&s[4..]),
        s => Seg::Lit(s),
    })
}

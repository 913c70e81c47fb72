//! Per-device publish/subscribe rules, derived from [`TOPIC_TABLE`] (re-exported here: it is the
//! one table behind the ACL, the parser and the server-side subscriptions).
//!
//! * Publish: the topic must parse, belong to the device (or, for a gateway, to one of its
//!   sub-devices) and be ↑ or same-topic ([`Direction::Both`]).
//! * Subscribe, exact filter: the same, but ↓ or same-topic.
//! * Subscribe, wildcard filter: every table topic the filter could match must have its
//!   ProductKey **and** DeviceName pinned by literal levels of the filter to a device the
//!   session may act for, and it must match at least one. So `/sys/{pk}/{dn}/#` and
//!   `/{pk}/{dn}/user/#` pass, while `#`, `/sys/{pk}/+/#`, `/ext/rrpc/#` or `/ext/+` fail — also
//!   for a ProductKey like `ext` that would spell another device's system prefix.
//!
//! A gateway acts for sub-devices through the closure `is_sub(pk, dn)`: the backend answers
//! "is this device currently a (logged-in) sub-device of this gateway".

pub use super::table::{spec, Auto, Direction, TopicSpec, TOPIC_TABLE};

use super::filter::{has_wildcard, validate_filter};
use super::table::{segments, Seg};
use super::topic::{is_device_name, is_product_key, Topic, TopicError};

/// Why the ACL refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("invalid topic: {0}")]
    InvalidTopic(#[from] TopicError),
    #[error("topic belongs to another device")]
    NotOwner,
    #[error("topic goes the other way")]
    WrongDirection,
    #[error("filter reaches beyond the device's own topics")]
    OutsideNamespace,
}

fn no_subs(_: &str, _: &str) -> bool {
    false
}

/// Whether device `(pk, dn)` may publish on `topic`.
pub fn may_publish(pk: &str, dn: &str, topic: &str) -> bool {
    authorize_publish(pk, dn, no_subs, topic).is_ok()
}

/// Whether gateway `(gw_pk, gw_dn)` may publish on `topic`, for itself or a sub-device.
pub fn may_publish_as_gateway(gw_pk: &str, gw_dn: &str, is_sub: impl Fn(&str, &str) -> bool, topic: &str) -> bool {
    authorize_publish(gw_pk, gw_dn, is_sub, topic).is_ok()
}

/// The publish check, returning the parsed topic so the broker hook parses only once.
pub fn authorize_publish(
    pk: &str,
    dn: &str,
    is_sub: impl Fn(&str, &str) -> bool,
    topic: &str,
) -> Result<Topic, Denied> {
    let t = Topic::parse(topic)?;
    let d = t.device().ok_or(Denied::NotOwner)?;
    if !(d.is(pk, dn) || is_sub(&d.pk, &d.dn)) {
        return Err(Denied::NotOwner);
    }
    match t.direction() {
        Direction::Up | Direction::Both => Ok(t),
        Direction::Down => Err(Denied::WrongDirection),
    }
}

/// Whether device `(pk, dn)` may subscribe to `filter`.
pub fn may_subscribe(pk: &str, dn: &str, filter: &str) -> bool {
    authorize_subscribe(pk, dn, no_subs, filter).is_ok()
}

/// Whether gateway `(gw_pk, gw_dn)` may subscribe to `filter` for itself or its sub-devices.
pub fn may_subscribe_as_gateway(gw_pk: &str, gw_dn: &str, is_sub: impl Fn(&str, &str) -> bool, filter: &str) -> bool {
    authorize_subscribe(gw_pk, gw_dn, is_sub, filter).is_ok()
}

/// The subscribe check (see the module docs).
pub fn authorize_subscribe(
    pk: &str,
    dn: &str,
    is_sub: impl Fn(&str, &str) -> bool,
    filter: &str,
) -> Result<(), Denied> {
    let owns = |p: &str, d: &str| (p == pk && d == dn) || is_sub(p, d);
    if !has_wildcard(filter) {
        let t = Topic::parse(filter)?;
        let d = t.device().ok_or(Denied::NotOwner)?;
        if !owns(&d.pk, &d.dn) {
            return Err(Denied::NotOwner);
        }
        return match t.direction() {
            Direction::Down | Direction::Both => Ok(()),
            Direction::Up => Err(Denied::WrongDirection),
        };
    }
    validate_filter(filter)?;
    let levels: Vec<&str> = filter[1..].split('/').collect();
    let mut matched_any = false;
    let mut check = |template: &[Seg<'_>]| -> Result<(), Denied> {
        if let Some(pins) = overlap(&levels, template) {
            matched_any = true;
            match pins {
                (Pin::Fixed(p), Pin::Fixed(d)) if owns(p, d) => {}
                _ => return Err(Denied::OutsideNamespace),
            }
        }
        Ok(())
    };
    for row in TOPIC_TABLE {
        let segs: Vec<Seg<'_>> = segments(row.template).collect();
        if segs.last() == Some(&Seg::Topic) {
            // Custom RRPC: `/ext/rrpc/{rrpc}` around every other device topic.
            for other in
                TOPIC_TABLE.iter().filter(|o| o.template.contains("{pk}") && !o.template.starts_with("/ext/rrpc/"))
            {
                let mut wrapped = segs[..segs.len() - 1].to_vec();
                wrapped.extend(segments(other.template));
                check(&wrapped)?;
            }
        } else {
            check(&segs)?;
        }
    }
    if matched_any {
        Ok(())
    } else {
        Err(Denied::OutsideNamespace)
    }
}

/// What a filter says about a template's `{pk}`/`{dn}` where they could match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pin<'a> {
    /// The template has no such placeholder (dynreg topics).
    Absent,
    /// A literal filter level sits there.
    Fixed(&'a str),
    /// `+` or `#` covers it: any device.
    Free,
}

/// `None` if no topic matches both the filter and the template; otherwise the pins.
/// Over-approximates (any literal fits an `{id}`), which can only deny more, never allow more
/// (a filter that overlaps nothing is denied anyway).
fn overlap<'f>(filter: &[&'f str], template: &[Seg<'_>]) -> Option<(Pin<'f>, Pin<'f>)> {
    let (mut pk, mut dn) = (Pin::Absent, Pin::Absent);
    let mut i = 0;
    for (j, seg) in template.iter().enumerate() {
        let &level = filter.get(i)?;
        if level == "#" {
            for s in &template[j..] {
                match s {
                    Seg::Pk => pk = Pin::Free,
                    Seg::Dn => dn = Pin::Free,
                    _ => {}
                }
            }
            return Some((pk, dn));
        }
        let pin = if level == "+" { Pin::Free } else { Pin::Fixed(level) };
        match seg {
            // One or more levels remain in both; they can always be made to agree.
            Seg::Path | Seg::Topic => return Some((pk, dn)),
            Seg::Lit(l) => {
                if level != "+" && level != *l {
                    return None;
                }
            }
            // A literal that no device can have (e.g. the reserved `ext`) matches nothing.
            Seg::Pk if level != "+" && !is_product_key(level) => return None,
            Seg::Dn if level != "+" && !is_device_name(level) => return None,
            Seg::Pk => pk = pin,
            Seg::Dn => dn = pin,
            Seg::Id(suffix) => {
                if level != "+" && !level.ends_with(suffix) {
                    return None;
                }
            }
            Seg::Rrpc | Seg::Msg => {}
        }
        i += 1;
    }
    match filter.get(i) {
        None | Some(&"#") => Some((pk, dn)),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alink::topic::{sample_topic, TopicKind};

    #[test]
    fn every_row_follows_its_direction() {
        for &k in TopicKind::ALL {
            let t = sample_topic(k).to_string();
            let (up, down) = match spec(k).direction {
                Direction::Up => (true, false),
                Direction::Down => (false, true),
                Direction::Both => (true, true),
            };
            let own = k != TopicKind::Register && k != TopicKind::Regnwl;
            assert_eq!(may_publish("pkA", "devA", &t), up && own, "publish {t}");
            assert_eq!(may_subscribe("pkA", "devA", &t), down && own, "subscribe {t}");
            // Never for another device, not even one whose name extends ours.
            for (p, d) in [("pkA", "devA2"), ("pkA", "devB"), ("pkB", "devA"), ("pkAx", "devA")] {
                assert!(!may_publish(p, d, &t), "{p}/{d} publish {t}");
                assert!(!may_subscribe(p, d, &t), "{p}/{d} subscribe {t}");
            }
        }
    }

    #[test]
    fn isolation_tricks() {
        let denied_pub = [
            "/sys/pkA/devA2/thing/event/property/post",
            "/sys/pkA/devA/../devB/thing/event/property/post",
            "/sys/pkA/devA/../",
            "/sys/pkA/devA/thing/event/property/post/../../../../devB/thing/event/property/post",
            "/sys/pkA/devA/thing/service/property/set",
            "/sys/pkA/devA/thing/event/property/post_reply",
            "/sys/pkA/devA/thing/event/+/post",
            "/sys/pkA/devA/#",
            "/ext/register",
            "/ext/regnwl",
            "/ext/rrpc/1/pkB/devB/user/x",
            "/pkB/devA/user/x",
            "/pkA/devA/user",
            "//sys/pkA/devA/thing/event/property/post",
            "sys/pkA/devA/thing/event/property/post",
            "/sys/pkA/devA/thing/event/property/post\0",
            "/sys/pkA/devA /thing/event/property/post",
        ];
        for t in denied_pub {
            assert!(!may_publish("pkA", "devA", t), "{t:?}");
        }
        let denied_sub = [
            "#",
            "/#",
            "/+/#",
            "/sys/#",
            "/sys/pkA/#",
            "/sys/pkA/+/#",
            "/sys/+/devA/#",
            "/sys/pkA/+/thing/service/+",
            "/sys/pkA/devA2/#",
            "/sys/pkA/devA/../devB/#",
            "/ext/#",
            "/ext/+",
            "/ext/register",
            "/ext/rrpc/#",
            "/ext/rrpc/+/#",
            "/ext/rrpc/+/sys/pkA/+/thing/service/+",
            "/ext/ntp/+/devA/response",
            "/ext/session/pkA/+/combine/login_reply",
            "/+/+/user/#",
            "/pkA/+/user/#",
            "/+/devA/user/x",
            "/ota/device/upgrade/+/+",
            "/ota/#",
            "/shadow/get/pkA/#",
            "/nothing/here/#",
            "/sys/pkA/devA/nothing/#",
            "/sys/pkA/devA/#/x",
            "/sys/pkA/devA/thing/service/+_reply",
            "/sys/pkA/devA/thing/event/property/post",
            "/sys/pkA/devA/thing/service/Reboot_reply",
        ];
        for f in denied_sub {
            assert!(!may_subscribe("pkA", "devA", f), "{f:?}");
        }
        let allowed_sub = [
            "/sys/pkA/devA/#",
            "/sys/pkA/devA/thing/#",
            "/sys/pkA/devA/thing/service/+",
            "/sys/pkA/devA/thing/event/+/post_reply",
            "/sys/pkA/devA/+/+/+/+",
            "/pkA/devA/user/#",
            "/pkA/devA/user/+/status",
            "/pkA/devA/user/cmd",
            "/ext/rrpc/+/sys/pkA/devA/thing/service/+",
            "/ext/rrpc/+/pkA/devA/user/#",
            "/ext/rrpc/+/sys/pkA/devA/#",
            "/ext/ntp/pkA/devA/#",
            "/ext/ntp/pkA/devA/+",
            "/ext/session/pkA/devA/combine/#",
            "/ota/device/upgrade/pkA/devA",
            "/ota/device/+/pkA/devA",
            "/shadow/get/pkA/devA",
            "/ext/error/pkA/devA",
        ];
        for f in allowed_sub {
            assert!(may_subscribe("pkA", "devA", f), "{f:?}");
            assert!(!may_subscribe("pkA", "devB", f), "devB {f:?}");
        }
    }

    #[test]
    fn reserved_product_keys_cannot_reach_system_prefixes() {
        // A device whose pk/dn spell "ext"/"rrpc" must not read every device's RRPC.
        assert!(!may_subscribe("ext", "rrpc", "/ext/rrpc/#"));
        assert!(!may_subscribe("ext", "ntp", "/ext/ntp/#"));
        assert!(!may_subscribe("shadow", "update", "/shadow/update/#"));
        assert!(!may_publish("ext", "ntp", "/ext/ntp/user/x"));
    }

    #[test]
    fn gateway_acts_for_its_sub_devices_only() {
        let is_sub = |p: &str, d: &str| p == "spk" && (d == "sub1" || d == "sub2");
        let gw = |t: &str| may_publish_as_gateway("gpk", "gw01", is_sub, t);
        assert!(gw("/sys/gpk/gw01/thing/topo/add"));
        assert!(gw("/ext/session/gpk/gw01/combine/batch_login"));
        assert!(gw("/sys/spk/sub1/thing/event/property/post"));
        assert!(gw("/sys/spk/sub2/thing/service/Reboot_reply"));
        assert!(!gw("/sys/spk/sub3/thing/event/property/post"));
        assert!(!gw("/sys/spk/sub1/thing/service/property/set"));
        assert!(!gw("/sys/other/gw01/thing/event/property/post"));
        let sub = |f: &str| may_subscribe_as_gateway("gpk", "gw01", is_sub, f);
        assert!(sub("/sys/spk/sub1/#"));
        assert!(sub("/sys/gpk/gw01/#"));
        assert!(sub("/sys/spk/sub1/thing/service/property/set"));
        assert!(!sub("/sys/spk/+/#"));
        assert!(!sub("/sys/spk/sub3/#"));
        // Plain devices have no sub-devices.
        assert!(!may_publish("gpk", "gw01", "/sys/spk/sub1/thing/event/property/post"));
    }

    #[test]
    fn denial_reasons() {
        let r = authorize_publish("pkA", "devA", no_subs, "/sys/pkA/devA/thing/event/property/post");
        assert_eq!(r.map(|t| t.kind()), Ok(TopicKind::PropertyPost));
        assert_eq!(
            authorize_publish("pkA", "devA", no_subs, "/sys/pkA/devB/thing/event/property/post"),
            Err(Denied::NotOwner)
        );
        assert_eq!(
            authorize_publish("pkA", "devA", no_subs, "/sys/pkA/devA/thing/service/property/set"),
            Err(Denied::WrongDirection)
        );
        assert_eq!(authorize_publish("pkA", "devA", no_subs, "/x"), Err(Denied::InvalidTopic(TopicError::Unknown)));
        assert_eq!(
            authorize_subscribe("pkA", "devA", no_subs, "#"),
            Err(Denied::InvalidTopic(TopicError::NotAbsolute))
        );
        assert_eq!(authorize_subscribe("pkA", "devA", no_subs, "/sys/+/devA/#"), Err(Denied::OutsideNamespace));
    }
}

//! Server-side subscriptions (ALINK.md 2): Py and C4 never SUBSCRIBE to system topics, yet get
//! every downlink. The filters here, derived from [`TOPIC_TABLE`], are what a device needs on a
//! broker that routes by topic (an external broker; they would need MQTT 5 `no_local`, see
//! BROKER.md, or same-topic RRPC replies are echoed). The embedded broker delivers downlinks
//! addressed to the device's session instead and subscribes only registration sessions
//! ([`dynreg_session_filters`]).

use super::acl::may_subscribe;
use super::filter::{filter_matches, has_wildcard};
use super::table::{segments, Auto, Seg, TopicSpec, TOPIC_TABLE};

/// `{pk}`/`{dn}` filled in, every other placeholder turned into `+`.
fn filter_of(row: &TopicSpec, pk: &str, dn: &str) -> String {
    let mut out = String::new();
    for seg in segments(row.template) {
        out.push('/');
        match seg {
            Seg::Lit(l) => out.push_str(l),
            Seg::Pk => out.push_str(pk),
            Seg::Dn => out.push_str(dn),
            // `{id}_reply` cannot be a filter level; no auto row uses it (a test checks).
            Seg::Id(_) | Seg::Rrpc | Seg::Msg => out.push('+'),
            Seg::Path | Seg::Topic => out.push('#'),
        }
    }
    out
}

fn filters(auto: Auto, pk: &str, dn: &str) -> Vec<String> {
    let all: Vec<String> = TOPIC_TABLE.iter().filter(|r| r.auto == auto).map(|r| filter_of(r, pk, dn)).collect();
    // Drop filters another one already covers (property `post_reply` is in `event/+/post_reply`).
    all.iter().filter(|f| !all.iter().any(|g| g != *f && filter_matches(g, f))).cloned().collect()
}

/// The namespaces of one device's downlink topics: a few wildcard filters instead of one per
/// topic (each filter is a trie path and a subscription record per session in the broker).
/// Delivery to a device is addressed to its session anyway; these only decide what broker
/// routing may reach it, and every topic under them is the device's own.
fn device_namespaces(pk: &str, dn: &str) -> [String; 7] {
    [
        format!("/sys/{pk}/{dn}/#"),
        format!("/ext/rrpc/+/sys/{pk}/{dn}/#"),
        format!("/ota/device/upgrade/{pk}/{dn}"),
        format!("/shadow/get/{pk}/{dn}"),
        format!("/ext/ntp/{pk}/{dn}/response"),
        format!("/ext/error/{pk}/{dn}"),
        format!("/ext/session/{pk}/{dn}/#"),
    ]
}

/// The downlink filters the broker subscribes for an authenticated device session: the
/// device's namespaces ([`device_namespaces`]), each covering the per-topic filters of
/// [`TOPIC_TABLE`] under it. A namespace wildcard that could also match a topic of another
/// device (e.g. a device named `user` in a product whose key looks like a topic level) is
/// replaced by the exact filters it covers, so the set never reaches beyond the device.
pub fn server_side_filters(pk: &str, dn: &str) -> Vec<String> {
    let exact = filters(Auto::Device, pk, dn);
    let mut out = Vec::new();
    for ns in device_namespaces(pk, dn) {
        if !has_wildcard(&ns) || may_subscribe(pk, dn, &ns) {
            out.push(ns);
        } else {
            out.extend(exact.iter().filter(|f| filter_matches(&ns, f)).cloned());
        }
    }
    // Anything no namespace covers keeps its own filter (none today; a test checks).
    let rest: Vec<String> = exact.into_iter().filter(|f| !out.iter().any(|g| filter_matches(g, f))).collect();
    out.extend(rest);
    out
}

/// `/ext/register` and `/ext/regnwl`, for a dynamic-registration session only.
///
/// These topics carry no device in their name: every registering session shares them. The
/// answer (a deviceSecret or token!) must therefore be **delivered to that one session
/// directly** (rmqtt `SessionState::forwards`), never published through routing, or two
/// concurrent registrations would read each other's secrets. Subscribing them is only what
/// makes the session accept the push. Device sessions never get them, and the ACL refuses them.
pub fn dynreg_session_filters() -> Vec<String> {
    filters(Auto::Dynreg, "", "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alink::acl::may_subscribe;

    #[test]
    fn device_filters_are_subscribable_and_own() {
        let f = server_side_filters("pkA", "devA");
        assert_eq!(
            f,
            [
                "/sys/pkA/devA/#",
                "/ext/rrpc/+/sys/pkA/devA/#",
                "/ota/device/upgrade/pkA/devA",
                "/shadow/get/pkA/devA",
                "/ext/ntp/pkA/devA/response",
                "/ext/error/pkA/devA",
                "/ext/session/pkA/devA/#",
            ]
        );
        // Every per-topic filter of the table is covered.
        for x in filters(Auto::Device, "pkA", "devA") {
            assert!(f.iter().any(|g| filter_matches(g, &x)), "{x} not covered");
        }
        for x in &f {
            assert!(may_subscribe("pkA", "devA", x), "{x}");
            assert!(!may_subscribe("pkA", "devB", x), "{x}");
            assert!(!may_subscribe("pkA", "devA2", x), "{x}");
            assert!(!may_subscribe("pkB", "devA", x), "{x}");
        }
        assert!(!f.iter().any(|x| x.starts_with("/ext/reg")));
    }

    #[test]
    fn a_namespace_that_could_reach_another_device_falls_back_to_exact_filters() {
        // `/sys/sys/user/#` would also match custom topics `/sys/user/…` of device (sys, user)…
        // the fallback keeps the set inside the device's own topics whatever the names are.
        for (pk, dn) in [("sys", "user"), ("pkA", "user"), ("ext", "rrpc"), ("sys", "sys")] {
            let f = server_side_filters(pk, dn);
            let exact = filters(Auto::Device, pk, dn);
            for x in &f {
                // A wildcard only where the ACL proves it reaches no one else; otherwise the
                // exact filters the per-topic list always had.
                assert!(exact.contains(x) || (has_wildcard(x) && may_subscribe(pk, dn, x)), "{pk}/{dn}: {x}");
            }
            if (pk, dn) == ("sys", "user") {
                assert!(f.len() > 7, "{pk}/{dn}: `/sys/{pk}/user/#` must fall back: {f:#?}");
            }
            for x in exact {
                assert!(f.iter().any(|g| filter_matches(g, &x)), "{pk}/{dn}: {x} not covered");
            }
        }
    }

    #[test]
    fn dynreg_filters() {
        assert_eq!(dynreg_session_filters(), vec!["/ext/register".to_string(), "/ext/regnwl".to_string()]);
    }

    #[test]
    fn no_auto_row_has_a_suffixed_id() {
        for r in TOPIC_TABLE.iter().filter(|r| r.auto != Auto::No) {
            assert!(!r.template.contains("}_"), "{}", r.template);
            assert!(!r.template.contains("{path}") && !r.template.contains("{topic}"), "{}", r.template);
        }
    }
}

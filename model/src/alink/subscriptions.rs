//! Server-side subscriptions (ALINK.md 2): Py and C4 never SUBSCRIBE to system topics, so the
//! broker subscribes each session itself, with these filters derived from [`TOPIC_TABLE`].
//!
//! The broker must give them MQTT 5 `no_local` (see BROKER.md): same-topic RRPC replies would
//! otherwise be echoed to the device.

use super::client_id::AuthType;
use super::filter::filter_matches;
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

/// The downlink filters the broker subscribes for an authenticated device session.
pub fn server_side_filters(pk: &str, dn: &str) -> Vec<String> {
    filters(Auto::Device, pk, dn)
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

/// The filters for a session by its clientId `authType`: dynreg for `register`/`regnwl`,
/// none for unknown types, the device filters otherwise.
pub fn session_filters(auth_type: Option<&AuthType>, pk: &str, dn: &str) -> Vec<String> {
    match auth_type {
        None | Some(AuthType::Connwl) => server_side_filters(pk, dn),
        Some(AuthType::Register | AuthType::Regnwl) => dynreg_session_filters(),
        Some(AuthType::Other(_)) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alink::acl::may_subscribe;

    #[test]
    fn device_filters_are_subscribable_and_own() {
        let f = server_side_filters("pkA", "devA");
        assert!(f.contains(&"/sys/pkA/devA/thing/service/+".to_string()));
        assert!(f.contains(&"/sys/pkA/devA/thing/service/property/set".to_string()));
        assert!(f.contains(&"/ext/rrpc/+/sys/pkA/devA/thing/service/+".to_string()));
        assert!(
            !f.contains(&"/sys/pkA/devA/thing/event/property/post_reply".to_string()),
            "covered by event/+/post_reply"
        );
        for x in &f {
            assert!(may_subscribe("pkA", "devA", x), "{x}");
            assert!(!may_subscribe("pkA", "devB", x), "{x}");
            assert!(!x.contains("_reply") || !x.contains("+_reply"), "{x}");
        }
        assert!(!f.iter().any(|x| x.starts_with("/ext/reg")));
    }

    #[test]
    fn dynreg_filters() {
        assert_eq!(dynreg_session_filters(), vec!["/ext/register".to_string(), "/ext/regnwl".to_string()]);
        assert_eq!(session_filters(Some(&AuthType::Register), "p", "d"), dynreg_session_filters());
        assert_eq!(session_filters(None, "p", "dddd"), server_side_filters("p", "dddd"));
        assert!(session_filters(Some(&AuthType::Other("x".into())), "p", "d").is_empty());
    }

    #[test]
    fn no_auto_row_has_a_suffixed_id() {
        for r in TOPIC_TABLE.iter().filter(|r| r.auto != Auto::No) {
            assert!(!r.template.contains("}_"), "{}", r.template);
            assert!(!r.template.contains("{path}") && !r.template.contains("{topic}"), "{}", r.template);
        }
    }
}

//! What the "live" badge says: the state of the WebSocket **and** of the last REST load.
//!
//! Green only when both are good. A WebSocket that is up says nothing about a REST load that
//! just failed (and the other way round), so each is tracked on its own and combined here,
//! purely, so the rules can be tested without a browser.

use crate::state::LiveState;

/// How the REST side is doing: only network-level failures (no answer at all) count; a 404 or
/// a refused form is an answer, so the server is reachable.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct RestHealth {
    /// The last request got no answer, and none answered since.
    pub failing: bool,
    /// When the console last had fresh data (a REST answer or a live frame), epoch ms.
    pub last_ok: Option<f64>,
}

/// What the badge shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Badge {
    /// Not signed in / no live connection wanted.
    Idle,
    /// Opening the first connection (amber).
    Connecting,
    /// Connection lost, trying again; the server may just be restarting (amber).
    Reconnecting,
    /// The server cannot be reached: the data on screen is as of `last_ok` (red).
    Offline { last_ok: Option<f64> },
    /// WebSocket up and the last REST load answered (green).
    Live,
}

/// After this many failed reconnects in a row the connection is called offline, not merely
/// reconnecting: one failure is a blip (server restart), three (≈ 7 s) is an outage.
pub const OFFLINE_AFTER_FAILURES: u32 = 3;

/// Combine the WebSocket state, its failed reconnects in a row, the REST health, and whether
/// the browser itself says it has no network (`navigator.onLine` false: no need to wait for
/// failures to know).
pub fn badge(ws: LiveState, ws_failures: u32, rest: RestHealth, browser_offline: bool) -> Badge {
    if ws == LiveState::Idle {
        return Badge::Idle;
    }
    let gave_up = ws == LiveState::Reconnecting && ws_failures >= OFFLINE_AFTER_FAILURES;
    if rest.failing || gave_up || browser_offline {
        return Badge::Offline { last_ok: rest.last_ok };
    }
    match ws {
        LiveState::Live => Badge::Live,
        LiveState::Connecting => Badge::Connecting,
        _ => Badge::Reconnecting,
    }
}

impl Badge {
    /// `data-state` of the badge (tests and CSS read it).
    pub fn as_str(self) -> &'static str {
        match self {
            Badge::Idle => "idle",
            Badge::Connecting => "connecting",
            Badge::Reconnecting => "reconnecting",
            Badge::Offline { .. } => "offline",
            Badge::Live => "live",
        }
    }

    /// Whether the page should say in words that the server cannot be reached.
    pub fn is_offline(self) -> bool {
        matches!(self, Badge::Offline { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: RestHealth = RestHealth { failing: false, last_ok: Some(1.0) };
    const FAILING: RestHealth = RestHealth { failing: true, last_ok: Some(1.0) };

    #[test]
    fn green_only_when_the_socket_and_the_last_load_are_both_good() {
        assert_eq!(badge(LiveState::Live, 0, OK, false), Badge::Live);
        assert_eq!(badge(LiveState::Live, 0, FAILING, false), Badge::Offline { last_ok: Some(1.0) });
        assert_eq!(badge(LiveState::Live, 0, RestHealth::default(), false), Badge::Live);
    }

    #[test]
    fn a_dropped_socket_is_amber_first_then_red() {
        assert_eq!(badge(LiveState::Reconnecting, 0, OK, false), Badge::Reconnecting);
        assert_eq!(badge(LiveState::Reconnecting, OFFLINE_AFTER_FAILURES - 1, OK, false), Badge::Reconnecting);
        assert_eq!(
            badge(LiveState::Reconnecting, OFFLINE_AFTER_FAILURES, OK, false),
            Badge::Offline { last_ok: Some(1.0) }
        );
        assert_eq!(badge(LiveState::Connecting, 0, OK, false), Badge::Connecting);
    }

    #[test]
    fn a_browser_without_network_is_offline_at_once() {
        assert_eq!(badge(LiveState::Live, 0, OK, true), Badge::Offline { last_ok: Some(1.0) });
        assert_eq!(badge(LiveState::Reconnecting, 0, OK, true), Badge::Offline { last_ok: Some(1.0) });
    }

    #[test]
    fn signed_out_is_idle_whatever_else() {
        assert_eq!(badge(LiveState::Idle, 9, FAILING, true), Badge::Idle);
        assert_eq!(Badge::Idle.as_str(), "idle");
        assert!(Badge::Offline { last_ok: None }.is_offline() && !Badge::Live.is_offline());
    }
}

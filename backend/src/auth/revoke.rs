//! Revocation reaches live sockets. REST checks the credential on every request; a WebSocket
//! was checked once, at its upgrade, and kept streaming after a logout, a disabled or deleted
//! user, or a revoked token. Every place that ends credentials calls [`Revocations::revoke`];
//! each open socket then re-checks its own credential ([`super::session::still_valid`]) and
//! closes with [`SIGNED_OUT`] if it no longer admits the user.
//!
//! A counter on a `watch` channel rather than a message per revocation: a socket cannot lag
//! behind and miss one, and it need not know what was revoked — it asks the store.

use std::sync::Arc;

use tokio::sync::watch;

/// The WebSocket close code for "your credential was revoked" (4000–4999 are for applications).
pub const SIGNED_OUT: u16 = 4001;

#[derive(Clone)]
pub struct Revocations(Arc<watch::Sender<u64>>);

impl Default for Revocations {
    fn default() -> Self {
        Revocations(Arc::new(watch::channel(0).0))
    }
}

impl Revocations {
    /// Some credential ended: every live socket re-checks its own.
    pub fn revoke(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// For a live socket: changes whenever [`Revocations::revoke`] is called.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}

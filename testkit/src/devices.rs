//! Devices of a `.gateway()` app: [`devclient::Client`]s signed in with
//! `model::alink::sign::Credentials`, refused with the CONNACK code as a value.

use devclient::{Behaviour, Client, Closed, ConnackCode, ConnectOptions, Message};

use crate::app::TestApp;
use crate::wait::DEADLINE;

/// CONNECT options for `c`: MQTT 3.1.1, clean session, keepalive 30 s, [`DEADLINE`] for the
/// CONNACK. Change any field for a test that needs another (MQTT 3.1, a short keepalive).
pub fn options(c: &model::alink::sign::Credentials) -> ConnectOptions {
    ConnectOptions {
        keep_alive: 30,
        connack_timeout: DEADLINE,
        ..ConnectOptions::new(c.client_id.clone()).login(c.username.clone(), c.password.clone())
    }
}

impl TestApp {
    /// Connect a device with [`options`]: the running client, or the code it was refused with.
    pub async fn connect(&self, c: &model::alink::sign::Credentials) -> Result<Client, ConnackCode> {
        self.connect_with(&options(c), Behaviour::default()).await
    }

    /// Connect with any options and behaviour (no pings, a larger inbox). Anything but a
    /// CONNACK (a timeout, a closed socket) fails the test.
    pub async fn connect_with(&self, o: &ConnectOptions, b: Behaviour) -> Result<Client, ConnackCode> {
        match Client::connect_with(self.mqtt_addr(), o, b).await {
            Ok(c) => Ok(c),
            Err(e) => Err(e.refused().unwrap_or_else(|| panic!("{}: connect failed: {e}", o.client_id))),
        }
    }
}

/// Deadline-bounded reads of a device's connection.
// Only tests call these, on their own task: no `Send` bound is needed on the futures.
#[allow(async_fn_in_trait)]
pub trait Inbox {
    /// The next message the device received.
    async fn next_message(&mut self) -> Message;
    /// Why the connection ended, once it has.
    async fn wait_closed(&mut self) -> Closed;
}

impl Inbox for Client {
    async fn next_message(&mut self) -> Message {
        self.recv_within(DEADLINE).await.expect("no message in time (or the connection ended)")
    }

    async fn wait_closed(&mut self) -> Closed {
        self.closed_within(DEADLINE).await.expect("not disconnected in time")
    }
}

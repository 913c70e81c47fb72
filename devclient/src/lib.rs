//! One Alink device client for everything that plays a device: the tests, loadgen, the device
//! simulator and the demo fleet.
//!
//! # Layers
//! - [`wire`]: rumqttc's MQTT packet codec over a socket we own, as a [`Reader`] and a
//!   [`Writer`]. No event loop: loadgen drives these directly in its hot loops.
//! - [`connect`]: CONNECT/CONNACK over TCP (optionally from a chosen source address) or any
//!   stream (TLS); MQTT 3.1.1 and 3.1. The CONNACK code is a value ([`Handshake`]).
//! - [`client`]: a [`Client`] runs a connection in **one task**: PUBACK tracking (`publish`
//!   awaits the ack), SUBSCRIBE/SUBACK, PINGREQ, an inbox, graceful DISCONNECT vs dropping the
//!   socket (seed codes 200 vs 1911); a [`Publisher`] posts from another task.
//! - [`alink`]: a [`Device`] signs in like the C 3.x / C 4.x / Python SDKs (signing from
//!   `model`), posts and awaits `_reply` by Alink id, and answers property set/get, services,
//!   sync services over RRPC and classic RRPC through a [`Handler`], in the same task.
//! - [`fleet`]: connect N of any of the above with bounded concurrency.
//!
//! Cost per device: one socket, two small buffers, one task and two channels — 10,000 devices
//! on one box are cheap (one rumqttc event loop per device is not).

pub mod alink;
pub mod client;
pub mod connect;
pub mod error;
pub mod fleet;
pub mod wire;

pub use alink::{AcceptAll, Answer, Call, CallKind, Device, DeviceOptions, Handler, Identity, Scheme};
pub use client::{Behaviour, Client, Closed, Intercept, Message, Outgoing, Publisher};
pub use connect::{handshake, handshake_over, ConnackCode, ConnectOptions, Handshake, Protocol};
pub use error::Error;
pub use fleet::{connect_all, source_ip, Connected, PER_SOURCE_IP, SOURCE_IPS};
pub use wire::{ack_if_publish, Reader, Writer};

/// Signing and SDK kinds come from `model`.
pub use model::alink::sign::{Credentials, SignMethod};
pub use model::alink::Sdk;
/// The codec's types, so users need no direct rumqttc dependency.
pub use rumqttc::mqttbytes::v4::{Packet, Publish, SubscribeReasonCode};
pub use rumqttc::mqttbytes::QoS;

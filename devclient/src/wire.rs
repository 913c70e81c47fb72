//! The MQTT wire: rumqttc's packet codec over a socket we own, split into a [`Reader`] and a
//! [`Writer`]. Owning the socket is what lets a client bind its source address (127.0.0.x: more
//! than ~28k connections to one port need several) and what keeps a device at one socket and two
//! small buffers — no event loop, no reconnect machinery.
//!
//! This is the layer loadgen drives directly in its hot loops; [`crate::Client`] runs it in one
//! task per device for everyone else.

use bytes::{Bytes, BytesMut};
use rumqttc::mqttbytes::v4::{Packet, PubAck, Publish, Subscribe, SubscribeFilter};
use rumqttc::mqttbytes::{Error as CodecError, QoS};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use crate::error::Error;

/// Largest packet accepted from a broker.
pub const MAX_PACKET: usize = 1 << 20;

/// Reads packets from the broker. Generic so a TLS stream works too; TCP by default.
pub struct Reader<R = OwnedReadHalf> {
    rd: R,
    buf: BytesMut,
}

impl<R: AsyncRead + Unpin> Reader<R> {
    pub fn new(rd: R) -> Self {
        Reader { rd, buf: BytesMut::with_capacity(512) }
    }

    /// A packet already received and buffered, without waiting for the socket.
    pub fn buffered(&mut self) -> Result<Option<Packet>, Error> {
        match Packet::read(&mut self.buf, MAX_PACKET) {
            Ok(p) => Ok(Some(p)),
            Err(CodecError::InsufficientBytes(_)) => Ok(None),
            Err(e) => Err(Error::Codec(e.to_string())),
        }
    }

    /// The next packet; `None` when the broker closed the connection. Cancel-safe (usable in
    /// `select!`): a partly read packet stays in the buffer.
    pub async fn next(&mut self) -> Result<Option<Packet>, Error> {
        loop {
            if let Some(p) = self.buffered()? {
                return Ok(Some(p));
            }
            if self.buf.capacity() - self.buf.len() < 256 {
                self.buf.reserve(4096);
            }
            if self.rd.read_buf(&mut self.buf).await? == 0 {
                return Ok(None);
            }
        }
    }
}

/// Queues packets and writes them in one go on [`Writer::flush`], so a burst of publishes costs
/// one syscall.
pub struct Writer<W = OwnedWriteHalf> {
    wr: W,
    out: BytesMut,
    next_pkid: u16,
}

impl<W: AsyncWrite + Unpin> Writer<W> {
    pub fn new(wr: W) -> Self {
        Writer { wr, out: BytesMut::with_capacity(512), next_pkid: 0 }
    }

    /// Packet ids 1..=65535, wrapping (0 is not a legal packet id).
    fn pkid(&mut self) -> u16 {
        self.next_pkid = self.next_pkid.checked_add(1).unwrap_or(1);
        self.next_pkid
    }

    /// Queue a PUBLISH; returns its packet id (0 for QoS 0). QoS 2 is sent as QoS 1: no Link
    /// SDK uses it and the broker downgrades it anyway.
    pub fn publish(&mut self, topic: &str, qos: QoS, payload: Bytes) -> u16 {
        let qos = if qos == QoS::ExactlyOnce { QoS::AtLeastOnce } else { qos };
        let mut p = Publish::from_bytes(topic, qos, payload);
        if qos != QoS::AtMostOnce {
            p.pkid = self.pkid();
        }
        // Cannot fail: the codec only refuses payloads over MQTT's 256 MB limit.
        let _ = p.write(&mut self.out);
        p.pkid
    }

    pub fn puback(&mut self, pkid: u16) {
        let _ = PubAck::new(pkid).write(&mut self.out);
    }

    pub fn pingreq(&mut self) {
        let _ = Packet::PingReq.write(&mut self.out, MAX_PACKET);
    }

    /// Queue a SUBSCRIBE for `filters`; returns its packet id.
    pub fn subscribe_many(&mut self, filters: &[(String, QoS)]) -> u16 {
        let mut s = Subscribe::new_many(filters.iter().map(|(f, q)| SubscribeFilter::new(f.clone(), *q)));
        s.pkid = self.pkid();
        let _ = s.write(&mut self.out);
        s.pkid
    }

    pub fn subscribe(&mut self, filter: &str, qos: QoS) -> u16 {
        self.subscribe_many(&[(filter.to_string(), qos)])
    }

    pub fn disconnect(&mut self) {
        let _ = Packet::Disconnect.write(&mut self.out, MAX_PACKET);
    }

    /// Queue raw bytes: a hand-made packet (an MQTT 3.1 CONNECT, a fake broker's CONNACK, a
    /// malformed packet for a robustness test).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// Write everything queued.
    pub async fn flush(&mut self) -> std::io::Result<()> {
        if !self.out.is_empty() {
            self.wr.write_all(&self.out).await?;
            self.out.clear();
        }
        self.wr.flush().await
    }

    /// Flush, then close our sending side (FIN) so the broker sees the end right away.
    pub async fn shutdown(&mut self) -> std::io::Result<()> {
        self.flush().await?;
        self.wr.shutdown().await
    }
}

/// An incoming PUBLISH that needs a PUBACK gets one queued; returns the publish if it is one.
pub fn ack_if_publish<W: AsyncWrite + Unpin>(w: &mut Writer<W>, p: Packet) -> Option<Publish> {
    match p {
        Packet::Publish(p) => {
            if p.qos != QoS::AtMostOnce {
                w.puback(p.pkid);
            }
            Some(p)
        }
        _ => None,
    }
}

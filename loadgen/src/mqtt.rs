//! A minimal MQTT 3.1.1 client: rumqttc's packet codec over our own TCP socket, so a client can
//! bind its source address (127.0.0.x: more than ~28k connections to one port need several) and
//! so one task per device costs a socket and two small buffers, nothing more.
//!
//! Both brokers are driven by this same client, so client-side overhead is the same in the
//! fleetdeck run and in its Mosquitto baseline.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{bail, Context};
use bytes::{Bytes, BytesMut};
use rumqttc::mqttbytes::v4::{Connect, Packet, PubAck, Publish, Subscribe};
use rumqttc::mqttbytes::{Error as CodecError, QoS};
use rumqttc::ConnectReturnCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpSocket;

/// Largest packet accepted from a broker.
const MAX_PACKET: usize = 1 << 20;

/// What goes into CONNECT.
#[derive(Debug, Clone)]
pub struct Login {
    pub client_id: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub keep_alive: u16,
}

/// The CONNACK refused the connection.
#[derive(Debug)]
pub struct Refused(pub u8);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CONNACK refused with code {}", self.0)
    }
}

impl std::error::Error for Refused {}

/// Connect (optionally from `src`), send CONNECT, wait for CONNACK.
pub async fn connect(
    broker: SocketAddr,
    src: Option<IpAddr>,
    login: &Login,
    timeout: Duration,
) -> anyhow::Result<(Reader, Writer)> {
    let fut = async {
        let socket = TcpSocket::new_v4()?;
        if let Some(ip) = src {
            // The port is then picked at connect time and shared as long as the 4-tuple is
            // unique: binding 100k sockets must not use up the ephemeral ports of the machine.
            nix::sys::socket::setsockopt(&socket, nix::sys::socket::sockopt::IpBindAddressNoPort, &true)
                .with_context(|| "IP_BIND_ADDRESS_NO_PORT")?;
            socket.bind(SocketAddr::new(ip, 0)).with_context(|| format!("bind {ip}"))?;
        }
        let stream = socket.connect(broker).await.with_context(|| format!("connect {broker}"))?;
        stream.set_nodelay(true)?;
        let (rd, wr) = stream.into_split();
        let mut reader = Reader { rd, buf: BytesMut::with_capacity(512) };
        let mut writer = Writer { wr, out: BytesMut::with_capacity(512), next_pkid: 0 };
        let mut c = Connect::new(login.client_id.clone());
        c.keep_alive = login.keep_alive;
        c.clean_session = true;
        if let (Some(u), Some(p)) = (&login.username, &login.password) {
            c.set_login(u.clone(), p.clone());
        }
        c.write(&mut writer.out).map_err(codec)?;
        writer.flush().await?;
        match reader.next().await? {
            Some(Packet::ConnAck(a)) if a.code == ConnectReturnCode::Success => Ok((reader, writer)),
            Some(Packet::ConnAck(a)) => Err(anyhow::Error::new(Refused(a.code as u8))),
            Some(other) => bail!("expected CONNACK, got {other:?}"),
            None => bail!("connection closed before CONNACK"),
        }
    };
    tokio::time::timeout(timeout, fut).await.map_err(|_| anyhow::anyhow!("no CONNACK within {timeout:?}"))?
}

fn codec(e: CodecError) -> anyhow::Error {
    anyhow::anyhow!("MQTT codec: {e}")
}

pub struct Reader {
    rd: OwnedReadHalf,
    buf: BytesMut,
}

impl Reader {
    /// A packet already received and buffered, without waiting for the socket.
    pub fn buffered(&mut self) -> anyhow::Result<Option<Packet>> {
        match Packet::read(&mut self.buf, MAX_PACKET) {
            Ok(p) => Ok(Some(p)),
            Err(CodecError::InsufficientBytes(_)) => Ok(None),
            Err(e) => Err(codec(e)),
        }
    }

    /// The next packet; `None` when the broker closed the connection. Cancel-safe: a partly
    /// read packet stays in the buffer.
    pub async fn next(&mut self) -> anyhow::Result<Option<Packet>> {
        loop {
            match Packet::read(&mut self.buf, MAX_PACKET) {
                Ok(p) => return Ok(Some(p)),
                Err(CodecError::InsufficientBytes(_)) => {}
                Err(e) => return Err(codec(e)),
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

pub struct Writer {
    wr: OwnedWriteHalf,
    out: BytesMut,
    next_pkid: u16,
}

impl Writer {
    fn pkid(&mut self) -> u16 {
        self.next_pkid = self.next_pkid.checked_add(1).unwrap_or(1);
        self.next_pkid
    }

    /// Queue a PUBLISH (written by [`Writer::flush`]); returns its packet id (0 for QoS 0).
    pub fn publish(&mut self, topic: &str, qos: QoS, payload: Bytes) -> u16 {
        let mut p = Publish::from_bytes(topic, qos, payload);
        if qos != QoS::AtMostOnce {
            p.pkid = self.pkid();
        }
        // Cannot fail: the topic is short and the payload far below the 256 MB MQTT limit.
        let _ = p.write(&mut self.out);
        p.pkid
    }

    pub fn puback(&mut self, pkid: u16) {
        let _ = PubAck::new(pkid).write(&mut self.out);
    }

    pub fn pingreq(&mut self) {
        let _ = Packet::PingReq.write(&mut self.out, MAX_PACKET);
    }

    pub fn subscribe(&mut self, filter: &str, qos: QoS) {
        let mut s = Subscribe::new(filter, qos);
        s.pkid = self.pkid();
        let _ = s.write(&mut self.out);
    }

    pub fn disconnect(&mut self) {
        let _ = Packet::Disconnect.write(&mut self.out, MAX_PACKET);
    }

    /// Write everything queued, in one go.
    pub async fn flush(&mut self) -> std::io::Result<()> {
        if !self.out.is_empty() {
            self.wr.write_all(&self.out).await?;
            self.out.clear();
        }
        Ok(())
    }
}

/// An incoming PUBLISH that needs a PUBACK gets one queued; returns the publish if it is one.
pub fn ack_if_publish(w: &mut Writer, p: Packet) -> Option<Publish> {
    match p {
        Packet::Publish(p) => {
            if p.qos == QoS::AtLeastOnce {
                w.puback(p.pkid);
            }
            Some(p)
        }
        _ => None,
    }
}

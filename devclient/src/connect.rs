//! CONNECT → CONNACK: the options a device sends, over TCP (optionally from a chosen source
//! address) or over any stream (TLS). MQTT 3.1.1 through rumqttc's codec; MQTT 3.1 (`MQIsdp`,
//! Py's `protocol="MQTTv31"`) encoded here because no codec at hand writes it. MQTT 5 is not
//! spoken: no Link SDK uses it.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use bytes::BytesMut;
use rumqttc::mqttbytes::v4::{Connect, ConnectReturnCode, Packet};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpSocket;

use crate::error::Error;
use crate::wire::{Reader, Writer};

/// The protocol level in CONNECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// MQTT 3.1.1 (level 4): what every Link SDK sends by default.
    #[default]
    V311,
    /// MQTT 3.1 (level 3, protocol name `MQIsdp`).
    V31,
}

/// What goes into CONNECT, and how long to wait for the CONNACK.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub client_id: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Seconds; 0 turns the broker's keepalive check off.
    pub keep_alive: u16,
    /// The Link SDKs send clean session except C3 (clean=0).
    pub clean_session: bool,
    pub protocol: Protocol,
    /// Bind this local address first (port picked at connect time).
    pub source: Option<IpAddr>,
    pub connack_timeout: Duration,
}

impl ConnectOptions {
    /// Clean session, 60 s keepalive (Py's default), MQTT 3.1.1, 10 s for the CONNACK.
    pub fn new(client_id: impl Into<String>) -> Self {
        ConnectOptions {
            client_id: client_id.into(),
            username: None,
            password: None,
            keep_alive: 60,
            clean_session: true,
            protocol: Protocol::V311,
            source: None,
            connack_timeout: Duration::from_secs(10),
        }
    }

    pub fn login(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self.password = Some(password.into());
        self
    }

    /// CONNECT as a packet, for either protocol level.
    pub fn encode(&self, out: &mut BytesMut) -> Result<(), Error> {
        match self.protocol {
            Protocol::V311 => {
                let mut c = Connect::new(self.client_id.clone());
                c.keep_alive = self.keep_alive;
                c.clean_session = self.clean_session;
                if let (Some(u), Some(p)) = (&self.username, &self.password) {
                    c.set_login(u.clone(), p.clone());
                }
                c.write(out).map_err(|e| Error::Codec(e.to_string()))?;
            }
            Protocol::V31 => encode_v31(self, out)?,
        }
        Ok(())
    }
}

/// The CONNACK return code (MQTT 3.1/3.1.1 table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnackCode {
    Accepted,
    BadProtocol,
    ClientIdRejected,
    ServerUnavailable,
    BadCredentials,
    NotAuthorized,
}

impl ConnackCode {
    pub fn as_u8(self) -> u8 {
        match self {
            ConnackCode::Accepted => 0,
            ConnackCode::BadProtocol => 1,
            ConnackCode::ClientIdRejected => 2,
            ConnackCode::ServerUnavailable => 3,
            ConnackCode::BadCredentials => 4,
            ConnackCode::NotAuthorized => 5,
        }
    }
}

impl From<ConnectReturnCode> for ConnackCode {
    fn from(c: ConnectReturnCode) -> Self {
        match c {
            ConnectReturnCode::Success => ConnackCode::Accepted,
            ConnectReturnCode::RefusedProtocolVersion => ConnackCode::BadProtocol,
            ConnectReturnCode::BadClientId => ConnackCode::ClientIdRejected,
            ConnectReturnCode::ServiceUnavailable => ConnackCode::ServerUnavailable,
            ConnectReturnCode::BadUserNamePassword => ConnackCode::BadCredentials,
            ConnectReturnCode::NotAuthorized => ConnackCode::NotAuthorized,
        }
    }
}

/// The outcome of a handshake the broker answered.
pub enum Handshake<R, W> {
    Accepted(Reader<R>, Writer<W>),
    Refused(ConnackCode),
}

impl<R, W> Handshake<R, W> {
    pub fn code(&self) -> ConnackCode {
        match self {
            Handshake::Accepted(..) => ConnackCode::Accepted,
            Handshake::Refused(c) => *c,
        }
    }

    /// The connection, or [`Error::Refused`].
    pub fn accepted(self) -> Result<(Reader<R>, Writer<W>), Error> {
        match self {
            Handshake::Accepted(r, w) => Ok((r, w)),
            Handshake::Refused(c) => Err(Error::Refused(c)),
        }
    }
}

/// TCP connect to `broker` (from `o.source` if set), CONNECT, wait for the CONNACK.
pub async fn handshake(
    broker: SocketAddr,
    o: &ConnectOptions,
) -> Result<Handshake<OwnedReadHalf, OwnedWriteHalf>, Error> {
    let fut = async {
        let socket = if broker.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
        if let Some(ip) = o.source {
            // The port is then picked at connect time and shared as long as the 4-tuple is
            // unique: binding 100k sockets must not use up the machine's ephemeral ports.
            nix::sys::socket::setsockopt(&socket, nix::sys::socket::sockopt::IpBindAddressNoPort, &true)
                .map_err(std::io::Error::from)?;
            socket.bind(SocketAddr::new(ip, 0))?;
        }
        let stream = socket.connect(broker).await?;
        stream.set_nodelay(true)?;
        let (rd, wr) = stream.into_split();
        exchange(Reader::new(rd), Writer::new(wr), o).await
    };
    tokio::time::timeout(o.connack_timeout, fut).await.map_err(|_| Error::Timeout("CONNACK"))?
}

/// CONNECT over an already open stream (e.g. TLS), wait for the CONNACK.
pub async fn handshake_over<S>(
    stream: S,
    o: &ConnectOptions,
) -> Result<Handshake<tokio::io::ReadHalf<S>, tokio::io::WriteHalf<S>>, Error>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (rd, wr) = tokio::io::split(stream);
    let fut = exchange(Reader::new(rd), Writer::new(wr), o);
    tokio::time::timeout(o.connack_timeout, fut).await.map_err(|_| Error::Timeout("CONNACK"))?
}

async fn exchange<R, W>(mut rd: Reader<R>, mut wr: Writer<W>, o: &ConnectOptions) -> Result<Handshake<R, W>, Error>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut packet = BytesMut::new();
    o.encode(&mut packet)?;
    wr.raw(&packet);
    wr.flush().await?;
    match rd.next().await? {
        Some(Packet::ConnAck(a)) if a.code == ConnectReturnCode::Success => Ok(Handshake::Accepted(rd, wr)),
        Some(Packet::ConnAck(a)) => Ok(Handshake::Refused(a.code.into())),
        Some(other) => Err(Error::Unexpected { expected: "CONNACK", got: format!("{other:?}") }),
        None => Err(Error::Closed),
    }
}

/// MQTT 3.1 CONNECT: like 3.1.1 but protocol name `MQIsdp` and level 3. (3.1 limited the
/// clientId to 23 bytes; brokers serving Link SDKs accept their long ids anyway.)
fn encode_v31(o: &ConnectOptions, out: &mut BytesMut) -> Result<(), Error> {
    fn field(body: &mut Vec<u8>, s: &str) -> Result<(), Error> {
        let len = u16::try_from(s.len()).map_err(|_| Error::Codec("CONNECT field over 65535 bytes".into()))?;
        body.extend_from_slice(&len.to_be_bytes());
        body.extend_from_slice(s.as_bytes());
        Ok(())
    }
    let mut body = Vec::with_capacity(64 + o.client_id.len());
    field(&mut body, "MQIsdp")?;
    body.push(3);
    let mut flags = if o.clean_session { 0b0000_0010 } else { 0 };
    let login = o.username.as_deref().zip(o.password.as_deref());
    if login.is_some() {
        flags |= 0b1100_0000;
    }
    body.push(flags);
    body.extend_from_slice(&o.keep_alive.to_be_bytes());
    field(&mut body, &o.client_id)?;
    if let Some((u, p)) = login {
        field(&mut body, u)?;
        field(&mut body, p)?;
    }
    out.extend_from_slice(&[0x10]);
    // Remaining length: 7 bits per byte, high bit = more follows.
    let mut len = body.len();
    loop {
        let mut b = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            b |= 0x80;
        }
        out.extend_from_slice(&[b]);
        if len == 0 {
            break;
        }
    }
    out.extend_from_slice(&body);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mqtt_3_1_connect_has_the_old_protocol_name_and_level() {
        let o = ConnectOptions::new("a1PK&dev|securemode=3|").login("dev&a1PK", "pw");
        let o = ConnectOptions { protocol: Protocol::V31, ..o };
        let mut b = BytesMut::new();
        o.encode(&mut b).unwrap();
        assert_eq!(b[0], 0x10);
        assert_eq!(b[1] as usize, b.len() - 2, "one-byte remaining length");
        assert_eq!(&b[2..10], b"\x00\x06MQIsdp");
        assert_eq!((b[10], b[11]), (3, 0b1100_0010), "level 3; username, password, clean session");
        assert_eq!(&b[12..14], &60u16.to_be_bytes());
        assert!(b.ends_with(b"\x00\x08dev&a1PK\x00\x02pw"));
    }

    #[test]
    fn a_long_connect_gets_a_multi_byte_length() {
        let o = ConnectOptions { protocol: Protocol::V31, ..ConnectOptions::new("x".repeat(200)) };
        let mut b = BytesMut::new();
        o.encode(&mut b).unwrap();
        let len = (b[1] & 0x7f) as usize + ((b[2] as usize) << 7);
        assert_eq!(len, b.len() - 3);
    }

    #[test]
    fn mqtt_3_1_1_connect_comes_from_the_codec() {
        let mut o = ConnectOptions::new("c");
        o.clean_session = false;
        let mut b = BytesMut::new();
        o.encode(&mut b).unwrap();
        assert_eq!(&b[2..9], b"\x00\x04MQTT\x04");
        assert_eq!(b[9], 0, "no login, no clean session");
    }
}

//! Shared by the `gateway_*` tests: a real server on free ports, products and devices in its
//! registry, and real MQTT clients (rumqttc) speaking as Link SDK devices.
#![allow(dead_code)] // each test binary uses a different part

use std::sync::Arc;
use std::time::Duration;

use backend::clock::{SharedClock, SystemClock};
use backend::config::Settings;
use backend::server::Running;
use model::alink::sign::Credentials;
use model::registry::{NewDevice, NewProduct, NodeType};
use model::runlog::{BizType, LogEntry, LogQuery};
use rumqttc::{AsyncClient, ConnectReturnCode, ConnectionError, Event, EventLoop, MqttOptions, Packet, QoS};
use tokio::sync::mpsc;

/// Every wait in these tests ends at a deadline instead of sleeping a fixed time.
pub const DEADLINE: Duration = Duration::from_secs(15);

pub struct Env {
    pub run: Running,
    _dir: Option<tempfile::TempDir>,
}

pub async fn start() -> Env {
    start_with(|_| {}, Arc::new(SystemClock)).await
}

pub async fn start_with(tweak: impl FnOnce(&mut Settings), clock: SharedClock) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_test(dir.path().to_path_buf());
    tweak(&mut settings);
    let run = backend::server::start_with_clock(settings, clock).await.unwrap();
    Env { run, _dir: Some(dir) }
}

impl Env {
    /// The server and its data directory, for a test that stops the server and looks at what
    /// it left behind.
    pub fn into_parts(self) -> (Running, Option<tempfile::TempDir>) {
        (self.run, self._dir)
    }

    /// For a test that owns the data directory itself.
    pub fn from_running(run: Running) -> Env {
        Env { run, _dir: None }
    }

    /// A product; returns its productSecret.
    pub async fn product(&self, pk: &str, dynamic_registration: bool) -> String {
        let req = NewProduct {
            name: format!("product {pk}"),
            product_key: Some(pk.to_string()),
            product_secret: None,
            node_type: NodeType::Direct,
            data_format: model::registry::DataFormat::AlinkJson,
            dynamic_registration,
            description: String::new(),
        };
        backend::registry::create_product(&self.run.state, &req).await.unwrap();
        backend::store::products::get(&self.run.state.db, pk).await.unwrap().unwrap().product_secret
    }

    /// A device; returns its deviceSecret.
    pub async fn device(&self, pk: &str, dn: &str) -> String {
        let d = NewDevice { device_name: dn.to_string(), nickname: String::new(), device_secret: None };
        backend::registry::create_devices(&self.run.state.db, self.run.state.now(), pk, vec![d])
            .await
            .unwrap()
            .remove(0)
            .device_secret
    }

    pub async fn record(&self, pk: &str, dn: &str) -> Option<backend::store::devices::DeviceRecord> {
        backend::store::devices::get(&self.run.state.db, pk, dn).await.unwrap()
    }

    /// Poll the store until the device satisfies `ok`.
    pub async fn wait_device(
        &self,
        pk: &str,
        dn: &str,
        what: &str,
        ok: impl Fn(&backend::store::devices::DeviceRecord) -> bool,
    ) -> backend::store::devices::DeviceRecord {
        let end = tokio::time::Instant::now() + DEADLINE;
        loop {
            if let Some(r) = self.record(pk, dn).await {
                if ok(&r) {
                    return r;
                }
            }
            assert!(tokio::time::Instant::now() < end, "{pk}/{dn}: timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Poll the run log until an entry of the device with this operation and status exists.
    /// The run log once everything queued so far is written (the writer would otherwise wait
    /// for its next round).
    pub async fn stored_logs(&self, q: &LogQuery) -> sqlx::Result<Vec<LogEntry>> {
        self.run.hub.flush().await;
        backend::store::runlog::query(&self.run.state.db, q).await
    }

    pub async fn wait_log(&self, pk: &str, dn: &str, operation: &str, status: u32) -> LogEntry {
        let end = tokio::time::Instant::now() + DEADLINE;
        loop {
            let q = LogQuery {
                product_key: Some(pk.to_string()),
                device_name: Some(dn.to_string()),
                status: Some(status),
                limit: Some(1000),
                ..Default::default()
            };
            let found = self.stored_logs(&q).await.unwrap();
            if let Some(e) = found.into_iter().find(|e| e.operation == operation) {
                return e;
            }
            assert!(tokio::time::Instant::now() < end, "{pk}/{dn}: no run-log entry {operation}/{status}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn log_count(&self, pk: &str, dn: &str, biz: BizType, status: u32) -> usize {
        let q = LogQuery {
            product_key: Some(pk.to_string()),
            device_name: Some(dn.to_string()),
            biz_type: Some(biz),
            status: Some(status),
            limit: Some(1000),
            ..Default::default()
        };
        self.stored_logs(&q).await.unwrap().len()
    }
}

/// A connected device: its client, the messages it receives, and whether it was disconnected.
pub struct Device {
    pub client: AsyncClient,
    pub inbox: mpsc::UnboundedReceiver<rumqttc::Publish>,
    pub closed: mpsc::UnboundedReceiver<String>,
    pub acks: mpsc::UnboundedReceiver<Packet>,
}

fn options(env: &Env, c: &Credentials, keepalive: u64) -> MqttOptions {
    let mut o = MqttOptions::new(c.client_id.clone(), env.run.mqtt_addr.ip().to_string(), env.run.mqtt_addr.port());
    o.set_credentials(c.username.clone(), c.password.clone());
    o.set_keep_alive(Duration::from_secs(keepalive));
    o.set_clean_session(true);
    o
}

/// CONNECT and wait for the CONNACK; the event loop is returned unpolled.
pub async fn handshake(
    env: &Env,
    c: &Credentials,
    keepalive: u64,
) -> Result<(AsyncClient, EventLoop), ConnectReturnCode> {
    let (client, mut ev) = AsyncClient::new(options(env, c, keepalive), 64);
    let r = tokio::time::timeout(DEADLINE, async {
        loop {
            match ev.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => return Ok(()),
                Ok(_) => {}
                Err(ConnectionError::ConnectionRefused(code)) => return Err(code),
                Err(e) => panic!("connect failed: {e}"),
            }
        }
    })
    .await
    .expect("no CONNACK in time");
    r.map(|()| (client, ev))
}

/// Connect and keep the event loop running in a task.
pub async fn connect(env: &Env, c: &Credentials) -> Result<Device, ConnectReturnCode> {
    connect_keepalive(env, c, 30).await
}

pub async fn connect_keepalive(env: &Env, c: &Credentials, keepalive: u64) -> Result<Device, ConnectReturnCode> {
    let (client, ev) = handshake(env, c, keepalive).await?;
    Ok(drive(client, ev))
}

pub fn drive(client: AsyncClient, mut ev: EventLoop) -> Device {
    let (tx, inbox) = mpsc::unbounded_channel();
    let (ctx, closed) = mpsc::unbounded_channel();
    let (atx, acks) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            match ev.poll().await {
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    let _ = tx.send(p);
                }
                Ok(Event::Incoming(p @ (Packet::PubAck(_) | Packet::SubAck(_)))) => {
                    let _ = atx.send(p);
                }
                // The DISCONNECT is flushed when this is returned; a client then closes the
                // socket (rumqttc leaves that to its user, and rmqtt waits for it).
                Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)) => {
                    let _ = ctx.send("disconnected".into());
                    return;
                }
                Ok(_) => {}
                Err(e) => {
                    // rumqttc would reconnect on the next poll; a test device stays down.
                    let _ = ctx.send(e.to_string());
                    return;
                }
            }
        }
    });
    Device { client, inbox, closed, acks }
}

impl Device {
    pub async fn next_message(&mut self) -> rumqttc::Publish {
        tokio::time::timeout(DEADLINE, self.inbox.recv()).await.expect("no message in time").expect("device loop ended")
    }

    pub async fn wait_closed(&mut self) -> String {
        tokio::time::timeout(DEADLINE, self.closed.recv()).await.expect("not disconnected in time").unwrap_or_default()
    }

    pub async fn next_ack(&mut self) -> Packet {
        tokio::time::timeout(DEADLINE, self.acks.recv()).await.expect("no ack in time").expect("device loop ended")
    }

    pub async fn publish(&self, topic: &str, payload: &str, qos: QoS) {
        self.client.publish(topic, qos, false, payload.as_bytes().to_vec()).await.unwrap();
    }
}

/// A hand-made CONNECT (protocol level 3 = MQTT 3.1 `MQIsdp`, 4 = 3.1.1) over any stream;
/// returns the CONNACK return code. For what no client library at hand does.
pub async fn raw_connect<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
    s: &mut S,
    level: u8,
    c: &Credentials,
) -> u8 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    fn field(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&(s.len() as u16).to_be_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    let mut body = Vec::new();
    field(&mut body, if level == 3 { "MQIsdp" } else { "MQTT" });
    body.push(level);
    body.push(0b1100_0010); // username, password, clean session
    body.extend_from_slice(&60u16.to_be_bytes());
    field(&mut body, &c.client_id);
    field(&mut body, &c.username);
    field(&mut body, &c.password);
    let mut packet = vec![0x10];
    let mut len = body.len();
    loop {
        let mut b = (len % 128) as u8;
        len /= 128;
        if len > 0 {
            b |= 0x80;
        }
        packet.push(b);
        if len == 0 {
            break;
        }
    }
    packet.extend_from_slice(&body);
    s.write_all(&packet).await.unwrap();
    s.flush().await.unwrap();
    let mut ack = [0u8; 4];
    tokio::time::timeout(DEADLINE, s.read_exact(&mut ack)).await.expect("no CONNACK").unwrap();
    assert_eq!(ack[0], 0x20, "CONNACK");
    ack[3]
}

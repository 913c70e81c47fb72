//! An Alink device over real MQTT, signing in as the Link SDKs do.

use std::time::Duration;

use model::alink::{device_credentials, Sdk};
use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, QoS};
use tokio::sync::mpsc;

pub struct Device {
    pub pk: String,
    pub dn: String,
    pub client: AsyncClient,
    /// Every PUBLISH the device receives, as (topic, payload).
    pub inbox: mpsc::UnboundedReceiver<(String, String)>,
    /// The CONNACK code (0 = accepted), once known.
    pub connack: tokio::sync::watch::Receiver<Option<u8>>,
    task: tokio::task::JoinHandle<()>,
    next_id: u64,
}

impl Device {
    /// Connect like the Python SDK (hmacsha1, clean session, no SUBSCRIBE).
    pub async fn connect(mqtt: std::net::SocketAddr, pk: &str, dn: &str, secret: &str) -> Device {
        Self::connect_as(mqtt, Sdk::Python, pk, dn, secret, 60).await
    }

    pub async fn connect_as(
        mqtt: std::net::SocketAddr,
        sdk: Sdk,
        pk: &str,
        dn: &str,
        secret: &str,
        keepalive: u64,
    ) -> Device {
        let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let creds = device_credentials(sdk, pk, dn, secret, ts);
        let mut opts = MqttOptions::new(creds.client_id.clone(), mqtt.ip().to_string(), mqtt.port());
        opts.set_credentials(creds.username.clone(), creds.password.clone());
        opts.set_keep_alive(Duration::from_secs(keepalive));
        opts.set_clean_session(true);
        let (client, eventloop) = AsyncClient::new(opts, 100);
        let (tx, inbox) = mpsc::unbounded_channel();
        let (ack_tx, connack) = tokio::sync::watch::channel(None);
        let task = tokio::spawn(pump(eventloop, tx, ack_tx));
        Device { pk: pk.into(), dn: dn.into(), client, inbox, connack, task, next_id: 0 }
    }

    /// Wait for the CONNACK and return its code (0 = accepted).
    pub async fn connack_code(&mut self) -> u8 {
        let r = tokio::time::timeout(Duration::from_secs(10), self.connack.wait_for(|c| c.is_some())).await;
        r.expect("no CONNACK within 10 s").expect("event loop gone").unwrap()
    }

    fn id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    /// Post properties as `thing.event.property.post` at QoS1; returns the Alink id.
    pub async fn post_properties(&mut self, params: serde_json::Value) -> String {
        let id = self.id();
        let topic = format!("/sys/{}/{}/thing/event/property/post", self.pk, self.dn);
        let body =
            serde_json::json!({"id": id, "version": "1.0", "params": params, "method": "thing.event.property.post"});
        self.client.publish(topic, QoS::AtLeastOnce, false, body.to_string()).await.unwrap();
        id
    }

    /// The next message received on a topic ending with `suffix`, within `secs`.
    pub async fn recv_on(&mut self, suffix: &str, secs: u64) -> Option<(String, serde_json::Value)> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let (topic, payload) = tokio::time::timeout_at(deadline, self.inbox.recv()).await.ok()??;
            if topic.ends_with(suffix) {
                return Some((topic, serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload))));
            }
        }
    }

    /// The `post_reply` for the post with Alink id `id` (other messages are skipped).
    pub async fn reply_to(&mut self, id: &str, secs: u64) -> Option<serde_json::Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now()).as_secs().max(1);
            let (_, v) = self.recv_on("_reply", left).await?;
            if v["id"] == id {
                return Some(v);
            }
        }
    }

    /// Close the TCP connection without DISCONNECT (as a device losing power would).
    pub fn drop_connection(self) {
        self.task.abort();
    }

    pub async fn disconnect(self) {
        let _ = self.client.disconnect().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        self.task.abort();
    }
}

async fn pump(
    mut el: EventLoop,
    tx: mpsc::UnboundedSender<(String, String)>,
    ack: tokio::sync::watch::Sender<Option<u8>>,
) {
    loop {
        match el.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(c))) => {
                let _ = ack.send(Some(connack_byte(c.code)));
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                let _ = tx.send((p.topic.clone(), String::from_utf8_lossy(&p.payload).into_owned()));
            }
            Ok(_) => {}
            Err(rumqttc::ConnectionError::ConnectionRefused(code)) => {
                let _ = ack.send(Some(connack_byte(code)));
                return;
            }
            Err(_) => return,
        }
    }
}

fn connack_byte(c: rumqttc::ConnectReturnCode) -> u8 {
    use rumqttc::ConnectReturnCode::*;
    match c {
        Success => 0,
        RefusedProtocolVersion => 1,
        BadClientId => 2,
        ServiceUnavailable => 3,
        BadUserNamePassword => 4,
        NotAuthorized => 5,
    }
}

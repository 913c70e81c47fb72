//! A connected MQTT client: one tokio task per connection owns the socket, answers PUBACKs,
//! pings, matches PUBACK/SUBACK to whoever waits for them, and hands received PUBLISHes to an
//! [`Intercept`] (the Alink layer answers downlinks there, in the same task) and then to the
//! inbox. The handle talks to the task over a channel; dropping the handle drops the socket.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rumqttc::mqttbytes::v4::Packet;
use rumqttc::mqttbytes::v4::SubscribeReasonCode;
use rumqttc::mqttbytes::QoS;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use crate::connect::{handshake, ConnectOptions};
use crate::error::Error;
use crate::wire::{Reader, Writer};

/// A PUBLISH the device received.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub topic: String,
    pub payload: Bytes,
    pub qos: QoS,
}

impl Message {
    /// The payload as JSON, or as a JSON string when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.payload)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&self.payload).into_owned()))
    }
}

/// A PUBLISH to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub topic: String,
    pub qos: QoS,
    pub payload: Bytes,
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    /// We sent DISCONNECT (the broker logs a graceful exit: seed code 200).
    Disconnected,
    /// The broker closed the connection (takeover, disable, shutdown).
    ByBroker,
    /// The handle was dropped: the socket closed without DISCONNECT (seed code 1911).
    Dropped,
    /// A read or write failed, or the broker sent garbage.
    Failed(String),
}

/// Sees every received PUBLISH first, inside the connection task. Whatever it pushes onto
/// `out` is published right away (QoS 1 acks are not awaited). Returns whether the message also
/// goes to the inbox.
pub trait Intercept: Send + 'static {
    fn on_publish(&mut self, m: &Message, out: &mut Vec<Outgoing>) -> bool;
}

/// How the connection task behaves.
pub struct Behaviour {
    /// PINGREQ every keepalive/2. Off for a device that must go silent (keepalive timeout tests).
    pub ping: bool,
    pub intercept: Option<Box<dyn Intercept>>,
    /// Messages the inbox holds at most; more are dropped and counted (a device nobody reads
    /// from must not grow without bound, nor stall its PUBACKs and pings).
    pub inbox_capacity: usize,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour { ping: true, intercept: None, inbox_capacity: 1024 }
    }
}

enum Cmd {
    Publish(Outgoing, Option<oneshot::Sender<()>>),
    Subscribe(Vec<(String, QoS)>, oneshot::Sender<Vec<SubscribeReasonCode>>),
    Disconnect(oneshot::Sender<()>),
}

/// A second handle on a connection that only publishes: for a task that posts while another
/// reads the inbox (a burst under way while the test watches the replies). It is one more
/// sender on the command channel, nothing per device until asked for. The connection still
/// belongs to its [`Client`]: once that is dropped, publishing here is [`Error::Closed`].
#[derive(Clone)]
pub struct Publisher {
    cmds: mpsc::UnboundedSender<Cmd>,
}

impl Publisher {
    fn send(&self, c: Cmd) -> Result<(), Error> {
        self.cmds.send(c).map_err(|_| Error::Closed)
    }

    /// Publish and wait until it is written (QoS 0) or acknowledged with PUBACK (QoS 1).
    pub async fn publish(&self, topic: &str, qos: QoS, payload: impl Into<Bytes>) -> Result<(), Error> {
        let (tx, rx) = oneshot::channel();
        let m = Outgoing { topic: topic.to_string(), qos, payload: payload.into() };
        self.send(Cmd::Publish(m, Some(tx)))?;
        rx.await.map_err(|_| Error::Closed)
    }

    /// Publish without waiting for anything.
    pub fn publish_nowait(&self, topic: &str, qos: QoS, payload: impl Into<Bytes>) -> Result<(), Error> {
        self.send(Cmd::Publish(Outgoing { topic: topic.to_string(), qos, payload: payload.into() }, None))
    }
}

/// The handle of a connected client.
pub struct Client {
    out: Publisher,
    inbox: mpsc::Receiver<Message>,
    closed: watch::Receiver<Option<Closed>>,
    dropped: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Client {
    /// Connect with default behaviour (pings, no intercept).
    pub async fn connect(broker: SocketAddr, o: &ConnectOptions) -> Result<Client, Error> {
        Self::connect_with(broker, o, Behaviour::default()).await
    }

    pub async fn connect_with(broker: SocketAddr, o: &ConnectOptions, b: Behaviour) -> Result<Client, Error> {
        let (rd, wr) = handshake(broker, o).await?.accepted()?;
        Ok(Client::start(rd, wr, o.keep_alive, b))
    }

    /// Run an accepted connection (from [`crate::handshake`] or [`crate::handshake_over`]).
    pub fn start<R, W>(rd: Reader<R>, wr: Writer<W>, keep_alive: u16, b: Behaviour) -> Client
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (cmds, cmd_rx) = mpsc::unbounded_channel();
        let (inbox_tx, inbox) = mpsc::channel(b.inbox_capacity.max(1));
        let (closed_tx, closed) = watch::channel(None);
        let dropped = Arc::new(AtomicU64::new(0));
        let ping = (b.ping && keep_alive > 0).then(|| Duration::from_millis(u64::from(keep_alive) * 500));
        let conn = Conn {
            wr,
            inbox: (b.inbox_capacity > 0).then_some(inbox_tx),
            dropped: dropped.clone(),
            intercept: b.intercept,
            acks: HashMap::new(),
            subacks: HashMap::new(),
            after_flush: Vec::new(),
            out: Vec::new(),
        };
        let task = tokio::spawn(async move {
            let why = conn.run(rd, cmd_rx, ping).await;
            let _ = closed_tx.send(Some(why));
        });
        Client { out: Publisher { cmds }, inbox, closed, dropped, task }
    }

    fn send(&self, c: Cmd) -> Result<(), Error> {
        self.out.send(c)
    }

    /// Publish and wait until it is written (QoS 0) or acknowledged with PUBACK (QoS 1).
    pub async fn publish(&self, topic: &str, qos: QoS, payload: impl Into<Bytes>) -> Result<(), Error> {
        self.out.publish(topic, qos, payload).await
    }

    /// Publish without waiting for anything.
    pub fn publish_nowait(&self, topic: &str, qos: QoS, payload: impl Into<Bytes>) -> Result<(), Error> {
        self.out.publish_nowait(topic, qos, payload)
    }

    /// A publish-only handle on this connection, for another task.
    pub fn publisher(&self) -> Publisher {
        self.out.clone()
    }

    /// SUBSCRIBE one filter; returns the SUBACK's return codes.
    pub async fn subscribe(&self, filter: &str, qos: QoS) -> Result<Vec<SubscribeReasonCode>, Error> {
        self.subscribe_many(vec![(filter.to_string(), qos)]).await
    }

    pub async fn subscribe_many(&self, filters: Vec<(String, QoS)>) -> Result<Vec<SubscribeReasonCode>, Error> {
        let (tx, rx) = oneshot::channel();
        self.send(Cmd::Subscribe(filters, tx))?;
        rx.await.map_err(|_| Error::Closed)
    }

    /// The next received message; `None` once the connection is gone and the inbox drained.
    pub async fn recv(&mut self) -> Option<Message> {
        self.inbox.recv().await
    }

    /// The next received message within `d`.
    pub async fn recv_within(&mut self, d: Duration) -> Option<Message> {
        tokio::time::timeout(d, self.inbox.recv()).await.ok().flatten()
    }

    /// The next message on a topic ending with `suffix` within `d`; others are skipped.
    pub async fn recv_on(&mut self, suffix: &str, d: Duration) -> Option<Message> {
        let deadline = Instant::now() + d;
        loop {
            let m = tokio::time::timeout_at(deadline, self.inbox.recv()).await.ok()??;
            if m.topic.ends_with(suffix) {
                return Some(m);
            }
        }
    }

    /// A message already received, without waiting.
    pub fn try_recv(&mut self) -> Option<Message> {
        self.inbox.try_recv().ok()
    }

    /// Messages dropped because the inbox was full.
    pub fn dropped_messages(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Why the connection ended, once it has.
    pub async fn closed(&mut self) -> Closed {
        match self.closed.wait_for(Option::is_some).await {
            Ok(c) => c.clone().unwrap_or(Closed::Dropped),
            // The task is gone without a word: it was aborted.
            Err(_) => Closed::Dropped,
        }
    }

    pub async fn closed_within(&mut self, d: Duration) -> Option<Closed> {
        tokio::time::timeout(d, self.closed()).await.ok()
    }

    pub fn is_closed(&self) -> bool {
        self.closed.borrow().is_some() || self.task.is_finished()
    }

    /// Graceful exit: DISCONNECT, then close the socket. Waits (at most 5 s) until it is written.
    pub async fn disconnect(self) {
        let (tx, rx) = oneshot::channel();
        if self.send(Cmd::Disconnect(tx)).is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(5), rx).await;
        }
    }

    /// Close the TCP connection without DISCONNECT, as a device losing power would.
    pub fn drop_connection(self) {
        self.task.abort();
    }
}

impl Drop for Client {
    /// The socket goes with the handle: nobody can talk to the connection any more.
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The connection task's state.
struct Conn<W> {
    wr: Writer<W>,
    inbox: Option<mpsc::Sender<Message>>,
    dropped: Arc<AtomicU64>,
    intercept: Option<Box<dyn Intercept>>,
    acks: HashMap<u16, oneshot::Sender<()>>,
    subacks: HashMap<u16, oneshot::Sender<Vec<SubscribeReasonCode>>>,
    /// QoS 0 publishers waiting for the write.
    after_flush: Vec<oneshot::Sender<()>>,
    /// The intercept's answers, reused between messages.
    out: Vec<Outgoing>,
}

impl<W: AsyncWrite + Unpin> Conn<W> {
    async fn run<R: AsyncRead + Unpin>(
        mut self,
        mut rd: Reader<R>,
        mut cmds: mpsc::UnboundedReceiver<Cmd>,
        ping: Option<Duration>,
    ) -> Closed {
        let period = ping.unwrap_or(Duration::from_secs(3600));
        let mut ticker = tokio::time::interval_at(Instant::now() + period, period);
        loop {
            tokio::select! {
                c = cmds.recv() => match c {
                    Some(Cmd::Disconnect(done)) => {
                        self.wr.disconnect();
                        let r = self.wr.shutdown().await;
                        let _ = done.send(());
                        return match r {
                            Ok(()) => Closed::Disconnected,
                            Err(e) => Closed::Failed(format!("write: {e}")),
                        };
                    }
                    Some(c) => self.command(c),
                    None => return Closed::Dropped,
                },
                p = rd.next() => match p {
                    Ok(Some(p)) => {
                        self.packet(p);
                        loop {
                            match rd.buffered() {
                                Ok(Some(p)) => self.packet(p),
                                Ok(None) => break,
                                Err(e) => return Closed::Failed(e.to_string()),
                            }
                        }
                    }
                    Ok(None) => return Closed::ByBroker,
                    Err(e) => return Closed::Failed(e.to_string()),
                },
                _ = ticker.tick(), if ping.is_some() => self.wr.pingreq(),
            }
            if let Err(e) = self.wr.flush().await {
                return Closed::Failed(format!("write: {e}"));
            }
            for done in self.after_flush.drain(..) {
                let _ = done.send(());
            }
        }
    }

    fn command(&mut self, c: Cmd) {
        match c {
            Cmd::Publish(m, done) => {
                let pkid = self.wr.publish(&m.topic, m.qos, m.payload);
                match done {
                    Some(done) if pkid != 0 => {
                        self.acks.insert(pkid, done);
                    }
                    Some(done) => self.after_flush.push(done),
                    None => {}
                }
            }
            Cmd::Subscribe(filters, done) => {
                let pkid = self.wr.subscribe_many(&filters);
                self.subacks.insert(pkid, done);
            }
            // `run` handles DISCONNECT itself (it ends the connection); never routed here.
            Cmd::Disconnect(done) => drop(done),
        }
    }

    fn packet(&mut self, p: Packet) {
        match p {
            Packet::Publish(p) => {
                if p.qos != QoS::AtMostOnce {
                    self.wr.puback(p.pkid);
                }
                let m = Message { topic: p.topic, payload: p.payload, qos: p.qos };
                let keep = match &mut self.intercept {
                    Some(i) => i.on_publish(&m, &mut self.out),
                    None => true,
                };
                for o in self.out.drain(..) {
                    self.wr.publish(&o.topic, o.qos, o.payload);
                }
                if keep {
                    self.deliver(m);
                }
            }
            Packet::PubAck(a) => {
                if let Some(done) = self.acks.remove(&a.pkid) {
                    let _ = done.send(());
                }
            }
            Packet::SubAck(a) => {
                if let Some(done) = self.subacks.remove(&a.pkid) {
                    let _ = done.send(a.return_codes);
                }
            }
            // PINGRESP, UNSUBACK, QoS 2 handshakes (never asked for): nothing to do.
            _ => {}
        }
    }

    fn deliver(&mut self, m: Message) {
        let Some(inbox) = &self.inbox else { return };
        if inbox.try_send(m).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_publisher_posts_from_another_task_while_the_client_reads() {
        let (ours, theirs) = tokio::io::duplex(4096);
        let (rd, wr) = tokio::io::split(ours);
        let mut client = Client::start(Reader::new(rd), Writer::new(wr), 0, Behaviour::default());
        let (brd, bwr) = tokio::io::split(theirs);
        let (mut broker_rd, mut broker_wr) = (Reader::new(brd), Writer::new(bwr));

        let p = client.publisher();
        let posting = tokio::spawn(async move { p.publish("up", QoS::AtLeastOnce, "1").await });
        // The broker sees the post and sends a message of its own before acknowledging it.
        let Some(Packet::Publish(post)) = broker_rd.next().await.unwrap() else { panic!("expected PUBLISH") };
        assert_eq!((post.topic.as_str(), &post.payload[..]), ("up", &b"1"[..]));
        broker_wr.publish("down", QoS::AtMostOnce, Bytes::from_static(b"2"));
        broker_wr.flush().await.unwrap();
        assert_eq!(client.recv().await.unwrap().topic, "down", "the client reads meanwhile");
        assert!(!posting.is_finished(), "a QoS 1 publish waits for its PUBACK");
        broker_wr.puback(post.pkid);
        broker_wr.flush().await.unwrap();
        posting.await.unwrap().unwrap();

        // The connection belongs to the client: without it the publisher is closed.
        let p = client.publisher();
        drop(client);
        assert!(matches!(p.publish("up", QoS::AtMostOnce, "x").await, Err(Error::Closed)));
    }
}

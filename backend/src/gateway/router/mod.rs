//! The Alink topic router: every accepted uplink is parsed by TOPIC (never by `method`, which
//! C4 omits), checked against the thing model, answered, and published on the hub as device
//! facts (which the store writer, the run log and the live view consume). Replies to platform
//! requests go back to [`crate::commands`].
//!
//! # Layout
//! - `mod.rs`: [`spawn`], [`Router::dispatch`] (topic → handler), the facts of every uplink
//!   and reply.
//! - `respond`: handler outcome, reply building (every key each SDK reads), 6207 handling.
//! - `cache`: product models and device ids; [`invalidate_product`].
//! - handlers: `property`, `event`, `deviceinfo`, `ntp`, `shadow`, `desired`, `diag`,
//!   `log_upload`, `custom` (custom topics, raw data), `topo` (gateways and sub-devices).
//! - `replies`: replies to platform requests, handed back to [`crate::commands`].
//!
//! # Ordering
//! Uplinks are spread over [`WORKERS`] tasks by publishing session, so one device's (and one
//! gateway's sub-devices') messages are handled in order while different devices run in parallel.
//!
//! # Replies: after the commit
//! A reply (`post_reply` & co.) goes out only once the facts of its uplink are committed by the
//! store writer ([`Router::accept`] takes a [`crate::hub::Receipt`], [`Answer::answer`] waits for
//! it): a device that got `code 200` never has to send that value again, even after `kill -9`.
//! Each worker hands its answers to its own replier task in order and takes the next uplink at
//! once, so many posts share one commit (group commit) and a reply waits about one commit.
//!
//! # Run log
//! One flow = one trace id: the uplink entry (BizType uplink, operation = topic, status = 200 or
//! the code), its thing-model checks (ThingModel, operation `check`) and its reply (downlink).
//! A device's reply to a platform request is logged under the request's trace.

pub mod cache;
mod custom;
mod desired;
mod deviceinfo;
mod diag;
mod event;
mod log_upload;
mod ntp;
mod property;
mod replies;
pub(crate) mod respond;
mod shadow;
pub mod topo;

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use model::alink::table::Direction as TopicDirection;
use model::alink::{DeviceRef, Topic, TopicKind};
use model::tsl::{codes, ThingModel};
use model::ws::Direction;
use tokio::sync::mpsc;

use self::cache::{Cache, DeviceInfo};
use self::respond::{refuse, Outcome};
use super::{Downlink, Uplink};
use crate::clock::SharedClock;
use crate::commands::replies::Replies;
use crate::commands::{CallError, Commands};
use crate::hub::{Fact, Hub};
use crate::store::Db;

pub use self::cache::invalidate_product;
pub use self::log_upload::switch_data as log_switch_data;

/// Uplink worker tasks (see "Ordering").
pub const WORKERS: usize = 8;
/// Replies per worker waiting for their commit at most; beyond, the worker waits (backpressure).
const REPLIES_IN_FLIGHT: usize = 4_096;
/// Largest payload handled; Alibaba caps messages at 256 KB. Larger ones are logged (6207).
pub const MAX_PAYLOAD: usize = 256 * 1024;
/// Status of an uplink on a topic that is no Alink topic or that a device may not publish:
/// "one or more parameters are invalid" (the topic is the first parameter).
pub const CODE_BAD_TOPIC: u32 = model::codes::tsl_device_reply::INVALID_PARAMS.code();
/// The device does not exist (seed 6100).
pub const CODE_DEVICE_NOT_FOUND: u32 = model::codes::device_behavior::DEVICE_NOT_FOUND.code();
/// A sub-device sent through its gateway without a session (seed 520).
pub const CODE_SUB_SESSION: u32 = model::codes::device_behavior::SUB_DEVICE_SESSION.code();
/// The topological relationship does not exist (seed 6401).
pub const CODE_TOPO_MISSING: u32 = model::codes::device_behavior::TOPO_NOT_FOUND.code();
/// A database failure while handling a message.
pub const CODE_INTERNAL: u32 = model::codes::tsl_device_reply::INTERNAL_ERROR.code();
/// A valid request of a feature this server does not have yet (fleetdeck's own code).
pub const CODE_NOT_SUPPORTED: u32 = model::codes::fleetdeck::NOT_SUPPORTED.code();

/// What every handler shares.
pub(crate) struct Shared {
    pub db: Db,
    pub clock: SharedClock,
    /// Where every fact goes.
    pub hub: Hub,
    pub downlink: Arc<dyn Downlink>,
    /// Thing models and device records (shared with [`Commands`]).
    pub cache: Arc<Cache>,
    /// Commands waiting for replies.
    pub replies: Arc<Replies>,
    /// Sub-devices logged in through their gateways (shared with [`Commands`]).
    pub subs: Arc<topo::SubSessions>,
    /// Told when a gateway's sub-devices change (the broker's ACL caches them).
    pub topo_listener: std::sync::OnceLock<Arc<dyn TopoListener>>,
}

/// Who must hear about topology changes: the broker's ACL lets a gateway publish for its
/// attached sub-devices only and caches that list.
#[async_trait::async_trait]
pub trait TopoListener: Send + Sync + 'static {
    async fn topo_changed(&self, gateway_pk: &str, gateway_dn: &str);
}

impl Shared {
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Publish a fact about `device` in flow `trace`.
    pub async fn fact(&self, device: &DeviceRef, trace: Option<&str>, fact: Fact) {
        self.hub.emit(device, trace, fact).await;
    }

    /// The parsed thing model of a product, or the code to answer with.
    pub async fn model(&self, pk: &str) -> Result<Arc<ThingModel>, (u32, String)> {
        self.cache.model(&self.db, pk).await
    }
}

/// One uplink being handled.
pub(crate) struct Ctx<'a> {
    pub sh: &'a Shared,
    pub up: &'a Uplink,
    /// The flow this uplink starts.
    pub trace: &'a str,
    pub topic: &'a Topic,
    /// The device the topic names (a sub-device when its gateway publishes for it).
    pub device: &'a DeviceRef,
    /// The session that published (the gateway for a sub-device).
    pub session: &'a DeviceRef,
    pub info: Arc<DeviceInfo>,
}

impl Ctx<'_> {
    pub fn payload(&self) -> &[u8] {
        &self.up.payload
    }
}

/// The router: feed it uplinks ([`Router::dispatch`] or the channel given to [`spawn`]); send to
/// devices with [`Router::commands`]. Cheap to clone.
#[derive(Clone)]
pub struct Router {
    sh: Arc<Shared>,
}

/// What [`spawn`] returns: the router, its command handle, and the ingest task.
pub struct RouterHandle {
    pub router: Router,
    pub commands: Commands,
    ingest: tokio::task::JoinHandle<()>,
}

impl RouterHandle {
    /// Wait until the uplink channel is closed and everything received is handled.
    pub async fn closed(self) {
        let _ = self.ingest.await;
    }
}

/// Start the router on the broker's uplink channel, as a bare task (tools and tests; the server
/// runs [`Router::run`] under its job supervisor).
pub fn spawn(
    db: Db,
    clock: SharedClock,
    hub: Hub,
    downlink: Arc<dyn Downlink>,
    mut rx: mpsc::Receiver<Uplink>,
) -> RouterHandle {
    let router = Router::new(db, clock, hub, downlink);
    let commands = router.commands();
    let r = router.clone();
    let ingest = tokio::spawn(async move {
        if let Err(e) = r.run(&mut rx).await {
            tracing::error!(error = %e, "uplink router failed");
        }
    });
    RouterHandle { router, commands, ingest }
}

impl Router {
    /// Route `rx` to the end: spread uplinks over [`WORKERS`] tasks (see "Ordering") until the
    /// channel is closed and empty, then wait for the workers to finish what they hold.
    ///
    /// A worker that dies (a panic in a handler) fails the whole run with its message, so the
    /// supervisor logs it and starts the router again on the same channel; what that worker had
    /// queued is lost with it, everything still in `rx` is routed by the new run.
    pub async fn run(&self, rx: &mut mpsc::Receiver<Uplink>) -> anyhow::Result<()> {
        let mut workers = Vec::with_capacity(WORKERS);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..WORKERS {
            let (tx, mut wrx) = mpsc::channel::<Uplink>(1024);
            // Each worker's replies go out in its order once committed; the worker does not
            // wait for the commit (that would make one commit per message per worker).
            let (atx, mut arx) = mpsc::channel::<Answer>(REPLIES_IN_FLIGHT);
            let r = self.clone();
            tasks.spawn(async move {
                while let Some(up) = wrx.recv().await {
                    if atx.send(r.accept(up).await).await.is_err() {
                        return;
                    }
                }
            });
            tasks.spawn(async move {
                while let Some(a) = arx.recv().await {
                    a.answer().await;
                }
            });
            workers.push(tx);
        }
        loop {
            tokio::select! {
                up = rx.recv() => {
                    let Some(up) = up else { break };
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    (&up.product_key, &up.device_name).hash(&mut h);
                    let w = (h.finish() % WORKERS as u64) as usize;
                    // A send fails only when the worker is gone; its end is reported below.
                    let _ = workers[w].send(up).await;
                }
                Some(ended) = tasks.join_next() => {
                    return Err(worker_ended(ended));
                }
            }
        }
        drop(workers);
        while let Some(ended) = tasks.join_next().await {
            if let Err(e) = ended {
                return Err(worker_ended(Err(e)));
            }
        }
        Ok(())
    }
}

/// Why a worker ended while its channel was open (they only end early by panicking).
fn worker_ended(ended: Result<(), tokio::task::JoinError>) -> anyhow::Error {
    match ended {
        Err(e) if e.is_panic() => {
            let p = e.into_panic();
            let msg = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned());
            anyhow::anyhow!("uplink worker panicked: {}", msg.unwrap_or_default())
        }
        Err(e) => anyhow::anyhow!("uplink worker ended: {e}"),
        Ok(()) => anyhow::anyhow!("uplink worker ended early"),
    }
}

impl Router {
    /// A router without an ingest task (tests and tools call [`Router::dispatch`] themselves).
    pub fn new(db: Db, clock: SharedClock, hub: Hub, downlink: Arc<dyn Downlink>) -> Router {
        let sh = Arc::new(Shared {
            db,
            clock,
            hub,
            downlink,
            cache: Arc::default(),
            replies: Arc::default(),
            subs: Arc::default(),
            topo_listener: std::sync::OnceLock::new(),
        });
        Router { sh }
    }

    /// The command handle that shares this router's caches, sub-device sessions and reply waiters.
    pub fn commands(&self) -> Commands {
        let sh = &self.sh;
        Commands::new(crate::commands::Parts {
            db: sh.db.clone(),
            clock: sh.clock.clone(),
            hub: sh.hub.clone(),
            downlink: sh.downlink.clone(),
            cache: sh.cache.clone(),
            replies: sh.replies.clone(),
            subs: sh.subs.clone(),
        })
    }

    /// Register who is told about topology changes (once; later calls are ignored).
    pub fn set_topo_listener(&self, l: Arc<dyn TopoListener>) {
        let _ = self.sh.topo_listener.set(l);
    }

    /// The gateway's session ended: its sub-devices are offline too (seed 1913). The broker calls
    /// this on the gateway's disconnect.
    pub async fn gateway_offline(&self, product_key: &str, device_name: &str) {
        topo::gateway_offline(&self.sh, &DeviceRef::new(product_key, device_name)).await;
    }

    /// Handle one uplink to the end: stored, logged, answered. Never panics on any input.
    pub async fn dispatch(&self, up: Uplink) {
        self.accept(up).await.answer().await;
    }

    /// Everything up to the reply: handled, its facts published, a receipt taken. The reply
    /// goes out from [`Answer::answer`] once the receipt says those facts are committed, so a
    /// 200 is never sent for a post that a crash could still lose; the workers hand it to their
    /// replier and take the next uplink meanwhile (group commit: many posts share one commit).
    pub async fn accept(&self, up: Uplink) -> Answer {
        let trace = self.sh.hub.new_trace();
        let session = DeviceRef::new(up.product_key.clone(), up.device_name.clone());
        let (device, outcome) = self.route(&up, &session, &trace).await;
        self.finish(up, session, device, trace, outcome).await
    }

    /// Which device the message concerns and what handling it gave.
    async fn route(&self, up: &Uplink, session: &DeviceRef, trace: &str) -> (DeviceRef, Outcome) {
        let sh = &*self.sh;
        if up.payload.len() > MAX_PAYLOAD {
            let o = Outcome::status(model::alink::CODE_INVALID_FORMAT).with_check(
                model::alink::CODE_INVALID_FORMAT,
                format!("payload of {} bytes exceeds {MAX_PAYLOAD}", up.payload.len()),
            );
            return (session.clone(), o);
        }
        let topic = match Topic::parse(&up.topic) {
            Ok(t) => t,
            Err(e) => {
                return (
                    session.clone(),
                    Outcome::status(CODE_BAD_TOPIC).with_check(CODE_BAD_TOPIC, format!("topic refused: {e}")),
                )
            }
        };
        let Some(device) = topic.device().cloned() else {
            return (
                session.clone(),
                Outcome::status(CODE_BAD_TOPIC).with_check(CODE_BAD_TOPIC, "devices do not publish on this topic"),
            );
        };
        if topic.direction() == TopicDirection::Down {
            return (
                device,
                Outcome::status(CODE_BAD_TOPIC).with_check(CODE_BAD_TOPIC, "this topic is platform to device"),
            );
        }
        let info = match self.resolve(&topic, &device, session, &up.payload).await {
            Ok(i) => i,
            Err(o) => return (device, o),
        };
        let ctx = Ctx { sh, up, trace, topic: &topic, device: &device, session, info };
        let outcome = handle(&ctx).await;
        (device, outcome)
    }

    /// The topic's device record; for a sub-device also that it is attached to the publishing
    /// gateway and logged in.
    async fn resolve(
        &self,
        topic: &Topic,
        device: &DeviceRef,
        session: &DeviceRef,
        payload: &[u8],
    ) -> Result<Arc<DeviceInfo>, Outcome> {
        let sh = &*self.sh;
        let payload_err = |code: u32, msg: String| refuse(payload, topic, code, &msg).with_check(code, msg);
        let lookup = |d: &DeviceRef| {
            let d = d.clone();
            async move { sh.cache.device(&sh.db, &d).await }
        };
        let info = match lookup(device).await {
            Ok(Some(i)) => i,
            Ok(None) => {
                return Err(payload_err(
                    CODE_DEVICE_NOT_FOUND,
                    format!("device {}/{} does not exist", device.pk, device.dn),
                ))
            }
            Err(e) => return Err(payload_err(CODE_INTERNAL, format!("database: {e}"))),
        };
        if device == session {
            return Ok(info);
        }
        if info.gateway.as_ref() != Some(session) {
            return Err(payload_err(
                CODE_TOPO_MISSING,
                format!("{}/{} is not a sub-device of {}/{}", device.pk, device.dn, session.pk, session.dn),
            ));
        }
        if !info.enabled {
            return Err(payload_err(codes::DEVICE_DISABLED, "the sub-device is disabled".into()));
        }
        if !sh.subs.is_logged_in(device, session) {
            return Err(payload_err(CODE_SUB_SESSION, "the sub-device is not logged in through its gateway".into()));
        }
        Ok(info)
    }

    /// The facts of a handled uplink (the message, its checks, the reply) and the reply itself.
    async fn finish(&self, up: Uplink, session: DeviceRef, device: DeviceRef, trace: String, mut o: Outcome) -> Answer {
        let sh = &*self.sh;
        let trace = o.trace.take().unwrap_or(trace);
        let message = Fact::Message {
            direction: Direction::Up,
            topic: up.topic.clone(),
            payload: up.payload.clone(),
            message_id: o.message_id.clone(),
            code: o.status,
            delivered: true,
        };
        sh.hub
            .publish(crate::hub::DeviceEvent { at: up.at, device: device.clone(), trace: trace.clone(), fact: message })
            .await;
        for c in o.checks {
            let fact = Fact::Checked { message_id: o.message_id.clone(), code: c.status, content: c.content };
            sh.fact(&device, Some(&trace), fact).await;
        }
        let reply = match o.reply {
            Some(out) => Some(Reply { out: *out, receipt: sh.hub.receipt().await }),
            None => None,
        };
        Answer { router: self.clone(), session, device, trace, message_id: o.message_id, qos: up.qos.min(1), reply }
    }
}

/// A handled uplink's reply, waiting for its facts to be committed ([`Router::accept`]).
pub struct Answer {
    router: Router,
    session: DeviceRef,
    device: DeviceRef,
    trace: String,
    message_id: Option<String>,
    qos: u8,
    reply: Option<Reply>,
}

struct Reply {
    out: respond::Out,
    receipt: crate::hub::Receipt,
}

impl Answer {
    /// Send the reply (if the uplink has one) once what the uplink produced is committed. When
    /// the store could not commit it (shutting down, writer gone) no reply is sent: the device
    /// times out and posts again, instead of believing a lost value was stored.
    pub async fn answer(self) {
        let Some(Reply { out, receipt }) = self.reply else { return };
        let sh = &*self.router.sh;
        if !receipt.committed().await {
            tracing::warn!(device = ?self.device, "uplink not committed; reply withheld");
            return;
        }
        let topic = out.topic.to_string();
        let payload = bytes::Bytes::from(out.payload);
        let (pk, dn) = (&self.session.pk, &self.session.dn);
        let (status, delivered) = match sh.downlink.publish(pk, dn, &topic, payload.clone(), self.qos).await {
            Ok(()) => (out.code, true),
            Err(e) => (CallError::from(e).code(), false),
        };
        let fact = Fact::Message {
            direction: Direction::Down,
            topic,
            payload,
            message_id: self.message_id,
            code: status,
            delivered,
        };
        sh.fact(&self.device, Some(&self.trace), fact).await;
    }
}

/// Topic → handler. Topics without a handler here (OTA, remote config, sub-device registration)
/// are logged and left to their features.
async fn handle(ctx: &Ctx<'_>) -> Outcome {
    use TopicKind as K;
    match ctx.topic.kind() {
        K::PropertyPost => property::post(ctx).await,
        K::PropertyBatchPost => property::batch_post(ctx).await,
        K::EventPost => event::post(ctx).await,
        K::DeviceInfoUpdate => deviceinfo::update(ctx).await,
        K::DeviceInfoDelete => deviceinfo::delete(ctx).await,
        K::NtpRequest => ntp::request(ctx),
        K::ShadowUpdate => shadow::update(ctx).await,
        K::DesiredGet => desired::get(ctx).await,
        K::DesiredDelete => desired::delete(ctx).await,
        K::DiagPost => diag::post(ctx).await,
        K::LogPost => log_upload::post(ctx).await,
        K::LogConfigGet => log_upload::switch_get(ctx).await,
        K::Custom => custom::custom(ctx),
        K::UpRaw => custom::up_raw(ctx),
        K::TopoAdd => topo::add(ctx).await,
        K::TopoDelete => topo::delete(ctx).await,
        K::TopoGet => topo::get(ctx).await,
        K::CombineLogin => topo::login(ctx).await,
        K::CombineBatchLogin => topo::batch_login(ctx).await,
        K::CombineLogout => topo::logout(ctx).await,
        K::CombineBatchLogout => topo::batch_logout(ctx).await,
        K::ServiceReply
        | K::PropertySetReply
        | K::PropertyGetReply
        | K::DownRawReply
        | K::RrpcResponse
        | K::RrpcService
        | K::RrpcDownRaw
        | K::RrpcCustom => replies::on_reply(ctx).await,
        // Valid Alink requests of features this server does not have yet (OTA, remote config,
        // sub-device registration): an error the device can act on, never a silent 200.
        K::OtaInform
        | K::OtaProgress
        | K::OtaRequest
        | K::OtaFirmwareGet
        | K::ConfigGet
        | K::ConfigPushReply
        | K::SubRegister
        | K::ProductRegister => not_supported(ctx),
        _ => {
            // Acknowledgements that need no handling (the log switch push's reply): logged as
            // received; the id (if any) keeps the entry findable.
            let id = model::alink::Request::parse(ctx.payload()).ok().map(|r| r.id);
            Outcome::ok().with_id(id)
        }
    }
}

/// [`CODE_NOT_SUPPORTED`] as the reply (where the topic has one) and in the run log.
fn not_supported(ctx: &Ctx<'_>) -> Outcome {
    let message = format!("{} is not supported by this server yet", ctx.topic.operation());
    refuse(ctx.payload(), ctx.topic, CODE_NOT_SUPPORTED, &message).with_check(CODE_NOT_SUPPORTED, message)
}

/// A database failure inside a handler: logged here, answered with [`CODE_INTERNAL`].
pub(crate) fn internal(ctx: &Ctx<'_>, req: &model::alink::Request, e: crate::store::Error) -> Outcome {
    tracing::error!(error = %e, topic = %ctx.up.topic, "router: database failure");
    respond::answer(req, ctx.topic, CODE_INTERNAL, serde_json::json!({}), "internal error")
        .with_check(CODE_INTERNAL, format!("database: {e}"))
}

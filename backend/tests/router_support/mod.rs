//! Shared by the `router_*` tests: a temp SQLite with a product and devices, an in-memory
//! [`FakeDownlink`] that records publishes, and a [`Router`] driven directly with `dispatch`.
#![allow(dead_code)]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backend::clock::{Clock, FakeClock};
use backend::config::Settings;
use backend::gateway::router::Router;
use backend::gateway::{Downlink, DownlinkError, Uplink};
use backend::hub::{everything, Hub, HubBuilder};
use backend::live_bus::LiveBus;
use backend::state::AppState;
use backend::store;
use bytes::Bytes;
use model::alink::sign::{sub_device_sign, SignMethod};
use model::registry::{DataFormat, NewDevice, NodeType, Product};
use model::runlog::{LogEntry, LogQuery};
use model::tsl::{CallType, DataType, Event, EventType, Param, Property, Service, ThingModel};
use serde_json::Value;
use tokio::sync::Notify;

pub const PK: &str = "a1FakePK001";
pub const DN: &str = "dev-001";
pub const GW_PK: &str = "a1GatewayPK";
pub const GW: &str = "gw-001";
pub const SUB_PK: &str = "a1SubPK0001";
pub const SUB: &str = "sub-001";
pub const SUB2: &str = "sub-002";
pub const SECRET: &str = "0123456789abcdef0123456789abcdef";
pub const SUB_SECRET: &str = "subsecret0123456789abcdef0123456";
pub const T0: i64 = 1_700_000_000_000;

/// One publish the router made.
#[derive(Debug, Clone)]
pub struct Published {
    pub pk: String,
    pub dn: String,
    pub topic: String,
    pub payload: Bytes,
    pub qos: u8,
}

impl Published {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.payload).unwrap_or(Value::Null)
    }
}

/// Records publishes; a device is online when a test says so.
#[derive(Default)]
pub struct FakeDownlink {
    pub sent: Mutex<Vec<Published>>,
    pub online: Mutex<HashSet<(String, String)>>,
    pub notify: Notify,
}

impl FakeDownlink {
    pub fn set_online(&self, pk: &str, dn: &str, on: bool) {
        let mut o = self.online.lock().unwrap();
        if on {
            o.insert((pk.into(), dn.into()));
        } else {
            o.remove(&(pk.to_string(), dn.to_string()));
        }
    }
    pub fn sent(&self) -> Vec<Published> {
        self.sent.lock().unwrap().clone()
    }
    pub fn clear(&self) {
        self.sent.lock().unwrap().clear();
    }
    /// The only publish so far (panics otherwise).
    pub fn only(&self) -> Published {
        let s = self.sent();
        assert_eq!(s.len(), 1, "expected exactly one publish, got {s:#?}");
        s[0].clone()
    }
    /// Waits for a publish matching `f`.
    pub async fn wait_for(&self, f: impl Fn(&Published) -> bool) -> Published {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let notified = self.notify.notified();
            if let Some(p) = self.sent().into_iter().find(|p| f(p)) {
                return p;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("no matching publish within 5 s; sent: {:#?}", self.sent());
            }
        }
    }
}

#[async_trait::async_trait]
impl Downlink for FakeDownlink {
    async fn publish(&self, pk: &str, dn: &str, topic: &str, payload: Bytes, qos: u8) -> Result<(), DownlinkError> {
        if !self.is_online(pk, dn) {
            return Err(DownlinkError::Offline);
        }
        self.sent.lock().unwrap().push(Published { pk: pk.into(), dn: dn.into(), topic: topic.into(), payload, qos });
        self.notify.notify_waiters();
        Ok(())
    }
    fn is_online(&self, pk: &str, dn: &str) -> bool {
        self.online.lock().unwrap().contains(&(pk.to_string(), dn.to_string()))
    }
}

pub struct Env {
    pub state: AppState,
    pub clock: FakeClock,
    pub router: Router,
    pub hub: Hub,
    pub downlink: Arc<FakeDownlink>,
    _dir: tempfile::TempDir,
}

/// The test product's model: a switch, a brightness, a read-only temperature, an event, an
/// async and a sync service.
pub fn model(pk: &str) -> ThingModel {
    ThingModel::new_empty(pk)
        .with_property(Property::new("LightSwitch", "Switch", DataType::bool("off", "on")))
        .with_property(Property::new("Brightness", "Brightness", DataType::int(0, 100)))
        .with_property(Property::new("Temperature", "Temperature", DataType::float(-40.0, 120.0)).read_only())
        .with_property(Property::new("Label", "Label", DataType::text(16)))
        .with_event(Event::new("Alarm", "Alarm", EventType::Alert).with_output(Param::new(
            "ErrorCode",
            "Code",
            DataType::int(0, 10),
        )))
        .with_service(Service::new("Reboot", "Reboot", CallType::Async).with_input(Param::new(
            "delay",
            "Delay",
            DataType::int(0, 60),
        )))
        .with_service(
            Service::new("Add", "Add", CallType::Sync)
                .with_input(Param::new("a", "a", DataType::int(0, 1000)))
                .with_input(Param::new("b", "b", DataType::int(0, 1000)))
                .with_output(Param::new("sum", "sum", DataType::int(0, 2000))),
        )
}

async fn product(db: &store::Db, pk: &str, node_type: NodeType) {
    let p = Product {
        product_key: pk.into(),
        name: pk.into(),
        node_type,
        data_format: DataFormat::AlinkJson,
        dynamic_registration: false,
        description: String::new(),
        created_at: T0,
        device_count: 0,
    };
    store::products::insert(db, &p, "psecret", &serde_json::to_string(&model(pk)).unwrap()).await.unwrap();
}

pub async fn device(db: &store::Db, pk: &str, dn: &str, secret: &str) {
    let d = NewDevice { device_name: dn.into(), nickname: String::new(), device_secret: None };
    store::devices::insert_many(db, pk, &[(d, secret.into())], T0).await.unwrap();
}

impl Env {
    /// Product PK with DN online; a gateway GW and sub-devices SUB, SUB2 (not attached).
    pub async fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::for_test(dir.path().to_path_buf());
        let db = store::connect(&settings.database_url).await.unwrap();
        let clock = FakeClock::new(T0);
        product(&db, PK, NodeType::Direct).await;
        product(&db, GW_PK, NodeType::Gateway).await;
        product(&db, SUB_PK, NodeType::SubDevice).await;
        device(&db, PK, DN, SECRET).await;
        device(&db, GW_PK, GW, SECRET).await;
        device(&db, SUB_PK, SUB, SUB_SECRET).await;
        device(&db, SUB_PK, SUB2, SUB_SECRET).await;
        let bus = LiveBus::default();
        let mut lanes = HubBuilder::default();
        let store_lane = lanes.lane("store", store::ingest::QUEUE_CAPACITY, everything);
        let hub = lanes.build(Arc::new(clock.clone()), bus.clone());
        store::ingest::spawn(db.connect_options().get_filename(), store_lane, bus);
        let downlink = Arc::new(FakeDownlink::default());
        downlink.set_online(PK, DN, true);
        downlink.set_online(GW_PK, GW, true);
        let router = Router::new(db.clone(), Arc::new(clock.clone()), hub.clone(), downlink.clone());
        let state = AppState::builder(db, Arc::new(clock.clone()), settings)
            .hub(hub.clone())
            .commands(router.commands())
            .build();
        Env { state, clock, router, hub, downlink, _dir: dir }
    }

    /// An uplink from session (pk, dn).
    pub fn uplink_from(&self, pk: &str, dn: &str, topic: &str, payload: impl Into<Bytes>) -> Uplink {
        Uplink {
            product_key: pk.into(),
            device_name: dn.into(),
            topic: topic.into(),
            payload: payload.into(),
            qos: 1,
            at: self.clock.now_ms(),
        }
    }

    /// Dispatch from the direct device DN.
    pub async fn up(&self, topic: &str, payload: &str) {
        self.router.dispatch(self.uplink_from(PK, DN, topic, payload.to_string())).await;
    }

    pub async fn up_from(&self, pk: &str, dn: &str, topic: &str, payload: &str) {
        self.router.dispatch(self.uplink_from(pk, dn, topic, payload.to_string())).await;
    }

    pub async fn device_id(&self, pk: &str, dn: &str) -> i64 {
        store::devices::get(&self.state.db, pk, dn).await.unwrap().unwrap().id
    }

    /// The run log as stored once everything queued so far is written (the writer would
    /// otherwise wait for its next round).
    async fn stored_logs(&self, q: &LogQuery) -> Vec<LogEntry> {
        self.hub.flush().await;
        store::runlog::query(&self.state.db, q).await.unwrap()
    }

    /// Run-log entries of a device, oldest first, once at least `n` are there.
    pub async fn logs(&self, pk: &str, dn: &str, n: usize) -> Vec<LogEntry> {
        let q = device_logs(pk, dn);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let mut l = self.stored_logs(&q).await;
            if l.len() >= n {
                l.reverse();
                return l;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("expected {n} run-log entries for {pk}/{dn}, got {l:#?}");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits for a run-log entry of the device matching `f`.
    pub async fn log_where(&self, pk: &str, dn: &str, f: impl Fn(&LogEntry) -> bool) -> LogEntry {
        let q = device_logs(pk, dn);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let l = self.stored_logs(&q).await;
            if let Some(e) = l.iter().find(|e| f(e)) {
                return e.clone();
            }
            if tokio::time::Instant::now() > deadline {
                panic!("no matching run-log entry for {pk}/{dn} in {l:#?}");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Every run-log entry (any device), once at least `n` are there.
    pub async fn all_logs(&self, n: usize) -> Vec<LogEntry> {
        let q = LogQuery { limit: Some(1000), ..Default::default() };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let l = self.stored_logs(&q).await;
            if l.len() >= n || tokio::time::Instant::now() > deadline {
                return l;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// The newest 1,000 run-log entries of one device.
fn device_logs(pk: &str, dn: &str) -> LogQuery {
    LogQuery { product_key: Some(pk.into()), device_name: Some(dn.into()), limit: Some(1000), ..Default::default() }
}

/// A signed topo/add or login entry for a sub-device, as Py builds it.
pub fn signed(pk: &str, dn: &str, secret: &str, method_key: &str) -> Value {
    let cid = format!("{pk}.{dn}|lan=Python,_v=2.2.1,_ss=1|");
    let ts = "1700000000000";
    let sign = sub_device_sign(SignMethod::HmacSha256, secret, &cid, pk, dn, ts);
    serde_json::json!({"productKey": pk, "deviceName": dn, "clientId": cid, "timestamp": ts, method_key: "hmacSha256", "sign": sign})
}

pub fn topic(kind_suffix: &str) -> String {
    format!("/sys/{PK}/{DN}/{kind_suffix}")
}

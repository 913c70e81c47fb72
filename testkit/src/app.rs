//! [`TestApp`]: fleetdeck over a temporary SQLite, in one of three modes.
//!
//! - [`Builder::handlers_only`] (the default): `AppState::new`, no gateway; HTTP requests go
//!   through `backend::app` with tower's `oneshot`, no socket.
//! - [`Builder::recording_downlink`]: the uplink router with the hub and the store writer, its
//!   publishes kept by a [`RecordingDownlink`]; tests call `router().dispatch` directly.
//! - [`Builder::gateway`]: the whole server (`backend::server::start_with_clock`) on free
//!   ports, with real MQTT devices and real HTTP.
//!
//! Every mode has the admin bootstrapped with [`ADMIN_PW`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use backend::auth::bootstrap;
use backend::clock::{FakeClock, SharedClock, SystemClock};
use backend::config::Settings;
use backend::gateway::router::Router;
use backend::hub::{everything, Hub, HubBuilder};
use backend::live_bus::LiveBus;
use backend::server::Running;
use backend::state::AppState;
use backend::store::{self, Db};
use model::auth::Role;

use crate::client::Transport;
use crate::downlink::RecordingDownlink;

/// The admin's password in every mode.
pub const ADMIN_PW: &str = "admin-password";
/// Where the default fake clock starts (ms).
pub const T0: i64 = 1_700_000_000_000;

type Tweak = Box<dyn FnOnce(&mut Settings) + Send>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    HandlersOnly,
    RecordingDownlink,
    Gateway,
}

/// Options for a [`TestApp`]; see the module documentation for the modes.
pub struct Builder {
    mode: Mode,
    clock: Option<FakeClock>,
    tweaks: Vec<Tweak>,
    ui: bool,
    fleet: bool,
}

/// The built UI: `FLEETDECK_TEST_DIST` (set by the test command) or `dist/` at the repo root.
pub fn dist_dir() -> PathBuf {
    let d = std::env::var("FLEETDECK_TEST_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist"));
    assert!(d.join("index.html").is_file(), "{} has no index.html: run scripts/build-ui.sh first", d.display());
    d
}

impl Builder {
    /// Time moves only when the test says so. Default: a fake clock at [`T0`], except for
    /// `.gateway()`, which runs on the system clock unless given one.
    pub fn clock(mut self, clock: FakeClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Change the settings before anything starts.
    pub fn settings(mut self, tweak: impl FnOnce(&mut Settings) + Send + 'static) -> Self {
        self.tweaks.push(Box::new(tweak));
        self
    }

    /// Serve the built web UI ([`dist_dir`]).
    pub fn ui(mut self) -> Self {
        self.ui = true;
        self
    }

    pub fn handlers_only(mut self) -> Self {
        self.mode = Mode::HandlersOnly;
        self
    }

    pub fn recording_downlink(mut self) -> Self {
        self.mode = Mode::RecordingDownlink;
        self
    }

    pub fn gateway(mut self) -> Self {
        self.mode = Mode::Gateway;
        self
    }

    /// The router tests' registry ([`crate::registry::seed_fleet`]): product PK with device
    /// DN, gateway GW, sub-devices SUB and SUB2; with a recording downlink, DN and GW online.
    pub fn fleet(mut self) -> Self {
        self.fleet = true;
        self
    }

    pub async fn build(self) -> TestApp {
        self.try_build().await.expect("the test app starts")
    }

    /// For a test of a start that fails (a port in use).
    pub async fn try_build(self) -> anyhow::Result<TestApp> {
        let dir = tempfile::tempdir()?;
        let mut settings = Settings::for_test(dir.path().to_path_buf());
        settings.admin_password = Some(ADMIN_PW.into());
        settings.database_url = crate::store::database_url(dir.path()).await?;
        let dist = self.ui.then(dist_dir);
        for tweak in self.tweaks {
            tweak(&mut settings);
        }
        let fake = match self.mode {
            Mode::Gateway => self.clock,
            _ => Some(self.clock.unwrap_or_else(|| FakeClock::new(T0))),
        };
        let clock: SharedClock = match &fake {
            Some(c) => Arc::new(c.clone()),
            None => Arc::new(SystemClock),
        };
        let parts = match self.mode {
            Mode::HandlersOnly => {
                let db = store::connect(&settings.database_url).await?;
                let state = AppState::new(db, clock, settings);
                Parts::HandlersOnly { http: backend::app(state.clone(), dist.as_deref()), state }
            }
            Mode::RecordingDownlink => recording(settings, clock, dist).await?,
            Mode::Gateway => {
                settings.dist = dist;
                Parts::Gateway(Box::new(backend::server::start_with_clock(settings, clock).await?))
            }
        };
        let app = TestApp { parts, fake, made: Mutex::default(), dir };
        // The server bootstraps its own admin from the settings.
        if self.mode != Mode::Gateway {
            bootstrap::ensure_admin(app.state(), Some(ADMIN_PW)).await?;
        }
        if self.fleet {
            crate::registry::seed_fleet(&app).await;
        }
        Ok(app)
    }
}

/// The router, hub and store writer as the server wires them, with a recording downlink.
async fn recording(settings: Settings, clock: SharedClock, dist: Option<PathBuf>) -> anyhow::Result<Parts> {
    let db = store::connect(&settings.database_url).await?;
    let bus = LiveBus::default();
    let mut lanes = HubBuilder::default();
    let store_lane = lanes.durable_lane("store", store::ingest::QUEUE_CAPACITY, everything);
    let hub = lanes.build(clock.clone(), bus.clone());
    store::spawn_writer(db.writer_target(), store_lane, bus, Default::default());
    let downlink = Arc::new(RecordingDownlink::default());
    let router = Router::new(db.clone(), clock.clone(), hub.clone(), downlink.clone());
    let state = AppState::builder(db, clock, settings).hub(hub.clone()).commands(router.commands()).build();
    let http = backend::app(state.clone(), dist.as_deref());
    Ok(Parts::RecordingDownlink { state, http, router, hub, downlink })
}

enum Parts {
    HandlersOnly {
        state: AppState,
        http: axum::Router,
    },
    RecordingDownlink {
        state: AppState,
        http: axum::Router,
        router: Router,
        hub: Hub,
        downlink: Arc<RecordingDownlink>,
    },
    // Boxed: the running server is far larger than the other modes' parts.
    Gateway(Box<Running>),
}

/// fleetdeck under test. Dropping it leaves a gateway running until the runtime ends; call
/// [`TestApp::shutdown`] to stop it in order.
pub struct TestApp {
    parts: Parts,
    fake: Option<FakeClock>,
    /// Roles whose user [`TestApp::client`] has created.
    pub(crate) made: Mutex<Vec<Role>>,
    dir: tempfile::TempDir,
}

impl TestApp {
    pub fn builder() -> Builder {
        Builder { mode: Mode::HandlersOnly, clock: None, tweaks: Vec::new(), ui: false, fleet: false }
    }

    pub fn state(&self) -> &AppState {
        match &self.parts {
            Parts::HandlersOnly { state, .. } | Parts::RecordingDownlink { state, .. } => state,
            Parts::Gateway(r) => &r.state,
        }
    }

    pub fn db(&self) -> &Db {
        &self.state().db
    }

    /// The fake clock (panics on the system clock).
    pub fn clock(&self) -> &FakeClock {
        self.fake.as_ref().expect("this app runs on the system clock: give the builder .clock(FakeClock)")
    }

    /// The axum app that `oneshot` requests go to (not in `.gateway()`: that one has a socket).
    pub fn http_router(&self) -> &axum::Router {
        match &self.parts {
            Parts::HandlersOnly { http, .. } | Parts::RecordingDownlink { http, .. } => http,
            Parts::Gateway(_) => panic!("a .gateway() app is reached over HTTP at base_url()"),
        }
    }

    pub(crate) fn transport(&self) -> Transport {
        match &self.parts {
            Parts::Gateway(r) => Transport::http(format!("http://{}", r.http_addr)),
            _ => Transport::Tower(self.http_router().clone()),
        }
    }

    pub(crate) fn is_recording(&self) -> bool {
        matches!(self.parts, Parts::RecordingDownlink { .. })
    }

    fn recording(&self) -> (&Router, &Hub, &Arc<RecordingDownlink>) {
        match &self.parts {
            Parts::RecordingDownlink { router, hub, downlink, .. } => (router, hub, downlink),
            _ => panic!("only a .recording_downlink() app has its router, hub and downlink at hand"),
        }
    }

    /// The uplink router (`.recording_downlink()`).
    pub fn router(&self) -> &Router {
        self.recording().0
    }

    /// What the router published (`.recording_downlink()`).
    pub fn downlink(&self) -> &Arc<RecordingDownlink> {
        self.recording().2
    }

    /// The hub: `flush()` waits until every fact so far is stored (not in `.handlers_only()`).
    pub fn hub(&self) -> &Hub {
        match &self.parts {
            Parts::RecordingDownlink { hub, .. } => hub,
            Parts::Gateway(r) => &r.hub,
            Parts::HandlersOnly { .. } => panic!("a .handlers_only() app has no hub writing to the store"),
        }
    }

    /// The running server (`.gateway()`).
    pub fn running(&self) -> &Running {
        match &self.parts {
            Parts::Gateway(r) => r,
            _ => panic!("only a .gateway() app runs the server"),
        }
    }

    /// Where devices connect (`.gateway()`).
    pub fn mqtt_addr(&self) -> SocketAddr {
        self.running().mqtt_addr
    }

    /// `http://127.0.0.1:port` (`.gateway()`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.running().http_addr)
    }

    /// Stop the server in order (`.gateway()`); the data directory is handed back for a test
    /// that looks at what the server left behind.
    pub async fn shutdown(self) -> tempfile::TempDir {
        match self.parts {
            Parts::Gateway(r) => {
                let report = r.shutdown().await;
                assert!(report.aborted.is_empty(), "jobs did not stop in time: {:?}", report.aborted);
            }
            _ => panic!("only a .gateway() app runs a server to shut down"),
        }
        self.dir
    }
}

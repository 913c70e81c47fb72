//! An operator's simulator (the Device Simulation page): one [`SimDevice`] run as a supervised
//! one-shot job, driven by [`Command`]s, with a message pane and a push policy.
//!
//! Seed limits: refused for a physical device that is online or disabled and for products with
//! a custom data format; it stops when the operator stops it or leaves the page. Leaving is
//! noticed by a lease on the injected clock (the page polls its status; without a poll for
//! [`LEASE_MS`] an unpinned simulator stops), since a closed tab sends nothing. A pinned one runs
//! until stopped. A demo-fleet device is taken from the fleet rather than refused.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use devclient::Identity;
use model::alink::DeviceRef;
use model::registry::{DataFormat, DeviceStatus};
use model::simulate::{PushPolicy, SimulationStatus, TraceLine, TRACE_LINES};
use model::tsl::ThingModel;
use serde_json::{Map, Value};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::device::{Command, SimDevice};
use super::trace::Trace;
use crate::clock::SharedClock;
use crate::error::{AppError, AppResult};
use crate::jobs::Stage;
use crate::state::AppState;
use crate::store;

/// An unpinned simulator whose page has not asked for its status this long stops (ms).
pub const LEASE_MS: i64 = 30_000;

/// What a push policy pushes each time.
#[derive(Debug, Clone)]
pub enum Push {
    Properties(Map<String, Value>),
    Event { id: String, params: Value },
}

impl Push {
    pub(crate) fn command(&self) -> Command {
        match self {
            Push::Properties(v) => Command::Properties(v.clone()),
            Push::Event { id, params } => Command::Event { id: id.clone(), params: params.clone() },
        }
    }
}

struct PolicyRun {
    policy: PushPolicy,
    token: CancellationToken,
    pushes: Arc<AtomicU64>,
}

/// A running operator's simulator.
pub struct Manual {
    pub me: DeviceRef,
    pub model: Arc<ThingModel>,
    cmds: mpsc::Sender<Command>,
    stop: CancellationToken,
    pinned: AtomicBool,
    seen_ms: AtomicI64,
    lines: Mutex<VecDeque<TraceLine>>,
    policy: Mutex<Option<PolicyRun>>,
    clock: SharedClock,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Each section is one replace or push: a poisoned value is still whole.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Manual {
    pub async fn send(&self, c: Command) -> AppResult<()> {
        self.cmds.send(c).await.map_err(|_| AppError::Conflict("the simulator has stopped".into()))
    }

    pub fn stop(&self) {
        self.stop.cancel();
    }

    pub fn is_running(&self) -> bool {
        !self.stop.is_cancelled()
    }

    pub fn set_pinned(&self, pinned: bool) {
        self.pinned.store(pinned, Ordering::Relaxed);
    }

    /// The page looked: the lease is renewed.
    pub fn seen(&self) {
        self.seen_ms.store(self.clock.now_ms(), Ordering::Relaxed);
    }

    pub fn status(&self) -> SimulationStatus {
        let (policy, pushes, pushes_left) = match &*lock(&self.policy) {
            Some(p) if !p.token.is_cancelled() || p.pushes.load(Ordering::Relaxed) > 0 => {
                let done = p.pushes.load(Ordering::Relaxed);
                (Some(p.policy.clone()), done, p.policy.total().saturating_sub(done))
            }
            _ => (None, 0, 0),
        };
        SimulationStatus {
            running: self.is_running(),
            pinned: self.pinned.load(Ordering::Relaxed),
            policy,
            pushes,
            pushes_left,
            lines: lock(&self.lines).iter().cloned().collect(),
        }
    }

    /// Only the last policy takes effect: the previous one is cancelled here.
    pub fn set_policy(&self, policy: PushPolicy, push: Push) {
        let token = self.stop.child_token();
        let pushes = Arc::new(AtomicU64::new(0));
        let run = PolicyRun { policy: policy.clone(), token: token.clone(), pushes: pushes.clone() };
        if let Some(old) = lock(&self.policy).replace(run) {
            old.token.cancel();
        }
        let (cmds, clock) = (self.cmds.clone(), self.clock.clone());
        tokio::spawn(async move {
            let mut from = clock.now_ms();
            while let Some(at) = policy.next_at(from) {
                tokio::select! {
                    _ = token.cancelled() => return,
                    _ = clock.sleep_until(at) => {}
                }
                if token.is_cancelled() || cmds.send(push.command()).await.is_err() {
                    return;
                }
                pushes.fetch_add(1, Ordering::Relaxed);
                from = at + 1;
            }
            token.cancel();
        });
    }
}

/// Start (or find) the simulator of `pk`/`dn`.
pub async fn start(st: &AppState, pk: &str, dn: &str, pinned: bool) -> AppResult<Arc<Manual>> {
    let me = DeviceRef::new(pk, dn);
    if let Some(m) = st.simulators.manual(&me) {
        m.set_pinned(pinned);
        m.seen();
        return Ok(m);
    }
    let product = store::products::get(&st.db, pk).await?.ok_or_else(|| AppError::NotFound(format!("product {pk}")))?;
    if product.product.data_format == DataFormat::Custom {
        return Err(AppError::Conflict(
            "device simulation cannot simulate devices that transmit data in custom formats".into(),
        ));
    }
    let rec =
        store::devices::get(&st.db, pk, dn).await?.ok_or_else(|| AppError::NotFound(format!("device {pk}/{dn}")))?;
    if !rec.enabled {
        return Err(AppError::Conflict("the device is disabled: device simulation cannot be used".into()));
    }
    let from_fleet = st.simulators.fleet_holds(&me);
    if rec.device.status == DeviceStatus::Online && !from_fleet {
        return Err(AppError::Conflict("the physical device is online: device simulation cannot be used".into()));
    }
    let model: Arc<ThingModel> =
        Arc::new(serde_json::from_str(&product.tsl).map_err(|e| anyhow::anyhow!("stored thing model of {pk}: {e}"))?);
    // The demo fleet lets go of it and stays away until the simulator stops.
    st.simulators.claim(&me);
    let mut sim = SimDevice::new(Identity::new(pk, dn, rec.device_secret.clone()), model.clone(), st.clock.clone());
    sim.trace = Trace::channel(TRACE_LINES);
    let mut watch = sim.trace.subscribe().expect("a channel trace has watchers");
    let (cmds, rx) = mpsc::channel(64);
    let manual = Arc::new(Manual {
        me: me.clone(),
        model,
        cmds,
        stop: CancellationToken::new(),
        pinned: AtomicBool::new(pinned),
        seen_ms: AtomicI64::new(st.now()),
        lines: Mutex::default(),
        policy: Mutex::default(),
        clock: st.clock.clone(),
    });
    st.simulators.add_manual(manual.clone());
    let collector = manual.clone();
    tokio::spawn(async move {
        while let Ok(line) = watch.recv().await {
            let mut l = lock(&collector.lines);
            if l.len() >= TRACE_LINES {
                l.pop_front();
            }
            l.push_back(line);
        }
    });
    let broker = crate::server::device_broker(&st.settings);
    let (m, sims, clock) = (manual.clone(), st.simulators.clone(), st.clock.clone());
    let name = format!("simulator {pk}/{dn}");
    let spawned = st.jobs.spawn_once(&name, Stage::Processing, move |cancel| async move {
        let stop = m.stop.clone();
        let lease = lease(&m, &clock);
        let exit = tokio::select! {
            e = sim.run(broker, stop.clone(), rx) => e,
            _ = cancel.cancelled() => { stop.cancel(); super::device::Exit::Stopped }
            _ = lease => { stop.cancel(); super::device::Exit::Stopped }
        };
        stop.cancel();
        sims.remove_manual(&m.me);
        sims.release(&m.me);
        tracing::info!(device = %m.me.dn, ?exit, "simulator stopped");
        Ok(())
    });
    if let Err(e) = spawned {
        st.simulators.remove_manual(&me);
        st.simulators.release(&me);
        return Err(AppError::Conflict(e.to_string()));
    }
    Ok(manual)
}

/// Resolves when an unpinned simulator's page has not looked for [`LEASE_MS`].
async fn lease(m: &Manual, clock: &SharedClock) {
    loop {
        let due = m.seen_ms.load(Ordering::Relaxed) + LEASE_MS;
        clock.sleep_until(due).await;
        let fresh = m.seen_ms.load(Ordering::Relaxed) + LEASE_MS > clock.now_ms();
        if !fresh && !m.pinned.load(Ordering::Relaxed) {
            return;
        }
        if !fresh {
            // Pinned: look again a lease later.
            m.seen_ms.store(clock.now_ms(), Ordering::Relaxed);
        }
    }
}

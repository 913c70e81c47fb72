//! The living demo fleet: every device of the demo catalogue ([`crate::demo`]) is a simulated
//! device ([`SimDevice`]) that connects with its own credentials and reports on its own timers
//! (injected clock): street lamps and environment sensors directly, smart plugs through their
//! gateway. A few flap (drop off without DISCONNECT and come back).
//!
//! It does not fight over a device: when the broker closes its session (a real device connected
//! with the same credentials: takeover 427; or the device was disabled) it waits until the
//! device has been offline for a while before it tries again; a device claimed by an operator's
//! simulator ([`Simulators::claim`]) is let go at once and left alone until released.

use std::net::SocketAddr;
use std::sync::Arc;

use devclient::{Identity, Scheme};
use model::alink::{DeviceRef, Sdk};
use model::registry::DeviceStatus;
use model::simulate::{self, DemoKind, FLAP_EVERY, SUBS_PER_GATEWAY};
use model::tsl::ThingModel;
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

use super::answers::Brain;
use super::device::{Auto, Exit, SimDevice, Sub};
use super::Simulators;
use crate::clock::SharedClock;
use crate::demo::{self, DemoProduct};
use crate::jobs::{JobError, Restart, Stage, Supervisor};
use crate::state::AppState;
use crate::store;

/// Handshakes in flight at most: 10,000 devices connect in a steady ramp, not all at once.
const CONNECT_CONCURRENCY: usize = 32;
/// After losing its session to someone else, a device stays away at least this long.
const YIELD_MS: i64 = 60_000;
/// A device that could not connect (disabled, deleted) tries again after this long.
const RETRY_MS: i64 = 60_000;

/// What each kind of demo device does on its own.
fn auto(kind: DemoKind, index: usize, seed: u64) -> Auto {
    let (report_ms, event_every, diag_every, tsl_error_every) = match kind {
        DemoKind::StreetLamp => (60_000, 10, 5, 40),
        DemoKind::EnvSensor => (30_000, 20, 10, 60),
        DemoKind::Gateway => (60_000, 30, 5, 0),
        DemoKind::SubDevice => (60_000, 0, 0, 0),
    };
    let flap_after = (index % FLAP_EVERY == FLAP_EVERY - 1).then_some(3 + seed % 5);
    Auto { report_ms, event_every, diag_every, tsl_error_every, flap_after }
}

fn scheme(kind: DemoKind, index: usize) -> Scheme {
    match (kind, index % 3) {
        (DemoKind::EnvSensor, _) => Scheme::Sdk(Sdk::Python),
        (_, 0) => Scheme::Sdk(Sdk::C4),
        (_, 1) => Scheme::Sdk(Sdk::C3),
        _ => Scheme::Sdk(Sdk::C4),
    }
}

/// The fleet's devices, built from the catalogue and the store's credentials.
pub async fn build(st: &AppState, cat: &[DemoProduct]) -> anyhow::Result<Vec<SimDevice>> {
    let clock = st.clock.clone();
    let mut models = std::collections::HashMap::new();
    let mut secrets = std::collections::HashMap::new();
    for p in cat {
        let Some(rec) = store::products::get(&st.db, p.product_key).await? else { continue };
        let model: ThingModel = serde_json::from_str(&rec.tsl)?;
        models.insert(p.product_key, Arc::new(model));
        for (dn, secret, enabled) in store::devices::credentials(&st.db, p.product_key).await? {
            secrets.insert((p.product_key, dn), (secret, enabled));
        }
    }
    let ident =
        |pk: &'static str, dn: &str| secrets.get(&(pk, dn.to_string())).map(|(s, _)| Identity::new(pk, dn, s.clone()));
    let gate = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let mut out = Vec::new();
    for p in cat.iter().filter(|p| p.kind != DemoKind::SubDevice) {
        let Some(model) = models.get(p.product_key) else { continue };
        for (i, dn) in p.devices.iter().enumerate() {
            let Some(id) = ident(p.product_key, dn) else { continue };
            let mut d = SimDevice::new(id, model.clone(), clock.clone());
            d.gate = Some(gate.clone());
            d.auto = Some(auto(p.kind, out.len(), d.brain.seed));
            d.scheme = scheme(p.kind, i);
            if p.kind == DemoKind::Gateway {
                d.auto.as_mut().expect("set above").flap_after = None;
                let plugs = models.get(demo::PLUG_PK);
                for j in 1..=SUBS_PER_GATEWAY {
                    let sub = demo::plug_name(i + 1, j);
                    if let (Some(id), Some(m)) = (ident(demo::PLUG_PK, &sub), plugs) {
                        let seed = simulate::seed_of(&format!("{}/{}", id.pk, id.dn));
                        d.subs.push(Sub { identity: id, brain: Arc::new(Brain::new(m.clone(), seed, clock.clone())) });
                    }
                }
            }
            out.push(d);
        }
    }
    Ok(out)
}

/// Start the demo fleet as the supervised job `demo-fleet`.
pub fn start(jobs: &Supervisor, st: AppState, cat: Vec<DemoProduct>, broker: SocketAddr) -> Result<(), JobError> {
    jobs.spawn("demo-fleet", Stage::Intake, Restart::default(), move |cancel| {
        let (st, cat) = (st.clone(), cat.clone());
        async move {
            let devices = build(&st, &cat).await?;
            tracing::info!(devices = devices.len(), "demo fleet connecting");
            run(devices, broker, st, cancel).await;
            Ok(())
        }
    })
}

/// Keep every device running until `cancel`.
pub async fn run(devices: Vec<SimDevice>, broker: SocketAddr, st: AppState, cancel: CancellationToken) {
    let mut set = tokio::task::JoinSet::new();
    for d in devices {
        let (st, cancel) = (st.clone(), cancel.clone());
        set.spawn(async move { keep_running(d, broker, st, cancel).await });
    }
    while set.join_next().await.is_some() {}
}

async fn keep_running(d: SimDevice, broker: SocketAddr, st: AppState, cancel: CancellationToken) {
    let me = DeviceRef::new(d.identity.pk.clone(), d.identity.dn.clone());
    let sims: &Simulators = &st.simulators;
    let clock = st.clock.clone();
    while !cancel.is_cancelled() {
        if sims.is_claimed(&me) {
            wait(&clock, &cancel, 5_000, Some(sims)).await;
            continue;
        }
        let token = cancel.child_token();
        sims.fleet_runs(&me, token.clone());
        // Commands come only from an operator's simulator; the fleet sends none.
        let (_commands, rx) = mpsc::channel(1);
        let exit = d.run(broker, token, rx).await;
        sims.fleet_stopped(&me);
        match exit {
            Exit::Stopped => {}
            Exit::Flapped => wait(&clock, &cancel, 20_000 + (d.brain.seed % 20_000) as i64, None).await,
            Exit::Lost(_) => yield_to_other(&st, &me, &cancel).await,
            Exit::NoConnect(e) => {
                tracing::debug!(device = %me.dn, "demo device cannot connect: {e}");
                wait(&clock, &cancel, RETRY_MS, None).await
            }
        }
    }
}

/// Someone else has the session (a real device, takeover 427): stay away while it is online.
async fn yield_to_other(st: &AppState, me: &DeviceRef, cancel: &CancellationToken) {
    loop {
        wait(&st.clock, cancel, YIELD_MS, None).await;
        if cancel.is_cancelled() {
            return;
        }
        match store::devices::get(&st.db, &me.pk, &me.dn).await {
            Ok(Some(r)) if r.device.status == DeviceStatus::Online => continue,
            Ok(Some(_)) => return,
            // Deleted, or the store failed: try again later rather than never.
            _ => continue,
        }
    }
}

async fn wait(clock: &SharedClock, cancel: &CancellationToken, ms: i64, sims: Option<&Simulators>) {
    let released = async {
        match sims {
            Some(s) => s.released().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = clock.sleep(ms) => {}
        _ = released => {}
    }
}

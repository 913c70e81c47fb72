//! Background work as owned, named jobs under one [`Supervisor`]: cancellation, restart on
//! failure, a status for `/readyz`, and a shutdown in stages.
//!
//! Why a supervisor: the ingest writer, the uplink router workers, hub consumers, and from now on
//! schedulers, pushes, purges, rule evaluation and simulators are all long-lived tasks. Spawned
//! bare, a panic in one ends it silently (the router stops routing, nobody knows), and shutdown
//! is a hand-ordered list of drops that every new task has to be slotted into. Here:
//! - every job has a name, a [`Stage`] and a record ([`Supervisor::status`]): running,
//!   restarting (and how often it has been), failed with its panic message or error, or stopped;
//! - a panic or an `Err` from a restartable job is logged and the job is started again after a
//!   backoff on the injected clock ([`Restart`]); past its budget it is reported failed;
//! - [`Supervisor::shutdown`] cancels and awaits one stage at a time, in [`Stage::ALL`] order,
//!   each within a deadline; what does not stop is logged, aborted and reported. Writers stop
//!   last, so what the earlier stages produced while draining is still written.
//!
//! Cancellation is tokio-util's [`CancellationToken`], one per stage: jobs `select!` on
//! `cancelled()` and drain before returning. Tracking is the supervisor's own list of join
//! handles rather than a `TaskTracker`: it needs a handle per job anyway, to name and abort the
//! jobs that miss their deadline, and waiting on those handles is all a tracker would add (and
//! tokio-util's `rt` feature would rebuild every crate that uses tokio-util).
//!
//! A restartable job is a factory, called again for each start. State that must survive a
//! restart (a channel receiver, say) lives outside the future and is borrowed per run:
//! ```text
//! let rx = Arc::new(tokio::sync::Mutex::new(rx));
//! jobs.spawn("ingest-writer", Stage::Writers, Restart::default(), move |cancel| {
//!     let rx = rx.clone();
//!     async move { writer_loop(&mut *rx.lock().await, cancel).await }
//! })?;
//! ```

mod run;
mod status;
#[cfg(test)]
mod tests;

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub(crate) use run::panic_message;
pub use run::Restart;
pub use status::{JobState, JobStatus, Stage};

use crate::clock::{ClockExt, SharedClock};
use run::Job;
use status::Record;

/// Why a job was not started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// A job of that name is running or waiting to restart; names are how jobs are reported.
    #[error("job {0} is already running")]
    AlreadyRunning(String),
    /// Its stage has been told to stop.
    #[error("job {0} not started: shutting down")]
    ShuttingDown(String),
}

/// What [`Supervisor::shutdown`] could not stop in time (those jobs were aborted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    pub aborted: Vec<String>,
}

struct Entry {
    record: Arc<Record>,
    stage: Stage,
    task: Option<JoinHandle<()>>,
}

struct Inner {
    clock: SharedClock,
    stages: [CancellationToken; 4],
    /// In spawn order, so the status reads in the order things were started.
    jobs: Mutex<Vec<Entry>>,
}

/// The owner of every background job. Cheap to clone; clones share the jobs.
#[derive(Clone)]
pub struct Supervisor(Arc<Inner>);

impl Supervisor {
    pub fn new(clock: SharedClock) -> Self {
        Supervisor(Arc::new(Inner { clock, stages: Default::default(), jobs: Mutex::new(Vec::new()) }))
    }

    fn jobs(&self) -> MutexGuard<'_, Vec<Entry>> {
        // Entries are pushed or replaced whole: a poisoned list is still consistent.
        self.0.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Start a long-lived job; `start` is called again for every restart after a failure (a
    /// panic or an `Err`). Returning `Ok` ends the job for good (it is then "stopped"): return
    /// when `cancel` fires, after draining what is in hand.
    pub fn spawn<F, Fut>(&self, name: &str, stage: Stage, policy: Restart, start: F) -> Result<(), JobError>
    where
        F: FnMut(CancellationToken) -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.start(name, stage, true, move |job| job.restarting(policy, start))
    }

    /// Start a one-shot job (an import, a purge run, a rollout step): it runs once and a failure
    /// is reported, not retried. Its name can be used again once it has ended.
    pub fn spawn_once<F, Fut>(&self, name: &str, stage: Stage, start: F) -> Result<(), JobError>
    where
        F: FnOnce(CancellationToken) -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.start(name, stage, false, move |job| {
            // `start` is called inside the task (not under the list's lock), within the
            // attempt, so a panic in it is caught and reported like one in the future.
            let cancel = job.cancel.clone();
            job.once(async move { start(cancel).await })
        })
    }

    fn start<R, Fut>(&self, name: &str, stage: Stage, restartable: bool, run: R) -> Result<(), JobError>
    where
        R: FnOnce(Job) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let cancel = self.0.stages[stage.index()].clone();
        let mut jobs = self.jobs();
        // Checked under the list's lock: shutdown cancels first and then takes the list, so a
        // job is either refused here or found there.
        if cancel.is_cancelled() {
            return Err(JobError::ShuttingDown(name.to_owned()));
        }
        let same = jobs.iter().position(|e| e.record.get().name == name);
        if let Some(i) = same {
            if jobs[i].record.get().is_alive() {
                return Err(JobError::AlreadyRunning(name.to_owned()));
            }
        }
        let record = Arc::new(Record::new(name.to_owned(), stage, restartable));
        let job = Job { record: record.clone(), name: name.to_owned(), clock: self.0.clock.clone(), cancel };
        let entry = Entry { record, stage, task: Some(tokio::spawn(run(job))) };
        match same {
            Some(i) => jobs[i] = entry,
            None => jobs.push(entry),
        }
        Ok(())
    }

    /// Every job and its state, in the order they were started.
    pub fn status(&self) -> Vec<JobStatus> {
        self.jobs().iter().map(|e| e.record.get()).collect()
    }

    /// Stop every job, stage by stage in [`Stage::ALL`] order: cancel the stage, wait up to
    /// `stage_deadline_ms` (on the injected clock) for its jobs to return, abort and log those
    /// that did not, then go on to the next stage. Jobs started later are refused.
    pub async fn shutdown(&self, stage_deadline_ms: i64) -> ShutdownReport {
        let mut report = ShutdownReport::default();
        for stage in Stage::ALL {
            self.0.stages[stage.index()].cancel();
            let mut tasks: Vec<(Arc<Record>, JoinHandle<()>)> = self
                .jobs()
                .iter_mut()
                .filter(|e| e.stage == stage)
                .filter_map(|e| Some((e.record.clone(), e.task.take()?)))
                .collect();
            let all = futures::future::join_all(tasks.iter_mut().map(|(_, t)| t));
            if self.0.clock.timeout(stage_deadline_ms, all).await.is_ok() {
                continue;
            }
            for (record, task) in tasks.iter().filter(|(_, t)| !t.is_finished()) {
                let name = record.get().name;
                tracing::warn!(job = %name, ?stage, deadline_ms = stage_deadline_ms, "job did not stop in time; aborted");
                task.abort();
                let message = format!("did not stop within {stage_deadline_ms} ms of shutdown; aborted");
                record.failed(&message);
                record.set(JobState::Failed { message });
                report.aborted.push(name);
            }
        }
        report
    }
}

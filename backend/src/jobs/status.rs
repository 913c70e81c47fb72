//! What the supervisor knows about each job, in the shape `/readyz` will report.
//!
//! Each job has one record, written by its own supervising task and read by [`super::Supervisor::status`];
//! the lock is held for a field update or a clone, never across an await.

use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use utoipa::ToSchema;

/// Shutdown order: a stage is stopped (cancelled and awaited) only after every earlier one has
/// stopped, so what an earlier stage produced while it drained still has a consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Where facts enter: listeners, the broker's hooks, watches that react to outside events.
    Intake,
    /// Turns intake into facts and commands: the uplink router workers, schedulers, simulators.
    Processing,
    /// Consumes facts: event-hub subscribers, counters, rule evaluation, pushes, purges.
    Consumers,
    /// Persists what everything before produced: the ingest and run-log writers. Stops last.
    Writers,
}

impl Stage {
    /// Every stage, in shutdown order.
    pub const ALL: [Stage; 4] = [Stage::Intake, Stage::Processing, Stage::Consumers, Stage::Writers];

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JobState {
    Running,
    /// It failed and waits out its backoff; it starts again at `at_ms` (the injected clock).
    Restarting {
        at_ms: i64,
    },
    /// Out of restarts (or a one-shot that failed, or it would not stop at shutdown): it does not
    /// run and will not come back by itself. `message` is the panic message or the error.
    Failed {
        message: String,
    },
    /// It returned, or stopped because it was cancelled.
    Stopped,
}

/// One line of [`super::Supervisor::status`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct JobStatus {
    pub name: String,
    pub stage: Stage,
    #[serde(flatten)]
    pub state: JobState,
    /// Whether a failure is followed by a restart (false for one-shots).
    pub restartable: bool,
    /// How many times it was started again after a failure, over its whole life.
    pub restarts: u32,
    /// The most recent failure, kept after a successful restart so a flapping job is visible.
    pub last_failure: Option<String>,
}

impl JobStatus {
    /// Running or about to run again: not something `/readyz` should complain about.
    pub fn is_alive(&self) -> bool {
        matches!(self.state, JobState::Running | JobState::Restarting { .. })
    }
}

/// The shared record of one job.
pub(super) struct Record(Mutex<JobStatus>);

impl Record {
    pub(super) fn new(name: String, stage: Stage, restartable: bool) -> Self {
        Record(Mutex::new(JobStatus {
            name,
            stage,
            state: JobState::Running,
            restartable,
            restarts: 0,
            last_failure: None,
        }))
    }

    fn lock(&self) -> MutexGuard<'_, JobStatus> {
        // Every write is a single field assignment: a poisoned record is still consistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn get(&self) -> JobStatus {
        self.lock().clone()
    }

    pub(super) fn set(&self, state: JobState) {
        self.lock().state = state;
    }

    pub(super) fn failed(&self, message: &str) {
        self.lock().last_failure = Some(message.to_owned());
    }

    pub(super) fn restarted(&self) {
        let mut s = self.lock();
        s.restarts = s.restarts.saturating_add(1);
        s.state = JobState::Running;
    }
}

//! The loop around one job: run it, catch its panic or error, and restart it after a backoff on
//! the injected clock until it fails too often in a row.
//!
//! A panic is caught here (not left to kill the task) so it is logged with the job's name and
//! shows in the status instead of the job silently disappearing. Failures "in a row" reset once
//! a run lasted [`Restart::healthy_after_ms`]: a job that crashes on a rare bad input once a day
//! keeps being restarted, a job that crashes on start is given up after its budget.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use tokio_util::sync::CancellationToken;

use super::status::{JobState, Record};
use crate::clock::SharedClock;

/// How a restartable job is restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Restart {
    /// Restarts in a row (without a healthy run between them) before the job is reported failed.
    pub max_restarts: u32,
    /// The wait before the first restart; doubled for each further failure in a row.
    pub first_backoff_ms: i64,
    /// The longest wait between restarts.
    pub max_backoff_ms: i64,
    /// A run at least this long counts as healthy and clears the failures in a row.
    pub healthy_after_ms: i64,
}

impl Default for Restart {
    /// 5 restarts at 1, 2, 4, 8, 16 s: enough to ride out a database that restarts, short enough
    /// that a job crashing on start is reported within half a minute.
    fn default() -> Self {
        Restart { max_restarts: 5, first_backoff_ms: 1_000, max_backoff_ms: 60_000, healthy_after_ms: 60_000 }
    }
}

impl Restart {
    /// The wait before restart number `n` in a row (1-based).
    pub fn backoff_ms(&self, n: u32) -> i64 {
        let doublings = n.saturating_sub(1).min(32);
        self.first_backoff_ms.max(0).saturating_mul(1i64 << doublings).min(self.max_backoff_ms.max(0))
    }
}

/// Run one attempt; a panic or an error becomes its message.
async fn attempt(fut: impl Future<Output = anyhow::Result<()>>) -> Result<(), String> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("{e:#}")),
        Err(panic) => Err(format!("panicked: {}", panic_message(panic.as_ref()))),
    }
}

pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> &str {
    match (payload.downcast_ref::<&str>(), payload.downcast_ref::<String>()) {
        (Some(s), _) => s,
        (_, Some(s)) => s,
        _ => "(a panic without a message)",
    }
}

pub(super) struct Job {
    pub record: Arc<Record>,
    pub name: String,
    pub clock: SharedClock,
    pub cancel: CancellationToken,
}

impl Job {
    /// A one-shot: it runs once; a failure is reported, not retried.
    pub async fn once<Fut>(self, fut: Fut)
    where
        Fut: Future<Output = anyhow::Result<()>>,
    {
        match attempt(fut).await {
            Ok(()) => self.record.set(JobState::Stopped),
            Err(message) => {
                tracing::error!(job = %self.name, %message, "job failed");
                self.record.failed(&message);
                self.record.set(JobState::Failed { message });
            }
        }
    }

    /// A long-lived job: started again by `start` after each failure, within `policy`.
    pub async fn restarting<F, Fut>(self, policy: Restart, mut start: F)
    where
        F: FnMut(CancellationToken) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let mut in_a_row = 0u32;
        loop {
            let started = self.clock.now_ms();
            // The factory itself may panic: it runs inside the attempt too.
            let Err(message) = attempt(async { start(self.cancel.clone()).await }).await else {
                self.record.set(JobState::Stopped);
                return;
            };
            self.record.failed(&message);
            if self.cancel.is_cancelled() {
                tracing::error!(job = %self.name, %message, "job failed while stopping");
                self.record.set(JobState::Failed { message });
                return;
            }
            if self.clock.now_ms().saturating_sub(started) >= policy.healthy_after_ms {
                in_a_row = 0;
            }
            in_a_row = in_a_row.saturating_add(1);
            if in_a_row > policy.max_restarts {
                tracing::error!(job = %self.name, %message, failures = in_a_row, "job failed too often; given up");
                let message = format!("{message} (given up after {in_a_row} failures in a row)");
                self.record.set(JobState::Failed { message });
                return;
            }
            let backoff = policy.backoff_ms(in_a_row);
            let at_ms = self.clock.now_ms().saturating_add(backoff);
            tracing::warn!(job = %self.name, %message, restart_in_ms = backoff, "job failed; restarting");
            self.record.set(JobState::Restarting { at_ms });
            tokio::select! {
                _ = self.cancel.cancelled() => {
                    self.record.set(JobState::Stopped);
                    return;
                }
                _ = self.clock.sleep_until(at_ms) => {}
            }
            self.record.restarted();
        }
    }
}

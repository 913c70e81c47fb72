//! The PostgreSQL ingest writer: the contract of [`super::sqlite`] on one `PgConnection`.
//!
//! It runs on a std thread of its own like the SQLite writer (a restarted job runs [`run_postgres`]
//! again on the same lane), driving sqlx with a current-thread runtime made in that thread: the
//! connection's I/O and the lane's `recv_many` are awaited there, so the writer never competes
//! with the server's runtime for its workers, and needs no `blocking_*` calls inside a runtime.
//!
//! Per round: one transaction, a handful of multi-row statements ([`rows`]), one commit. Failures:
//! - a foreign-key error (a device deleted between the statement's `EXISTS` filter and its
//!   insert) rolls the round back and runs it again at once: the filter then skips that device;
//! - any other database error: the transaction is rolled back, the round retried with backoff;
//! - a lost connection: a new one is made (retried with backoff) and the round written again.
//!   If it was lost during `COMMIT`, the round may have committed: the transaction's id, taken at
//!   its start, is looked up (`pg_xact_status`) before writing it again, so it is never stored
//!   twice nor lost.

mod rows;
#[cfg(test)]
mod tests;

pub(crate) use rows::text;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::error::ErrorKind;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::mpsc;

use super::{lower_priority, Round, Rows, ROUND};
use crate::hub::{Delivery, DeviceEvent};
use crate::live_bus::LiveBus;
use crate::store::metrics::{MetricRow, MinuteQueue};

/// The writer's `application_name`: how to find its session in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "fleetdeck-ingest";

/// The writer's loop on the calling (blocking, non-runtime) thread, until the lane ends.
pub fn run_postgres(url: &str, rx: &mut mpsc::Receiver<Delivery>, bus: &LiveBus, minutes: &MinuteQueue) {
    lower_priority();
    // Only fails when the OS refuses a timer or I/O driver; the supervising job restarts us.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime for the PostgreSQL ingest writer");
    rt.block_on(async {
        let mut pg = Pg { url, live: None };
        // Connect before the first round so that it does not pay for the connection.
        pg.connected().await;
        let mut cmds = Vec::with_capacity(ROUND);
        while rx.recv_many(&mut cmds, ROUND).await > 0 {
            let round = Round::take(&mut cmds, minutes.take());
            let rows = round.rows();
            let ids = if round.writes(&rows) {
                let started = std::time::Instant::now();
                let ids = pg.write_round(&round.events, &rows, &round.minutes).await;
                minutes.round_seconds.observe(started.elapsed().as_secs_f64());
                ids
            } else {
                Vec::new()
            };
            let lines = rows.into_lines();
            round.committed(lines, ids, bus);
        }
        if let Some(live) = pg.live.take() {
            let _ = live.conn.close().await;
        }
    });
}

/// An open session and its backend's pid (to end it if it is left holding a transaction).
struct Live {
    conn: PgConnection,
    pid: i32,
}

struct Pg<'u> {
    url: &'u str,
    live: Option<Live>,
}

/// A round that failed, and what is needed to find out whether it committed anyway.
struct RoundError {
    error: sqlx::Error,
    /// Set when the error came from `COMMIT` itself: the transaction id and the run-log ids.
    committing: Option<(String, Vec<i64>)>,
}

impl From<sqlx::Error> for RoundError {
    fn from(error: sqlx::Error) -> Self {
        RoundError { error, committing: None }
    }
}

/// Backoff before attempt `n + 1`: 100 ms more per failure, at most 5 s.
fn backoff(n: u64) -> Duration {
    Duration::from_millis(100 * n.clamp(1, 50))
}

/// A server-side error leaves the connection usable (the transaction is rolled back); anything
/// else (I/O, protocol, TLS) leaves it in an unknown state.
fn connection_ok(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(_))
}

impl Pg<'_> {
    /// The session, made first if there is none: retried with backoff until it succeeds (the
    /// lane queues meanwhile and then holds the producers back; nothing is dropped).
    async fn connected(&mut self) -> &mut Live {
        let live = match self.live.take() {
            Some(live) => live,
            None => {
                let mut attempt = 0u64;
                loop {
                    match connect(self.url).await {
                        Ok(live) => {
                            if attempt > 0 {
                                tracing::info!(attempt, "ingest writer connected to PostgreSQL again");
                            }
                            break live;
                        }
                        Err(e) => {
                            attempt += 1;
                            tracing::error!(error = %e, attempt, "ingest writer cannot connect to PostgreSQL; retrying");
                            tokio::time::sleep(backoff(attempt)).await;
                        }
                    }
                }
            }
        };
        self.live.insert(live)
    }

    /// One transaction for the round, retried until it commits. The run-log ids, in line order.
    async fn write_round(&mut self, events: &[Arc<DeviceEvent>], rows: &Rows<'_>, minutes: &[MetricRow]) -> Vec<i64> {
        let mut attempt = 0u64;
        let mut fk_retries = 0u64;
        loop {
            let live = self.connected().await;
            let RoundError { error, committing } = match rows::try_round(&mut live.conn, events, rows, minutes).await {
                Ok(ids) => return ids,
                Err(e) => e,
            };
            if let sqlx::Error::Database(db) = &error {
                // Bounded, so that a foreign key the filters do not cover cannot spin the writer.
                if db.kind() == ErrorKind::ForeignKeyViolation && fk_retries < 3 {
                    fk_retries += 1;
                    tracing::warn!(error = %db, "ingest round hit a device deleted meanwhile; writing it again");
                    continue;
                }
            }
            if !connection_ok(&error) {
                let old = self.live.take();
                if let (Some(old), Some((xid, ids))) = (old, committing) {
                    if self.committed_anyway(old.pid, &xid).await {
                        tracing::warn!(error = %error, "ingest commit lost its connection but had committed");
                        return ids;
                    }
                }
            }
            attempt += 1;
            tracing::error!(error = %error, attempt, "ingest transaction failed; retrying");
            tokio::time::sleep(backoff(attempt)).await;
        }
    }

    /// Whether transaction `xid`, whose `COMMIT` lost its connection, committed. While it is
    /// still in progress (the server has not yet noticed the old session is gone) that session
    /// is ended, so the answer is final before the round is written again.
    async fn committed_anyway(&mut self, old_pid: i32, xid: &str) -> bool {
        let mut attempt = 0u64;
        loop {
            let live = self.connected().await;
            let status: Result<Option<String>, _> =
                sqlx::query_scalar("SELECT pg_xact_status($1::text::xid8)").bind(xid).fetch_one(&mut live.conn).await;
            match status {
                Ok(Some(s)) if s == "committed" => return true,
                Ok(Some(s)) if s == "in progress" => {
                    let ended =
                        sqlx::query("SELECT pg_terminate_backend($1)").bind(old_pid).execute(&mut live.conn).await;
                    if let Err(e) = ended {
                        tracing::warn!(error = %e, old_pid, "cannot end the ingest writer's old session");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                // Aborted, or (NULL) too old to be known, which a transaction of a moment ago is not.
                Ok(_) => return false,
                Err(e) => {
                    if !connection_ok(&e) {
                        self.live = None;
                    }
                    attempt += 1;
                    tracing::error!(error = %e, attempt, "cannot look up the ingest transaction's outcome; retrying");
                    tokio::time::sleep(backoff(attempt)).await;
                }
            }
        }
    }
}

async fn connect(url: &str) -> Result<Live, sqlx::Error> {
    let mut conn = PgConnectOptions::from_str(url)?.application_name(APPLICATION_NAME).connect().await?;
    let pid = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut conn).await?;
    Ok(Live { conn, pid })
}

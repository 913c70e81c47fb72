//! A round's statements on PostgreSQL: one multi-row statement per table, rows passed as arrays.
//!
//! Run log: `INSERT … SELECT … FROM UNNEST($1::bigint[], …)`, measured against `COPY … FROM
//! STDIN` (text format, one `CopyData` message) on PostgreSQL 15 on this 2-core machine (loopback,
//! fsync off, a debug build of the writer; best of 30 transactions after 5 warm-ups, median in
//! brackets; see `bench.rs`):
//!
//! | rows per round | UNNEST | COPY |
//! |---|---|---|
//! | 1,000 | TBD | TBD |
//! | 4,000 | TBD | TBD |
//!
//! Ids: they must come back in the order of the lines (the browsers' notices carry them), and the
//! order of `RETURNING` is not a documented guarantee. So the round takes its ids first
//! (`nextval` over `generate_series`, in one array) and inserts them explicitly; sorted, so that
//! ids grow with the order published as they do on SQLite.

use std::borrow::Cow;
use std::sync::Arc;

use sqlx::postgres::PgConnection;
use sqlx::Connection;

use super::super::{PropRow, Rows};
use super::RoundError;
use crate::hub::DeviceEvent;
use crate::runlog::line::Line;

/// The round's transaction id (to look up its outcome if `COMMIT` loses its connection) and its
/// run-log ids, in one round trip. The sequence is looked up once in a sub-select (with the
/// `regclass` cast inside it): as `nextval(pg_get_serial_sequence(…))` it was looked up per row,
/// 10 ms of a 4,000-row round against 1.5 ms.
pub(super) const BEGIN_ROUND: &str = "SELECT pg_current_xact_id()::text, \
     ARRAY(SELECT nextval((SELECT pg_get_serial_sequence('run_log', 'id')::regclass)) FROM generate_series(1, $1))";

const INSERT_LOGS: &str = "INSERT INTO run_log \
     (id, at, trace_id, message_id, product_key, device_name, biz_type, operation, content, status) \
     SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], \
     $7::text[], $8::text[], $9::text[], $10::bigint[])";

/// A row whose device was deleted since the post is filtered out here instead of failing the
/// statement (which would sink the round: PostgreSQL cannot undo one row of a multi-row insert).
/// (A macro: statements are `&'static str`, so the two that use it are built with `concat!`.)
macro_rules! property_rows {
    () => {
        "SELECT r.device_id, r.identifier, r.value, r.time \
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS r (device_id, identifier, value, time) \
         WHERE EXISTS (SELECT 1 FROM devices d WHERE d.id = r.device_id)"
    };
}

const INSERT_HISTORY: &str =
    concat!("INSERT INTO property_history (device_id, identifier, value, time) ", property_rows!());

const UPSERT_LATEST: &str = concat!(
    "INSERT INTO property_latest (device_id, identifier, value, time) ",
    property_rows!(),
    " ON CONFLICT (device_id, identifier) DO UPDATE SET value = excluded.value, time = excluded.time \
     WHERE excluded.time >= property_latest.time"
);

/// The round: run log, then property history and latest, then the commit. The run-log ids, in
/// the order of the lines.
pub(super) async fn try_round(
    conn: &mut PgConnection,
    events: &[Arc<DeviceEvent>],
    rows: &Rows<'_>,
) -> Result<Vec<i64>, RoundError> {
    let mut tx = conn.begin().await?;
    let (xid, mut ids): (String, Vec<i64>) =
        sqlx::query_as(BEGIN_ROUND).bind(rows.lines.len() as i64).fetch_one(&mut *tx).await?;
    ids.sort_unstable();
    if !rows.lines.is_empty() {
        insert_logs(&mut tx, events, &rows.lines, &ids).await?;
    }
    if !rows.history.is_empty() {
        insert_properties(&mut tx, rows).await?;
    }
    match tx.commit().await {
        Ok(()) => Ok(ids),
        Err(error) => Err(RoundError { error, committing: Some((xid, ids)) }),
    }
}

/// `s` as PostgreSQL takes it: text may not hold NUL (SQLite's may, and a device's payload or
/// identifier can carry one). Without this, one such message would fail its round forever.
pub(crate) fn text(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(s)
    }
}

pub(super) async fn insert_logs(
    conn: &mut PgConnection,
    events: &[Arc<DeviceEvent>],
    lines: &[(usize, Line)],
    ids: &[i64],
) -> Result<(), sqlx::Error> {
    let n = lines.len();
    let mut at = Vec::with_capacity(n);
    let mut trace = Vec::with_capacity(n);
    let mut message_id = Vec::with_capacity(n);
    let mut pk = Vec::with_capacity(n);
    let mut dn = Vec::with_capacity(n);
    let mut biz = Vec::with_capacity(n);
    let mut operation = Vec::with_capacity(n);
    let mut content = Vec::with_capacity(n);
    let mut status = Vec::with_capacity(n);
    for (i, l) in lines {
        let e = &events[*i];
        at.push(e.at);
        trace.push(text(&e.trace));
        message_id.push(l.message_id.as_deref().map(text));
        pk.push(text(&e.device.pk));
        dn.push(text(&e.device.dn));
        biz.push(l.biz.as_str());
        operation.push(text(&l.operation));
        content.push(text(&l.content));
        status.push(i64::from(l.status));
    }
    sqlx::query(INSERT_LOGS)
        .bind(ids)
        .bind(at)
        .bind(trace)
        .bind(message_id)
        .bind(pk)
        .bind(dn)
        .bind(biz)
        .bind(operation)
        .bind(content)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

/// History keeps every value; latest gets the newest of the round per property (see [`Rows`])
/// and only when it is not older than the stored one.
async fn insert_properties(conn: &mut PgConnection, rows: &Rows<'_>) -> Result<(), sqlx::Error> {
    let stored =
        bind_props(sqlx::query(INSERT_HISTORY), rows.history.iter()).execute(&mut *conn).await?.rows_affected();
    let skipped = rows.history.len() as u64 - stored.min(rows.history.len() as u64);
    if skipped > 0 {
        tracing::warn!(skipped, "property values not stored (device gone)");
    }
    bind_props(sqlx::query(UPSERT_LATEST), rows.latest.iter().map(|&i| &rows.history[i])).execute(conn).await?;
    Ok(())
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

fn bind_props<'q, 'r: 'q>(q: Query<'q>, rows: impl ExactSizeIterator<Item = &'q PropRow<'r>>) -> Query<'q> {
    let n = rows.len();
    let (mut device, mut identifier, mut value, mut time) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for r in rows {
        device.push(r.device_id);
        identifier.push(text(&r.value.identifier));
        value.push(text(&r.text));
        time.push(r.value.time);
    }
    q.bind(device).bind(identifier).bind(value).bind(time)
}

//! A round's statements on PostgreSQL: one multi-row statement per table.
//!
//! Run log: `COPY … FROM STDIN` (text format, the round in one `CopyData` message), measured
//! against `INSERT … SELECT … FROM UNNEST($1::bigint[], …)` (kept in `bench.rs`, which measures
//! both) on PostgreSQL 15 on this 2-core machine, shared with other builds (load ~6-7; loopback,
//! fsync off), each a whole round's transaction (ids, rows, commit); median (best) in ms of 60
//! rounds after 5 warm-ups, alternating the two, four runs, the writer and sqlx built at
//! opt-level 2:
//!
//! | rows per round | UNNEST | COPY |
//! |---|---|---|
//! | 1,000 | 14.9 (9.3), 10.6 (8.0), 14.0 (8.5), 16.0 (12.6) | 12.8 (8.6), 11.1 (7.2), 12.4 (7.9), 14.9 (11.4) |
//! | 4,000 | 79.7 (42.2), 72.4 (40.9), 78.8 (43.9), 67.8 (46.0) | 64.2 (37.4), 66.9 (44.4), 67.4 (43.0), 62.1 (35.9) |
//!
//! COPY was faster at the median in 7 of 8 (about 10 % at 4,000 rows, the size rounds reach under
//! load). In a debug build the two were within noise (UNNEST ~4 % ahead at 1,000, COPY ~5 % at
//! 4,000): the server's work (heap, three indexes, WAL) dominates; COPY saves the parameter
//! arrays' encoding and the `UNNEST` executor step. Properties stay on `UNNEST`: they need the
//! `EXISTS` filter and `ON CONFLICT`, which `COPY` has not.
//!
//! Ids: they must come back in the order of the lines (the browsers' notices carry them), and the
//! order of `RETURNING` is not a documented guarantee. So the round takes its ids first
//! (`nextval` over `generate_series`, in one array) and inserts them explicitly; sorted, so that
//! ids grow with the order published as they do on SQLite.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use sqlx::postgres::PgConnection;
use sqlx::Connection;

use super::super::{PropRow, Rows};
use super::RoundError;
use crate::hub::DeviceEvent;
use crate::runlog::line::Line;
use crate::store::metrics::{MetricRow, GAUGES};

/// The round's transaction id (to look up its outcome if `COMMIT` loses its connection) and its
/// run-log ids, in one round trip. The sequence is looked up once in a sub-select (with the
/// `regclass` cast inside it): as `nextval(pg_get_serial_sequence(…))` it was looked up per row,
/// 10 ms of a 4,000-row round against 1.5 ms.
pub(super) const BEGIN_ROUND: &str = "SELECT pg_current_xact_id()::text, \
     ARRAY(SELECT nextval((SELECT pg_get_serial_sequence('run_log', 'id')::regclass)) FROM generate_series(1, $1))";

pub(super) const COPY_LOGS: &str = "COPY run_log \
     (id, at, trace_id, message_id, product_key, device_name, biz_type, operation, content, status) FROM STDIN";

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
    minutes: &[MetricRow],
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
    if !minutes.is_empty() {
        insert_minutes(&mut tx, minutes).await?;
    }
    match tx.commit().await {
        Ok(()) => Ok(ids),
        Err(error) => Err(RoundError { error, committing: Some((xid, ids)) }),
    }
}

/// The round's metric rows, grouped per key first: PostgreSQL refuses an upsert that touches a
/// row twice, and the hour of several minutes is one row. A count's minutes add up, a level's
/// newest wins (`metric IN (levels)`, as the table holds no flag). A minute stored again (a
/// restart within the minute a shutdown had flushed) adds its counts and replaces its levels.
static UPSERT_MINUTES: LazyLock<String> = LazyLock::new(|| {
    let g = &*GAUGES;
    format!(
        "INSERT INTO metric_minutes (product_key, metric, protocol, t, value) \
         SELECT product_key, metric, protocol, t, \
           CASE WHEN metric IN ({g}) THEN (array_agg(value ORDER BY n DESC))[1] ELSE sum(value) END \
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::float8[]) WITH ORDINALITY \
           AS r (product_key, metric, protocol, t, value, n) \
         GROUP BY product_key, metric, protocol, t \
         ON CONFLICT (product_key, metric, protocol, t) DO UPDATE SET value = CASE \
           WHEN excluded.metric IN ({g}) THEN excluded.value ELSE metric_minutes.value + excluded.value END"
    )
});

static UPSERT_HOURS: LazyLock<String> = LazyLock::new(|| {
    let g = &*GAUGES;
    format!(
        "INSERT INTO metric_hours (product_key, metric, protocol, t, value, min, max, last_t, minutes) \
         SELECT product_key, metric, protocol, hour, \
           CASE WHEN metric IN ({g}) THEN (array_agg(value ORDER BY t DESC))[1] ELSE sum(value) END, \
           min(value), max(value), max(t), count(*) \
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::bigint[], $5::float8[], $6::bigint[]) \
           AS r (product_key, metric, protocol, t, value, hour) \
         GROUP BY product_key, metric, protocol, hour \
         ON CONFLICT (product_key, metric, protocol, t) DO UPDATE SET \
           value = CASE WHEN excluded.metric NOT IN ({g}) THEN metric_hours.value + excluded.value \
             WHEN excluded.last_t >= metric_hours.last_t THEN excluded.value ELSE metric_hours.value END, \
           min = LEAST(metric_hours.min, excluded.min), max = GREATEST(metric_hours.max, excluded.max), \
           last_t = GREATEST(metric_hours.last_t, excluded.last_t), minutes = metric_hours.minutes + excluded.minutes"
    )
});

async fn insert_minutes(conn: &mut PgConnection, minutes: &[MetricRow]) -> Result<(), sqlx::Error> {
    let n = minutes.len();
    let (mut pk, mut metric, mut protocol, mut t, mut value, mut hour) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for m in minutes {
        pk.push(text(&m.product_key).into_owned());
        metric.push(m.metric);
        protocol.push(m.protocol);
        t.push(m.t);
        value.push(m.value);
        hour.push(model::monitor::hour_floor(m.t));
    }
    sqlx::query(sqlx::AssertSqlSafe(UPSERT_MINUTES.as_str()))
        .bind(&pk)
        .bind(&metric)
        .bind(&protocol)
        .bind(&t)
        .bind(&value)
        .execute(&mut *conn)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(UPSERT_HOURS.as_str()))
        .bind(&pk)
        .bind(&metric)
        .bind(&protocol)
        .bind(&t)
        .bind(&value)
        .bind(&hour)
        .execute(&mut *conn)
        .await?;
    Ok(())
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

/// The round's run-log lines through `COPY`, in text format.
pub(super) async fn insert_logs(
    conn: &mut PgConnection,
    events: &[Arc<DeviceEvent>],
    lines: &[(usize, Line)],
    ids: &[i64],
) -> Result<(), sqlx::Error> {
    let mut buf = Vec::with_capacity(lines.len() * 384);
    for ((i, l), id) in lines.iter().zip(ids) {
        let e = &events[*i];
        number(&mut buf, *id, b'\t');
        number(&mut buf, e.at, b'\t');
        field(&mut buf, Some(&e.trace), b'\t');
        field(&mut buf, l.message_id.as_deref(), b'\t');
        field(&mut buf, Some(&e.device.pk), b'\t');
        field(&mut buf, Some(&e.device.dn), b'\t');
        field(&mut buf, Some(l.biz.as_str()), b'\t');
        field(&mut buf, Some(&l.operation), b'\t');
        field(&mut buf, Some(&l.content), b'\t');
        number(&mut buf, i64::from(l.status), b'\n');
    }
    let mut copy = conn.copy_in_raw(COPY_LOGS).await?;
    copy.send(buf).await?;
    copy.finish().await?;
    Ok(())
}

fn number(buf: &mut Vec<u8>, n: i64, end: u8) {
    use std::io::Write;
    // Writing to a Vec cannot fail.
    let _ = write!(buf, "{n}");
    buf.push(end);
}

/// A text-format `COPY` field: `\N` for NULL; backslash, tab, newline and carriage return
/// escaped (so a value never ends a field or a row, nor reads as `\N` or the end marker); NUL,
/// which text cannot hold, replaced as [`text`] does.
fn field(buf: &mut Vec<u8>, s: Option<&str>, end: u8) {
    let Some(s) = s else {
        buf.extend_from_slice(b"\\N");
        buf.push(end);
        return;
    };
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            0 => "\u{FFFD}".as_bytes(),
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        buf.extend_from_slice(escaped);
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
    buf.push(end);
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

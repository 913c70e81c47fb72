//! The run log's multi-row insert on PostgreSQL: `UNNEST` arrays (what [`super::rows`] uses)
//! against `COPY … FROM STDIN`. Run by hand (the numbers are in `rows.rs`):
//! `FLEETDECK_TEST_STORE=postgres FLEETDECK_TEST_PG_URL=… cargo test -p backend --lib
//! store::ingest::postgres::bench -- --ignored --nocapture`

use std::sync::Arc;
use std::time::{Duration, Instant};

use model::alink::DeviceRef;
use model::ws::Direction;
use sqlx::postgres::PgConnection;
use sqlx::Connection;

use super::rows::{insert_logs, text, BEGIN_ROUND};
use crate::hub::{DeviceEvent, Fact};
use crate::runlog::line::{line_of, Line};

/// The run log through `COPY` in text format: one `CopyData` message for the round.
async fn copy_logs(
    conn: &mut PgConnection,
    events: &[Arc<DeviceEvent>],
    lines: &[(usize, Line)],
    ids: &[i64],
) -> Result<(), sqlx::Error> {
    let mut buf = Vec::with_capacity(lines.len() * 256);
    for ((i, l), id) in lines.iter().zip(ids) {
        let e = &events[*i];
        buf.extend_from_slice(format!("{id}\t{}\t", e.at).as_bytes());
        for s in [&e.trace[..], l.message_id.as_deref().unwrap_or("\\N"), &e.device.pk, &e.device.dn] {
            field(&mut buf, s);
            buf.push(b'\t');
        }
        for s in [l.biz.as_str(), &l.operation, &l.content] {
            field(&mut buf, s);
            buf.push(b'\t');
        }
        buf.extend_from_slice(format!("{}\n", l.status).as_bytes());
    }
    let mut copy = conn
        .copy_in_raw(
            "COPY run_log (id, at, trace_id, message_id, product_key, device_name, biz_type, operation, content, status) \
             FROM STDIN",
        )
        .await?;
    copy.send(buf).await?;
    copy.finish().await?;
    Ok(())
}

/// A text-format field: backslash, tab, newline and carriage return escaped (`\N` passes as NULL).
fn field(buf: &mut Vec<u8>, s: &str) {
    if s == "\\N" {
        buf.extend_from_slice(b"\\N");
        return;
    }
    for b in text(s).bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(b),
        }
    }
}

fn events(n: usize) -> Vec<Arc<DeviceEvent>> {
    // A property post as devices send it: ~150 bytes of JSON.
    let payload = br#"{"id":"1234","version":"1.0","params":{"temperature":{"value":23.5,"time":1700000000000},"humidity":{"value":41,"time":1700000000000}},"method":"thing.event.property.post"}"#;
    (0..n)
        .map(|i| {
            Arc::new(DeviceEvent {
                at: 1_700_000_000_000 + i as i64,
                device: DeviceRef::new("a1b2c3d4e5f", format!("device-{:05}", i % 997)),
                trace: format!("18c2f0a1b2c{i:08x}"),
                fact: Fact::Message {
                    direction: Direction::Up,
                    topic: format!("/sys/a1b2c3d4e5f/device-{:05}/thing/event/property/post", i % 997),
                    payload: bytes::Bytes::from_static(payload),
                    message_id: Some(i.to_string()),
                    code: 200,
                },
            })
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
enum Way {
    Unnest,
    Copy,
}

/// One round's transaction as the writer runs it (ids, run log, commit).
async fn round(conn: &mut PgConnection, way: Way, events: &[Arc<DeviceEvent>], lines: &[(usize, Line)]) -> Duration {
    let start = Instant::now();
    let mut tx = conn.begin().await.unwrap();
    let (_, ids): (String, Vec<i64>) =
        sqlx::query_as(BEGIN_ROUND).bind(lines.len() as i64).fetch_one(&mut *tx).await.unwrap();
    match way {
        Way::Unnest => insert_logs(&mut tx, events, lines, &ids).await.unwrap(),
        Way::Copy => copy_logs(&mut tx, events, lines, &ids).await.unwrap(),
    }
    tx.commit().await.unwrap();
    start.elapsed()
}

#[tokio::test]
#[ignore = "a measurement: needs PostgreSQL, run by hand"]
async fn run_log_unnest_vs_copy() {
    assert!(crate::store::ingest::tests::store::postgres_selected(), "set FLEETDECK_TEST_STORE=postgres");
    let url = crate::store::ingest::tests::store::fresh_pg_database().await;
    let mut conn = PgConnection::connect(&url).await.unwrap();
    for n in [1_000, 4_000] {
        let events = events(n);
        let lines: Vec<(usize, Line)> = events.iter().enumerate().filter_map(|(i, e)| Some((i, line_of(e)?))).collect();
        let mut times = [Vec::new(), Vec::new()];
        // Alternating, so that both see the same table size and the same autovacuum weather.
        for rep in 0..35 {
            for (k, way) in [Way::Unnest, Way::Copy].into_iter().enumerate() {
                let t = round(&mut conn, way, &events, &lines).await;
                if rep >= 5 {
                    times[k].push(t);
                }
            }
        }
        for (k, way) in [Way::Unnest, Way::Copy].into_iter().enumerate() {
            times[k].sort();
            let (best, median) = (times[k][0], times[k][times[k].len() / 2]);
            println!(
                "{n} rows {way:?}: best {:.2} ms, median {:.2} ms ({:.0} rows/s at the median)",
                best.as_secs_f64() * 1e3,
                median.as_secs_f64() * 1e3,
                n as f64 / median.as_secs_f64()
            );
        }
    }
}

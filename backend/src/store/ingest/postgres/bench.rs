//! The run log's multi-row insert on PostgreSQL: `COPY … FROM STDIN` (what [`super::rows`]
//! uses) against `UNNEST` arrays. Run by hand (the numbers are in `rows.rs`; they were taken with
//! `--config 'profile.dev.package.{backend,sqlx-core,sqlx-postgres}.opt-level=2'`, one flag each):
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

/// The run log through `INSERT … SELECT … FROM UNNEST` of one array per column.
async fn unnest_logs(
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
    sqlx::query(
        "INSERT INTO run_log \
         (id, at, trace_id, message_id, product_key, device_name, biz_type, operation, content, status) \
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], \
         $7::text[], $8::text[], $9::text[], $10::bigint[])",
    )
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
        Way::Unnest => unnest_logs(&mut tx, events, lines, &ids).await.unwrap(),
        Way::Copy => insert_logs(&mut tx, events, lines, &ids).await.unwrap(),
    }
    tx.commit().await.unwrap();
    start.elapsed()
}

#[tokio::test]
#[ignore = "a measurement: needs PostgreSQL, run by hand"]
async fn run_log_unnest_vs_copy() {
    use crate::store::ingest::tests::store::{selected, Store};
    assert!(selected(Store::Postgres), "set FLEETDECK_TEST_STORE=postgres");
    let url = crate::store::ingest::tests::store::fresh_pg_database().await;
    let mut conn = PgConnection::connect(&url).await.unwrap();
    for n in [1_000, 4_000] {
        let events = events(n);
        let lines: Vec<(usize, Line)> = events.iter().enumerate().filter_map(|(i, e)| Some((i, line_of(e)?))).collect();
        let mut times = [Vec::new(), Vec::new()];
        // Alternating, so that both see the same table size and the same autovacuum weather.
        for rep in 0..65 {
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

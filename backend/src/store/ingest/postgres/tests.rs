//! The writer's answer to a `COMMIT` that lost its connection (PostgreSQL only).

use sqlx::Connection;

use super::{connect, Pg};
use crate::store::ingest::tests::store::{fresh_pg_database, selected, Store};

async fn xid(conn: &mut sqlx::PgConnection) -> String {
    sqlx::query_scalar("SELECT pg_current_xact_id()::text").fetch_one(conn).await.unwrap()
}

#[tokio::test]
async fn a_commit_that_lost_its_connection_is_looked_up_before_the_round_is_written_again() {
    if !selected(Store::Postgres) {
        return;
    }
    let url = fresh_pg_database().await;
    let mut pg = Pg { url: &url, live: None };
    let mut other = connect(&url).await.unwrap();

    let mut tx = other.conn.begin().await.unwrap();
    let committed = xid(&mut tx).await;
    tx.commit().await.unwrap();
    assert!(pg.committed_anyway(other.pid, &committed).await, "committed: not written again");

    let mut tx = other.conn.begin().await.unwrap();
    let rolled_back = xid(&mut tx).await;
    tx.rollback().await.unwrap();
    assert!(!pg.committed_anyway(other.pid, &rolled_back).await, "rolled back: written again");

    // The server has not noticed yet that the session is gone: its transaction is still open.
    // The writer ends that session, so the answer is final ("not committed") and the row never
    // appears later next to the rewritten round.
    sqlx::query("BEGIN").execute(&mut other.conn).await.unwrap();
    let open = xid(&mut other.conn).await;
    sqlx::query(
        "INSERT INTO run_log (at, trace_id, product_key, device_name, biz_type, operation, content, status) \
                 VALUES (1, 't', 'pk', 'dn', 'uplink', 'op', 'c', 200)",
    )
    .execute(&mut other.conn)
    .await
    .unwrap();
    assert!(!pg.committed_anyway(other.pid, &open).await, "in progress: ended, then written again");
    assert!(sqlx::query("SELECT 1").execute(&mut other.conn).await.is_err(), "the old session was ended");
    let live = pg.connected().await;
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM run_log").fetch_one(&mut live.conn).await.unwrap();
    assert_eq!(rows, 0);
}

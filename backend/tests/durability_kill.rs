//! "A 200 reply means stored" survives `kill -9`: the router answers a property post only once
//! the store writer's transaction holding it has committed (group commit), and SQLite in WAL mode
//! with synchronous=NORMAL keeps a committed transaction across a process crash. So every post a
//! device saw answered with 200 is in the database after the server was SIGKILLed mid-burst.

use backend::store::sql;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use devclient::{Device, DeviceOptions, Identity};
use futures::StreamExt;
use model::alink::Reply;
use model::registry::NodeType;
use model::tsl::{DataType, Property, ThingModel};
use serde_json::json;
use testkit::{until, TestApp, DEADLINE};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Notify;

const ROUNDS: usize = 3;
const DEVICES: usize = 50;
/// Posts one device has awaiting their reply at most.
const WINDOW: usize = 8;
/// One post per device per period: 20/s each, ~1,000/s over the 50 devices.
const PERIOD: Duration = Duration::from_millis(50);
/// The server is killed once this many posts were answered with 200: at least 300, and not a
/// multiple of [`DEVICES`], so the kill falls in the middle of a burst (see [`post`]).
const KILL_AFTER: usize = 325;
/// Devices connecting at the same time at most.
const CONNECTING: usize = 10;
const PK: &str = "a1KillPK";
const PROPERTY: &str = "Counter";

/// Every line the server wrote (stdout and stderr), for the failure messages, and how many of
/// the two pipes have ended (2: the process is gone).
type ServerLog = Arc<Mutex<(Vec<String>, usize)>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_post_answered_200_is_stored_after_sigkill() {
    let started = Instant::now();
    for round in 1..=ROUNDS {
        kill_round(round).await;
    }
    println!("{ROUNDS} rounds in {:.1?}", started.elapsed());
}

/// One round: a fresh data dir, the real binary on it, a burst of posts, SIGKILL, then every
/// post answered with 200 looked up in the database the killed server left behind.
async fn kill_round(round: usize) {
    let (dir, url, ids) = prepare().await;
    let (mut child, log) = spawn_server(dir.path(), &url);
    let (http, mqtt) = addresses(&log).await;
    let ready = until(DEADLINE, || async { (http_status(http, "/readyz").await == Some(200)).then_some(()) }).await;
    assert!(ready.is_some(), "round {round}: /readyz never answered 200\n{}", dump(&log));

    // At most CONNECTING at once: the server counts authentications in progress from one
    // address against its failure limit (30 a minute by default), so 50 at once from 127.0.0.1
    // are not all let in.
    let options = DeviceOptions::python();
    let conns = futures::stream::iter(ids.iter().map(|id| Device::connect(mqtt, id, &options))).buffered(CONNECTING);
    let devices: Vec<Device> = conns
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|d| d.unwrap_or_else(|e| panic!("a device cannot connect: {e}\n{}", dump(&log))))
        .collect();
    let stats = Arc::new(Stats::default());
    let value = Arc::new(AtomicI64::new(1));
    let posting: Vec<_> = devices.into_iter().map(|d| tokio::spawn(post(d, stats.clone(), value.clone()))).collect();

    // Killed the moment the KILL_AFTERth reply is in (not at the next poll: mid-burst).
    let enough = tokio::time::timeout(DEADLINE, stats.enough.notified()).await;
    // Replies first: every post replied to was counted as posted before.
    let replied = stats.replied.load(Ordering::SeqCst);
    let in_flight = stats.posted.load(Ordering::SeqCst) - replied;
    let answered_at_kill = stats.ok.load(Ordering::SeqCst);
    child.kill().await.expect("SIGKILL the server");
    let status = child.wait().await.expect("the killed server is reaped");
    assert!(
        enough.is_ok(),
        "round {round}: only {answered_at_kill} posts answered 200 in {DEADLINE:?}\n{}",
        dump(&log)
    );
    assert_eq!(status.signal(), Some(9), "round {round}: the server ended by itself ({status})\n{}", dump(&log));

    // Each device reads its inbox until the connection is gone: replies that were on the wire
    // when the server died count as answered too (the server sent them).
    let mut answered: HashMap<String, Vec<(String, i64)>> = HashMap::new();
    let mut unanswered = 0;
    for task in posting {
        let done = tokio::time::timeout(DEADLINE, task).await.expect("the device sees its connection end");
        let done = done.expect("posting task");
        unanswered += done.unanswered;
        answered.insert(done.dn, done.ok);
    }
    let total: usize = answered.values().map(Vec::len).sum();

    let db = backend::store::connect(&url).await.expect("the killed server's database opens");
    let mut missing = Vec::new();
    for (dn, posts) in &answered {
        let rec = backend::store::devices::get(&db, PK, dn).await.unwrap().expect("the device exists");
        let history: HashSet<String> = db
            .scalars::<String>(
                sql("SELECT value FROM property_history WHERE device_id = $1 AND identifier = $2")
                    .bind(rec.id)
                    .bind(PROPERTY),
            )
            .await
            .unwrap()
            .into_iter()
            .collect();
        let topic = format!("/sys/{PK}/{dn}/thing/event/property/post");
        let logged: HashSet<String> = db
            .scalars::<String>(
                sql("SELECT message_id FROM run_log WHERE product_key = $1 AND device_name = $2 \
             AND biz_type = 'uplink' AND operation = $3 AND status = 200 AND message_id IS NOT NULL")
                .bind(PK)
                .bind(dn)
                .bind(&topic),
            )
            .await
            .unwrap()
            .into_iter()
            .collect();
        for (id, v) in posts {
            if !history.contains(&v.to_string()) {
                missing.push(format!("{dn} id {id}: value {v} not in property_history"));
            }
            if !logged.contains(id) {
                missing.push(format!("{dn} id {id}: no uplink row in run_log"));
            }
        }
    }
    db.close().await;
    println!(
        "round {round}: {total} posts answered 200 ({answered_at_kill} when killed, {in_flight} in flight then), \
         {unanswered} never answered, {} missing after the kill",
        missing.len()
    );
    assert!(
        missing.is_empty(),
        "round {round}: {} of {total} posts answered 200 are not stored:\n{}",
        missing.len(),
        missing.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
    drop(dir);
}

/// A data dir with the product (an int property) and its devices, written by an in-process
/// server that is then shut down; returns the dir, its database URL and the device identities.
async fn prepare() -> (tempfile::TempDir, String, Vec<Identity>) {
    let app = TestApp::builder().gateway().build().await;
    let model = ThingModel::new_empty(PK).with_property(Property::new(PROPERTY, "Counter", DataType::int(0, i32::MAX)));
    app.product_with(PK, NodeType::Direct, false, Some(&model)).await;
    let mut ids = Vec::with_capacity(DEVICES);
    for i in 0..DEVICES {
        let dn = format!("kill-{i:02}");
        let secret = app.device(PK, &dn).await;
        ids.push(Identity::new(PK, dn, secret));
    }
    let url = app.state().settings.database_url.clone();
    let dir = app.shutdown().await;
    (dir, url, ids)
}

/// `fleetdeck serve` on `data_dir`, on free ports; its output is collected in the log.
fn spawn_server(data_dir: &Path, url: &str) -> (Child, ServerLog) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fleetdeck"));
    cmd.arg("serve")
        .args(["--http", "127.0.0.1:0", "--mqtt", "127.0.0.1:0", "--database-url", url])
        .arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "info,rmqtt=warn,sqlx=warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // Only the flags above: nothing from the environment the tests run in.
    for (k, _) in std::env::vars() {
        if k.starts_with("FLEETDECK_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd.spawn().expect("start the fleetdeck binary");
    let log: ServerLog = Arc::default();
    collect(child.stdout.take().unwrap(), log.clone());
    collect(child.stderr.take().unwrap(), log.clone());
    (child, log)
}

fn collect(pipe: impl AsyncRead + Unpin + Send + 'static, log: ServerLog) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(pipe).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            log.lock().unwrap().0.push(line);
        }
        log.lock().unwrap().1 += 1;
    });
}

fn dump(log: &ServerLog) -> String {
    let l = log.lock().unwrap();
    format!("server output:\n{}", l.0.join("\n"))
}

/// The HTTP and MQTT addresses the server prints once it listens (`console: http://…/`,
/// `devices: mqtt://…`).
async fn addresses(log: &ServerLog) -> (SocketAddr, SocketAddr) {
    let found = until(DEADLINE, || async {
        let l = log.lock().unwrap();
        assert!(l.1 < 2, "the server exited at start\n{}", l.0.join("\n"));
        let find = |prefix: &str| {
            l.0.iter().find_map(|line| line.trim().strip_prefix(prefix).map(|a| a.trim_end_matches('/').to_string()))
        };
        let http = find("console: http://")?.parse().ok()?;
        let mqtt = find("devices: mqtt://")?.split_whitespace().next()?.parse().ok()?;
        Some((http, mqtt))
    })
    .await;
    found.unwrap_or_else(|| panic!("the server printed no addresses in {DEADLINE:?}\n{}", dump(log)))
}

/// The status code of `GET path`, or `None` when nothing answers.
async fn http_status(addr: SocketAddr, path: &str) -> Option<u16> {
    let get = async {
        let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
        let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.ok()?;
        let mut head = Vec::new();
        let mut buf = [0u8; 512];
        while !head.windows(2).any(|w| w == b"\r\n") {
            let n = s.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(&buf[..n]);
        }
        std::str::from_utf8(&head).ok()?.split(' ').nth(1)?.parse().ok()
    };
    tokio::time::timeout(Duration::from_secs(2), get).await.ok().flatten()
}

/// Counters over every device, for the kill decision and the report.
#[derive(Default)]
struct Stats {
    posted: AtomicUsize,
    replied: AtomicUsize,
    ok: AtomicUsize,
    /// Told once [`KILL_AFTER`] posts were answered with 200.
    enough: Notify,
}

/// What one device saw: its posts answered with 200 (Alink id, value), and how many of its
/// posts got no reply before the connection ended.
struct Posted {
    dn: String,
    ok: Vec<(String, i64)>,
    unanswered: usize,
}

/// Post a new value every [`PERIOD`] while fewer than [`WINDOW`] posts await their reply, and
/// read the replies, until the connection is gone and its inbox drained. The devices tick in
/// step: bursts of 50 posts, and the [`KILL_AFTER`]th reply (which triggers the kill) arrives
/// in the middle of one, with dozens of posts between arrival, commit and reply. (Spread evenly
/// over the period, one or two were in flight at the kill.)
async fn post(mut d: Device, stats: Arc<Stats>, next_value: Arc<AtomicI64>) -> Posted {
    let mut pending: HashMap<String, i64> = HashMap::new();
    let mut ok = Vec::new();
    let mut tick = tokio::time::interval(PERIOD);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut open = true;
    loop {
        tokio::select! {
            _ = tick.tick(), if open && pending.len() < WINDOW => {
                let v = next_value.fetch_add(1, Ordering::SeqCst);
                match d.post_properties_nowait(json!({ PROPERTY: v })).await {
                    Ok(id) => {
                        stats.posted.fetch_add(1, Ordering::SeqCst);
                        pending.insert(id, v);
                    }
                    Err(_) => open = false,
                }
            }
            m = d.client.recv() => {
                let Some(m) = m else { break };
                let Ok(r) = Reply::parse(&m.payload) else { continue };
                let Some(v) = pending.remove(&r.id) else { continue };
                stats.replied.fetch_add(1, Ordering::SeqCst);
                if r.code == 200 {
                    if stats.ok.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                        stats.enough.notify_one();
                    }
                    ok.push((r.id, v));
                }
            }
        }
    }
    Posted { dn: d.me.dn.clone(), ok, unanswered: pending.len() }
}

//! The gateway against devices that misbehave on purpose: a clientId taken from another device,
//! password guessing, refusals as a disk filler, dynamic registration of an activated device,
//! and Alink requests of features the server does not have. Real server, real MQTT devices.

use backend::store::sql;
use std::net::IpAddr;

use axum::http::StatusCode;
use backend::clock::FakeClock;
use bytes::Bytes;
use devclient::{Behaviour, Client, ConnackCode, ConnectOptions, QoS};
use model::alink::sign::{
    device_credentials, device_sign_content, dynreg_credentials, sign, token_credentials, Credentials, C_SDK_TIMESTAMP,
};
use model::alink::{format_username, AuthType, ClientId, Sdk};
use model::registry::DeviceStatus;
use model::runlog::{BizType, LogQuery};
use serde_json::{json, Value};
use testkit::{eventually, options, Inbox, Role, TestApp, DEADLINE, T0};

/// The run-log status of a refused clientId (the seed's "no permission").
const CODE_NO_PERMISSION: u32 = 401;
/// `register`/`regnwl` of a device that is already activated.
const CODE_ALREADY_ACTIVATED: u32 = 6289;
/// A valid Alink request of a feature this server does not have.
const CODE_NOT_SUPPORTED: u32 = 6290;
/// Refusal entries one source may write per minute (`gateway::refusals::PER_MINUTE`).
const REFUSALS_PER_MINUTE: i64 = 20;

async fn start() -> TestApp {
    TestApp::builder().gateway().build().await
}

/// A server on a fake clock at [`T0`], default limits.
async fn start_fake() -> (TestApp, FakeClock) {
    let clock = FakeClock::new(T0);
    (TestApp::builder().gateway().clock(clock.clone()).build().await, clock)
}

/// A device with C4 credentials, connected and online.
async fn online(app: &TestApp, pk: &str, dn: &str) -> (Client, Credentials, String) {
    let secret = app.device(pk, dn).await;
    let creds = device_credentials(Sdk::C4, pk, dn, &secret, C_SDK_TIMESTAMP);
    let d = app.connect(&creds).await.unwrap_or_else(|c| panic!("{pk}/{dn} refused with {c:?}"));
    app.wait_device(pk, dn, "online", |r| r.device.status == DeviceStatus::Online).await;
    (d, creds, secret)
}

/// Device (pk, dn)'s own valid credentials, but presenting `client_id`: the signature covers
/// the clientId's prefix and timestamp as any Link SDK signs them.
fn credentials_with_client_id(client_id: &str, pk: &str, dn: &str, secret: &str) -> Credentials {
    let cid = ClientId::parse(client_id).expect("an Alink clientId");
    let method = cid.signmethod.expect("a sign method");
    let password = sign(method, secret, &device_sign_content(&cid.prefix, pk, dn, cid.timestamp.as_deref()));
    Credentials { client_id: client_id.to_string(), username: format_username(pk, dn), password }
}

/// Waits for `n` refused CONNECTs of (pk, dn) in the run log (`auth`, status 401).
async fn refusals_logged(app: &TestApp, pk: &str, dn: &str, n: usize) {
    eventually(DEADLINE, &format!("{n} refusals of {pk}/{dn} logged"), || async {
        (app.log_count(pk, dn, BizType::Device, CODE_NO_PERMISSION).await >= n).then_some(())
    })
    .await;
}

/// A QoS 1 publish; the broker answers with PUBACK whether its ACL accepts it or not, after
/// the ACL hook has run.
async fn publish_acked(d: &Client, topic: &str, payload: impl Into<Bytes>) {
    let acked = tokio::time::timeout(DEADLINE, d.publish(topic, QoS::AtLeastOnce, payload)).await;
    acked.expect("no PUBACK in time").expect("PUBACK");
}

/// One number from the run log as stored, once everything queued so far is written.
async fn run_log_number(app: &TestApp, text: &'static str) -> i64 {
    app.hub().flush().await;
    app.db().scalar::<Option<i64>>(sql(text)).await.unwrap().unwrap_or(0)
}

/// The `content` of stored refusal entries with this operation of (pk, dn), oldest first.
async fn refusal_contents(app: &TestApp, pk: &str, dn: &str, operation: &str) -> Vec<Value> {
    app.hub().flush().await;
    let rows: Vec<String> = app
        .db()
        .scalars(
            sql("SELECT content FROM run_log WHERE product_key = $1 AND device_name = $2 AND operation = $3 ORDER BY id")
                .bind(pk)
                .bind(dn)
                .bind(operation),
        )
        .await
        .unwrap();
    rows.iter().map(|c| serde_json::from_str(c).unwrap_or_else(|e| panic!("not JSON ({e}): {c}"))).collect()
}

// Promise: a device with valid credentials of its own cannot take over (or end) another
// device's session by presenting its clientId, nor a clientId naming another registered device
// in the `{pk}.{dn}|…` form; the victim stays connected and online; the intruder's own login works.
#[tokio::test]
async fn a_client_id_of_another_device_is_refused_and_never_a_takeover() {
    let app = start().await;
    let pk = "a1HardenCid";
    app.product(pk, false).await;
    let (mut b, b_creds, _) = online(&app, pk, "devB").await;
    let a_secret = app.device(pk, "devA").await;

    // devA signs correctly with its own secret, presenting devB's exact clientId.
    let stolen = credentials_with_client_id(&b_creds.client_id, pk, "devA", &a_secret);
    assert_eq!(app.connect(&stolen).await.err(), Some(ConnackCode::NotAuthorized), "devB's exact clientId");
    refusals_logged(&app, pk, "devA", 1).await;

    // devB's session survived: a downlink reaches it, the store still has it online.
    let topic = format!("/sys/{pk}/devB/thing/service/property/set");
    app.running().downlink.publish(pk, "devB", &topic, Bytes::from_static(b"still-here"), 1).await.unwrap();
    assert_eq!(&b.next_message().await.payload[..], b"still-here");
    assert_eq!(app.record(pk, "devB").await.unwrap().device.status, DeviceStatus::Online);
    assert!(app.running().downlink.is_online(pk, "devB"));
    assert!(!app.running().downlink.is_online(pk, "devA"));

    // Another clientId whose prefix names devB (another timestamp): refused too.
    let named = format!(
        "{pk}.devB|timestamp={},_ss=1,_v=sdk-c-4.x,securemode=3,signmethod=hmacsha256,ext=3|",
        C_SDK_TIMESTAMP + 1
    );
    assert_ne!(named, b_creds.client_id);
    let posing = credentials_with_client_id(&named, pk, "devA", &a_secret);
    assert_eq!(app.connect(&posing).await.err(), Some(ConnackCode::NotAuthorized), "a clientId naming devB");
    refusals_logged(&app, pk, "devA", 2).await;
    app.running().downlink.publish(pk, "devB", &topic, Bytes::from_static(b"still-here-2"), 1).await.unwrap();
    assert_eq!(&b.next_message().await.payload[..], b"still-here-2");
    assert_eq!(app.record(pk, "devB").await.unwrap().device.status, DeviceStatus::Online);

    // devA's own login works, next to devB.
    let own = device_credentials(Sdk::C4, pk, "devA", &a_secret, C_SDK_TIMESTAMP);
    let _a = app.connect(&own).await.expect("devA's own clientId");
    app.wait_device(pk, "devA", "online", |r| r.device.status == DeviceStatus::Online).await;
    assert_eq!(app.running().gateway.online_count(), 2);
    assert!(app.running().downlink.is_online(pk, "devB"));
}

// Promise: password guesses are limited per client address (`auth_failures_per_minute`, 30 by
// default), not per device: 70 wrong passwords for a device do not spend its connect budget, so
// the device connects from elsewhere; the guessing address is refused even with the right
// password until its minute has passed.
#[tokio::test]
async fn password_guessing_locks_out_the_address_not_the_device() {
    let (app, clock) = start_fake().await;
    let pk = "a1HardenGuess";
    app.product(pk, false).await;
    let secret = app.device(pk, "dev1").await;
    let right = device_credentials(Sdk::C4, pk, "dev1", &secret, C_SDK_TIMESTAMP);
    let wrong = device_credentials(Sdk::C4, pk, "dev1", "not-the-secret", C_SDK_TIMESTAMP);
    let limit = backend::config::DeviceLimits::default().auth_failures_per_minute as usize;
    assert_eq!(limit, 30);

    let mut codes = Vec::new();
    for _ in 0..70 {
        codes.push(app.connect(&wrong).await.err().expect("a wrong password is refused"));
    }
    assert!(codes[..limit].iter().all(|c| *c == ConnackCode::BadCredentials), "{codes:?}");
    assert!(codes[limit..].iter().all(|c| *c == ConnackCode::NotAuthorized), "locked out after {limit}: {codes:?}");

    // The device itself, from another address: its connect budget was not spent.
    let elsewhere: IpAddr = "127.0.0.2".parse().unwrap();
    let o = ConnectOptions { source: Some(elsewhere), ..options(&right) };
    let d = app.connect_with(&o, Behaviour::default()).await.expect("the right secret from another address");
    let rec = app.wait_device(pk, "dev1", "online", |r| r.device.status == DeviceStatus::Online).await;
    assert_eq!(rec.device.ip.as_deref(), Some("127.0.0.2"));
    d.disconnect().await;
    app.wait_device(pk, "dev1", "offline", |r| r.device.status == DeviceStatus::Offline).await;

    // The guessing address: refused even with the right password, within the minute.
    assert_eq!(app.connect(&right).await.err(), Some(ConnackCode::NotAuthorized), "the address is locked out");
    clock.advance_ms(60_000);
    let _d = app.connect(&right).await.expect("a new minute: the address may try again");
    app.wait_device(pk, "dev1", "online", |r| r.device.status == DeviceStatus::Online).await;
}

// Promise: refusals are not a disk amplifier: attacker-controlled strings are cut, each source
// writes at most 20 refusal entries a minute, and the first entry of the next minute says how
// many were suppressed.
#[tokio::test]
async fn refusals_with_huge_topics_and_client_ids_write_little() {
    let (app, clock) = start_fake().await;
    let pk = "a1HardenDisk";
    app.product(pk, false).await;
    let (a, _, _) = online(&app, pk, "devA").await;
    app.device(pk, "devB").await;
    let before = run_log_number(&app, "SELECT COUNT(*) FROM run_log").await;

    // 300 publishes into devB's namespace, each with a 60 kB topic.
    let mut huge_topic = format!("/sys/{pk}/devB/thing/event/property/post/");
    huge_topic.push_str(&"x".repeat(60_000 - huge_topic.len()));
    for _ in 0..300 {
        publish_acked(&a, &huge_topic, "{}").await;
    }
    // 300 anonymous CONNECTs, each with a 60 kB clientId.
    let huge_cid = format!("{}|securemode=3|", "c".repeat(60_000));
    let anonymous = ConnectOptions { keep_alive: 30, connack_timeout: DEADLINE, ..ConnectOptions::new(&huge_cid) };
    for _ in 0..300 {
        let refused = app.connect_with(&anonymous, Behaviour::default()).await.err();
        assert_eq!(refused, Some(ConnackCode::BadCredentials));
    }

    let acl = refusal_contents(&app, pk, "devA", "acl").await;
    let anon = refusal_contents(&app, "", "", "auth").await;
    assert_eq!((acl.len() as i64, anon.len() as i64), (REFUSALS_PER_MINUTE, REFUSALS_PER_MINUTE));
    let rows = run_log_number(&app, "SELECT COUNT(*) FROM run_log").await - before;
    assert!(rows <= 2 * REFUSALS_PER_MINUTE + 2, "{rows} run-log rows for 600 refusals");
    let longest = run_log_number(&app, "SELECT CAST(MAX(LENGTH(content)) AS BIGINT) FROM run_log").await;
    assert!(longest <= 2048, "a stored content of {longest} bytes");
    let total = run_log_number(&app, "SELECT CAST(SUM(LENGTH(content)) AS BIGINT) FROM run_log").await;
    assert!(total <= 100_000, "{total} bytes of run log for 36 MB of refused input");
    assert!(acl[0]["topic"].as_str().unwrap().starts_with(&format!("/sys/{pk}/devB/")), "{}", acl[0]);
    assert!(anon[0]["clientId"].as_str().unwrap().starts_with("cccc"), "{}", anon[0]);
    assert!(acl.iter().chain(&anon).all(|c| c.get("suppressed").is_none()));

    // The next minute: the first refusal of each source counts what was left out.
    clock.advance_ms(60_000);
    publish_acked(&a, &huge_topic, "{}").await;
    assert_eq!(app.connect_with(&anonymous, Behaviour::default()).await.err(), Some(ConnackCode::BadCredentials));
    let acl = refusal_contents(&app, pk, "devA", "acl").await;
    let anon = refusal_contents(&app, "", "", "auth").await;
    assert_eq!(acl.len() as i64, REFUSALS_PER_MINUTE + 1);
    assert_eq!(anon.len() as i64, REFUSALS_PER_MINUTE + 1);
    let suppressed = 300 - REFUSALS_PER_MINUTE;
    assert_eq!(acl.last().unwrap()["suppressed"], json!(suppressed), "{}", acl.last().unwrap());
    assert_eq!(anon.last().unwrap()["suppressed"], json!(suppressed), "{}", anon.last().unwrap());
}

// Promise: whoever holds the productSecret cannot take over an activated device through
// dynamic registration (`regnwl` and `register` refused, CONNACK 5, run log 6289); an
// operator's reset (viewers may not) makes it inactive and lets `regnwl` register it again.
#[tokio::test]
async fn dynamic_registration_of_an_activated_device_needs_an_operators_reset() {
    let app = start().await;
    let pk = "a1HardenReset";
    let product_secret = app.product(pk, true).await;
    let (mut d, _, _) = online(&app, pk, "dev1").await;
    assert!(app.record(pk, "dev1").await.unwrap().device.activated_at.is_some());

    let regnwl = dynreg_credentials(Sdk::C4, pk, "dev1", &product_secret, "rand1", &AuthType::Regnwl);
    assert_eq!(app.connect(&regnwl).await.err(), Some(ConnackCode::NotAuthorized), "regnwl");
    app.wait_log(pk, "dev1", "auth", CODE_ALREADY_ACTIVATED).await;
    let register = dynreg_credentials(Sdk::Python, pk, "dev1", &product_secret, "rand2", &AuthType::Register);
    assert_eq!(app.connect(&register).await.err(), Some(ConnackCode::NotAuthorized), "register");
    eventually(DEADLINE, "two 6289 entries", || async {
        (app.log_count(pk, "dev1", BizType::Device, CODE_ALREADY_ACTIVATED).await >= 2).then_some(())
    })
    .await;
    assert!(backend::store::gateway::load_token(app.db(), app.device_id(pk, "dev1").await).await.unwrap().is_none());

    let path = format!("/api/v1/devices/{pk}/dev1/reset");
    let viewer = app.client(Role::Viewer).await;
    assert_eq!(viewer.post(&path, json!({})).await.status, StatusCode::FORBIDDEN);
    assert!(app.record(pk, "dev1").await.unwrap().device.activated_at.is_some(), "a viewer changed nothing");

    let operator = app.client(Role::Operator).await;
    let body = operator.post(&path, json!({})).await.ok();
    assert_eq!(body["status"], "inactive", "{body}");
    d.wait_closed().await;
    let rec = app
        .wait_device(pk, "dev1", "inactive after its session closed", |r| {
            r.device.status == DeviceStatus::Inactive && r.device.last_disconnect_code.is_some()
        })
        .await;
    assert_eq!(rec.device.activated_at, None);

    // regnwl now registers it: a token is pushed, and the token logs in.
    let regnwl = dynreg_credentials(Sdk::C4, pk, "dev1", &product_secret, "rand3", &AuthType::Regnwl);
    let mut r = app.connect(&regnwl).await.expect("regnwl after the reset");
    let push = r.next_message().await;
    assert_eq!(push.topic, "/ext/regnwl");
    let token = push.json()["deviceToken"].as_str().expect("deviceToken").to_string();
    let issued = push.json()["clientId"].as_str().expect("clientId").to_string();
    r.wait_closed().await;
    let _t = app.connect(&token_credentials(&issued, pk, "dev1", &token)).await.expect("token login");
    app.wait_device(pk, "dev1", "online", |r| r.device.status == DeviceStatus::Online).await;
}

// Promise: Alink requests of features the server does not have (remote config, OTA) are
// answered with 6290 on their `_reply` topic and logged with 6290 — never a silent 200; a topic
// without a reply (OTA inform) is logged with 6290.
#[tokio::test]
async fn unsupported_requests_get_6290_never_200() {
    let app = start().await;
    let pk = "a1HardenUnsup";
    app.product(pk, false).await;
    let (mut d, _, _) = online(&app, pk, "dev1").await;
    let sys = format!("/sys/{pk}/dev1");

    let requests = [
        (
            format!("{sys}/thing/config/get"),
            r#"{"id":"21","version":"1.0","params":{"configScope":"product","getType":"file"},"method":"thing.config.get"}"#,
            "21",
        ),
        (
            format!("{sys}/thing/ota/firmware/get"),
            r#"{"id":"22","version":"1.0","params":{"module":"default"},"method":"thing.ota.firmware.get"}"#,
            "22",
        ),
    ];
    for (topic, payload, id) in &requests {
        publish_acked(&d, topic, *payload).await;
        let m = d.next_message().await;
        assert_eq!(m.topic, format!("{topic}_reply"));
        let reply = m.json();
        assert_eq!((reply["id"].as_str(), reply["code"].as_u64()), (Some(*id), Some(6290)), "{reply}");
        let entry = app.wait_log(pk, "dev1", topic, CODE_NOT_SUPPORTED).await;
        assert_eq!(entry.biz_type, BizType::Uplink);
    }

    // No reply topic: logged only. The next request's reply is the next message the device sees.
    let inform = format!("/ota/device/inform/{pk}/dev1");
    publish_acked(&d, &inform, r#"{"id":"23","params":{"version":"1.0.0","module":"default"}}"#).await;
    let entry = app.wait_log(pk, "dev1", &inform, CODE_NOT_SUPPORTED).await;
    assert_eq!(entry.biz_type, BizType::Uplink);
    let (topic, payload, _) = &requests[0];
    publish_acked(&d, topic, *payload).await;
    assert_eq!(d.next_message().await.topic, format!("{topic}_reply"), "OTA inform got an answer");

    let q = LogQuery {
        product_key: Some(pk.into()),
        device_name: Some("dev1".into()),
        limit: Some(1000),
        ..Default::default()
    };
    let logged = app.stored_logs(&q).await;
    for topic in [&requests[0].0, &requests[1].0, &inform] {
        let statuses: Vec<u32> = logged
            .iter()
            .filter(|e| e.biz_type == BizType::Uplink && &e.operation == topic)
            .map(|e| e.status)
            .collect();
        assert!(!statuses.is_empty() && statuses.iter().all(|s| *s == CODE_NOT_SUPPORTED), "{topic}: {statuses:?}");
    }
}

//! Device authentication on the embedded broker: the three SDK signing schemes, refusals with
//! their CONNACK codes and run-log codes, dynamic registration and token login.

use devclient::{Behaviour, ConnackCode, ConnectOptions, Protocol};
use model::alink::sign::{
    device_credentials, device_sign_content, dynreg_credentials, sign, token_credentials, Credentials, SignMethod,
    C_SDK_TIMESTAMP,
};
use model::alink::{AuthType, Sdk};
use model::registry::DeviceStatus;
use testkit::{options, Inbox, TestApp, DEADLINE};

async fn start() -> TestApp {
    TestApp::builder().gateway().build().await
}

fn md5_without_timestamp(pk: &str, dn: &str, secret: &str) -> Credentials {
    let prefix = format!("{pk}.{dn}");
    let password = sign(SignMethod::HmacMd5, secret, &device_sign_content(&prefix, pk, dn, None));
    Credentials {
        client_id: format!("{prefix}|securemode=3,signmethod=hmacmd5|"),
        username: format!("{dn}&{pk}"),
        password,
    }
}

#[tokio::test]
async fn every_signing_scheme_connects_and_goes_online() {
    let app = start().await;
    let pk = "a1AuthSchemes";
    app.product(pk, false).await;
    let cases = [
        ("py", Sdk::Python, Some("Python 1.2.13")),
        ("c4", Sdk::C4, Some("C sdk-c-4.x")),
        ("c3", Sdk::C3, Some("C sdk-c-3.x")),
    ];
    let mut devices = Vec::new();
    for (dn, sdk, shown) in cases {
        let secret = app.device(pk, dn).await;
        let ts = if sdk == Sdk::Python { 1_700_000_000 } else { C_SDK_TIMESTAMP };
        let creds = device_credentials(sdk, pk, dn, &secret, ts);
        if sdk != Sdk::Python {
            assert_eq!(creds.password, creds.password.to_uppercase(), "C SDKs sign in uppercase hex");
        }
        devices.push(app.connect(&creds).await.unwrap_or_else(|c| panic!("{dn}: refused with {c:?}")));
        let rec = app.wait_device(pk, dn, "online", |r| r.device.status == DeviceStatus::Online).await;
        assert_eq!(rec.device.sdk.as_deref(), shown, "{dn}");
        assert_eq!(rec.device.ip.as_deref(), Some("127.0.0.1"));
        assert!(rec.device.activated_at.is_some(), "first connect activates");
        app.wait_log(pk, dn, "online", 200).await;
    }
    let secret = app.device(pk, "md5").await;
    devices.push(app.connect(&md5_without_timestamp(pk, "md5", &secret)).await.expect("hmacmd5 without timestamp"));
    app.wait_device(pk, "md5", "online", |r| r.device.status == DeviceStatus::Online).await;
    assert_eq!(app.running().gateway.online_count(), 4);
}

#[tokio::test]
async fn refusals_carry_connack_and_run_log_codes() {
    let app = start().await;
    let pk = "a1AuthRefuse";
    app.product(pk, false).await;
    let secret = app.device(pk, "dev1").await;

    let wrong = device_credentials(Sdk::Python, pk, "dev1", "not-the-secret", 1_700_000_000);
    assert_eq!(app.connect(&wrong).await.err(), Some(ConnackCode::BadCredentials));
    app.wait_log(pk, "dev1", "auth", 401).await;

    let unknown = device_credentials(Sdk::C4, pk, "ghost", &secret, C_SDK_TIMESTAMP);
    assert_eq!(app.connect(&unknown).await.err(), Some(ConnackCode::NotAuthorized));
    app.wait_log(pk, "ghost", "auth", 6100).await;

    let no_product = device_credentials(Sdk::C4, "a1NoSuchPK", "dev1", &secret, C_SDK_TIMESTAMP);
    assert_eq!(app.connect(&no_product).await.err(), Some(ConnackCode::NotAuthorized));
    app.wait_log("a1NoSuchPK", "dev1", "auth", 5005).await;

    let rec = app.record(pk, "dev1").await.unwrap();
    backend::store::devices::set_enabled(app.db(), rec.id, false).await.unwrap();
    let right = device_credentials(Sdk::Python, pk, "dev1", &secret, 1_700_000_000);
    assert_eq!(app.connect(&right).await.err(), Some(ConnackCode::NotAuthorized));
    app.wait_log(pk, "dev1", "auth", 522).await;
    assert_eq!(app.record(pk, "dev1").await.unwrap().device.status, DeviceStatus::Disabled);

    let no_username =
        Credentials { client_id: "x|securemode=3|".into(), username: "nobody".into(), password: "x".into() };
    assert_eq!(app.connect(&no_username).await.err(), Some(ConnackCode::BadCredentials));
}

#[tokio::test]
async fn dynamic_registration_register_regnwl_and_token_login() {
    let app = start().await;
    let pk = "a1AuthDynreg";
    let product_secret = app.product(pk, true).await;

    // register: a new device is created and its secret pushed without any SUBSCRIBE, then closed.
    let reg = dynreg_credentials(Sdk::Python, pk, "newdev", &product_secret, "abc123XYZ456def", &AuthType::Register);
    let mut d = app.connect(&reg).await.expect("register accepted");
    let push = d.next_message().await;
    assert_eq!(push.topic, "/ext/register");
    let body: serde_json::Value = serde_json::from_slice(&push.payload).unwrap();
    let secret = body["deviceSecret"].as_str().unwrap().to_string();
    assert_eq!((body["productKey"].as_str(), body["deviceName"].as_str()), (Some(pk), Some("newdev")));
    d.wait_closed().await;
    let rec = app.record(pk, "newdev").await.expect("device created");
    assert_eq!(rec.device_secret, secret);
    assert_eq!(rec.device.status, DeviceStatus::Inactive, "a registration session is not the device online");
    // The secret works.
    let _dev = app.connect(&device_credentials(Sdk::C4, pk, "newdev", &secret, C_SDK_TIMESTAMP)).await.expect("login");
    app.wait_device(pk, "newdev", "online", |r| r.device.status == DeviceStatus::Online).await;
    // An activated device's secret is not handed out again.
    let again = dynreg_credentials(Sdk::C4, pk, "newdev", &product_secret, "r2", &AuthType::Register);
    assert_eq!(app.connect(&again).await.err(), Some(ConnackCode::NotAuthorized));
    // A wrong productSecret signature.
    let bad = dynreg_credentials(Sdk::C4, pk, "other", "wrongProductSecret", "r3", &AuthType::Register);
    assert_eq!(app.connect(&bad).await.err(), Some(ConnackCode::BadCredentials));

    // regnwl (C4 form, uppercase): a token instead of a secret.
    let nwl = dynreg_credentials(Sdk::C4, pk, "tokdev", &product_secret, "xyz", &AuthType::Regnwl);
    let mut d = app.connect(&nwl).await.expect("regnwl accepted");
    let push = d.next_message().await;
    assert_eq!(push.topic, "/ext/regnwl");
    let body: serde_json::Value = serde_json::from_slice(&push.payload).unwrap();
    let token = body["deviceToken"].as_str().unwrap().to_string();
    let issued = body["clientId"].as_str().unwrap().to_string();
    d.wait_closed().await;

    let wrong = token_credentials(&issued, pk, "tokdev", "not-the-token");
    assert_eq!(app.connect(&wrong).await.err(), Some(ConnackCode::BadCredentials));
    let _tok = app.connect(&token_credentials(&issued, pk, "tokdev", &token)).await.expect("connwl login");
    let rec = app.wait_device(pk, "tokdev", "online", |r| r.device.status == DeviceStatus::Online).await;
    assert_eq!(rec.device.sdk.as_deref(), Some("Python 1.2.13"));
}

#[tokio::test]
async fn dynamic_registration_switched_off_is_6288() {
    let app = start().await;
    let pk = "a1AuthNoDynreg";
    let product_secret = app.product(pk, false).await;
    let reg = dynreg_credentials(Sdk::Python, pk, "newdev", &product_secret, "abc", &AuthType::Register);
    assert_eq!(app.connect(&reg).await.err(), Some(ConnackCode::NotAuthorized));
    app.wait_log(pk, "newdev", "auth", 6288).await;
    assert!(app.record(pk, "newdev").await.is_none(), "nothing was created");
}

#[tokio::test]
async fn mqtt_5_and_3_1_clients_are_served() {
    let app = start().await;
    let pk = "a1AuthProto";
    app.product(pk, false).await;
    let secret = app.device(pk, "v5").await;
    let c = device_credentials(Sdk::C4, pk, "v5", &secret, C_SDK_TIMESTAMP);
    // devclient speaks MQTT 3.1 and 3.1.1 only (no Link SDK uses 5): this one client is rumqttc's.
    let mut o = rumqttc::v5::MqttOptions::new(c.client_id, app.mqtt_addr().ip().to_string(), app.mqtt_addr().port());
    o.set_credentials(c.username, c.password);
    let (_client, mut ev) = rumqttc::v5::AsyncClient::new(o, 8);
    let ack = tokio::time::timeout(DEADLINE, async {
        loop {
            if let rumqttc::v5::Event::Incoming(rumqttc::v5::mqttbytes::v5::Packet::ConnAck(a)) =
                ev.poll().await.unwrap()
            {
                return a;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(ack.code, rumqttc::v5::mqttbytes::v5::ConnectReturnCode::Success);
    app.wait_device(pk, "v5", "online", |r| r.device.status == DeviceStatus::Online).await;

    // MQTT 3.1 (protocol name `MQIsdp`, level 3; Py's `protocol="MQTTv31"`), with a long Alink
    // clientId (3.1 said 23 bytes at most).
    let secret = app.device(pk, "v31").await;
    let c = device_credentials(Sdk::Python, pk, "v31", &secret, 1_700_000_000);
    let dev = app.connect_with(&v31(&c), Behaviour::default()).await;
    assert!(dev.is_ok(), "CONNACK accepted");
    // The connection stays open until `online` is seen: a closed one would race the check.
    app.wait_device(pk, "v31", "online", |r| r.device.status == DeviceStatus::Online).await;
    drop(dev);
    let wrong = device_credentials(Sdk::Python, pk, "v31", "wrong", 1_700_000_000);
    let refused = app.connect_with(&v31(&wrong), Behaviour::default()).await.err();
    assert_eq!(refused.map(ConnackCode::as_u8), Some(4), "CONNACK bad credentials");
}

/// An MQTT 3.1 CONNECT with the 60 s keepalive the Python SDK sends.
fn v31(c: &Credentials) -> ConnectOptions {
    ConnectOptions { protocol: Protocol::V31, keep_alive: 60, ..options(c) }
}

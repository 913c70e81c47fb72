//! `GET /api/v1/devices/{pk}/{dn}/connection`: who sees passwords, where the host comes from,
//! unknown devices; and the parameters it hands out really connect a device.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use backend::config::PublicAddr;
use model::alink::client_id::ClientId;
use model::alink::sign::{verify_device_sign, Credentials};
use model::device::connection::ConnectionParams;
use serde_json::Value;
use testkit::registry::{DN, PK, SECRET};
use testkit::{Role, TestApp};
use tower::ServiceExt;

const PATH: &str = "/api/v1/devices/a1FakePK001/dev-001/connection";

fn params(v: Value) -> ConnectionParams {
    serde_json::from_value(v).expect("a ConnectionParams body")
}

async fn views(app: &TestApp) -> i64 {
    let q = backend::store::sql("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE action = $1")
        .bind("device.connection.view");
    app.db().scalar(q).await.unwrap()
}

#[tokio::test]
async fn operators_get_signed_passwords_and_viewers_get_them_redacted() {
    let app = TestApp::builder().handlers_only().fleet().build().await;
    for role in [Role::Admin, Role::Operator] {
        let before = views(&app).await;
        let p = params(app.client(role).await.get(PATH).await.ok());
        assert!(p.secret_visible, "{role:?}");
        assert_eq!(p.forms.len(), 3);
        for f in &p.forms {
            let cid = ClientId::parse(&f.client_id).unwrap();
            let pw = f.password.as_deref().unwrap_or_else(|| panic!("{role:?} sees the {} password", f.sdk));
            assert!(verify_device_sign(&cid, PK, DN, SECRET, pw), "{role:?}: the {} password is signed right", f.sdk);
        }
        // The example post is a property of the product's model, so it passes validation.
        assert!(p.mosquitto_pub.contains(r#""params":{"LightSwitch":0}"#), "{}", p.mosquitto_pub);
        assert_eq!(views(&app).await, before + 1, "{role:?}: seeing passwords is audited like seeing the secret");
    }

    let before = views(&app).await;
    let r = app.client(Role::Viewer).await.get(PATH).await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.body.to_string();
    let p = params(r.body);
    assert!(!p.secret_visible);
    assert!(p
        .forms
        .iter()
        .all(|f| f.password.is_none() && f.client_id.contains(PK) && f.username == "dev-001&a1FakePK001"));
    let operator = params(app.client(Role::Operator).await.get(PATH).await.ok());
    for f in &operator.forms {
        let pw = f.password.as_deref().unwrap();
        assert!(!text.to_lowercase().contains(&pw.to_lowercase()), "the viewer's answer carries no {} password", f.sdk);
    }
    assert!(!text.contains(SECRET));
    assert_eq!(views(&app).await, before + 1, "only the operator's view was audited");

    let anon = app.anonymous().get(PATH).await;
    assert_eq!((anon.status, anon.body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
}

#[tokio::test]
async fn unknown_devices_and_products_are_404() {
    let app = TestApp::builder().handlers_only().fleet().build().await;
    for role in [Role::Admin, Role::Viewer] {
        let c = app.client(role).await;
        for path in ["/api/v1/devices/a1FakePK001/nobody/connection", "/api/v1/devices/a1NoSuchPK1/dev-001/connection"]
        {
            let r = c.get(path).await;
            assert_eq!(
                (r.status, r.body["code"].as_str()),
                (StatusCode::NOT_FOUND, Some("not_found")),
                "{role:?} {path}"
            );
        }
    }
}

/// The request's Host header names the host (without its port); the port is the MQTT listener's.
#[tokio::test]
async fn without_mqtt_public_the_host_is_the_one_the_browser_used() {
    let app = TestApp::builder().handlers_only().fleet().build().await;
    let admin = app.client(Role::Admin).await;
    let session = admin.session.clone().unwrap();
    for (host, want) in [("Console.Example.com:8080", "console.example.com"), ("[::1]:8080", "[::1]")] {
        let req = Request::get(PATH)
            .header(header::HOST, host)
            .header(header::COOKIE, &session.cookie)
            .body(Body::empty())
            .unwrap();
        let resp = app.http_router().clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
        let p: ConnectionParams = serde_json::from_slice(&bytes).unwrap();
        assert_eq!((p.host.as_str(), p.port, p.configured), (want, app.state().settings.mqtt.port(), false));
        assert!(p.mosquitto_pub.contains(&format!("-h '{want}' -p {}", p.port)), "{}", p.mosquitto_pub);
    }
}

/// With `--mqtt-public` the configured address wins everywhere: the panel and `/api/v1/info`.
#[tokio::test]
async fn mqtt_public_is_what_devices_are_told() {
    let app = TestApp::builder()
        .gateway()
        .fleet()
        .settings(|s| s.mqtt_public = Some(PublicAddr { host: "iot.example.com".into(), port: 11883 }))
        .build()
        .await;
    let p = params(app.client(Role::Operator).await.get(PATH).await.ok());
    assert_eq!((p.host.as_str(), p.port, p.tls_port, p.configured), ("iot.example.com", 11883, None, true));
    assert!(p.paho_python.contains(r#"c.connect("iot.example.com", 11883, keepalive=60)"#), "{}", p.paho_python);
    let info = app.anonymous().get("/api/v1/info").await.ok();
    assert_eq!(
        info["broker"],
        serde_json::json!({"host": "iot.example.com", "port": 11883, "tls_port": null, "configured": true})
    );
    app.shutdown().await;
}

/// What the endpoint hands out is what a device must send: each form connects to the real broker.
#[tokio::test]
async fn every_form_connects_a_real_device() {
    let app = TestApp::builder().gateway().fleet().build().await;
    let p = params(app.client(Role::Operator).await.get(PATH).await.ok());
    // reqwest sent `Host: 127.0.0.1:<http port>`: the host is kept, the port is the broker's.
    assert_eq!((p.host.as_str(), p.port, p.configured), ("127.0.0.1", app.mqtt_addr().port(), false));
    let info = app.anonymous().get("/api/v1/info").await.ok();
    assert_eq!(info["broker"]["host"], "127.0.0.1");
    assert_eq!(info["broker"]["port"], app.mqtt_addr().port());
    for f in &p.forms {
        let creds = Credentials {
            client_id: f.client_id.clone(),
            username: f.username.clone(),
            password: f.password.clone().unwrap(),
        };
        let dev = app.connect(&creds).await.unwrap_or_else(|code| panic!("the {} form is refused: {code:?}", f.sdk));
        dev.disconnect().await;
    }
    app.shutdown().await;
}

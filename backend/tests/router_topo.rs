//! Gateways and sub-devices through the router: topo add/delete/get with sub-device signs,
//! combine login/logout, sub-device messages through the gateway.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use backend::commands::{CallError, DeviceCall};
use backend::gateway::router::TopoListener;
use backend::store;
use model::alink::DeviceRef;
use serde_json::{json, Value};
use testkit::registry::*;
use testkit::TestApp;

fn gw(t: &str) -> String {
    format!("/sys/{GW_PK}/{GW}/{t}")
}
fn session(t: &str) -> String {
    format!("/ext/session/{GW_PK}/{GW}/combine/{t}")
}

#[derive(Default)]
struct Listener(Mutex<Vec<String>>);

#[async_trait::async_trait]
impl TopoListener for Listener {
    async fn topo_changed(&self, pk: &str, dn: &str) {
        self.0.lock().unwrap().push(format!("{pk}/{dn}"));
    }
}

async fn add(env: &TestApp, entries: Value) -> Value {
    env.downlink().clear();
    env.up_from(GW_PK, GW, &gw("thing/topo/add"), &json!({"id":"1","version":"1.0","params":entries}).to_string())
        .await;
    let p = env.downlink().only();
    assert_eq!((p.pk.as_str(), p.dn.as_str(), p.topic.as_str()), (GW_PK, GW, gw("thing/topo/add_reply").as_str()));
    p.json()
}

async fn batch_login(env: &TestApp, entries: Value) -> Value {
    env.downlink().clear();
    let payload = json!({"id":"2","version":"1.0","params":{"signMethod":"hmacSha256","deviceList":entries}});
    env.up_from(GW_PK, GW, &session("batch_login"), &payload.to_string()).await;
    let p = env.downlink().only();
    assert_eq!(p.topic, session("batch_login_reply"));
    p.json()
}

#[tokio::test]
async fn topo_add_good_and_bad_sign_then_get_and_delete() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let listener = Arc::new(Listener::default());
    env.router().set_topo_listener(listener.clone());

    let bad = signed(SUB_PK, SUB, "wrong-secret", "signmethod");
    let v = add(&env, json!([bad])).await;
    assert_eq!(v["code"], json!(401));
    for k in ["id", "code", "data", "message"] {
        assert!(v.get(k).is_some());
    }
    assert!(listener.0.lock().unwrap().is_empty());

    let v = add(&env, json!([signed(SUB_PK, SUB, SUB_SECRET, "signmethod")])).await;
    assert_eq!(v["code"], json!(200));
    assert_eq!(v["data"], json!([{"productKey":SUB_PK,"deviceName":SUB}]));
    assert_eq!(*listener.0.lock().unwrap(), vec![format!("{GW_PK}/{GW}")]);
    let sub = store::devices::get(env.db(), SUB_PK, SUB).await.unwrap().unwrap();
    assert_eq!(sub.device.gateway, Some(model::alink::DeviceRef::new(GW_PK, GW)));

    // Itself: 6402. Unknown device: 6100.
    assert_eq!(add(&env, json!([signed(GW_PK, GW, SECRET, "signmethod")])).await["code"], json!(6402));
    assert_eq!(add(&env, json!([signed(SUB_PK, "ghost", SUB_SECRET, "signmethod")])).await["code"], json!(6100));
    assert_eq!(add(&env, json!({"not":"a list"})).await["code"], json!(460));

    env.downlink().clear();
    env.up_from(GW_PK, GW, &gw("thing/topo/get"), r#"{"id":"3","version":"1.0","params":{}}"#).await;
    assert_eq!(env.downlink().only().json()["data"], json!([{"productKey":SUB_PK,"deviceName":SUB}]));

    env.downlink().clear();
    env.up_from(
        GW_PK,
        GW,
        &gw("thing/topo/delete"),
        &json!({"id":"4","params":[{"productKey":SUB_PK,"deviceName":SUB2}]}).to_string(),
    )
    .await;
    assert_eq!(env.downlink().only().json()["code"], json!(6401), "SUB2 was never attached");
    env.downlink().clear();
    env.up_from(
        GW_PK,
        GW,
        &gw("thing/topo/delete"),
        &json!({"id":"5","params":[{"productKey":SUB_PK,"deviceName":SUB}]}).to_string(),
    )
    .await;
    assert_eq!(env.downlink().only().json()["code"], json!(200));
    assert_eq!(store::devices::get(env.db(), SUB_PK, SUB).await.unwrap().unwrap().device.gateway, None);
}

#[tokio::test]
async fn sub_device_of_another_gateway_is_6619() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    env.device_with_secret(GW_PK, "gw-002", SECRET).await;
    env.downlink().set_online(GW_PK, "gw-002", true);
    assert_eq!(add(&env, json!([signed(SUB_PK, SUB, SUB_SECRET, "signmethod")])).await["code"], json!(200));
    env.downlink().clear();
    let payload = json!({"id":"1","params":[signed(SUB_PK, SUB, SUB_SECRET, "signmethod")]}).to_string();
    env.up_from(GW_PK, "gw-002", &format!("/sys/{GW_PK}/gw-002/thing/topo/add"), &payload).await;
    assert_eq!(env.downlink().only().json()["code"], json!(6619));
}

#[tokio::test]
async fn batch_login_then_sub_device_messages_flow_through_the_gateway() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    let sub_post = format!("/sys/{SUB_PK}/{SUB}/thing/event/property/post");
    let post = r#"{"id":"9","version":"1.0","params":{"Brightness":3},"method":"thing.event.property.post"}"#;

    // Not attached: 6401.
    env.up_from(GW_PK, GW, &sub_post, post).await;
    assert_eq!(env.downlink().only().json()["code"], json!(6401));

    add(&env, json!([signed(SUB_PK, SUB, SUB_SECRET, "signmethod"), signed(SUB_PK, SUB2, SUB_SECRET, "signmethod")]))
        .await;
    // Attached but not logged in: 520.
    env.downlink().clear();
    env.up_from(GW_PK, GW, &sub_post, post).await;
    assert_eq!(env.downlink().only().json()["code"], json!(520));

    // batch_login: one good, one with a bad sign → 401 naming the bad one.
    let mut bad = signed(SUB_PK, SUB2, "nope", "signMethod");
    bad.as_object_mut().unwrap().remove("signMethod");
    let mut good = signed(SUB_PK, SUB, SUB_SECRET, "signMethod");
    good.as_object_mut().unwrap().remove("signMethod");
    let v = batch_login(&env, json!([good.clone(), bad])).await;
    assert_eq!(v["code"], json!(401));
    assert_eq!(v["data"][0]["deviceName"], json!(SUB2));
    let v = batch_login(&env, json!([good])).await;
    assert_eq!((v["code"].clone(), v["data"].clone()), (json!(200), json!([{"productKey":SUB_PK,"deviceName":SUB}])));
    let rec = store::devices::get(env.db(), SUB_PK, SUB).await.unwrap().unwrap();
    assert_eq!(rec.device.status, model::registry::DeviceStatus::Online);

    // Now the gateway posts for the sub-device; the reply goes to the gateway's session on the sub-device's topic.
    env.downlink().clear();
    env.up_from(GW_PK, GW, &sub_post, post).await;
    let p = env.downlink().only();
    assert_eq!((p.pk.as_str(), p.dn.as_str()), (GW_PK, GW));
    assert_eq!(p.topic, format!("/sys/{SUB_PK}/{SUB}/thing/event/property/post_reply"));
    assert_eq!(p.json()["code"], json!(200));
    env.hub().flush().await;
    let latest = store::properties::latest(env.db(), rec.id).await.unwrap();
    assert_eq!(latest[0].value, json!(3));
    // Logged under the sub-device.
    env.log_where(SUB_PK, SUB, |l| l.operation == sub_post && l.status == 200).await;

    // A call to the sub-device goes through the gateway; with the gateway offline it is 9389.
    env.downlink().set_online(GW_PK, GW, false);
    let req = DeviceCall::SetProperties(json!({"Brightness": 5}));
    let e =
        env.router().commands().call(&DeviceRef::new(SUB_PK, SUB), req, Duration::from_millis(200)).await.unwrap_err();
    assert_eq!((e.clone(), e.code()), (CallError::GatewayOffline, 9389));
    env.downlink().set_online(GW_PK, GW, true);

    // Logout: messages refused again; the gateway going offline takes its subs with it.
    env.downlink().clear();
    env.up_from(
        GW_PK,
        GW,
        &session("batch_logout"),
        &json!({"id":"7","params":[{"productKey":SUB_PK,"deviceName":SUB}]}).to_string(),
    )
    .await;
    assert_eq!(env.downlink().only().json()["code"], json!(200));
    env.downlink().clear();
    env.up_from(GW_PK, GW, &sub_post, post).await;
    assert_eq!(env.downlink().only().json()["code"], json!(520));
    let rec = store::devices::get(env.db(), SUB_PK, SUB).await.unwrap().unwrap();
    assert_eq!(rec.device.status, model::registry::DeviceStatus::Offline);
}

#[tokio::test]
async fn c3_single_login_logout_and_gateway_offline() {
    let env = TestApp::builder().recording_downlink().fleet().build().await;
    add(&env, json!([signed(SUB_PK, SUB, SUB_SECRET, "signmethod")])).await;
    env.downlink().clear();
    let login = json!({"id":"1","params":signed(SUB_PK, SUB, SUB_SECRET, "signMethod")});
    env.up_from(GW_PK, GW, &session("login"), &login.to_string()).await;
    let p = env.downlink().only();
    assert_eq!(p.topic, session("login_reply"));
    assert_eq!(
        (p.json()["code"].clone(), p.json()["data"].clone()),
        (json!(200), json!({"productKey":SUB_PK,"deviceName":SUB}))
    );

    env.router().gateway_offline(GW_PK, GW).await;
    let rec = store::devices::get(env.db(), SUB_PK, SUB).await.unwrap().unwrap();
    assert_eq!(
        (rec.device.status, rec.device.last_disconnect_code),
        (model::registry::DeviceStatus::Offline, Some(1913))
    );

    env.downlink().clear();
    env.up_from(GW_PK, GW, &session("login"), &login.to_string()).await;
    env.downlink().clear();
    env.up_from(
        GW_PK,
        GW,
        &session("logout"),
        &json!({"id":"2","params":{"productKey":SUB_PK,"deviceName":SUB}}).to_string(),
    )
    .await;
    assert_eq!(env.downlink().only().json()["code"], json!(200));
    env.downlink().clear();
    env.up_from(
        GW_PK,
        GW,
        &session("logout"),
        &json!({"id":"3","params":{"productKey":SUB_PK,"deviceName":SUB2}}).to_string(),
    )
    .await;
    assert_eq!(env.downlink().only().json()["code"], json!(6401));
}

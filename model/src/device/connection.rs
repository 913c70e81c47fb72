//! What a device needs to connect: the broker address, and for each Link SDK the clientId,
//! username and password it would send (ALINK.md 1.3), plus ready-to-paste client commands.
//!
//! The server fills this in (it holds the DeviceSecret and knows the public address); the types
//! live here so the browser reads the same structure.

use serde::{Deserialize, Serialize};

use crate::alink::client_id::Sdk;
use crate::alink::sign::{device_credentials, C_SDK_TIMESTAMP};

/// Where devices reach the broker (`/api/v1/info` and the Connection parameters panel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrokerAddress {
    /// `--mqtt-public`'s host, else the host name the request was sent to.
    pub host: String,
    /// The plain-TCP MQTT port devices use.
    pub port: u16,
    /// The MQTT-over-TLS listener's port, when TLS is on.
    pub tls_port: Option<u16>,
    /// Whether this address was configured (`--mqtt-public`) rather than derived from the request.
    pub configured: bool,
}

/// `GET /api/v1/devices/{pk}/{dn}/connection`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionParams {
    pub product_key: String,
    pub device_name: String,
    /// The host devices connect to: `--mqtt-public`'s host, else the host name this request
    /// was sent to.
    pub host: String,
    /// The plain-TCP MQTT port (`--mqtt-public`'s port, else the listener's).
    pub port: u16,
    /// The MQTT-over-TLS port, when TLS is on.
    pub tls_port: Option<u16>,
    /// Whether `host`/`port` were configured (`--mqtt-public`) rather than guessed from the request.
    pub configured: bool,
    /// False for callers who may not see the DeviceSecret (viewers): every `password` is then
    /// absent and the snippets carry a placeholder.
    pub secret_visible: bool,
    /// One entry per SDK form, Python first.
    pub forms: Vec<SdkForm>,
    /// `mosquitto_pub` connecting with the C SDK 4.x form and posting one property.
    pub mosquitto_pub: String,
    /// A paho-mqtt (2.x) Python script doing the same with the Python form.
    pub paho_python: String,
}

/// The CONNECT fields of one SDK.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SdkForm {
    /// `python`, `c4` or `c3`.
    pub sdk: String,
    /// The timestamp inside clientId and signature: unix seconds for Python (now), the C SDKs'
    /// fixed milliseconds for C.
    pub timestamp: String,
    pub client_id: String,
    pub username: String,
    /// The signed password; absent when the caller may not see secrets.
    pub password: Option<String>,
}

/// What [`ConnectionParams::build`] needs; `secret` is `None` for callers who may not see it.
pub struct ConnectionInput<'a> {
    pub product_key: &'a str,
    pub device_name: &'a str,
    pub secret: Option<&'a str>,
    pub host: &'a str,
    pub port: u16,
    pub tls_port: Option<u16>,
    pub configured: bool,
    /// Now, in ms: the Python form's timestamp.
    pub now_ms: i64,
    /// The `params` of the example property post (`{"PowerSwitch": 1}`), from the thing model.
    pub example_params: serde_json::Value,
}

/// Shown in place of the password when the caller may not see it.
pub const PASSWORD_PLACEHOLDER: &str = "<password>";

const FORMS: [(Sdk, &str); 3] = [(Sdk::Python, "python"), (Sdk::C4, "c4"), (Sdk::C3, "c3")];

impl ConnectionParams {
    pub fn build(i: ConnectionInput<'_>) -> ConnectionParams {
        let (pk, dn) = (i.product_key, i.device_name);
        let forms: Vec<SdkForm> = FORMS
            .iter()
            .map(|&(sdk, name)| {
                let ts = match sdk {
                    Sdk::Python => (i.now_ms.max(0) / 1000) as u64,
                    Sdk::C3 | Sdk::C4 => C_SDK_TIMESTAMP,
                };
                // Without the secret the clientId and username are still exact; only the
                // signature needs it.
                let c = device_credentials(sdk, pk, dn, i.secret.unwrap_or(""), ts);
                SdkForm {
                    sdk: name.into(),
                    timestamp: ts.to_string(),
                    client_id: c.client_id,
                    username: c.username,
                    password: i.secret.map(|_| c.password),
                }
            })
            .collect();
        let post = post_message(&i.example_params);
        let topic = format!("/sys/{pk}/{dn}/thing/event/property/post");
        let pw = |f: &SdkForm| f.password.clone().unwrap_or_else(|| PASSWORD_PLACEHOLDER.into());
        let c4 = &forms[1];
        let mosquitto_pub = format!(
            "mosquitto_pub -V mqttv311 -h {host} -p {port} -q 1 \\\n  -i {cid} \\\n  -u {user} \\\n  -P {pw} \\\n  -t {topic} \\\n  -m {post}",
            host = sh(i.host),
            port = i.port,
            cid = sh(&c4.client_id),
            user = sh(&c4.username),
            pw = sh(&pw(c4)),
            topic = sh(&topic),
            post = sh(&post),
        );
        let py = &forms[0];
        let paho_python = format!(
            "# pip install \"paho-mqtt>=2\"\n\
             import json\n\
             import paho.mqtt.client as mqtt\n\
             \n\
             c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id={cid:?})\n\
             c.username_pw_set({user:?}, {pw:?})\n\
             c.connect({host:?}, {port}, keepalive=60)\n\
             c.loop_start()\n\
             msg = json.loads({post})\n\
             c.publish({topic:?}, json.dumps(msg), qos=1).wait_for_publish()\n\
             c.loop_stop()\n\
             c.disconnect()\n",
            cid = py.client_id,
            user = py.username,
            pw = pw(py),
            host = i.host,
            port = i.port,
            post = py_str(&post),
        );
        ConnectionParams {
            product_key: pk.into(),
            device_name: dn.into(),
            host: i.host.into(),
            port: i.port,
            tls_port: i.tls_port,
            configured: i.configured,
            secret_visible: i.secret.is_some(),
            forms,
            mosquitto_pub,
            paho_python,
        }
    }
}

/// A Python single-quoted string literal (the JSON inside keeps its double quotes readable).
fn py_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', r"\\").replace('\'', r"\'"))
}

/// A POSIX shell single-quoted word: `'` inside becomes `'\''`.
fn sh(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The Alink property post (ALINK.md, `thing.event.property.post`) with these params.
fn post_message(params: &serde_json::Value) -> String {
    serde_json::json!({"id": "1", "version": "1.0", "params": params, "method": "thing.event.property.post"})
        .to_string()
}

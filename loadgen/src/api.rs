//! fleetdeck's REST API as a browser uses it (session cookie + `X-CSRF-Token`), the fleet set-up
//! (product, thing model, CSV import) and the logged-in WebSocket.

use std::ops::Range;

use anyhow::{bail, Context};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::payload;

/// Rows per import request (the server's limit).
pub const IMPORT_CHUNK: usize = model::registry::MAX_CSV_ROWS;

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct Api {
    pub base: String,
    client: reqwest::Client,
    /// `fleetdeck_session=…`
    cookie: String,
    csrf: String,
}

impl Api {
    pub async fn login(base: &str, user: &str, password: &str) -> anyhow::Result<Api> {
        // Bounded: a CSV import of 10,000 rows takes seconds, nothing takes minutes.
        let client = reqwest::Client::builder().no_proxy().timeout(std::time::Duration::from_secs(120)).build()?;
        let r = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": user, "password": password}))
            .send()
            .await
            .with_context(|| format!("POST {base}/api/v1/auth/login"))?;
        if r.status() != StatusCode::OK {
            bail!("login as {user}: {} {}", r.status(), r.text().await.unwrap_or_default());
        }
        let cookie = r
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|kv| kv.starts_with("fleetdeck_session="))
            .context("login set no session cookie")?
            .to_string();
        let me: Value = r.json().await?;
        let csrf = me["csrf_token"].as_str().context("login answered no csrf_token")?.to_string();
        Ok(Api { base: base.to_string(), client, cookie, csrf })
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<(&'static str, String)>,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let mut req = self
            .client
            .request(method.clone(), format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some((content_type, b)) = body {
            req = req.header(reqwest::header::CONTENT_TYPE, content_type).body(b);
        }
        let r = req.send().await.with_context(|| format!("{method} {path}"))?;
        let status = r.status();
        let text = r.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    /// Create the product (a direct-connect Alink JSON product with our key) unless it exists,
    /// and give it the benchmark's thing model.
    pub async fn ensure_product(&self, pk: &str) -> anyhow::Result<()> {
        let body = serde_json::json!({"name": "loadgen", "product_key": pk, "node_type": "direct"}).to_string();
        let (s, v) = self.call(Method::POST, "/api/v1/products", Some(("application/json", body))).await?;
        if !s.is_success() && s != StatusCode::CONFLICT {
            bail!("create product {pk}: {s} {v}");
        }
        let tsl = serde_json::to_string(&payload::thing_model(pk))?;
        let (s, v) =
            self.call(Method::PUT, &format!("/api/v1/products/{pk}/tsl"), Some(("application/json", tsl))).await?;
        if !s.is_success() {
            bail!("PUT thing model of {pk}: {s} {v}");
        }
        Ok(())
    }

    /// Create devices `range` through the CSV import, [`IMPORT_CHUNK`] rows per request. Devices
    /// that already exist are fine (the secrets are deterministic). Returns how many were created.
    pub async fn import_devices(&self, pk: &str, range: Range<usize>) -> anyhow::Result<u64> {
        let mut created = 0;
        let mut start = range.start;
        while start < range.end {
            let end = (start + IMPORT_CHUNK).min(range.end);
            let path = format!("/api/v1/products/{pk}/devices/import?mode=valid_rows");
            let (s, v) = self.call(Method::POST, &path, Some(("text/csv", payload::devices_csv(start..end)))).await?;
            if !s.is_success() {
                bail!("import devices {start}..{end}: {s} {v}");
            }
            if let Some(bad) = v["errors"].as_array().and_then(|e| e.iter().find(|e| e["message"] != "already exists"))
            {
                bail!("import devices {start}..{end}: {bad}");
            }
            created += v["created"].as_u64().unwrap_or(0);
            start = end;
        }
        Ok(created)
    }

    /// `GET path` as the console sends it: the status and the whole body (read before returning,
    /// so a caller timing this call times the full response).
    pub async fn get_text(&self, path: &str) -> anyhow::Result<(StatusCode, String)> {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, &self.cookie)
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        let status = r.status();
        Ok((status, r.text().await?))
    }

    /// Open `/api/v1/ws` with the session cookie (no Origin header: a tool, not a page).
    pub async fn websocket(&self) -> anyhow::Result<Ws> {
        let url = format!("{}/api/v1/ws", self.base.replacen("http://", "ws://", 1));
        let mut req = url.as_str().into_client_request()?;
        req.headers_mut().insert("cookie", HeaderValue::from_str(&self.cookie)?);
        let connect = tokio_tungstenite::connect_async(req);
        let (ws, resp) = tokio::time::timeout(std::time::Duration::from_secs(30), connect)
            .await
            .map_err(|_| anyhow::anyhow!("WebSocket {url}: no upgrade within 30 s"))?
            .with_context(|| format!("WebSocket {url}"))?;
        if resp.status() != StatusCode::SWITCHING_PROTOCOLS.as_u16() {
            bail!("WebSocket {url}: {}", resp.status());
        }
        Ok(ws)
    }
}

//! A logged-in REST client, as a browser would be (cookie + X-CSRF-Token).

use anyhow::{bail, Context};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct Api {
    pub base: String,
    client: reqwest::Client,
    csrf: String,
}

impl Api {
    pub async fn login(base: &str, user: &str, password: &str) -> anyhow::Result<Api> {
        let client = reqwest::Client::builder().cookie_store(true).build()?;
        let r = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"username": user, "password": password}))
            .send()
            .await?;
        if r.status() != StatusCode::OK {
            bail!("login {user}: {} {}", r.status(), r.text().await?);
        }
        let me: Value = r.json().await?;
        let csrf = me["csrf_token"].as_str().context("csrf")?.to_string();
        Ok(Api { base: base.to_string(), client, csrf })
    }

    /// Any request; returns status and JSON (or the text as a JSON string).
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> anyhow::Result<(StatusCode, Value)> {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await?;
        let status = r.status();
        let text = r.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let (s, v) = self.call(Method::GET, path, None).await?;
        if !s.is_success() {
            bail!("GET {path}: {s} {v}");
        }
        Ok(v)
    }

    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let (s, v) = self.call(Method::POST, path, Some(body)).await?;
        if !s.is_success() {
            bail!("POST {path}: {s} {v}");
        }
        Ok(v)
    }

    pub async fn put(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let (s, v) = self.call(Method::PUT, path, Some(body)).await?;
        if !s.is_success() {
            bail!("PUT {path}: {s} {v}");
        }
        Ok(v)
    }

    /// Create a product (with the given key) and return its key.
    pub async fn product(&self, pk: &str, name: &str) -> anyhow::Result<String> {
        self.post("/api/v1/products", serde_json::json!({"name": name, "product_key": pk, "node_type": "direct"}))
            .await?;
        Ok(pk.to_string())
    }

    /// Create a device and return its secret.
    pub async fn device(&self, pk: &str, dn: &str) -> anyhow::Result<String> {
        self.post(&format!("/api/v1/products/{pk}/devices"), serde_json::json!({"device_name": dn})).await?;
        let s = self.get(&format!("/api/v1/devices/{pk}/{dn}/secret")).await?;
        Ok(s["device_secret"].as_str().context("secret")?.to_string())
    }
}

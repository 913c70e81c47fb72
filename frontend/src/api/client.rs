//! The REST client: JSON in and out, the CSRF header on every mutating request, and every
//! failure turned into a [`Fail`] carrying the server's `ApiError`.
//!
//! Two failures are handled here, once, for every caller: 401 clears the session (the shell's
//! guard then sends the browser to `/login?next=…`), 403 shows "not allowed for your role".

use gloo_net::http::{Method, RequestBuilder, Response};
use leptos::prelude::*;
use model::error::ApiError;
use serde::{de::DeserializeOwned, Serialize};

use crate::i18n::t;
use crate::state::{csrf, g, toast_error};

/// A failed request: HTTP status (0 = no answer) and the server's error body.
#[derive(Debug, Clone, PartialEq)]
pub struct Fail {
    pub status: u16,
    pub error: ApiError,
}

impl Fail {
    fn network(e: impl std::fmt::Display) -> Self {
        Fail { status: 0, error: ApiError::new("network", e.to_string()) }
    }
    /// Whether the client already told the user (401 → login, 403 → toast).
    pub fn handled(&self) -> bool {
        self.status == 401 || self.status == 403
    }
    /// "message (code)" for inline display next to a form; words, not the browser's exception
    /// text, when the server could not be reached.
    pub fn text(&self) -> String {
        if self.status == 0 {
            return t("load.unreachable").to_string();
        }
        self.error.to_string()
    }
    /// The transport's own text ("TypeError: Failed to fetch"), for a folded "Details".
    pub fn detail(&self) -> String {
        self.error.to_string()
    }
    /// Worth trying again by itself: no answer, or the server said it is busy or not ready.
    pub fn retryable(&self) -> bool {
        matches!(self.status, 0 | 429 | 502 | 503 | 504)
    }
}

pub type ApiResult<T> = Result<T, Fail>;

/// Toast a failure unless the client already reported it.
pub fn report(f: &Fail) {
    if !f.handled() {
        toast_error(f.text());
    }
}

const BASE: &str = "/api/v1";

fn builder(method: Method, path: &str) -> RequestBuilder {
    let url = format!("{BASE}{path}");
    let b = RequestBuilder::new(&url).method(method.clone()).header("Accept", "application/json");
    if method == Method::GET {
        b
    } else {
        match csrf() {
            Some(tok) => b.header("X-CSRF-Token", &tok),
            None => b,
        }
    }
}

/// Record whether the server answered, for the live badge (`api::health`).
fn note_answer(answered: bool) {
    g().rest.update(|h| {
        h.failing = !answered;
        if answered {
            h.last_ok = Some(js_sys::Date::now());
        }
    });
}

async fn finish<T: DeserializeOwned>(resp: Result<Response, gloo_net::Error>) -> ApiResult<T> {
    note_answer(resp.is_ok());
    let resp = resp.map_err(Fail::network)?;
    let status = resp.status();
    let text = resp.text().await.map_err(Fail::network)?;
    if (200..300).contains(&status) {
        let body = if text.trim().is_empty() { "null" } else { text.as_str() };
        return serde_json::from_str(body).map_err(|e| Fail {
            status,
            error: ApiError::new("bad_response", format!("unexpected answer from the server: {e}")),
        });
    }
    let error = serde_json::from_str::<ApiError>(&text).unwrap_or_else(|_| {
        let msg = if text.trim().is_empty() { format!("HTTP {status}") } else { text.clone() };
        ApiError::new(format!("http_{status}"), msg)
    });
    match status {
        401 => {
            g().me.set(None);
            g().auth_checked.set(true);
        }
        403 => toast_error(t("err.forbidden")),
        _ => {}
    }
    Err(Fail { status, error })
}

pub async fn get<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    finish(builder(Method::GET, path).send().await).await
}

/// POST/PUT/PATCH with a JSON body.
pub async fn send<B: Serialize, T: DeserializeOwned>(method: Method, path: &str, body: &B) -> ApiResult<T> {
    let req = builder(method, path).json(body).map_err(Fail::network)?;
    finish(req.send().await).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    send(Method::POST, path, body).await
}

pub async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    send(Method::PATCH, path, body).await
}

pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> ApiResult<T> {
    send(Method::PUT, path, body).await
}

/// POST a text body (CSV imports).
pub async fn post_text<T: DeserializeOwned>(path: &str, content_type: &str, body: String) -> ApiResult<T> {
    let req = builder(Method::POST, path).header("Content-Type", content_type).body(body).map_err(Fail::network)?;
    finish(req.send().await).await
}

/// POST with no body (logout).
pub async fn post_empty(path: &str) -> ApiResult<()> {
    finish(builder(Method::POST, path).send().await).await
}

pub async fn delete(path: &str) -> ApiResult<()> {
    finish(builder(Method::DELETE, path).send().await).await
}

/// DELETE whose answer has a body (what was cleared).
pub async fn delete_json<T: DeserializeOwned>(path: &str) -> ApiResult<T> {
    finish(builder(Method::DELETE, path).send().await).await
}

/// Build `?a=1&b=2` from the pairs whose value is present and non-empty.
pub fn query(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| format!("{k}={}", crate::util::enc(v))))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

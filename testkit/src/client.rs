//! One REST client for every mode, as a browser would be: the session cookie and the CSRF
//! header (or a bearer token, or nothing). Requests go through tower's `oneshot` when the app
//! has no socket and over real HTTP (reqwest) for `.gateway()`.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use model::auth::Role;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::app::{TestApp, ADMIN_PW};

/// The password of every user the harness creates.
pub const USER_PW: &str = "password-1";

/// How requests reach the app.
#[derive(Clone)]
pub(crate) enum Transport {
    Tower(axum::Router),
    Http { client: reqwest::Client, base: String },
}

impl Transport {
    pub(crate) fn http(base: String) -> Transport {
        // No idle connections kept: with a fake clock, moving time past the server's idle limit
        // closes them (its timers run on that clock), and a reused one would be reset.
        let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("an HTTP client");
        Transport::Http { client, base }
    }

    async fn send(&self, req: Request<Vec<u8>>) -> Resp {
        let (status, headers, bytes) = match self {
            Transport::Tower(router) => {
                let resp = router.clone().oneshot(req.map(Body::from)).await.unwrap();
                let (parts, body) = resp.into_parts();
                (parts.status, parts.headers, body.collect().await.unwrap().to_bytes())
            }
            Transport::Http { client, base } => {
                let (parts, body) = req.into_parts();
                let url = format!("{base}{}", parts.uri);
                let r = client.request(parts.method, url).headers(parts.headers).body(body).send().await.unwrap();
                let (status, headers) = (r.status(), r.headers().clone());
                (status, headers, r.bytes().await.unwrap())
            }
        };
        let body =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Resp { status, body, headers }
    }
}

/// An answer: the status, the body as JSON (or the text as a JSON string), the headers.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub headers: HeaderMap,
}

impl Resp {
    /// The body of a 2xx answer (panics with the answer otherwise).
    pub fn ok(self) -> Value {
        assert!(self.status.is_success(), "{} {}", self.status, self.body);
        self.body
    }

    /// The body of a 2xx answer, `None` otherwise (for polling).
    pub fn success(self) -> Option<Value> {
        self.status.is_success().then_some(self.body)
    }
}

/// A logged-in browser: the session cookie and its CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

/// A REST client of one app.
#[derive(Clone)]
pub struct Client {
    transport: Transport,
    pub session: Option<Session>,
    bearer: Option<String>,
}

impl Client {
    /// The same session with another CSRF token (`""`: none), for CSRF tests.
    pub fn with_csrf(mut self, csrf: &str) -> Client {
        self.session.as_mut().expect("a logged-in client").csrf = csrf.to_string();
        self
    }

    /// Authenticated by an API token instead of a session.
    pub fn bearer(mut self, token: &str) -> Client {
        self.session = None;
        self.bearer = Some(token.to_string());
        self
    }

    /// Any request, with the session's cookie and CSRF header (or the bearer token).
    pub async fn raw(&self, method: Method, path: &str, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(s) = &self.session {
            b = b.header(header::COOKIE, &s.cookie).header("x-csrf-token", &s.csrf);
        }
        if let Some(t) = &self.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        self.transport.send(b.body(body.into()).unwrap()).await
    }

    /// A JSON request as the browser's app sends it.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        match body {
            Some(v) => self.raw(method, path, Some("application/json"), v.to_string()).await,
            None => self.raw(method, path, None, Vec::new()).await,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path, None).await
    }

    /// A direct product named "Lamp" with the given key; returns the created product.
    pub async fn product(&self, pk: &str) -> Value {
        self.product_named(pk, "Lamp").await
    }

    pub async fn product_named(&self, pk: &str, name: &str) -> Value {
        let r = self.post("/api/v1/products", json!({"name": name, "product_key": pk, "node_type": "direct"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }

    /// A device through the API; returns its secret.
    pub async fn device(&self, pk: &str, dn: &str) -> String {
        self.post(&format!("/api/v1/products/{pk}/devices"), json!({"device_name": dn})).await.ok();
        let s = self.get(&format!("/api/v1/devices/{pk}/{dn}/secret")).await.ok();
        s["device_secret"].as_str().expect("device_secret").to_string()
    }
}

impl TestApp {
    /// A client without a session.
    pub fn anonymous(&self) -> Client {
        Client { transport: self.transport(), session: None, bearer: None }
    }

    /// Log in over the API (asserting it works).
    pub async fn login(&self, user: &str, password: &str) -> Client {
        let anon = self.anonymous();
        let r = anon.post("/api/v1/auth/login", json!({"username": user, "password": password})).await;
        assert_eq!(r.status, StatusCode::OK, "login {user}: {:?}", r.body);
        let set = r.headers.get(header::SET_COOKIE).expect("a session cookie").to_str().unwrap();
        let cookie = set.split(';').next().unwrap().to_string();
        let csrf = r.body["csrf_token"].as_str().expect("csrf_token").to_string();
        Client { session: Some(Session { cookie, csrf }), ..anon }
    }

    /// A fresh session of `role`: the admin, or a user named after the role (created on
    /// first use, password [`USER_PW`]).
    pub async fn client(&self, role: Role) -> Client {
        if role == Role::Admin {
            return self.login("admin", ADMIN_PW).await;
        }
        let new = {
            let mut made = self.made.lock().unwrap();
            let new = !made.contains(&role);
            made.push(role);
            new
        };
        if new {
            self.user(role.as_str(), role).await
        } else {
            self.login(role.as_str(), USER_PW).await
        }
    }

    /// Create a user with `role` (password [`USER_PW`]) and log in as them.
    pub async fn user(&self, name: &str, role: Role) -> Client {
        let admin = self.login("admin", ADMIN_PW).await;
        let r =
            admin.post("/api/v1/users", json!({"username": name, "password": USER_PW, "role": role.as_str()})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        self.login(name, USER_PW).await
    }

    /// Rows in `table`.
    pub async fn count(&self, table: &str) -> i64 {
        self.db().scalar(backend::store::sql(format!("SELECT COUNT(*) FROM {table}"))).await.unwrap()
    }
}

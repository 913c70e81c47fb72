//! `TestApp`: the HTTP application over a temporary SQLite, driven without a socket.
#![allow(dead_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use backend::auth::bootstrap;
use backend::clock::FakeClock;
use backend::config::Settings;
use backend::state::AppState;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const ADMIN_PW: &str = "admin-password";

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub clock: FakeClock,
    _dir: tempfile::TempDir,
}

/// A logged-in browser: the session cookie and its CSRF token.
#[derive(Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub headers: axum::http::HeaderMap,
}

impl TestApp {
    pub async fn new() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::for_test(dir.path().to_path_buf());
        let db = backend::store::connect(&settings.database_url).await.unwrap();
        let clock = FakeClock::new(1_700_000_000_000);
        let state = AppState::new(db, Arc::new(clock.clone()), settings);
        bootstrap::ensure_admin(&state, Some(ADMIN_PW)).await.unwrap();
        let router = backend::app(state.clone(), None);
        TestApp { state, router, clock, _dir: dir }
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let body =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Resp { status, body, headers }
    }

    /// A JSON request as a browser with `session` would send it (cookie + CSRF header).
    pub async fn call(&self, method: Method, path: &str, session: Option<&Session>, body: Option<Value>) -> Resp {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(s) = session {
            b = b.header(header::COOKIE, &s.cookie).header("x-csrf-token", &s.csrf);
        }
        let req = match body {
            Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())).unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    pub async fn get(&self, path: &str, s: &Session) -> Resp {
        self.call(Method::GET, path, Some(s), None).await
    }

    pub async fn post(&self, path: &str, s: &Session, body: Value) -> Resp {
        self.call(Method::POST, path, Some(s), Some(body)).await
    }

    pub async fn login(&self, user: &str, pw: &str) -> Session {
        let r = self
            .call(Method::POST, "/api/v1/auth/login", None, Some(serde_json::json!({"username": user, "password": pw})))
            .await;
        assert_eq!(r.status, StatusCode::OK, "login {user}: {:?}", r.body);
        let set = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        let cookie = set.split(';').next().unwrap().to_string();
        Session { cookie, csrf: r.body["csrf_token"].as_str().unwrap().to_string() }
    }

    pub async fn admin(&self) -> Session {
        self.login("admin", ADMIN_PW).await
    }

    /// Create a user with `role` and log in as them.
    pub async fn user(&self, name: &str, role: &str) -> Session {
        let admin = self.admin().await;
        let r = self
            .post(
                "/api/v1/users",
                &admin,
                serde_json::json!({"username": name, "password": "password-1", "role": role}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        self.login(name, "password-1").await
    }

    /// A product with the given key, created as admin.
    pub async fn product(&self, pk: &str) -> Value {
        let admin = self.admin().await;
        let r = self
            .post(
                "/api/v1/products",
                &admin,
                serde_json::json!({"name": "Lamp", "product_key": pk, "node_type": "direct"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }
}

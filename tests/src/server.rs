//! fleetdeck in-process on free ports.

use std::path::PathBuf;

use backend::config::Settings;
use backend::server::Running;

pub const ADMIN_PW: &str = "admin-password";

pub struct TestServer {
    pub running: Option<Running>,
    pub base: String,
    pub dir: tempfile::TempDir,
}

/// The built UI: `FLEETDECK_TEST_DIST` (set by the test command) or `dist/` at the repo root.
pub fn dist_dir() -> PathBuf {
    let d = std::env::var("FLEETDECK_TEST_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist"));
    assert!(d.join("index.html").is_file(), "{} has no index.html: run scripts/build-ui.sh first", d.display());
    d
}

impl TestServer {
    /// A server with the UI, an admin with [`ADMIN_PW`], ephemeral HTTP and MQTT ports.
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// A server without the web UI, for device-only tests (no `dist/` needed).
    pub async fn start_headless() -> TestServer {
        Self::start_with_ui(false, |_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Settings)) -> TestServer {
        Self::start_with_ui(true, tweak).await
    }

    async fn start_with_ui(ui: bool, tweak: impl FnOnce(&mut Settings)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::for_test(dir.path().to_path_buf());
        settings.admin_password = Some(ADMIN_PW.into());
        settings.dist = ui.then(dist_dir);
        tweak(&mut settings);
        let running = backend::server::start(settings).await.expect("server starts");
        let base = format!("http://{}", running.http_addr);
        TestServer { running: Some(running), base, dir }
    }

    pub fn running(&self) -> &Running {
        self.running.as_ref().unwrap()
    }

    pub fn state(&self) -> &backend::state::AppState {
        &self.running().state
    }
}

impl TestServer {
    pub fn mqtt(&self) -> std::net::SocketAddr {
        self.running().mqtt_addr
    }

    /// Log in over REST as the admin.
    pub async fn admin(&self) -> crate::api::Api {
        crate::api::Api::login(&self.base, "admin", ADMIN_PW).await.expect("admin login")
    }
}

//! Browser end-to-end: the shell an operator lives in — deep links that survive a reload,
//! language and theme switches, a phone-width layout, the audit log, users and API tokens.

use std::time::Duration;

use fleetdeck_tests::browser::Browser;
use testkit::{eventually, Role, TestApp, ADMIN_PW};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_language_theme_phone_and_admin_pages() {
    let app = TestApp::builder().gateway().ui().build().await;
    let api = app.client(Role::Admin).await;
    api.product_named("a1ShellLamp", "Shell lamp").await;
    api.device("a1ShellLamp", "shell-0001").await;

    // A deep link before login goes to the login page and comes back after it.
    let mut b = Browser::open(&app.base_url(), "shell", 1280).await;
    b.goto("/devices/a1ShellLamp/shell-0001?tab=info").await;
    b.find("login-form").await;
    b.fill("login-username", "admin").await;
    b.fill("login-password", ADMIN_PW).await;
    b.click("login-submit").await;
    b.wait_text("device-title", "shell-0001").await;
    // …and survives a reload.
    b.c.refresh().await.unwrap();
    b.wait_text("device-title", "shell-0001").await;

    // Simplified Chinese, remembered across pages; dark theme on <html>.
    b.click("lang-toggle").await;
    b.wait_text("nav-devices", "设备").await;
    b.click("theme-toggle").await;
    let theme = b.c.execute("return document.documentElement.getAttribute('data-theme')", vec![]).await.unwrap();
    assert_eq!(theme, "dark");
    b.goto("/products").await;
    b.wait_text("nav-products", "产品").await;
    b.shot("products-zh-dark").await;
    b.click("lang-toggle").await;
    b.wait_text("nav-devices", "Devices").await;

    // The audit log shows what the admin did (the product and device created over REST).
    b.goto("/audit").await;
    b.wait_text("audit-table", "product.create").await;
    b.wait_text("audit-table", "a1ShellLamp/shell-0001").await;
    b.shot("audit-dark").await;

    // Users: create an operator through the dialog.
    b.goto("/users").await;
    b.click("user-create").await;
    b.find("user-create-dialog").await;
    b.fill("user-name", "night-ops").await;
    b.fill("user-password", "password-123").await;
    b.select("user-role", "operator").await;
    b.click("user-create-submit").await;
    b.find("user-row-night-ops").await;
    let users = api.get("/api/v1/users").await.ok();
    assert!(users.as_array().unwrap().iter().any(|u| u["username"] == "night-ops" && u["role"] == "operator"));

    // Settings: an API token is shown once and works as a bearer token.
    b.goto("/settings?tab=tokens").await;
    b.fill("token-name", "grafana").await;
    b.click("token-create").await;
    let secret = b.find("token-secret").await.text().await.unwrap();
    assert!(secret.starts_with("fdk_"), "{secret}");
    b.shot("token-created").await;
    let r = app.anonymous().bearer(secret.trim()).get("/api/v1/devices").await;
    assert_eq!(r.status, 200);
    b.close().await;

    // Phone width: the sidebar is a drawer behind the menu button.
    let mut p = Browser::open(&app.base_url(), "phone", 390).await;
    p.login("admin", ADMIN_PW).await;
    p.goto("/devices").await;
    p.find("device-row-shell-0001").await;
    p.shot("devices-phone").await;
    let nav_visible = |b: &Browser| {
        let c = b.c.clone();
        async move {
            c.execute("const r = document.querySelector('[data-testid=nav-products]').getBoundingClientRect(); return r.right > 0 && r.left < window.innerWidth;", vec![])
                .await
                .unwrap()
                .as_bool()
                .unwrap_or(false)
        }
    };
    assert!(!nav_visible(&p).await, "the drawer starts closed on a phone");
    p.click("sidebar-toggle").await;
    eventually(Duration::from_secs(5), "the drawer to open", || async { nav_visible(&p).await.then_some(()) }).await;
    p.shot("drawer-open").await;
    p.close().await;
}

//! Router, shell and auth guard.
//!
//! Every view has a URL; filters, page and tab live in the query string so a pasted link opens
//! exactly that view. `/login` is outside the shell; everything else is inside it and waits for
//! `/auth/me` — without a session the guard sends the browser to `/login?next=<here>`.

pub mod nav;
mod shell;
pub use shell::ProductsCtx;
mod sidebar;
mod topbar;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path,
};

use crate::components::toasts::Toasts;
use crate::pages;
use crate::state::{self, g};

/// Look up the session once at start; 401 leaves `me` empty and the guard redirects.
fn check_session() {
    spawn_local(async move {
        let me = crate::api::auth::me().await.ok();
        g().me.set(me);
        g().auth_checked.set(true);
    });
}

#[component]
pub fn App() -> impl IntoView {
    let gl = state::init();
    check_session();
    // Theme and language are attributes on <html>, so CSS tokens and :lang() follow them.
    Effect::new(move |_| {
        let theme = gl.theme.get();
        crate::util::storage::set("fd.theme", theme.as_str());
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("data-theme", theme.as_str());
        }
    });
    Effect::new(move |_| {
        let lang = gl.lang.get();
        crate::util::storage::set("fd.lang", lang.code());
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("lang", if lang == crate::i18n::Lang::Zh { "zh-CN" } else { "en" });
        }
    });
    view! {
        <Router>
            <Routes fallback=|| view! { <pages::placeholder::NotFound/> }>
                <Route path=path!("/login") view=pages::login::LoginPage/>
                <ParentRoute path=path!("") view=shell::Shell>
                    <Route path=path!("") view=pages::overview::OverviewPage/>
                    <Route path=path!("products") view=pages::products::list::ProductList/>
                    <Route path=path!("products/:pk") view=pages::products::detail::ProductDetail/>
                    <Route path=path!("devices") view=pages::devices::list::DeviceList/>
                    <Route path=path!("devices/:pk/:dn") view=pages::devices::detail::DeviceDetail/>
                    <Route path=path!("groups") view=pages::groups::list::GroupList/>
                    <Route path=path!("groups/:id") view=pages::groups::detail::GroupDetail/>
                    <Route path=path!("users") view=pages::users::UsersPage/>
                    <Route path=path!("audit") view=pages::audit::AuditPage/>
                    <Route path=path!("settings") view=pages::settings::SettingsPage/>
                    <Route path=path!("logs") view=pages::logs::LogsPage/>
                    // Real-time monitoring (issue 14).
                    <Route path=path!("monitoring") view=pages::monitoring::MonitoringPage/>
                    // Online debugging (issue 12 §3).
                    <Route path=path!("debug") view=pages::debug::DebugPicker/>
                    <Route path=path!("debug/:pk/:dn") view=pages::debug::DebugPage/>
                    // Device simulation (issue 13).
                    <Route path=path!("simulate") view=pages::simulate::SimulatePicker/>
                    <Route path=path!("simulate/:pk/:dn") view=pages::simulate::SimulatePage/>
                    // Unbuilt chapters (`nav::NAV`) and unknown paths.
                    <Route path=path!("*any") view=pages::placeholder::Unrouted/>
                </ParentRoute>
            </Routes>
        </Router>
        <Toasts/>
    }
}

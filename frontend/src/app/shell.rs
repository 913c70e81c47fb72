//! The shell around every signed-in page: sidebar, top bar, content, confirm dialog; the guard;
//! keyboard shortcuts; the connection banner. A product scope is only ever in a page's URL.

use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

use super::{nav, sidebar::Sidebar, topbar::TopBar};
use crate::api::registry;
use crate::components::{confirm::ConfirmHost, states::Loading};
use crate::state::g;
use crate::util::{current_path_and_query, enc};

/// The product list, loaded once for the shell (selector, filters) and reloaded on `products_rev`.
#[derive(Clone, Copy)]
pub struct ProductsCtx(pub LocalResource<Vec<model::registry::Product>>);

#[component]
pub fn Shell() -> impl IntoView {
    let gl = g();
    let navigate = use_navigate();
    let location = use_location();

    // Guard: no session → login, remembering where we were.
    let go = navigate.clone();
    Effect::new(move |_| {
        if gl.auth_checked.get() && gl.me.with(|m| m.is_none()) {
            let next = current_path_and_query();
            go(&format!("/login?next={}", enc(&next)), NavigateOptions { replace: true, ..Default::default() });
        }
    });
    Effect::new(move |_| {
        if gl.me.with(|m| m.is_some()) {
            crate::api::ws::start();
        }
    });

    let products = LocalResource::new(move || {
        let _ = gl.products_rev.get();
        // Reloaded when the live connection is back after a drop, like every visible load.
        let _ = gl.resync.get();
        let logged_in = gl.me.with(|m| m.is_some());
        async move {
            if !logged_in {
                return Vec::new();
            }
            registry::products().await.unwrap_or_default()
        }
    });
    provide_context(ProductsCtx(products));

    // Close the drawer after navigating (phone width).
    Effect::new(move |_| {
        let _ = location.pathname.get();
        gl.drawer_open.set(false);
    });

    shortcuts(navigate);

    view! {
        <Show when=move || gl.me.with(|m| m.is_some()) fallback=|| view! { <div class="boot"><Loading/></div> }>
            <div class="shell" class:collapsed=move || gl.sidebar_collapsed.get() class:drawer-open=move || gl.drawer_open.get()>
                <Sidebar/>
                <div class="drawer-backdrop" on:click=move |_| gl.drawer_open.set(false)></div>
                <div class="main">
                    <TopBar/>
                    <crate::components::states::ConnectionBanner/>
                    <main class="content" data-testid="content">
                        <Outlet/>
                    </main>
                </div>
                <ConfirmHost/>
            </div>
        </Show>
    }
}

/// `/` focuses the page's search box; `g` then a letter opens a page (`nav::NAV`'s shortcuts:
/// `g d` devices, `g l` logs, `g p` products, `g o` overview).
fn shortcuts(navigate: impl Fn(&str, NavigateOptions) + Clone + 'static) {
    let pending_g = StoredValue::new(false);
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            .map(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
            .unwrap_or(false);
        if typing {
            return;
        }
        let key = ev.key();
        if pending_g.get_value() {
            pending_g.set_value(false);
            let Some(to) = nav::shortcut(&key) else { return };
            navigate(to, NavigateOptions::default());
            return;
        }
        match key.as_str() {
            "g" => pending_g.set_value(true),
            "/" => {
                if let Ok(Some(el)) = document().query_selector("[data-search]") {
                    if let Ok(input) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                        ev.prevent_default();
                        let _ = input.focus();
                    }
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

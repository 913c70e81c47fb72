//! Left navigation in the seed's order; collapsible on desktop, a drawer on phones.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use model::auth::Role;

use crate::components::icons::Icon;
use crate::i18n::t;
use crate::state::{can, g};
use crate::util::storage;

/// (route, i18n key, icon).
type Entry = (&'static str, &'static str, &'static str);

/// Entries per section heading; the first section has no heading.
const SECTIONS: &[(&str, &[Entry])] = &[
    ("", &[("/", "nav.overview", "overview")]),
    (
        "nav.section.devices",
        &[
            ("/products", "nav.products", "products"),
            ("/devices", "nav.devices", "devices"),
            ("/groups", "nav.groups", "groups"),
        ],
    ),
    (
        "nav.section.maintenance",
        &[
            ("/monitoring", "nav.monitoring", "monitoring"),
            ("/debug", "nav.debug", "debug"),
            ("/simulate", "nav.simulate", "simulate"),
            ("/logs", "nav.logs", "logs"),
            ("/ota", "nav.ota", "ota"),
            ("/remote-config", "nav.remote_config", "remote-config"),
        ],
    ),
    (
        "nav.section.admin",
        &[
            ("/users", "nav.users", "users"),
            ("/audit", "nav.audit", "audit"),
            ("/settings", "nav.settings", "settings"),
        ],
    ),
];

fn is_active(current: &str, route: &str) -> bool {
    if route == "/" {
        current == "/"
    } else {
        current == route || current.starts_with(&format!("{route}/"))
    }
}

#[component]
pub fn Sidebar() -> impl IntoView {
    let gl = g();
    let location = use_location();
    let toggle = move |_| {
        gl.sidebar_collapsed.update(|c| *c = !*c);
        storage::set("fd.sidebar", if gl.sidebar_collapsed.get_untracked() { "collapsed" } else { "open" });
    };
    view! {
        <aside class="sidebar" data-testid="sidebar">
            <a class="brand" href="/" data-testid="brand">
                <span class="brand-mark">"fd"</span>
                <span class="brand-name">"fleetdeck"</span>
            </a>
            <nav class="nav">
                {SECTIONS
                    .iter()
                    .map(|(heading, items)| {
                        let heading = *heading;
                        view! {
                            {(!heading.is_empty()).then(|| view! { <div class="nav-heading">{move || t(heading)}</div> })}
                            {items
                                .iter()
                                .map(|(route, key, icon)| {
                                    let (route, key, icon) = (*route, *key, *icon);
                                    let admin_only = matches!(route, "/users" | "/audit");
                                    let id = route.trim_start_matches('/');
                                    let testid = format!("nav-{}", if id.is_empty() { "overview" } else { id });
                                    // Pages filtered by product keep the current product in their link.
                                    let href = move || match gl.product.get() {
                                        Some(p) if super::shell::uses_product(route) => {
                                            format!("{route}?product={}", crate::util::enc(&p))
                                        }
                                        _ => route.to_string(),
                                    };
                                    view! {
                                        <Show when=move || !admin_only || can(Role::Admin)>
                                            <a
                                                class="nav-item"
                                                class:active=move || is_active(&location.pathname.get(), route)
                                                href=href
                                                title=move || t(key)
                                                data-testid=testid.clone()
                                            >
                                                <Icon name=icon/>
                                                <span class="nav-label">{move || t(key)}</span>
                                            </a>
                                        </Show>
                                    }
                                })
                                .collect_view()}
                        }
                    })
                    .collect_view()}
            </nav>
            <button class="nav-collapse" data-testid="sidebar-collapse" title=move || t("nav.collapse") on:click=toggle>
                <Icon name="chevron"/>
            </button>
        </aside>
    }
}

//! Left navigation in the seed's order; collapsible on desktop, a drawer on phones.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::nav::{in_section, Section};
use crate::components::icons::Icon;
use crate::i18n::t;
use crate::state::{can, g};
use crate::util::storage;

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
                {Section::SIDEBAR
                    .iter()
                    .map(|section| {
                        view! {
                            {section.heading().map(|h| view! { <div class="nav-heading">{move || t(h)}</div> })}
                            {in_section(*section)
                                .map(|e| {
                                    let (route, key) = (e.route, e.key);
                                    // A plain link: a product scope belongs to the page that set it.
                                    let href = route;
                                    view! {
                                        <Show when=move || can(e.min_role)>
                                            <a
                                                class="nav-item"
                                                class:active=move || e.is_active(&location.pathname.get())
                                                href=href
                                                title=move || t(key)
                                                data-testid=format!("nav-{}", e.id())
                                            >
                                                <Icon name=e.icon/>
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

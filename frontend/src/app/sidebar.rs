//! Left navigation in the seed's order; collapsed to icons on desktop or opened as a drawer on
//! phones by the top bar's menu button (the one control for it).

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::nav::{in_section, Section};
use crate::components::icons::Icon;
use crate::i18n::t;
use crate::state::can;

#[component]
pub fn Sidebar() -> impl IntoView {
    let location = use_location();
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
        </aside>
    }
}

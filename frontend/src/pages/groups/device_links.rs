//! A device's groups as links to their pages, for the device page. Device JSON names the
//! groups; the links need their ids, which `GET /devices/{pk}/{dn}/groups` gives. Until that
//! answers (or if it fails) the names show as plain chips, so the page never shows less.

use leptos::prelude::*;

use super::group_href;
use crate::api::groups;

#[component]
pub fn DeviceGroupLinks(
    #[prop(into)] pk: Signal<String>,
    #[prop(into)] dn: Signal<String>,
    /// The names in the device's JSON: a change (e.g. a live reload) loads the links again.
    #[prop(into)]
    names: Signal<Vec<String>>,
) -> impl IntoView {
    let linked = LocalResource::new(move || {
        let (pk, dn, _) = (pk.get(), dn.get(), names.get());
        async move { groups::of_device(&pk, &dn).await }
    });
    move || {
        match linked.get() {
        Some(Ok(gs)) if gs.is_empty() => "—".into_any(),
        Some(Ok(gs)) => gs
            .into_iter()
            .map(|g| {
                view! {
                    <a class="chip chip-link" href=group_href(g.id) data-testid=format!("device-group-link-{}", g.name)>{g.name.clone()}</a>
                }
            })
            .collect_view()
            .into_any(),
        _ => {
            let ns = names.get();
            if ns.is_empty() {
                "—".into_any()
            } else {
                ns.into_iter().map(|n| view! { <span class="chip">{n}</span> }).collect_view().into_any()
            }
        }
    }
    }
}

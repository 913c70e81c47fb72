//! The tab bar. The selected tab lives in the URL (`?tab=`), so a pasted link or a reload opens
//! the same tab and "back" returns to the one before.
//!
//! ```ignore
//! const TABS: &[Tab] = &[Tab::new("info", "device.tab.info"), Tab::new("logs", "device.tab.logs")];
//!
//! view! {
//!     <Tabs tabs=TABS let:tab>
//!         {match tab {
//!             "logs" => view! { <LogsTab/> }.into_any(),
//!             _ => view! { <InfoTab/> }.into_any(),
//!         }}
//!     </Tabs>
//! }
//! ```
//!
//! - The first tab is the default: no `?tab=`, or one that names no tab, selects it.
//! - Each button has the test id `tab-{name}`, `{name}` being the `?tab=` value.
//! - `clear=&["page"]` drops query keys that belong to one tab's content when switching.
//! - The panel is rebuilt only when the selected tab changes.
//! - Keyboard (WAI-ARIA tabs): Tab reaches the selected tab; ←/→, Home/End select another one.
//!   A click adds a history entry; arrow keys replace it, so "back" is not flooded.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::t;
use crate::pages::{query_param, query_pusher, query_setter};

/// One tab: its `?tab=` value and the i18n key of its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tab {
    pub name: &'static str,
    pub label: &'static str,
}

impl Tab {
    pub const fn new(name: &'static str, label: &'static str) -> Self {
        Tab { name, label }
    }
}

/// The tab `requested` names, else the first one.
pub fn pick(tabs: &'static [Tab], requested: Option<&str>) -> &'static str {
    tabs.iter().find(|t| Some(t.name) == requested).or(tabs.first()).map(|t| t.name).unwrap_or("")
}

/// The tab selected by the URL (reactive), for pages that need it outside [`Tabs`].
pub fn selected_tab(tabs: &'static [Tab]) -> Memo<&'static str> {
    let tab = query_param("tab");
    Memo::new(move |_| pick(tabs, tab().as_deref()))
}

/// Index of the tab a navigation key moves to from `i` (wrapping), or `None` for other keys.
fn key_target(key: &str, i: usize, n: usize) -> Option<usize> {
    if n == 0 {
        return None;
    }
    match key {
        "ArrowRight" => Some((i + 1) % n),
        "ArrowLeft" => Some((i + n - 1) % n),
        "Home" => Some(0),
        "End" => Some(n - 1),
        _ => None,
    }
}

/// The tab bar and the selected tab's panel (`children` gets the selected tab's name).
#[component]
pub fn Tabs<F, IV>(
    tabs: &'static [Tab],
    /// Query keys dropped when switching tabs (state of one tab's content, such as `page`).
    #[prop(optional)]
    clear: &'static [&'static str],
    children: F,
) -> impl IntoView
where
    F: Fn(&'static str) -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let selected = selected_tab(tabs);
    let push = query_pusher();
    let replace = query_setter();
    let select = move |name: &'static str, by_key: bool| {
        if name == selected.get_untracked() {
            return;
        }
        let mut changes = vec![("tab", Some(name.to_string()))];
        changes.extend(clear.iter().map(|k| (*k, None)));
        if by_key {
            replace(&changes)
        } else {
            push(&changes)
        }
    };
    let list = NodeRef::<leptos::html::Div>::new();
    let sel = select.clone();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let i = tabs.iter().position(|t| t.name == selected.get_untracked()).unwrap_or(0);
        let Some(j) = key_target(&ev.key(), i, tabs.len()) else { return };
        ev.prevent_default();
        sel(tabs[j].name, true);
        // Focus follows the selection (the buttons are not re-created, only their attributes).
        let button = list.get_untracked().and_then(|l| l.children().item(j as u32));
        if let Some(b) = button.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = b.focus();
        }
    };
    // Ids for aria-controls / aria-labelledby; distinct per tab set.
    let panel_id = format!("tabpanel-{}", tabs.first().map(|t| t.name).unwrap_or(""));
    let button_id = |name: &str| format!("tabbtn-{name}");
    view! {
        <div class="tabs" role="tablist" node_ref=list on:keydown=on_key>
            {tabs
                .iter()
                .map(|tab| {
                    let (name, label) = (tab.name, tab.label);
                    let is_sel = move || selected.get() == name;
                    let select = select.clone();
                    view! {
                        <button
                            type="button"
                            class="tab"
                            class:active=is_sel
                            role="tab"
                            id=button_id(name)
                            aria-selected=move || if is_sel() { "true" } else { "false" }
                            aria-controls=panel_id.clone()
                            tabindex=move || if is_sel() { "0" } else { "-1" }
                            data-testid=format!("tab-{name}")
                            on:click=move |_| select(name, false)
                        >
                            {move || t(label)}
                        </button>
                    }
                })
                .collect_view()}
        </div>
        <div role="tabpanel" id=panel_id.clone() aria-labelledby=move || button_id(selected.get())>
            {move || children(selected.get())}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABS: &[Tab] =
        &[Tab::new("info", "device.tab.info"), Tab::new("tsl", "device.tab.tsl"), Tab::new("logs", "device.tab.logs")];

    #[test]
    fn the_url_picks_a_known_tab_and_anything_else_the_first() {
        assert_eq!(pick(TABS, Some("tsl")), "tsl");
        assert_eq!(pick(TABS, None), "info");
        assert_eq!(pick(TABS, Some("nope")), "info");
        assert_eq!(pick(TABS, Some("")), "info");
        assert_eq!(pick(&[], Some("info")), "");
    }

    #[test]
    fn arrow_keys_wrap_and_home_end_jump() {
        assert_eq!(key_target("ArrowRight", 0, 3), Some(1));
        assert_eq!(key_target("ArrowRight", 2, 3), Some(0));
        assert_eq!(key_target("ArrowLeft", 0, 3), Some(2));
        assert_eq!(key_target("Home", 2, 3), Some(0));
        assert_eq!(key_target("End", 0, 3), Some(2));
        assert_eq!(key_target("Enter", 0, 3), None);
        assert_eq!(key_target("ArrowRight", 0, 0), None);
    }
}

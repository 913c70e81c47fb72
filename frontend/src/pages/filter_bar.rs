//! The filter bar shared by the registry's tables (devices, a group's devices, groups): a search
//! box, a device-status select and the pager, each bound to the URL's query so a pasted link
//! opens the same view (UI.md) and "back" is not flooded by typing.

use leptos::prelude::*;
use model::registry::DeviceStatus;

use crate::components::status::status_key;
use crate::i18n::t;

/// The search box's text, written to `?q=` (and back to page 1) once typing pauses for 300 ms:
/// a request per keystroke would make a 100k-device registry stutter.
pub fn search_box(
    initial: Option<String>,
    set_query: impl Fn(&[(&str, Option<String>)]) + Clone + 'static,
) -> RwSignal<String> {
    let search = RwSignal::new(initial.unwrap_or_default());
    let typed = StoredValue::new(0u32);
    Effect::new(move |prev: Option<()>| {
        let s = search.get();
        if prev.is_none() {
            return;
        }
        typed.update_value(|n| *n += 1);
        let mine = typed.get_value();
        let sq = set_query.clone();
        set_timeout(
            move || {
                if typed.get_value() == mine {
                    sq(&[("q", Some(s.trim().to_string())), ("page", None)]);
                }
            },
            std::time::Duration::from_millis(300),
        );
    });
    search
}

/// The status select's value, written to `?status=` (back to page 1) as soon as it changes.
pub fn status_select(
    initial: Option<String>,
    set_query: impl Fn(&[(&str, Option<String>)]) + 'static,
) -> RwSignal<String> {
    let sel = RwSignal::new(initial.unwrap_or_default());
    Effect::new(move |prev: Option<()>| {
        let s = sel.get();
        if prev.is_some() {
            set_query(&[("status", Some(s)), ("page", None)]);
        }
    });
    sel
}

/// "All statuses" and the four device states, translated.
pub fn status_options() -> Signal<Vec<(String, String)>> {
    Signal::derive(move || {
        let mut v = vec![(String::new(), t("device.all_statuses").to_string())];
        for s in [DeviceStatus::Online, DeviceStatus::Offline, DeviceStatus::Inactive, DeviceStatus::Disabled] {
            v.push((s.as_str().to_string(), t(status_key(s)).to_string()));
        }
        v
    })
}

/// The pager's choice, written to `?page=` / `?page_size=` (defaults left out of the URL).
pub fn pager(set_query: impl Fn(&[(&str, Option<String>)]) + Send + Sync + 'static) -> Callback<(u32, u32)> {
    Callback::new(move |(p, s): (u32, u32)| {
        set_query(&[
            ("page", Some(p.to_string()).filter(|p| p != "1")),
            ("page_size", Some(s.to_string()).filter(|s| s != "20")),
        ])
    })
}

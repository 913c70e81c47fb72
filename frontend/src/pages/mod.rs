//! One folder per feature, named like the sidebar entries.

pub mod audit;
// Online debugging (issue 12 §3).
pub mod debug;
pub mod devices;
pub mod filter_bar;
pub mod groups;
pub mod log_feed;
pub mod login;
pub mod logs;
pub mod overview;
pub mod placeholder;
pub mod products;
pub mod settings;
// Device simulation (issue 13).
pub mod simulate;
pub mod users;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::NavigateOptions;

/// Read one query parameter (reactive).
pub fn query_param(name: &'static str) -> impl Fn() -> Option<String> + Copy + Send + Sync {
    let q = use_query_map();
    move || q.with(|q| q.get(name)).filter(|v| !v.is_empty())
}

/// A function that rewrites some query parameters of the current URL (others are kept) and
/// navigates there, replacing the history entry so filter typing does not flood "back".
pub fn query_setter() -> impl Fn(&[(&str, Option<String>)]) + Clone {
    query_nav(true)
}

/// Like [`query_setter`] but adds a history entry (tabs, pages: "back" returns to them).
pub fn query_pusher() -> impl Fn(&[(&str, Option<String>)]) + Clone {
    query_nav(false)
}

fn query_nav(replace: bool) -> impl Fn(&[(&str, Option<String>)]) + Clone {
    let navigate = leptos_router::hooks::use_navigate();
    let location = leptos_router::hooks::use_location();
    move |changes: &[(&str, Option<String>)]| {
        let mut q = location.query.get_untracked();
        for (k, v) in changes {
            match v {
                Some(v) if !v.is_empty() => q.replace(k.to_string(), v.clone()),
                _ => {
                    q.remove(k);
                }
            }
        }
        let path = location.pathname.get_untracked();
        navigate(
            &format!("{path}{}", q.to_query_string()),
            NavigateOptions { replace, scroll: false, ..Default::default() },
        );
    }
}

// history (issue 14)
pub mod monitoring;

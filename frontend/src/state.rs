//! App-wide signals, created once under the root owner and reachable from anywhere (pages, the
//! REST client, the WebSocket task) through [`g`]. All fields are `Copy` signal handles.

use std::cell::Cell;

use leptos::prelude::*;
use model::auth::{Me, Role};

use crate::api::health::RestHealth;
use crate::i18n::Lang;
use crate::util::storage;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// State of the live (WebSocket) connection, shown as a small indicator in the top bar.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LiveState {
    Idle,
    Connecting,
    Live,
    Reconnecting,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ToastKind {
    Error,
    Ok,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Toast {
    pub id: u32,
    pub kind: ToastKind,
    pub text: String,
    /// How many times this message came while it was shown (shown as "×N" from 2).
    pub count: u32,
}

/// Toasts on screen at once: they cover the page's bottom right, where the log panes live.
const MAX_TOASTS: usize = 3;

/// Adds `t` to the stack: the same message again replaces the one on screen (new id, so the
/// older timer no longer removes it; count + 1) instead of stacking a copy; beyond
/// [`MAX_TOASTS`] the oldest goes.
fn add_toast(list: &mut Vec<Toast>, mut t: Toast) {
    if let Some(i) = list.iter().position(|x| x.kind == t.kind && x.text == t.text) {
        t.count = list.remove(i).count + 1;
    }
    list.push(t);
    if list.len() > MAX_TOASTS {
        list.drain(..list.len() - MAX_TOASTS);
    }
}

#[derive(Clone, Copy)]
pub struct Globals {
    /// The logged-in user; `None` before the first `/auth/me` answer and after a 401.
    pub me: RwSignal<Option<Me>>,
    /// Whether `/auth/me` has answered once (the guard waits for it before redirecting).
    pub auth_checked: RwSignal<bool>,
    pub toasts: RwSignal<Vec<Toast>>,
    pub lang: RwSignal<Lang>,
    pub theme: RwSignal<Theme>,
    pub live: RwSignal<LiveState>,
    /// Failed WebSocket connects in a row (0 while connected): amber turns red after a few.
    pub ws_failures: RwSignal<u32>,
    /// When the WebSocket tries again (epoch ms), while it is down: the "retrying in 4 s" text.
    pub ws_retry_at: RwSignal<Option<f64>>,
    /// Whether the last REST request got an answer, and when data was last fresh.
    pub rest: RwSignal<RestHealth>,
    /// The browser reports no network (`offline` event until `online`).
    pub browser_offline: RwSignal<bool>,
    /// Bumped when the WebSocket is back after a drop: every visible load reloads (re-sync of
    /// what the live stream may have missed meanwhile).
    pub resync: RwSignal<u32>,
    /// Sidebar collapsed (desktop) — remembered.
    pub sidebar_collapsed: RwSignal<bool>,
    /// Sidebar open as a drawer (phone width).
    pub drawer_open: RwSignal<bool>,
    /// Bumped after a product is created or deleted so lists and the selector reload.
    pub products_rev: RwSignal<u32>,
}

thread_local! {
    static GLOBALS: Cell<Option<Globals>> = const { Cell::new(None) };
}

/// Create the globals; called once at the top of `App`.
pub fn init() -> Globals {
    let lang = match storage::get("fd.lang").as_deref() {
        Some("zh") => Lang::Zh,
        Some("en") => Lang::En,
        _ => Lang::from_browser(),
    };
    let theme = match storage::get("fd.theme").as_deref() {
        Some("dark") => Theme::Dark,
        Some("light") => Theme::Light,
        _ if crate::util::prefers_dark() => Theme::Dark,
        _ => Theme::Light,
    };
    let g = Globals {
        me: RwSignal::new(None),
        auth_checked: RwSignal::new(false),
        toasts: RwSignal::new(Vec::new()),
        lang: RwSignal::new(lang),
        theme: RwSignal::new(theme),
        live: RwSignal::new(LiveState::Idle),
        ws_failures: RwSignal::new(0),
        ws_retry_at: RwSignal::new(None),
        rest: RwSignal::new(RestHealth::default()),
        browser_offline: RwSignal::new(!window().navigator().on_line()),
        resync: RwSignal::new(0),
        sidebar_collapsed: RwSignal::new(storage::get("fd.sidebar").as_deref() == Some("collapsed")),
        drawer_open: RwSignal::new(false),
        products_rev: RwSignal::new(0),
    };
    // Earlier versions remembered a product for every page; a scope now lives only in the URL.
    storage::remove("fd.product");
    GLOBALS.with(|c| c.set(Some(g)));
    g
}

pub fn g() -> Globals {
    GLOBALS.with(|c| c.get()).expect("state::init runs first in App")
}

/// The current user's role (viewer if unknown, so nothing mutating shows by accident).
pub fn role() -> Role {
    g().me.with(|m| m.as_ref().map(|m| m.role).unwrap_or(Role::Viewer))
}

/// Whether the current user may do what `needed` allows (reactive).
pub fn can(needed: Role) -> bool {
    role().allows(needed)
}

pub fn csrf() -> Option<String> {
    g().me.with_untracked(|m| m.as_ref().map(|m| m.csrf_token.clone()))
}

fn push_toast(kind: ToastKind, text: String) {
    thread_local! { static NEXT: Cell<u32> = const { Cell::new(1) }; }
    let id = NEXT.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    let toasts = g().toasts;
    let ms = if kind == ToastKind::Error { 8000 } else { 4000 };
    toasts.update(|t| add_toast(t, Toast { id, kind, text, count: 1 }));
    set_timeout(move || toasts.update(|t| t.retain(|x| x.id != id)), std::time::Duration::from_millis(ms));
}

pub fn toast_error(text: impl Into<String>) {
    push_toast(ToastKind::Error, text.into());
}

pub fn toast_ok(text: impl Into<String>) {
    push_toast(ToastKind::Ok, text.into());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toast(id: u32, text: &str) -> Toast {
        Toast { id, kind: ToastKind::Ok, text: text.into(), count: 1 }
    }

    #[test]
    fn repeated_messages_count_instead_of_stacking_and_the_stack_stays_short() {
        let mut list = Vec::new();
        for id in 1..=4 {
            add_toast(&mut list, toast(id, "Pushed"));
        }
        assert_eq!(list, vec![Toast { id: 4, kind: ToastKind::Ok, text: "Pushed".into(), count: 4 }]);
        add_toast(&mut list, Toast { kind: ToastKind::Error, ..toast(5, "Pushed") });
        assert_eq!(list.len(), 2, "an error is not the same message as a confirmation");
        for (id, text) in [(6, "a"), (7, "b"), (8, "c")] {
            add_toast(&mut list, toast(id, text));
        }
        let ids: Vec<u32> = list.iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![6, 7, 8], "the oldest go first");
    }
}

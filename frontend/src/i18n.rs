//! The one translation table: every string the UI shows goes through [`t`].
//!
//! Keys are dotted (`nav.products`); each row gives English and Simplified Chinese. A missing
//! key shows the key itself, so a gap is visible on screen rather than silently blank.
//! `{n}`-style placeholders are filled with [`tf`].

use leptos::prelude::*;

use crate::state::g;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
    /// Chinese if the browser's first language is Chinese, else English.
    pub fn from_browser() -> Lang {
        let nav = window().navigator().language().unwrap_or_default();
        if nav.starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// Translate `key` into the current language (reactive: re-runs when the language changes).
pub fn t(key: &'static str) -> &'static str {
    let lang = g().lang.get();
    match TABLE.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, zh)) => match lang {
            Lang::En => en,
            Lang::Zh => zh,
        },
        None => key,
    }
}

/// Translate and fill `{name}` placeholders.
pub fn tf(key: &'static str, args: &[(&str, String)]) -> String {
    let mut s = t(key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// A reactive translated string, for component props that take `Signal<String>`.
pub fn tr(key: &'static str) -> Signal<String> {
    Signal::derive(move || t(key).to_string())
}

#[rustfmt::skip]
static TABLE: &[(&str, &str, &str)] = &[
];

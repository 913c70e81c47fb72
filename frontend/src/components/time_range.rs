//! The history views' range picker: 1 h / 24 h / 7 d back from now, or a custom range.
//!
//! A preset is a span, not fixed times: each load asks for "the last hour" as of then, and
//! live points keep arriving inside it. A custom range is fixed, so live points outside it are
//! not added.

use leptos::prelude::*;

use crate::i18n::t;
use crate::util::{now_ms, parse_local_datetime};

const HOUR: i64 = 3600 * 1000;

/// What the picker has selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeRange {
    Last(i64),
    Custom(i64, i64),
}

impl TimeRange {
    pub const HOUR: TimeRange = TimeRange::Last(HOUR);
    /// `[from, to)` as of `now` (a preset's `to` is just after now, so a value of this
    /// millisecond is in).
    pub fn bounds(self, now: i64) -> (i64, i64) {
        match self {
            TimeRange::Last(span) => (now + 1 - span, now + 1),
            TimeRange::Custom(from, to) => (from, to),
        }
    }
    /// Whether new live points belong in it.
    pub fn is_live(self) -> bool {
        matches!(self, TimeRange::Last(_))
    }
}

const PRESETS: [(&str, &str, i64); 3] = [
    ("1h", "history.range_1h", HOUR),
    ("24h", "history.range_24h", 24 * HOUR),
    ("7d", "history.range_7d", 7 * 24 * HOUR),
];

/// The picker; `testid` prefixes its buttons (`{testid}-1h`, `{testid}-custom`, …).
#[component]
pub fn TimeRangePicker(range: RwSignal<TimeRange>, testid: &'static str) -> impl IntoView {
    let custom_open = RwSignal::new(false);
    let from_in = RwSignal::new(String::new());
    let to_in = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let from = parse_local_datetime(&from_in.get_untracked());
        let to = parse_local_datetime(&to_in.get_untracked()).or(Some(now_ms()));
        match (from, to) {
            (Some(f), Some(t)) if f < t && t - f <= 31 * 24 * HOUR => {
                error.set(None);
                range.set(TimeRange::Custom(f, t));
            }
            (Some(f), Some(t)) if f < t => error.set(Some("history.range_too_long")),
            _ => error.set(Some("history.range_invalid")),
        }
    };
    view! {
        <div class="range-picker">
            <div class="seg" role="group">
                {PRESETS
                    .iter()
                    .map(|&(name, label, span)| {
                        view! {
                            <button type="button" class="btn btn-small"
                                class:active=move || !custom_open.get() && range.get() == TimeRange::Last(span)
                                data-testid=format!("{testid}-{name}")
                                on:click=move |_| { custom_open.set(false); range.set(TimeRange::Last(span)) }>
                                {move || t(label)}
                            </button>
                        }
                    })
                    .collect_view()}
                <button type="button" class="btn btn-small" class:active=move || custom_open.get()
                    data-testid=format!("{testid}-custom") on:click=move |_| custom_open.update(|o| *o = !*o)>
                    {move || t("history.range_custom")}
                </button>
            </div>
            <Show when=move || custom_open.get()>
                <form class="range-custom" on:submit=apply>
                    <input class="input" type="datetime-local" aria-label=move || t("history.from")
                        data-testid=format!("{testid}-from") bind:value=from_in/>
                    <span class="muted">"–"</span>
                    <input class="input" type="datetime-local" aria-label=move || t("history.to")
                        data-testid=format!("{testid}-to") bind:value=to_in/>
                    <button class="btn btn-small btn-primary" type="submit" data-testid=format!("{testid}-apply")>
                        {move || t("common.apply")}
                    </button>
                    {move || error.get().map(|k| view! { <span class="field-error" data-testid=format!("{testid}-error")>{t(k)}</span> })}
                </form>
            </Show>
        </div>
    }
}

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

/// The longest custom range, by default (property history keeps a month).
const DEFAULT_MAX_DAYS: i64 = 31;

/// Why a custom range is refused (an i18n key), if it is.
pub fn check_custom(from: Option<i64>, to: Option<i64>, max_days: i64) -> Result<(i64, i64), &'static str> {
    match (from, to) {
        (Some(f), Some(t)) if f < t && t - f <= max_days * 24 * HOUR => Ok((f, t)),
        (Some(f), Some(t)) if f < t && max_days == 7 => Err("history.range_too_long_7d"),
        (Some(f), Some(t)) if f < t => Err("history.range_too_long"),
        _ => Err("history.range_invalid"),
    }
}

/// The picker; `testid` prefixes its buttons (`{testid}-1h`, `{testid}-custom`, …). A custom
/// range may span at most `max_days` (31 unless told: the monitoring series keep 7).
#[component]
pub fn TimeRangePicker(
    range: RwSignal<TimeRange>,
    testid: &'static str,
    #[prop(optional)] max_days: Option<i64>,
) -> impl IntoView {
    let max_days = max_days.unwrap_or(DEFAULT_MAX_DAYS);
    let custom_open = RwSignal::new(false);
    let from_in = RwSignal::new(String::new());
    let to_in = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let from = parse_local_datetime(&from_in.get_untracked());
        let to = parse_local_datetime(&to_in.get_untracked()).or(Some(now_ms()));
        match check_custom(from, to, max_days) {
            Ok((f, t)) => {
                error.set(None);
                range.set(TimeRange::Custom(f, t));
            }
            Err(key) => error.set(Some(key)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ranges_are_ordered_and_bounded() {
        let day = 24 * HOUR;
        assert_eq!(check_custom(Some(0), Some(7 * day), 7), Ok((0, 7 * day)));
        assert_eq!(check_custom(Some(0), Some(7 * day + 1), 7), Err("history.range_too_long_7d"));
        assert_eq!(check_custom(Some(0), Some(8 * day), 31), Ok((0, 8 * day)));
        assert_eq!(check_custom(Some(0), Some(32 * day), 31), Err("history.range_too_long"));
        assert_eq!(check_custom(Some(5), Some(5), 7), Err("history.range_invalid"));
        assert_eq!(check_custom(None, Some(5), 7), Err("history.range_invalid"));
    }
}

//! Device page, TSL data tab, "View data" (seed): one property's history as a chart — numbers
//! as a line, enums and bools as steps — and a table, over 1 h / 24 h / 7 d / a custom range.
//!
//! The server downsamples a long range to ≤ 2,000 points (each bucket's first, min, max, last),
//! so the chart keeps spikes; new posts arriving over the WebSocket (the page's one device
//! subscription, through `props`) are appended while a preset range is shown.

use charming::Chart;
use leptos::prelude::*;
use model::device::value::show;
use model::history::{as_number, HistoryPoint, PropertyHistory};
use model::registry::PropertyValue;
use model::tsl::DataType;

use crate::api::history;
use crate::components::chart::EChart;
use crate::components::series_chart::{time_chart, TPoint, TSeries, TimeChart};
use crate::components::table::{label, CardTable};
use crate::components::table_state::TableState;
use crate::components::time_range::{TimeRange, TimeRangePicker};
use crate::i18n::{t, tf};
use crate::state::{g, Theme};
use crate::util::{fmt_time, now_ms};

/// Rows the table shows (newest first); the chart has them all.
const TABLE_ROWS: usize = 200;

/// Enums and bools change in steps: a line between two states would invent values between them.
fn is_stepped(dt: Option<&DataType>) -> bool {
    matches!(dt, Some(DataType::Bool(_) | DataType::Enum(_)))
}

/// The live value joins the shown points when it is newer than the last one and in the range.
pub fn append_live(points: &mut Vec<HistoryPoint>, v: &PropertyValue, range: (i64, i64)) -> bool {
    let newer = points.last().is_none_or(|p| v.time > p.time);
    if newer && v.time >= range.0 {
        points.push(HistoryPoint { time: v.time, value: v.value.clone() });
        true
    } else {
        false
    }
}

#[component]
pub fn PropertyHistoryPanel(
    pk: String,
    dn: String,
    identifier: String,
    #[prop(into)] name: Signal<String>,
    #[prop(into)] data_type: Signal<Option<DataType>>,
    props: RwSignal<Vec<PropertyValue>>,
    on_close: Callback<()>,
) -> impl IntoView {
    let range = RwSignal::new(TimeRange::HOUR);
    let ids = StoredValue::new((pk, dn, identifier.clone()));
    let shown_range = RwSignal::new((0i64, 0i64));
    let load = LocalResource::new(move || {
        let r = range.get();
        let (pk, dn, id) = ids.get_value();
        async move {
            let (from, to) = r.bounds(now_ms());
            history::property(&pk, &dn, &id, from, to).await
        }
    });
    // The points on screen: the answer, then live posts appended.
    let points = RwSignal::new(Vec::<HistoryPoint>::new());
    let meta = RwSignal::new(None::<(u64, bool)>);
    Effect::new(move |_| {
        if let Some(Ok(h)) = load.get() {
            let PropertyHistory { points: p, total, downsampled, from, to, .. } = h;
            shown_range.set((from, to));
            meta.set(Some((total, downsampled)));
            points.set(p);
        }
    });
    let id_live = identifier.clone();
    Effect::new(move |_| {
        let latest = props.with(|ps| ps.iter().find(|p| p.identifier == id_live).cloned());
        if let (Some(v), true) = (latest, range.get_untracked().is_live()) {
            let r = shown_range.get_untracked();
            let mut added = false;
            points.update(|ps| added = append_live(ps, &v, r));
            if added {
                meta.update(|m| {
                    if let Some((total, _)) = m {
                        *total += 1;
                    }
                });
            }
        }
    });
    let title = Signal::derive(move || tf("history.title", &[("name", name.get())]));
    let testid_id = identifier.clone();
    view! {
        <div class="card history-panel" data-testid="property-history" data-identifier=testid_id>
            <div class="card-head history-head">
                <h2>{move || title.get()} " " <span class="mono muted">{identifier.clone()}</span></h2>
                <TimeRangePicker range testid="history-range"/>
                <button class="btn-icon" data-testid="property-history-close" title=move || t("common.close")
                    on:click=move |_| on_close.run(())>"×"</button>
            </div>
            <TableState res=load empty=Signal::derive(move || points.with(Vec::is_empty))
                empty_title="history.empty" empty_hint="history.empty_hint" let:_h>
                <EChart id="property-history-chart" height=280 make=move || chart(&points.get(), shown_range.get(), data_type.get().as_ref(), name.get())/>
                <p class="muted small" data-testid="property-history-count">
                    {move || meta.get().map(|(total, down)| {
                        let n = points.with(Vec::len);
                        if down {
                            tf("history.count_downsampled", &[("n", n.to_string()), ("total", total.to_string())])
                        } else {
                            tf("history.count", &[("n", total.to_string())])
                        }
                    })}
                </p>
                <CardTable testid="property-history-table" compact=true>
                    <thead><tr><th>{move || t("history.time")}</th><th>{move || t("history.value")}</th></tr></thead>
                    <tbody>
                        {move || {
                            let dt = data_type.get();
                            points.with(|ps| {
                                ps.iter()
                                    .rev()
                                    .take(TABLE_ROWS)
                                    .map(|p| {
                                        let v = show(&p.value, dt.as_ref());
                                        let time = p.time;
                                        view! {
                                            <tr data-testid="property-history-row">
                                                <td class="cell-key num" data-label=label("history.time")>{move || fmt_time(time)}</td>
                                                <td class="mono" data-label=label("history.value")>
                                                    {v.with_unit()}
                                                    {v.code.map(|c| view! { " " <span class="prop-code mono">{c}</span> })}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()
                            })
                        }}
                    </tbody>
                </CardTable>
                <Show when=move || points.with(|p| p.len() > TABLE_ROWS)>
                    <p class="muted small">{move || tf("history.table_newest", &[("n", TABLE_ROWS.to_string())])}</p>
                </Show>
            </TableState>
        </div>
    }
}

fn chart(points: &[HistoryPoint], range: (i64, i64), dt: Option<&DataType>, name: String) -> Chart {
    let points = points.iter().filter_map(|p| as_number(&p.value).map(|v| TPoint::new(p.time, v))).collect();
    let unit = match dt {
        Some(DataType::Int(s) | DataType::Float(s) | DataType::Double(s)) => {
            s.unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
        }
        _ => String::new(),
    };
    time_chart(&TimeChart {
        series: vec![TSeries { name, points }],
        range: (range.1 > range.0).then_some(range),
        step: is_stepped(dt),
        dark: g().theme.get() == Theme::Dark,
        unit,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn live_points_join_only_when_newer_and_in_range() {
        let mut ps = vec![HistoryPoint { time: 10, value: json!(1) }];
        let v = |time| PropertyValue { identifier: "x".into(), value: json!(2), time };
        assert!(!append_live(&mut ps, &v(10), (0, 100)), "the same post twice");
        assert!(!append_live(&mut ps, &v(5), (0, 100)), "older");
        assert!(append_live(&mut ps, &v(11), (0, 100)));
        assert_eq!(ps.len(), 2);
        let mut empty = vec![];
        assert!(!append_live(&mut empty, &v(1), (5, 100)), "before the range");
    }
}

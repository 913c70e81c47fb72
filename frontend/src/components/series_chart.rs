//! Time-series line charts, one way for every page: monitoring metrics, a property's history,
//! a device's network status.
//!
//! - Time on x over the asked range (an hour with two points still spans the hour), values on
//!   y; tooltips with exact values, legend toggles when there is more than one series, zoom
//!   by wheel / pinch / drag (dataZoom "inside") and a box-zoom tool with its reset.
//! - A point carrying `min`/`max` (a downsampled bucket) gets a light min–max band around the
//!   line, so a spike inside a week's bucket stays visible; the tooltip lists the range.
//! - A `partial` last point (the minute still counting) is joined by a dashed segment and
//!   marked "so far" in the tooltip: a half-counted minute must not read as a drop.
//! - Axis labels: the grid keeps room for them (`containLabel`) and leaves a margin on the
//!   right for the last time label, which ECharts centres on its tick and so draws past the
//!   plot area — on main the network charts cut it off.

use charming::{
    component::{Axis, DataZoom, DataZoomType, Feature, Grid, Legend, LegendType, Restore, Toolbox, ToolboxDataZoom},
    element::{
        AreaStyle, AxisLabel, AxisPointer, AxisPointerType, AxisType, JsFunction, LineStyle, LineStyleType, SplitLine,
        Step, Symbol, TextStyle, Tooltip, Trigger,
    },
    series::Line,
    Chart,
};

use super::chart::{colors, palette};

/// One point of a time series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TPoint {
    /// Epoch ms.
    pub t: i64,
    pub v: f64,
    /// The lowest and highest raw value the point stands for (downsampled buckets only).
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Still counting (the current minute).
    pub partial: bool,
}

impl TPoint {
    pub fn new(t: i64, v: f64) -> Self {
        TPoint { t, v, min: None, max: None, partial: false }
    }
}

/// One named line.
#[derive(Clone, Debug, PartialEq)]
pub struct TSeries {
    pub name: String,
    pub points: Vec<TPoint>,
}

/// What a chart shows and how.
#[derive(Clone, Debug, Default)]
pub struct TimeChart {
    pub series: Vec<TSeries>,
    /// The x axis spans this range (epoch ms) when given, or up to a later point.
    pub range: Option<(i64, i64)>,
    /// Enums and bools: steps, never a slope between two states.
    pub step: bool,
    /// Index of the first colour in [`palette`].
    pub color: usize,
    /// Dark theme colours.
    pub dark: bool,
    /// Appended to values in the tooltip ("%", " dBm").
    pub unit: String,
    /// The tooltip's words for a partial point and for a band ("so far", "range").
    pub so_far: String,
    pub range_word: String,
    /// Integers on the y axis (counts).
    pub integer: bool,
}

/// Ids of the helper series: the tooltip skips them, tests find the main ones by name.
const TAIL: &str = "tail:";
const BAND_LO: &str = "band-lo:";
const BAND_HI: &str = "band-hi:";

/// `[t, v, min, max, partial]` rows: the tooltip formatter reads the extra columns.
fn row(p: &TPoint) -> Vec<f64> {
    vec![p.t as f64, p.v, p.min.unwrap_or(p.v), p.max.unwrap_or(p.v), if p.partial { 1.0 } else { 0.0 }]
}

/// The points split into the solid line (complete) and the dashed tail (last complete → partial).
pub fn split_partial(points: &[TPoint]) -> (&[TPoint], Option<[TPoint; 2]>) {
    match points.split_last() {
        Some((last, rest)) if last.partial => {
            let tail = rest.last().map(|prev| [*prev, *last]).unwrap_or([*last, *last]);
            (rest, Some(tail))
        }
        _ => (points, None),
    }
}

/// Whether any point stands for more than one value (draw the band).
pub fn has_band(points: &[TPoint]) -> bool {
    points.iter().any(|p| matches!((p.min, p.max), (Some(lo), Some(hi)) if hi > lo))
}

fn js_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The axis tooltip: time, then each visible series with its value, its min–max range when
/// downsampled, and "so far" for the partial minute. Helper series are skipped, and the tail's
/// copy of the last complete point is not listed twice.
fn tooltip_formatter(unit: &str, so_far: &str, range_word: &str) -> JsFunction {
    let body = format!(
        "var unit = {unit}, soFar = {so_far}, rangeWord = {range_word};
         if (!ps || !ps.length) return '';
         var fmt = function (x) {{ return (Math.round(x * 1000) / 1000).toLocaleString(); }};
         var out = [ps[0].axisValueLabel];
         for (var i = 0; i < ps.length; i++) {{
           var p = ps[i], id = p.seriesId || '', v = p.value || p.data;
           if (!v || id.indexOf('band-') === 0) continue;
           if (id.indexOf('tail:') === 0 && !v[4]) continue;
           var line = p.marker + p.seriesName + ': <b>' + fmt(v[1]) + unit + '</b>';
           if (v[3] > v[2]) line += ' (' + rangeWord + ' ' + fmt(v[2]) + '–' + fmt(v[3]) + ')';
           if (v[4]) line += ' · ' + soFar;
           out.push(line);
         }}
         return out.join('<br/>');",
        unit = js_str(unit),
        so_far = js_str(so_far),
        range_word = js_str(range_word),
    );
    JsFunction::new_with_args("ps", &body)
}

/// The chart for `spec`.
pub fn time_chart(spec: &TimeChart) -> Chart {
    let c = colors(spec.dark);
    let pal = palette(spec.dark);
    let many = spec.series.len() > 1;
    let mut x = Axis::new()
        .type_(AxisType::Time)
        .axis_label(AxisLabel::new().color(c.muted))
        .split_line(SplitLine::new().show(false));
    let first = spec.series.iter().filter_map(|s| s.points.first()).map(|p| p.t).min();
    let last = spec.series.iter().filter_map(|s| s.points.last()).map(|p| p.t).max();
    let span = match spec.range {
        Some((from, to)) => {
            // A live point after the answer's end still shows: the axis grows to it.
            let to = to.max(last.unwrap_or(to));
            x = x.min(from).max(to);
            to - from
        }
        None => last.zip(first).map_or(0, |(l, f)| l - f),
    };
    // At most ~5 time labels whatever the chart's width: ECharts does not thin time labels
    // that collide, and on a narrow chart (the network charts, a phone) they ran together.
    if span > 0 {
        x = x.min_interval((span / 5) as f64);
    }
    let mut y = Axis::new()
        .type_(AxisType::Value)
        .scale(!spec.integer)
        .axis_label(AxisLabel::new().color(c.muted))
        .split_line(SplitLine::new().line_style(LineStyle::new().color(c.grid)));
    if spec.integer {
        y = y.min_interval(1.0);
    }
    let mut chart = Chart::new()
        .background_color("transparent")
        .color(spec.series.iter().enumerate().map(|(i, _)| pal[(spec.color + i) % pal.len()]).collect::<Vec<_>>())
        .tooltip(
            Tooltip::new()
                .trigger(Trigger::Axis)
                .axis_pointer(AxisPointer::new().type_(AxisPointerType::Line))
                .background_color(c.tooltip_bg)
                .border_color(c.tooltip_border)
                .formatter(tooltip_formatter(&spec.unit, &spec.so_far, &spec.range_word)),
        )
        // A band above the plot for the legend and the zoom tools (over the plot they hid the
        // newest points, top right), room for the labels below, and for the last time label
        // on the right (see the module doc).
        .grid(Grid::new().left(8).right(28).top(44).bottom(8).contain_label(true))
        .data_zoom(DataZoom::new().type_(DataZoomType::Inside))
        .toolbox(
            Toolbox::new()
                .right(4)
                .top(0)
                .feature(Feature::new().data_zoom(ToolboxDataZoom::new().y_axis_index("none")).restore(Restore::new())),
        )
        .x_axis(x)
        .y_axis(y);
    // Always set, shown or not: updates merge into the chart, so a legend left out of the
    // option would stay from an earlier one (after "all protocols" back to MQTT).
    chart = chart.legend(
        Legend::new()
            .show(many)
            .type_(LegendType::Scroll)
            .top(0)
            .left(0)
            .right(72)
            .text_style(TextStyle::new().color(c.text)),
    );
    for (i, s) in spec.series.iter().enumerate() {
        let color = pal[(spec.color + i) % pal.len()];
        let (solid, tail) = split_partial(&s.points);
        let mut data: Vec<Vec<f64>> = solid.iter().map(row).collect();
        if data.is_empty() {
            // charming leaves an empty `data` out, and a merged update would then keep the old
            // points: one blank (NaN, drawn as nothing) replaces them instead.
            data.push(vec![f64::NAN; 5]);
        }
        let mut line = Line::new().id(format!("main:{i}")).name(s.name.clone()).show_symbol(data.len() < 60).data(data);
        if spec.step {
            line = line.step(Step::End);
        }
        chart = chart.series(line);
        if let Some(tail) = tail {
            chart = chart.series(
                Line::new()
                    .id(format!("{TAIL}{i}"))
                    .name(s.name.clone())
                    .line_style(LineStyle::new().type_(LineStyleType::Dashed).color(color))
                    .symbol(Symbol::Circle)
                    .symbol_size(7)
                    .data(tail.iter().map(row).collect::<Vec<_>>()),
            );
        }
        if has_band(&s.points) {
            // Stacked by index: the upper series adds (max − min) on top of the lower one and
            // fills down to it. Counts are never negative, so stacking never flips sign.
            let stack = format!("band{i}");
            let lo: Vec<Vec<f64>> = s.points.iter().map(|p| vec![p.t as f64, p.min.unwrap_or(p.v)]).collect();
            let hi: Vec<Vec<f64>> =
                s.points.iter().map(|p| vec![p.t as f64, p.max.unwrap_or(p.v) - p.min.unwrap_or(p.v)]).collect();
            let edge = LineStyle::new().opacity(0);
            chart = chart
                .series(
                    Line::new()
                        .id(format!("{BAND_LO}{i}"))
                        .name(s.name.clone())
                        .stack(stack.clone())
                        .symbol(Symbol::None)
                        .line_style(edge.clone())
                        .silent(true)
                        .data(lo),
                )
                .series(
                    Line::new()
                        .id(format!("{BAND_HI}{i}"))
                        .name(s.name.clone())
                        .stack(stack)
                        .symbol(Symbol::None)
                        .line_style(edge)
                        .area_style(AreaStyle::new().color(color).opacity(0.18))
                        .silent(true)
                        .data(hi),
                );
        }
    }
    chart
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: i64, v: f64) -> TPoint {
        TPoint::new(t, v)
    }

    #[test]
    fn a_partial_last_point_becomes_a_dashed_tail_from_the_last_complete_one() {
        let mut pts = vec![p(0, 5.0), p(60, 7.0), p(120, 1.0)];
        assert_eq!(split_partial(&pts).0.len(), 3);
        assert!(split_partial(&pts).1.is_none());
        pts[2].partial = true;
        let (solid, tail) = split_partial(&pts);
        assert_eq!(solid.len(), 2);
        assert_eq!(tail.unwrap().map(|p| p.t), [60, 120]);
        let only = [TPoint { partial: true, ..p(0, 3.0) }];
        assert_eq!(split_partial(&only).1.unwrap().map(|p| p.t), [0, 0]);
    }

    #[test]
    fn a_series_with_only_a_partial_point_still_replaces_its_old_line() {
        let spec = TimeChart {
            series: vec![TSeries { name: "up".into(), points: vec![TPoint { partial: true, ..p(0, 1.0) }] }],
            ..Default::default()
        };
        let json = serde_json::to_value(time_chart(&spec)).unwrap();
        assert_eq!(json["series"][0]["data"], serde_json::json!([[null, null, null, null, null]]));
    }

    #[test]
    fn bands_only_where_a_point_spans_values() {
        assert!(!has_band(&[p(0, 1.0)]));
        assert!(!has_band(&[TPoint { min: Some(2.0), max: Some(2.0), ..p(0, 2.0) }]));
        assert!(has_band(&[TPoint { min: Some(1.0), max: Some(4.0), ..p(0, 2.0) }]));
    }

    #[test]
    fn the_chart_carries_tail_band_and_range() {
        let pts =
            vec![TPoint { min: Some(1.0), max: Some(9.0), ..p(0, 4.0) }, TPoint { partial: true, ..p(60_000, 2.0) }];
        let spec = TimeChart {
            series: vec![TSeries { name: "up".into(), points: pts }],
            range: Some((0, 120_000)),
            ..Default::default()
        };
        let json = serde_json::to_value(time_chart(&spec)).unwrap();
        let ids: Vec<&str> = json["series"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["main:0", "tail:0", "band-lo:0", "band-hi:0"]);
        assert_eq!(json["series"][1]["lineStyle"]["type"], "dashed");
        assert_eq!(json["xAxis"]["max"], 120_000);
        assert_eq!(json["legend"]["show"], false, "one series: no legend");
        assert_eq!(json["xAxis"]["minInterval"], 24_000.0, "at most ~5 labels");
        let late = TimeChart { range: Some((0, 30_000)), ..spec };
        assert_eq!(serde_json::to_value(time_chart(&late)).unwrap()["xAxis"]["max"], 60_000, "grows to a live point");
    }
}

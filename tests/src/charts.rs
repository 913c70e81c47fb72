//! Reading the Monitoring page's ECharts state from the DOM: the figures an operator sees, not
//! what the server sent (shared by `e2e_monitoring` and `e2e_demo`).

use serde_json::json;

use crate::browser::Browser;

/// One line of a chart: its name, the total of its values (the partial minute's value counts
/// too), its number of points and whether the last one is the partial (dashed) minute.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub name: String,
    pub total: f64,
    pub points: usize,
    pub partial: bool,
    /// The partial minute's value (0 when there is none).
    pub partial_value: f64,
    /// The newest point's value, partial or not (0 without points).
    pub last: f64,
}

/// The lines of the chart of `metric` (`chart-m-<metric>`), `None` until it is drawn.
pub async fn chart_series(b: &Browser, metric: &str) -> Option<Vec<Line>> {
    let js = r#"
        const el = document.querySelector('[data-testid="chart-m-' + arguments[0] + '"]');
        if (!el || !window.echarts) return null;
        const ec = echarts.getInstanceByDom(el);
        if (!ec) return null;
        const series = ec.getOption().series || [];
        return series.filter(s => (s.id || '').startsWith('main:')).map(s => {
            const i = s.id.slice(5);
            const tail = series.find(t => t.id === 'tail:' + i);
            // A series with no points has no `data` at all (charming leaves empty lists out).
            const data = s.data || [], tdata = (tail && tail.data) || [];
            const last = tdata.length ? tdata[tdata.length - 1] : null;
            const partial = !!(last && last[4]);
            const pv = partial ? last[1] : 0;
            const total = data.reduce((a, p) => a + p[1], 0) + pv;
            const newest = partial ? pv : (data.length ? data[data.length - 1][1] : 0);
            return [s.name, total, data.length + (partial ? 1 : 0), partial, pv, newest];
        });
    "#;
    let v = b.c.execute(js, vec![json!(metric)]).await.ok()?;
    let rows = v.as_array()?;
    Some(
        rows.iter()
            .map(|r| Line {
                name: r[0].as_str().unwrap_or("").to_string(),
                total: r[1].as_f64().unwrap_or(0.0),
                points: r[2].as_u64().unwrap_or(0) as usize,
                partial: r[3].as_bool().unwrap_or(false),
                partial_value: r[4].as_f64().unwrap_or(0.0),
                last: r[5].as_f64().unwrap_or(0.0),
            })
            .collect(),
    )
}

/// The total of a single-series chart (MQTT only).
pub async fn chart_total(b: &Browser, metric: &str) -> Option<f64> {
    chart_series(b, metric).await?.first().map(|s| s.total)
}

/// The chart's x axis span in ms.
pub async fn x_span(b: &Browser, metric: &str) -> Option<i64> {
    let js = r#"
        const el = document.querySelector('[data-testid="chart-m-' + arguments[0] + '"]');
        const ec = el && window.echarts && echarts.getInstanceByDom(el);
        if (!ec) return null;
        const x = ec.getOption().xAxis[0];
        return x.max - x.min;
    "#;
    b.c.execute(js, vec![json!(metric)]).await.ok()?.as_i64()
}

/// A KPI tile's figure (`tile-<id>-value`).
pub async fn tile(b: &Browser, id: &str) -> String {
    b.find(&format!("tile-{id}-value")).await.text().await.unwrap_or_default()
}

/// Whether the page scrolls sideways (it must not, at any width).
pub async fn scrolls_sideways(b: &Browser) -> bool {
    let js = "return document.documentElement.scrollWidth > document.documentElement.clientWidth";
    b.c.execute(js, vec![]).await.ok().and_then(|v| v.as_bool()).unwrap_or(true)
}

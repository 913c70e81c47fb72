//! Overview: KPI tiles (products, devices, online, offline) and two charts — the status
//! breakdown and devices per product — all from one stats answer (`GET /monitoring/stats`).
//! Status changes pushed over the WebSocket trigger a (debounced) recount. With `?product=`
//! every tile and chart counts that product only (the banner says so); without it, all of them
//! count everything.

use charming::{
    component::{Axis, Grid, Legend},
    element::{AxisLabel, AxisType, ItemStyle, LineStyle, SplitLine, TextStyle, Tooltip, Trigger},
    series::{Bar, Pie},
    Chart,
};
use leptos::prelude::*;
use model::monitor::{ProductCount, Stats};
use model::registry::DeviceStatus;
use model::ws::Stream;

use crate::api::{monitor, ws};
use crate::components::chart::{colors, EChart};
use crate::components::scope::{product_label, ScopeBanner};
use crate::components::states::{auto_retry, Empty, LoadError};
use crate::components::status::{status_key, LiveIndicator};
use crate::i18n::{t, tf, tr};
use crate::pages::query_param;
use crate::state::{g, Theme};
use crate::util::enc;

const STATUSES: [DeviceStatus; 4] =
    [DeviceStatus::Online, DeviceStatus::Offline, DeviceStatus::Inactive, DeviceStatus::Disabled];

fn status_color(s: DeviceStatus, dark: bool) -> &'static str {
    match (s, dark) {
        (DeviceStatus::Online, false) => "#16a34a",
        (DeviceStatus::Online, true) => "#3fb950",
        (DeviceStatus::Offline, false) => "#98a2b3",
        (DeviceStatus::Offline, true) => "#6e7681",
        (DeviceStatus::Inactive, false) => "#d0d5dd",
        (DeviceStatus::Inactive, true) => "#3a414d",
        (DeviceStatus::Disabled, false) => "#d97706",
        (DeviceStatus::Disabled, true) => "#e3a23b",
    }
}

/// Devices per status, in the chart's order.
fn per_status(s: &Stats) -> Vec<(DeviceStatus, u64)> {
    STATUSES
        .iter()
        .map(|st| {
            let n = match st {
                DeviceStatus::Online => s.online,
                DeviceStatus::Offline => s.offline,
                DeviceStatus::Inactive => s.inactive,
                DeviceStatus::Disabled => s.disabled,
            };
            (*st, n)
        })
        .collect()
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let product = query_param("product");
    let bump = RwSignal::new(0u32);
    let res = LocalResource::new(move || {
        let p = product();
        let _ = bump.get();
        monitor::stats(p)
    });
    // A burst of status changes (a fleet reconnecting) causes one recount, not hundreds.
    let pending = StoredValue::new(false);
    let sub = ws::subscribe(Stream::Status, move |_| {
        if !pending.get_value() {
            pending.set_value(true);
            set_timeout(
                move || {
                    pending.set_value(false);
                    bump.update(|n| *n += 1);
                },
                std::time::Duration::from_secs(2),
            );
        }
    });
    on_cleanup(move || ws::unsubscribe(sub));
    // Back after a network blip: retry a failed count on the backoff, and recount once the live
    // stream is back (status changes during the outage were not received).
    let failed = Signal::derive(move || res.with(|r| r.as_ref().and_then(|r| r.as_ref().err().cloned())));
    let retry = Callback::new(move |_| res.refetch());
    let retry_in = auto_retry(failed, retry);
    let resync = g().resync;
    Effect::new(move |prev: Option<u32>| {
        let n = resync.get();
        if prev.is_some_and(|p| p != n) {
            res.refetch();
        }
        n
    });

    let stats = move || res.get().and_then(|r| r.ok());
    let count_of = move |st: DeviceStatus| {
        stats().and_then(|s| per_status(&s).into_iter().find(|(x, _)| *x == st).map(|(_, n)| n))
    };
    let total = move || stats().map(|s| s.devices);
    // Every tile counts in the same scope: with `?product=` the products tile is that product.
    let n_products = move || stats().map(|s| s.products);
    let products_href = move || match product() {
        Some(pk) => format!("/products/{}", enc(&pk)),
        None => "/products".to_string(),
    };
    // Explicit states: "…" only while the first answer is on its way, "—" when it failed (the
    // error card above says why and retries), else the number.
    let fmt = move |v: Option<u64>| match v {
        Some(n) => n.to_string(),
        None if failed.get().is_some() => "—".into(),
        None => "…".into(),
    };
    let dev_href = move |status: Option<&str>| {
        let mut h = String::from("/devices?");
        if let Some(p) = product() {
            h.push_str(&format!("product={}&", enc(&p)));
        }
        if let Some(s) = status {
            h.push_str(&format!("status={s}"));
        }
        h.trim_end_matches(['&', '?']).to_string()
    };

    view! {
        <div class="page">
            <div class="page-head">
                <h1>{move || t("nav.overview")}</h1>
                <LiveIndicator/>
            </div>
            <ScopeBanner/>
            {move || failed.get().map(|f| view! { <div class="card"><LoadError fail=f retry retry_in/></div> })}
            <div class="kpis">
                <a class="kpi" href=products_href data-testid="kpi-products">
                    <div class="kpi-label">{move || t("overview.products")}</div>
                    <div class="kpi-value">{move || fmt(n_products())}</div>
                </a>
                <a class="kpi" href=move || dev_href(None) data-testid="kpi-devices">
                    <div class="kpi-label">{move || t("overview.devices")}</div>
                    <div class="kpi-value">{move || fmt(total())}</div>
                </a>
                <a class="kpi" href=move || dev_href(Some("online")) data-testid="kpi-online">
                    <div class="kpi-label"><span class="dot dot-online"></span>{move || t("status.online")}</div>
                    <div class="kpi-value">{move || fmt(count_of(DeviceStatus::Online))}</div>
                </a>
                <a class="kpi" href=move || dev_href(Some("offline")) data-testid="kpi-offline">
                    <div class="kpi-label"><span class="dot dot-offline"></span>{move || t("status.offline")}</div>
                    <div class="kpi-value">{move || fmt(count_of(DeviceStatus::Offline))}</div>
                </a>
            </div>
            <Show
                when=move || total() != Some(0)
                fallback=move || view! {
                    <div class="card">
                        <Empty title=tr("overview.empty") hint=Signal::derive(move || Some(match product() {
                            Some(pk) => tf("overview.empty_scoped", &[("product", product_label(&pk))]),
                            None => t("overview.empty_hint").to_string(),
                        }))>
                            <a class="btn btn-primary" href="/products" data-testid="overview-go-products">{move || t("nav.products")}</a>
                        </Empty>
                    </div>
                }
            >
                <div class="overview-grid">
                    <div class="card">
                        <div class="card-head"><h2>{move || t("overview.status_chart")}</h2></div>
                        <EChart id="status-chart" make=move || status_chart(stats().map(|s| per_status(&s)).unwrap_or_default())/>
                    </div>
                    <div class="card">
                        <div class="card-head"><h2>{move || t("overview.per_product_chart")}</h2></div>
                        <EChart id="product-chart" make=move || product_chart(stats().map(|s| s.per_product).unwrap_or_default())/>
                    </div>
                </div>
            </Show>
        </div>
    }
}

fn status_chart(per: Vec<(DeviceStatus, u64)>) -> Chart {
    let dark = g().theme.get() == Theme::Dark;
    let c = colors(dark);
    let data: Vec<(f64, String)> = per.iter().map(|(s, n)| (*n as f64, t(status_key(*s)).to_string())).collect();
    Chart::new()
        .background_color("transparent")
        .color(per.iter().map(|(s, _)| status_color(*s, dark)).collect::<Vec<_>>())
        .tooltip(Tooltip::new().trigger(Trigger::Item).formatter("{b}: {c} ({d}%)"))
        .legend(Legend::new().bottom(0).text_style(TextStyle::new().color(c.text)))
        .series(
            Pie::new()
                .name(t("overview.status_chart"))
                .radius(vec!["45%", "70%"])
                .center(vec!["50%", "45%"])
                .item_style(ItemStyle::new().border_color(if dark { "#161a21" } else { "#ffffff" }).border_width(2))
                .label(charming::element::Label::new().show(false))
                .data(data),
        )
}

fn product_chart(products: Vec<ProductCount>) -> Chart {
    let dark = g().theme.get() == Theme::Dark;
    let c = colors(dark);
    let mut ps = products;
    ps.sort_by_key(|p| std::cmp::Reverse(p.devices));
    ps.truncate(12);
    let names: Vec<String> = ps.iter().map(|p| p.name.clone()).collect();
    let values: Vec<f64> = ps.iter().map(|p| p.devices as f64).collect();
    Chart::new()
        .background_color("transparent")
        .color(vec![if dark { "#7f86f2" } else { "#4f57d6" }])
        .tooltip(Tooltip::new().trigger(Trigger::Axis))
        .grid(Grid::new().left(8).right(16).top(16).bottom(8).contain_label(true))
        .x_axis(
            Axis::new()
                .type_(AxisType::Value)
                .axis_label(AxisLabel::new().color(c.muted))
                .split_line(SplitLine::new().line_style(LineStyle::new().color(c.grid))),
        )
        .y_axis(
            Axis::new().type_(AxisType::Category).inverse(true).data(names).axis_label(AxisLabel::new().color(c.text)),
        )
        .series(Bar::new().name(t("overview.devices")).bar_width(14).data(values))
}

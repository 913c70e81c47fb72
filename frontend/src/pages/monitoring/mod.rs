//! Real-time Monitoring (seed chapter 1, issue 14): `/monitoring?tab=overview|network`.
//!
//! - `overview`: KPI tiles and one chart per metric, live (`overview.rs`, `live.rs`);
//! - `network`: a device's network status (`network.rs`, also the device page's Network tab).
//!
//! The product comes from the top bar's selector (`?product=`); viewers see everything here.

pub mod live;
pub mod network;
pub mod overview;

use leptos::prelude::*;

use crate::components::scope::ScopeBanner;
use crate::components::status::LiveIndicator;
use crate::components::tabs::{Tab, Tabs};
use crate::i18n::t;

const TABS: &[Tab] = &[Tab::new("overview", "monitoring.tab.overview"), Tab::new("network", "monitoring.tab.network")];

#[component]
pub fn MonitoringPage() -> impl IntoView {
    view! {
        <div class="page" data-testid="monitoring-page">
            <div class="page-head">
                <h1>{move || t("nav.monitoring")}</h1>
                <LiveIndicator/>
            </div>
            <ScopeBanner/>
            <Tabs tabs=TABS let:tab>
                {match tab {
                    "network" => view! { <network::NetworkTab/> }.into_any(),
                    _ => view! { <overview::OverviewTab/> }.into_any(),
                }}
            </Tabs>
        </div>
    }
}

//! Device page, Logs tab: the device's cloud run log (newest first), filter by type and trace
//! id in the URL, new entries streamed in live.

use leptos::prelude::*;
use model::registry::Device;
use model::runlog::{BizType, LogQuery};

use crate::components::fields::Select;
use crate::i18n::t;
use crate::pages::log_feed::{log_feed, LogResults};
use crate::pages::{query_param, query_setter};

const BIZ: [BizType; 6] =
    [BizType::Device, BizType::Uplink, BizType::Downlink, BizType::ThingModel, BizType::Ota, BizType::SubDevice];

#[component]
pub fn LogsTab(device: RwSignal<Option<Device>>) -> impl IntoView {
    let (pk, dn) = device
        .with_untracked(|d| d.as_ref().map(|d| (d.product_key.clone(), d.device_name.clone())).unwrap_or_default());
    let biz = query_param("biz");
    let trace = query_param("trace");
    let set_query = query_setter();
    let filter = Memo::new(move |_| LogQuery {
        product_key: Some(pk.clone()),
        device_name: Some(dn.clone()),
        trace_id: trace(),
        biz_type: biz().and_then(|b| BizType::parse(&b)),
        limit: Some(200),
        ..Default::default()
    });
    // Always tailing: the tab shows one device's traffic as it happens.
    let feed = log_feed(filter, Signal::stored(true), 500);
    let res = feed.res;
    let biz_sel = RwSignal::new(biz().unwrap_or_default());
    let trace_in = RwSignal::new(trace().unwrap_or_default());
    let sq = set_query.clone();
    Effect::new(move |prev: Option<()>| {
        let b = biz_sel.get();
        if prev.is_some() {
            sq(&[("biz", Some(b))]);
        }
    });
    let apply_trace = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_query(&[("trace", Some(trace_in.get_untracked().trim().to_string()))]);
    };
    let biz_options = Signal::derive(|| {
        let mut v = vec![(String::new(), t("logs.all_types").to_string())];
        v.extend(BIZ.iter().map(|b| (b.as_str().to_string(), b.as_str().to_string())));
        v
    });
    view! {
        <div class="card">
            <form class="filter-bar" on:submit=apply_trace>
                <Select value=biz_sel testid="logs-filter-biz" options=biz_options/>
                <input class="input mono" data-testid="logs-filter-trace" placeholder=move || t("logs.trace_id") bind:value=trace_in/>
                <button class="btn btn-small" type="submit" data-testid="logs-apply">{move || t("common.apply")}</button>
                <div class="filter-spacer"></div>
                <button class="btn btn-small" type="button" data-testid="logs-refresh" on:click=move |_| res.refetch()>{move || t("common.refresh")}</button>
            </form>
            <LogResults feed empty_hint="logs.empty_hint" show_device=false/>
        </div>
    }
}

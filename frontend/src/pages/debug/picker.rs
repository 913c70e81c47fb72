//! `/debug?product=&q=`: choose the product, then find the device by the beginning of its
//! DeviceName (the list shows who is online); a pick opens `/debug/{pk}/{dn}`.

use leptos::prelude::*;
use model::registry::{Device, DeviceQuery};

use crate::api::registry;
use crate::components::fields::Select;
use crate::components::status::StatusDot;
use crate::i18n::t;
use crate::pages::{query_param, query_setter};
use crate::util::enc;

#[component]
pub fn DebugPicker() -> impl IntoView {
    let products = LocalResource::new(registry::products);
    let product_q = query_param("product");
    let q = query_param("q");
    let set_query = query_setter();
    let pk = RwSignal::new(product_q().unwrap_or_default());
    let search = RwSignal::new(q().unwrap_or_default());
    let options = Signal::derive(move || {
        let list = products.get().and_then(Result::ok).unwrap_or_default();
        list.into_iter().map(|p| (p.product_key.clone(), format!("{} ({})", p.name, p.product_key))).collect::<Vec<_>>()
    });
    // The first product until one is chosen.
    Effect::new(move |_| {
        if pk.get_untracked().is_empty() {
            if let Some((first, _)) = options.get().first() {
                pk.set(first.clone());
            }
        }
    });
    // The choice lives in the URL (a link or "back" returns to it).
    Effect::new(move |_| {
        let (p, s) = (pk.get(), search.get());
        set_query(&[("product", Some(p)), ("q", Some(s.trim().to_string()))]);
    });
    let devices = LocalResource::new(move || {
        let (p, s) = (pk.get(), search.get());
        async move {
            if p.is_empty() {
                return Ok(Vec::new());
            }
            let q = DeviceQuery {
                product_key: Some(p),
                q: Some(s.trim().to_string()).filter(|s| !s.is_empty()),
                page_size: Some(20),
                ..Default::default()
            };
            registry::devices(&q).await.map(|page| page.items)
        }
    });
    view! {
        <div class="page">
            <div class="page-head"><h1>{move || t("nav.debug")}</h1></div>
            <p class="muted">{move || t("dbg.intro")}</p>
            <div class="card dbg-picker">
                <label class="field">
                    <span class="field-label">{move || t("dbg.product")}</span>
                    <Select value=pk testid="dbg-product" options/>
                </label>
                <label class="field">
                    <span class="field-label">{move || t("dbg.search")}</span>
                    <input class="input mono" type="search" data-testid="dbg-search" placeholder=move || t("dbg.search_hint")
                        prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
                </label>
            </div>
            <Transition fallback=|| ()>
                {move || devices.get().map(|r| match r {
                    Ok(list) if list.is_empty() => {
                        let key = if pk.get_untracked().is_empty() { "dbg.pick_product" } else { "dbg.no_devices" };
                        view! { <p class="muted" data-testid="dbg-picker-empty">{move || t(key)}</p> }.into_any()
                    }
                    Ok(list) => view! {
                        <ul class="card dbg-picks" data-testid="dbg-picks">
                            {list.into_iter().map(|d| view! { <Pick d/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(f) => view! { <p class="field-error">{f.text()}</p> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Pick(d: Device) -> impl IntoView {
    let href = format!("/debug/{}/{}", enc(&d.product_key), enc(&d.device_name));
    let status = d.status;
    view! {
        <li>
            <a class="dbg-pick" href=href data-testid=format!("dbg-pick-{}", d.device_name)>
                <span class="mono">{d.device_name.clone()}</span>
                <span class="muted small">{d.nickname.clone()}</span>
                <StatusDot status=Signal::derive(move || status)/>
            </a>
        </li>
    }
}

//! A charming (ECharts) chart that re-renders when its data changes and follows the theme.
//!
//! ECharts itself is loaded as a classic script (`/echarts.min.js`) before the wasm module.

use charming::{Chart, WasmRenderer};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = echarts, js_name = dispose)]
    fn echarts_dispose(chart: &charming::Echarts);
}

/// Colours for chart text and lines that match the CSS tokens of the current theme.
pub struct ChartColors {
    pub text: &'static str,
    pub muted: &'static str,
    pub grid: &'static str,
}

pub fn colors(dark: bool) -> ChartColors {
    if dark {
        ChartColors { text: "#d6dae0", muted: "#8b93a1", grid: "#2a313b" }
    } else {
        ChartColors { text: "#1f2630", muted: "#667085", grid: "#e6e8ec" }
    }
}

/// `make` is re-run (and the chart updated) whenever a signal it reads changes.
#[component]
pub fn EChart(
    /// DOM id of the chart element (unique on the page).
    id: &'static str,
    #[prop(default = 260)] height: u32,
    make: impl Fn() -> Chart + 'static,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Div>::new();
    let slot: StoredValue<Option<charming::Echarts>, LocalStorage> = StoredValue::new_local(None);
    Effect::new(move |_| {
        // No animation: live charts redraw on every update, and a moving chart is harder to
        // read at a glance (and is caught half-drawn by a screenshot).
        let chart = make().animation(false);
        if node.get().is_none() {
            return;
        }
        slot.update_value(|s| match s {
            Some(ec) => WasmRenderer::update(ec, &chart),
            None => match WasmRenderer::new_opt(None, Some(height)).render(id, &chart) {
                Ok(ec) => *s = Some(ec),
                Err(e) => leptos::logging::error!("chart {id}: {e:?}"),
            },
        });
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        slot.with_value(|s| {
            if let Some(ec) = s {
                ec.resize(JsValue::UNDEFINED);
            }
        })
    });
    on_cleanup(move || {
        resize.remove();
        slot.try_update_value(|s| {
            if let Some(ec) = s.take() {
                echarts_dispose(&ec);
            }
        });
    });
    view! { <div class="chart" id=id node_ref=node style=format!("height:{height}px") data-testid=format!("chart-{id}")></div> }
}

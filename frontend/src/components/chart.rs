//! A charming (ECharts) chart that re-renders when its data changes and follows the theme.
//!
//! ECharts itself is loaded as a classic script (`/echarts.min.js`) before the wasm module.
//! Time-series charts are built by `components::series_chart`.

use charming::{Chart, WasmRenderer};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = echarts, js_name = dispose)]
    fn echarts_dispose(chart: &charming::Echarts);

    /// The browser's ResizeObserver: a chart follows its box, not only the window (a card
    /// that is laid out after the chart was drawn, a sidebar collapsing, a grid reflowing).
    type ResizeObserver;
    #[wasm_bindgen(constructor)]
    fn new(callback: &js_sys::Function) -> ResizeObserver;
    #[wasm_bindgen(method)]
    fn observe(this: &ResizeObserver, target: &web_sys::Element);
    #[wasm_bindgen(method)]
    fn disconnect(this: &ResizeObserver);
}

/// Colours for chart text and lines that match the CSS tokens of the current theme.
pub struct ChartColors {
    pub text: &'static str,
    pub muted: &'static str,
    pub grid: &'static str,
    /// The tooltip's box, so it reads in dark mode too.
    pub tooltip_bg: &'static str,
    pub tooltip_border: &'static str,
}

pub fn colors(dark: bool) -> ChartColors {
    if dark {
        ChartColors {
            text: "#d6dae0",
            muted: "#8b93a1",
            grid: "#2a313b",
            tooltip_bg: "#1d232c",
            tooltip_border: "#3a414d",
        }
    } else {
        ChartColors {
            text: "#1f2630",
            muted: "#667085",
            grid: "#e6e8ec",
            tooltip_bg: "#ffffff",
            tooltip_border: "#d0d5dd",
        }
    }
}

/// Series colours, the accent first; distinct in both themes.
pub fn palette(dark: bool) -> [&'static str; 6] {
    if dark {
        ["#7f86f2", "#4fc3a1", "#f0a35e", "#e57399", "#5fb3e8", "#b59cf0"]
    } else {
        ["#4f57d6", "#1f9d7a", "#d9822b", "#c2406c", "#2b87c4", "#7b5cd6"]
    }
}

/// An "inside" zoom must not take the page's own gestures: a wheel or a finger moving over one
/// of a dozen stacked charts scrolls the page. Wheel zoom with Ctrl, pan with Shift; the
/// toolbox's box zoom is the plain drag.
fn tame_zoom(option: &JsValue) {
    let zooms = js_sys::Reflect::get(option, &"dataZoom".into()).unwrap_or(JsValue::UNDEFINED);
    let list: Vec<JsValue> = if js_sys::Array::is_array(&zooms) {
        js_sys::Array::from(&zooms).iter().collect()
    } else if zooms.is_object() {
        vec![zooms]
    } else {
        return;
    };
    for z in list {
        for (k, v) in [
            ("zoomOnMouseWheel", JsValue::from_str("ctrl")),
            ("moveOnMouseMove", JsValue::from_str("shift")),
            ("moveOnMouseWheel", JsValue::FALSE),
            ("preventDefaultMouseMove", JsValue::FALSE),
        ] {
            let _ = js_sys::Reflect::set(&z, &k.into(), &v);
        }
    }
}

/// `setOption(option, {replaceMerge: ['series']})`: other components (legend selection, the
/// dataZoom window) keep their state across updates, but series that are gone are removed (a
/// partial minute's dashed tail, a min–max band) instead of lingering as a plain merge (what
/// charming's `update` does) would leave them.
fn apply(ec: &charming::Echarts, chart: &Chart) {
    let js = match serde_wasm_bindgen::to_value(chart) {
        Ok(js) => js,
        Err(e) => return leptos::logging::error!("chart option: {e}"),
    };
    tame_zoom(&js);
    let target: &JsValue = ec.as_ref();
    let opts = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&opts, &"replaceMerge".into(), &js_sys::Array::of1(&"series".into()));
    let set =
        js_sys::Reflect::get(target, &"setOption".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    match set {
        Some(f) => {
            if let Err(e) = f.call2(target, &js, &opts) {
                leptos::logging::error!("chart setOption: {e:?}");
            }
        }
        None => WasmRenderer::update(ec, chart),
    }
}

/// The chart's ResizeObserver and the callback it calls (kept alive with it).
type Watch = (ResizeObserver, Closure<dyn FnMut()>);

/// `make` is re-run (and the chart updated) whenever a signal it reads changes.
#[component]
pub fn EChart(
    /// DOM id of the chart element (unique on the page).
    #[prop(into)]
    id: String,
    #[prop(default = 260)] height: u32,
    make: impl Fn() -> Chart + 'static,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Div>::new();
    let slot: StoredValue<Option<charming::Echarts>, LocalStorage> = StoredValue::new_local(None);
    let observer: StoredValue<Option<Watch>, LocalStorage> = StoredValue::new_local(None);
    let resize = move || {
        slot.with_value(|s| {
            if let Some(ec) = s {
                ec.resize(JsValue::UNDEFINED);
            }
        })
    };
    let dom_id = id.clone();
    Effect::new(move |_| {
        // No animation: live charts redraw on every update, and a moving chart is harder to
        // read at a glance (and is caught half-drawn by a screenshot).
        let chart = make().animation(false);
        let Some(el) = node.get() else { return };
        slot.update_value(|s| match s {
            Some(ec) => apply(ec, &chart),
            // Width from the element's box (`None`), height fixed.
            // Created empty, then given its option the one way every update goes.
            None => match WasmRenderer::new_opt(None, Some(height)).render(&dom_id, &Chart::new()) {
                Ok(ec) => {
                    apply(&ec, &chart);
                    *s = Some(ec);
                }
                Err(e) => leptos::logging::error!("chart {dom_id}: {e:?}"),
            },
        });
        observer.update_value(|o| {
            if o.is_none() {
                let cb = Closure::<dyn FnMut()>::new(resize);
                let ro = ResizeObserver::new(cb.as_ref().unchecked_ref());
                ro.observe(&el);
                *o = Some((ro, cb));
            }
        });
    });
    let on_window = window_event_listener(leptos::ev::resize, move |_| resize());
    on_cleanup(move || {
        on_window.remove();
        observer.try_update_value(|o| {
            if let Some((ro, _cb)) = o.take() {
                ro.disconnect();
            }
        });
        slot.try_update_value(|s| {
            if let Some(ec) = s.take() {
                echarts_dispose(&ec);
            }
        });
    });
    let testid = format!("chart-{id}");
    view! { <div class="chart" id=id node_ref=node style=format!("height:{height}px") data-testid=testid></div> }
}

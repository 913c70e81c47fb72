//! Small browser helpers: localStorage, time formatting, clipboard, downloads, file reading.

use wasm_bindgen::JsCast;

pub mod storage {
    fn store() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }
    pub fn get(key: &str) -> Option<String> {
        store()?.get_item(key).ok()?
    }
    pub fn set(key: &str, value: &str) {
        if let Some(s) = store() {
            let _ = s.set_item(key, value);
        }
    }
    pub fn remove(key: &str) {
        if let Some(s) = store() {
            let _ = s.remove_item(key);
        }
    }
}

pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .map(|m| m.matches())
        .unwrap_or(false)
}

/// Milliseconds since the epoch now.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// `12:03:10`, local time: when something happened today-ish (the badge's "last updated").
pub fn fmt_hms(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}:{:02}", d.get_hours(), d.get_minutes(), d.get_seconds())
}

/// `2026-11-27 17:40:05` in the browser's time zone.
pub fn fmt_time(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// `17:40:05.123` for message panes.
pub fn fmt_clock(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}:{:02}.{:03}", d.get_hours(), d.get_minutes(), d.get_seconds(), d.get_milliseconds())
}

pub fn fmt_opt_time(ms: Option<i64>) -> String {
    ms.map(fmt_time).unwrap_or_else(|| "—".into())
}

/// Parse a `datetime-local` input value (`2026-11-27T17:40`) to epoch ms in local time.
pub fn parse_local_datetime(s: &str) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    let ms = js_sys::Date::parse(s);
    (!ms.is_nan()).then_some(ms as i64)
}

/// Copy text to the clipboard; resolves once the browser accepted it.
pub async fn copy_text(text: &str) -> bool {
    let Some(w) = web_sys::window() else { return false };
    let p = w.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(p).await.is_ok()
}

/// Offer `text` as a file download named `name`.
pub fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let doc = leptos::prelude::document();
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Read the first file chosen in an `<input type=file>` as text.
pub async fn read_input_file(input: &web_sys::HtmlInputElement) -> Option<String> {
    let file = input.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok()?;
    text.as_string()
}

/// The current path + query, for `?next=` after login.
pub fn current_path_and_query() -> String {
    let loc = leptos::prelude::window().location();
    format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default())
}

/// Percent-encode a value for a query string.
pub fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// Pretty-print a JSON text if it parses, else return it unchanged.
pub fn pretty_json(s: &str) -> String {
    serde_json::from_str::<serde_json::Value>(s)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| s.to_string())
}

/// Decode a percent-encoded path segment.
pub fn dec(s: &str) -> String {
    js_sys::decode_uri_component(s).map(String::from).unwrap_or_else(|_| s.to_string())
}

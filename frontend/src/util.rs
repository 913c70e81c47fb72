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

/// Whether times are shown in the browser's zone or in UTC (user menu; remembered in
/// localStorage as `fd.tz`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TimeZone {
    Local,
    Utc,
}

impl TimeZone {
    pub fn as_str(self) -> &'static str {
        match self {
            TimeZone::Local => "local",
            TimeZone::Utc => "utc",
        }
    }
}

thread_local! {
    // Created on first use and kept for the page's life: every formatted time reads it, so a
    // change re-renders them all. Reference-counted, not arena-owned: an arena signal would
    // belong to whichever view first formatted a time and die with it.
    static TZ: leptos::prelude::ArcRwSignal<TimeZone> = leptos::prelude::ArcRwSignal::new(
        if storage::get("fd.tz").as_deref() == Some("utc") { TimeZone::Utc } else { TimeZone::Local },
    );
}

/// The chosen time zone (reactive).
pub fn time_zone() -> TimeZone {
    use leptos::prelude::Get;
    TZ.with(|s| s.get())
}

/// Choose the time zone and remember it.
pub fn set_time_zone(tz: TimeZone) {
    use leptos::prelude::Set;
    storage::set("fd.tz", tz.as_str());
    TZ.with(|s| s.set(tz));
}

/// Calendar fields of `ms` in the chosen zone, and the zone's name (`UTC`, `UTC+8`, `UTC-3:30`).
struct Parts {
    y: u32,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    ms: u32,
    zone: String,
}

fn parts(ms: i64) -> Parts {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    if time_zone() == TimeZone::Utc {
        return Parts {
            y: d.get_utc_full_year(),
            mo: d.get_utc_month() + 1,
            d: d.get_utc_date(),
            h: d.get_utc_hours(),
            mi: d.get_utc_minutes(),
            s: d.get_utc_seconds(),
            ms: d.get_utc_milliseconds(),
            zone: "UTC".into(),
        };
    }
    // getTimezoneOffset is minutes *behind* UTC, for this date (so summer time is right).
    let ahead = -(d.get_timezone_offset() as i32);
    Parts {
        y: d.get_full_year(),
        mo: d.get_month() + 1,
        d: d.get_date(),
        h: d.get_hours(),
        mi: d.get_minutes(),
        s: d.get_seconds(),
        ms: d.get_milliseconds(),
        zone: zone_name(ahead),
    }
}

/// `UTC+8`, `UTC-3:30`, `UTC+0` for an offset in minutes ahead of UTC.
pub fn zone_name(ahead_min: i32) -> String {
    let sign = if ahead_min < 0 { '-' } else { '+' };
    let (h, m) = (ahead_min.abs() / 60, ahead_min.abs() % 60);
    if m == 0 {
        format!("UTC{sign}{h}")
    } else {
        format!("UTC{sign}{h}:{m:02}")
    }
}

/// `2026-11-27 17:40:05 UTC+8`: the one way the console writes a time (zone per the setting).
/// Reactive: call it inside a closure in views so the setting re-renders it.
pub fn fmt_time(ms: i64) -> String {
    let p = parts(ms);
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}", p.y, p.mo, p.d, p.h, p.mi, p.s, p.zone)
}

/// `17:40:05.123` for message panes (zone per the setting; the pane's header names it).
pub fn fmt_clock(ms: i64) -> String {
    let p = parts(ms);
    format!("{:02}:{:02}:{:02}.{:03}", p.h, p.mi, p.s, p.ms)
}

/// `12:03:10` (zone per the setting): when something happened today-ish (the live badge's
/// "last updated").
pub fn fmt_hms(ms: i64) -> String {
    let p = parts(ms);
    format!("{:02}:{:02}:{:02}", p.h, p.mi, p.s)
}

pub fn fmt_opt_time(ms: Option<i64>) -> String {
    ms.map(fmt_time).unwrap_or_else(|| "—".into())
}

/// Parse a `datetime-local` input value (`2026-11-27T17:40`) to epoch ms in the chosen zone.
pub fn parse_local_datetime(s: &str) -> Option<i64> {
    if s.is_empty() {
        return None;
    }
    let ms = match time_zone() {
        TimeZone::Utc => js_sys::Date::parse(&format!("{s}Z")),
        TimeZone::Local => js_sys::Date::parse(s),
    };
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

#[cfg(test)]
mod tests {
    use super::zone_name;

    #[test]
    fn zone_names_say_hours_and_minutes_ahead() {
        assert_eq!(zone_name(480), "UTC+8");
        assert_eq!(zone_name(0), "UTC+0");
        assert_eq!(zone_name(-210), "UTC-3:30");
        assert_eq!(zone_name(345), "UTC+5:45");
    }
}

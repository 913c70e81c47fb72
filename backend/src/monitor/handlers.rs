//! `GET /api/v1/monitoring/series` and `GET /api/v1/monitoring/stats` (viewers may read).

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use model::error::ApiError;
use model::monitor::{
    bucket_ms, check_range, minute_floor, Metric, ProductCount, Protocol, Series, SeriesResponse, Stats, HOUR_MS,
    MINUTE_MS,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::counter::{self, INSTANCE};
use super::rows::protocol_column;
use super::series::{self, agg, source, source_protocol, Agg};
use crate::auth::guard::{Authorized, Viewer};
use crate::error::{AppError, AppResult};
use crate::http::openapi::{guarded, ApiRouter};
use crate::http::query::Query;
use crate::state::AppState;
use crate::store;

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(guarded!(series)).routes(guarded!(stats))
}

const DAY_MS: i64 = 24 * HOUR_MS;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Comma-separated metric codes, with or without protocol suffix
    /// (`OnlineDevicesCount_MQTT,MessageCountPerMinute`).
    pub metrics: String,
    /// Comma-separated protocols for the per-protocol metrics (default `MQTT`); a suffix in a
    /// code wins.
    pub protocol: Option<String>,
    /// A ProductKey; none = the whole instance.
    pub product: Option<String>,
    /// Range start, epoch ms (default: an hour before `to`).
    pub from: Option<i64>,
    /// Range end, epoch ms, exclusive (default: now). At most 7 days after `from`.
    pub to: Option<i64>,
}

/// Metric series
///
/// One series per asked metric (per protocol for the per-protocol ones) over `[from, to)`, at
/// most 2,000 points each: buckets of `step_ms` (whole minutes) carrying the min and max of
/// their minutes when longer than one. Counts are summed, levels take their last value, QPS are
/// per-second rates. The minute still counting is included, marked `partial`. Ranges older
/// than the minutes' retention (7 days) are read from the hourly rollups.
#[utoipa::path(
    get,
    path = "/api/v1/monitoring/series",
    operation_id = "get_monitoring_series",
    tag = "monitoring",
    params(SeriesQuery),
    responses(
        (status = 200, body = SeriesResponse),
        (status = 400, description = "An unknown metric or protocol, a bad range, an instance metric asked of a product (`validation`, `invalid_query`)", body = ApiError),
        (status = 404, description = "No such product, or metrics are off (`--metrics off`)", body = ApiError),
    ),
)]
pub async fn series(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Query(q): Query<SeriesQuery>,
) -> AppResult<axum::Json<SeriesResponse>> {
    let monitor = &st.monitor;
    if !monitor.enabled() {
        return Err(AppError::NotFound("metric series (this server runs with `--metrics off`)".into()));
    }
    let now = st.now();
    let to = q.to.unwrap_or(now + 1);
    let from = q.from.unwrap_or(to - HOUR_MS);
    check_range(from, to).map_err(AppError::validation)?;
    let asked = parse_series(&q.metrics, q.protocol.as_deref())?;
    let scope = match q.product.as_deref().filter(|p| !p.is_empty()) {
        Some(pk) => {
            if let Some((m, _)) = asked.iter().find(|(m, _)| m.instance_only()) {
                return Err(AppError::validation(format!(
                    "{} is a metric of the whole instance; ask it without `product`",
                    m.base_code()
                )));
            }
            store::products::get(&st.db, pk).await?.ok_or_else(|| AppError::NotFound(format!("product {pk}")))?;
            pk.to_owned()
        }
        None => INSTANCE.to_owned(),
    };
    let step = bucket_ms(from, to);
    // The hours once the range starts an hour past the minutes' retention: a week-long range
    // asked a moment ago still reads minutes (the purge runs every 10 minutes).
    let hours = from < now - i64::from(monitor.settings().minute_retention_days) * DAY_MS - HOUR_MS;
    let mut codes: Vec<&'static str> = asked.iter().map(|(m, _)| source(*m).base_code()).collect();
    codes.sort_unstable();
    codes.dedup();

    // The minute still counting, and minutes closed but not yet stored, from memory.
    let current_t = minute_floor(now);
    let wants_devices = asked.iter().any(|(m, _)| *m == Metric::DeviceCountProduct);
    let live = current_minute(&st, &scope, now, wants_devices).await?;
    let waiting = monitor.minutes().waiting();

    let mut out = Vec::with_capacity(asked.len());
    if hours {
        let rows = store::metrics::hours(&st.db, &scope, &codes, minute_floor(from), to).await?;
        for (metric, protocol) in &asked {
            let (code, proto) = (source(*metric).base_code(), source_protocol(*metric, *protocol));
            let mine: Vec<store::metrics::HourRow> =
                rows.iter().filter(|(m, p, _)| m == code && p == proto).map(|(_, _, r)| *r).collect();
            let seed = seed(&st, true, &scope, *metric, proto, from).await?;
            let partial = live.get(&(code, proto)).map(|v| (current_t, *v)).filter(|_| current_t < to);
            let points = series::from_hours(agg(*metric), from, to, step, now, &mine, seed, partial);
            out.push(Series { metric: *metric, protocol: *protocol, points });
        }
    } else if step > MINUTE_MS {
        // Downsampled: counts are summed per bucket by the store, levels (sparse) read as rows.
        let (sums, levels): (Vec<_>, Vec<_>) = asked.iter().partition(|(m, _)| agg(*m) != Agg::Last);
        let mut sum_codes: Vec<&'static str> = sums.iter().map(|(m, _)| source(*m).base_code()).collect();
        sum_codes.sort_unstable();
        sum_codes.dedup();
        // One query per count and one for the levels, run at once on separate pool connections:
        // the store's grouping (a sort of each count's week of minutes) is CPU-bound, and a
        // week at the instance is 10,080 minutes per count (issue 14 §5: ≤ 50 ms).
        let (from_m, db) = (minute_floor(from), &st.db);
        let counts = sum_codes
            .iter()
            .map(|code| store::metrics::minute_buckets(db, &scope, std::slice::from_ref(code), from_m, to, step));
        let mut level_codes: Vec<&'static str> = levels.iter().map(|(m, _)| m.base_code()).collect();
        level_codes.sort_unstable();
        level_codes.dedup();
        let level_rows = async {
            if level_codes.is_empty() {
                Ok(Vec::new())
            } else {
                store::metrics::minutes(db, &scope, &level_codes, from_m, to).await
            }
        };
        let (counts, level_rows) = tokio::join!(futures::future::try_join_all(counts), level_rows);
        let mut by_key: HashMap<(String, String), BTreeMap<i64, store::metrics::Bucket>> = HashMap::new();
        for (m, p, b, bucket) in counts?.into_iter().flatten() {
            by_key.entry((m, p)).or_default().insert(b, bucket);
        }
        let in_range = current_t >= minute_floor(from) && current_t < to;
        let mut level_minutes: HashMap<(String, String), BTreeMap<i64, f64>> = HashMap::new();
        for (m, p, t, v) in level_rows? {
            level_minutes.entry((m, p)).or_default().insert(t, v);
        }
        // Minutes closed but not stored yet: newer than anything the store holds for the key
        // (a key's minutes are stored in order).
        for w in waiting.iter().filter(|w| w.product_key == scope && w.t >= minute_floor(from) && w.t < to) {
            let key = (w.metric.to_owned(), w.protocol.to_owned());
            if sum_codes.contains(&w.metric) {
                let buckets = by_key.entry(key.clone()).or_default();
                if buckets.values().all(|b| b.last_t < w.t) {
                    fold(buckets, w.t - w.t.rem_euclid(step), w.t, w.value);
                }
            }
            if let Some(minutes) = level_minutes.get_mut(&key) {
                minutes.entry(w.t).or_insert(w.value);
            }
        }
        for (metric, protocol) in &asked {
            let (code, proto) = (source(*metric).base_code(), source_protocol(*metric, *protocol));
            let key = (code.to_owned(), proto.to_owned());
            let live_value = live.get(&(code, proto)).filter(|_| in_range);
            let partial = in_range.then_some(current_t);
            let points = if agg(*metric) == Agg::Last {
                let mut minutes = level_minutes.get(&key).cloned().unwrap_or_default();
                if let Some(v) = live_value {
                    minutes.insert(current_t, *v);
                }
                let seed = seed(&st, false, &scope, *metric, proto, from).await?;
                series::from_minutes(Agg::Last, from, to, step, now, &minutes, seed, partial)
            } else {
                let mut buckets = by_key.get(&key).cloned().unwrap_or_default();
                if let Some(v) = live_value {
                    fold(&mut buckets, current_t - current_t.rem_euclid(step), current_t, *v);
                }
                series::from_buckets(agg(*metric), from, to, step, now, &buckets, partial)
            };
            out.push(Series { metric: *metric, protocol: *protocol, points });
        }
    } else {
        let rows = store::metrics::minutes(&st.db, &scope, &codes, minute_floor(from), to).await?;
        let mut by_key: HashMap<(String, String), BTreeMap<i64, f64>> = HashMap::new();
        for (m, p, t, v) in rows {
            by_key.entry((m, p)).or_default().insert(t, v);
        }
        for w in waiting.iter().filter(|w| w.product_key == scope && w.t >= minute_floor(from) && w.t < to) {
            let minutes = by_key.entry((w.metric.to_owned(), w.protocol.to_owned())).or_default();
            // Stored meanwhile: the store's row is the same minute.
            minutes.entry(w.t).or_insert(w.value);
        }
        let in_range = current_t >= minute_floor(from) && current_t < to;
        for (metric, protocol) in &asked {
            let (code, proto) = (source(*metric).base_code(), source_protocol(*metric, *protocol));
            let mut minutes = by_key.get(&(code.to_owned(), proto.to_owned())).cloned().unwrap_or_default();
            if in_range {
                if let Some(v) = live.get(&(code, proto)) {
                    minutes.insert(current_t, *v);
                }
            }
            let seed = seed(&st, false, &scope, *metric, proto, from).await?;
            let partial = in_range.then_some(current_t);
            let points = series::from_minutes(agg(*metric), from, to, step, now, &minutes, seed, partial);
            out.push(Series { metric: *metric, protocol: *protocol, points });
        }
    }
    let product_key = (scope != INSTANCE).then_some(scope);
    Ok(axum::Json(SeriesResponse { from, to, step_ms: step, product_key, series: out }))
}

/// Add a minute's count to its bucket.
fn fold(buckets: &mut BTreeMap<i64, store::metrics::Bucket>, start: i64, t: i64, v: f64) {
    let b = buckets.entry(start).or_insert(store::metrics::Bucket {
        sum: 0.0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
        minutes: 0,
        last_t: t,
    });
    b.sum += v;
    b.min = b.min.min(v);
    b.max = b.max.max(v);
    b.minutes += 1;
    b.last_t = b.last_t.max(t);
}

/// The asked series: each code with its protocol (per-protocol metrics once per protocol).
fn parse_series(metrics: &str, protocols: Option<&str>) -> AppResult<Vec<(Metric, Option<Protocol>)>> {
    let protocols: Vec<Protocol> = match protocols.filter(|p| !p.trim().is_empty()) {
        None => vec![Protocol::Mqtt],
        Some(list) => list
            .split(',')
            .map(|p| {
                Protocol::parse(p.trim()).ok_or_else(|| {
                    let known: Vec<&str> = Protocol::ALL.iter().map(|p| p.code()).collect();
                    AppError::validation(format!("unknown protocol `{}` (one of {})", p.trim(), known.join(", ")))
                })
            })
            .collect::<AppResult<_>>()?,
    };
    let mut out: Vec<(Metric, Option<Protocol>)> = Vec::new();
    for code in metrics.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let Some((metric, suffix)) = Metric::parse(code) else {
            return Err(AppError::validation(format!("unknown metric code `{code}`")));
        };
        let ps: Vec<Option<Protocol>> = match (metric.per_protocol(), suffix) {
            (true, Some(p)) => vec![Some(p)],
            (true, None) => protocols.iter().copied().map(Some).collect(),
            (false, _) => vec![None],
        };
        for p in ps {
            if !out.contains(&(metric, p)) {
                out.push((metric, p));
            }
        }
    }
    if out.is_empty() {
        return Err(AppError::validation(
            "`metrics` names no metric (comma-separated codes, e.g. MessageCountPerMinute)",
        ));
    }
    if out.len() > Metric::ALL.len() * Protocol::ALL.len() {
        return Err(AppError::validation("too many series in one query"));
    }
    Ok(out)
}

/// The level in force at `from` (levels only): the newest row before it, if recent enough.
async fn seed(
    st: &AppState,
    hours: bool,
    scope: &str,
    metric: Metric,
    protocol: &'static str,
    from: i64,
) -> AppResult<Option<(i64, f64)>> {
    if agg(metric) != Agg::Last {
        return Ok(None);
    }
    let start = minute_floor(from);
    let since = start - HOUR_MS - MINUTE_MS;
    let v = store::metrics::level_before(&st.db, hours, scope, metric.base_code(), protocol, since, start).await?;
    // Held from just before the range: the series drops it only past the hour it may hold.
    Ok(v.map(|v| (start - MINUTE_MS, v)))
}

/// The current minute's values of a scope, keyed as stored (code, protocol column).
async fn current_minute(
    st: &AppState,
    scope: &str,
    now: i64,
    wants_devices: bool,
) -> AppResult<HashMap<(&'static str, &'static str), f64>> {
    let monitor = &st.monitor;
    let (acc, online) = {
        let c = monitor.counters();
        let (_, scopes) = c.current(now);
        let acc = scopes.into_iter().find(|(s, _)| s == scope).map(|(_, a)| a).unwrap_or_default();
        (acc, c.online(scope))
    };
    let devices = if wants_devices {
        store::metrics::device_count(&st.db, (scope != INSTANCE).then_some(scope)).await?
    } else {
        0
    };
    let values = counter::values(&acc, online, devices, scope == INSTANCE, monitor.capacity());
    Ok(values.into_iter().map(|(m, p, v)| ((m.base_code(), protocol_column(p)), v)).collect())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// A ProductKey; none = the whole instance.
    pub product: Option<String>,
}

/// Fleet statistics
///
/// The home page's counts in one answer: devices by status, per product, and the last
/// complete minute's messages up/down, TSL errors and connects (absent until a minute has been
/// counted since the server started, or with `--metrics off`).
#[utoipa::path(
    get,
    path = "/api/v1/monitoring/stats",
    operation_id = "get_monitoring_stats",
    tag = "monitoring",
    params(StatsQuery),
    responses(
        (status = 200, body = Stats),
        (status = 404, description = "No such product", body = ApiError),
    ),
)]
pub async fn stats(
    _user: Authorized<Viewer>,
    State(st): State<AppState>,
    Query(q): Query<StatsQuery>,
) -> AppResult<axum::Json<Stats>> {
    let product = q.product.filter(|p| !p.is_empty());
    let rows = store::metrics::status_counts(&st.db, product.as_deref()).await?;
    if let Some(pk) = &product {
        if rows.is_empty() {
            return Err(AppError::NotFound(format!("product {pk}")));
        }
    }
    let mut s = Stats {
        at: st.now(),
        product_key: product.clone(),
        devices: 0,
        online: 0,
        offline: 0,
        inactive: 0,
        disabled: 0,
        products: 0,
        per_product: Vec::new(),
        last_minute: None,
    };
    for (pk, name, status, n) in rows {
        if s.per_product.last().is_none_or(|p: &ProductCount| p.product_key != pk) {
            s.per_product.push(ProductCount { product_key: pk, name, devices: 0, online: 0 });
        }
        let Some(status) = status else { continue };
        let p = s.per_product.last_mut().expect("pushed above");
        p.devices += n;
        s.devices += n;
        match status.as_str() {
            "online" => {
                p.online += n;
                s.online += n;
            }
            "offline" => s.offline += n,
            "inactive" => s.inactive += n,
            "disabled" => s.disabled += n,
            _ => {}
        }
    }
    s.products = s.per_product.len() as u64;
    if st.monitor.enabled() {
        let scope = product.as_deref().unwrap_or(INSTANCE);
        s.last_minute = st.monitor.counters().last_closed(scope).map(|a| a.figures());
    }
    Ok(axum::Json(s))
}

//! Whether a live status event changes a filtered device list, and how.
//!
//! The device list (`/devices?status=online&product=…&q=…`) keeps its rows live. A status event
//! only says which device changed and its new status, so the list decides here, purely, what the
//! event means for the rows it shows:
//!
//! - a shown device that still matches the filter is updated in place;
//! - a shown device that no longer matches (went offline in the Online list) is dropped at once,
//!   so the list never shows a row that contradicts its filter;
//! - a device that is not shown but now matches (came online while the Online list is open) is
//!   fetched by reloading the page of rows: the event lacks the rest of the row (nickname, IP…),
//!   and the server's page is the one truth for order and pagination. The list therefore adds,
//!   drops and re-sorts rows by itself instead of showing "n changes — refresh": an operator
//!   watching the Online list at night should not have to click to believe it.

use crate::registry::{Device, DeviceQuery, DeviceStatus};

/// What a list does with one status event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListChange {
    /// Nothing on this list is affected.
    Ignore,
    /// The row is shown and still matches: change its status in place.
    Update,
    /// The row is shown and no longer matches: drop it now.
    Remove,
    /// The device is not shown but may now belong to the list: load the page again.
    Reload,
}

/// Whether a device with this identity and status matches `q`. `None` when the query filters on
/// something the event does not carry (a group), so only the server can tell.
pub fn matches(q: &DeviceQuery, product_key: &str, device_name: &str, status: DeviceStatus) -> Option<bool> {
    if q.product_key.as_deref().is_some_and(|p| !p.is_empty() && p != product_key) {
        return Some(false);
    }
    // The server's search is a byte prefix of the DeviceName (an index range), case-sensitive.
    if q.q.as_deref().is_some_and(|p| !device_name.starts_with(p)) {
        return Some(false);
    }
    if q.status.is_some_and(|s| s != status) {
        return Some(false);
    }
    if q.group.as_deref().is_some_and(|g| !g.is_empty()) {
        return None;
    }
    Some(true)
}

/// What the status event `(product_key, device_name) → status` does to a list showing `rows`
/// for the query `q`.
pub fn on_status(
    q: &DeviceQuery,
    rows: &[Device],
    product_key: &str,
    device_name: &str,
    status: DeviceStatus,
) -> ListChange {
    let shown = rows.iter().any(|d| d.product_key == product_key && d.device_name == device_name);
    let now = matches(q, product_key, device_name, status);
    match (shown, now) {
        // A shown row matched the group when it was loaded; the group did not change.
        (true, Some(true) | None) => ListChange::Update,
        (true, Some(false)) => ListChange::Remove,
        (false, Some(false)) => ListChange::Ignore,
        // Not shown and matching: without a status filter the status did not decide its
        // membership, so it is simply on another page (or the list is a stale snapshot, which
        // the reconnect re-sync repairs).
        (false, _) if q.status.is_none() => ListChange::Ignore,
        (false, _) => ListChange::Reload,
    }
}

/// A status event's news on one device row (any view holding a `Device`): the status, and the
/// time it came online, or the time and reason code it went offline.
pub fn set_status(d: &mut Device, status: DeviceStatus, reason: Option<u32>, at: i64) {
    d.status = status;
    match status {
        DeviceStatus::Online => d.last_online_at = Some(at),
        DeviceStatus::Offline => {
            d.last_offline_at = Some(at);
            d.last_disconnect_code = reason;
        }
        _ => {}
    }
}

/// Apply `change` for the event to `rows` (in place): the new status (and its time and reason)
/// on an updated row, or the row dropped. Returns whether the rows changed.
pub fn apply_status(
    rows: &mut Vec<Device>,
    change: ListChange,
    product_key: &str,
    device_name: &str,
    status: DeviceStatus,
    reason: Option<u32>,
    at: i64,
) -> bool {
    let is_it = |d: &Device| d.product_key == product_key && d.device_name == device_name;
    match change {
        ListChange::Update => match rows.iter_mut().find(|d| is_it(d)) {
            Some(d) => {
                set_status(d, status, reason, at);
                true
            }
            None => false,
        },
        ListChange::Remove => {
            let before = rows.len();
            rows.retain(|d| !is_it(d));
            rows.len() != before
        }
        ListChange::Ignore | ListChange::Reload => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(pk: &str, dn: &str, status: DeviceStatus) -> Device {
        Device {
            product_key: pk.into(),
            device_name: dn.into(),
            nickname: String::new(),
            status,
            created_at: 0,
            activated_at: None,
            last_online_at: None,
            last_offline_at: None,
            last_disconnect_code: None,
            ip: None,
            sdk: None,
            tags: Vec::new(),
            groups: Vec::new(),
            gateway: None,
        }
    }

    fn query(status: Option<DeviceStatus>) -> DeviceQuery {
        DeviceQuery { status, ..Default::default() }
    }

    use DeviceStatus::{Offline, Online};

    #[test]
    fn the_online_list_gains_a_device_that_connects_and_drops_one_that_leaves() {
        let q = query(Some(Online));
        let rows = vec![dev("pk", "a", Online)];
        assert_eq!(on_status(&q, &rows, "pk", "b", Online), ListChange::Reload);
        assert_eq!(on_status(&q, &rows, "pk", "a", Offline), ListChange::Remove);
        assert_eq!(on_status(&q, &rows, "pk", "a", Online), ListChange::Update);
        // Another device going offline is not this list's business.
        assert_eq!(on_status(&q, &rows, "pk", "c", Offline), ListChange::Ignore);
    }

    #[test]
    fn the_offline_list_is_the_mirror_image() {
        let q = query(Some(Offline));
        let rows = vec![dev("pk", "a", Offline)];
        assert_eq!(on_status(&q, &rows, "pk", "a", Online), ListChange::Remove);
        assert_eq!(on_status(&q, &rows, "pk", "b", Offline), ListChange::Reload);
        assert_eq!(on_status(&q, &rows, "pk", "b", Online), ListChange::Ignore);
    }

    #[test]
    fn product_and_name_prefix_exclude_before_status_is_looked_at() {
        let q = DeviceQuery {
            product_key: Some("pk".into()),
            q: Some("lamp-".into()),
            status: Some(Online),
            ..Default::default()
        };
        assert_eq!(on_status(&q, &[], "other", "lamp-1", Online), ListChange::Ignore);
        assert_eq!(on_status(&q, &[], "pk", "fan-1", Online), ListChange::Ignore);
        // The prefix is case-sensitive, as the server's index range is.
        assert_eq!(on_status(&q, &[], "pk", "Lamp-1", Online), ListChange::Ignore);
        assert_eq!(on_status(&q, &[], "pk", "lamp-1", Online), ListChange::Reload);
    }

    #[test]
    fn without_a_status_filter_rows_update_and_unseen_devices_are_on_other_pages() {
        let q = query(None);
        let rows = vec![dev("pk", "a", Offline)];
        assert_eq!(on_status(&q, &rows, "pk", "a", Online), ListChange::Update);
        assert_eq!(on_status(&q, &rows, "pk", "z", Online), ListChange::Ignore);
    }

    #[test]
    fn a_group_filter_is_left_to_the_server() {
        let q = DeviceQuery { group: Some("floor-1".into()), status: Some(Online), ..Default::default() };
        assert_eq!(matches(&q, "pk", "a", Online), None);
        assert_eq!(matches(&q, "pk", "a", Offline), Some(false));
        assert_eq!(on_status(&q, &[], "pk", "a", Online), ListChange::Reload);
        assert_eq!(on_status(&q, &[dev("pk", "a", Online)], "pk", "a", Online), ListChange::Update);
    }

    #[test]
    fn applying_updates_in_place_or_drops_the_row() {
        let mut rows = vec![dev("pk", "a", Online), dev("pk", "b", Online)];
        assert!(apply_status(&mut rows, ListChange::Update, "pk", "a", Offline, Some(1911), 42));
        assert_eq!(
            (rows[0].status, rows[0].last_offline_at, rows[0].last_disconnect_code),
            (Offline, Some(42), Some(1911))
        );
        assert!(apply_status(&mut rows, ListChange::Remove, "pk", "b", Offline, None, 43));
        assert_eq!(rows.len(), 1);
        assert!(!apply_status(&mut rows, ListChange::Remove, "pk", "b", Offline, None, 44));
        assert!(!apply_status(&mut rows, ListChange::Reload, "pk", "c", Online, None, 45));
        assert!(!apply_status(&mut rows, ListChange::Update, "pk", "zz", Online, None, 46));
        assert_eq!(rows.len(), 1);
    }
}

//! Devices: list (filters, live status, add, CSV import) and the device page with its tabs.

pub mod add;
pub mod detail;
mod detail_connect;
mod detail_events;
mod detail_history;
mod detail_info;
mod detail_logs;
mod detail_messages;
mod detail_tsl;
pub mod import;
pub mod list;
mod rows;

/// The seed's name for a disconnect code.
pub fn disconnect_key(code: u32) -> &'static str {
    match code {
        200 => "disconnect.200",
        427 => "disconnect.427",
        1910 => "disconnect.1910",
        1911 => "disconnect.1911",
        _ => "disconnect.other",
    }
}

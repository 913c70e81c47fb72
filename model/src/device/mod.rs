//! The device page's pure logic, shared by the browser and the server.
//!
//! - [`value`]: a property value read through its thing-model spec ("19.5 °C", "Off", struct
//!   fields by name).
//! - [`age`]: how old a value is, in words ("3 h ago" / "3 小时前"), and when it counts as stale.
//! - [`connection`]: the Connection parameters panel — host, port, the CONNECT credentials of
//!   each SDK form, and ready-to-paste `mosquitto_pub` and paho-mqtt snippets.

pub mod age;
pub mod connection;
pub mod value;

#[cfg(test)]
mod tests;

/// The two languages of the console, for the texts built here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Zh,
}

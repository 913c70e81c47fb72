//! The protocol's error codes: one table, keyed by (code, the table it comes from).
//!
//! The maintenance guide (`seed/iot-platform-maintenance-guide.txt`, §4.1 "IoT Platform logs")
//! lists its codes in tables per business area, and a number does not always mean the same thing
//! in two tables: 9201 is a dropped message in [`Table::Message`] and a failed service call in
//! [`Table::TslServiceCall`]; 500 is an internal error both for a device reply and for a
//! subscription. So a code is never looked up by number alone when the table is known: each
//! module below holds one table's rows in the seed's order, and its typed [`Code`] constants
//! (`codes::device_behavior::DEVICE_NOT_FOUND`) carry the table with the number.
//!
//! Descriptions, causes and troubleshooting are the seed's text with its HTML removed. Where
//! fleetdeck uses a code differently from the seed, [`CodeInfo::fleetdeck`] says how; codes the
//! seed does not have live in the tables for which [`Table::is_seed`] is false.
//!
//! The browser shows [`CodeInfo`] next to a number (tooltips in the run log, TSL errors), so
//! everything here is plain data and builds for wasm32.

use serde::{Deserialize, Serialize};

pub mod alink;
pub mod data_parsing_script;
pub mod device_behavior;
pub mod device_shadow;
pub mod file_upload;
pub mod fleetdeck;
pub mod message;
pub mod remote_config;
pub mod subscription;
pub mod topology;
pub mod tsl_common;
pub mod tsl_data_post;
pub mod tsl_device_reply;
pub mod tsl_service_call;

#[cfg(test)]
mod tests;

/// The table a code comes from: the seed's sections in §4.1, then the codes the seed lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Table {
    /// "Device behavior-related error codes" (online/offline, authentication, topology).
    DeviceBehavior,
    /// "Message-related error codes" (uplink, downlink, forwarding).
    Message,
    /// TSL codes "when IoT Platform calls services and configures properties".
    TslServiceCall,
    /// TSL codes "when devices fail to submit property and event data".
    TslDataPost,
    /// TSL codes "when devices fail to respond to the service calls and property configuration requests".
    TslDeviceReply,
    /// "The common TSL-related error codes" (checking values against the model).
    TslCommon,
    /// "Data parsing script-related error codes".
    DataParsingScript,
    /// "Subscription-related error codes".
    Subscription,
    /// "Topology-related error codes".
    Topology,
    /// "Remote configuration-related error codes".
    RemoteConfig,
    /// "File uploading-related error codes".
    FileUpload,
    /// Not a seed table: the Alink reply envelope (`ALINK.md`).
    Alink,
    /// Not a seed table: fleetdeck's device shadow replies.
    DeviceShadow,
    /// Not a seed table: codes fleetdeck answers with where the seed has none.
    Fleetdeck,
}

impl Table {
    /// Every table, seed tables first in the seed's order.
    pub const ALL: &'static [Table] = &[
        Table::DeviceBehavior,
        Table::Message,
        Table::TslServiceCall,
        Table::TslDataPost,
        Table::TslDeviceReply,
        Table::TslCommon,
        Table::DataParsingScript,
        Table::Subscription,
        Table::Topology,
        Table::RemoteConfig,
        Table::FileUpload,
        Table::Alink,
        Table::DeviceShadow,
        Table::Fleetdeck,
    ];

    /// The table's rows, in the seed's order.
    pub const fn rows(self) -> &'static [CodeInfo] {
        match self {
            Table::DeviceBehavior => device_behavior::ROWS,
            Table::Message => message::ROWS,
            Table::TslServiceCall => tsl_service_call::ROWS,
            Table::TslDataPost => tsl_data_post::ROWS,
            Table::TslDeviceReply => tsl_device_reply::ROWS,
            Table::TslCommon => tsl_common::ROWS,
            Table::DataParsingScript => data_parsing_script::ROWS,
            Table::Subscription => subscription::ROWS,
            Table::Topology => topology::ROWS,
            Table::RemoteConfig => remote_config::ROWS,
            Table::FileUpload => file_upload::ROWS,
            Table::Alink => alink::ROWS,
            Table::DeviceShadow => device_shadow::ROWS,
            Table::Fleetdeck => fleetdeck::ROWS,
        }
    }

    /// A heading for the table, as an operator would look for it in the guide.
    pub const fn title(self) -> &'static str {
        match self {
            Table::DeviceBehavior => "Device behavior-related error codes",
            Table::Message => "Message-related error codes",
            Table::TslServiceCall => "TSL-related error codes: service calls and property configuration",
            Table::TslDataPost => "TSL-related error codes: property and event submission",
            Table::TslDeviceReply => "TSL-related error codes: device replies to calls and property configuration",
            Table::TslCommon => "TSL-related error codes: common",
            Table::DataParsingScript => "Data parsing script-related error codes",
            Table::Subscription => "Subscription-related error codes",
            Table::Topology => "Topology-related error codes",
            Table::RemoteConfig => "Remote configuration-related error codes",
            Table::FileUpload => "File uploading-related error codes",
            Table::Alink => "Alink reply codes (ALINK.md)",
            Table::DeviceShadow => "Device shadow codes (fleetdeck)",
            Table::Fleetdeck => "fleetdeck's own codes",
        }
    }

    /// Whether the table is one of the seed's (false for the codes fleetdeck adds).
    pub const fn is_seed(self) -> bool {
        !matches!(self, Table::Alink | Table::DeviceShadow | Table::Fleetdeck)
    }
}

/// The cause the seed gives its "System error codes" rows whose cells it merged with the row
/// above (they are blank in the text).
pub(crate) const SYSTEM_CAUSE: &str = "A system exception occurred.";
/// The troubleshooting of those merged rows.
pub(crate) const SUBMIT_TICKET: &str = "Submit a ticket.";

/// One row: a code as one table describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeInfo {
    pub code: u32,
    pub table: Table,
    /// The seed's "Description" column.
    pub description: &'static str,
    /// The seed's "Cause" column, if the row has one.
    pub cause: Option<&'static str>,
    /// The seed's "Troubleshooting" column, if the row has one.
    pub troubleshooting: Option<&'static str>,
    /// Listed under the table's "System error codes" (a platform fault, not the device's).
    pub system: bool,
    /// How fleetdeck's use of the code differs from the seed's meaning, if it does.
    pub fleetdeck: Option<&'static str>,
}

/// `""` marks a column the row leaves empty.
const fn non_empty(s: &'static str) -> Option<&'static str> {
    if s.is_empty() {
        None
    } else {
        Some(s)
    }
}

impl CodeInfo {
    /// A row of a seed table.
    pub(crate) const fn seed(
        table: Table,
        code: u32,
        description: &'static str,
        cause: &'static str,
        troubleshooting: &'static str,
    ) -> CodeInfo {
        CodeInfo {
            code,
            table,
            description,
            cause: non_empty(cause),
            troubleshooting: non_empty(troubleshooting),
            system: false,
            fleetdeck: None,
        }
    }

    /// A row of a table the seed does not have (the whole row is fleetdeck's).
    pub(crate) const fn own(
        table: Table,
        code: u32,
        description: &'static str,
        cause: &'static str,
        troubleshooting: &'static str,
    ) -> CodeInfo {
        CodeInfo::seed(table, code, description, cause, troubleshooting)
    }

    /// Marks a row listed under "System error codes".
    pub(crate) const fn system(mut self) -> CodeInfo {
        self.system = true;
        self
    }

    /// Notes how fleetdeck's use differs from the seed's.
    pub(crate) const fn fleetdeck(mut self, note: &'static str) -> CodeInfo {
        self.fleetdeck = Some(note);
        self
    }
}

/// A code together with its table; only the table's own constants create one, so every
/// `Code` has a row and [`Code::info`] cannot fail.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    table: Table,
    /// Index into `table.rows()`.
    row: u16,
}

impl Code {
    /// The code `code` of `table`. Only called in `const` items, where a pair that is not in the
    /// table is a compile error rather than a panic at run time.
    pub(crate) const fn new(code: u32, table: Table) -> Code {
        let rows = table.rows();
        let mut i = 0;
        while i < rows.len() {
            if rows[i].code == code {
                return Code { table, row: i as u16 };
            }
            i += 1;
        }
        panic!("the code is not in this table");
    }

    /// The number, as devices and the run log carry it.
    pub const fn code(self) -> u32 {
        self.info().code
    }

    /// The table the code comes from.
    pub const fn table(self) -> Table {
        self.table
    }

    /// The row: description, cause, troubleshooting.
    pub const fn info(self) -> &'static CodeInfo {
        &self.table.rows()[self.row as usize]
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Code({}, {:?})", self.code(), self.table)
    }
}

impl From<Code> for u32 {
    fn from(c: Code) -> u32 {
        c.code()
    }
}

/// The row of `code` in `table`, if the table has it.
pub fn lookup(code: u32, table: Table) -> Option<&'static CodeInfo> {
    table.rows().iter().find(|r| r.code == code)
}

/// Every meaning `code` has, one per table that lists it, in table order.
pub fn lookup_any(code: u32) -> Vec<&'static CodeInfo> {
    all().filter(|r| r.code == code).collect()
}

/// Every row of every table, in table order.
pub fn all() -> impl Iterator<Item = &'static CodeInfo> {
    Table::ALL.iter().flat_map(|t| t.rows())
}

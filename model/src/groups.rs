//! Device groups: a stable id with a unique name, and the devices that belong to it.
//!
//! A group outlives renames (the OTA chapter batches by group id), and deleting one leaves its
//! devices alone. Name rules, shared by the browser form and the server: the seed's console
//! chapter names groups without giving rules for them, so fleetdeck takes the limits the
//! registry already had for group strings: trimmed, 1–64 characters, no control characters,
//! unique (case-sensitive, so existing `device_groups` names migrate without collisions).

use serde::{Deserialize, Serialize};

use crate::csv_lines::{csv_lines, CsvLine};
use crate::registry::{CsvRowError, DeviceStatus};

/// Longest group name, in characters.
pub const MAX_GROUP_NAME: usize = 64;
/// Longest description, in characters.
pub const MAX_GROUP_DESCRIPTION: usize = 256;
/// Most devices one add/remove request may name (JSON or CSV): as many as a CSV device import.
pub const MAX_MEMBERS_PER_REQUEST: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    /// Stable: a rename keeps it (OTA batches and links refer to it).
    pub id: i64,
    pub name: String,
    pub description: String,
    /// Devices in the group.
    pub device_count: u64,
    /// Of those, how many are online now.
    pub online_count: u64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewGroup {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Rename and/or describe a group; only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateGroup {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// Filters for `GET /api/v1/groups`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct GroupQuery {
    /// Part of the name (case-insensitive).
    pub q: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

/// Filters for `GET /api/v1/groups/{id}/devices` (the device list's, within the group).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct GroupDevicesQuery {
    /// Prefix of the DeviceName.
    pub q: Option<String>,
    pub status: Option<DeviceStatus>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

/// A device named by its ProductKey and DeviceName.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberRef {
    pub product_key: String,
    pub device_name: String,
}

/// The devices to add to or remove from a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberChange {
    /// At most 10,000.
    pub devices: Vec<MemberRef>,
}

/// What happened to one named device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberOutcome {
    Added,
    /// Was in the group already (or named twice in the request): nothing changed.
    AlreadyMember,
    Removed,
    /// Was not in the group: nothing changed.
    NotMember,
    /// No such device in the registry.
    UnknownDevice,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberResult {
    pub product_key: String,
    pub device_name: String,
    pub outcome: MemberOutcome,
}

/// Per-device results of an add or remove: one bad name never fails the batch. A CSV's rows
/// that are not `ProductKey,DeviceName` are in `errors` (by line).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberReport {
    pub added: u32,
    pub removed: u32,
    pub already_member: u32,
    pub not_member: u32,
    pub unknown_device: u32,
    /// In request order.
    pub results: Vec<MemberResult>,
    #[serde(default)]
    pub errors: Vec<CsvRowError>,
}

impl MemberReport {
    /// A report of these results, counted.
    pub fn of(results: Vec<MemberResult>, errors: Vec<CsvRowError>) -> MemberReport {
        let mut r = MemberReport { errors, ..Default::default() };
        for x in &results {
            *match x.outcome {
                MemberOutcome::Added => &mut r.added,
                MemberOutcome::Removed => &mut r.removed,
                MemberOutcome::AlreadyMember => &mut r.already_member,
                MemberOutcome::NotMember => &mut r.not_member,
                MemberOutcome::UnknownDevice => &mut r.unknown_device,
            } += 1;
        }
        r.results = results;
        r
    }
}

/// Why a group name or description was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("a group name must be 1–64 characters without control characters")]
    Name,
    #[error("a group description must be at most 256 characters")]
    Description,
}

/// The name as stored: surrounding whitespace dropped.
pub fn normalize_group_name(name: &str) -> &str {
    name.trim()
}

/// Trimmed, 1–64 characters, no control characters (they would break CSV and the UI).
pub fn validate_group_name(name: &str) -> Result<(), GroupError> {
    let n = normalize_group_name(name);
    let len = n.chars().count();
    if (1..=MAX_GROUP_NAME).contains(&len) && !n.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(GroupError::Name)
    }
}

pub fn validate_group_description(d: &str) -> Result<(), GroupError> {
    if d.chars().count() <= MAX_GROUP_DESCRIPTION {
        Ok(())
    } else {
        Err(GroupError::Description)
    }
}

/// Parse a CSV of `ProductKey,DeviceName` lines (a header line is optional, blank lines are
/// skipped). Rows that are not two non-empty columns are errors by line, never a panic.
pub fn parse_member_csv(text: &str) -> (Vec<MemberRef>, Vec<CsvRowError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for CsvLine { line, raw, cols } in csv_lines(text, "productkey") {
        match cols.as_slice() {
            [pk, dn] if !pk.is_empty() && !dn.is_empty() => {
                rows.push(MemberRef { product_key: pk.to_string(), device_name: dn.to_string() })
            }
            _ => errors.push(CsvRowError {
                line,
                device_name: raw.chars().take(64).collect(),
                message: "expected ProductKey,DeviceName".into(),
            }),
        }
    }
    (rows, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_printable() {
        for ok in ["roof", " roof ", "楼顶-北区", &"x".repeat(64), "a"] {
            assert!(validate_group_name(ok).is_ok(), "{ok:?}");
        }
        for bad in ["", "   ", &"x".repeat(65), "a\nb", "tab\there"] {
            assert_eq!(validate_group_name(bad), Err(GroupError::Name), "{bad:?}");
        }
        assert_eq!(normalize_group_name("  north  "), "north");
        assert!(validate_group_description(&"d".repeat(256)).is_ok());
        assert_eq!(validate_group_description(&"d".repeat(257)), Err(GroupError::Description));
    }

    #[test]
    fn member_csv_takes_pairs_and_reports_the_rest_by_line() {
        let csv = "ProductKey,DeviceName\na1Pk,lamp-01\n\n a1Pk , \"lamp-02\" \nonly-one\na,b,c\n,x\n";
        let (rows, errors) = parse_member_csv(csv);
        let names: Vec<_> = rows.iter().map(|r| (r.product_key.as_str(), r.device_name.as_str())).collect();
        assert_eq!(names, [("a1Pk", "lamp-01"), ("a1Pk", "lamp-02")]);
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [5, 6, 7]);
    }

    #[test]
    fn a_report_counts_its_results() {
        let r = |o| MemberResult { product_key: "p".into(), device_name: "d".into(), outcome: o };
        let rep = MemberReport::of(
            vec![r(MemberOutcome::Added), r(MemberOutcome::Added), r(MemberOutcome::UnknownDevice)],
            vec![],
        );
        assert_eq!((rep.added, rep.unknown_device, rep.already_member), (2, 1, 0));
        assert_eq!(rep.results.len(), 3);
    }
}

//! Codes fleetdeck answers with where the seed has none for the case.

use super::{Code, CodeInfo, Table};

const T: Table = Table::Fleetdeck;

/// 6289: dynamic registration of a device that is already activated.
pub const ALREADY_ACTIVATED: Code = Code::new(6289, T);

/// The rows.
pub(super) const ROWS: &[CodeInfo] = &[CodeInfo::own(
    T,
    6289,
    "The device is already activated.",
    "A dynamic registration (`register`) names a device that has already connected. Its DeviceSecret is not \
     handed out again: otherwise anyone holding the ProductSecret could collect every device's secret.",
    "Use the DeviceSecret the device received at its first registration; the device's page in the console shows it.",
)];

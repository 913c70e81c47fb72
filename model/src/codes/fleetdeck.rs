//! Codes fleetdeck answers with where the seed has none for the case.

use super::{Code, CodeInfo, Table};

const T: Table = Table::Fleetdeck;

/// 6289: dynamic registration of a device that is already activated.
pub const ALREADY_ACTIVATED: Code = Code::new(6289, T);

/// 6290: a request on a topic whose feature this server does not have yet.
pub const NOT_SUPPORTED: Code = Code::new(6290, T);

/// The rows.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::own(
    T,
    6289,
    "The device is already activated.",
    "A dynamic registration (`register`) names a device that has already connected. Its DeviceSecret is not \
     handed out again: otherwise anyone holding the ProductSecret could collect every device's secret.",
    "Use the DeviceSecret the device received at its first registration; the device's page in the console shows it. \
     An operator can reset the device (Devices → the device → Reset) to let it register again.",
    ),
    CodeInfo::own(
        T,
        6290,
        "The request is not supported by this server yet.",
        "The topic is a valid Alink topic (OTA, remote configuration, sub-device registration), but the feature it \
         belongs to is not available on this fleetdeck server. The device gets this reply instead of waiting for one \
         that never comes.",
        "Update the server, or turn the feature off in the device's firmware.",
    ),
];

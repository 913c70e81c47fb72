//! The seed's "Subscription-related error codes".

use super::{Code, CodeInfo, Table};

const T: Table = Table::Subscription;

/// 9200: The device is inactive.
pub const DEVICE_INACTIVE: Code = Code::new(9200, T);
/// 500: An internal system error occurred.
pub const INTERNAL_ERROR: Code = Code::new(500, T);
/// 403: The request is forbidden.
pub const FORBIDDEN: Code = Code::new(403, T);

/// The rows in the seed's order.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::seed(
        T,
        9200,
        "The device is inactive.",
        "The device is not activated in the IoT Platform console. After a new device is registered, the device is \
         activated only after it is connected to IoT Platform and submits data to IoT Platform.",
        "Check the status of the device in the IoT Platform console.",
    ),
    CodeInfo::seed(
        T,
        500,
        "An internal system error occurred.",
        "An unknown error occurred in IoT Platform.",
        "Submit a ticket.",
    ),
    CodeInfo::seed(
        T,
        403,
        "The request is forbidden.",
        "Your account has overdue payments or the topic fails to be authenticated.",
        "Submit a ticket.",
    ),
];

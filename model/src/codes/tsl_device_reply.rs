//! The seed's "TSL-related error codes", third table: errors "generated when devices fail to respond to the
//! service calls and property configuration requests".

use super::{Code, CodeInfo, Table};

const T: Table = Table::TslDeviceReply;

/// 460: One or more parameters are invalid.
pub const INVALID_PARAMS: Code = Code::new(460, T);
/// 500: An internal system error occurred.
pub const INTERNAL_ERROR: Code = Code::new(500, T);
/// 400: A request error occurred.
pub const REQUEST_ERROR: Code = Code::new(400, T);
/// 429: An excessive number of requests are submitted within a period of time.
pub const TOO_MANY_REQUESTS: Code = Code::new(429, T);
/// 6452: A throttling error occurred.
pub const THROTTLED: Code = Code::new(6452, T);

/// The rows in the seed's order.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::seed(
        T,
        460,
        "One or more parameters are invalid.",
        "The request parameters are invalid.",
        "Submit a ticket.",
    )
    .fleetdeck(
        "fleetdeck answers an uplink with 460 when its request envelope has invalid parameters and when its topic \
         is not an Alink topic or not one the device may publish on (the topic being the first parameter).",
    ),
    CodeInfo::seed(
        T,
        500,
        "An internal system error occurred.",
        "An unknown error occurred in IoT Platform.",
        "Submit a ticket.",
    )
    .fleetdeck("fleetdeck answers 500 when its own storage fails while handling a message."),
    CodeInfo::seed(
        T,
        400,
        "A request error occurred.",
        "An unknown error occurred when IoT Platform called the service.",
        "Submit a ticket.",
    ),
    CodeInfo::seed(
        T,
        429,
        "An excessive number of requests are submitted within a period of time.",
        "Traffic throttling is triggered because an excessive number of requests are submitted within a period of \
         time.",
        "Submit a ticket.",
    ),
    CodeInfo::seed(
        T,
        6452,
        "A throttling error occurred.",
        "Traffic throttling is triggered because an excessive number of requests are submitted.",
        "Submit a ticket.",
    )
    .system(),
];

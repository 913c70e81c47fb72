//! The codes fleetdeck's device shadow answers with on `/shadow/get/{pk}/{dn}` (`errorcode` in the
//! reply's `content`). The seed has no shadow table; these are the meanings fleetdeck's shadow
//! handler gives them (after Alibaba's shadow codes).

use super::{Code, CodeInfo, Table};

const T: Table = Table::DeviceShadow;

/// 400: the shadow request is not JSON.
pub const BAD_JSON: Code = Code::new(400, T);
/// 401: an update without a `state`.
pub const NO_STATE: Code = Code::new(401, T);
/// 403: the request has no `method`.
pub const NO_METHOD: Code = Code::new(403, T);
/// 406: the `method` is not `update`, `get` or `delete`.
pub const BAD_METHOD: Code = Code::new(406, T);
/// 409: the update's version is not above the stored one.
pub const VERSION_CONFLICT: Code = Code::new(409, T);
/// 500: the server failed to read or write the shadow.
pub const SERVER_ERROR: Code = Code::new(500, T);

const CHECK_PAYLOAD: &str = "Check the payload the device publishes to /shadow/update/{pk}/{dn}.";

/// The rows.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::own(
        T,
        400,
        "The shadow request is not valid JSON.",
        "The payload could not be parsed as JSON.",
        CHECK_PAYLOAD,
    ),
    CodeInfo::own(
        T,
        401,
        "The shadow request lacks its state.",
        "An update carries no `state` object (or a malformed one).",
        CHECK_PAYLOAD,
    ),
    CodeInfo::own(T, 403, "The shadow request lacks its method.", "The payload has no `method` field.", CHECK_PAYLOAD),
    CodeInfo::own(
        T,
        406,
        "The shadow method is unknown.",
        "`method` is not one of `update`, `get` and `delete`.",
        CHECK_PAYLOAD,
    ),
    CodeInfo::own(
        T,
        409,
        "The shadow version conflicts.",
        "The update carries a version that is not above the stored one.",
        "Let the device get the shadow, then update with a higher version or without a version.",
    ),
    CodeInfo::own(
        T,
        500,
        "The shadow could not be read or stored.",
        "The server failed while reading or writing the shadow.",
        "Check the server log around the time of the request.",
    ),
];

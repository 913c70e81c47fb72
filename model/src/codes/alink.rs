//! Codes of the Alink reply envelope that the seed has no table for (`ALINK.md`, "Reply").

use super::{Code, CodeInfo, Table};

const T: Table = Table::Alink;

/// 200: the request succeeded.
pub const SUCCESS: Code = Code::new(200, T);

/// The rows.
pub(super) const ROWS: &[CodeInfo] = &[CodeInfo::own(
    T,
    200,
    "The request succeeded.",
    "`code` 200 in a reply means success; any other Alink code is an error (ALINK.md, \"Reply\").",
    "",
)];

//! The seed's "Topology-related error codes".

use super::{Code, CodeInfo, Table};

const T: Table = Table::Topology;

/// 5005: An error occurred when you queried the product information.
pub const PRODUCT_NOT_FOUND: Code = Code::new(5005, T);

/// The rows in the seed's order.
pub(super) const ROWS: &[CodeInfo] = &[CodeInfo::seed(
    T,
    5005,
    "An error occurred when you queried the product information.",
    "The specified product does not exist.",
    "Log on to the IoT Platform console and choose Devices > Products. On the page that appears, query the \
         product information and check whether the ProductKey exists.",
)
.fleetdeck(
    "fleetdeck also answers 5005 to a CONNECT or dynamic registration for a ProductKey that does not exist; \
         the seed lists the code only among topology errors.",
)];

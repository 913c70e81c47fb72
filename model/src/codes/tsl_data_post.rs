//! The seed's "TSL-related error codes", second table: errors "generated when devices fail to submit property
//! and event data".

use super::{Code, CodeInfo, Table};

const T: Table = Table::TslDataPost;

/// 6106: The number of properties submitted by the device exceeds the limit.
pub const PROPERTY_POST_TOO_MANY: Code = Code::new(6106, T);
/// 6300: The method parameter does not exist when IoT Platform verifies the input parameters based on the TSL
/// model.
pub const METHOD_MISSING: Code = Code::new(6300, T);
/// 6320: The property information does not exist when IoT Platform verifies the input parameters based on the TSL
/// model.
pub const PROPERTY_NOT_FOUND: Code = Code::new(6320, T);
/// 6450: The method parameter does not exist in the Alink JSON data.
pub const ALINK_METHOD_MISSING: Code = Code::new(6450, T);
/// 6207: The data format is invalid.
pub const DATA_FORMAT_INVALID: Code = Code::new(6207, T);
/// 6452: A throttling error occurred.
pub const THROTTLED: Code = Code::new(6452, T);
/// 6760: The storage quota of the tenant is exceeded.
pub const STORAGE_QUOTA_EXCEEDED: Code = Code::new(6760, T);

/// The rows in the seed's order.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::seed(
        T,
        6106,
        "The number of properties submitted by the device exceeds the limit.",
        "A device can submit a maximum of 200 properties at a time.",
        "View the IoT Platform logs about device property reporting and check the number of properties that are \
         submitted by the device. You can also check the submitted data by viewing the on-premises device logs.",
    ),
    CodeInfo::seed(
        T,
        6300,
        "The method parameter does not exist when IoT Platform verifies the input parameters based on the TSL \
         model.",
        "The method parameter that is required by the Alink protocol does not exist in the input parameters. The \
         input parameters can be the device-submitted standard Alink data or the parsing result of custom data \
         submitted by the device.",
        "View the IoT Platform logs about device property reporting and check the data submitted by the device. \
         You can also view the on-premises device logs and check the submitted data.",
    ),
    CodeInfo::seed(
        T,
        6320,
        "The property information does not exist when IoT Platform verifies the input parameters based on the TSL \
         model.",
        "The specified property failed to be found when the system queried the TSL data of the device.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, check whether the \
         specified property is defined in the TSL model. If the property is not defined, define the property.",
    ),
    CodeInfo::seed(
        T,
        6450,
        "The method parameter does not exist in the Alink JSON data.",
        "The method parameter does not exist in the standard Alink data. The standard Alink data can be directly \
         submitted by the device or converted from custom data submitted by the device.",
        "View the IoT Platform logs about device property reporting, and check whether the submitted data includes \
         the method parameter. You can also view the on-premises device logs.",
    ),
    CodeInfo::seed(
        T,
        6207,
        "The data format is invalid.",
        "This error may occur when IoT Platform synchronously calls a service or when the device submits data. \
         When the device submits data, this error may occur because the Alink data submitted by the device or the \
         data parsed by using the script is not in the JSON format.",
        "For more information about the data format required by the Alink protocol, see Alink protocol. You must \
         use the required data format to submit data.",
    ),
    CodeInfo::seed(
        T,
        6452,
        "A throttling error occurred.",
        "Traffic throttling is triggered because excessive requests are submitted.",
        "Submit a ticket.",
    )
    .system(),
    CodeInfo::seed(
        T,
        6760,
        "The storage quota of the tenant is exceeded.",
        "A system exception occurred.",
        "Submit a ticket.",
    )
    .system(),
];

//! The seed's "TSL-related error codes", fourth table: "the common TSL-related error codes", from checking
//! service input, property data and event input against the model.

use super::{Code, CodeInfo, Table, SUBMIT_TICKET, SYSTEM_CAUSE};

const T: Table = Table::TslCommon;

/// 6321: The identifier of the property does not exist in the TSL model.
pub const PROPERTY_IDENTIFIER_NOT_FOUND: Code = Code::new(6321, T);
/// 6317: The TSL model is invalid.
pub const MODEL_INVALID: Code = Code::new(6317, T);
/// 6332: The input parameter does not conform to the TSL definitions.
pub const INPUT_NOT_CONFORMING: Code = Code::new(6332, T);
/// 6302: The parameter does not exist.
pub const PARAM_MISSING: Code = Code::new(6302, T);
/// 6306: The input parameter does not match the integer data type that is defined in the TSL model.
pub const INT_MISMATCH: Code = Code::new(6306, T);
/// 6307: The input parameter does not match the 32-bit float data type that is defined in the TSL model.
pub const FLOAT_MISMATCH: Code = Code::new(6307, T);
/// 6322: The input parameter does not match the 64-bit float data type that is defined in the TSL model.
pub const DOUBLE_MISMATCH: Code = Code::new(6322, T);
/// 6308: The input parameter does not match the Boolean data type that is defined in the TSL model.
pub const BOOL_MISMATCH: Code = Code::new(6308, T);
/// 6309: The input parameter does not match the enum data type that is defined in the TSL model.
pub const ENUM_MISMATCH: Code = Code::new(6309, T);
/// 6310: The input parameter does not match the text data type that is defined in the TSL model.
pub const TEXT_MISMATCH: Code = Code::new(6310, T);
/// 6311: The input parameter does not match the date data type that is defined in the TSL model.
pub const DATE_MISMATCH: Code = Code::new(6311, T);
/// 6312: The input parameter does not meet requirements of the structure data type defined in the TSL model.
pub const STRUCT_MISMATCH: Code = Code::new(6312, T);
/// 6304: The input parameter does not exist in the TSL structure.
pub const PARAM_UNKNOWN: Code = Code::new(6304, T);
/// 6324: The input parameter does not match the array data type that is defined in the TSL model.
pub const ARRAY_MISMATCH: Code = Code::new(6324, T);
/// 6328: The input parameter is not an array.
pub const NOT_AN_ARRAY: Code = Code::new(6328, T);
/// 6325: The data type of elements in the array is not supported by IoT Platform.
pub const ARRAY_ITEM_UNSUPPORTED: Code = Code::new(6325, T);
/// 6318: A system exception occurred when IoT Platform parsed the TSL data.
pub const TSL_PARSE_FAILED: Code = Code::new(6318, T);
/// 6329: An error occurred when IoT Platform parsed the array data in the TSL model.
pub const ARRAY_PARSE_FAILED: Code = Code::new(6329, T);
/// 6323: The data format of the parameter in the TSL model is invalid.
pub const PARAM_FORMAT_INVALID: Code = Code::new(6323, T);
/// 6316: An error occurred when IoT Platform parsed the parameter in the TSL model.
pub const PARAM_PARSE_FAILED: Code = Code::new(6316, T);
/// 6314: The data type of the parameter in the TSL model is not supported.
pub const TYPE_UNSUPPORTED: Code = Code::new(6314, T);
/// 6301: An error occurred when IoT Platform verified the data format of the input parameters based on the TSL
/// model.
pub const PARAM_FORMAT_CHECK_FAILED: Code = Code::new(6301, T);

/// The rows in the seed's order.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::seed(
        T,
        6321,
        "The identifier of the property does not exist in the TSL model.",
        "A system exception occurred.",
        "Submit a ticket.",
    ),
    CodeInfo::seed(T, 6317, "The TSL model is invalid.", "A system exception occurred.", "Submit a ticket."),
    CodeInfo::seed(
        T,
        6332,
        "The input parameter does not conform to the TSL definitions.",
        "The input parameters must conform to the TSL definitions.",
        "Go to the Product Details page of the IoT Platform console. View the TSL model on the Define Feature tab. \
         Check the input parameters.",
    )
    .fleetdeck(
        "fleetdeck also reports 6332 for setting a read-only property and for an input that fails no more specific \
         check.",
    ),
    CodeInfo::seed(
        T,
        6302,
        "The parameter does not exist.",
        "IoT Platform failed to verify the input parameters of the service based on the TSL model because the \
         parameters were not found in the request.",
        "Go to the Product Details page of the IoT Platform console. View the TSL model on the Define Feature tab. \
         Check the input parameters of the service in the TSL model and make sure that all required parameters are \
         configured.",
    ),
    CodeInfo::seed(
        T,
        6306,
        "The input parameter does not match the integer data type that is defined in the TSL model.",
        "When IoT Platform verifies a parameter based on the TSL model, the following errors may occur: The data \
         type of the parameter is different from the data type that is defined in the TSL model. The parameter \
         value is not in the defined range of the TSL model.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, view the TSL model \
         and make sure that the data type of the input parameter is the same as the data type defined in the TSL \
         model.",
    ),
    CodeInfo::seed(
        T,
        6307,
        "The input parameter does not match the 32-bit float data type that is defined in the TSL model.",
        "When IoT Platform verifies a parameter based on the TSL model, the following errors may occur: The data \
         type of the parameter is different from the data type that is defined in the TSL model. The parameter \
         value is not in the defined range of the TSL model.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, view the TSL \
         model. Make sure that the data type of the input parameter is the same as the defined data type and the \
         parameter value is in the defined value range.",
    ),
    CodeInfo::seed(
        T,
        6322,
        "The input parameter does not match the 64-bit float data type that is defined in the TSL model.",
        "When IoT Platform verifies a parameter based on the TSL model, the following errors may occur: The data \
         type of the parameter is different from the data type that is defined in the TSL model. The parameter \
         value is not in the defined range of the TSL model.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, view the TSL \
         model. Make sure that the data type of the input parameter is the same as the defined data type and the \
         parameter value is in the defined value range.",
    ),
    CodeInfo::seed(
        T,
        6308,
        "The input parameter does not match the Boolean data type that is defined in the TSL model.",
        "When IoT Platform verifies a parameter based on the TSL model, the following errors may occur: The data \
         type of the parameter is different from the data type that is defined in the TSL model. The parameter \
         value is not in the defined range of the TSL model.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, view the TSL model \
         and make sure that the input parameter meets the requirements of the data type defined in the TSL model.",
    ),
    CodeInfo::seed(
        T,
        6309,
        "The input parameter does not match the enum data type that is defined in the TSL model.",
        "The data type of the parameter is different from the data type defined in the TSL model.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, view the TSL \
         model. Make sure that the data type of the input parameter is the same as the defined data type.",
    ),
    CodeInfo::seed(
        T,
        6310,
        "The input parameter does not match the text data type that is defined in the TSL model.",
        "When IoT Platform verifies a parameter based on the TSL model, the following errors may occur: The data \
         type of the parameter is different from the data type that is defined in the TSL model. The length of the \
         parameter exceeds the limit defined in the TSL model.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, view the TSL \
         model. Make sure that the input parameter meets the requirements of the defined data type.",
    ),
    CodeInfo::seed(
        T,
        6311,
        "The input parameter does not match the date data type that is defined in the TSL model.",
        "When IoT Platform verifies a parameter based on the TSL model, the following errors may occur: The data \
         type of the parameter is different from the data type defined in the TSL model. The input date parameter \
         is not a UTC timestamp.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, view the TSL \
         model. Make sure that the input parameter meets the requirements of the defined data type.",
    ),
    CodeInfo::seed(
        T,
        6312,
        "The input parameter does not meet requirements of the structure data type defined in the TSL model.",
        "When IoT Platform verifies a parameter based on the TSL model, the following errors may occur: The data \
         type of the parameter is different from the data type defined in the TSL model. The number of the \
         parameters in a structure is different from the number defined in the TSL model.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, view the TSL model \
         and make sure that the data type of the input parameter is the same as the data type that is defined in \
         the TSL model.",
    ),
    CodeInfo::seed(
        T,
        6304,
        "The input parameter does not exist in the TSL structure.",
        "IoT Platform failed to verify the input parameters based on the TSL model because the input parameters \
         failed to be found in the structure.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, view the TSL model \
         and make sure that the input parameter exists in the defined structure data type.",
    ),
    CodeInfo::seed(
        T,
        6324,
        "The input parameter does not match the array data type that is defined in the TSL model.",
        "When IoT Platform verifies a parameter based on the TSL model, the following errors may occur: The \
         elements in the array do not conform to the array syntax defined in the TSL model. The number of elements \
         in the array exceeds the maximum number defined in the TSL model.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, view the TSL model \
         and check the array syntax that is defined in the TSL model. View the upstream message logs to check the \
         number of array elements in the data submitted by the device.",
    ),
    CodeInfo::seed(
        T,
        6328,
        "The input parameter is not an array.",
        "The input parameter is not an array when IoT Platform verifies the parameter based on the TSL model.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, view the TSL model \
         and check the service parameter of the array data type. Make sure that the data type of the input \
         parameter is array.",
    ),
    CodeInfo::seed(
        T,
        6325,
        "The data type of elements in the array is not supported by IoT Platform.",
        "The input parameter failed to be verified based on the TSL model because the data type of elements in the \
         array is not supported. Only the following data types of elements are supported: int32, float, double, \
         text, and struct.",
        "Make sure that the data type of elements is supported by IoT Platform.",
    ),
    CodeInfo::seed(
        T,
        6318,
        "A system exception occurred when IoT Platform parsed the TSL data.",
        SYSTEM_CAUSE,
        SUBMIT_TICKET,
    )
    .system(),
    CodeInfo::seed(
        T,
        6329,
        "An error occurred when IoT Platform parsed the array data in the TSL model.",
        SYSTEM_CAUSE,
        SUBMIT_TICKET,
    )
    .system(),
    CodeInfo::seed(
        T,
        6323,
        "The data format of the parameter in the TSL model is invalid.",
        "A system exception occurred.",
        "Submit a ticket.",
    )
    .system(),
    CodeInfo::seed(
        T,
        6316,
        "An error occurred when IoT Platform parsed the parameter in the TSL model.",
        SYSTEM_CAUSE,
        SUBMIT_TICKET,
    )
    .system(),
    CodeInfo::seed(
        T,
        6314,
        "The data type of the parameter in the TSL model is not supported.",
        SYSTEM_CAUSE,
        SUBMIT_TICKET,
    )
    .system(),
    CodeInfo::seed(
        T,
        6301,
        "An error occurred when IoT Platform verified the data format of the input parameters based on the TSL \
         model.",
        SYSTEM_CAUSE,
        SUBMIT_TICKET,
    )
    .system(),
];

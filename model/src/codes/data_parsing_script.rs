//! The seed's "TSL-related error codes", "Data parsing script-related error codes".

use super::{Code, CodeInfo, Table};

const T: Table = Table::DataParsingScript;

/// 26010: Traffic throttling is triggered because an excessive number of requests are submitted.
pub const THROTTLED: Code = Code::new(26010, T);
/// 26001: The content of the script is empty.
pub const SCRIPT_EMPTY: Code = Code::new(26001, T);
/// 26002: An exception occurred when IoT Platform ran the script.
pub const SCRIPT_EXCEPTION: Code = Code::new(26002, T);
/// 26003: A timeout error occurred when you ran the script.
pub const SCRIPT_TIMEOUT: Code = Code::new(26003, T);
/// 26006: The required method does not exist in the script.
pub const SCRIPT_METHOD_MISSING: Code = Code::new(26006, T);
/// 26007: The returned data format is invalid after data parsing.
pub const SCRIPT_RESULT_INVALID: Code = Code::new(26007, T);

/// The rows in the seed's order.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::seed(
        T,
        26010,
        "Traffic throttling is triggered because an excessive number of requests are submitted.",
        "An excessive number of requests were submitted within a period of time.",
        "Submit a ticket.",
    ),
    CodeInfo::seed(
        T,
        26001,
        "The content of the script is empty.",
        "IoT Platform fails to obtain and run the script because the script content is empty.",
        "Go to the Product Details page of the IoT Platform console, and check whether the data parsing script \
         exists. If the script exists, check whether the script is saved. The script cannot be a draft.",
    ),
    CodeInfo::seed(
        T,
        26002,
        "An exception occurred when IoT Platform ran the script.",
        "The script runs as expected but the script content is invalid. For example, the script contains syntax \
         errors.",
        "Log on to the IoT Platform console, use the same parameters to run the script for debugging, and then \
         modify the script. Notice: The console provides a basic script running environment but does not verify \
         the script. We recommend that you check the script on premises before you save it.",
    ),
    CodeInfo::seed(
        T,
        26003,
        "A timeout error occurred when you ran the script.",
        "The logic in the script was too complex and the data failed to be parsed within the timeout period of 3 \
         seconds.",
        "View the script content in the console and check the logic. Make sure that the script does not contain \
         infinite loops. We recommend that you check the script on premises before you save it.",
    ),
    CodeInfo::seed(
        T,
        26006,
        "The required method does not exist in the script.",
        "The script runs as expected but the script content is invalid. The script must contain the \
         `protocolToRawData()` and `rawDataToProtocol()` methods. This error occurs if one of these two methods \
         does not exist.",
        "Go to the Product Details page of the IoT Platform console and check whether the `protocolToRawData()` \
         and `rawDataToProtocol()` methods exist.",
    ),
    CodeInfo::seed(
        T,
        26007,
        "The returned data format is invalid after data parsing.",
        "The script runs as expected but the format of the returned data is invalid. The script must contain the \
         `protocolToRawData()` and `rawDataToProtocol()` methods. The `protocolToRawData()` method returns a \
         `byte[]` array. The `rawDataToProtocol()` method returns a JSON object. This error occurs if the returned \
         data is not in the required format. For example, after a device submits data to IoT Platform, IoT \
         Platform sends a response to the device. The returned data must also be parsed. Otherwise, the format of \
         the returned data may be invalid.",
        "Check the script in the IoT Platform console. Enter the input parameters, run the script on premises, and \
         check whether the data format of the returned result is valid.",
    ),
];

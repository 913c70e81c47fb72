//! The seed's TSL-related error codes ("TSL-related error codes" in the maintenance guide).
//!
//! Validation in this module returns these numbers unchanged so an operator can look a code up
//! in the guide they already know; the browser shows [`description`] next to the number.

/// A device posted more than 200 properties in one message.
pub const PROPERTY_POST_TOO_MANY: u32 = 6106;
/// The `method` parameter is missing when the input is checked against the model.
pub const METHOD_MISSING: u32 = 6300;
/// Checking the data format of the input parameters failed.
pub const PARAM_FORMAT_CHECK_FAILED: u32 = 6301;
/// A parameter the model requires is missing.
pub const PARAM_MISSING: u32 = 6302;
/// The input parameter does not exist in the TSL structure.
pub const PARAM_UNKNOWN: u32 = 6304;
/// The value does not match the int (int32) type or is out of range.
pub const INT_MISMATCH: u32 = 6306;
/// The value does not match the 32-bit float type or is out of range.
pub const FLOAT_MISMATCH: u32 = 6307;
/// The value does not match the bool type.
pub const BOOL_MISMATCH: u32 = 6308;
/// The value does not match the enum type.
pub const ENUM_MISMATCH: u32 = 6309;
/// The value does not match the text type or is too long.
pub const TEXT_MISMATCH: u32 = 6310;
/// The value does not match the date type (UTC milliseconds).
pub const DATE_MISMATCH: u32 = 6311;
/// The value does not match the struct type (wrong type or wrong number of fields).
pub const STRUCT_MISMATCH: u32 = 6312;
/// The data type in the model is not supported.
pub const TYPE_UNSUPPORTED: u32 = 6314;
/// Parsing a parameter of the model failed.
pub const PARAM_PARSE_FAILED: u32 = 6316;
/// The model itself is invalid.
pub const MODEL_INVALID: u32 = 6317;
/// System exception while parsing TSL data.
pub const TSL_PARSE_FAILED: u32 = 6318;
/// A device posted a property that is not in the model.
pub const PROPERTY_NOT_FOUND: u32 = 6320;
/// The identifier of the property does not exist in the model.
pub const PROPERTY_IDENTIFIER_NOT_FOUND: u32 = 6321;
/// The value does not match the 64-bit float (double) type or is out of range.
pub const DOUBLE_MISMATCH: u32 = 6322;
/// The data format of a parameter in the model is invalid.
pub const PARAM_FORMAT_INVALID: u32 = 6323;
/// The value does not match the array type (too many elements or a bad element).
pub const ARRAY_MISMATCH: u32 = 6324;
/// The array's element type is not one of int, float, double, text, struct.
pub const ARRAY_ITEM_UNSUPPORTED: u32 = 6325;
/// The value is not an array.
pub const NOT_AN_ARRAY: u32 = 6328;
/// Parsing array data of the model failed.
pub const ARRAY_PARSE_FAILED: u32 = 6329;
/// The value does not match the Long type.
pub const LONG_MISMATCH: u32 = 6330;
/// The input parameter does not conform to the TSL definitions (e.g. setting a read-only property).
pub const INPUT_NOT_CONFORMING: u32 = 6332;
/// The device's reply to a property set carried a non-empty `data`.
pub const SET_REPLY_NOT_EMPTY: u32 = 6335;
/// The `method` parameter is missing in the Alink JSON data.
pub const ALINK_METHOD_MISSING: u32 = 6450;
/// A console-side (up/downstream) property is not in the model.
pub const PROPERTY_NOT_IN_MODEL: u32 = 5092;
/// The service is not in the model.
pub const SERVICE_NOT_IN_MODEL: u32 = 5094;
/// The event is not in the model.
pub const EVENT_NOT_IN_MODEL: u32 = 5096;
/// The custom module (`{module}:{identifier}`) does not exist.
pub const MODULE_NOT_FOUND: u32 = 5490;
/// The data parsing script does not exist.
pub const SCRIPT_MISSING: u32 = 6200;
/// The data parsing script returned an empty result.
pub const SCRIPT_RESULT_EMPTY: u32 = 6201;
/// Calling the service failed.
pub const SERVICE_CALL_FAILED: u32 = 6205;
/// Querying the service failed (it does not exist).
pub const SERVICE_QUERY_FAILED: u32 = 6206;
/// The data format is invalid (not JSON / not Alink).
pub const DATA_FORMAT_INVALID: u32 = 6207;
/// The device is disabled.
pub const DEVICE_DISABLED: u32 = 6208;
/// The device is not activated.
pub const DEVICE_NOT_ACTIVATED: u32 = 9200;
/// The device is offline.
pub const DEVICE_OFFLINE: u32 = 9201;
/// The sub-device cannot be reached because its gateway is offline.
pub const GATEWAY_OFFLINE: u32 = 9389;

/// Every code [`description`] knows, in ascending order (for tests and a help page).
pub const ALL: &[u32] = &[
    PROPERTY_NOT_IN_MODEL,
    SERVICE_NOT_IN_MODEL,
    EVENT_NOT_IN_MODEL,
    MODULE_NOT_FOUND,
    PROPERTY_POST_TOO_MANY,
    SCRIPT_MISSING,
    SCRIPT_RESULT_EMPTY,
    SERVICE_CALL_FAILED,
    SERVICE_QUERY_FAILED,
    DATA_FORMAT_INVALID,
    DEVICE_DISABLED,
    METHOD_MISSING,
    PARAM_FORMAT_CHECK_FAILED,
    PARAM_MISSING,
    PARAM_UNKNOWN,
    INT_MISMATCH,
    FLOAT_MISMATCH,
    BOOL_MISMATCH,
    ENUM_MISMATCH,
    TEXT_MISMATCH,
    DATE_MISMATCH,
    STRUCT_MISMATCH,
    TYPE_UNSUPPORTED,
    PARAM_PARSE_FAILED,
    MODEL_INVALID,
    TSL_PARSE_FAILED,
    PROPERTY_NOT_FOUND,
    PROPERTY_IDENTIFIER_NOT_FOUND,
    DOUBLE_MISMATCH,
    PARAM_FORMAT_INVALID,
    ARRAY_MISMATCH,
    ARRAY_ITEM_UNSUPPORTED,
    NOT_AN_ARRAY,
    ARRAY_PARSE_FAILED,
    LONG_MISMATCH,
    INPUT_NOT_CONFORMING,
    SET_REPLY_NOT_EMPTY,
    ALINK_METHOD_MISSING,
    DEVICE_NOT_ACTIVATED,
    DEVICE_OFFLINE,
    GATEWAY_OFFLINE,
];

/// The seed's description of `code` (its "Description" column), or a generic sentence for a
/// code that is not TSL-related.
pub fn description(code: u32) -> &'static str {
    match code {
        PROPERTY_POST_TOO_MANY => "The number of properties submitted by the device exceeds the limit (200).",
        METHOD_MISSING => "The method parameter does not exist when IoT Platform verifies the input parameters based on the TSL model.",
        PARAM_FORMAT_CHECK_FAILED => "An error occurred when IoT Platform verified the data format of the input parameters based on the TSL model.",
        PARAM_MISSING => "The parameter does not exist.",
        PARAM_UNKNOWN => "The input parameter does not exist in the TSL structure.",
        INT_MISMATCH => "The input parameter does not match the integer data type that is defined in the TSL model.",
        FLOAT_MISMATCH => "The input parameter does not match the 32-bit float data type that is defined in the TSL model.",
        BOOL_MISMATCH => "The input parameter does not match the Boolean data type that is defined in the TSL model.",
        ENUM_MISMATCH => "The input parameter does not match the enum data type that is defined in the TSL model.",
        TEXT_MISMATCH => "The input parameter does not match the text data type that is defined in the TSL model.",
        DATE_MISMATCH => "The input parameter does not match the date data type that is defined in the TSL model.",
        STRUCT_MISMATCH => "The input parameter does not meet requirements of the structure data type defined in the TSL model.",
        TYPE_UNSUPPORTED => "The data type of the parameter in the TSL model is not supported.",
        PARAM_PARSE_FAILED => "An error occurred when IoT Platform parsed the parameter in the TSL model.",
        MODEL_INVALID => "The TSL model is invalid.",
        TSL_PARSE_FAILED => "A system exception occurred when IoT Platform parsed the TSL data.",
        PROPERTY_NOT_FOUND => "The property information does not exist when IoT Platform verifies the input parameters based on the TSL model.",
        PROPERTY_IDENTIFIER_NOT_FOUND => "The identifier of the property does not exist in the TSL model.",
        DOUBLE_MISMATCH => "The input parameter does not match the 64-bit float data type that is defined in the TSL model.",
        PARAM_FORMAT_INVALID => "The data format of the parameter in the TSL model is invalid.",
        ARRAY_MISMATCH => "The input parameter does not match the array data type that is defined in the TSL model.",
        ARRAY_ITEM_UNSUPPORTED => "The data type of elements in the array is not supported by IoT Platform (only int32, float, double, text and struct).",
        NOT_AN_ARRAY => "The input parameter is not an array.",
        ARRAY_PARSE_FAILED => "An error occurred when IoT Platform parsed the array data in the TSL model.",
        LONG_MISMATCH => "The data format does not conform to the defined format of the Long type.",
        INPUT_NOT_CONFORMING => "The input parameter does not conform to the TSL definitions.",
        SET_REPLY_NOT_EMPTY => "The parameter in the message that the device submits as a response to the property configuration request is not empty.",
        ALINK_METHOD_MISSING => "The method parameter does not exist in the Alink JSON data.",
        PROPERTY_NOT_IN_MODEL => "The property does not exist in the TSL model.",
        SERVICE_NOT_IN_MODEL => "The service does not exist in the TSL model.",
        EVENT_NOT_IN_MODEL => "The event does not exist in the TSL model.",
        MODULE_NOT_FOUND => "The specified TSL module does not exist.",
        SCRIPT_MISSING => "The script does not exist.",
        SCRIPT_RESULT_EMPTY => "The parsing result is empty.",
        SERVICE_CALL_FAILED => "An error occurred when IoT Platform called the service.",
        SERVICE_QUERY_FAILED => "An error occurred when you queried the service.",
        DATA_FORMAT_INVALID => "The data format is invalid.",
        DEVICE_DISABLED => "The device is disabled.",
        DEVICE_NOT_ACTIVATED => "The device is not activated.",
        DEVICE_OFFLINE => "The device is disconnected.",
        GATEWAY_OFFLINE => "The sub-device fails to send messages because the gateway is offline.",
        _ => "Unknown error code.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code the brief lists (from the seed's TSL tables) has its own description.
    #[test]
    fn every_seed_code_is_described() {
        let listed = [
            6106, 6300, 6301, 6302, 6304, 6306, 6307, 6308, 6309, 6310, 6311, 6312, 6314, 6316, 6317, 6318, 6320, 6321,
            6322, 6323, 6324, 6325, 6328, 6329, 6330, 6332, 6335, 6450, 5092, 5094, 5096, 5490, 6200, 6201, 6205, 6206,
            6207, 6208, 9200, 9201, 9389,
        ];
        for code in listed {
            assert!(ALL.contains(&code), "{code} missing from ALL");
            assert_ne!(description(code), description(0), "{code} has no description");
        }
        assert_eq!(ALL.len(), listed.len());
        assert!(ALL.windows(2).all(|w| w[0] < w[1]), "ALL must be ascending without duplicates");
        assert_eq!(description(1), "Unknown error code.");
    }
}

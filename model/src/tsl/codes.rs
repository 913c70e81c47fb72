//! The seed's TSL-related error codes ("TSL-related error codes" in the maintenance guide) as the
//! numbers validation returns.
//!
//! Validation in this module returns these numbers unchanged so an operator can look a code up
//! in the guide they already know; the browser shows [`description`] next to the number. Each is
//! derived from its row in [`crate::codes`], which holds the text and the table it comes from.

use crate::codes::{lookup, tsl_common, tsl_data_post, tsl_service_call, Table};

/// A device posted more than 200 properties in one message.
pub const PROPERTY_POST_TOO_MANY: u32 = tsl_data_post::PROPERTY_POST_TOO_MANY.code();
/// The `method` parameter is missing when the input is checked against the model.
pub const METHOD_MISSING: u32 = tsl_data_post::METHOD_MISSING.code();
/// Checking the data format of the input parameters failed.
pub const PARAM_FORMAT_CHECK_FAILED: u32 = tsl_common::PARAM_FORMAT_CHECK_FAILED.code();
/// A parameter the model requires is missing.
pub const PARAM_MISSING: u32 = tsl_common::PARAM_MISSING.code();
/// The input parameter does not exist in the TSL structure.
pub const PARAM_UNKNOWN: u32 = tsl_common::PARAM_UNKNOWN.code();
/// The value does not match the int (int32) type or is out of range.
pub const INT_MISMATCH: u32 = tsl_common::INT_MISMATCH.code();
/// The value does not match the 32-bit float type or is out of range.
pub const FLOAT_MISMATCH: u32 = tsl_common::FLOAT_MISMATCH.code();
/// The value does not match the bool type.
pub const BOOL_MISMATCH: u32 = tsl_common::BOOL_MISMATCH.code();
/// The value does not match the enum type.
pub const ENUM_MISMATCH: u32 = tsl_common::ENUM_MISMATCH.code();
/// The value does not match the text type or is too long.
pub const TEXT_MISMATCH: u32 = tsl_common::TEXT_MISMATCH.code();
/// The value does not match the date type (UTC milliseconds).
pub const DATE_MISMATCH: u32 = tsl_common::DATE_MISMATCH.code();
/// The value does not match the struct type (wrong type or wrong number of fields).
pub const STRUCT_MISMATCH: u32 = tsl_common::STRUCT_MISMATCH.code();
/// The data type in the model is not supported.
pub const TYPE_UNSUPPORTED: u32 = tsl_common::TYPE_UNSUPPORTED.code();
/// Parsing a parameter of the model failed.
pub const PARAM_PARSE_FAILED: u32 = tsl_common::PARAM_PARSE_FAILED.code();
/// The model itself is invalid.
pub const MODEL_INVALID: u32 = tsl_common::MODEL_INVALID.code();
/// System exception while parsing TSL data.
pub const TSL_PARSE_FAILED: u32 = tsl_common::TSL_PARSE_FAILED.code();
/// A device posted a property that is not in the model.
pub const PROPERTY_NOT_FOUND: u32 = tsl_data_post::PROPERTY_NOT_FOUND.code();
/// The identifier of the property does not exist in the model.
pub const PROPERTY_IDENTIFIER_NOT_FOUND: u32 = tsl_common::PROPERTY_IDENTIFIER_NOT_FOUND.code();
/// The value does not match the 64-bit float (double) type or is out of range.
pub const DOUBLE_MISMATCH: u32 = tsl_common::DOUBLE_MISMATCH.code();
/// The data format of a parameter in the model is invalid.
pub const PARAM_FORMAT_INVALID: u32 = tsl_common::PARAM_FORMAT_INVALID.code();
/// The value does not match the array type (too many elements or a bad element).
pub const ARRAY_MISMATCH: u32 = tsl_common::ARRAY_MISMATCH.code();
/// The array's element type is not one of int, float, double, text, struct.
pub const ARRAY_ITEM_UNSUPPORTED: u32 = tsl_common::ARRAY_ITEM_UNSUPPORTED.code();
/// The value is not an array.
pub const NOT_AN_ARRAY: u32 = tsl_common::NOT_AN_ARRAY.code();
/// Parsing array data of the model failed.
pub const ARRAY_PARSE_FAILED: u32 = tsl_common::ARRAY_PARSE_FAILED.code();
/// The value does not match the Long type.
pub const LONG_MISMATCH: u32 = tsl_service_call::LONG_MISMATCH.code();
/// The input parameter does not conform to the TSL definitions (e.g. setting a read-only property).
pub const INPUT_NOT_CONFORMING: u32 = tsl_common::INPUT_NOT_CONFORMING.code();
/// The device's reply to a property set carried a non-empty `data`.
pub const SET_REPLY_NOT_EMPTY: u32 = tsl_service_call::SET_REPLY_NOT_EMPTY.code();
/// The `method` parameter is missing in the Alink JSON data.
pub const ALINK_METHOD_MISSING: u32 = tsl_data_post::ALINK_METHOD_MISSING.code();
/// A console-side (up/downstream) property is not in the model.
pub const PROPERTY_NOT_IN_MODEL: u32 = tsl_service_call::PROPERTY_NOT_IN_MODEL.code();
/// The service is not in the model.
pub const SERVICE_NOT_IN_MODEL: u32 = tsl_service_call::SERVICE_NOT_IN_MODEL.code();
/// The event is not in the model.
pub const EVENT_NOT_IN_MODEL: u32 = tsl_service_call::EVENT_NOT_IN_MODEL.code();
/// The custom module (`{module}:{identifier}`) does not exist.
pub const MODULE_NOT_FOUND: u32 = tsl_service_call::MODULE_NOT_FOUND.code();
/// The data parsing script does not exist.
pub const SCRIPT_MISSING: u32 = tsl_service_call::SCRIPT_MISSING.code();
/// The data parsing script returned an empty result.
pub const SCRIPT_RESULT_EMPTY: u32 = tsl_service_call::SCRIPT_RESULT_EMPTY.code();
/// Calling the service failed.
pub const SERVICE_CALL_FAILED: u32 = tsl_service_call::SERVICE_CALL_FAILED.code();
/// Querying the service failed (it does not exist).
pub const SERVICE_QUERY_FAILED: u32 = tsl_service_call::SERVICE_QUERY_FAILED.code();
/// The data format is invalid (not JSON / not Alink).
pub const DATA_FORMAT_INVALID: u32 = tsl_data_post::DATA_FORMAT_INVALID.code();
/// The device is disabled.
pub const DEVICE_DISABLED: u32 = tsl_service_call::DEVICE_DISABLED.code();
/// The device is not activated.
pub const DEVICE_NOT_ACTIVATED: u32 = tsl_service_call::DEVICE_NOT_ACTIVATED.code();
/// The device is offline.
pub const DEVICE_OFFLINE: u32 = tsl_service_call::DEVICE_OFFLINE.code();
/// The sub-device cannot be reached because its gateway is offline.
pub const GATEWAY_OFFLINE: u32 = tsl_service_call::GATEWAY_OFFLINE.code();

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

/// The TSL tables, in the order a bare number is looked up in: a TSL error carries no table, and
/// 6300 and 6207 are in two of them (6300 with the same text, 6207 with a cause per direction).
const TSL_TABLES: &[Table] =
    &[Table::TslCommon, Table::TslDataPost, Table::TslServiceCall, Table::TslDeviceReply, Table::DataParsingScript];

/// The seed's description of `code` (its "Description" column) from the TSL tables, or a
/// generic sentence for a code that is not TSL-related.
pub fn description(code: u32) -> &'static str {
    TSL_TABLES.iter().find_map(|&t| lookup(code, t)).map_or("Unknown error code.", |r| r.description)
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

    /// The descriptions are the table's rows, and a code in several tables gets its TSL meaning:
    /// 9200 is "inactive" in the message table but "not activated" for a failed call.
    #[test]
    fn descriptions_come_from_the_table() {
        use crate::codes::{self, Table};
        assert_eq!(description(INT_MISMATCH), codes::tsl_common::INT_MISMATCH.info().description);
        assert_eq!(codes::lookup(9200, Table::Message).map(|r| r.description), Some("The device is inactive."));
        assert_eq!(description(DEVICE_NOT_ACTIVATED), "The device is not activated.");
        assert_eq!(
            description(PROPERTY_POST_TOO_MANY),
            "The number of properties submitted by the device exceeds the limit."
        );
    }
}

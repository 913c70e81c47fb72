//! The seed's "TSL-related error codes", first table: errors "that may be generated when IoT Platform calls
//! services and configures properties".

use super::{Code, CodeInfo, Table, SUBMIT_TICKET, SYSTEM_CAUSE};

const T: Table = Table::TslServiceCall;

/// 100000: The parameters are invalid.
pub const INSTANCE_PARAMS_INVALID: Code = Code::new(100000, T);
/// 9201: The device is disconnected.
pub const DEVICE_OFFLINE: Code = Code::new(9201, T);
/// 9200: The device is not activated.
pub const DEVICE_NOT_ACTIVATED: Code = Code::new(9200, T);
/// 9237: Overdue payments exist for the IoT Platform service.
pub const OVERDUE_PAYMENT: Code = Code::new(9237, T);
/// 9389: The sub-device fails to send messages because the gateway is offline.
pub const GATEWAY_OFFLINE: Code = Code::new(9389, T);
/// 6208: The device is disabled.
pub const DEVICE_DISABLED: Code = Code::new(6208, T);
/// 6300: The method parameter does not exist when IoT Platform verifies the input parameters based on the TSL
/// model.
pub const METHOD_MISSING: Code = Code::new(6300, T);
/// 6206: An error occurred when you queried the service.
pub const SERVICE_QUERY_FAILED: Code = Code::new(6206, T);
/// 6200: The script does not exist.
pub const SCRIPT_MISSING: Code = Code::new(6200, T);
/// 6201: The parsing result is empty.
pub const SCRIPT_RESULT_EMPTY: Code = Code::new(6201, T);
/// 6207: The data format is invalid.
pub const DATA_FORMAT_INVALID: Code = Code::new(6207, T);
/// 6330: The data format does not conform to the defined format of the Long type.
pub const LONG_MISMATCH: Code = Code::new(6330, T);
/// 6335: The parameter in the message that the device submits as a response to the property configuration request
/// is not empty.
pub const SET_REPLY_NOT_EMPTY: Code = Code::new(6335, T);
/// 5490: The specified TSL module does not exist.
pub const MODULE_NOT_FOUND: Code = Code::new(5490, T);
/// 5092: The property does not exist in the TSL model.
pub const PROPERTY_NOT_IN_MODEL: Code = Code::new(5092, T);
/// 5094: The service does not exist in the TSL model.
pub const SERVICE_NOT_IN_MODEL: Code = Code::new(5094, T);
/// 5096: The event does not exist in the TSL model.
pub const EVENT_NOT_IN_MODEL: Code = Code::new(5096, T);
/// 5159: An error occurred when IoT Platform retrieved the TSL property data.
pub const PROPERTY_DATA_FAILED: Code = Code::new(5159, T);
/// 5160: An error occurred when IoT Platform retrieved the TSL event data.
pub const EVENT_DATA_FAILED: Code = Code::new(5160, T);
/// 5161: An error occurred when IoT Platform retrieved the TSL service data.
pub const SERVICE_DATA_FAILED: Code = Code::new(5161, T);
/// 6661: An error occurred when IoT Platform queried the tenant information.
pub const TENANT_QUERY_FAILED: Code = Code::new(6661, T);
/// 6205: An error occurred when IoT Platform called the service.
pub const SERVICE_CALL_FAILED: Code = Code::new(6205, T);
/// 26015: An error occurred when IoT Platform ran the script to parse the data.
pub const SCRIPT_PARSE_FAILED: Code = Code::new(26015, T);

/// The rows in the seed's order.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::seed(
        T,
        100000,
        "The parameters are invalid.",
        "The instance ID is not obtained when you query the configuration information about a product in a public \
         or Enterprise Edition instance of IoT Platform.",
        "Check whether you have accessed an IoT Platform instance. If you have accessed an IoT Platform instance, \
         submit a ticket for troubleshooting.",
    ),
    CodeInfo::seed(
        T,
        9201,
        "The device is disconnected.",
        "The device is disconnected from IoT Platform.",
        "Check the device status in the IoT Platform console.",
    ),
    CodeInfo::seed(
        T,
        9200,
        "The device is not activated.",
        "The device is not activated in IoT Platform. A newly registered device is activated only after the device \
         submits data to IoT Platform.",
        "Check the device status in the IoT Platform console.",
    ),
    CodeInfo::seed(
        T,
        9237,
        "Overdue payments exist for the IoT Platform service.",
        "The Alibaba Cloud account has overdue payments.",
        "In the console, click Expenses in the upper-right corner and view the balance in the user center. Make \
         sure that the balance of your account is sufficient. Otherwise, IoT Platform devices are unavailable.",
    ),
    CodeInfo::seed(
        T,
        9389,
        "The sub-device fails to send messages because the gateway is offline.",
        "The gateway to which the sub-device is attached is offline.",
        "On the Device List tab of the Devices page, search for the gateway and view the gateway status. Make sure \
         that the gateway is online or restart the gateway to connect the sub-device with IoT Platform.",
    ),
    CodeInfo::seed(
        T,
        6208,
        "The device is disabled.",
        "After a device is disabled, IoT Platform cannot configure device properties or call device services.",
        "Check the device status in the IoT Platform console. If the device is disabled, enable the device and \
         then try again.",
    )
    .fleetdeck(
        "fleetdeck also answers topological requests (add, login) for a disabled sub-device with 6208; the seed's \
         device-behavior table has 6204 for that.",
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
         You can also check the submitted data by viewing the on-premises device logs.",
    ),
    CodeInfo::seed(
        T,
        6206,
        "An error occurred when you queried the service.",
        "When IoT Platform calls a service, the information about the service is queried. This error occurs if the \
         service does not exist.",
        "Go to the Product Details page of the IoT Platform console. On the Define Feature tab, check whether the \
         service is defined in the TSL model. If the service is defined, check whether the input parameters of the \
         service contain invisible characters.",
    ),
    CodeInfo::seed(
        T,
        6200,
        "The script does not exist.",
        "If the data format of a product is set to Custom, the script is used to parse data when IoT Platform \
         calls the service of a device. This error occurs if you do not define a data parsing script.",
        "Go to the Product Details page of the IoT Platform console. Check whether the data parsing script exists. \
         If the data parsing script exists, resubmit the script and then try again.",
    ),
    CodeInfo::seed(
        T,
        6201,
        "The parsing result is empty.",
        "The data parsing script runs as expected, but returns an empty result. For example, the \
         `rawDataToProtocol()` method returns null and the `protocolToRawData()` method returns null or an empty \
         array.",
        "Check the script to identify the cause.",
    ),
    CodeInfo::seed(
        T,
        6207,
        "The data format is invalid.",
        "This error may occur when IoT Platform synchronously calls a service or when the device submits data. \
         When IoT Platform synchronously calls a service, this error may occur due to one of the following causes: \
         The format of the data returned by the device is invalid. The format of parsed custom data is invalid. \
         The data format of the input parameters is invalid.",
        "For more information about the valid data format required by the service, see the API documentation and \
         TSL definitions. For information about the data format required by the Alink protocol, see Alink \
         protocol.",
    ),
    CodeInfo::seed(
        T,
        6330,
        "The data format does not conform to the defined format of the Long type.",
        "The parameters or properties of the Long type are defined in the TSL model. The data format of the \
         message does not conform to the defined format of the Long type.",
        "View the logs that are generated when the device submits properties. View the TSL model in the console.",
    ),
    CodeInfo::seed(
        T,
        6335,
        "The parameter in the message that the device submits as a response to the property configuration request \
         is not empty.",
        "When the device responds to the property configuration request sent from IoT Platform, the response data \
         that is indicated by the data field must be empty.",
        "View the IoT Platform logs about device property reporting and check the data submitted by the device. \
         Check the submitted data by viewing the on-premises device logs.",
    ),
    CodeInfo::seed(
        T,
        5490,
        "The specified TSL module does not exist.",
        "The specified custom TSL module does not exist.",
        "In the IoT Platform console, view the identifier of the custom TSL module and check whether valid values \
         are specified for the required parameters. In the IoT Platform console, check whether the specified \
         custom TSL module is deleted.",
    ),
    CodeInfo::seed(
        T,
        5092,
        "The property does not exist in the TSL model.",
        "The property in the upstream or downstream message is not defined in the TSL model. Notice: For a \
         property that is defined in a custom TSL module, you must combine the property with the module identifier \
         in the format of {tsl.functionBlockId}:{tsl.properties.identifier}.",
        "View the logs that are generated when the device submits properties. View the TSL model in the console.",
    ),
    CodeInfo::seed(
        T,
        5094,
        "The service does not exist in the TSL model.",
        "The service is not defined in the TSL model, or the service parameters are invalid. Notice: For a service \
         that is defined in a custom TSL module, you must combine the service with the module identifier in the \
         format of {tsl.functionBlockId}:{tsl.service.identifier}.",
        "View the logs that are generated when the device submits properties. View the TSL model in the console.",
    ),
    CodeInfo::seed(
        T,
        5096,
        "The event does not exist in the TSL model.",
        "The event is not defined in the TSL model or the event parameters are invalid. Notice: If an event is \
         defined in a custom TSL module, you must combine the event with the module identifier in the format of \
         {tsl.functionBlockId}:{tsl.event.identifier}.",
        "View the logs that are generated when the device submits properties. View the TSL model in the console.",
    ),
    CodeInfo::seed(
        T,
        5159,
        "An error occurred when IoT Platform retrieved the TSL property data.",
        "A system exception occurred.",
        "Submit a ticket.",
    )
    .system(),
    CodeInfo::seed(
        T,
        5160,
        "An error occurred when IoT Platform retrieved the TSL event data.",
        SYSTEM_CAUSE,
        SUBMIT_TICKET,
    )
    .system(),
    CodeInfo::seed(
        T,
        5161,
        "An error occurred when IoT Platform retrieved the TSL service data.",
        SYSTEM_CAUSE,
        SUBMIT_TICKET,
    )
    .system(),
    CodeInfo::seed(
        T,
        6661,
        "An error occurred when IoT Platform queried the tenant information.",
        SYSTEM_CAUSE,
        SUBMIT_TICKET,
    )
    .system(),
    CodeInfo::seed(T, 6205, "An error occurred when IoT Platform called the service.", SYSTEM_CAUSE, SUBMIT_TICKET)
        .system()
        .fleetdeck("fleetdeck reports 6205 when the downlink itself could not be sent."),
    CodeInfo::seed(
        T,
        26015,
        "An error occurred when IoT Platform ran the script to parse the data.",
        SYSTEM_CAUSE,
        SUBMIT_TICKET,
    )
    .system(),
];

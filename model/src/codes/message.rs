//! The seed's "Message-related error codes": logged when devices send messages to the platform, when the
//! platform sends messages to devices, and when messages are forwarded.

use super::{Code, CodeInfo, Table};

const T: Table = Table::Message;

/// 1004: The format of the data that the device submits to IoT Platform is invalid.
pub const OTA_DATA_INVALID: Code = Code::new(1004, T);
/// 1901: The message fails to be sent due to poor network conditions, such as the congestion of the TCP write
/// buffer.
pub const SEND_CONGESTED: Code = Code::new(1901, T);
/// 1902: An exception occurred when the message was transmitted over the network.
pub const NETWORK_EXCEPTION: Code = Code::new(1902, T);
/// 1903: The format of the topic is invalid.
pub const TOPIC_INVALID: Code = Code::new(1903, T);
/// 1904: IoT Platform receives an invalid RRPC response.
pub const RRPC_RESPONSE_INVALID: Code = Code::new(1904, T);
/// 1905: IoT Platform does not receive an RRPC response within the timeout period.
pub const RRPC_TIMEOUT: Code = Code::new(1905, T);
/// 1941: The device fails to be authenticated.
pub const AUTH_FAILED: Code = Code::new(1941, T);
/// 1942: The message communication is throttled.
pub const THROTTLED_TOPIC: Code = Code::new(1942, T);
/// 1950: A network connection exception occurred when the message was transmitted over the network.
pub const NETWORK_CONNECTION_EXCEPTION: Code = Code::new(1950, T);
/// 1951: The response type is unknown.
pub const RESPONSE_TYPE_UNKNOWN: Code = Code::new(1951, T);
/// 6733: The device cannot be located based on the network information.
pub const LOCATE_BY_NETWORK_FAILED: Code = Code::new(6733, T);
/// 6736: The device cannot be located based on the IP address.
pub const LOCATE_BY_IP_FAILED: Code = Code::new(6736, T);
/// 6831: The specified topic or request method does not conform to the Alink protocol.
pub const NOT_ALINK: Code = Code::new(6831, T);
/// 9200: The device is inactive.
pub const DEVICE_INACTIVE: Code = Code::new(9200, T);
/// 9201: The device is disconnected.
pub const DEVICE_OFFLINE: Code = Code::new(9201, T);
/// 9236: The topic fails to be authenticated.
pub const TOPIC_AUTH_FAILED: Code = Code::new(9236, T);
/// 9307: The SQL statement fails to be parsed.
pub const SQL_INVALID: Code = Code::new(9307, T);
/// 9324: A throttling error occurred.
pub const THROTTLED: Code = Code::new(9324, T);
/// 9325: The data fails to be forwarded to the cloud service.
pub const FORWARD_FAILED: Code = Code::new(9325, T);
/// 9321: The parameters are invalid.
pub const PARAMS_INVALID: Code = Code::new(9321, T);
/// 9320: The payload is invalid.
pub const PAYLOAD_INVALID: Code = Code::new(9320, T);
/// 9331: An internal error occurred on the destination cloud service.
pub const DESTINATION_INTERNAL_ERROR: Code = Code::new(9331, T);
/// 9332: The cloud service configuration is invalid.
pub const DESTINATION_CONFIG_INVALID: Code = Code::new(9332, T);
/// 9362: An exception occurred when the script was being executed.
pub const RULE_SCRIPT_EXCEPTION: Code = Code::new(9362, T);
/// 9333: The permission to access the cloud service is invalid.
pub const DESTINATION_PERMISSION_INVALID: Code = Code::new(9333, T);
/// 9389: The sub-device fails to send messages because the gateway is offline.
pub const GATEWAY_OFFLINE: Code = Code::new(9389, T);
/// 9399: An unknown internal server error occurred.
pub const INTERNAL_ERROR: Code = Code::new(9399, T);
/// 9600: The number of connections in a consumer group exceeds the limit.
pub const CONSUMER_CONNECTIONS_EXCEEDED: Code = Code::new(9600, T);
/// 9601: The heartbeat value is invalid.
pub const HEARTBEAT_INVALID: Code = Code::new(9601, T);
/// 9602: IoT Platform ends the connection.
pub const CONNECTION_ENDED: Code = Code::new(9602, T);
/// 9650: The ACK message times out.
pub const ACK_TIMEOUT: Code = Code::new(9650, T);
/// 9651: The receiver returns ACK released.
pub const ACK_RELEASED: Code = Code::new(9651, T);
/// 9652: The receiver returns NACK.
pub const NACK: Code = Code::new(9652, T);

/// The rows in the seed's order.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::seed(
        T,
        1004,
        "The format of the data that the device submits to IoT Platform is invalid.",
        "The format of the upstream data is invalid in the following OTA update scenarios: • The device submits \
         OTA module versions to IoT Platform. • The device requests the update package information from IoT \
         Platform. • The device submits the update progress to IoT Platform.",
        "Check the format of the upstream data. For more information about the data formats, see OTA updates.",
    ),
    CodeInfo::seed(
        T,
        1901,
        "The message fails to be sent due to poor network conditions, such as the congestion of the TCP write \
         buffer.",
        "The data channel between the device and the server is blocked. A possible cause is that the network \
         transmission speed is low, or the device cannot process a large number of messages",
        "Check network conditions and the message consumption capabilities of the device.",
    ),
    CodeInfo::seed(
        T,
        1902,
        "An exception occurred when the message was transmitted over the network.",
        "The message transmission failed due to a network exception.",
        "Check network conditions.",
    ),
    CodeInfo::seed(
        T,
        1903,
        "The format of the topic is invalid.",
        "The format of the message topic is invalid.",
        "Check the topic format.",
    ),
    CodeInfo::seed(
        T,
        1904,
        "IoT Platform receives an invalid RRPC response.",
        "The RRPC response received by IoT Platform does not have the corresponding RRPC request. This error may \
         occur if the request times out.",
        "Check whether the RRPC response from the device has timed out.",
    ),
    CodeInfo::seed(
        T,
        1905,
        "IoT Platform does not receive an RRPC response within the timeout period.",
        "After IoT Platform sent an RRPC request to the device, IoT Platform did not receive an RRPC response from \
         the device within the timeout period.",
        "Check whether the device responded to the RRPC request within the timeout period.",
    )
    .fleetdeck(
        "fleetdeck reports 1905 for every call the device does not answer in time (service calls, property set and \
         get), not only for RRPC.",
    ),
    CodeInfo::seed(
        T,
        1941,
        "The device fails to be authenticated.",
        "The token failed to be verified.",
        "Check and reobtain the token. Then, initiate the request again.",
    ),
    CodeInfo::seed(
        T,
        1942,
        "The message communication is throttled.",
        "Excessive requests are sent to the topic.",
        "Reduce the frequency at which messages are sent from a single device or contact technical support.",
    ),
    CodeInfo::seed(
        T,
        1950,
        "A network connection exception occurred when the message was transmitted over the network.",
        "The message failed to be transmitted due to a network exception.",
        "Check network conditions.",
    ),
    CodeInfo::seed(
        T,
        1951,
        "The response type is unknown.",
        "The device sends a message of an unknown type to IoT Platform.",
        "Check the type of the message that is sent by the device. If you are using the Alibaba Cloud device SDK, \
         contact technical support or submit a ticket.",
    ),
    CodeInfo::seed(
        T,
        6733,
        "The device cannot be located based on the network information.",
        "The device failed to be located based on the specified network information.",
        "Modify the network information and relocate the device.",
    ),
    CodeInfo::seed(
        T,
        6736,
        "The device cannot be located based on the IP address.",
        "The device failed to be located based on the specified IP address.",
        "Modify the IP address and relocate the device.",
    ),
    CodeInfo::seed(
        T,
        6831,
        "The specified topic or request method does not conform to the Alink protocol.",
        "The topic to which the device submits data or the method parameter in the parsed data does not conform to \
         the Alink protocol.",
        "Check whether the topic to which the device submits data conforms to the Alink protocol. Check whether \
         the method parameter in the parsed data conforms to the Alink protocol.",
    ),
    CodeInfo::seed(
        T,
        9200,
        "The device is inactive.",
        "The device is not activated in IoT Platform. After a new device is registered, the device is activated \
         only after it is connected to IoT Platform and submits data to IoT Platform.",
        "Check the status of the device in the IoT Platform console.",
    ),
    CodeInfo::seed(
        T,
        9201,
        "The device is disconnected.",
        "The device is offline.",
        "Check the status of the device in the IoT Platform console.",
    ),
    CodeInfo::seed(
        T,
        9236,
        "The topic fails to be authenticated.",
        "The permission that is specified for the topic is invalid.",
        "Go to the Topic List tab of the IoT Platform console. Check whether the permissions that are specified \
         for topics are valid. The Publish permission must be specified for the topics that are used to publish \
         messages. The Subscribe permission must be specified for the topics that are used to receive messages.",
    )
    .fleetdeck("fleetdeck reports 9236 when its broker ACL refuses a device's publish or subscribe."),
    CodeInfo::seed(
        T,
        9307,
        "The SQL statement fails to be parsed.",
        "The syntax of the SQL statement or the parameter is invalid.",
        "Check the syntax of the SQL statement and the parameters.",
    ),
    CodeInfo::seed(
        T,
        9324,
        "A throttling error occurred.",
        "The number of requests from the device or the tenant exceeded the limit.",
        "Reduce the frequency at which messages are sent or contact technical support.",
    )
    .fleetdeck("fleetdeck reports 9324 when a device's downlink rate limit is exhausted."),
    CodeInfo::seed(
        T,
        9325,
        "The data fails to be forwarded to the cloud service.",
        "The destination cloud service is unavailable.",
        "Check whether the destination cloud service is available. A cloud service is unavailable if payments are \
         overdue, instances are deleted, or the permissions that IoT Platform use to access the cloud service are \
         deleted.",
    ),
    CodeInfo::seed(
        T,
        9321,
        "The parameters are invalid.",
        "The input parameters are invalid.",
        "Check the parameters as prompted.",
    ),
    CodeInfo::seed(
        T,
        9320,
        "The payload is invalid.",
        "The format of the payload sent by the device is invalid.",
        "Check whether the format of the payload is valid.",
    ),
    CodeInfo::seed(
        T,
        9331,
        "An internal error occurred on the destination cloud service.",
        "An internal error occurred on the cloud service to which the message is sent.",
        "Check the error code in the log entry and go to the official website of the cloud service to view the \
         cause and solution. You can also contact technical support.",
    ),
    CodeInfo::seed(
        T,
        9332,
        "The cloud service configuration is invalid.",
        "The specified data forwarding destination is invalid. Therefore, an error occurred when IoT Platform \
         connected to the destination cloud service.",
        "View the data forwarding rule to check whether the configuration of the destination cloud service is \
         valid and whether the resource exists. Check the error code in the log entry and go to the official \
         website of the cloud service to view the cause and solution.",
    ),
    CodeInfo::seed(
        T,
        9362,
        "An exception occurred when the script was being executed.",
        "A parsing exception occurred when the rules engine executed a script. Possible causes: An exception \
         occurred when the parser script was running. An exception occurred when functions in the script were \
         called. You can determine the cause based on the log content.",
        "Check the script syntaxes and function calls based on the log content. For more information about how to \
         use the script and functions, see Script syntax and Functions.",
    ),
    CodeInfo::seed(
        T,
        9333,
        "The permission to access the cloud service is invalid.",
        "The permission that is granted to IoT Platform to access the destination cloud service is invalid.",
        "Check your Alibaba Cloud RAM policy.",
    ),
    CodeInfo::seed(
        T,
        9389,
        "The sub-device fails to send messages because the gateway is offline.",
        "The gateway to which the sub-device is attached is offline.",
        "On the Device List tab of the Devices page, search for the required gateway and view the gateway status. \
         Make sure that the gateway is online or restart the gateway to connect the sub-device with IoT Platform.",
    ),
    CodeInfo::seed(
        T,
        9399,
        "An unknown internal server error occurred.",
        "An internal error occurred in IoT Platform.",
        "Contact technical support or submit a ticket.",
    ),
    CodeInfo::seed(
        T,
        9600,
        "The number of connections in a consumer group exceeds the limit.",
        "The number of connections that IoT Platform can process exceeds the limit. For more information, see \
         Limits of server-side subscriptions.",
        "Clear unnecessary connections.",
    ),
    CodeInfo::seed(
        T,
        9601,
        "The heartbeat value is invalid.",
        "The heartbeat value does not meet the requirement. For more information, see Limits of server-side \
         subscriptions.",
        "Specify a valid heartbeat value.",
    ),
    CodeInfo::seed(
        T,
        9602,
        "IoT Platform ends the connection.",
        "This error may occur in load balancing and IoT Platform iteration scenarios. The device must be \
         reconnected to IoT Platform. This issue does not affect business continuity.",
        "Submit a ticket.",
    ),
    CodeInfo::seed(
        T,
        9650,
        "The ACK message times out.",
        "No response is sent from the receiver within the timeout period. Therefore, the ACK message from the \
         receiver timed out.",
        "Check the message processing logic of the receiver.",
    ),
    CodeInfo::seed(T, 9651, "The receiver returns ACK released.", "The receiver returns ACK released.", ""),
    CodeInfo::seed(T, 9652, "The receiver returns NACK.", "The receiver returns NACK.", ""),
];

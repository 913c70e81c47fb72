//! The seed's "Device behavior-related error codes": logged when devices go online or offline, and for
//! authentication and topological relationships.

use super::{Code, CodeInfo, Table};

const T: Table = Table::DeviceBehavior;

/// 200: The device goes online or offline as expected.
pub const ONLINE_OFFLINE: Code = Code::new(200, T);
/// 1910: An error occurred due to an MQTT heartbeat timeout when you disconnected the device from IoT Platform.
pub const KEEPALIVE_TIMEOUT: Code = Code::new(1910, T);
/// 1911: The device goes offline because the TCP connection between the device and IoT Platform is ended.
pub const TCP_CLOSED: Code = Code::new(1911, T);
/// 1913: The sub-device is disconnected.
pub const SUB_DEVICE_DISCONNECTED: Code = Code::new(1913, T);
/// 401: The device has no permissions.
pub const NO_PERMISSION: Code = Code::new(401, T);
/// 427: A disconnection error occurred.
pub const KICKED: Code = Code::new(427, T);
/// 520: An error occurred in the session between the sub-device and IoT Platform.
pub const SUB_DEVICE_SESSION: Code = Code::new(520, T);
/// 521: The device is deleted.
pub const DEVICE_DELETED: Code = Code::new(521, T);
/// 522: The device is disabled.
pub const DEVICE_DISABLED: Code = Code::new(522, T);
/// 6100: The device does not exist.
pub const DEVICE_NOT_FOUND: Code = Code::new(6100, T);
/// 6204: The device is disabled.
pub const DEVICE_DISABLED_FOR_MANAGEMENT: Code = Code::new(6204, T);
/// 6287: The signature is invalid.
pub const SIGN_INVALID: Code = Code::new(6287, T);
/// 6288: The dynamic registration feature of the device is disabled.
pub const DYNREG_DISABLED: Code = Code::new(6288, T);
/// 6296: The Alibaba Cloud account information does not match the instance information.
pub const ACCOUNT_MISMATCH: Code = Code::new(6296, T);
/// 6401: The topological relationship does not exist.
pub const TOPO_NOT_FOUND: Code = Code::new(6401, T);
/// 6402: The gateway is the same as the sub-device when you add a topological relationship.
pub const TOPO_SELF: Code = Code::new(6402, T);
/// 6619: The sub-device is attached to another gateway.
pub const TOPO_OTHER_GATEWAY: Code = Code::new(6619, T);
/// 2043: The device authentication fails because the token is invalid.
pub const TOKEN_INVALID: Code = Code::new(2043, T);

/// The rows in the seed's order.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::seed(
        T,
        200,
        "The device goes online or offline as expected.",
        "Offline: The device ends the connection with IoT Platform. Online: The device establishes a connection \
         with IoT Platform.",
        "View the Last Online and Current Status parameters of the device on the Device Details page of the IoT \
         Platform console.",
    ),
    CodeInfo::seed(
        T,
        1910,
        "An error occurred due to an MQTT heartbeat timeout when you disconnected the device from IoT Platform.",
        "If IoT Platform does not receive a message within the keep-alive interval, the device is disconnected \
         from IoT Platform and must be reconnected to the server.",
        "Check whether the MQTT heartbeat keep-alive interval exceeds the threshold.",
    ),
    CodeInfo::seed(
        T,
        1911,
        "The device goes offline because the TCP connection between the device and IoT Platform is ended.",
        "If a firewall or network address translation (NAT) gateway on the device side detects an inactive TCP \
         connection, the device ends the TCP connection. The TCP connection is terminated due to the complex \
         network environment of the Internet. If the device can reconnect to IoT Platform and the business is not \
         affected, ignore this error code.",
        "Change the network environment, or check the firewall and gateway settings to troubleshoot the issue. For \
         example, you can disable the firewall. Note: If a TCP connection error frequently occurs, you can use \
         TCPDUMP to obtain packet capture files and then submit a ticket.",
    ),
    CodeInfo::seed(
        T,
        1913,
        "The sub-device is disconnected.",
        "The gateway is offline.",
        "Check why the gateway goes offline by using Log Service.",
    ),
    CodeInfo::seed(
        T,
        401,
        "The device has no permissions.",
        "When you add a topological relationship and authenticate the sub-device, the signature of the sub-device \
         fails to be verified.",
        "Verify the generated signature and submitted signature by using the signature method in the Alink \
         protocol. For more information about the Alink protocol, see Register devices.",
    )
    .fleetdeck(
        "fleetdeck also refuses a CONNECT or a dynamic registration with 401 when the signature, the token or the \
         credentials' form is wrong, where the seed has 6287 (signature) and 2043 (token); for the sub-device \
         signature of a topological request it answers 401 as the seed does.",
    ),
    CodeInfo::seed(
        T,
        427,
        "A disconnection error occurred.",
        "The device is forced to go offline because the device certificate is used by another device. IoT Platform \
         identifies a device only based on the device certificate (ProductKey, DeviceName, and DeviceSecret). The \
         same device certificate is burned on multiple devices. The network or power supply of the device is \
         unstable. The device immediately reconnected to IoT Platform after an instantaneous network outage or \
         power failure. In this case, IoT Platform identifies the reconnected device as a new device. Even if the \
         error message is returned, the device can work as expected.",
        "Check whether the device certificate is reused on the Device Details page of the IoT Platform console.",
    ),
    CodeInfo::seed(
        T,
        520,
        "An error occurred in the session between the sub-device and IoT Platform.",
        "The specified session does not exist because the sub-device is not connected to IoT Platform, or the \
         sub-device is already disconnected from IoT Platform. The session exists, but the session is not \
         established by using the current gateway.",
        "On the Device List tab of the Devices page, search for the required device and view the device status.",
    ),
    CodeInfo::seed(
        T,
        521,
        "The device is deleted.",
        "The device is deleted from IoT Platform.",
        "On the Device List tab of the Devices page, search for the device to check whether the device is deleted.",
    ),
    CodeInfo::seed(
        T,
        522,
        "The device is disabled.",
        "The device is disabled in IoT Platform.",
        "In the IoT Platform console, check whether the device is in the Disabled state.",
    ),
    CodeInfo::seed(
        T,
        6100,
        "The device does not exist.",
        "The device is not created or is deleted.",
        "On the Device List tab of the Devices page, search for the required device to check whether the device \
         exists.",
    )
    .fleetdeck(
        "fleetdeck answers with 6100 wherever a device is unknown: at CONNECT, for an uplink (also when the \
         uplink's product is unknown), for a call, for a sub-device in a topological request, and for a dynamic \
         registration whose DeviceName is invalid.",
    ),
    CodeInfo::seed(
        T,
        6204,
        "The device is disabled.",
        "If a device is disabled, you cannot manage the device. For example, you cannot add topological \
         relationships, configure device properties, or call device services.",
        "In the IoT Platform console, check whether the device is in the Disabled state.",
    )
    .fleetdeck(
        "fleetdeck answers topological requests for a disabled sub-device with 6208 (the service-call table's \
         \"device is disabled\"), not with 6204.",
    ),
    CodeInfo::seed(
        T,
        6287,
        "The signature is invalid.",
        "The signature of a directly connected device or sub-device is invalid.",
        "Verify the generated signature and submitted signature by using the signature method in the Alink \
         protocol. For more information about the Alink protocol, see Register devices.",
    ),
    CodeInfo::seed(
        T,
        6288,
        "The dynamic registration feature of the device is disabled.",
        "The Dynamic Registration switch of the product to which the sub-device belongs is turned off.",
        "On the Product Details page of the console, turn on Dynamic Registration.",
    )
    .fleetdeck(
        "fleetdeck also answers 6288 to the dynamic registration of a directly connected device whose product has \
         it switched off, not only for sub-devices.",
    ),
    CodeInfo::seed(
        T,
        6296,
        "The Alibaba Cloud account information does not match the instance information.",
        "The instance does not belong to the Alibaba Cloud account.",
        "In the IoT Platform console, check whether the instance belongs to the Alibaba Cloud account.",
    ),
    CodeInfo::seed(
        T,
        6401,
        "The topological relationship does not exist.",
        "The topological relationship does not exist.",
        "Log on to the IoT Platform console and choose Devices > Devices. On the page that appears, search for the \
         device and view the device information.",
    ),
    CodeInfo::seed(
        T,
        6402,
        "The gateway is the same as the sub-device when you add a topological relationship.",
        "When you add a topological relationship, you cannot attach the gateway to itself as a sub-device.",
        "Check whether the gateway is the same as the sub-device.",
    ),
    CodeInfo::seed(
        T,
        6619,
        "The sub-device is attached to another gateway.",
        "If a sub-device is already attached to another gateway, you cannot attach the sub-device to the current \
         gateway.",
        "On the Device Information tab of the console, check whether the sub-device is attached to a gateway.",
    ),
    CodeInfo::seed(
        T,
        2043,
        "The device authentication fails because the token is invalid.",
        "The token failed to be verified during device authentication.",
        "Check whether the token has expired or is invalid. You can refresh or recreate tokens.",
    ),
];

//! The seed's "Remote configuration-related error codes".

use super::{Code, CodeInfo, Table};

const T: Table = Table::RemoteConfig;

/// 6710: The remote configuration file has no content. You must edit and save the file in the console to obtain the
/// file.
pub const CONFIG_FILE_EMPTY: Code = Code::new(6710, T);
/// 6713: The remote configuration switch is turned off.
pub const CONFIG_DISABLED: Code = Code::new(6713, T);

/// The rows in the seed's order.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::seed(
        T,
        6710,
        "The remote configuration file has no content. You must edit and save the file in the console to obtain \
         the file.",
        "The remote configuration file is not saved in the console.",
        "Log on to the IoT Platform console and choose Maintenance > Remote Config. Refresh the page that appears. \
         Save the edited content under Configure Template.",
    ),
    CodeInfo::seed(
        T,
        6713,
        "The remote configuration switch is turned off.",
        "The remote configuration switch is turned off on the Remote Configuration page. This page appears when \
         you choose Maintenance > Remote Config in the console.",
        "In the IoT Platform console, choose Maintenance > Remote Config. On the page that appears, check whether \
         the remote configuration feature is enabled.",
    ),
];

//! The seed's "File uploading-related error codes".

use super::{Code, CodeInfo, Table};

const T: Table = Table::FileUpload;

/// 78123: The file to be uploaded already exists in IoT Platform.
pub const FILE_EXISTS: Code = Code::new(78123, T);
/// 78129: The number of files that the device has uploaded to IoT Platform exceeds the limit. IoT Platform can
/// store up to 1,000 files that are uploaded from each device.
pub const TOO_MANY_FILES: Code = Code::new(78129, T);

/// The rows in the seed's order.
pub(super) const ROWS: &[CodeInfo] = &[
    CodeInfo::seed(
        T,
        78123,
        "The file to be uploaded already exists in IoT Platform.",
        "This error may occur due to one of the following causes: The file to be uploaded has the same name as a \
         file that has been uploaded to IoT Platform. The specified processing policy for files with the same name \
         does not allow an uploaded file to overwrite an existing file in IoT Platform. The two files have the \
         same name.",
        "Check the following items: Check whether the file name is unique. Check whether the processing policy for \
         files with the same name is overwrite. For more information, see Sample code.",
    ),
    CodeInfo::seed(
        T,
        78129,
        "The number of files that the device has uploaded to IoT Platform exceeds the limit. IoT Platform can \
         store up to 1,000 files that are uploaded from each device.",
        "The number of files that the device has uploaded to IoT Platform exceeds 1,000.",
        "Check whether the number of files that the device has uploaded to IoT Platform exceeds the limit.",
    ),
];

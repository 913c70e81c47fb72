//! What can go wrong talking to a broker. A refused CONNACK is an error here *and* a value
//! ([`Error::refused`]): auth tests assert on the exact code.

use crate::connect::ConnackCode;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("MQTT codec: {0}")]
    Codec(String),
    #[error("CONNACK refused: {0:?}")]
    Refused(ConnackCode),
    #[error("expected {expected}, got {got}")]
    Unexpected { expected: &'static str, got: String },
    #[error("the connection is closed")]
    Closed,
    #[error("no {0} in time")]
    Timeout(&'static str),
}

impl Error {
    /// The CONNACK code, when the broker refused the connection.
    pub fn refused(&self) -> Option<ConnackCode> {
        match self {
            Error::Refused(c) => Some(*c),
            _ => None,
        }
    }
}

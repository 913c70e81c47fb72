//! The store's one error type: what callers may react to, whichever database answered.
//! `sqlx::Error` stays inside `store/`; callers match on meaning, not on a driver's codes.

use std::fmt;

#[derive(Debug)]
pub enum Error {
    /// A unique key already holds this value (a name taken).
    Conflict,
    /// A row this one refers to is gone (foreign key), e.g. its device was deleted meanwhile.
    Missing,
    /// The data read does not fit the model (corrupt or unknown value).
    Corrupt(String),
    /// The database could not answer (connection, I/O, timeout, a bug in a statement).
    Failed(sqlx::Error),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn corrupt(what: impl Into<String>) -> Error {
        Error::Corrupt(what.into())
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return Error::Conflict;
            }
            if db.is_foreign_key_violation() {
                return Error::Missing;
            }
        }
        if let sqlx::Error::ColumnDecode { index, source } = &e {
            return Error::Corrupt(format!("column {index}: {source}"));
        }
        Error::Failed(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Conflict => f.write_str("it already exists"),
            Error::Missing => f.write_str("a row it refers to is gone"),
            Error::Corrupt(what) => write!(f, "stored data does not fit: {what}"),
            Error::Failed(e) => write!(f, "database: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Failed(e) => Some(e),
            _ => None,
        }
    }
}

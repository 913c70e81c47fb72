//! One statement for both stores: SQL text in the subset SQLite and PostgreSQL share, with `$n`
//! placeholders (both take them), and its arguments as plain values.
//!
//! Why values instead of sqlx's typed query builders: a `sqlx::Query` is bound to one database
//! type, so every repository function would be written twice (or generic over bounds that Rust
//! does not imply). A [`Sql`] is built once and bound to the pool that runs it in one place
//! ([`super::Db`]); a [`Row`] reads the same way from either. The cost is one owned copy of each
//! string argument, off the hot path (the ingest writers bind their own rows).

use std::borrow::Cow;

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{ColumnIndex, Decode, Postgres, Sqlite, Type};

use super::Error;

/// An argument: every type the schema uses, nullable.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    I64(Option<i64>),
    F64(Option<f64>),
    Bool(Option<bool>),
    Text(Option<String>),
}

macro_rules! arg_from {
    ($($t:ty => $v:ident, $conv:expr);* $(;)?) => {$(
        impl From<$t> for Arg {
            fn from(v: $t) -> Arg {
                Arg::$v(Some($conv(v)))
            }
        }
        impl From<Option<$t>> for Arg {
            fn from(v: Option<$t>) -> Arg {
                Arg::$v(v.map($conv))
            }
        }
    )*};
}

arg_from! {
    i64 => I64, |v| v;
    f64 => F64, |v| v;
    bool => Bool, |v| v;
    String => Text, |v| v;
    &str => Text, |v: &str| v.to_string();
    &String => Text, |v: &String| v.clone();
}

impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Arg {
        Arg::Text(v.clone())
    }
}

/// A statement and its arguments, built once for either store.
#[derive(Debug, Clone)]
pub struct Sql {
    pub(super) text: Cow<'static, str>,
    pub(super) args: Vec<Arg>,
}

/// A statement whose placeholders (`$1`, `$2`, …) the `bind` calls fill in order.
pub fn sql(text: impl Into<Cow<'static, str>>) -> Sql {
    Sql { text: text.into(), args: Vec::new() }
}

impl Sql {
    pub fn bind(mut self, v: impl Into<Arg>) -> Sql {
        self.args.push(v.into());
        self
    }

    /// Append SQL text (for statements built piece by piece, such as filters).
    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.to_mut().push_str(text);
        self
    }

    /// Append the next placeholder and its argument.
    pub fn push_bind(&mut self, v: impl Into<Arg>) -> &mut Sql {
        self.args.push(v.into());
        let n = self.args.len();
        self.text.to_mut().push_str(&format!("${n}"));
        self
    }

    /// `(…, …)` with one placeholder per value (an `IN` list).
    pub fn push_list<A: Into<Arg>>(&mut self, values: impl IntoIterator<Item = A>) -> &mut Sql {
        self.push("(");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_bind(v);
        }
        self.push(")")
    }
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::I64(v) => q.bind(v),
                Arg::F64(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
            };
        }
        q
    }};
}
pub(super) use bind_all;

/// A value a [`Row`] can read from either store.
pub trait Value: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> {}
impl<T> Value for T where T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> {}

/// A column by name or position.
pub trait Column: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> + std::fmt::Debug + Copy {}
impl<T> Column for T where T: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> + std::fmt::Debug + Copy {}

/// A result row from either store.
pub enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl Row {
    /// A column's value; a type that does not fit is an error (corrupt data or a schema bug),
    /// never a panic.
    pub fn get<T: Value>(&self, col: impl Column) -> Result<T, Error> {
        use sqlx::Row as _;
        match self {
            Row::Sqlite(r) => r.try_get(col),
            Row::Postgres(r) => r.try_get(col),
        }
        .map_err(Error::from)
    }
}

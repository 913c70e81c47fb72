//! One column of a batch, typed by the target column: SQLite's values are decoded as the type
//! PostgreSQL will store, so a value that does not fit fails the copy with its table and column
//! instead of being converted silently.

use anyhow::{bail, Context};
use sqlx::postgres::{PgArguments, Postgres};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::store::ingest::pg_text;

/// The column types the PostgreSQL schema uses (`information_schema.columns.data_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    BigInt,
    Bool,
    Double,
    Text,
}

impl Kind {
    pub fn of(data_type: &str) -> anyhow::Result<Kind> {
        Ok(match data_type {
            "bigint" => Kind::BigInt,
            "boolean" => Kind::Bool,
            "double precision" => Kind::Double,
            "text" => Kind::Text,
            other => {
                bail!("column type {other:?} is not one migrate-store copies (bigint, boolean, double precision, text)")
            }
        })
    }

    /// The array type a batch of this column is bound as.
    pub fn array(self) -> &'static str {
        match self {
            Kind::BigInt => "bigint[]",
            Kind::Bool => "boolean[]",
            Kind::Double => "double precision[]",
            Kind::Text => "text[]",
        }
    }
}

#[derive(Clone)]
pub enum Values {
    BigInt(Vec<Option<i64>>),
    Bool(Vec<Option<bool>>),
    Double(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
}

type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

impl Values {
    pub fn new(kind: Kind) -> Values {
        match kind {
            Kind::BigInt => Values::BigInt(Vec::new()),
            Kind::Bool => Values::Bool(Vec::new()),
            Kind::Double => Values::Double(Vec::new()),
            Kind::Text => Values::Text(Vec::new()),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Values::BigInt(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Double(v) => v.len(),
            Values::Text(v) => v.len(),
        }
    }

    pub fn push_null(&mut self) {
        match self {
            Values::BigInt(v) => v.push(None),
            Values::Bool(v) => v.push(None),
            Values::Double(v) => v.push(None),
            Values::Text(v) => v.push(None),
        }
    }

    /// Column `i` of `row`.
    pub fn push(&mut self, row: &SqliteRow, i: usize) -> anyhow::Result<()> {
        match self {
            Values::BigInt(v) => v.push(row.try_get(i)?),
            Values::Bool(v) => v.push(row.try_get(i)?),
            // A REAL column holds integers as REAL already; an INTEGER that slipped in (no
            // affinity conversion) is still a number.
            Values::Double(v) => v.push(match row.try_get::<Option<f64>, _>(i) {
                Ok(x) => x,
                Err(_) => row.try_get::<Option<i64>, _>(i).context("not a number")?.map(|x| x as f64),
            }),
            // PostgreSQL's text cannot hold NUL, SQLite's can (a device's payload in the run log).
            Values::Text(v) => v.push(row.try_get::<Option<String>, _>(i)?.map(|s| match pg_text(&s) {
                std::borrow::Cow::Borrowed(_) => s,
                std::borrow::Cow::Owned(clean) => clean,
            })),
        }
        Ok(())
    }

    pub fn bind_to(self, q: Query<'_>) -> Query<'_> {
        match self {
            Values::BigInt(v) => q.bind(v),
            Values::Bool(v) => q.bind(v),
            Values::Double(v) => q.bind(v),
            Values::Text(v) => q.bind(v),
        }
    }
}

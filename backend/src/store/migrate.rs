//! PostgreSQL's migrations, and moving a SQLite database's rows into PostgreSQL
//! (`fleetdeck migrate-store --from sqlite://… --to postgres://…`).
//!
//! Nothing here names a table: the tables, their foreign keys and their columns are read from
//! both databases, so a new migration is copied without a change here, and a table that exists
//! on one side only stops the copy instead of being left behind. All of it is one PostgreSQL
//! transaction: a failed copy leaves the target as empty as it was.

mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use anyhow::{bail, ensure, Context};
use futures::TryStreamExt;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};

use values::{Kind, Values};

/// The PostgreSQL schema: the same tables as SQLite's, every integer BIGINT.
pub static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// Rows per multi-row insert.
const BATCH: usize = 1_000;

/// One table's rows on both sides once copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub table: String,
    pub sqlite: i64,
    pub postgres: i64,
}

/// A SQLite table as the copy needs it.
#[derive(Debug, Default)]
struct Source {
    columns: Vec<String>,
    /// Its primary key when it is one column (needed only for `self_refs`).
    key: Option<String>,
    /// Tables it references (itself excluded): copied before it.
    parents: BTreeSet<String>,
    /// Columns referencing its own table (a device's gateway): inserted NULL, then set once
    /// every row is in, since a row may point at one copied after it.
    self_refs: Vec<String>,
}

/// Copy every row of the SQLite database at `from` into the PostgreSQL database at `to`, after
/// running the PostgreSQL migrations there. Refuses a target whose tables hold any row. Returns
/// the row counts per table, in the order copied.
pub async fn migrate_store(from: &str, to: &str) -> anyhow::Result<Vec<Counted>> {
    let opts = SqliteConnectOptions::from_str(from).context("--from: a sqlite:// URL")?.read_only(true);
    let mut src = opts.connect().await.with_context(|| format!("cannot open the SQLite database {from}"))?;
    let mut dst = PgConnection::connect(to).await.context("cannot connect to the PostgreSQL target")?;
    POSTGRES.run(&mut dst).await.context("the PostgreSQL migrations failed")?;

    // One read transaction: what is copied and what is counted is one snapshot, even if a server
    // still writes to the file.
    let mut src = src.begin().await?;
    let sources = sqlite_tables(&mut src).await?;
    let targets = postgres_tables(&mut dst).await?;
    check_same_tables(&sources, &targets)?;
    let mut filled = Vec::new();
    for table in targets.keys() {
        let any: bool = sqlx::query_scalar(AssertSqlSafe(format!("SELECT EXISTS (SELECT 1 FROM {})", quote(table))))
            .fetch_one(&mut dst)
            .await?;
        if any {
            filled.push(table.as_str());
        }
    }
    ensure!(
        filled.is_empty(),
        "the target already holds rows in {}: migrate-store only fills an empty database",
        filled.join(", ")
    );

    let order = parents_first(&sources)?;
    let mut tx = dst.begin().await?;
    let mut counts = Vec::with_capacity(order.len());
    for table in &order {
        copy_table(&mut src, &mut tx, table, &sources[table], &targets[table])
            .await
            .with_context(|| format!("copying {table}"))?;
    }
    restart_identities(&mut tx).await?;
    for table in &order {
        let sql = format!("SELECT COUNT(*) FROM {}", quote(table));
        let sqlite: i64 = sqlx::query_scalar(AssertSqlSafe(sql.clone())).fetch_one(&mut *src).await?;
        let postgres: i64 = sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(&mut *tx).await?;
        counts.push(Counted { table: table.clone(), sqlite, postgres });
    }
    let differ: Vec<&Counted> = counts.iter().filter(|c| c.sqlite != c.postgres).collect();
    ensure!(differ.is_empty(), "row counts differ after the copy (nothing committed): {differ:?}");
    tx.commit().await.context("commit the copy")?;
    Ok(counts)
}

/// `"name"`, for a name read from a catalogue.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn sqlite_tables(src: &mut SqliteConnection) -> anyhow::Result<BTreeMap<String, Source>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut *src)
    .await?;
    let mut tables = BTreeMap::new();
    for name in names {
        let columns: Vec<(String, i64)> = sqlx::query_as("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")
            .bind(&name)
            .fetch_all(&mut *src)
            .await?;
        let keys: Vec<&String> = columns.iter().filter(|(_, pk)| *pk > 0).map(|(c, _)| c).collect();
        let key = match keys[..] {
            [k] => Some(k.clone()),
            _ => None,
        };
        let fks: Vec<(String, String)> = sqlx::query_as("SELECT \"table\", \"from\" FROM pragma_foreign_key_list(?1)")
            .bind(&name)
            .fetch_all(&mut *src)
            .await?;
        let mut t = Source { columns: columns.into_iter().map(|(c, _)| c).collect(), key, ..Source::default() };
        for (parent, column) in fks {
            if parent == name {
                t.self_refs.push(column);
            } else {
                t.parents.insert(parent);
            }
        }
        ensure!(t.self_refs.is_empty() || t.key.is_some(), "{name} references itself but has no one-column key");
        tables.insert(name, t);
    }
    Ok(tables)
}

/// The target's tables and their columns (name, type) in column order.
async fn postgres_tables(dst: &mut PgConnection) -> anyhow::Result<BTreeMap<String, Vec<(String, Kind)>>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut *dst)
    .await?;
    let mut tables: BTreeMap<String, Vec<(String, Kind)>> = names.into_iter().map(|n| (n, Vec::new())).collect();
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut *dst)
    .await?;
    for (table, column, data_type) in columns {
        if let Some(cols) = tables.get_mut(&table) {
            let kind = Kind::of(&data_type).with_context(|| format!("{table}.{column}"))?;
            cols.push((column, kind));
        }
    }
    Ok(tables)
}

/// The same tables, with the same columns, on both sides; else nothing is copied.
fn check_same_tables(
    sources: &BTreeMap<String, Source>,
    targets: &BTreeMap<String, Vec<(String, Kind)>>,
) -> anyhow::Result<()> {
    let only_sqlite: Vec<&String> = sources.keys().filter(|t| !targets.contains_key(*t)).collect();
    let only_postgres: Vec<&String> = targets.keys().filter(|t| !sources.contains_key(*t)).collect();
    ensure!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the two schemas differ: tables only in SQLite {only_sqlite:?}, only in PostgreSQL {only_postgres:?} \
         (are both at the same fleetdeck version?)"
    );
    for (table, source) in sources {
        let a: BTreeSet<&str> = source.columns.iter().map(String::as_str).collect();
        let b: BTreeSet<&str> = targets[table].iter().map(|(c, _)| c.as_str()).collect();
        ensure!(a == b, "{table} has columns {a:?} in SQLite but {b:?} in PostgreSQL");
    }
    Ok(())
}

/// The tables, every one after the tables it references (Kahn's algorithm; ties by name).
fn parents_first(tables: &BTreeMap<String, Source>) -> anyhow::Result<Vec<String>> {
    for (name, t) in tables {
        if let Some(p) = t.parents.iter().find(|p| !tables.contains_key(*p)) {
            bail!("{name} references {p}, which is not a table of the SQLite database");
        }
    }
    let mut order: Vec<String> = Vec::with_capacity(tables.len());
    let mut left: BTreeSet<&String> = tables.keys().collect();
    while !left.is_empty() {
        let ready: Vec<&String> =
            left.iter().copied().filter(|n| tables[*n].parents.iter().all(|p| !left.contains(p))).collect();
        ensure!(!ready.is_empty(), "foreign keys form a cycle among {left:?}");
        for n in ready {
            left.remove(n);
            order.push(n.clone());
        }
    }
    Ok(order)
}

async fn copy_table(
    src: &mut SqliteConnection,
    dst: &mut PgConnection,
    table: &str,
    source: &Source,
    columns: &[(String, Kind)],
) -> anyhow::Result<()> {
    let list = columns.iter().map(|(c, _)| quote(c)).collect::<Vec<_>>().join(", ");
    let arrays = columns.iter().enumerate().map(|(i, (_, k))| format!("${}::{}", i + 1, k.array())).collect::<Vec<_>>();
    let insert = format!("INSERT INTO {} ({list}) SELECT * FROM UNNEST({})", quote(table), arrays.join(", "));
    let self_ref = |c: &str| source.self_refs.iter().any(|s| s == c);
    // The key and each self-referencing column's values, set after the rows are in.
    let key = source.key.as_deref().and_then(|k| columns.iter().position(|(c, _)| c == k));
    let mut later: Vec<(usize, Values)> =
        columns.iter().enumerate().filter(|(_, (c, _))| self_ref(c)).map(|(i, (_, k))| (i, Values::new(*k))).collect();
    let mut keys = key.map(|i| Values::new(columns[i].1));

    let mut batch: Vec<Values> = columns.iter().map(|(_, k)| Values::new(*k)).collect();
    let mut rows = sqlx::query(AssertSqlSafe(format!("SELECT {list} FROM {}", quote(table)))).fetch(&mut *src);
    while let Some(row) = rows.try_next().await? {
        for (i, (column, _)) in columns.iter().enumerate() {
            if self_ref(column) {
                batch[i].push_null();
            } else {
                batch[i].push(&row, i).with_context(|| format!("{table}.{column}"))?;
            }
        }
        for (i, values) in &mut later {
            values.push(&row, *i).with_context(|| format!("{table}.{}", columns[*i].0))?;
        }
        if let (Some(i), Some(keys)) = (key, keys.as_mut()) {
            keys.push(&row, i).with_context(|| format!("{table}.{}", columns[i].0))?;
        }
        if batch[0].len() == BATCH {
            insert_batch(dst, &insert, &mut batch, columns).await?;
        }
    }
    drop(rows);
    if batch.first().is_some_and(|v| v.len() > 0) {
        insert_batch(dst, &insert, &mut batch, columns).await?;
    }
    if let (Some(k), Some(keys)) = (key, keys) {
        for (i, values) in later {
            let sql = format!(
                "UPDATE {t} SET {c} = u.v FROM UNNEST($1::{ka}, $2::{va}) AS u (k, v) WHERE {t}.{kc} = u.k AND u.v IS NOT NULL",
                t = quote(table),
                c = quote(&columns[i].0),
                ka = columns[k].1.array(),
                va = columns[i].1.array(),
                kc = quote(&columns[k].0),
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            q = keys.clone().bind_to(q);
            values.bind_to(q).execute(&mut *dst).await?;
        }
    }
    Ok(())
}

async fn insert_batch(
    dst: &mut PgConnection,
    insert: &str,
    batch: &mut [Values],
    columns: &[(String, Kind)],
) -> anyhow::Result<()> {
    let mut q = sqlx::query(AssertSqlSafe(insert.to_owned()));
    for (values, (_, kind)) in batch.iter_mut().zip(columns) {
        q = std::mem::replace(values, Values::new(*kind)).bind_to(q);
    }
    q.execute(dst).await?;
    Ok(())
}

/// Every identity column's sequence continues after the copied ids (the copy gave them
/// explicitly, which does not advance the sequence).
async fn restart_identities(dst: &mut PgConnection) -> anyhow::Result<()> {
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .fetch_all(&mut *dst)
    .await?;
    for (table, column) in identities {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX({c}) FROM {t}), 0) + 1, false)",
            c = quote(&column),
            t = quote(&table),
        );
        sqlx::query(AssertSqlSafe(sql)).bind(quote(&table)).bind(&column).execute(&mut *dst).await?;
    }
    Ok(())
}

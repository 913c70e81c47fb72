//! Products and their thing models (stored as Alibaba TSL JSON text).

use model::registry::{DataFormat, NodeType, Product, UpdateProduct};
use sqlx::Row;

use super::Db;

/// Everything about a product the gateway needs at connect time.
#[derive(Debug, Clone)]
pub struct ProductRecord {
    pub product: Product,
    pub product_secret: String,
    pub tsl: String,
}

const SELECT: &str =
    "SELECT p.*, (SELECT COUNT(*) FROM devices d WHERE d.product_key = p.product_key) AS device_count FROM products p";

fn record(r: &sqlx::sqlite::SqliteRow) -> ProductRecord {
    ProductRecord {
        product: Product {
            product_key: r.get("product_key"),
            name: r.get("name"),
            node_type: NodeType::parse(r.get::<&str, _>("node_type")).unwrap_or(NodeType::Direct),
            data_format: DataFormat::parse(r.get::<&str, _>("data_format")).unwrap_or(DataFormat::AlinkJson),
            dynamic_registration: r.get("dynamic_registration"),
            description: r.get("description"),
            created_at: r.get("created_at"),
            device_count: r.get::<i64, _>("device_count") as u64,
        },
        product_secret: r.get("product_secret"),
        tsl: r.get("tsl"),
    }
}

pub async fn insert(db: &Db, p: &Product, secret: &str, tsl: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO products (product_key, name, product_secret, node_type, data_format, dynamic_registration, description, tsl, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&p.product_key)
    .bind(&p.name)
    .bind(secret)
    .bind(p.node_type.as_str())
    .bind(p.data_format.as_str())
    .bind(p.dynamic_registration)
    .bind(&p.description)
    .bind(tsl)
    .bind(p.created_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn get(db: &Db, pk: &str) -> sqlx::Result<Option<ProductRecord>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE p.product_key = $1")))
        .bind(pk)
        .fetch_optional(db)
        .await?;
    Ok(row.as_ref().map(record))
}

pub async fn list(db: &Db) -> sqlx::Result<Vec<Product>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY p.created_at, p.product_key")))
        .fetch_all(db)
        .await?;
    Ok(rows.iter().map(|r| record(r).product).collect())
}

pub async fn update(db: &Db, pk: &str, u: &UpdateProduct) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE products SET name = COALESCE($1, name), dynamic_registration = COALESCE($2, dynamic_registration),
         description = COALESCE($3, description) WHERE product_key = $4",
    )
    .bind(&u.name)
    .bind(u.dynamic_registration)
    .bind(&u.description)
    .bind(pk)
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn set_tsl(db: &Db, pk: &str, tsl: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE products SET tsl = $1 WHERE product_key = $2").bind(tsl).bind(pk).execute(db).await?;
    Ok(r.rows_affected() == 1)
}

pub async fn delete(db: &Db, pk: &str) -> sqlx::Result<bool> {
    let r = sqlx::query("DELETE FROM products WHERE product_key = $1").bind(pk).execute(db).await?;
    Ok(r.rows_affected() == 1)
}

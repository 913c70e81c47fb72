//! Products and their thing models (stored as Alibaba TSL JSON text).

use model::registry::{DataFormat, NodeType, Product, UpdateProduct};

use super::{sql, Db, Error, Result, Row};

/// Everything about a product the gateway needs at connect time.
#[derive(Debug, Clone)]
pub struct ProductRecord {
    pub product: Product,
    pub product_secret: String,
    pub tsl: String,
}

const SELECT: &str =
    "SELECT p.*, (SELECT COUNT(*) FROM devices d WHERE d.product_key = p.product_key) AS device_count FROM products p";

/// A row as a record; a node type or data format the code does not know is corrupt data.
fn record(r: &Row) -> Result<ProductRecord> {
    let node_type: String = r.get("node_type")?;
    let data_format: String = r.get("data_format")?;
    Ok(ProductRecord {
        product: Product {
            product_key: r.get("product_key")?,
            name: r.get("name")?,
            node_type: NodeType::parse(&node_type).ok_or_else(|| Error::corrupt(format!("node type {node_type:?}")))?,
            data_format: DataFormat::parse(&data_format)
                .ok_or_else(|| Error::corrupt(format!("data format {data_format:?}")))?,
            dynamic_registration: r.get("dynamic_registration")?,
            description: r.get("description")?,
            created_at: r.get("created_at")?,
            device_count: r.get::<i64>("device_count")? as u64,
        },
        product_secret: r.get("product_secret")?,
        tsl: r.get("tsl")?,
    })
}

pub async fn insert(db: &Db, p: &Product, secret: &str, tsl: &str) -> Result<()> {
    db.execute(
        sql("INSERT INTO products (product_key, name, product_secret, node_type, data_format, dynamic_registration, description, tsl, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(&p.product_key)
        .bind(&p.name)
        .bind(secret)
        .bind(p.node_type.as_str())
        .bind(p.data_format.as_str())
        .bind(p.dynamic_registration)
        .bind(&p.description)
        .bind(tsl)
        .bind(p.created_at),
    )
    .await?;
    Ok(())
}

pub async fn get(db: &Db, pk: &str) -> Result<Option<ProductRecord>> {
    db.fetch_optional(sql(format!("{SELECT} WHERE p.product_key = $1")).bind(pk))
        .await?
        .as_ref()
        .map(record)
        .transpose()
}

pub async fn list(db: &Db) -> Result<Vec<Product>> {
    let rows = db.fetch_all(sql(format!("{SELECT} ORDER BY p.created_at, p.product_key"))).await?;
    rows.iter().map(|r| Ok(record(r)?.product)).collect()
}

pub async fn update(db: &Db, pk: &str, u: &UpdateProduct) -> Result<bool> {
    let n = db
        .execute(
            sql("UPDATE products SET name = COALESCE($1, name), dynamic_registration = COALESCE($2, dynamic_registration),
                 description = COALESCE($3, description) WHERE product_key = $4")
            .bind(&u.name)
            .bind(u.dynamic_registration)
            .bind(&u.description)
            .bind(pk),
        )
        .await?;
    Ok(n == 1)
}

pub async fn set_tsl(db: &Db, pk: &str, tsl: &str) -> Result<bool> {
    Ok(db.execute(sql("UPDATE products SET tsl = $1 WHERE product_key = $2").bind(tsl).bind(pk)).await? == 1)
}

pub async fn delete(db: &Db, pk: &str) -> Result<bool> {
    Ok(db.execute(sql("DELETE FROM products WHERE product_key = $1").bind(pk)).await? == 1)
}

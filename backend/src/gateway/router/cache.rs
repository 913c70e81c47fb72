//! Product models and device ids, cached so an uplink does not read (and parse) the thing model
//! from the database every time.
//!
//! Products are invalidated explicitly when their TSL changes ([`invalidate_product`], called by
//! the registry's TSL PUT) and, like devices, expire after [`TTL`] as a safety net for changes
//! that do not invalidate (product or device deleted and re-created, gateway re-attached by the
//! console). Invalidation is process-wide on purpose: the registry has no handle on the router,
//! and a stale model must not survive a TSL change in any router instance of this process.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use model::alink::DeviceRef;
use model::registry::{DataFormat, NodeType};
use model::tsl::{codes, ThingModel};
use tokio::time::Instant;

use crate::store::{self, Db};

/// How long an entry is trusted without invalidation.
pub const TTL: Duration = Duration::from_secs(30);
/// Entries kept at most per map; past this the map is cleared (cheaper than LRU bookkeeping,
/// and a refill costs one query per device).
const MAX_ENTRIES: usize = 200_000;

/// What the router needs of a product.
#[derive(Debug)]
pub struct ProductInfo {
    pub node_type: NodeType,
    pub data_format: DataFormat,
    /// The parsed thing model; `Err` carries why the stored TSL does not parse (6318).
    pub model: Result<Arc<ThingModel>, String>,
}

/// What the router needs of a device.
#[derive(Debug, Clone)]
pub struct DeviceInfo {
    pub id: i64,
    pub enabled: bool,
    /// The gateway a sub-device is attached to.
    pub gateway: Option<DeviceRef>,
    /// What the device said it runs at connect (e.g. the SDK), if anything.
    pub sdk: Option<String>,
}

impl DeviceInfo {
    pub fn from_record(rec: &store::devices::DeviceRecord) -> DeviceInfo {
        DeviceInfo {
            id: rec.id,
            enabled: rec.enabled,
            gateway: rec.device.gateway.clone(),
            sdk: rec.device.sdk.clone(),
        }
    }
}

/// Per-product generation, bumped by [`invalidate_product`]; entries loaded under an older
/// generation are reloaded.
static GENERATIONS: LazyLock<Mutex<HashMap<String, u64>>> = LazyLock::new(Default::default);
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

fn generation(pk: &str) -> u64 {
    GENERATIONS.lock().unwrap_or_else(|p| p.into_inner()).get(pk).copied().unwrap_or(0)
}

/// Forget the cached model of `pk` everywhere in this process (its TSL changed).
pub fn invalidate_product(pk: &str) {
    let g = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
    GENERATIONS.lock().unwrap_or_else(|p| p.into_inner()).insert(pk.to_string(), g);
}

struct Entry<T> {
    value: T,
    loaded: Instant,
    generation: u64,
}

#[derive(Default)]
pub struct Cache {
    products: Mutex<HashMap<String, Entry<Arc<ProductInfo>>>>,
    devices: Mutex<HashMap<DeviceRef, Entry<Arc<DeviceInfo>>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves a valid map; keep serving.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn insert<K: std::hash::Hash + Eq, T>(map: &Mutex<HashMap<K, Entry<T>>>, key: K, value: T, generation: u64) {
    let mut m = lock(map);
    if m.len() >= MAX_ENTRIES {
        m.clear();
    }
    m.insert(key, Entry { value, loaded: Instant::now(), generation });
}

impl Cache {
    /// The product, from cache or the database; `None` if it does not exist.
    pub async fn product(&self, db: &Db, pk: &str) -> crate::store::Result<Option<Arc<ProductInfo>>> {
        let current = generation(pk);
        if let Some(e) = lock(&self.products).get(pk) {
            if e.generation == current && e.loaded.elapsed() < TTL {
                return Ok(Some(e.value.clone()));
            }
        }
        let Some(rec) = store::products::get(db, pk).await? else { return Ok(None) };
        let info = Arc::new(ProductInfo {
            node_type: rec.product.node_type,
            data_format: rec.product.data_format,
            model: serde_json::from_str::<ThingModel>(&rec.tsl).map(Arc::new).map_err(|e| e.to_string()),
        });
        insert(&self.products, pk.to_string(), info.clone(), current);
        Ok(Some(info))
    }

    /// The parsed thing model of a product, or the seed code (and why) to answer with.
    pub async fn model(&self, db: &Db, pk: &str) -> Result<Arc<ThingModel>, (u32, String)> {
        match self.product(db, pk).await {
            Ok(Some(p)) => p
                .model
                .clone()
                .map_err(|e| (codes::TSL_PARSE_FAILED, format!("the product's thing model does not parse: {e}"))),
            Ok(None) => Err((super::CODE_DEVICE_NOT_FOUND, format!("product {pk} does not exist"))),
            Err(e) => Err((super::CODE_INTERNAL, format!("database: {e}"))),
        }
    }

    /// The device, from cache or the database; `None` if it does not exist.
    pub async fn device(&self, db: &Db, d: &DeviceRef) -> crate::store::Result<Option<Arc<DeviceInfo>>> {
        if let Some(e) = lock(&self.devices).get(d) {
            if e.loaded.elapsed() < TTL {
                return Ok(Some(e.value.clone()));
            }
        }
        let Some(rec) = store::devices::get(db, &d.pk, &d.dn).await? else { return Ok(None) };
        let info = Arc::new(DeviceInfo::from_record(&rec));
        insert(&self.devices, d.clone(), info.clone(), 0);
        Ok(Some(info))
    }

    /// Forget one device (its gateway or state changed through the router).
    pub fn invalidate_device(&self, d: &DeviceRef) {
        lock(&self.devices).remove(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalidation_bumps_the_generation() {
        let before = generation("pkCacheTest");
        invalidate_product("pkCacheTest");
        let after = generation("pkCacheTest");
        assert_ne!(before, after);
        invalidate_product("pkCacheTest");
        assert_ne!(after, generation("pkCacheTest"));
        assert_eq!(generation("pkNeverInvalidated"), 0);
    }
}

//! Demo mode: products with real thing models and devices, seeded once into an empty registry.

use model::registry::{NewDevice, NewProduct, NodeType};

use crate::registry::create_product;
use crate::state::AppState;
use crate::store;

/// The demo's street lamps use the all-types model, so every page has every kind of value.
const LAMP_TSL: &str = include_str!("street-lamp-all-types.tsl.json");
const SDK_LAMP_TSL: &str = include_str!("street-lamp.tsl.json");

/// Seed only into an empty registry, so a restart never duplicates or overwrites anything.
pub async fn seed(st: &AppState) -> anyhow::Result<()> {
    if !store::products::list(&st.db).await?.is_empty() {
        return Ok(());
    }
    let fleets = [
        ("Smart street lamp", "a1DemoLamp0", LAMP_TSL, "lamp", 24),
        ("C SDK street lamp", "a1DemoCsdk0", SDK_LAMP_TSL, "csdk-lamp", 6),
    ];
    for (name, pk, tsl, prefix, count) in fleets {
        let req = NewProduct {
            name: name.into(),
            product_key: Some(pk.into()),
            product_secret: None,
            node_type: NodeType::Direct,
            data_format: model::registry::DataFormat::AlinkJson,
            dynamic_registration: true,
            description: "Seeded by demo mode".into(),
        };
        create_product(st, &req).await.map_err(|e| anyhow::anyhow!("demo product: {e}"))?;
        let model = crate::registry::tsl_parse(pk, serde_json::from_str(tsl)?)
            .map_err(|e| anyhow::anyhow!("demo model: {e}"))?;
        store::products::set_tsl(&st.db, pk, &serde_json::to_string(&model)?).await?;
        let devices = (1..=count)
            .map(|i| NewDevice {
                device_name: format!("{prefix}-{i:04}"),
                nickname: format!("{name} #{i}"),
                device_secret: None,
            })
            .collect();
        crate::registry::create_devices(&st.db, st.now(), pk, devices)
            .await
            .map_err(|e| anyhow::anyhow!("demo devices: {e}"))?;
    }
    tracing::info!("demo fleet seeded");
    Ok(())
}

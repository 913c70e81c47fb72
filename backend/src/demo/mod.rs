//! Demo mode: products with real thing models (shipped with the product, in `models/`) and a
//! fleet of devices, topped up on every start: a missing demo product or device is created (old
//! data directories get the new ones too); nothing existing is changed. The simulated fleet that
//! brings them to life is [`crate::simulate::fleet`].

use model::registry::{DataFormat, NewDevice, NewProduct, NodeType};
use model::simulate::{demo_plan, DemoKind, SUBS_PER_GATEWAY};

use crate::registry::create_product;
use crate::state::AppState;
use crate::store;

/// A demo product and its devices' names.
#[derive(Debug, Clone)]
pub struct DemoProduct {
    pub name: &'static str,
    pub product_key: &'static str,
    pub node_type: NodeType,
    pub kind: DemoKind,
    pub tsl: &'static str,
    pub devices: Vec<String>,
}

pub const LAMP_PK: &str = "a1DemoLamp0";
pub const CSDK_LAMP_PK: &str = "a1DemoCsdk0";
pub const SENSOR_PK: &str = "a1DemoEnvS0";
pub const GATEWAY_PK: &str = "a1DemoGw000";
pub const PLUG_PK: &str = "a1DemoSub00";

/// The demo's street lamps use the all-types model, so every page has every kind of value.
const LAMP_TSL: &str = include_str!("models/street-lamp-all-types.tsl.json");
const SDK_LAMP_TSL: &str = include_str!("models/street-lamp.tsl.json");
const SENSOR_TSL: &str = include_str!("models/environment-sensor.tsl.json");
const GATEWAY_TSL: &str = include_str!("models/gateway.tsl.json");
const PLUG_TSL: &str = include_str!("models/smart-plug.tsl.json");

/// Name of gateway `g`'s sub-device `j` (both from 1).
pub fn plug_name(g: usize, j: usize) -> String {
    format!("plug-{g:04}-{j}")
}

/// Gateway device names.
pub fn gateway_name(g: usize) -> String {
    format!("gw-{g:04}")
}

/// The demo catalogue for a fleet of `n` devices ([`demo_plan`]). The C SDK lamps (the seed's
/// own street-lamp model) keep their six devices of earlier versions.
pub fn catalogue(n: usize) -> Vec<DemoProduct> {
    let plan = demo_plan(n);
    let csdk = plan.lamps.min(6);
    let names = |prefix: &str, count: usize| (1..=count).map(|i| format!("{prefix}-{i:04}")).collect::<Vec<_>>();
    let plugs =
        (1..=plan.gateways).flat_map(|g| (1..=SUBS_PER_GATEWAY).map(move |j| plug_name(g, j))).collect::<Vec<_>>();
    vec![
        DemoProduct {
            name: "Smart street lamp",
            product_key: LAMP_PK,
            node_type: NodeType::Direct,
            kind: DemoKind::StreetLamp,
            tsl: LAMP_TSL,
            devices: names("lamp", plan.lamps - csdk),
        },
        DemoProduct {
            name: "C SDK street lamp",
            product_key: CSDK_LAMP_PK,
            node_type: NodeType::Direct,
            kind: DemoKind::StreetLamp,
            tsl: SDK_LAMP_TSL,
            devices: names("csdk-lamp", csdk),
        },
        DemoProduct {
            name: "Environment sensor",
            product_key: SENSOR_PK,
            node_type: NodeType::Direct,
            kind: DemoKind::EnvSensor,
            tsl: SENSOR_TSL,
            devices: names("env", plan.sensors),
        },
        DemoProduct {
            name: "Field gateway",
            product_key: GATEWAY_PK,
            node_type: NodeType::Gateway,
            kind: DemoKind::Gateway,
            tsl: GATEWAY_TSL,
            devices: (1..=plan.gateways).map(gateway_name).collect(),
        },
        DemoProduct {
            name: "Smart plug (sub-device)",
            product_key: PLUG_PK,
            node_type: NodeType::SubDevice,
            kind: DemoKind::SubDevice,
            tsl: PLUG_TSL,
            devices: plugs,
        },
    ]
}

/// Create what is missing of the demo catalogue for `n` devices.
pub async fn seed(st: &AppState, n: usize) -> anyhow::Result<Vec<DemoProduct>> {
    let cat = catalogue(n);
    let mut created = 0;
    for p in &cat {
        if store::products::get(&st.db, p.product_key).await?.is_none() {
            let req = NewProduct {
                name: p.name.into(),
                product_key: Some(p.product_key.into()),
                product_secret: None,
                node_type: p.node_type,
                data_format: DataFormat::AlinkJson,
                dynamic_registration: true,
                description: "Seeded by demo mode".into(),
            };
            create_product(st, &req).await.map_err(|e| anyhow::anyhow!("demo product {}: {e}", p.product_key))?;
            let model = crate::registry::tsl_parse(p.product_key, serde_json::from_str(p.tsl)?)
                .map_err(|e| anyhow::anyhow!("demo model {}: {e}", p.product_key))?;
            store::products::set_tsl(&st.db, p.product_key, &serde_json::to_string(&model)?).await?;
        }
        let existing: std::collections::HashSet<String> =
            store::devices::existing_names(&st.db, p.product_key, &p.devices).await?.into_iter().collect();
        let missing: Vec<NewDevice> = p
            .devices
            .iter()
            .filter(|d| !existing.contains(*d))
            .map(|d| NewDevice { device_name: d.clone(), nickname: format!("{} {d}", p.name), device_secret: None })
            .collect();
        created += missing.len();
        if !missing.is_empty() {
            crate::registry::create_devices(&st.db, st.now(), p.product_key, missing)
                .await
                .map_err(|e| anyhow::anyhow!("demo devices of {}: {e}", p.product_key))?;
        }
    }
    tracing::info!(devices = n, created, "demo fleet ready");
    Ok(cat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_has_n_devices_and_every_model_parses() {
        for n in [1, 30, 200, 10_000] {
            let cat = catalogue(n);
            assert_eq!(cat.iter().map(|p| p.devices.len()).sum::<usize>(), n, "{n}");
        }
        for p in catalogue(200) {
            let model = crate::registry::tsl_parse(p.product_key, serde_json::from_str(p.tsl).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.product_key));
            assert!(!model.properties.is_empty(), "{}", p.product_key);
        }
    }
}

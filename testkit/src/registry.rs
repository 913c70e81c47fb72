//! Products and devices made directly through the registry (no HTTP, no audit), and the router
//! tests' fleet: a product with a thing model, a gateway and its sub-devices.

use backend::store::devices::DeviceRecord;
use model::alink::sign::{sub_device_sign, SignMethod};
use model::registry::{DataFormat, NewDevice, NewProduct, NodeType};
use model::tsl::{CallType, DataType, Event, EventType, Param, Property, Service, ThingModel};
use serde_json::Value;

use crate::app::TestApp;

pub const PK: &str = "a1FakePK001";
pub const DN: &str = "dev-001";
pub const GW_PK: &str = "a1GatewayPK";
pub const GW: &str = "gw-001";
pub const SUB_PK: &str = "a1SubPK0001";
pub const SUB: &str = "sub-001";
pub const SUB2: &str = "sub-002";
pub const SECRET: &str = "0123456789abcdef0123456789abcdef";
pub const SUB_SECRET: &str = "subsecret0123456789abcdef0123456";

/// The fleet's model: a switch, a brightness, a read-only temperature, a label, an event, an
/// async and a sync service.
pub fn model(pk: &str) -> ThingModel {
    ThingModel::new_empty(pk)
        .with_property(Property::new("LightSwitch", "Switch", DataType::bool("off", "on")))
        .with_property(Property::new("Brightness", "Brightness", DataType::int(0, 100)))
        .with_property(Property::new("Temperature", "Temperature", DataType::float(-40.0, 120.0)).read_only())
        .with_property(Property::new("Label", "Label", DataType::text(16)))
        .with_event(Event::new("Alarm", "Alarm", EventType::Alert).with_output(Param::new(
            "ErrorCode",
            "Code",
            DataType::int(0, 10),
        )))
        .with_service(Service::new("Reboot", "Reboot", CallType::Async).with_input(Param::new(
            "delay",
            "Delay",
            DataType::int(0, 60),
        )))
        .with_service(
            Service::new("Add", "Add", CallType::Sync)
                .with_input(Param::new("a", "a", DataType::int(0, 1000)))
                .with_input(Param::new("b", "b", DataType::int(0, 1000)))
                .with_output(Param::new("sum", "sum", DataType::int(0, 2000))),
        )
}

/// `/sys/{PK}/{DN}/{suffix}`: a topic of the fleet's direct device.
pub fn topic(suffix: &str) -> String {
    format!("/sys/{PK}/{DN}/{suffix}")
}

/// A signed topo/add or login entry for a sub-device, as Py builds it.
pub fn signed(pk: &str, dn: &str, secret: &str, method_key: &str) -> Value {
    let cid = format!("{pk}.{dn}|lan=Python,_v=2.2.1,_ss=1|");
    let ts = "1700000000000";
    let sign = sub_device_sign(SignMethod::HmacSha256, secret, &cid, pk, dn, ts);
    serde_json::json!({"productKey": pk, "deviceName": dn, "clientId": cid, "timestamp": ts, method_key: "hmacSha256", "sign": sign})
}

/// Product PK (with [`model`]) and its device DN, gateway GW, sub-devices SUB and SUB2 (not
/// attached); with a recording downlink, DN and GW are online.
pub async fn seed_fleet(app: &TestApp) {
    for (pk, node_type) in [(PK, NodeType::Direct), (GW_PK, NodeType::Gateway), (SUB_PK, NodeType::SubDevice)] {
        app.product_with(pk, node_type, false, Some(&model(pk))).await;
    }
    for (pk, dn, secret) in
        [(PK, DN, SECRET), (GW_PK, GW, SECRET), (SUB_PK, SUB, SUB_SECRET), (SUB_PK, SUB2, SUB_SECRET)]
    {
        app.device_with_secret(pk, dn, secret).await;
    }
    if app.is_recording() {
        app.downlink().set_online(PK, DN, true);
        app.downlink().set_online(GW_PK, GW, true);
    }
}

impl TestApp {
    /// A direct product with an empty model; returns its productSecret.
    pub async fn product(&self, pk: &str, dynamic_registration: bool) -> String {
        self.product_with(pk, NodeType::Direct, dynamic_registration, None).await
    }

    /// A product of any node type, with `tsl` as its model; returns its productSecret.
    pub async fn product_with(
        &self,
        pk: &str,
        node_type: NodeType,
        dynamic_registration: bool,
        tsl: Option<&ThingModel>,
    ) -> String {
        let req = NewProduct {
            name: format!("product {pk}"),
            product_key: Some(pk.to_string()),
            product_secret: None,
            node_type,
            data_format: DataFormat::AlinkJson,
            dynamic_registration,
            description: String::new(),
        };
        backend::registry::create_product(self.state(), &req).await.unwrap();
        if let Some(m) = tsl {
            backend::store::products::set_tsl(self.db(), pk, &serde_json::to_string(m).unwrap()).await.unwrap();
        }
        backend::store::products::get(self.db(), pk).await.unwrap().unwrap().product_secret
    }

    /// A device with a generated secret; returns the secret.
    pub async fn device(&self, pk: &str, dn: &str) -> String {
        self.add_device(pk, dn, None).await
    }

    /// A device with the given secret.
    pub async fn device_with_secret(&self, pk: &str, dn: &str, secret: &str) -> String {
        self.add_device(pk, dn, Some(secret.to_string())).await
    }

    async fn add_device(&self, pk: &str, dn: &str, device_secret: Option<String>) -> String {
        let d = NewDevice { device_name: dn.to_string(), nickname: String::new(), device_secret };
        backend::registry::create_devices(self.db(), self.state().now(), pk, vec![d])
            .await
            .unwrap()
            .remove(0)
            .device_secret
    }

    pub async fn record(&self, pk: &str, dn: &str) -> Option<DeviceRecord> {
        backend::store::devices::get(self.db(), pk, dn).await.unwrap()
    }

    pub async fn device_id(&self, pk: &str, dn: &str) -> i64 {
        self.record(pk, dn).await.expect("the device exists").id
    }
}

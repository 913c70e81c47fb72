//! Products: list + create dialog, detail page with tabs, thing-model editor.

pub mod create;
pub mod detail;
mod edit;
pub mod list;
pub mod tsl_editor;

use model::registry::{DataFormat, NodeType};

pub fn node_type_key(n: NodeType) -> &'static str {
    match n {
        NodeType::Direct => "product.node.direct",
        NodeType::Gateway => "product.node.gateway",
        NodeType::SubDevice => "product.node.sub_device",
    }
}

pub fn data_format_key(f: DataFormat) -> &'static str {
    match f {
        DataFormat::AlinkJson => "product.format.alink_json",
        DataFormat::Custom => "product.format.custom",
    }
}

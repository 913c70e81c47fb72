//! OpenAPI schemas of the two TSL types with hand-written serde (`openapi` feature only).
//!
//! [`DataType`] is `{"type": …, "specs": …}` where the shape of `specs` depends on `type`, and
//! [`ValueLabels`] is a JSON object of value → label; a derive cannot see either, so the schemas
//! are spelled out here, next to nothing else, and must follow `data_type.rs`'s `Serialize`.

use std::borrow::Cow;

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use super::data_type::{ArraySpecs, DataType, DateSpecs, NumberSpecs, TextSpecs, ValueLabels};
use super::types::Param;

impl PartialSchema for ValueLabels {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("Value (a decimal integer as a string, e.g. `\"0\"`) → its label."))
            .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)))
            .into()
    }
}

impl ToSchema for ValueLabels {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ValueLabels")
    }
}

fn reference<T: ToSchema>() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(T::name()))
}

/// One arm of the `oneOf`: the `type` strings it covers and the shape of its `specs`.
fn variant(types: &[&str], specs: RefOr<Schema>, specs_required: bool, description: &str) -> ObjectBuilder {
    let type_names = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(types.iter().copied()));
    let object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .property("type", type_names)
        .required("type")
        .property("specs", specs);
    if specs_required {
        object.required("specs")
    } else {
        object
    }
}

impl PartialSchema for DataType {
    fn schema() -> RefOr<Schema> {
        let fields = ArrayBuilder::new().items(reference::<Param>()).build();
        OneOfBuilder::new()
            .description(Some(
                "A TSL data type: `type` selects the shape of `specs`. Specs keep Alibaba's strings \
                 (`\"min\": \"0\"`); on import `int32` is read as `int` and numbers in specs are accepted.",
            ))
            .item(variant(&["int", "float", "double"], reference::<NumberSpecs>(), false, "A number."))
            .item(variant(&["bool", "enum"], reference::<ValueLabels>(), false, "Labelled values."))
            .item(variant(&["text"], reference::<TextSpecs>(), false, "A string of at most `length` characters."))
            .item(variant(&["date"], reference::<DateSpecs>(), false, "UTC milliseconds."))
            .item(variant(&["struct"], fields.into(), false, "Named fields, in order."))
            .item(variant(&["array"], reference::<ArraySpecs>(), true, "At most `size` elements of `item`."))
            .into()
    }
}

impl ToSchema for DataType {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("DataType")
    }

    /// The schemas referenced above. Their own `schemas()` are not called: `Param` and
    /// `ArraySpecs` refer back to `DataType`, and following them would never end.
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.extend([
            (NumberSpecs::name().into(), NumberSpecs::schema()),
            (ValueLabels::name().into(), ValueLabels::schema()),
            (TextSpecs::name().into(), TextSpecs::schema()),
            (DateSpecs::name().into(), DateSpecs::schema()),
            (ArraySpecs::name().into(), ArraySpecs::schema()),
            (Param::name().into(), Param::schema()),
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsl::ThingModel;

    fn names<T: ToSchema>() -> Vec<String> {
        let mut v = Vec::new();
        T::schemas(&mut v);
        v.into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn every_type_name_the_serializer_writes_has_an_arm() {
        let json = serde_json::to_value(DataType::schema()).unwrap();
        let arms: Vec<String> = json["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|arm| arm["properties"]["type"]["enum"].as_array().unwrap().clone())
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
        for t in ["int", "float", "double", "bool", "enum", "text", "date", "struct", "array"] {
            assert!(arms.contains(&t.to_string()), "{t} has no arm in {arms:?}");
        }
    }

    #[test]
    fn a_thing_model_brings_every_schema_it_refers_to() {
        let found = names::<ThingModel>();
        for n in ["Profile", "Property", "DataType", "NumberSpecs", "ValueLabels", "ArraySpecs", "Param", "Service"] {
            assert!(found.iter().any(|f| f == n), "{n} missing from {found:?}");
        }
    }
}

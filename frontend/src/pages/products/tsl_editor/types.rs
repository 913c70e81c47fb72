//! Data type editor (type + type-specific specs) and parameter lists (event outputs, service
//! inputs/outputs, struct fields). Recursive through struct and array, so views are `AnyView`.

use leptos::prelude::*;
use model::tsl::{DataType, Param, TslError};

use super::lens::Lens;
use super::problems::{owned, ProblemList};
use super::specs::{bool_specs, enum_specs, input, number_specs, text_specs};
use crate::i18n::t;

const SIMPLE: [&str; 7] = ["int", "float", "double", "bool", "enum", "text", "date"];
const ARRAY_ITEMS: [&str; 5] = ["int", "float", "double", "text", "struct"];

/// A fresh data type of `kind` with sensible specs.
pub fn default_type(kind: &str) -> DataType {
    match kind {
        "float" => DataType::float(0.0, 100.0),
        "double" => DataType::double(0.0, 100.0),
        "bool" => DataType::bool("off", "on"),
        "enum" => DataType::enumeration([(0, "zero")]),
        "text" => DataType::text(255),
        "date" => DataType::date(),
        "struct" => DataType::structure(vec![Param::new("field1", "Field 1", DataType::int(0, 100))]),
        "array" => DataType::array(DataType::int(0, 100), 10),
        _ => DataType::int(0, 100),
    }
}

fn struct_fields(dt: &Lens<DataType>) -> Lens<Vec<Param>> {
    dt.zoom(
        |d| match d {
            DataType::Struct(f) => f.clone(),
            _ => Vec::new(),
        },
        |d, v| {
            if let DataType::Struct(f) = d {
                *f = v
            }
        },
    )
}

fn array_specs(dt: Lens<DataType>, p: String, path: Signal<String>, problems: Signal<Vec<TslError>>) -> AnyView {
    let (g, s) = (dt.clone(), dt.clone());
    let size = input(
        "tsl.array_size",
        format!("{p}array-size"),
        move || match g.get() {
            DataType::Array(a) => a.size,
            _ => String::new(),
        },
        move |v| {
            s.update(|d| {
                if let DataType::Array(a) = d {
                    a.size = v.trim().to_string()
                }
            })
        },
    );
    let item = dt.zoom(
        |d| match d {
            DataType::Array(a) => (*a.item).clone(),
            _ => DataType::int(0, 100),
        },
        |d, v| {
            if let DataType::Array(a) = d {
                *a.item = v
            }
        },
    );
    let item_kind = {
        let i = item.clone();
        Memo::new(move |_| i.get().type_name().to_string())
    };
    let set_item = item.clone();
    let item_path = Signal::derive(move || format!("{}[]", path.get()));
    let pi = p.clone();
    view! {
        <div class="tsl-grid">
            {size}
            <label class="field">
                <span class="field-label">{move || t("tsl.array_item")}</span>
                <select class="input" data-testid=format!("{p}array-item") on:change=move |ev| set_item.set(default_type(&event_target_value(&ev)))>
                    {ARRAY_ITEMS.iter().map(|k| view! { <option value=*k selected=move || item_kind.get() == *k>{*k}</option> }).collect_view()}
                </select>
            </label>
        </div>
        {move || match item_kind.get().as_str() {
            "struct" => param_list(struct_fields(&item), format!("{pi}item-field-"), item_path, problems, false),
            "int" | "float" | "double" => number_specs(item.clone(), format!("{pi}item-")),
            "text" => text_specs(item.clone(), format!("{pi}item-")),
            _ => ().into_any(),
        }}
    }
    .into_any()
}

/// Type select plus the editor of its specs. `p` prefixes every test id; `path` is the model
/// path of this block (for its problems); struct/array are offered when `complex`.
pub fn type_editor(
    dt: Lens<DataType>,
    p: String,
    path: Signal<String>,
    problems: Signal<Vec<TslError>>,
    complex: bool,
) -> AnyView {
    let kind = {
        let d = dt.clone();
        Memo::new(move |_| d.get().type_name().to_string())
    };
    let set = dt.clone();
    let kinds: Vec<&'static str> =
        SIMPLE.iter().copied().chain(complex.then_some(["struct", "array"]).into_iter().flatten()).collect();
    let p2 = p.clone();
    view! {
        <label class="field">
            <span class="field-label">{move || t("tsl.data_type")}</span>
            <select class="input" data-testid=format!("{p}type") on:change=move |ev| set.set(default_type(&event_target_value(&ev)))>
                {kinds.into_iter().map(|k| view! { <option value=k selected=move || kind.get() == k>{move || t(type_key(k))}</option> }).collect_view()}
            </select>
        </label>
        <div class="tsl-span">{move || match kind.get().as_str() {
            "int" | "float" | "double" => number_specs(dt.clone(), p2.clone()),
            "bool" => bool_specs(dt.clone(), p2.clone()),
            "enum" => enum_specs(dt.clone(), p2.clone()),
            "text" => text_specs(dt.clone(), p2.clone()),
            "struct" => param_list(struct_fields(&dt), format!("{p2}field-"), path, problems, false),
            "array" => array_specs(dt.clone(), p2.clone(), path, problems),
            _ => ().into_any(),
        }}</div>
    }
    .into_any()
}

pub fn type_key(kind: &str) -> &'static str {
    match kind {
        "int" => "tsl.type.int",
        "float" => "tsl.type.float",
        "double" => "tsl.type.double",
        "bool" => "tsl.type.bool",
        "enum" => "tsl.type.enum",
        "text" => "tsl.type.text",
        "date" => "tsl.type.date",
        "struct" => "tsl.type.struct",
        "array" => "tsl.type.array",
        _ => "tsl.type.unsupported",
    }
}

/// Editable list of parameters; each shows its own problems. `base` is the model path of the list.
pub fn param_list(
    list: Lens<Vec<Param>>,
    p: String,
    base: Signal<String>,
    problems: Signal<Vec<TslError>>,
    complex: bool,
) -> AnyView {
    let n = {
        let l = list.clone();
        Memo::new(move |_| l.get().len())
    };
    let add = {
        let l = list.clone();
        move |_| {
            l.update(|ps| {
                let n = ps.len() + 1;
                ps.push(Param::new(format!("param{n}"), format!("Param {n}"), DataType::int(0, 100)))
            })
        }
    };
    let p2 = p.clone();
    view! {
        <div class="tsl-params">
            {move || (0..n.get()).map(|i| {
                let item = list.at(i, Param::new("", "", DataType::int(0, 100)));
                let rm = list.clone();
                let id = item.zoom(|x| x.identifier.clone(), |x, v| x.identifier = v);
                let name = item.zoom(|x| x.name.clone(), |x, v| x.name = v);
                let dt = item.zoom(|x| x.data_type.clone(), |x, v| x.data_type = v);
                let idg = id.clone();
                let path = Signal::derive(move || format!("{}.{}", base.get(), idg.get()));
                let mine = Signal::derive(move || owned(&problems.get(), &path.get()));
                let pp = format!("{p}{i}-");
                let (ig, is, ng, ns) = (id.clone(), id, name.clone(), name);
                view! {
                    <div class="tsl-param" data-testid=format!("{p}{i}")>
                        <button type="button" class="btn-icon tsl-param-remove" data-testid=format!("{p}remove-{i}") title=move || t("common.remove")
                            on:click=move |_| rm.update(|ps| { if i < ps.len() { ps.remove(i); } })>"×"</button>
                        <div class="tsl-grid">
                            {input("tsl.identifier", format!("{pp}identifier"), move || ig.get(), move |v| is.set(v.trim().to_string()))}
                            {input("tsl.name", format!("{pp}name"), move || ng.get(), move |v| ns.set(v))}
                            {type_editor(dt, pp.clone(), path, problems, complex)}
                        </div>
                        <ProblemList problems=mine testid="tsl-param-problems"/>
                    </div>
                }
            }).collect_view()}
            <button type="button" class="btn btn-small" data-testid=format!("{p2}add") on:click=add>{move || t("tsl.param_add")}</button>
        </div>
    }
    .into_any()
}

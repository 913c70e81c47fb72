//! Data type editor (type + type-specific specs) and parameter lists (event outputs, service
//! inputs/outputs, struct fields). Recursive through struct and array, so views are `AnyView`.

use leptos::prelude::*;
use model::tsl::{DataType, NumberSpecs, Param, TslError, ValueLabels};

use super::lens::Lens;
use super::problems::{owned, ProblemList};
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

/// A labelled text input bound to a getter and a setter.
fn input(
    label: &'static str,
    testid: String,
    get: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{move || t(label)}</span>
            <input class="input" data-testid=testid prop:value=get on:input=move |ev| set(event_target_value(&ev))/>
        </label>
    }
}

fn opt(s: String) -> Option<String> {
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn number_specs(dt: Lens<DataType>, p: String) -> AnyView {
    let specs = dt.zoom(
        |d| match d {
            DataType::Int(s) | DataType::Float(s) | DataType::Double(s) => s.clone(),
            _ => NumberSpecs::default(),
        },
        |d, v| {
            if let DataType::Int(s) | DataType::Float(s) | DataType::Double(s) = d {
                *s = v
            }
        },
    );
    let field = |label: &'static str,
                 key: &'static str,
                 get: fn(&NumberSpecs) -> Option<String>,
                 set: fn(&mut NumberSpecs, Option<String>)| {
        let (g, s) = (specs.clone(), specs.clone());
        input(
            label,
            format!("{p}{key}"),
            move || get(&g.get()).unwrap_or_default(),
            move |v| s.update(|x| set(x, opt(v))),
        )
    };
    view! {
        <div class="tsl-grid">
            {field("tsl.min", "min", |s| s.min.clone(), |s, v| s.min = v)}
            {field("tsl.max", "max", |s| s.max.clone(), |s, v| s.max = v)}
            {field("tsl.step", "step", |s| s.step.clone(), |s, v| s.step = v)}
            {field("tsl.unit", "unit", |s| s.unit.clone(), |s, v| s.unit = v)}
            {field("tsl.unit_name", "unit-name", |s| s.unit_name.clone(), |s, v| s.unit_name = v)}
        </div>
    }
    .into_any()
}

fn labels_lens(dt: &Lens<DataType>) -> Lens<Vec<(String, String)>> {
    dt.zoom(
        |d| match d {
            DataType::Bool(l) | DataType::Enum(l) => l.0.clone(),
            _ => Vec::new(),
        },
        |d, v| {
            if let DataType::Bool(l) | DataType::Enum(l) = d {
                *l = ValueLabels(v)
            }
        },
    )
}

fn bool_specs(dt: Lens<DataType>, p: String) -> AnyView {
    let labels = labels_lens(&dt);
    let label = move |key: &'static str| {
        let (g, s) = (labels.clone(), labels.clone());
        input(
            if key == "0" { "tsl.bool_0" } else { "tsl.bool_1" },
            format!("{p}bool-{key}"),
            move || g.get().iter().find(|(k, _)| k == key).map(|(_, l)| l.clone()).unwrap_or_default(),
            move |v| {
                s.update(|ls| match ls.iter_mut().find(|(k, _)| k == key) {
                    Some(slot) => slot.1 = v,
                    None => {
                        ls.push((key.to_string(), v));
                        ls.sort();
                    }
                })
            },
        )
    };
    view! { <div class="tsl-grid">{label("0")}{label("1")}</div> }.into_any()
}

fn enum_specs(dt: Lens<DataType>, p: String) -> AnyView {
    let labels = labels_lens(&dt);
    let n = {
        let l = labels.clone();
        Memo::new(move |_| l.get().len())
    };
    let add = {
        let l = labels.clone();
        move |_| {
            l.update(|ls| {
                let next = ls.iter().filter_map(|(k, _)| k.parse::<i64>().ok()).max().map_or(0, |m| m + 1);
                ls.push((next.to_string(), String::new()))
            })
        }
    };
    let p2 = p.clone();
    view! {
        <div class="tsl-pairs">
            <span class="field-label">{move || t("tsl.enum_values")}</span>
            {move || (0..n.get()).map(|i| {
                let item = labels.at(i, (String::new(), String::new()));
                let (g1, s1, g2, s2, rm) = (item.clone(), item.clone(), item.clone(), item, labels.clone());
                view! {
                    <div class="tsl-pair">
                        <input class="input mono" data-testid=format!("{p}enum-value-{i}") placeholder=move || t("tsl.value")
                            prop:value=move || g1.get().0 on:input=move |ev| s1.update(|x| x.0 = event_target_value(&ev))/>
                        <input class="input" data-testid=format!("{p}enum-label-{i}") placeholder=move || t("tsl.label")
                            prop:value=move || g2.get().1 on:input=move |ev| s2.update(|x| x.1 = event_target_value(&ev))/>
                        <button type="button" class="btn-icon" data-testid=format!("{p}enum-remove-{i}") title=move || t("common.remove")
                            on:click=move |_| rm.update(|ls| { if i < ls.len() { ls.remove(i); } })>"×"</button>
                    </div>
                }
            }).collect_view()}
            <button type="button" class="btn btn-small" data-testid=format!("{p2}enum-add") on:click=add>{move || t("tsl.enum_add")}</button>
        </div>
    }
    .into_any()
}

fn text_specs(dt: Lens<DataType>, p: String) -> AnyView {
    let (g, s) = (dt.clone(), dt);
    input(
        "tsl.length",
        format!("{p}length"),
        move || match g.get() {
            DataType::Text(t) => t.length.unwrap_or_default(),
            _ => String::new(),
        },
        move |v| {
            s.update(|d| {
                if let DataType::Text(t) = d {
                    t.length = opt(v)
                }
            })
        },
    )
    .into_any()
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

//! Spec editors of the simple data types: number ranges and units, bool and enum labels, text
//! length.

use leptos::prelude::*;
use model::tsl::{DataType, NumberSpecs, ValueLabels};

use super::lens::Lens;
use crate::i18n::t;

/// A labelled text input bound to a getter and a setter.
pub fn input(
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

pub fn number_specs(dt: Lens<DataType>, p: String) -> AnyView {
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

pub fn bool_specs(dt: Lens<DataType>, p: String) -> AnyView {
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

pub fn enum_specs(dt: Lens<DataType>, p: String) -> AnyView {
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

pub fn text_specs(dt: Lens<DataType>, p: String) -> AnyView {
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

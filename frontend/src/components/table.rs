//! Table helpers: sortable column headers over a client-side sort state.

use leptos::prelude::*;

use crate::i18n::t;

/// Which column a table is sorted by and in which direction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Sort {
    pub key: &'static str,
    pub asc: bool,
}

impl Sort {
    pub fn new(key: &'static str) -> Self {
        Sort { key, asc: true }
    }
    /// Apply the direction to an ordering.
    pub fn dir(self, o: std::cmp::Ordering) -> std::cmp::Ordering {
        if self.asc {
            o
        } else {
            o.reverse()
        }
    }
}

/// A `<th>` that sorts by `key` when clicked (a second click reverses).
#[component]
pub fn SortTh(label: &'static str, key: &'static str, sort: RwSignal<Sort>) -> impl IntoView {
    let mark = move || {
        let s = sort.get();
        if s.key != key {
            ""
        } else if s.asc {
            " ▲"
        } else {
            " ▼"
        }
    };
    view! {
        <th
            class="sortable"
            data-testid=format!("sort-{key}")
            aria-sort=move || {
                let s = sort.get();
                if s.key != key { "none" } else if s.asc { "ascending" } else { "descending" }
            }
            on:click=move |_| sort.update(|s| if s.key == key { s.asc = !s.asc } else { *s = Sort::new(key) })
        >
            {move || t(label)}
            {mark}
        </th>
    }
}

/// A data table that turns into cards on a phone (below 600 px, `.tbl-cards` in
/// `style/components.css`), so no column hides behind a sideways scroll.
///
/// What the rows give it, per cell:
/// - `data-label` (the column's name, see [`label`]): shown before the value on a card;
/// - `class="cell-key"` on the table's key fields (name, status, time, code): they open the
///   card, unlabelled, on its first lines; `cell-title` makes one of them the card's title;
/// - `class="actions"`: the buttons, at the card's foot.
///
/// Long values are cut with an ellipsis on a card; a tap on the cell shows them whole (one
/// listener here, so every table gets it).
#[component]
pub fn CardTable(
    #[prop(into)] testid: String,
    #[prop(optional)] compact: bool,
    /// Extra classes of the `<table>` (e.g. a fixed column layout).
    #[prop(optional)]
    class: &'static str,
    children: Children,
) -> impl IntoView {
    let toggle = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let Some(target) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        // Links, buttons and fields keep their own meaning.
        if target.closest("a, button, input, select, textarea, summary").ok().flatten().is_some() {
            return;
        }
        if let Ok(Some(td)) = target.closest("td") {
            let _ = td.class_list().toggle("cell-open");
        }
    };
    view! {
        <div class="table-wrap">
            <table class=format!("tbl tbl-cards {class}") class:tbl-compact=compact data-testid=testid on:click=toggle>
                {children()}
            </table>
        </div>
    }
}

/// The translated column name for a cell's `data-label` (reactive, follows the language).
pub fn label(key: &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || t(key)
}

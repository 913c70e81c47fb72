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

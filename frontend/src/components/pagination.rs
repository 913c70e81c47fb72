//! Pagination bar: "1–20 of 345", previous / next, page size.

use leptos::prelude::*;

use crate::i18n::{t, tf};

pub const PAGE_SIZES: [u32; 4] = [20, 50, 100, 200];

#[component]
pub fn Pagination(
    #[prop(into)] page: Signal<u32>,
    #[prop(into)] page_size: Signal<u32>,
    #[prop(into)] total: Signal<u64>,
    /// Called with the new (page, page_size).
    on_change: Callback<(u32, u32)>,
) -> impl IntoView {
    let pages = move || total.get().div_ceil(page_size.get().max(1) as u64).max(1) as u32;
    let range = move || {
        let (p, s, n) = (page.get().max(1) as u64, page_size.get() as u64, total.get());
        if n == 0 {
            tf("page.range", &[("from", "0".into()), ("to", "0".into()), ("total", "0".into())])
        } else {
            let from = (p - 1) * s + 1;
            let to = (p * s).min(n);
            tf("page.range", &[("from", from.to_string()), ("to", to.to_string()), ("total", n.to_string())])
        }
    };
    view! {
        <div class="pagination" data-testid="pagination">
            <span class="num" data-testid="page-range">{range}</span>
            <button
                class="btn btn-small"
                data-testid="page-prev"
                disabled=move || { page.get() <= 1 }
                on:click=move |_| on_change.run((page.get_untracked().saturating_sub(1).max(1), page_size.get_untracked()))
            >
                {move || t("page.prev")}
            </button>
            <span class="num" data-testid="page-current">{move || format!("{} / {}", page.get(), pages())}</span>
            <button
                class="btn btn-small"
                data-testid="page-next"
                disabled=move || { page.get() >= pages() }
                on:click=move |_| on_change.run((page.get_untracked() + 1, page_size.get_untracked()))
            >
                {move || t("page.next")}
            </button>
            <select
                class="input input-small"
                data-testid="page-size"
                on:change=move |ev| {
                    let s = event_target_value(&ev).parse().unwrap_or(20);
                    on_change.run((1, s));
                }
            >
                {PAGE_SIZES
                    .iter()
                    .map(|s| {
                        let s = *s;
                        view! { <option value=s.to_string() selected=move || page_size.get() == s>{move || tf("page.size", &[("n", s.to_string())])}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

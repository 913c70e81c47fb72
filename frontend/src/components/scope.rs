//! The product scope of a page, always visible: "Showing product Lamp (a1…) — Show all".
//!
//! A scope lives only in the page's URL (`?product=PK`): visiting a page never changes what
//! another page shows, and a link or a reload shows the same thing. The banner says which scope
//! is on and clears it with one click, so a count is never read without knowing what it counts.

use leptos::prelude::*;

use crate::app::ProductsCtx;
use crate::i18n::{t, tf};
use crate::pages::{query_param, query_setter};

/// "Lamp (a1LampPK)", or the bare key while the product list loads (or for a deleted product).
pub fn product_label(pk: &str) -> String {
    let ProductsCtx(products) = expect_context::<ProductsCtx>();
    products
        .get()
        .and_then(|ps| ps.into_iter().find(|p| p.product_key == pk))
        .map(|p| format!("{} ({})", p.name, p.product_key))
        .unwrap_or_else(|| pk.to_string())
}

/// "Product: Lamp (a1…)" for an empty state's hint, when the URL scopes the page.
pub fn product_note() -> Signal<Option<String>> {
    let product = query_param("product");
    Signal::derive(move || product().map(|pk| tf("scope.note", &[("product", product_label(&pk))])))
}

/// The banner; nothing when the page is not scoped.
#[component]
pub fn ScopeBanner() -> impl IntoView {
    let product = query_param("product");
    let set_query = query_setter();
    move || {
        let set_query = set_query.clone();
        product().map(|pk| {
            let clear = move |_| set_query(&[("product", None), ("page", None)]);
            let attr = pk.clone();
            view! {
                <div class="scope-banner" data-testid="scope-banner" data-product=attr>
                    <span>{move || tf("scope.showing", &[("product", product_label(&pk))])}</span>
                    <span class="muted">"—"</span>
                    <button class="btn-link" data-testid="scope-clear" on:click=clear>{move || t("scope.show_all")}</button>
                </div>
            }
        })
    }
}

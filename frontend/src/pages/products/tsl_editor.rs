use leptos::prelude::*;
#[component]
pub fn TslEditor(pk: String) -> impl IntoView {
    view! { <div class="card">"TSL editor for " {pk}</div> }
}

use leptos::prelude::*;
#[component]
pub fn OverviewPage() -> impl IntoView {
    view! { <div class="page">"todo"</div> }
}

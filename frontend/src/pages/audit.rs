use leptos::prelude::*;
#[component]
pub fn AuditPage() -> impl IntoView {
    view! { <div class="page">"todo"</div> }
}

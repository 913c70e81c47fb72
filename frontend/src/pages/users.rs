use leptos::prelude::*;
#[component]
pub fn UsersPage() -> impl IntoView {
    view! { <div class="page">"todo"</div> }
}

use leptos::prelude::*;
#[component]
pub fn SettingsPage() -> impl IntoView {
    view! { <div class="page">"todo"</div> }
}

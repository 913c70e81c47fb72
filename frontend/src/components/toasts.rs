//! Toast stack (bottom right): errors stay 8 s, confirmations 4 s; click to dismiss. At most
//! three at once; a repeated message counts up instead of stacking (`state::add_toast`).

use leptos::prelude::*;

use crate::state::{g, ToastKind};

#[component]
pub fn Toasts() -> impl IntoView {
    let toasts = g().toasts;
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.get() key=|t| t.id let:toast>
                <div
                    class="toast"
                    class:toast-error=toast.kind == ToastKind::Error
                    data-testid=if toast.kind == ToastKind::Error { "toast-error" } else { "toast-ok" }
                    on:click=move |_| toasts.update(|v| v.retain(|x| x.id != toast.id))
                >
                    {toast.text.clone()}
                    {(toast.count > 1).then(|| view! { <span class="toast-count">{format!(" ×{}", toast.count)}</span> })}
                </div>
            </For>
        </div>
    }
}

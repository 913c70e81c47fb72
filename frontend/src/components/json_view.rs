//! Pretty JSON with a copy button, collapsible; and a copy button on its own.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::t;
use crate::state::toast_ok;

/// A button that copies `text` to the clipboard.
#[component]
pub fn CopyButton(#[prop(into)] text: Signal<String>, #[prop(into)] testid: String) -> impl IntoView {
    view! {
        <button
            class="btn btn-small"
            data-testid=testid
            on:click=move |_| {
                let s = text.get_untracked();
                spawn_local(async move {
                    if crate::util::copy_text(&s).await {
                        toast_ok(t("common.copied"));
                    }
                });
            }
        >
            {move || t("common.copy")}
        </button>
    }
}

/// JSON pretty-printed in monospace; `text` may be any string (non-JSON is shown as-is).
#[component]
pub fn JsonView(
    #[prop(into)] text: Signal<String>,
    #[prop(into)] testid: String,
    #[prop(optional)] collapsed: bool,
) -> impl IntoView {
    let open = RwSignal::new(!collapsed);
    let pretty = Memo::new(move |_| crate::util::pretty_json(&text.get()));
    // Collapsed: one line of compact JSON, cut with an ellipsis.
    let compact = Memo::new(move |_| {
        let t = text.get();
        serde_json::from_str::<serde_json::Value>(&t).map(|v| v.to_string()).unwrap_or(t)
    });
    view! {
        <div class="json-view" data-testid=testid.clone()>
            <div class="json-tools">
                <button class="btn-link" data-testid=format!("{testid}-toggle") on:click=move |_| open.update(|o| *o = !*o)>
                    {move || if open.get() { t("common.collapse") } else { t("common.expand") }}
                </button>
                <CopyButton text=pretty testid=format!("{testid}-copy")/>
            </div>
            <pre class="mono json" class:json-collapsed=move || !open.get()>
                {move || if open.get() { pretty.get() } else { compact.get() }}
            </pre>
        </div>
    }
}

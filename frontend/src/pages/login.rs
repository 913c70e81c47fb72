//! Sign-in. On success goes to `?next=` (only same-site paths) or the overview.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::query_param;
use crate::components::fields::{FormError, TextField};
use crate::i18n::{t, tr, Lang};
use crate::state::g;

fn safe_next(next: Option<String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/login") => n,
        _ => "/".into(),
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let gl = g();
    let next = query_param("next");
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    // Already signed in (or just signed in): leave.
    Effect::new(move |_| {
        if gl.me.with(|m| m.is_some()) {
            navigate(&safe_next(next()), NavigateOptions { replace: true, ..Default::default() });
        }
    });
    Effect::new(move |_| document().set_title(&format!("{} · fleetdeck", t("login.title"))));
    let info = LocalResource::new(|| async { crate::api::registry::info().await.ok() });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (u, p) = (username.get_untracked().trim().to_string(), password.get_untracked());
        if u.is_empty() || p.is_empty() {
            error.set(Some(t("login.missing").into()));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match crate::api::auth::login(u, p).await {
                Ok(me) => {
                    gl.auth_checked.set(true);
                    gl.me.set(Some(me));
                }
                Err(f) if f.status == 401 => error.set(Some(t("login.bad_credentials").into())),
                Err(f) => error.set(Some(f.text())),
            }
            busy.set(false);
        });
    };

    view! {
        <div class="login-page">
            <form class="login-card" on:submit=submit data-testid="login-form">
                <div class="login-brand">
                    <span class="brand-mark">"fd"</span>
                    <span>"fleetdeck"</span>
                </div>
                <h1>{move || t("login.title")}</h1>
                <Show when=move || info.get().flatten().is_some_and(|i| i.demo)>
                    <div class="login-demo" role="note" data-testid="login-demo-notice">
                        <strong>{move || t("login.demo_title")}</strong>
                        " "
                        {move || t("login.demo_hint")}
                    </div>
                </Show>
                <TextField label=tr("login.username") value=username testid="login-username" autocomplete="username"/>
                <TextField label=tr("login.password") value=password testid="login-password" kind="password" autocomplete="current-password"/>
                <FormError error=Signal::derive(move || error.get())/>
                <button class="btn btn-primary btn-block" type="submit" data-testid="login-submit" disabled=move || busy.get()>
                    {move || if busy.get() { t("login.signing_in") } else { t("login.submit") }}
                </button>
                <div class="login-foot">
                    <span class="muted num">
                        {move || info.get().flatten().map(|i| format!("v{}", i.version)).unwrap_or_default()}
                    </span>
                    <button
                        type="button"
                        class="btn-link"
                        data-testid="lang-toggle"
                        on:click=move |_| gl.lang.update(|l| *l = if *l == Lang::En { Lang::Zh } else { Lang::En })
                    >
                        {move || if gl.lang.get() == Lang::En { "中文" } else { "English" }}
                    </button>
                </div>
            </form>
        </div>
    }
}

//! Change my password.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::auth::MIN_PASSWORD_LEN;

use crate::components::fields::{FormError, TextField};
use crate::i18n::{t, tf, tr};
use crate::state::toast_ok;

#[component]
pub fn PasswordPanel() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let new_err = Signal::derive(move || {
        let v = new.get();
        (!v.is_empty() && v.chars().count() < MIN_PASSWORD_LEN)
            .then(|| tf("user.password_rule", &[("n", MIN_PASSWORD_LEN.to_string())]))
    });
    let repeat_err = Signal::derive(move || {
        let r = repeat.get();
        (!r.is_empty() && r != new.get()).then(|| t("settings.password_mismatch").to_string())
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (c, n) = (current.get_untracked(), new.get_untracked());
        if c.is_empty() || n.is_empty() || new_err.get_untracked().is_some() || repeat.get_untracked() != n {
            error.set(Some(t("settings.password_fill").into()));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match crate::api::auth::change_password(c, n).await {
                Ok(()) => {
                    toast_ok(t("settings.password_changed"));
                    for s in [current, new, repeat] {
                        s.set(String::new());
                    }
                }
                Err(f) if f.status == 401 || f.status == 400 || f.status == 422 => error.set(Some(f.text())),
                Err(f) if !f.handled() => error.set(Some(f.text())),
                Err(_) => {}
            }
            busy.set(false);
        });
    };
    view! {
        <div class="settings-grid">
            <div class="card">
                <div class="card-head"><h2>{move || t("settings.tab.password")}</h2></div>
                <form class="form card-body" on:submit=submit data-testid="password-form">
                    <TextField label=tr("settings.current_password") value=current testid="password-current" kind="password" autocomplete="current-password"/>
                    <TextField label=tr("settings.new_password") value=new testid="password-new" kind="password" error=new_err autocomplete="new-password"/>
                    <TextField label=tr("settings.repeat_password") value=repeat testid="password-repeat" kind="password" error=repeat_err autocomplete="new-password"/>
                    <FormError error=Signal::derive(move || error.get())/>
                    <div class="form-actions">
                        <button class="btn btn-primary" type="submit" data-testid="password-submit" disabled=move || busy.get()>
                            {move || t("settings.change_password")}
                        </button>
                    </div>
                </form>
            </div>
        </div>
    }
}

//! API tokens: list, create (the secret is shown once, with a copy button), revoke.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{auth, report};
use crate::components::confirm::ask;
use crate::components::fields::{FormError, TextField};
use crate::components::json_view::CopyButton;
use crate::components::table::{label, CardTable};
use crate::components::table_state::{empty_when, TableState};
use crate::i18n::{t, tf, tr};
use crate::state::toast_ok;
use crate::util::{fmt_opt_time, fmt_time};

#[component]
pub fn TokensPanel() -> impl IntoView {
    let res = LocalResource::new(auth::tokens);
    let name = RwSignal::new(String::new());
    let created = RwSignal::new(None::<(String, String)>);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            error.set(Some(t("tokens.name_required").into()));
            return;
        }
        error.set(None);
        spawn_local(async move {
            match auth::create_token(n).await {
                Ok(c) => {
                    created.set(Some((c.token.name, c.secret)));
                    name.set(String::new());
                    res.refetch();
                }
                Err(f) if !f.handled() => error.set(Some(f.text())),
                Err(_) => {}
            }
        });
    };
    let revoke = move |id: i64, n: String| {
        ask(tf("tokens.revoke_title", &[("name", n)]), t("tokens.revoke_confirm").into(), "tokens.revoke", move || {
            spawn_local(async move {
                match auth::delete_token(id).await {
                    Ok(()) => {
                        toast_ok(t("tokens.revoked"));
                        res.refetch();
                    }
                    Err(f) => report(&f),
                }
            });
        })
    };
    view! {
        <div class="card">
            <div class="card-head"><h2>{move || t("settings.tab.tokens")}</h2></div>
            <form class="filter-bar" on:submit=submit>
                <TextField label=tr("tokens.name") value=name testid="token-name" placeholder=tr("tokens.name_ph")/>
                <button class="btn btn-primary" type="submit" data-testid="token-create">{move || t("tokens.create")}</button>
            </form>
            <FormError error=Signal::derive(move || error.get())/>
            {move || created.get().map(|(n, secret)| view! {
                <div class="token-secret" data-testid="token-secret-box">
                    <div>
                        <strong>{tf("tokens.created", &[("name", n)])}</strong>
                        <div class="muted small">{move || t("tokens.show_once")}</div>
                    </div>
                    <code class="mono secret" data-testid="token-secret">{secret.clone()}</code>
                    <CopyButton text=secret testid="token-secret-copy"/>
                    <button class="btn btn-small" data-testid="token-secret-dismiss" on:click=move |_| created.set(None)>{move || t("common.done")}</button>
                </div>
            })}
            <TableState res empty=empty_when(res, Vec::is_empty) empty_title="tokens.empty" empty_hint="tokens.empty_hint" let:list>
                <CardTable testid="token-table">
                        <thead><tr>
                            <th>{move || t("tokens.name")}</th>
                            <th>{move || t("common.created")}</th>
                            <th>{move || t("tokens.last_used")}</th>
                            <th class="actions">{move || t("common.actions")}</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|tk| {
                                let n = tk.name.clone();
                                let (created, used) = (tk.created_at, tk.last_used_at);
                                view! {
                                    <tr data-testid=format!("token-row-{}", tk.id)>
                                        <td class="cell-key cell-title" data-label=label("tokens.name")>{tk.name.clone()}</td>
                                        <td class="num" data-label=label("common.created")>{move || fmt_time(created)}</td>
                                        <td class="num" data-label=label("tokens.last_used")>{move || fmt_opt_time(used)}</td>
                                        <td class="actions">
                                            <button class="btn btn-small btn-danger-ghost" data-testid=format!("token-revoke-{}", tk.id)
                                                on:click=move |_| revoke(tk.id, n.clone())>
                                                {move || t("tokens.revoke")}
                                            </button>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                </CardTable>
            </TableState>
        </div>
    }
}

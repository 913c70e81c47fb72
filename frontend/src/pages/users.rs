//! Users (admin): list, create, change role, disable/enable, reset password, delete.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::auth::{valid_username, NewUser, Role, UpdateUser, User, MIN_PASSWORD_LEN};

use crate::api::{auth, report};
use crate::components::confirm::ask;
use crate::components::fields::{FormError, SelectField, TextField};
use crate::components::modal::Modal;
use crate::components::states::AdminsOnly;
use crate::components::table::{label, CardTable};
use crate::components::table_state::TableState;
use crate::i18n::{t, tf, tr};
use crate::state::{can, g, toast_ok};
use crate::util::fmt_time;

pub fn role_options() -> Signal<Vec<(String, String)>> {
    Signal::derive(|| {
        [Role::Viewer, Role::Operator, Role::Admin]
            .iter()
            .map(|r| (r.as_str().to_string(), t(role_key(*r)).to_string()))
            .collect()
    })
}

pub fn role_key(r: Role) -> &'static str {
    match r {
        Role::Viewer => "role.viewer",
        Role::Operator => "role.operator",
        Role::Admin => "role.admin",
    }
}

fn update(name: String, body: UpdateUser, ok: &'static str, reload: Callback<()>) {
    spawn_local(async move {
        match auth::update_user(&name, body).await {
            Ok(_) => {
                toast_ok(t(ok));
                reload.run(());
            }
            Err(f) => {
                report(&f);
                reload.run(());
            }
        }
    });
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let res = LocalResource::new(auth::users);
    let reload = Callback::new(move |_| res.refetch());
    let create_open = RwSignal::new(false);
    view! {
        <div class="page">
            <div class="page-head">
                <h1>{move || t("nav.users")}</h1>
                <Show when=move || can(Role::Admin)>
                    <button class="btn btn-primary" data-testid="user-create" on:click=move |_| create_open.set(true)>{move || t("user.create")}</button>
                </Show>
            </div>
            <div class="card">
                <Show when=move || can(Role::Admin) fallback=|| view! { <AdminsOnly/> }>
                    <TableState res let:users>
                        <CardTable testid="user-table">
                                <thead><tr>
                                    <th>{move || t("user.username")}</th>
                                    <th>{move || t("user.role")}</th>
                                    <th>{move || t("common.created")}</th>
                                    <th>{move || t("user.state")}</th>
                                    <th class="actions">{move || t("common.actions")}</th>
                                </tr></thead>
                                <tbody>{users.into_iter().map(|u| user_row(u, reload)).collect_view()}</tbody>
                        </CardTable>
                    </TableState>
                </Show>
            </div>
            <CreateUserDialog open=create_open reload/>
        </div>
    }
}

fn user_row(u: User, reload: Callback<()>) -> impl IntoView {
    let me = g().me.with_untracked(|m| m.as_ref().map(|m| m.username.clone())) == Some(u.username.clone());
    let name = StoredValue::new(u.username.clone());
    let role = RwSignal::new(u.role.as_str().to_string());
    Effect::new(move |prev: Option<()>| {
        let r = role.get();
        if prev.is_some() {
            if let Some(r) = Role::parse(&r) {
                update(
                    name.get_value(),
                    UpdateUser { role: Some(r), disabled: None, password: None },
                    "user.role_changed",
                    reload,
                );
            }
        }
    });
    let disabled = u.disabled;
    let toggle = move |_| {
        update(
            name.get_value(),
            UpdateUser { role: None, disabled: Some(!disabled), password: None },
            "user.updated",
            reload,
        )
    };
    let delete = move |_| {
        let n = name.get_value();
        ask(
            tf("user.delete_title", &[("name", n.clone())]),
            t("user.delete_confirm").into(),
            "common.delete",
            move || {
                let n = n.clone();
                spawn_local(async move {
                    match auth::delete_user(&n).await {
                        Ok(()) => {
                            toast_ok(t("user.deleted"));
                            reload.run(());
                        }
                        Err(f) => report(&f),
                    }
                });
            },
        )
    };
    let n = u.username.clone();
    view! {
        <tr data-testid=format!("user-row-{n}")>
            <td class="mono cell-key cell-title" data-label=label("user.username")>{n.clone()} {me.then(|| view! { <span class="muted">" (" {move || t("user.you")} ")"</span> })}</td>
            <td data-label=label("user.role")>
                <select class="input input-small" data-testid=format!("user-role-{n}") disabled=me on:change=move |ev| role.set(event_target_value(&ev))>
                    {[Role::Viewer, Role::Operator, Role::Admin].into_iter().map(|r| view! {
                        <option value=r.as_str() selected=u.role == r>{move || t(role_key(r))}</option>
                    }).collect_view()}
                </select>
            </td>
            <td class="num" data-label=label("common.created")>{move || fmt_time(u.created_at)}</td>
            <td class="cell-key" data-label=label("user.state")>{move || if disabled { t("user.disabled") } else { t("user.active") }}</td>
            <td class="actions">
                <button class="btn btn-small" data-testid=format!("user-toggle-{n}") disabled=me on:click=toggle>
                    {move || if disabled { t("user.enable") } else { t("user.disable") }}
                </button>
                <button class="btn btn-small btn-danger-ghost" data-testid=format!("user-delete-{n}") disabled=me on:click=delete>
                    {move || t("common.delete")}
                </button>
            </td>
        </tr>
    }
}

#[component]
fn CreateUserDialog(open: RwSignal<bool>, reload: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new("viewer".to_string());
    let error = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    Effect::new(move |_| {
        if open.get() {
            name.set(String::new());
            password.set(String::new());
            role.set("viewer".into());
            error.set(None);
            touched.set(false);
        }
    });
    let name_err = Signal::derive(move || {
        let v = name.get();
        ((touched.get() || !v.is_empty()) && !valid_username(&v)).then(|| t("user.username_rule").to_string())
    });
    let pw_err = Signal::derive(move || {
        let v = password.get();
        ((touched.get() || !v.is_empty()) && v.chars().count() < MIN_PASSWORD_LEN)
            .then(|| tf("user.password_rule", &[("n", MIN_PASSWORD_LEN.to_string())]))
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if name_err.get_untracked().is_some() || pw_err.get_untracked().is_some() {
            return;
        }
        let body = NewUser {
            username: name.get_untracked(),
            password: password.get_untracked(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::Viewer),
        };
        spawn_local(async move {
            match auth::create_user(body).await {
                Ok(_) => {
                    open.set(false);
                    toast_ok(t("user.created"));
                    reload.run(());
                }
                Err(f) if !f.handled() => error.set(Some(f.text())),
                Err(_) => {}
            }
        });
    };
    view! {
        <Modal open title=tr("user.create") testid="user-create-dialog">
            <form class="form" on:submit=submit>
                <TextField label=tr("user.username") value=name testid="user-name" error=name_err required=true/>
                <TextField label=tr("user.password") value=password testid="user-password" kind="password" error=pw_err required=true/>
                <SelectField label=tr("user.role") value=role testid="user-role" options=role_options()/>
                <FormError error=Signal::derive(move || error.get())/>
                <div class="form-actions">
                    <button type="button" class="btn" on:click=move |_| open.set(false)>{move || t("common.cancel")}</button>
                    <button type="submit" class="btn btn-primary" data-testid="user-create-submit">{move || t("common.create")}</button>
                </div>
            </form>
        </Modal>
    }
}

//! Create a group, or rename and describe one: the same form. The name is checked as typed with
//! the server's own rules (`model::groups`); a taken name comes back from the server as 409 and
//! is shown under the form.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::groups::{validate_group_description, validate_group_name, Group, NewGroup, UpdateGroup};

use crate::api::groups;
use crate::components::fields::{FormError, TextArea, TextField};
use crate::components::modal::Modal;
use crate::i18n::{t, tr};
use crate::state::toast_ok;

/// `editing`: `None` creates a group, `Some(g)` renames/describes `g`. `on_done` gets the
/// group as the server answered.
#[component]
pub fn GroupDialog(open: RwSignal<bool>, editing: RwSignal<Option<Group>>, on_done: Callback<Group>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let server_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let touched = RwSignal::new(false);

    // Fill (or clear) the form each time it opens.
    Effect::new(move |_| {
        if open.get() {
            let g = editing.get_untracked();
            name.set(g.as_ref().map(|g| g.name.clone()).unwrap_or_default());
            description.set(g.map(|g| g.description).unwrap_or_default());
            server_error.set(None);
            touched.set(false);
        }
    });
    let name_err = Signal::derive(move || {
        (touched.get() || !name.get().is_empty())
            .then(|| validate_group_name(&name.get()).err().map(|_| t("group.name_rule").to_string()))
            .flatten()
    });
    let desc_err = Signal::derive(move || {
        validate_group_description(&description.get()).err().map(|_| t("group.description_rule").to_string())
    });
    let title = Signal::derive(move || {
        (if editing.with(Option::is_some) { t("group.edit") } else { t("group.create") }).to_string()
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if name_err.get_untracked().is_some() || desc_err.get_untracked().is_some() {
            return;
        }
        let (n, d) = (name.get_untracked().trim().to_string(), description.get_untracked());
        let editing = editing.get_untracked();
        busy.set(true);
        server_error.set(None);
        spawn_local(async move {
            let answer = match &editing {
                None => groups::create(&NewGroup { name: n, description: d }).await,
                Some(g) => {
                    let u = UpdateGroup {
                        name: (n != g.name).then_some(n),
                        description: (d != g.description).then_some(d),
                    };
                    groups::update(g.id, &u).await
                }
            };
            match answer {
                Ok(g) => {
                    open.set(false);
                    toast_ok(if editing.is_some() { t("group.saved") } else { t("group.created") });
                    on_done.run(g);
                }
                Err(f) if !f.handled() => server_error.set(Some(f.text())),
                Err(_) => {}
            }
            busy.set(false);
        });
    };

    view! {
        <Modal open title testid="group-dialog">
            <form class="form" on:submit=submit>
                <TextField label=tr("group.name") value=name testid="group-name" error=name_err required=true hint=tr("group.name_hint")/>
                <TextArea label=tr("group.description") value=description testid="group-description" error=desc_err rows=2/>
                <FormError error=Signal::derive(move || server_error.get())/>
                <div class="form-actions">
                    <button type="button" class="btn" data-testid="group-cancel" on:click=move |_| open.set(false)>{move || t("common.cancel")}</button>
                    <button type="submit" class="btn btn-primary" data-testid="group-submit" disabled=move || busy.get()>
                        {move || if editing.with(Option::is_some) { t("common.save") } else { t("common.create") }}
                    </button>
                </div>
            </form>
        </Modal>
    }
}

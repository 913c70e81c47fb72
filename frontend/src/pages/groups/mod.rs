//! Device groups: `/groups` (search, create, rename, delete) and `/groups/:id` (the group's
//! devices with live status; add by search or CSV, remove). A group is a stable id with a name:
//! links and OTA batches use the id, so a rename breaks nothing.
//!
//! # Layout
//! - `list`: the groups table.
//! - `dialog`: create / rename-and-describe dialog (the model's name rules, checked as typed).
//! - `detail`: one group and its devices, kept live by the WebSocket's status stream.
//! - `add`: adding devices: search the registry, or paste/upload a CSV of names.
//! - `device_links`: a device's groups as links, for the device page.

pub mod add;
pub mod detail;
pub mod device_links;
pub mod dialog;
pub mod list;

use leptos::task::spawn_local;
use model::groups::Group;

use crate::api::{groups, report};
use crate::i18n::{t, tf};
use crate::state::toast_ok;

pub fn group_href(id: i64) -> String {
    format!("/groups/{id}")
}

/// Delete a group after a confirmation that says how many devices it holds (they stay).
pub fn delete_group(g: &Group, after: impl Fn() + Send + Sync + 'static) {
    let id = g.id;
    let after = std::sync::Arc::new(after);
    crate::components::confirm::ask(
        tf("group.delete_title", &[("name", g.name.clone())]),
        tf("group.delete_confirm", &[("n", g.device_count.to_string())]),
        "common.delete",
        move || {
            let after = after.clone();
            spawn_local(async move {
                match groups::delete(id).await {
                    Ok(()) => {
                        toast_ok(t("group.deleted"));
                        after();
                    }
                    Err(f) => report(&f),
                }
            });
        },
    );
}

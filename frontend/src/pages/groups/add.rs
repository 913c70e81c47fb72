//! "Add devices" to a group: search the registry by DeviceName prefix and tick devices, or
//! paste/upload a CSV of `ProductKey,DeviceName` lines (checked in the browser with the
//! server's own parser first). Either way the server's per-device report is shown: added,
//! already a member, unknown device, and every line that is not a pair of names.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::groups::{parse_member_csv, MemberOutcome, MemberRef, MemberReport};
use model::registry::{Device, DeviceQuery};

use crate::api::{groups, registry};
use crate::components::fields::{FormError, TextArea};
use crate::components::modal::Modal;
use crate::components::status::StatusDot;
use crate::i18n::{t, tf, tr};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Search,
    Csv,
}

#[component]
pub fn AddMembersDialog(open: RwSignal<bool>, group: i64, on_done: Callback<()>) -> impl IntoView {
    let mode = RwSignal::new(Mode::Search);
    let report = RwSignal::new(None::<MemberReport>);
    let server_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    let picked = RwSignal::new(BTreeSet::<(String, String)>::new());
    let text = RwSignal::new(String::new());
    Effect::new(move |_| {
        if open.get() {
            search.set(String::new());
            picked.set(BTreeSet::new());
            text.set(String::new());
            report.set(None);
            server_error.set(None);
        }
    });

    // Registry search: DeviceName prefix, first 20 matches (the list endpoint, index-backed).
    let found = LocalResource::new(move || {
        let q = search.get().trim().to_string();
        let shown = open.get();
        async move {
            if !shown {
                return Ok(Vec::new());
            }
            let query = DeviceQuery { q: Some(q).filter(|q| !q.is_empty()), page_size: Some(20), ..Default::default() };
            registry::devices(&query).await.map(|p| p.items)
        }
    });
    let preview = Memo::new(move |_| {
        let (rows, errors) = parse_member_csv(&text.get());
        (rows.len(), errors.len())
    });
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        spawn_local(async move {
            if let Some(s) = crate::util::read_input_file(&input).await {
                text.set(s);
            }
        });
    };
    let finish = move |answer: crate::api::client::ApiResult<MemberReport>| {
        match answer {
            Ok(r) => {
                if r.added > 0 {
                    on_done.run(());
                }
                picked.set(BTreeSet::new());
                report.set(Some(r));
            }
            Err(f) if !f.handled() => server_error.set(Some(f.text())),
            Err(_) => {}
        }
        busy.set(false);
    };
    let submit = move |_| {
        busy.set(true);
        server_error.set(None);
        report.set(None);
        match mode.get_untracked() {
            Mode::Search => {
                let devices = picked
                    .get_untracked()
                    .into_iter()
                    .map(|(product_key, device_name)| MemberRef { product_key, device_name })
                    .collect();
                spawn_local(async move { finish(groups::add(group, devices).await) });
            }
            Mode::Csv => {
                let csv = text.get_untracked();
                spawn_local(async move { finish(groups::add_csv(group, csv).await) });
            }
        }
    };
    let can_submit = move || {
        !busy.get()
            && match mode.get() {
                Mode::Search => picked.with(|p| !p.is_empty()),
                Mode::Csv => preview.get().0 > 0,
            }
    };
    let tab = move |m: Mode, key: &'static str, testid: &'static str| {
        view! {
            <button type="button" class="btn btn-small" class:active=move || mode.get() == m data-testid=testid
                on:click=move |_| { mode.set(m); report.set(None); server_error.set(None); }>
                {move || t(key)}
            </button>
        }
    };

    view! {
        <Modal open title=tr("group.add_devices") testid="member-add-dialog" wide=true>
            <div class="form">
                <div class="seg">
                    {tab(Mode::Search, "group.add_by_search", "member-mode-search")}
                    {tab(Mode::Csv, "group.add_by_csv", "member-mode-csv")}
                </div>
                <Show when=move || mode.get() == Mode::Search>
                    <input class="input" data-testid="member-search" placeholder=move || t("group.search_devices") bind:value=search/>
                    <div class="pick-list" data-testid="member-search-results">
                        {move || match found.get() {
                            None => view! { <p class="muted small">{move || t("common.loading")}</p> }.into_any(),
                            Some(Err(f)) => view! { <p class="form-error">{f.text()}</p> }.into_any(),
                            Some(Ok(list)) if list.is_empty() => view! { <p class="muted small">{move || t("common.no_match")}</p> }.into_any(),
                            Some(Ok(list)) => list.into_iter().map(|d| pick_row(d, picked)).collect_view().into_any(),
                        }}
                    </div>
                    <div class="muted small num" data-testid="member-picked">
                        {move || tf("group.picked", &[("n", picked.with(BTreeSet::len).to_string())])}
                    </div>
                </Show>
                <Show when=move || mode.get() == Mode::Csv>
                    <p class="muted small">{move || t("group.csv_format")}</p>
                    <label class="field">
                        <span class="field-label">{move || t("device.csv_file")}</span>
                        <input type="file" accept=".csv,text/csv,text/plain" data-testid="member-csv-file" on:change=on_file/>
                    </label>
                    <TextArea label=tr("device.csv_paste") value=text testid="member-csv-text" rows=6 mono=true placeholder="ProductKey,DeviceName"/>
                    <div class="muted small num" data-testid="member-csv-preview">
                        {move || { let (ok, bad) = preview.get(); tf("group.csv_preview", &[("ok", ok.to_string()), ("bad", bad.to_string())]) }}
                    </div>
                </Show>
                <FormError error=Signal::derive(move || server_error.get())/>
                {move || report.get().map(|r| view! { <MemberResult r/> })}
                <div class="form-actions">
                    <button type="button" class="btn" data-testid="member-add-close" on:click=move |_| open.set(false)>{move || t("common.close")}</button>
                    <button class="btn btn-primary" data-testid="member-add-submit" disabled=move || !can_submit() on:click=submit>
                        {move || t("group.add")}
                    </button>
                </div>
            </div>
        </Modal>
    }
}

fn pick_row(d: Device, picked: RwSignal<BTreeSet<(String, String)>>) -> impl IntoView {
    let key = (d.product_key.clone(), d.device_name.clone());
    let k = key.clone();
    let checked = move || picked.with(|p| p.contains(&k));
    let toggle = move |_| {
        let key = key.clone();
        picked.update(|p| {
            if !p.remove(&key) {
                p.insert(key);
            }
        })
    };
    view! {
        <label class="pick-row">
            <input type="checkbox" data-testid=format!("member-pick-{}", d.device_name) prop:checked=checked on:change=toggle/>
            <span class="mono">{d.device_name.clone()}</span>
            <span class="muted mono small">{d.product_key.clone()}</span>
            <StatusDot status=d.status/>
        </label>
    }
}

fn outcome_key(o: MemberOutcome) -> &'static str {
    match o {
        MemberOutcome::Added => "group.outcome.added",
        MemberOutcome::AlreadyMember => "group.outcome.already_member",
        MemberOutcome::Removed => "group.outcome.removed",
        MemberOutcome::NotMember => "group.outcome.not_member",
        MemberOutcome::UnknownDevice => "group.outcome.unknown_device",
    }
}

/// The counts, then every device that was not added and every bad line.
#[component]
fn MemberResult(r: MemberReport) -> impl IntoView {
    let problems: Vec<_> = r.results.iter().filter(|x| x.outcome != MemberOutcome::Added).cloned().collect();
    let nothing = r.added == 0;
    view! {
        <div class="import-result" class:import-failed=nothing data-testid="member-report">
            <div class="num">
                <strong data-testid="member-report-added">{r.added}</strong> " " {move || t("group.outcome.added")}
                " · " <span data-testid="member-report-already">{r.already_member}</span> " " {move || t("group.outcome.already_member")}
                " · " <span data-testid="member-report-unknown">{r.unknown_device}</span> " " {move || t("group.outcome.unknown_device")}
                {(!r.errors.is_empty()).then(|| view! { " · " <span>{r.errors.len()}</span> " " {move || t("group.bad_lines")} })}
            </div>
            {(!problems.is_empty() || !r.errors.is_empty()).then(|| view! {
                <div class="table-wrap table-scroll">
                    <table class="tbl tbl-compact" data-testid="member-report-rows">
                        <tbody>
                            {problems.into_iter().map(|x| {
                                let key = outcome_key(x.outcome);
                                let testid = format!("member-report-{}", x.device_name);
                                view! {
                                    <tr data-testid=testid>
                                        <td class="mono">{x.product_key}</td>
                                        <td class="mono">{x.device_name}</td>
                                        <td>{move || t(key)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                            {r.errors.iter().map(|e| view! {
                                <tr>
                                    <td class="num">{tf("group.line", &[("n", e.line.to_string())])}</td>
                                    <td class="mono">{e.device_name.clone()}</td>
                                    <td>{move || t("group.bad_line")}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </div>
    }
}

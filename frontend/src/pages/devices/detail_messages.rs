//! Device page, Messages tab: the live message pane (newest first), pausable.

use std::collections::VecDeque;

use leptos::prelude::*;
use model::ws::Direction;

use super::detail::LiveMsg;
use crate::components::json_view::JsonView;
use crate::components::states::Empty;
use crate::i18n::{t, tf, tr};
use crate::util::{fmt_clock, fmt_time};

#[component]
pub fn MessagesTab(messages: RwSignal<VecDeque<LiveMsg>>, paused: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="card">
            <div class="filter-bar">
                <span class="muted num" data-testid="messages-count">
                    {move || tf("device.messages_count", &[("n", messages.with(|m| m.len()).to_string())])}
                </span>
                <div class="filter-spacer"></div>
                <button class="btn btn-small" data-testid="messages-pause" on:click=move |_| paused.update(|p| *p = !*p)>
                    {move || if paused.get() { t("device.resume") } else { t("device.pause") }}
                </button>
                <button class="btn btn-small" data-testid="messages-clear" on:click=move |_| messages.set(VecDeque::new())>
                    {move || t("device.clear")}
                </button>
            </div>
            <Show
                when=move || messages.with(|m| !m.is_empty())
                fallback=|| view! { <Empty title=tr("device.messages_empty") hint=tr("device.messages_empty_hint")/> }
            >
                <div class="msg-list" data-testid="message-list">
                    <For each=move || messages.get() key=|m| m.seq let:m>
                        <div class="msg" data-testid="message-row" data-direction=if m.direction == Direction::Up { "up" } else { "down" }>
                            <div class="msg-head">
                                <span class="num muted" title=move || fmt_time(m.at)>{move || fmt_clock(m.at)}</span>
                                <span class=if m.direction == Direction::Up { "badge badge-up" } else { "badge badge-down" }>
                                    {move || if m.direction == Direction::Up { t("device.up") } else { t("device.down") }}
                                </span>
                                <span class="mono topic" data-testid="message-topic">{m.topic.clone()}</span>
                            </div>
                            <JsonView text=m.payload.clone() testid="message-payload"/>
                        </div>
                    </For>
                </div>
            </Show>
        </div>
    }
}

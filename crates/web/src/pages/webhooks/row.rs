//! One endpoint in the list: its address, events and state, who registered it; with
//! Edit, Pause or Resume, Send test event, Rotate secret (and its grace period), Delete,
//! and the way to its delivery log.

use copse_shared::endpoints::{DeleteWebhook, PingWebhook, RotateWebhookSecret, UpdateWebhook};
use copse_shared::webhooks::{RotateWebhookSecretRequest, Webhook, WebhookRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::form::{EditWebhookForm, replace};
use super::{FreshSecret, active_badge, count_badges, when};
use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::rotate::RotateForm;
use crate::components::status::{RowError, StatusNote, busy_text};
use crate::format;
use crate::i18n::{self, Msg, t};

/// What a row's buttons do, besides rotating (which has its own field).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Pause,
    Resume,
    Ping,
    Delete,
}

/// The endpoint's fields as a request, with `active` as given: pausing and resuming
/// send everything else unchanged.
fn with_active(webhook: &Webhook, active: bool) -> WebhookRequest {
    WebhookRequest {
        url: webhook.url.clone(),
        description: webhook.description.clone(),
        events: webhook.events.clone(),
        active: Some(active),
    }
}

#[component]
pub fn WebhookRow(
    webhook: Webhook,
    webhooks: RwSignal<Vec<Webhook>>,
    fresh: RwSignal<Option<FreshSecret>>,
    /// The endpoint whose edit form is open.
    editing: RwSignal<Option<String>>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let note = RwSignal::new(None::<String>);
    let current = StoredValue::new(webhook.clone());
    let id = webhook.id.clone();
    let url_id = format!("webhook-{id}");
    // Every action of the row runs the same way: busy while it runs, its error shown in
    // the row.
    let run = move |action: Action| {
        busy.set(true);
        error.set(None);
        note.set(None);
        let webhook = current.get_value();
        spawn_local(async move {
            let id = webhook.id.clone();
            let result = match action {
                Action::Pause | Action::Resume => {
                    let body = with_active(&webhook, action == Action::Resume);
                    api::call(&UpdateWebhook { id, body }).await.map(|saved| replace(webhooks, saved))
                }
                Action::Ping => {
                    api::call(&PingWebhook { id }).await.map(|_| note.set(Some(t(Msg::TestEventQueued).to_owned())))
                }
                Action::Delete => api::call(&DeleteWebhook { id: id.clone() })
                    .await
                    .map(|_| webhooks.update(|list| list.retain(|w| w.id != id))),
            };
            // A pause, resume or delete rebuilds or removes the row, so its signals
            // may be gone by now.
            busy.try_set(false);
            if let Err(e) = result {
                error.try_set(Some(e));
            }
        });
    };
    let rotate = move |grace: u32| {
        busy.set(true);
        let id = current.with_value(|w| w.id.clone());
        let body = RotateWebhookSecretRequest { grace_hours: Some(grace) };
        spawn_local(async move {
            let result = api::call(&RotateWebhookSecret { id, body }).await;
            busy.try_set(false);
            match result {
                Ok(created) => {
                    fresh.set(Some(FreshSecret {
                        url: created.webhook.url.clone(),
                        secret: created.secret,
                        rotated: true,
                    }));
                    replace(webhooks, created.webhook);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let made_by =
        webhook.created_by.as_ref().map_or_else(|| t(Msg::FormerMember).to_owned(), |m| m.display_name.clone());
    let events =
        webhook.events.iter().map(|e| view! { <li><span class="badge scope">{e.clone()}</span></li> }).collect_view();
    let old_secret = webhook.previous_secret_valid_until.filter(|until| *until > chrono::Utc::now()).map(|until| {
        view! {
            " "
            <span class="badge muted">
                {i18n::fill(Msg::ApiKeyOldSecretUntil, &[("time", &format::date_time(until))])}
            </span>
        }
    });
    let description = (!webhook.description.is_empty()).then(|| webhook.description.clone());
    let is_editing = {
        let id = id.clone();
        Memo::new(move |_| editing.with(|e| e.as_deref() == Some(id.as_str())))
    };
    let edit_form = move || {
        is_editing.get().then(|| {
            view! {
                <EditWebhookForm
                    webhook=current.get_value()
                    webhooks=webhooks
                    on_done=Callback::new(move |_| editing.set(None))
                />
            }
        })
    };
    let active = webhook.active;
    let (toggle_label, toggle_action) =
        if active { (Msg::PauseWebhook, Action::Pause) } else { (Msg::ResumeWebhook, Action::Resume) };
    let start_editing = {
        let id = id.clone();
        move |_| editing.set(Some(id.clone()))
    };
    view! {
        <li class="row webhook" data-testid="webhook-row">
            <div class="row-main">
                <span class="row-title">
                    <strong id=url_id.clone()>{webhook.url.clone()}</strong>
                    " " {active_badge(active)} {old_secret} {count_badges(&webhook)}
                </span>
                {description.map(|d| view! { <span class="meta">{d}</span> })}
                <dl class="facts key-facts">
                    <dt>{t(Msg::WebhookEvents)}</dt>
                    <dd><ul class="scope-list">{events}</ul></dd>
                    <dt>{t(Msg::ApiKeyMadeBy)}</dt>
                    <dd>{made_by}</dd>
                    <dt>{t(Msg::CreatedOn)}</dt>
                    <dd>{when(webhook.created_at)}</dd>
                </dl>
                {edit_form}
            </div>
            <div class="row-actions">
                <a class="button secondary" href=format!("/admin/webhooks/{id}") data-testid="webhook-deliveries">
                    {t(Msg::DeliveryLog)}
                </a>
                <button
                    type="button"
                    class="secondary"
                    aria-describedby=url_id.clone()
                    disabled=move || busy.get()
                    on:click=move |_| run(Action::Ping)
                    data-testid="ping-webhook"
                >
                    {t(Msg::SendTestEvent)}
                </button>
                <button
                    type="button"
                    class="secondary"
                    aria-describedby=url_id.clone()
                    disabled=move || busy.get() || is_editing.get()
                    on:click=start_editing
                    data-testid="edit-webhook"
                >
                    {t(Msg::Edit)}
                </button>
                <button
                    type="button"
                    class="secondary"
                    aria-describedby=url_id.clone()
                    disabled=move || busy.get()
                    on:click=move |_| run(toggle_action)
                    data-testid="toggle-webhook"
                >
                    {busy_text(busy, toggle_label)}
                </button>
                <RotateForm
                    id=format!("webhook-grace-{id}")
                    describedby=url_id.clone()
                    busy=busy
                    error=error
                    testid="rotate-webhook"
                    on_submit=Callback::new(move |_| note.set(None))
                    on_rotate=Callback::new(rotate)
                />
                <ConfirmButton
                    label=t(Msg::Delete)
                    question=t(Msg::DeleteWebhookQuestion)
                    confirm=t(Msg::DeleteConfirm)
                    busy=busy
                    describedby=url_id.clone()
                    on_confirm=Callback::new(move |_| run(Action::Delete))
                    testid="delete-webhook"
                />
            </div>
            <StatusNote message=note.into()/>
            <RowError error=error/>
        </li>
    }
}

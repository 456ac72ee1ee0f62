//! The fields of an endpoint (address, description, events, whether it is active), the
//! form that registers one (its secret is then shown once) and the form that edits one
//! inside its row.

use std::collections::BTreeSet;

use copse_shared::endpoints::{CreateWebhook, UpdateWebhook};
use copse_shared::webhooks::{Webhook, WebhookRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::FreshSecret;
use super::events::EventChoices;
use crate::api::{self, ApiError};
use crate::components::field::{CheckboxField, TextField, field_error};
use crate::components::status::{ErrorSlot, busy_text};
use crate::i18n::{Msg, t};

/// The fields whose errors show next to them rather than above the form.
const FIELDS: &[&str] = &["url", "description", "events"];

/// The ids of one form's inputs: the registering form and the editing form differ, so
/// both can be on the page at once.
#[derive(Clone, Copy)]
struct Ids {
    url: &'static str,
    description: &'static str,
    /// Prefix of the event checkboxes' ids.
    events: &'static str,
    active: &'static str,
}

const CREATE_IDS: Ids =
    Ids { url: "webhook-url", description: "webhook-description", events: "event", active: "webhook-active" };

const EDIT_IDS: Ids = Ids {
    url: "edit-webhook-url",
    description: "edit-webhook-description",
    events: "edit-event",
    active: "edit-webhook-active",
};

/// What the fields hold.
#[derive(Clone, Copy)]
struct Draft {
    url: RwSignal<String>,
    description: RwSignal<String>,
    events: RwSignal<BTreeSet<String>>,
    active: RwSignal<bool>,
}

impl Draft {
    /// Empty fields for a new endpoint, active from the start.
    fn new() -> Self {
        Draft {
            url: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            events: RwSignal::new(BTreeSet::new()),
            active: RwSignal::new(true),
        }
    }

    /// The fields of an existing endpoint.
    fn of(webhook: &Webhook) -> Self {
        Draft {
            url: RwSignal::new(webhook.url.clone()),
            description: RwSignal::new(webhook.description.clone()),
            events: RwSignal::new(webhook.events.iter().cloned().collect()),
            active: RwSignal::new(webhook.active),
        }
    }

    fn clear(self) {
        self.url.set(String::new());
        self.description.set(String::new());
        self.events.set(BTreeSet::new());
        self.active.set(true);
    }

    fn request(self) -> WebhookRequest {
        WebhookRequest {
            url: self.url.get_untracked().trim().to_owned(),
            description: self.description.get_untracked().trim().to_owned(),
            events: self.events.get_untracked().into_iter().collect(),
            active: Some(self.active.get_untracked()),
        }
    }
}

/// The inputs, each with the server's message about it.
#[component]
fn WebhookFields(ids: Ids, draft: Draft, error: RwSignal<Option<ApiError>>) -> impl IntoView {
    view! {
        <TextField
            id=ids.url
            label=t(Msg::WebhookUrl)
            kind="url"
            hint=t(Msg::WebhookUrlHint)
            value=draft.url
            error=field_error(error, "url")
        />
        <TextField
            id=ids.description
            label=t(Msg::WebhookDescription)
            hint=t(Msg::WebhookDescriptionHint)
            value=draft.description
            error=field_error(error, "description")
            required=false
        />
        <EventChoices prefix=ids.events chosen=draft.events error=field_error(error, "events")/>
        <CheckboxField
            id=ids.active
            label=t(Msg::WebhookActiveField)
            checked=draft.active
            on_change=Callback::new(move |on| draft.active.set(on))
            hint=t(Msg::WebhookActiveHint)
        />
    }
}

#[component]
pub fn CreateWebhookForm(
    /// The list the new endpoint joins.
    webhooks: RwSignal<Vec<Webhook>>,
    /// Where the new secret goes.
    fresh: RwSignal<Option<FreshSecret>>,
) -> impl IntoView {
    let draft = Draft::new();
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        let request = draft.request();
        spawn_local(async move {
            match api::call(&CreateWebhook(request)).await {
                Ok(created) => {
                    fresh.set(Some(FreshSecret {
                        url: created.webhook.url.clone(),
                        secret: created.secret,
                        rotated: false,
                    }));
                    webhooks.update(|list| list.insert(0, created.webhook));
                    draft.clear();
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card form-card" on:submit=submit novalidate aria-labelledby="new-webhook-title">
            <h2 id="new-webhook-title">{t(Msg::NewWebhook)}</h2>
            <ErrorSlot error=error fields=FIELDS/>
            <WebhookFields ids=CREATE_IDS draft=draft error=error/>
            <button class="primary" type="submit" disabled=move || busy.get() data-testid="create-webhook">
                {busy_text(busy, Msg::CreateWebhook)}
            </button>
        </form>
    }
}

/// The fields of one endpoint, filled in, with Save and Cancel.
#[component]
pub fn EditWebhookForm(
    /// The endpoint as it stands.
    webhook: Webhook,
    /// The list whose entry a save replaces.
    webhooks: RwSignal<Vec<Webhook>>,
    /// Closes the form.
    on_done: Callback<()>,
) -> impl IntoView {
    let draft = Draft::of(&webhook);
    let id = StoredValue::new(webhook.id);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        let body = draft.request();
        let id = id.get_value();
        spawn_local(async move {
            match api::call(&UpdateWebhook { id, body }).await {
                Ok(saved) => {
                    busy.set(false);
                    on_done.run(());
                    replace(webhooks, saved);
                }
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <form class="card form-card edit-webhook" on:submit=submit novalidate aria-labelledby="edit-webhook-title">
            <h3 id="edit-webhook-title">{t(Msg::EditWebhook)}</h3>
            <ErrorSlot error=error fields=FIELDS/>
            <WebhookFields ids=EDIT_IDS draft=draft error=error/>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=move || busy.get() data-testid="save-webhook">
                    {busy_text(busy, Msg::Save)}
                </button>
                <button type="button" class="secondary" on:click=move |_| on_done.run(())>{t(Msg::Cancel)}</button>
            </div>
        </form>
    }
}

/// Puts the server's copy of an endpoint in its place in the list.
pub fn replace(webhooks: RwSignal<Vec<Webhook>>, saved: Webhook) {
    webhooks.update(|list| {
        if let Some(slot) = list.iter_mut().find(|w| w.id == saved.id) {
            *slot = saved;
        }
    });
}

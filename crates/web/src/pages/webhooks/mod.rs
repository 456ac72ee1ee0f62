//! Outgoing webhooks, for admins: the endpoints that receive a signed event for every
//! change they subscribe to, the form that registers one, the signing secret shown once
//! after registering or rotating, and each endpoint's delivery log. The list is the
//! admin area's tab (/admin/webhooks); a log has its own address inside that tab
//! (/admin/webhooks/{id}), so it can be linked to and reloaded.

mod deliveries;
mod delivery;
mod events;
mod form;
mod row;

use chrono::{DateTime, Utc};
use copse_shared::endpoints::ListWebhooks;
use copse_shared::webhooks::Webhook;
use leptos::prelude::*;

use crate::api;
use crate::components::secret::SecretCard;
use crate::components::status::{Empty, ErrorAlert, Loading};
use crate::format;
use crate::i18n::{self, Msg, t};

pub use deliveries::DeliveryLog;
use form::CreateWebhookForm;
use row::WebhookRow;

/// How a signature looks and how it is computed, beside the secret. It is code rather
/// than prose, so it is not translated (as the API keys page's curl example).
const SIGNATURE_EXAMPLE: &str = "Copse-Signature: t=1767225600,v1=5257a869e7ec…\n\
                                 v1 = hex(HMAC-SHA256(secret, t + \".\" + body))";

/// A secret just made or rotated. It lives only in this page's memory: the server
/// never shows it again, so leaving the page forgets it for good.
#[derive(Clone, Debug, PartialEq)]
pub struct FreshSecret {
    /// The endpoint's address, to say whose secret it is.
    pub url: String,
    /// The secret itself (`whsec_...`).
    pub secret: String,
    /// Whether it replaces an earlier secret.
    pub rotated: bool,
}

/// A `<time>` for a moment in a webhook's or a delivery's life.
fn when(at: DateTime<Utc>) -> impl IntoView {
    view! { <time datetime=format::iso(at)>{format::date_time(at)}</time> }
}

/// The badge saying whether an endpoint is sent events.
fn active_badge(active: bool) -> impl IntoView {
    let (class, label) = if active { ("badge", Msg::WebhookActive) } else { ("badge warn", Msg::WebhookPaused) };
    view! { <span class=class>{t(label)}</span> }
}

/// The counts of deliveries waiting and given up, when there are any.
fn count_badges(webhook: &Webhook) -> impl IntoView + use<> {
    let pending = (webhook.pending > 0).then(|| {
        let text = i18n::fill(Msg::WebhookPendingCount, &[("n", &webhook.pending.to_string())]);
        view! { " " <span class="badge muted">{text}</span> }
    });
    let failed = (webhook.failed > 0).then(|| {
        let text = i18n::fill(Msg::WebhookFailedCount, &[("n", &webhook.failed.to_string())]);
        view! { " " <span class="badge warn">{text}</span> }
    });
    view! { {pending} {failed} }
}

/// The admin tab: the form, the secret just made, and the endpoints, newest first as
/// the server sends them.
#[component]
pub fn WebhooksPanel() -> impl IntoView {
    let resource = LocalResource::new(|| async { api::call(&ListWebhooks).await });
    let fresh = RwSignal::new(None::<FreshSecret>);
    view! {
        <div class="webhooks" data-testid="webhooks">
            <h2>{t(Msg::Webhooks)}</h2>
            <p class="hint">{t(Msg::WebhooksLead)}</p>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || resource.get().map(|result| match result {
                    Ok(list) => {
                        let webhooks = RwSignal::new(list);
                        view! {
                            <CreateWebhookForm webhooks=webhooks fresh=fresh/>
                            {move || fresh.get().map(|secret| view! {
                                <SecretPanel fresh=secret on_done=Callback::new(move |_| fresh.set(None))/>
                            })}
                            <WebhookList webhooks=webhooks fresh=fresh/>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
                })}
            </Suspense>
        </div>
    }
}

/// What tells a row's state apart: a change to any of it rebuilds the row, so the row
/// shows the endpoint as the server now has it.
type RowKey = (String, String, String, Vec<String>, bool, Option<DateTime<Utc>>);

fn row_key(w: &Webhook) -> RowKey {
    (w.id.clone(), w.url.clone(), w.description.clone(), w.events.clone(), w.active, w.previous_secret_valid_until)
}

#[component]
fn WebhookList(webhooks: RwSignal<Vec<Webhook>>, fresh: RwSignal<Option<FreshSecret>>) -> impl IntoView {
    // One endpoint is edited at a time, so the edit form's input ids stay unique.
    let editing = RwSignal::new(None::<String>);
    view! {
        <section aria-labelledby="webhooks-list-title">
            <h2 id="webhooks-list-title">{t(Msg::WebhooksList)}</h2>
            {move || webhooks.with(Vec::is_empty).then(|| view! { <Empty text=t(Msg::NoWebhooks)/> })}
            <ul class="rows webhook-rows">
                <For each=move || webhooks.get() key=row_key let(webhook)>
                    <WebhookRow webhook=webhook webhooks=webhooks fresh=fresh editing=editing/>
                </For>
            </ul>
        </section>
    }
}

/// The secret, once, with a warning, a Copy button and how to check a signature.
#[component]
fn SecretPanel(fresh: FreshSecret, on_done: Callback<()>) -> impl IntoView {
    let title = i18n::fill(
        if fresh.rotated { Msg::WebhookNewSecretFor } else { Msg::WebhookSecretFor },
        &[("url", &fresh.url)],
    );
    view! {
        <SecretCard id="webhook-secret" title=title secret=fresh.secret hint=t(Msg::WebhookSecretHint) on_done=on_done>
            <p class="hint">{t(Msg::WebhookVerifyHint)}</p>
            <pre class="text-preview"><code>{SIGNATURE_EXAMPLE}</code></pre>
        </SecretCard>
    }
}

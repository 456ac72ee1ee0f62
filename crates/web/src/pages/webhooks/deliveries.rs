//! One endpoint's delivery log (/admin/webhooks/{id}), newest first with "Load more".
//! Deliveries change in the background (the server retries pending ones), so Refresh
//! reads again as many of the newest as are shown (up to the largest page) and merges
//! them in, keeping the pages already loaded: the cursor names a position in the log,
//! so "Load more" still carries on where it was.

use copse_shared::Page;
use copse_shared::endpoints::{GetWebhook, ListWebhookDeliveries, PingWebhook};
use copse_shared::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use copse_shared::webhooks::{Webhook, WebhookDelivery};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::delivery::DeliveryRow;
use super::{active_badge, count_badges};
use crate::api::{self, ApiError};
use crate::components::status::{Empty, ErrorAlert, ErrorSlot, Loading, StatusNote};
use crate::i18n::{Msg, t};
use crate::pages::paged::Paged;

/// The log's page that starts at `cursor` (the newest with none).
fn deliveries(id: String, cursor: Option<String>) -> ListWebhookDeliveries {
    ListWebhookDeliveries { id, limit: None, cursor }
}

/// The endpoint and the newest `limit` deliveries of its log (a page by default).
async fn load(id: String, limit: Option<u64>) -> Result<(Webhook, Page<WebhookDelivery>), ApiError> {
    let webhook = api::call(&GetWebhook { id: id.clone() }).await?;
    let page = api::call(&ListWebhookDeliveries { id, limit, cursor: None }).await?;
    Ok((webhook, page))
}

/// Tells rows apart: a delivery with a new status or attempt is a new row.
fn delivery_key(d: &WebhookDelivery) -> String {
    format!("{}:{:?}:{}", d.id, d.status, d.attempts.len())
}

/// Puts the newest page's deliveries into the list: known ones replace their older
/// copy, unknown ones (queued since) go on top in the server's order.
fn merge(items: &mut Vec<WebhookDelivery>, newest: Vec<WebhookDelivery>) {
    let mut added = Vec::new();
    for delivery in newest {
        match items.iter_mut().find(|d| d.id == delivery.id) {
            Some(slot) => *slot = delivery,
            None => added.push(delivery),
        }
    }
    items.splice(0..0, added);
}

#[component]
pub fn DeliveryLog(
    /// The endpoint's id.
    id: String,
) -> impl IntoView {
    let id = StoredValue::new(id);
    let resource = LocalResource::new(move || load(id.get_value(), None));
    view! {
        <div class="webhook-log" data-testid="webhook-log">
            <p><a href="/admin/webhooks">{t(Msg::AllWebhooks)}</a></p>
            <h2>{t(Msg::DeliveryLog)}</h2>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || resource.get().map(|result| match result {
                    Ok((webhook, page)) => view! { <LogBody webhook=webhook page=page/> }.into_any(),
                    Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
                })}
            </Suspense>
        </div>
    }
}

/// The endpoint, Send test event and Refresh, and the deliveries.
#[component]
fn LogBody(webhook: Webhook, page: Page<WebhookDelivery>) -> impl IntoView {
    let id = StoredValue::new(webhook.id.clone());
    let webhook = RwSignal::new(webhook);
    let paged = Paged::new(page);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let note = RwSignal::new(None::<String>);
    let start = move || {
        busy.set(true);
        error.set(None);
        note.set(None);
    };
    let ping = move |_| {
        start();
        spawn_local(async move {
            match api::call(&PingWebhook { id: id.get_value() }).await {
                Ok(delivery) => {
                    paged.items.update(|items| items.insert(0, delivery));
                    note.set(Some(t(Msg::TestEventQueued).to_owned()));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let refresh = move |_| {
        start();
        let shown = paged.items.with_untracked(Vec::len) as u64;
        let limit = shown.clamp(DEFAULT_LIMIT, MAX_LIMIT);
        spawn_local(async move {
            match load(id.get_value(), Some(limit)).await {
                Ok((fresh, page)) => {
                    webhook.set(fresh);
                    paged.items.update(|items| merge(items, page.items));
                    note.set(Some(t(Msg::Refreshed).to_owned()));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let on_load = Callback::new(move |_| {
        paged.load_more(move |cursor| async move { api::call(&deliveries(id.get_value(), Some(cursor))).await })
    });
    let on_redelivered = Callback::new(move |delivery: WebhookDelivery| {
        paged.items.update(|items| items.insert(0, delivery));
    });
    view! {
        <div class="row log-head">
            <div class="row-main">
                {move || webhook.with(|w| view! {
                    <span class="row-title">
                        <strong>{w.url.clone()}</strong> " " {active_badge(w.active)} {count_badges(w)}
                    </span>
                    {(!w.description.is_empty()).then(|| view! { <span class="meta">{w.description.clone()}</span> })}
                })}
            </div>
            <div class="row-actions">
                <button
                    type="button"
                    class="secondary"
                    disabled=move || busy.get()
                    on:click=ping
                    data-testid="ping-webhook"
                >
                    {t(Msg::SendTestEvent)}
                </button>
                <button
                    type="button"
                    class="secondary"
                    disabled=move || busy.get()
                    on:click=refresh
                    data-testid="refresh-deliveries"
                >
                    {t(Msg::Refresh)}
                </button>
            </div>
        </div>
        <StatusNote message=note.into()/>
        <ErrorSlot error=error/>
        {move || paged.is_empty().then(|| view! { <Empty text=t(Msg::NoDeliveries)/> })}
        <ul class="rows deliveries" aria-label=t(Msg::DeliveryLog)>
            <For each=move || paged.items.get() key=delivery_key let(delivery)>
                <DeliveryRow delivery=delivery webhook_id=id.get_value() on_redelivered=on_redelivered/>
            </For>
        </ul>
        {paged.footer(on_load)}
    }
}

//! One delivery in the log: where it stands, the event it carries, its attempts (what
//! the endpoint answered, or what went wrong) and the JSON sent; with Redeliver, which
//! sends the same event again as a new delivery.

use copse_shared::endpoints::RedeliverWebhook;
use copse_shared::webhooks::{DeliveryAttempt, DeliveryStatus, WebhookDelivery};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::when;
use crate::api::{self, ApiError};
use crate::components::status::{RowError, busy_text};
use crate::i18n::{self, Msg, t};

/// The badge of a status: its class, its text, and the status as the API spells it
/// (a `data-status` for tests and styles that must not depend on the language).
fn status_badge(status: DeliveryStatus) -> (&'static str, Msg, &'static str) {
    match status {
        DeliveryStatus::Pending => ("badge muted", Msg::DeliveryPending, "pending"),
        DeliveryStatus::Succeeded => ("badge", Msg::DeliverySucceeded, "succeeded"),
        DeliveryStatus::Failed => ("badge warn", Msg::DeliveryFailed, "failed"),
    }
}

/// The payload indented for reading; as sent when it is not JSON after all.
fn pretty(payload: &str) -> String {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| payload.to_owned())
}

/// One attempt as a table row.
fn attempt_row(attempt: DeliveryAttempt) -> impl IntoView {
    let status = attempt.status_code.map(|code| code.to_string()).unwrap_or_default();
    let error = match (attempt.error_kind, attempt.error) {
        (Some(kind), Some(message)) => view! { <code>{kind}</code> " " {message} }.into_any(),
        (Some(kind), None) => view! { <code>{kind}</code> }.into_any(),
        (None, Some(message)) => message.into_any(),
        (None, None) => ().into_any(),
    };
    let duration = i18n::fill(Msg::AttemptDurationMs, &[("n", &attempt.duration_ms.to_string())]);
    let excerpt = (!attempt.response_excerpt.is_empty())
        .then(|| view! { <pre class="text-preview">{attempt.response_excerpt}</pre> });
    view! {
        <tr data-testid="delivery-attempt">
            <td>{attempt.number}</td>
            <td>{when(attempt.at)}</td>
            <td>{status}</td>
            <td>{error}</td>
            <td>{duration}</td>
            <td>{excerpt}</td>
        </tr>
    }
}

/// The attempts so far, oldest first, or a line saying there are none yet.
fn attempts_table(attempts: Vec<DeliveryAttempt>) -> impl IntoView {
    if attempts.is_empty() {
        return view! { <p class="meta">{t(Msg::DeliveryNoAttempts)}</p> }.into_any();
    }
    view! {
        <div class="table-wrap" role="region" aria-label=t(Msg::DeliveryAttempts) tabindex="0">
            <table class="audit attempts">
                <thead>
                    <tr>
                        <th scope="col">{t(Msg::AttemptNumber)}</th>
                        <th scope="col">{t(Msg::When)}</th>
                        <th scope="col">{t(Msg::AttemptStatusCode)}</th>
                        <th scope="col">{t(Msg::AttemptError)}</th>
                        <th scope="col">{t(Msg::AttemptDuration)}</th>
                        <th scope="col">{t(Msg::AttemptResponse)}</th>
                    </tr>
                </thead>
                <tbody>{attempts.into_iter().map(attempt_row).collect_view()}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn DeliveryRow(
    delivery: WebhookDelivery,
    /// The endpoint's id.
    webhook_id: String,
    /// Told the new delivery a redelivery made.
    on_redelivered: Callback<WebhookDelivery>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let ids = StoredValue::new((webhook_id, delivery.id.clone()));
    let redeliver = move |_| {
        busy.set(true);
        error.set(None);
        let (id, delivery) = ids.get_value();
        spawn_local(async move {
            match api::call(&RedeliverWebhook { id, delivery }).await {
                Ok(new) => on_redelivered.run(new),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let (class, label, status) = status_badge(delivery.status);
    let title_id = format!("delivery-{}", delivery.id);
    // A delivered event says when; a pending one when it is tried next.
    let outcome = match (delivery.delivered_at, delivery.next_attempt_at) {
        (Some(at), _) => Some((Msg::DeliveryDelivered, at)),
        (None, Some(at)) if delivery.status == DeliveryStatus::Pending => Some((Msg::DeliveryNextAttempt, at)),
        _ => None,
    };
    let outcome = outcome.map(|(msg, at)| view! { <dt>{t(msg)}</dt> <dd>{when(at)}</dd> });
    view! {
        <li class="row delivery" data-testid="webhook-delivery">
            <div class="row-main">
                <span class="row-title" id=title_id.clone()>
                    <span class=class data-testid="delivery-status" data-status=status>{t(label)}</span>
                    " " <code>{delivery.event_type.clone()}</code>
                </span>
                <dl class="facts key-facts">
                    <dt>{t(Msg::DeliveryEventId)}</dt>
                    <dd><code>{delivery.event_id.clone()}</code></dd>
                    <dt>{t(Msg::DeliveryQueued)}</dt>
                    <dd>{when(delivery.created_at)}</dd>
                    {outcome}
                </dl>
                {attempts_table(delivery.attempts)}
                <details class="payload">
                    <summary>{t(Msg::DeliveryPayload)}</summary>
                    <pre class="text-preview" data-testid="delivery-payload">{pretty(&delivery.payload)}</pre>
                </details>
            </div>
            <div class="row-actions">
                <button
                    type="button"
                    class="secondary"
                    aria-describedby=title_id
                    disabled=move || busy.get()
                    on:click=redeliver
                    data-testid="redeliver"
                >
                    {busy_text(busy, Msg::Redeliver)}
                </button>
            </div>
            <RowError error=error/>
        </li>
    }
}

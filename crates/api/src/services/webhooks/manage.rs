//! Webhook endpoints as admins manage them: register (the secret shown once), change,
//! pause, rotate the secret with a grace period, remove; test events, the delivery log
//! and redelivery. Every change is audited in the same transaction.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Utc};
use copse_shared::Page;
use copse_shared::webhooks::{
    CreatedWebhook, DeliveryAttempt, DeliveryStatus, RotateWebhookSecretRequest, WEBHOOK_EVENTS, Webhook,
    WebhookDelivery, WebhookRequest,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::guard::{self, GuardError};
use super::outbox::{self, status_name};
use super::sign;
use crate::entities::{change, user, webhook, webhook_attempt, webhook_delivery};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::audit::{self, Event};
use crate::services::discussions::members;
use crate::services::{pagination, validate};
use crate::state::AppState;

/// Only admins, in their own session (keys never manage webhooks).
fn admin(actor: &Actor) -> ApiResult<&user::Model> {
    match actor {
        Actor::Member(user) => {
            policy::require(actor, Action::ManageWebhooks, &Resource::Community)?;
            Ok(user)
        }
        Actor::Anonymous => Err(policy::sign_in_required()),
        Actor::Key(_) => Err(ApiError::forbidden("API keys cannot manage webhooks.")),
    }
}

/// A checked request: the normalised address, description and events.
struct Checked {
    url: String,
    description: String,
    events: Vec<String>,
}

fn check(state: &AppState, request: &WebhookRequest) -> ApiResult<Checked> {
    let mut errors = validate::Errors::default();
    let url = match guard::check_url(request.url.trim(), state.webhooks.allow_private) {
        Ok(url) if url.as_str().len() <= 2000 => url.to_string(),
        Ok(_) => {
            errors.add("url", "too_long", "At most 2000 characters.");
            String::new()
        }
        Err(GuardError::Forbidden { .. }) => {
            errors.add(
                "url",
                "private_address",
                "Webhooks are only sent to public addresses, never to loopback, private or link-local ones.",
            );
            String::new()
        }
        Err(_) => {
            errors.add("url", "invalid_url", "Use an http or https address without credentials.");
            String::new()
        }
    };
    let description = request.description.trim().to_owned();
    if description.chars().count() > 200 {
        errors.add("description", "too_long", "At most 200 characters.");
    }
    let mut events = Vec::new();
    for name in &request.events {
        if !WEBHOOK_EVENTS.contains(&name.as_str()) {
            errors.add("events", "unknown", format!("No event `{name}`."));
        } else if !events.contains(name) {
            events.push(name.clone());
        }
    }
    if request.events.is_empty() {
        errors.add("events", "required", "Choose at least one event.");
    }
    errors.finish()?;
    Ok(Checked { url, description, events })
}

/// Pending and failed deliveries per endpoint.
async fn counts(db: &impl ConnectionTrait, ids: Vec<String>) -> ApiResult<HashMap<(String, String), u64>> {
    let rows: Vec<(String, String, i64)> = webhook_delivery::Entity::find()
        .select_only()
        .column(webhook_delivery::Column::WebhookId)
        .column(webhook_delivery::Column::Status)
        .column_as(webhook_delivery::Column::Id.count(), "n")
        .filter(webhook_delivery::Column::WebhookId.is_in(ids))
        .filter(webhook_delivery::Column::Status.ne(status_name(DeliveryStatus::Succeeded)))
        .group_by(webhook_delivery::Column::WebhookId)
        .group_by(webhook_delivery::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, status, n)| ((id, status), u64::try_from(n).unwrap_or(0))).collect())
}

async fn dtos(state: &AppState, rows: Vec<webhook::Model>) -> ApiResult<Vec<Webhook>> {
    let db = &state.db;
    let people = members(state, rows.iter().filter_map(|w| w.created_by.clone()).collect::<HashSet<_>>()).await?;
    let counts = counts(db, rows.iter().map(|w| w.id.clone()).collect()).await?;
    let count = |id: &str, status: DeliveryStatus| {
        counts.get(&(id.to_owned(), status_name(status).to_owned())).copied().unwrap_or(0)
    };
    Ok(rows
        .into_iter()
        .map(|w| Webhook {
            pending: count(&w.id, DeliveryStatus::Pending),
            failed: count(&w.id, DeliveryStatus::Failed),
            created_by: w.created_by.as_ref().and_then(|id| people.get(id).cloned()),
            events: w.events.split(',').filter(|e| !e.is_empty()).map(str::to_owned).collect(),
            previous_secret_valid_until: w.previous_valid_until.filter(|until| *until > Utc::now()),
            id: w.id,
            url: w.url,
            description: w.description,
            active: w.active,
            created_at: w.created_at,
        })
        .collect())
}

async fn one(db: &impl ConnectionTrait, id: &str) -> ApiResult<webhook::Model> {
    webhook::Entity::find_by_id(id.to_owned()).one(db).await?.ok_or_else(ApiError::not_found)
}

async fn dto(state: &AppState, row: webhook::Model) -> ApiResult<Webhook> {
    dtos(state, vec![row]).await?.pop().ok_or_else(ApiError::not_found)
}

fn audited<'a>(action: &'a str, hook: &'a webhook::Model, details: serde_json::Value) -> Event<'a> {
    Event { action, target_type: "webhook", target_id: &hook.id, target_label: &hook.url, details }
}

/// Every endpoint, newest first.
pub async fn list(state: &AppState, actor: &Actor) -> ApiResult<Vec<Webhook>> {
    admin(actor)?;
    let rows = webhook::Entity::find().order_by_desc(webhook::Column::CreatedAt).all(&state.db).await?;
    dtos(state, rows).await
}

/// One endpoint.
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> ApiResult<Webhook> {
    admin(actor)?;
    dto(state, one(&state.db, id).await?).await
}

/// Registers an endpoint; it receives changes made from now on.
pub async fn create(state: &AppState, actor: &Actor, request: WebhookRequest) -> ApiResult<CreatedWebhook> {
    let me = admin(actor)?;
    let checked = check(state, &request)?;
    let secret = sign::new_secret();
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let newest: Option<Option<i64>> =
        change::Entity::find().select_only().column_as(change::Column::Pos.max(), "max").into_tuple().one(&txn).await?;
    let row = webhook::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        url: Set(checked.url),
        description: Set(checked.description),
        events: Set(checked.events.join(",")),
        secret: Set(secret.clone()),
        previous_secret: Set(None),
        previous_valid_until: Set(None),
        active: Set(request.active.unwrap_or(true)),
        from_pos: Set(newest.flatten().unwrap_or(0)),
        created_by: Set(Some(me.id.clone())),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, me, audited("webhook.create", &row, json!({ "events": row.events }))).await?;
    txn.commit().await?;
    Ok(CreatedWebhook { webhook: dto(state, row).await?, secret })
}

/// Changes an endpoint's address, description, events or whether it is active.
pub async fn update(state: &AppState, actor: &Actor, id: &str, request: WebhookRequest) -> ApiResult<Webhook> {
    let me = admin(actor)?;
    let current = one(&state.db, id).await?;
    let checked = check(state, &request)?;
    let txn = crate::db::begin(&state.db).await?;
    let mut row: webhook::ActiveModel = current.into();
    row.url = Set(checked.url);
    row.description = Set(checked.description);
    row.events = Set(checked.events.join(","));
    if let Some(active) = request.active {
        row.active = Set(active);
    }
    row.updated_at = Set(Utc::now());
    let row = row.update(&txn).await?;
    let details = json!({ "events": row.events, "active": row.active });
    audit::record(&txn, me, audited("webhook.update", &row, details)).await?;
    txn.commit().await?;
    dto(state, row).await
}

/// Removes an endpoint with its delivery log.
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> ApiResult<()> {
    let me = admin(actor)?;
    let row = one(&state.db, id).await?;
    let txn = crate::db::begin(&state.db).await?;
    // Its deliveries and their attempts go with it: both foreign keys cascade.
    webhook::Entity::delete_by_id(row.id.clone()).exec(&txn).await?;
    audit::record(&txn, me, audited("webhook.delete", &row, json!({}))).await?;
    txn.commit().await?;
    Ok(())
}

/// A new secret; the old one keeps signing (as a second `v1`) for the grace period.
pub async fn rotate(
    state: &AppState,
    actor: &Actor,
    id: &str,
    request: RotateWebhookSecretRequest,
) -> ApiResult<CreatedWebhook> {
    let me = admin(actor)?;
    let hours = request.grace_hours.unwrap_or(24);
    if hours > 720 {
        return Err(ApiError::field("grace_hours", "out_of_range", "Between 0 and 720 hours."));
    }
    let current = one(&state.db, id).await?;
    let secret = sign::new_secret();
    let txn = crate::db::begin(&state.db).await?;
    let previous = current.secret.clone();
    let mut row: webhook::ActiveModel = current.into();
    row.previous_secret = Set((hours > 0).then_some(previous));
    row.previous_valid_until = Set((hours > 0).then(|| Utc::now() + Duration::hours(i64::from(hours))));
    row.secret = Set(secret.clone());
    row.updated_at = Set(Utc::now());
    let row = row.update(&txn).await?;
    audit::record(&txn, me, audited("webhook.rotate", &row, json!({ "grace_hours": hours }))).await?;
    txn.commit().await?;
    Ok(CreatedWebhook { webhook: dto(state, row).await?, secret })
}

async fn delivery_dtos(
    db: &impl ConnectionTrait,
    rows: Vec<webhook_delivery::Model>,
) -> ApiResult<Vec<WebhookDelivery>> {
    let ids: Vec<String> = rows.iter().map(|d| d.id.clone()).collect();
    let attempts = webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(ids))
        .order_by_asc(webhook_attempt::Column::Number)
        .all(db)
        .await?;
    let mut by_delivery: HashMap<String, Vec<DeliveryAttempt>> = HashMap::new();
    for a in attempts {
        by_delivery.entry(a.delivery_id.clone()).or_default().push(DeliveryAttempt {
            number: u32::try_from(a.number).unwrap_or(0),
            at: a.at,
            status_code: a.status_code.and_then(|c| u16::try_from(c).ok()),
            error_kind: a.error_kind,
            error: a.error,
            duration_ms: u64::try_from(a.duration_ms).unwrap_or(0),
            response_excerpt: a.response_excerpt,
        });
    }
    Ok(rows
        .into_iter()
        .map(|d| WebhookDelivery {
            attempts: by_delivery.remove(&d.id).unwrap_or_default(),
            status: match d.status.as_str() {
                "succeeded" => DeliveryStatus::Succeeded,
                "failed" => DeliveryStatus::Failed,
                _ => DeliveryStatus::Pending,
            },
            next_attempt_at: d.next_attempt_at.filter(|_| d.status == status_name(DeliveryStatus::Pending)),
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            payload: d.payload,
        })
        .collect())
}

/// The delivery log of an endpoint, newest first.
pub async fn deliveries(
    state: &AppState,
    actor: &Actor,
    id: &str,
    limit: Option<u64>,
    cursor: Option<&str>,
) -> ApiResult<Page<WebhookDelivery>> {
    admin(actor)?;
    let hook = one(&state.db, id).await?;
    let limit = pagination::page_size(limit)?;
    let mut query = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::WebhookId.eq(hook.id))
        .order_by_desc(webhook_delivery::Column::CreatedAt)
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(limit + 1);
    if let Some(cursor) = cursor.filter(|c| !c.is_empty()) {
        let cursor = pagination::Cursor::decode(cursor)?;
        query = query.filter(pagination::older_than(
            &cursor,
            webhook_delivery::Column::CreatedAt,
            webhook_delivery::Column::Id,
        ));
    }
    let (rows, next_cursor) = pagination::split(query.all(&state.db).await?, limit, |d| {
        pagination::Cursor::new(d.created_at, &d.id).encode()
    });
    Ok(Page { items: delivery_dtos(&state.db, rows).await?, next_cursor })
}

async fn queue(state: &AppState, row: webhook_delivery::ActiveModel) -> ApiResult<WebhookDelivery> {
    let row = row.insert(&state.db).await?;
    state.webhooks.wake();
    delivery_dtos(&state.db, vec![row]).await?.pop().ok_or_else(ApiError::not_found)
}

/// Queues a `ping` event for the endpoint, sent at once (a paused endpoint keeps it
/// pending until it is resumed).
pub async fn ping(state: &AppState, actor: &Actor, id: &str) -> ApiResult<WebhookDelivery> {
    admin(actor)?;
    let hook = one(&state.db, id).await?;
    queue(state, outbox::ping(&hook.id, Utc::now())?).await
}

/// Sends an event again as a new delivery with the same event id and body.
pub async fn redeliver(state: &AppState, actor: &Actor, id: &str, delivery: &str) -> ApiResult<WebhookDelivery> {
    admin(actor)?;
    let hook = one(&state.db, id).await?;
    let original = webhook_delivery::Entity::find_by_id(delivery.to_owned())
        .filter(webhook_delivery::Column::WebhookId.eq(hook.id.clone()))
        .one(&state.db)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let row = outbox::queued(&hook.id, &original.event_id, &original.event_type, original.payload, Utc::now());
    queue(state, row).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_name_is_a_change_type_and_an_op() {
        for name in WEBHOOK_EVENTS {
            let (kind, op) = name.split_once('.').unwrap_or_default();
            assert!(copse_shared::partners::ChangeType::parse(kind).is_some(), "{name}");
            assert!(["created", "updated", "deleted"].contains(&op), "{name}");
        }
    }
}

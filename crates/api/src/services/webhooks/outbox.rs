//! The durable outbox: committed changes become delivery rows, and due deliveries are
//! sent, retried with back-off and logged attempt by attempt.
//!
//! `dispatch` reads the change log after its stored position and, in one transaction,
//! writes a delivery per matching endpoint and moves the position: a change is turned
//! into deliveries exactly once, even with several servers (the position row is
//! locked first). `deliver_due` claims due deliveries with a short lease (a conditional
//! update, so two workers never send the same attempt), sends them outside any
//! transaction, then records the attempt and the next step. A crash between sending
//! and recording sends again after the lease: delivery is at least once, and the
//! stable `Copse-Event-Id` lets partners drop the duplicate.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use copse_shared::partners::Change;
use copse_shared::webhooks::{DeliveryStatus, PING_EVENT, WebhookPayload};
use futures_util::StreamExt;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tokio::sync::Notify;
use uuid::Uuid;

use super::send::{DeliveryOutcome, EventHeaders, Options, Sender, backoff, should_give_up};
use super::sign;
use crate::config::Settings;
use crate::entities::{change, webhook, webhook_attempt, webhook_delivery, webhook_dispatch};
use crate::error::{ApiError, ApiResult};
use crate::services::partners::changes;

/// Changes turned into deliveries per dispatch round.
const DISPATCH_BATCH: u64 = 500;
/// Deliveries claimed per round, and sent at most this many at once.
const SEND_BATCH: u64 = 32;
const SEND_CONCURRENCY: usize = 8;
/// A claimed delivery is not claimed again for this long (longer than an attempt's
/// deadline), unless its attempt is recorded first.
const LEASE: Duration = Duration::from_secs(60);

/// What the API and the worker share: the sender and the worker's wake-up call.
#[derive(Clone)]
pub struct Outbox {
    /// Sends attempts through the SSRF-guarded client.
    pub sender: Sender,
    /// Whether endpoints on private addresses are accepted (development only).
    pub allow_private: bool,
    wake: Arc<Notify>,
    poll: Duration,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").field("allow_private", &self.allow_private).finish_non_exhaustive()
    }
}

impl Outbox {
    /// The outbox for these settings.
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let allow_private = settings.webhooks_allow_private;
        let sender = Sender::new(Options { allow_private, ..Options::default() })?;
        Ok(Self {
            sender,
            allow_private,
            wake: Arc::new(Notify::new()),
            poll: Duration::from_millis(Ord::max(settings.webhook_poll_ms, 10)),
        })
    }

    /// Asks the worker to look at once (a test event or a redelivery was queued).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// The event type of a change: `library_item.created`.
fn event_type(row: &change::Model) -> String {
    format!("{}.{}", row.resource_type, row.op)
}

fn payload(id: &str, event_type: &str, created_at: DateTime<Utc>, data: Option<Change>) -> ApiResult<String> {
    let body = WebhookPayload { id: id.to_owned(), event_type: event_type.to_owned(), created_at, data };
    serde_json::to_string(&body).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))
}

/// A new pending delivery, due at once.
pub fn queued(
    webhook_id: &str,
    event_id: &str,
    event_type: &str,
    body: String,
    now: DateTime<Utc>,
) -> webhook_delivery::ActiveModel {
    webhook_delivery::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        webhook_id: Set(webhook_id.to_owned()),
        event_id: Set(event_id.to_owned()),
        event_type: Set(event_type.to_owned()),
        payload: Set(body),
        status: Set(status_name(DeliveryStatus::Pending).to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(Some(now)),
        created_at: Set(now),
        delivered_at: Set(None),
    }
}

/// The stored name of a status.
pub fn status_name(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "pending",
        DeliveryStatus::Succeeded => "succeeded",
        DeliveryStatus::Failed => "failed",
    }
}

/// A `ping` event for an endpoint.
pub fn ping(webhook_id: &str, now: DateTime<Utc>) -> ApiResult<webhook_delivery::ActiveModel> {
    let event_id = format!("evt_ping_{}", Uuid::new_v4().simple());
    Ok(queued(webhook_id, &event_id, PING_EVENT, payload(&event_id, PING_EVENT, now, None)?, now))
}

/// Turns committed changes after the stored position into deliveries; returns how
/// many changes it consumed.
pub async fn dispatch(db: &DatabaseConnection) -> ApiResult<usize> {
    // A cheap look first: most rounds find nothing new and then write nothing.
    let position = webhook_dispatch::Entity::find_by_id(1).one(db).await?.map_or(0, |row| row.pos);
    let newest: Option<Option<i64>> =
        change::Entity::find().select_only().column_as(change::Column::Pos.max(), "max").into_tuple().one(db).await?;
    if newest.flatten().unwrap_or(0) <= position {
        return Ok(0);
    }
    let txn = crate::db::begin(db).await?;
    // Writing the row first takes its lock (PostgreSQL) or the write lock (SQLite), so
    // concurrent dispatchers queue here instead of sending a change twice.
    webhook_dispatch::Entity::update_many()
        .col_expr(webhook_dispatch::Column::Pos, Expr::col(webhook_dispatch::Column::Pos))
        .filter(webhook_dispatch::Column::Id.eq(1))
        .exec(&txn)
        .await?;
    let position = webhook_dispatch::Entity::find_by_id(1).one(&txn).await?.map_or(0, |row| row.pos);
    // Positions are given in commit order, so every change at or below the highest
    // one visible is visible too: nothing can be skipped.
    let rows = change::Entity::find()
        .filter(change::Column::Pos.gt(position))
        .order_by_asc(change::Column::Pos)
        .limit(DISPATCH_BATCH)
        .all(&txn)
        .await?;
    let Some(last) = rows.last().and_then(|r| r.pos) else {
        txn.commit().await?;
        return Ok(0);
    };
    let hooks = webhook::Entity::find().filter(webhook::Column::Active.eq(true)).all(&txn).await?;
    let mut deliveries = Vec::new();
    for row in &rows {
        let kind = event_type(row);
        let pos = row.pos.unwrap_or_default();
        let event_id = format!("evt_{pos}");
        let wanted: Vec<&webhook::Model> =
            hooks.iter().filter(|h| pos > h.from_pos && h.events.split(',').any(|e| e == kind)).collect();
        if wanted.is_empty() {
            continue;
        }
        let body = payload(&event_id, &kind, row.changed_at, changes::to_dto(row.clone()))?;
        for hook in wanted {
            deliveries.push(queued(&hook.id, &event_id, &kind, body.clone(), Utc::now()));
        }
    }
    for chunk in deliveries.chunks(100) {
        webhook_delivery::Entity::insert_many(chunk.to_vec()).exec(&txn).await?;
    }
    webhook_dispatch::Entity::update_many()
        .col_expr(webhook_dispatch::Column::Pos, Expr::value(last))
        .filter(webhook_dispatch::Column::Id.eq(1))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows.len())
}

/// Sends the deliveries due at `now` (of active endpoints); returns how many it tried.
pub async fn deliver_due(db: &DatabaseConnection, outbox: &Outbox, now: DateTime<Utc>) -> ApiResult<usize> {
    let active = Query::select()
        .column(webhook::Column::Id)
        .from(webhook::Entity)
        .and_where(Expr::col(webhook::Column::Active).eq(true))
        .to_owned();
    let due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(status_name(DeliveryStatus::Pending)))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .filter(webhook_delivery::Column::WebhookId.in_subquery(active))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .limit(SEND_BATCH)
        .all(db)
        .await?;
    let lease = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let mut claimed = Vec::new();
    for delivery in due {
        let taken = webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(lease))
            .filter(webhook_delivery::Column::Id.eq(delivery.id.clone()))
            .filter(webhook_delivery::Column::Status.eq(status_name(DeliveryStatus::Pending)))
            .filter(webhook_delivery::Column::NextAttemptAt.eq(delivery.next_attempt_at))
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            claimed.push(delivery);
        }
    }
    let ids: Vec<String> = claimed.iter().map(|d| d.webhook_id.clone()).collect();
    let hooks = webhook::Entity::find().filter(webhook::Column::Id.is_in(ids)).all(db).await?;
    let tried = claimed.len();
    futures_util::stream::iter(claimed)
        .for_each_concurrent(SEND_CONCURRENCY, |delivery| {
            let hook = hooks.iter().find(|h| h.id == delivery.webhook_id).cloned();
            async move {
                let Some(hook) = hook else { return };
                let outcome = attempt(outbox, &hook, &delivery, now).await;
                if let Err(error) = record(db, &delivery, &outcome, now).await {
                    tracing::warn!(%error, delivery = %delivery.id, "recording a webhook attempt failed");
                }
            }
        })
        .await;
    Ok(tried)
}

/// Signs (with every secret still valid, so a rotation is seamless) and sends.
async fn attempt(
    outbox: &Outbox,
    hook: &webhook::Model,
    delivery: &webhook_delivery::Model,
    now: DateTime<Utc>,
) -> DeliveryOutcome {
    let mut secrets = vec![hook.secret.as_bytes()];
    if let (Some(previous), Some(until)) = (&hook.previous_secret, hook.previous_valid_until)
        && until > now
    {
        secrets.push(previous.as_bytes());
    }
    // Signed at sending time: a retry hours later carries a fresh timestamp, so
    // receivers can keep a short replay window.
    let signature = sign::sign(&secrets, Utc::now().timestamp(), delivery.payload.as_bytes());
    let headers = EventHeaders { id: &delivery.event_id, event_type: &delivery.event_type, signature: &signature };
    outbox.sender.deliver(&hook.url, headers, delivery.payload.clone().into_bytes()).await
}

/// Logs the attempt and decides what comes next, in one transaction.
async fn record(
    db: &DatabaseConnection,
    delivery: &webhook_delivery::Model,
    outcome: &DeliveryOutcome,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let number = delivery.attempts + 1;
    let txn = crate::db::begin(db).await?;
    webhook_attempt::ActiveModel {
        delivery_id: Set(delivery.id.clone()),
        number: Set(number),
        at: Set(now),
        status_code: Set(outcome.status.map(i32::from)),
        error_kind: Set(outcome.failure.as_ref().map(|f| f.kind.as_str().to_owned())),
        error: Set(outcome.failure.as_ref().map(|f| f.message.clone())),
        duration_ms: Set(i64::try_from(outcome.duration_ms).unwrap_or(i64::MAX)),
        response_excerpt: Set(outcome.response_excerpt.clone()),
    }
    .insert(&txn)
    .await?;
    let attempts = u32::try_from(number).unwrap_or(u32::MAX);
    let (status, next, delivered) = if outcome.is_success() {
        (DeliveryStatus::Succeeded, None, Some(now))
    } else if should_give_up(attempts) {
        (DeliveryStatus::Failed, None, None)
    } else {
        (DeliveryStatus::Pending, Some(now + chrono::Duration::from_std(backoff(attempts)).unwrap_or_default()), None)
    };
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(number))
        .col_expr(webhook_delivery::Column::Status, Expr::value(status_name(status)))
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next))
        .col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(delivered))
        .filter(webhook_delivery::Column::Id.eq(delivery.id.clone()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Runs the outbox in the background: at start (deliveries left by a stop go out),
/// then whenever woken and at least every poll interval.
pub fn spawn_worker(db: DatabaseConnection, outbox: Outbox) {
    tokio::spawn(async move {
        loop {
            let round = async {
                // Dispatch until caught up, so a burst is queued before sending starts.
                while dispatch(&db).await? > 0 {}
                deliver_due(&db, &outbox, Utc::now()).await
            };
            if let Err(error) = round.await {
                tracing::warn!(%error, "webhook outbox round failed");
            }
            tokio::select! {
                () = outbox.wake.notified() => {}
                () = tokio::time::sleep(outbox.poll) => {}
            }
        }
    });
}

//! Reminders: in-app notifications to people going, at each of the event's offsets
//! before an occurrence starts.
//!
//! Nothing is scheduled in memory. A worker asks the database, every minute and at
//! start, which reminders are due (offset reached, occurrence not yet started, not yet
//! recorded in `event_reminders_sent`), so a server that was down when a reminder fell
//! due sends it when it comes back. Recording the reminder and inserting the
//! notifications happen in one transaction, and the record's primary key makes a
//! second sender (another server, or an overlapping run) fail instead of repeating.
//! When several offsets are due at once (the server was down), one reminder goes out.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use copse_shared::discussions::NotificationKind;
use copse_shared::events::RsvpStatus;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::reminders_of;
use super::series::notify;
use crate::entities::{event, event_occurrence, event_reminder_sent, event_rsvp};
use crate::error::ApiResult;

/// The furthest reminder offset, in minutes (30 days).
const MAX_OFFSET_MINUTES: i64 = 43_200;
/// How often the worker looks.
const PERIOD: StdDuration = StdDuration::from_secs(60);

/// Sends every reminder due at `now`; returns how many occurrences were reminded.
pub async fn deliver_due(db: &DatabaseConnection, now: DateTime<Utc>) -> ApiResult<usize> {
    use event_occurrence::Column as C;
    let rows = event_occurrence::Entity::find()
        .filter(C::StartsAt.gt(now))
        .filter(C::StartsAt.lte(now + Duration::minutes(MAX_OFFSET_MINUTES)))
        .filter(C::Cancelled.eq(false))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = rows.iter().map(|r| r.event_id.clone()).collect();
    let events: std::collections::HashMap<String, event::Model> = event::Entity::find()
        .filter(event::Column::Id.is_in(ids.clone()))
        .filter(event::Column::CancelledAt.is_null())
        .filter(event::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let sent: std::collections::HashSet<(String, String, i32)> = event_reminder_sent::Entity::find()
        .filter(event_reminder_sent::Column::EventId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.event_id, s.occurrence_key, s.minutes))
        .collect();
    let mut reminded = 0;
    for row in rows {
        let Some(event) = events.get(&row.event_id) else { continue };
        let due: Vec<i32> = reminders_of(event)
            .into_iter()
            .filter(|m| row.starts_at - Duration::minutes(i64::from(*m)) <= now)
            .filter(|m| !sent.contains(&(row.event_id.clone(), row.key.clone(), *m)))
            .collect();
        if due.is_empty() {
            continue;
        }
        let txn = crate::db::begin(db).await?;
        let records = due.iter().map(|m| event_reminder_sent::ActiveModel {
            event_id: Set(row.event_id.clone()),
            occurrence_key: Set(row.key.clone()),
            minutes: Set(*m),
            sent_at: Set(now),
        });
        if event_reminder_sent::Entity::insert_many(records).exec(&txn).await.is_err() {
            // Another sender recorded it first: it sends the notifications.
            txn.rollback().await?;
            continue;
        }
        let going: Vec<String> = event_rsvp::Entity::find()
            .filter(event_rsvp::Column::EventId.eq(row.event_id.clone()))
            .filter(event_rsvp::Column::OccurrenceKey.eq(row.key.clone()))
            .filter(event_rsvp::Column::Status.eq(RsvpStatus::Going.as_str()))
            .all(&txn)
            .await?
            .into_iter()
            .map(|r| r.user_id)
            .collect();
        notify(&txn, going, NotificationKind::EventReminder, event, &row.key, row.starts_at, None).await?;
        txn.commit().await?;
        reminded += 1;
    }
    Ok(reminded)
}

/// Runs [`deliver_due`] at start and every minute, for the life of the process.
pub fn spawn_worker(db: DatabaseConnection) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(PERIOD);
        loop {
            ticks.tick().await;
            if let Err(error) = deliver_due(&db, Utc::now()).await {
                tracing::warn!(error = %error, "sending event reminders failed; will retry");
            }
        }
    });
}

//! Answers to occurrences, seats and the waiting list.
//!
//! Seats are counted and taken inside one transaction that begins by writing the
//! event's row: on PostgreSQL that takes the row lock, on SQLite the database's write
//! lock, so two members asking for the last seat at once are served one after the
//! other and exactly one gets it. The other lands on the waiting list, and is promoted
//! (in the order people joined it) when someone going changes their answer.

use actix_web::http::StatusCode;
use chrono::Utc;
use copse_shared::ErrorCode;
use copse_shared::discussions::NotificationKind;
use copse_shared::events::{Attendee, Occurrence, RsvpStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use super::series::notify;
use super::{EventCtx, load_event, occurrence_dtos};
use crate::entities::{event, event_occurrence, event_rsvp};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor};
use crate::services::discussions::members;
use crate::state::AppState;

fn closed(detail: &str) -> ApiError {
    ApiError::client(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::RsvpClosed, detail)
}

async fn occurrence(state: &AppState, ctx: &EventCtx, key: &str) -> ApiResult<event_occurrence::Model> {
    event_occurrence::Entity::find_by_id((ctx.event.id.clone(), key.to_owned()))
        .one(&state.db)
        .await?
        .ok_or_else(ApiError::not_found)
}

async fn going_count(db: &impl ConnectionTrait, event_id: &str, key: &str) -> ApiResult<u64> {
    Ok(event_rsvp::Entity::find()
        .filter(event_rsvp::Column::EventId.eq(event_id.to_owned()))
        .filter(event_rsvp::Column::OccurrenceKey.eq(key.to_owned()))
        .filter(event_rsvp::Column::Status.eq(RsvpStatus::Going.as_str()))
        .count(db)
        .await?)
}

/// Answers one occurrence. Asking for `going` when it is full puts the member on the
/// waiting list (the answer says `waitlisted`); leaving a seat promotes the first
/// person waiting, who is told.
pub async fn answer(state: &AppState, actor: &Actor, id: &str, key: &str, status: RsvpStatus) -> ApiResult<Occurrence> {
    let ctx = load_event(state, actor, id).await?;
    ctx.require(actor, Action::RsvpEvent)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    if status == RsvpStatus::Waitlisted {
        return Err(ApiError::field("status", "invalid", "Answer going, maybe or not_going."));
    }
    let row = occurrence(state, &ctx, key).await?;
    if ctx.event.cancelled_at.is_some() || row.cancelled {
        return Err(ApiError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::EventCancelled,
            "This event is cancelled; it takes no answers.",
        ));
    }
    let now = Utc::now();
    if row.starts_at <= now {
        return Err(closed("This occurrence has started; answers are closed."));
    }
    if ctx.event.rsvp_deadline.is_some_and(|deadline| deadline <= now) {
        return Err(closed("The deadline for answers has passed."));
    }
    let txn = crate::db::begin(&state.db).await?;
    // The first statement writes the event's row: it serialises every answer to this
    // event (see the module comment) before anything is counted.
    event::Entity::update_many()
        .col_expr(event::Column::Capacity, Expr::col(event::Column::Capacity))
        .filter(event::Column::Id.eq(ctx.event.id.clone()))
        .exec(&txn)
        .await?;
    // Read again under the lock: a cancellation, deletion or edit that committed while
    // this answer waited must win over it.
    let current = event::Entity::find_by_id(ctx.event.id.clone()).one(&txn).await?.ok_or_else(ApiError::not_found)?;
    if current.deleted_at.is_some() {
        return Err(ApiError::not_found());
    }
    let row = event_occurrence::Entity::find_by_id((ctx.event.id.clone(), key.to_owned()))
        .one(&txn)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if current.cancelled_at.is_some() || row.cancelled {
        return Err(ApiError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::EventCancelled,
            "This event is cancelled; it takes no answers.",
        ));
    }
    let capacity = current.capacity;
    if status == RsvpStatus::Going {
        // Seats freed without a promotion (an account deleted with its answers) go to
        // the people already waiting before anyone new.
        promote(&txn, &current, key, row.starts_at, capacity).await?;
    }
    let previous =
        event_rsvp::Entity::find_by_id((ctx.event.id.clone(), key.to_owned(), me.id.clone())).one(&txn).await?;
    let previous_status = previous.as_ref().and_then(|p| RsvpStatus::parse(&p.status));
    let new_status = match status {
        RsvpStatus::Going if matches!(previous_status, Some(RsvpStatus::Going | RsvpStatus::Waitlisted)) => {
            previous_status.unwrap_or(RsvpStatus::Going)
        }
        RsvpStatus::Going => match capacity {
            Some(seats) if going_count(&txn, &ctx.event.id, key).await? >= seats.max(0) as u64 => {
                RsvpStatus::Waitlisted
            }
            _ => RsvpStatus::Going,
        },
        other => other,
    };
    // The waiting list's order is the time one joined it; other answers keep no order.
    let answered_at = match (&previous, previous_status) {
        (Some(p), Some(s)) if s == new_status => p.answered_at,
        _ => now,
    };
    let model = event_rsvp::ActiveModel {
        event_id: Set(ctx.event.id.clone()),
        occurrence_key: Set(key.to_owned()),
        user_id: Set(me.id.clone()),
        status: Set(new_status.as_str().to_owned()),
        answered_at: Set(answered_at),
    };
    if previous.is_some() {
        model.update(&txn).await?;
    } else {
        model.insert(&txn).await?;
    }
    if previous_status == Some(RsvpStatus::Going) && new_status != RsvpStatus::Going {
        promote(&txn, &ctx.event, key, row.starts_at, capacity).await?;
    }
    txn.commit().await?;
    occurrence_dtos(state, actor, vec![row]).await?.pop().ok_or_else(ApiError::not_found)
}

/// A member who leaves a private group, or is removed from it, can no longer see its
/// events: their answers to occurrences that have not ended are withdrawn, and the
/// seats they held go to the people waiting. Answers to past occurrences stay, as the
/// record of who took part. Runs in the caller's transaction, with the membership's
/// deletion.
pub async fn withdraw_from_group(db: &impl ConnectionTrait, group_id: &str, user_id: &str) -> ApiResult<()> {
    let events = event::Entity::find()
        .filter(event::Column::GroupId.eq(group_id.to_owned()))
        .filter(event::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    if events.is_empty() {
        return Ok(());
    }
    let answers = event_rsvp::Entity::find()
        .filter(event_rsvp::Column::UserId.eq(user_id.to_owned()))
        .filter(event_rsvp::Column::EventId.is_in(events.iter().map(|e| e.id.clone())))
        .all(db)
        .await?;
    if answers.is_empty() {
        return Ok(());
    }
    // The occurrences not yet ended of the events answered, in one query.
    let coming: std::collections::HashMap<(String, String), event_occurrence::Model> = event_occurrence::Entity::find()
        .filter(event_occurrence::Column::EventId.is_in(answers.iter().map(|a| a.event_id.clone())))
        .filter(event_occurrence::Column::EndsAt.gt(Utc::now()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| ((o.event_id.clone(), o.key.clone()), o))
        .collect();
    for answer in answers {
        let Some(event) = events.iter().find(|e| e.id == answer.event_id) else { continue };
        let key = answer.occurrence_key.clone();
        let Some(row) = coming.get(&(event.id.clone(), key.clone())) else { continue };
        let held_a_seat = answer.status == RsvpStatus::Going.as_str();
        event_rsvp::Entity::delete_by_id((answer.event_id, answer.occurrence_key, answer.user_id)).exec(db).await?;
        if held_a_seat && !row.cancelled && event.cancelled_at.is_none() {
            promote(db, event, &key, row.starts_at, event.capacity).await?;
        }
    }
    Ok(())
}

/// Fills free seats from the waiting list, first come first served, telling each
/// person promoted (after someone leaves, or when the organiser adds seats).
pub(super) async fn promote(
    db: &impl ConnectionTrait,
    event: &event::Model,
    key: &str,
    starts_at: chrono::DateTime<Utc>,
    capacity: Option<i32>,
) -> ApiResult<()> {
    let going = going_count(db, &event.id, key).await?;
    let free = match capacity {
        Some(seats) => (seats.max(0) as u64).saturating_sub(going),
        None => u64::MAX,
    };
    if free == 0 {
        return Ok(());
    }
    let waiting = event_rsvp::Entity::find()
        .filter(event_rsvp::Column::EventId.eq(event.id.clone()))
        .filter(event_rsvp::Column::OccurrenceKey.eq(key.to_owned()))
        .filter(event_rsvp::Column::Status.eq(RsvpStatus::Waitlisted.as_str()))
        .order_by_asc(event_rsvp::Column::AnsweredAt)
        .order_by_asc(event_rsvp::Column::UserId)
        .all(db)
        .await?;
    let mut promoted = Vec::new();
    for person in waiting.into_iter().take(usize::try_from(free).unwrap_or(usize::MAX)) {
        let mut row: event_rsvp::ActiveModel = person.clone().into();
        row.status = Set(RsvpStatus::Going.as_str().to_owned());
        row.answered_at = Set(Utc::now());
        row.update(db).await?;
        promoted.push(person.user_id);
    }
    notify(db, promoted, NotificationKind::EventPromoted, event, key, starts_at, None).await
}

/// The answers to one occurrence, for organisers and moderators, and for readers when
/// the organiser made the list public. Going first, then waiting (in order), maybe and
/// not going.
pub async fn attendees(state: &AppState, actor: &Actor, id: &str, key: &str) -> ApiResult<Vec<Attendee>> {
    let ctx = load_event(state, actor, id).await?;
    let allowed =
        ctx.can(actor, Action::EditEvent) || (ctx.event.attendees_public && ctx.can(actor, Action::RsvpEvent));
    if !allowed {
        ctx.require(actor, Action::EditEvent)?;
    }
    occurrence(state, &ctx, key).await?;
    let rows = event_rsvp::Entity::find()
        .filter(event_rsvp::Column::EventId.eq(ctx.event.id.clone()))
        .filter(event_rsvp::Column::OccurrenceKey.eq(key.to_owned()))
        .order_by_asc(event_rsvp::Column::AnsweredAt)
        .all(&state.db)
        .await?;
    let people = members(state, rows.iter().map(|r| r.user_id.clone()).collect()).await?;
    let rank = |s: RsvpStatus| match s {
        RsvpStatus::Going => 0,
        RsvpStatus::Waitlisted => 1,
        RsvpStatus::Maybe => 2,
        RsvpStatus::NotGoing => 3,
    };
    let mut out: Vec<Attendee> = rows
        .into_iter()
        .filter_map(|r| {
            Some(Attendee {
                member: people.get(&r.user_id)?.clone(),
                status: RsvpStatus::parse(&r.status)?,
                answered_at: r.answered_at,
            })
        })
        .collect();
    out.sort_by_key(|a| (rank(a.status), a.answered_at));
    Ok(out)
}

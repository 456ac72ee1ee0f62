//! Creating, editing, cancelling and deleting events, and moving or cancelling single
//! occurrences. Occurrences are materialised on every write of the series: rows whose
//! key (the planned local date) survives an edit keep their answers, and keep their own
//! times when they were moved on purpose.

use std::collections::{BTreeSet, HashMap};

use actix_web::http::StatusCode;
use chrono::{DateTime, Days, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use copse_shared::ErrorCode;
use copse_shared::discussions::NotificationKind;
use copse_shared::events::{CreateEventRequest, Event, EventFields, EventFormat, RsvpStatus, UpdateOccurrenceRequest};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::recurrence::Rule;
use super::{EventCtx, LOCAL_FORMAT, detail, get, load_event, occurrences_of, parse_zone, to_local, to_utc, zone_of};
use crate::entities::{event, event_occurrence, event_organiser, event_rsvp, event_tag, group, notification, user};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::audit::{self, Event as AuditEvent};
use crate::services::library::items::valid_url;
use crate::services::{community, discussions, markdown, validate};
use crate::state::AppState;

/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 20_000;
/// The key of a one-off event's only occurrence.
pub const SINGLE: &str = "single";
/// Reminders when the organiser gives none: a day and an hour before.
pub const DEFAULT_REMINDERS: [i32; 2] = [1440, 60];
/// Longest event (one occurrence), in days.
pub(crate) const MAX_DAYS: i64 = 31;

/// One occurrence as the rule plans it.
struct Planned {
    key: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

/// Fields checked and normalised, with the planned occurrences.
struct Checked {
    title: String,
    description: String,
    format: EventFormat,
    zone: Tz,
    all_day: bool,
    local_start: NaiveDateTime,
    local_end: NaiveDateTime,
    recurrence: Option<String>,
    venue: Option<String>,
    online_url: Option<String>,
    capacity: Option<i32>,
    tags: Vec<String>,
    reminders: Vec<i32>,
    organisers: Vec<String>,
    planned: Vec<Planned>,
}

/// The instants of an occurrence starting at a local time, lasting like the first one.
fn instants(
    zone: Tz,
    all_day: bool,
    start: NaiveDateTime,
    length_days: u64,
    length: chrono::Duration,
) -> (DateTime<Utc>, DateTime<Utc>) {
    if all_day {
        let midnight = start.date().and_time(NaiveTime::MIN);
        let end = midnight.checked_add_days(Days::new(length_days + 1)).unwrap_or(midnight);
        (to_utc(zone, midnight), to_utc(zone, end))
    } else {
        // The end keeps its local wall-clock distance from the start, so a 14:00-15:30
        // meeting stays 14:00-15:30 on either side of a daylight-saving change.
        (to_utc(zone, start), to_utc(zone, start + length))
    }
}

async fn check(
    db: &impl ConnectionTrait,
    fields: &EventFields,
    errors: &mut validate::Errors,
) -> ApiResult<Option<Checked>> {
    let title = validate::text(errors, "title", &fields.title, 3, discussions::MAX_TITLE);
    let description = validate::text(errors, "description", &fields.description, 0, MAX_DESCRIPTION);
    let tags = discussions::normalise_tags(errors, &fields.tags);
    let zone = parse_zone(&fields.time_zone);
    if zone.is_none() {
        errors.add("time_zone", "unknown_time_zone", "Use an IANA time zone such as Europe/Paris or Africa/Nairobi.");
    }
    let (local_start, local_end) = if fields.all_day {
        (fields.starts_at.date().and_time(NaiveTime::MIN), fields.ends_at.date().and_time(NaiveTime::MIN))
    } else {
        (fields.starts_at, fields.ends_at)
    };
    // Far-off years are mistakes, and would overflow date arithmetic further on.
    let sane = |t: &NaiveDateTime| (1970..=2200).contains(&chrono::Datelike::year(t));
    if !sane(&local_start) || !sane(&local_end) {
        errors.add("starts_at", "out_of_range", "Use dates between 1970 and 2200.");
        return Ok(None);
    }
    let order_ok = if fields.all_day { local_end >= local_start } else { local_end > local_start };
    if !order_ok {
        errors.add("ends_at", "end_before_start", "The event must end after it starts.");
    } else if local_end - local_start > chrono::Duration::days(MAX_DAYS) {
        errors.add(
            "ends_at",
            "too_long",
            format!("One occurrence lasts at most {MAX_DAYS} days; use a recurrence for series."),
        );
    }
    let text = |value: &Option<String>| value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let venue = text(&fields.venue);
    if venue.as_ref().is_some_and(|v| v.chars().count() > 300 || v.chars().any(char::is_control)) {
        errors.add("venue", "too_long", "Describe the venue in at most 300 characters.");
    }
    let online_url = text(&fields.online_url);
    if online_url.as_deref().is_some_and(|u| !valid_url(u)) {
        errors.add("online_url", "invalid_url", "Use an http or https address.");
    }
    if matches!(fields.format, EventFormat::InPerson | EventFormat::Hybrid) && venue.is_none() {
        errors.add("venue", "required", "Say where it happens.");
    }
    if matches!(fields.format, EventFormat::Online | EventFormat::Hybrid) && online_url.is_none() {
        errors.add("online_url", "required", "Give the address to join online.");
    }
    if fields.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
        errors.add("capacity", "out_of_range", "Seats go from 1 to 100 000; leave it empty for no limit.");
    }
    let reminders = fields.reminders.clone().unwrap_or_else(|| DEFAULT_REMINDERS.to_vec());
    if reminders.len() > 3 || reminders.iter().any(|m| !(1..=43_200).contains(m)) {
        errors.add("reminders", "invalid", "Up to 3 reminders, each 1 minute to 30 days before.");
    }
    let reminders: Vec<i32> = reminders.into_iter().collect::<BTreeSet<_>>().into_iter().rev().collect();
    let recurrence = text(&fields.recurrence);
    if recurrence.is_some() && fields.rsvp_deadline.is_some() {
        errors.add("rsvp_deadline", "not_for_series", "Each occurrence of a series closes when it starts.");
    }
    let organisers: Vec<String> = fields
        .organisers
        .iter()
        .map(|o| o.trim().to_owned())
        .filter(|o| !o.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if organisers.len() > 10 {
        errors.add("organisers", "too_many", "An event has at most 10 co-organisers.");
    } else if !organisers.is_empty() {
        let found = user::Entity::find().filter(user::Column::Id.is_in(organisers.clone())).all(db).await?;
        if found.len() != organisers.len()
            || found.iter().any(|u| u.status() != copse_shared::auth::AccountStatus::Active)
        {
            errors.add("organisers", "unknown", "Every co-organiser must be an active member.");
        }
    }
    let Some(zone) = zone else { return Ok(None) };
    if !order_ok {
        return Ok(None);
    }
    let length = local_end - local_start;
    let length_days = (local_end.date() - local_start.date()).num_days().max(0) as u64;
    let planned = match &recurrence {
        None => {
            let (starts_at, ends_at) = instants(zone, fields.all_day, local_start, length_days, length);
            vec![Planned { key: SINGLE.to_owned(), starts_at, ends_at }]
        }
        Some(rule) => {
            let to_local_date =
                |utc: NaiveDateTime| to_local(zone, DateTime::from_naive_utc_and_offset(utc, Utc)).date();
            match Rule::parse(rule, &to_local_date).and_then(|r| r.expand(local_start)) {
                Ok(starts) => starts
                    .into_iter()
                    .map(|start| {
                        let (starts_at, ends_at) = instants(zone, fields.all_day, start, length_days, length);
                        Planned { key: start.format("%Y%m%d").to_string(), starts_at, ends_at }
                    })
                    .collect(),
                Err(error) => {
                    errors.add("recurrence", error.code, error.message);
                    return Ok(None);
                }
            }
        }
    };
    if let (Some(deadline), Some(first)) = (fields.rsvp_deadline, planned.first())
        && deadline > first.starts_at
    {
        errors.add("rsvp_deadline", "after_start", "Answers must close before the event starts.");
    }
    Ok(Some(Checked {
        title,
        description,
        format: fields.format,
        zone,
        all_day: fields.all_day,
        local_start,
        local_end,
        recurrence,
        venue,
        online_url,
        capacity: fields.capacity,
        tags,
        reminders,
        organisers,
        planned,
    }))
}

async fn replace_tags(db: &impl ConnectionTrait, event_id: &str, tags: &[String]) -> ApiResult<()> {
    event_tag::Entity::delete_many().filter(event_tag::Column::EventId.eq(event_id.to_owned())).exec(db).await?;
    if !tags.is_empty() {
        let rows =
            tags.iter().map(|tag| event_tag::ActiveModel { event_id: Set(event_id.to_owned()), tag: Set(tag.clone()) });
        event_tag::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

async fn replace_organisers(
    db: &impl ConnectionTrait,
    event_id: &str,
    creator: Option<&str>,
    others: &[String],
) -> ApiResult<()> {
    event_organiser::Entity::delete_many()
        .filter(event_organiser::Column::EventId.eq(event_id.to_owned()))
        .exec(db)
        .await?;
    let ids: Vec<&str> =
        creator.into_iter().chain(others.iter().map(String::as_str).filter(|o| Some(*o) != creator)).collect();
    let rows = ids.iter().enumerate().map(|(position, id)| event_organiser::ActiveModel {
        event_id: Set(event_id.to_owned()),
        user_id: Set((*id).to_owned()),
        position: Set(position as i32),
    });
    if !ids.is_empty() {
        event_organiser::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Sends one kind of event notification to members.
pub async fn notify(
    db: &impl ConnectionTrait,
    recipients: impl IntoIterator<Item = String>,
    kind: NotificationKind,
    event: &event::Model,
    key: &str,
    starts_at: DateTime<Utc>,
    actor: Option<&str>,
) -> ApiResult<()> {
    let now = Utc::now();
    let rows: Vec<notification::ActiveModel> = recipients
        .into_iter()
        .filter(|r| Some(r.as_str()) != actor)
        .map(|recipient| notification::ActiveModel {
            id: Set(Uuid::new_v4().to_string()),
            user_id: Set(recipient),
            kind: Set(kind.as_str().to_owned()),
            topic_id: Set(event.id.clone()),
            topic_title: Set(event.title.clone()),
            post_id: Set(Some(key.to_owned())),
            actor_id: Set(actor.map(str::to_owned)),
            created_at: Set(now),
            read_at: Set(None),
            message: Set(Some(starts_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))),
        })
        .collect();
    if !rows.is_empty() {
        notification::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Who answered (going, maybe or waiting) an event, per occurrence.
async fn answered(db: &impl ConnectionTrait, event_id: &str) -> ApiResult<HashMap<String, Vec<String>>> {
    let rows = event_rsvp::Entity::find()
        .filter(event_rsvp::Column::EventId.eq(event_id.to_owned()))
        .filter(event_rsvp::Column::Status.ne(RsvpStatus::NotGoing.as_str()))
        .all(db)
        .await?;
    let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        by_key.entry(row.occurrence_key).or_default().push(row.user_id);
    }
    Ok(by_key)
}

/// Resolves the group of a new event, reporting a group the actor cannot see like a
/// missing one.
async fn scope_group(
    state: &AppState,
    actor: &Actor,
    key: Option<&str>,
    public_read: bool,
    errors: &mut validate::Errors,
) -> ApiResult<Option<(group::Model, policy::GroupFacts)>> {
    let Some(key) = key.map(str::trim).filter(|g| !g.is_empty()) else { return Ok(None) };
    let by_key = Condition::any().add(group::Column::Id.eq(key)).add(group::Column::Slug.eq(key));
    let found = group::Entity::find().filter(by_key).one(&state.db).await?;
    if let Some(g) = found {
        let facts = discussions::group_facts(&state.db, actor, &g, public_read).await?;
        if policy::can(actor, Action::ReadGroup, &Resource::Group(&facts)) {
            return Ok(Some((g, facts)));
        }
    }
    errors.add("group", "unknown", "No such group.");
    Ok(None)
}

/// Creates an event (any member in the community; members of a group in it).
pub async fn create(state: &AppState, actor: &Actor, request: CreateEventRequest) -> ApiResult<Event> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let public_read = community::current(state).await?.public_read;
    let mut errors = validate::Errors::default();
    let group = scope_group(state, actor, request.group.as_deref(), public_read, &mut errors).await?;
    let checked = check(&state.db, &request.event, &mut errors).await?;
    errors.finish()?;
    let Some(checked) = checked else { return Err(ApiError::internal(anyhow::anyhow!("event checks incomplete"))) };
    policy::require(actor, Action::CreateEvent, &Resource::Scope(group.as_ref().map(|(_, f)| f), public_read))?;
    if group.as_ref().is_some_and(|(g, _)| g.archived_at.is_some()) {
        return Err(ApiError::client(StatusCode::CONFLICT, ErrorCode::Conflict, "This group is archived."));
    }
    let id = Uuid::new_v4().to_string();
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let model = event::ActiveModel {
        id: Set(id.clone()),
        group_id: Set(group.as_ref().map(|(g, _)| g.id.clone())),
        creator_id: Set(Some(me.id.clone())),
        created_at: Set(now),
        deleted_at: Set(None),
        cancelled_at: Set(None),
        sequence: Set(0),
        ..fields_model(&checked, &request.event, now)
    };
    model.insert(&txn).await?;
    replace_tags(&txn, &id, &checked.tags).await?;
    replace_organisers(&txn, &id, Some(&me.id), &checked.organisers).await?;
    let rows = checked.planned.iter().map(|p| event_occurrence::ActiveModel {
        event_id: Set(id.clone()),
        key: Set(p.key.clone()),
        starts_at: Set(p.starts_at),
        ends_at: Set(p.ends_at),
        cancelled: Set(false),
        moved: Set(false),
    });
    event_occurrence::Entity::insert_many(rows).exec(&txn).await?;
    txn.commit().await?;
    Ok(get(state, actor, &id).await?.0)
}

/// The columns every write of the details sets.
fn fields_model(checked: &Checked, fields: &EventFields, now: DateTime<Utc>) -> event::ActiveModel {
    let first = checked.planned.first().map(|p| (p.starts_at, p.ends_at)).unwrap_or((now, now));
    let series_end = checked.planned.iter().map(|p| p.ends_at).max().unwrap_or(first.1);
    event::ActiveModel {
        title: Set(checked.title.clone()),
        description_html: Set(markdown::render(&checked.description)),
        description: Set(checked.description.clone()),
        format: Set(checked.format.as_str().to_owned()),
        time_zone: Set(checked.zone.name().to_owned()),
        all_day: Set(checked.all_day),
        local_start: Set(checked.local_start.format(LOCAL_FORMAT).to_string()),
        local_end: Set(checked.local_end.format(LOCAL_FORMAT).to_string()),
        starts_at: Set(first.0),
        ends_at: Set(first.1),
        recurrence: Set(checked.recurrence.clone()),
        venue: Set(checked.venue.clone()),
        online_url: Set(checked.online_url.clone()),
        link_for_going_only: Set(fields.link_for_going_only),
        capacity: Set(checked.capacity),
        rsvp_deadline: Set(fields.rsvp_deadline),
        attendees_public: Set(fields.attendees_public),
        reminders: Set(checked.reminders.iter().map(i32::to_string).collect::<Vec<_>>().join(",")),
        series_end: Set(series_end),
        updated_at: Set(now),
        ..Default::default()
    }
}

fn precondition_failed() -> ApiError {
    ApiError::client(
        StatusCode::PRECONDITION_FAILED,
        ErrorCode::PreconditionFailed,
        "The event changed since you loaded it; reload and apply your change again.",
    )
}

/// Bumps the sequence and the update time, checking that nobody wrote in between
/// (optimistic locking: of two editors holding the same state, the second gets 412).
async fn bump(db: &impl ConnectionTrait, event: &event::Model) -> ApiResult<()> {
    let updated = event::Entity::update_many()
        .col_expr(event::Column::Sequence, Expr::value(event.sequence + 1))
        .col_expr(event::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(event::Column::Id.eq(event.id.clone()))
        .filter(event::Column::Sequence.eq(event.sequence))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(precondition_failed());
    }
    Ok(())
}

/// Replaces an event's details (organisers or moderators), with `If-Match`.
/// Occurrences still planned keep their answers (and their own times when moved);
/// those no longer planned go, and the people who answered them are told.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    if_match: Option<&str>,
    fields: EventFields,
) -> ApiResult<(Event, String)> {
    let ctx = load_event(state, actor, id).await?;
    ctx.require(actor, Action::EditEvent)?;
    let mut errors = validate::Errors::default();
    let checked = check(&state.db, &fields, &mut errors).await?;
    errors.finish()?;
    let Some(checked) = checked else { return Err(ApiError::internal(anyhow::anyhow!("event checks incomplete"))) };
    if let Some(header) = if_match
        && !community::if_match_accepts(header, &super::etag(&ctx.event))
    {
        return Err(precondition_failed());
    }
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let existing: HashMap<String, event_occurrence::Model> =
        occurrences_of(&state.db, &ctx.event.id).await?.into_iter().map(|o| (o.key.clone(), o)).collect();
    let who = answered(&state.db, &ctx.event.id).await?;
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    bump(&txn, &ctx.event).await?;
    let mut model = fields_model(&checked, &fields, now);
    model.id = sea_orm::ActiveValue::Unchanged(ctx.event.id.clone());
    model.update(&txn).await?;
    replace_tags(&txn, &ctx.event.id, &checked.tags).await?;
    let creator = ctx.organisers.first().map(String::as_str);
    replace_organisers(&txn, &ctx.event.id, creator, &checked.organisers).await?;
    let planned: HashMap<&str, &Planned> = checked.planned.iter().map(|p| (p.key.as_str(), p)).collect();
    let gone: Vec<String> = existing.keys().filter(|k| !planned.contains_key(k.as_str())).cloned().collect();
    if !gone.is_empty() {
        let in_gone = Condition::all()
            .add(event_occurrence::Column::EventId.eq(ctx.event.id.clone()))
            .add(event_occurrence::Column::Key.is_in(gone.clone()));
        event_occurrence::Entity::delete_many().filter(in_gone).exec(&txn).await?;
        event_rsvp::Entity::delete_many()
            .filter(event_rsvp::Column::EventId.eq(ctx.event.id.clone()))
            .filter(event_rsvp::Column::OccurrenceKey.is_in(gone.clone()))
            .exec(&txn)
            .await?;
    }
    let updated = event::Entity::find_by_id(ctx.event.id.clone()).one(&txn).await?.ok_or_else(ApiError::not_found)?;
    for plan in &checked.planned {
        match existing.get(&plan.key) {
            // Moved on purpose: it keeps its own times.
            Some(old) if old.moved => {}
            Some(old) => {
                if old.starts_at != plan.starts_at || old.ends_at != plan.ends_at {
                    let mut row: event_occurrence::ActiveModel = old.clone().into();
                    row.starts_at = Set(plan.starts_at);
                    row.ends_at = Set(plan.ends_at);
                    row.update(&txn).await?;
                    let people = who.get(&plan.key).cloned().unwrap_or_default();
                    notify(
                        &txn,
                        people,
                        NotificationKind::EventChanged,
                        &updated,
                        &plan.key,
                        plan.starts_at,
                        Some(&me.id),
                    )
                    .await?;
                }
            }
            None => {
                event_occurrence::ActiveModel {
                    event_id: Set(ctx.event.id.clone()),
                    key: Set(plan.key.clone()),
                    starts_at: Set(plan.starts_at),
                    ends_at: Set(plan.ends_at),
                    cancelled: Set(false),
                    moved: Set(false),
                }
                .insert(&txn)
                .await?;
            }
        }
    }
    // More seats (or no limit any more): the waiting lists of occurrences still to
    // come move up. An occurrence that has ended keeps its record as it was: nobody is
    // told of a seat at something that is over.
    let more_seats = match (ctx.event.capacity, checked.capacity) {
        (Some(before), Some(after)) => after > before,
        (Some(_), None) => true,
        _ => false,
    };
    if more_seats {
        let now = Utc::now();
        for plan in &checked.planned {
            let Some(old) = existing.get(&plan.key) else { continue };
            let ends_at = if old.moved { old.ends_at } else { plan.ends_at };
            if ends_at > now {
                super::rsvp::promote(&txn, &updated, &plan.key, plan.starts_at, checked.capacity).await?;
            }
        }
    }
    for key in &gone {
        if let Some(old) = existing.get(key) {
            let people = who.get(key).cloned().unwrap_or_default();
            notify(&txn, people, NotificationKind::EventCancelled, &updated, key, old.starts_at, Some(&me.id)).await?;
        }
    }
    txn.commit().await?;
    get(state, actor, id).await
}

/// Cancels a whole event: it stays visible, marked; people who answered are told.
pub async fn cancel(state: &AppState, actor: &Actor, id: &str) -> ApiResult<(Event, String)> {
    let ctx = load_event(state, actor, id).await?;
    ctx.require(actor, Action::EditEvent)?;
    if ctx.event.cancelled_at.is_some() {
        return get(state, actor, id).await;
    }
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let who = answered(&state.db, &ctx.event.id).await?;
    let occurrences = occurrences_of(&state.db, &ctx.event.id).await?;
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    bump(&txn, &ctx.event).await?;
    event::Entity::update_many()
        .col_expr(event::Column::CancelledAt, Expr::value(now))
        .filter(event::Column::Id.eq(ctx.event.id.clone()))
        .exec(&txn)
        .await?;
    for occurrence in occurrences.iter().filter(|o| o.ends_at > now && !o.cancelled) {
        let people = who.get(&occurrence.key).cloned().unwrap_or_default();
        notify(
            &txn,
            people,
            NotificationKind::EventCancelled,
            &ctx.event,
            &occurrence.key,
            occurrence.starts_at,
            Some(&me.id),
        )
        .await?;
    }
    audit_if_moderator(&txn, me, &ctx, "event.cancel").await?;
    txn.commit().await?;
    get(state, actor, id).await
}

async fn audit_if_moderator(
    db: &impl ConnectionTrait,
    me: &user::Model,
    ctx: &EventCtx,
    action: &'static str,
) -> ApiResult<()> {
    if ctx.facts.is_author {
        return Ok(());
    }
    let event = AuditEvent {
        action,
        target_type: "event",
        target_id: &ctx.event.id,
        target_label: &ctx.event.title,
        details: json!({}),
    };
    audit::record(db, me, event).await
}

/// Deletes an event (a mistake; cancelling keeps it visible instead). The row stays as
/// a tombstone so feeds and links answer 404 rather than something else.
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> ApiResult<()> {
    let ctx = load_event(state, actor, id).await?;
    ctx.require(actor, Action::EditEvent)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    event::Entity::update_many()
        .col_expr(event::Column::DeletedAt, Expr::value(now))
        .col_expr(event::Column::UpdatedAt, Expr::value(now))
        .col_expr(event::Column::Sequence, Expr::value(ctx.event.sequence + 1))
        .filter(event::Column::Id.eq(ctx.event.id.clone()))
        .exec(&txn)
        .await?;
    audit_if_moderator(&txn, me, &ctx, "event.delete").await?;
    txn.commit().await?;
    Ok(())
}

/// Moves, cancels or restores one occurrence; the people who answered it are told.
pub async fn update_occurrence(
    state: &AppState,
    actor: &Actor,
    id: &str,
    key: &str,
    request: UpdateOccurrenceRequest,
) -> ApiResult<(Event, String)> {
    let ctx = load_event(state, actor, id).await?;
    ctx.require(actor, Action::EditEvent)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let occurrence = event_occurrence::Entity::find_by_id((ctx.event.id.clone(), key.to_owned()))
        .one(&state.db)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let zone = zone_of(&ctx.event);
    if ![request.starts_at, request.ends_at].iter().all(|t| (1970..=2200).contains(&chrono::Datelike::year(t))) {
        return Err(ApiError::field("starts_at", "out_of_range", "Use dates between 1970 and 2200."));
    }
    let (starts_at, ends_at) = if ctx.event.all_day {
        let end = request.ends_at.date().checked_add_days(Days::new(1)).unwrap_or(request.ends_at.date());
        (to_utc(zone, request.starts_at.date().and_time(NaiveTime::MIN)), to_utc(zone, end.and_time(NaiveTime::MIN)))
    } else {
        (to_utc(zone, request.starts_at), to_utc(zone, request.ends_at))
    };
    if ends_at <= starts_at {
        return Err(ApiError::field("ends_at", "end_before_start", "The occurrence must end after it starts."));
    }
    if ends_at - starts_at > chrono::Duration::days(MAX_DAYS) {
        return Err(ApiError::field("ends_at", "too_long", format!("One occurrence lasts at most {MAX_DAYS} days.")));
    }
    let moved = starts_at != occurrence.starts_at || ends_at != occurrence.ends_at;
    let who = answered(&state.db, &ctx.event.id).await?.remove(key).unwrap_or_default();
    let txn = crate::db::begin(&state.db).await?;
    bump(&txn, &ctx.event).await?;
    let mut row: event_occurrence::ActiveModel = occurrence.clone().into();
    row.starts_at = Set(starts_at);
    row.ends_at = Set(ends_at);
    row.cancelled = Set(request.cancelled);
    row.moved = Set(occurrence.moved || moved);
    row.update(&txn).await?;
    let series_end = event_occurrence::Entity::find()
        .filter(event_occurrence::Column::EventId.eq(ctx.event.id.clone()))
        .all(&txn)
        .await?
        .iter()
        .map(|o| o.ends_at)
        .max()
        .unwrap_or(ends_at);
    event::Entity::update_many()
        .col_expr(event::Column::SeriesEnd, Expr::value(series_end))
        .filter(event::Column::Id.eq(ctx.event.id.clone()))
        .exec(&txn)
        .await?;
    let kind = if request.cancelled && !occurrence.cancelled {
        Some(NotificationKind::EventCancelled)
    } else if moved || (occurrence.cancelled && !request.cancelled) {
        Some(NotificationKind::EventChanged)
    } else {
        None
    };
    if let Some(kind) = kind {
        notify(&txn, who, kind, &ctx.event, key, starts_at, Some(&me.id)).await?;
    }
    txn.commit().await?;
    let ctx = load_event(state, actor, id).await?;
    detail(state, actor, &ctx).await
}

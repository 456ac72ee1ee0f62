//! iCalendar (RFC 5545): a file per event and subscribable feeds (the community, a
//! group, "my events"), and the personal feed tokens that let calendar apps, which
//! cannot send headers, read private events.
//!
//! Each occurrence is written as its own VEVENT with UTC times and a UID that never
//! changes (`{event}-{key}@copse`): calendar apps then show exactly the occurrences the
//! API lists, moved and cancelled ones included, with no VTIMEZONE or RRULE to
//! interpret differently. `SEQUENCE` is the event's, bumped on every change, and a
//! cancellation is `STATUS:CANCELLED`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use actix_web::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use copse_shared::ErrorCode;
use copse_shared::events::{FeedToken, FeedTokenStatus, RsvpStatus};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::{EventFilter, load_event, occurrences_of, sees_online_url, visible_event_ids};
use crate::auth::secret::{random_token, token_hash};
use crate::entities::{event, event_occurrence, event_organiser, event_rsvp, feed_token, user};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Actor};
use crate::state::AppState;

/// The prefix of feed tokens, so a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "copsefeed_";
/// How far back and ahead feeds reach.
const FEED_PAST_DAYS: i64 = 90;
const FEED_FUTURE_DAYS: i64 = 400;
/// The most occurrences one feed carries.
const FEED_MAX: u64 = 2000;

/// Escapes a TEXT value (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (never inside a UTF-8 character),
/// ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// One event to write, with what the reader may see of it.
struct Entry<'a> {
    event: &'a event::Model,
    occurrences: Vec<&'a event_occurrence::Model>,
    online_url: Option<&'a str>,
}

fn write_calendar(name: &str, base_url: &str, entries: &[Entry<'_>]) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Copse//Events//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    let stamp = utc(Utc::now());
    for entry in entries {
        let e = entry.event;
        let page = format!("{base_url}/events/{}", e.id);
        for o in &entry.occurrences {
            line(&mut out, "BEGIN:VEVENT");
            line(&mut out, &format!("UID:{}-{}@copse", e.id, o.key));
            line(&mut out, &format!("DTSTAMP:{stamp}"));
            if e.all_day {
                // All-day events are dates in the organiser's zone.
                let zone = super::zone_of(e);
                let start = super::to_local(zone, o.starts_at).date();
                let end = super::to_local(zone, o.ends_at).date();
                line(&mut out, &format!("DTSTART;VALUE=DATE:{}", start.format("%Y%m%d")));
                line(&mut out, &format!("DTEND;VALUE=DATE:{}", end.format("%Y%m%d")));
            } else {
                line(&mut out, &format!("DTSTART:{}", utc(o.starts_at)));
                line(&mut out, &format!("DTEND:{}", utc(o.ends_at)));
            }
            line(&mut out, &format!("SEQUENCE:{}", e.sequence));
            line(&mut out, &format!("SUMMARY:{}", escape(&e.title)));
            let mut description = e.description.clone();
            if let Some(url) = entry.online_url {
                let _ = write!(description, "\n\nJoin online: {url}");
            }
            let _ = write!(description, "\n\n{page}");
            line(&mut out, &format!("DESCRIPTION:{}", escape(description.trim())));
            match (&e.venue, entry.online_url) {
                (Some(venue), _) => line(&mut out, &format!("LOCATION:{}", escape(venue))),
                (None, Some(url)) => line(&mut out, &format!("LOCATION:{}", escape(url))),
                _ => {}
            }
            line(&mut out, &format!("URL:{page}"));
            let cancelled = o.cancelled || e.cancelled_at.is_some();
            line(&mut out, if cancelled { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
            line(&mut out, &format!("LAST-MODIFIED:{}", utc(e.updated_at)));
            line(&mut out, "END:VEVENT");
        }
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// One event's file, for the "Add to calendar" button.
pub async fn event_file(state: &AppState, actor: &Actor, id: &str, base_url: &str) -> ApiResult<(String, String)> {
    let ctx = load_event(state, actor, id).await?;
    let occurrences = occurrences_of(&state.db, &ctx.event.id).await?;
    let online_url =
        if sees_online_url(&state.db, actor, &ctx).await? { ctx.event.online_url.as_deref() } else { None };
    let entry = Entry { event: &ctx.event, occurrences: occurrences.iter().collect(), online_url };
    Ok((write_calendar(&ctx.event.title, base_url, &[entry]), ctx.event.title.clone()))
}

fn organised_ids(user_id: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(event_organiser::Column::EventId)
        .from(event_organiser::Entity)
        .and_where(event_organiser::Column::UserId.eq(user_id.to_owned()))
        .to_owned()
}

/// Which feed.
#[derive(Debug)]
pub enum Feed {
    /// Every event the reader may read (optionally of one group).
    Events(EventFilter),
    /// The reader's own: events they organise, and occurrences they answered going,
    /// maybe, or wait for.
    Mine,
}

/// The member a feed token belongs to; an unknown or revoked token (or a suspended
/// member's) is 404, like a feed that does not exist.
pub async fn feed_actor(db: &impl ConnectionTrait, token: Option<&str>) -> ApiResult<Actor> {
    let Some(token) = token.filter(|t| !t.is_empty()) else { return Ok(Actor::Anonymous) };
    let found = feed_token::Entity::find()
        .filter(feed_token::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let member = user::Entity::find_by_id(found.user_id).one(db).await?.ok_or_else(ApiError::not_found)?;
    if member.status() != copse_shared::auth::AccountStatus::Active {
        return Err(ApiError::not_found());
    }
    Ok(Actor::Member(member))
}

/// A feed for a reader: occurrences from 90 days ago to 400 days ahead.
pub async fn feed(state: &AppState, actor: &Actor, feed: Feed, name: &str, base_url: &str) -> ApiResult<String> {
    use event_occurrence::Column as C;
    let now = Utc::now();
    let window = Condition::all()
        .add(C::EndsAt.gt(now - Duration::days(FEED_PAST_DAYS)))
        .add(C::StartsAt.lt(now + Duration::days(FEED_FUTURE_DAYS)));
    let rows = match &feed {
        Feed::Events(filter) => {
            let ids = visible_event_ids(state, actor, filter).await?;
            event_occurrence::Entity::find()
                .filter(C::EventId.in_subquery(ids))
                .filter(window)
                .order_by_asc(C::StartsAt)
                .limit(FEED_MAX)
                .all(&state.db)
                .await?
        }
        Feed::Mine => {
            let me = actor.user().ok_or_else(ApiError::not_found)?;
            let ids = visible_event_ids(state, actor, &EventFilter::default()).await?;
            let answered = Query::select()
                .column(event_rsvp::Column::EventId)
                .from(event_rsvp::Entity)
                .and_where(event_rsvp::Column::UserId.eq(me.id.clone()))
                .and_where(event_rsvp::Column::Status.ne(RsvpStatus::NotGoing.as_str()))
                .to_owned();
            let answers: HashSet<(String, String)> = event_rsvp::Entity::find()
                .select_only()
                .column(event_rsvp::Column::EventId)
                .column(event_rsvp::Column::OccurrenceKey)
                .filter(event_rsvp::Column::UserId.eq(me.id.clone()))
                .filter(event_rsvp::Column::Status.ne(RsvpStatus::NotGoing.as_str()))
                .into_tuple()
                .all(&state.db)
                .await?
                .into_iter()
                .collect();
            let organised: HashSet<String> = event_organiser::Entity::find()
                .filter(event_organiser::Column::UserId.eq(me.id.clone()))
                .all(&state.db)
                .await?
                .into_iter()
                .map(|o| o.event_id)
                .collect();
            let candidates = Condition::any()
                .add(C::EventId.in_subquery(organised_ids(&me.id)))
                .add(C::EventId.in_subquery(answered));
            // Of the events answered, only the occurrences answered belong to "mine".
            event_occurrence::Entity::find()
                .filter(C::EventId.in_subquery(ids))
                .filter(candidates)
                .filter(window)
                .order_by_asc(C::StartsAt)
                .limit(FEED_MAX)
                .all(&state.db)
                .await?
                .into_iter()
                .filter(|o| organised.contains(&o.event_id) || answers.contains(&(o.event_id.clone(), o.key.clone())))
                .collect()
        }
    };
    let ids: Vec<String> = rows.iter().map(|r| r.event_id.clone()).collect();
    let events: HashMap<String, event::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        event::Entity::find()
            .filter(event::Column::Id.is_in(ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect()
    };
    let going: Vec<String> = match actor.user() {
        Some(me) => {
            event_rsvp::Entity::find()
                .select_only()
                .column(event_rsvp::Column::EventId)
                .filter(event_rsvp::Column::UserId.eq(me.id.clone()))
                .filter(event_rsvp::Column::Status.eq(RsvpStatus::Going.as_str()))
                .into_tuple()
                .all(&state.db)
                .await?
        }
        None => Vec::new(),
    };
    // A feed shows the online address unless the organiser keeps it for people going
    // and the reader is not going.
    let mut entries: Vec<Entry<'_>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        let Some(event) = events.get(&row.event_id) else { continue };
        let position = *index.entry(event.id.as_str()).or_insert_with(|| {
            let visible = !event.link_for_going_only || going.contains(&event.id);
            entries.push(Entry {
                event,
                occurrences: Vec::new(),
                online_url: event.online_url.as_deref().filter(|_| visible),
            });
            entries.len() - 1
        });
        entries[position].occurrences.push(row);
    }
    Ok(write_calendar(name, base_url, &entries))
}

/// Whether the caller has a feed token.
pub async fn token_status(state: &AppState, actor: &Actor) -> ApiResult<FeedTokenStatus> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let found = feed_token::Entity::find_by_id(me.id.clone()).one(&state.db).await?;
    Ok(FeedTokenStatus { created_at: found.map(|t| t.created_at) })
}

/// Makes a new token, replacing any previous one (whose addresses stop working).
pub async fn create_token(state: &AppState, actor: &Actor) -> ApiResult<FeedToken> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let now = Utc::now();
    feed_token::Entity::delete_by_id(me.id.clone()).exec(&state.db).await?;
    feed_token::ActiveModel { user_id: Set(me.id.clone()), token_hash: Set(token_hash(&token)), created_at: Set(now) }
        .insert(&state.db)
        .await
        .map_err(|_| {
            ApiError::client(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "A token was made at the same moment; try again.",
            )
        })?;
    Ok(FeedToken { token, created_at: now })
}

/// Revokes the caller's token (harmless when there is none).
pub async fn revoke_token(state: &AppState, actor: &Actor) -> ApiResult<()> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    feed_token::Entity::delete_by_id(me.id.clone()).exec(&state.db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_are_folded_on_character_boundaries() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        let mut out = String::new();
        let content = format!("SUMMARY:{}", "é".repeat(60));
        line(&mut out, &content);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded.trim_end(), content);
    }
}

//! Events: online, in-person and hybrid meetings of the community or a group, one-off
//! or recurring, with RSVPs, a waiting list, reminders and iCalendar feeds.
//!
//! Times: a request gives the organiser's local wall-clock times and an IANA time zone
//! (what a person means by "14:00 in Nairobi", and what keeps a recurring series at
//! 14:00 across daylight-saving changes); answers give UTC instants, which clients show
//! in the viewer's own time zone, together with the organiser's local times.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::discussions::GroupRef;
use crate::members::MemberSummary;

/// Where an event happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventFormat {
    /// On a video call or another online place (`online_url`).
    Online,
    /// At a venue (`venue`).
    InPerson,
    /// At a venue and online at once.
    Hybrid,
}

impl EventFormat {
    /// Every format, in display order.
    pub const ALL: [EventFormat; 3] = [EventFormat::Online, EventFormat::InPerson, EventFormat::Hybrid];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventFormat::Online => "online",
            EventFormat::InPerson => "in_person",
            EventFormat::Hybrid => "hybrid",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == value)
    }
}

/// A member's answer to an occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RsvpStatus {
    /// Coming (holds a seat).
    Going,
    /// Perhaps.
    Maybe,
    /// Not coming.
    NotGoing,
    /// Asked to come when the event was full: promoted to `going`, in order, when a
    /// seat frees up. Only the server sets it.
    Waitlisted,
}

impl RsvpStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RsvpStatus::Going => "going",
            RsvpStatus::Maybe => "maybe",
            RsvpStatus::NotGoing => "not_going",
            RsvpStatus::Waitlisted => "waitlisted",
        }
    }

    /// Parses a wire name.
    pub fn parse(value: &str) -> Option<Self> {
        [RsvpStatus::Going, RsvpStatus::Maybe, RsvpStatus::NotGoing, RsvpStatus::Waitlisted]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// Which occurrences a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventWhen {
    /// Not yet ended, soonest first (the default).
    #[default]
    Upcoming,
    /// Ended, most recent first.
    Past,
}

impl EventWhen {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventWhen::Upcoming => "upcoming",
            EventWhen::Past => "past",
        }
    }
}

/// The details of an event, as an organiser writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventFields {
    /// 3 to 200 characters.
    pub title: String,
    /// Markdown, up to 20 000 characters.
    #[serde(default)]
    pub description: String,
    /// Online, in person or hybrid.
    pub format: EventFormat,
    /// The organiser's IANA time zone, such as `Africa/Nairobi` or `Europe/Paris`.
    pub time_zone: String,
    /// A whole-day event: only the dates of `starts_at` and `ends_at` count, and `ends_at`
    /// is the last day (inclusive).
    #[serde(default)]
    pub all_day: bool,
    /// Local wall-clock start in `time_zone`, such as `2026-12-03T14:00:00`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12-03T14:00:00"))]
    pub starts_at: NaiveDateTime,
    /// Local wall-clock end in `time_zone`, after the start.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12-03T15:30:00"))]
    pub ends_at: NaiveDateTime,
    /// An RFC 5545 recurrence rule without the `RRULE:` prefix: `FREQ` DAILY, WEEKLY
    /// (with `BYDAY=MO,WE`) or MONTHLY (`BYMONTHDAY=15`, or `BYDAY=2TU` / `-1FR`), an
    /// optional `INTERVAL`, and `COUNT` or `UNTIL` (a series always ends; at most 366
    /// occurrences).
    #[serde(default)]
    pub recurrence: Option<String>,
    /// Where it happens; required in person and hybrid.
    #[serde(default)]
    pub venue: Option<String>,
    /// The `http`/`https` address to join; required online and hybrid.
    #[serde(default)]
    pub online_url: Option<String>,
    /// Show the online address only to people going (and organisers).
    #[serde(default)]
    pub link_for_going_only: bool,
    /// Seats; people beyond it join a waiting list. Absent: no limit.
    #[serde(default)]
    pub capacity: Option<i32>,
    /// RSVPs close at this instant (one-off events; occurrences of a series close when
    /// they start).
    #[serde(default)]
    pub rsvp_deadline: Option<DateTime<Utc>>,
    /// Members who may read the event also see who is going (organisers always do).
    #[serde(default)]
    pub attendees_public: bool,
    /// Up to 5 tags of letters, digits and hyphens.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Reminders to people going, in minutes before the start (up to 3, at most 30
    /// days); absent: one day and one hour before.
    #[serde(default)]
    pub reminders: Option<Vec<i32>>,
    /// Ids of co-organisers (members), besides the creator.
    #[serde(default)]
    pub organisers: Vec<String>,
}

/// Create an event in the community or a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateEventRequest {
    /// The group's id or slug, for a group's event.
    #[serde(default)]
    pub group: Option<String>,
    /// The details.
    #[serde(flatten)]
    pub event: EventFields,
}

/// One occurrence of an event (a one-off event has exactly one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Occurrence {
    /// The event (series) id.
    pub event_id: String,
    /// Stable id within the event: `single` for a one-off event, the planned local date
    /// (`20261203`) in a series. It stays when the occurrence is moved or the series'
    /// time of day changes, so answers and the iCalendar UID survive edits.
    pub id: String,
    /// The event's title.
    pub title: String,
    /// The group; absent for community-wide events.
    pub group: Option<GroupRef>,
    /// Online, in person or hybrid.
    pub format: EventFormat,
    /// Start instant.
    pub starts_at: DateTime<Utc>,
    /// End instant.
    pub ends_at: DateTime<Utc>,
    /// Whole-day event.
    pub all_day: bool,
    /// The organiser's time zone.
    pub time_zone: String,
    /// The venue, if any.
    pub venue: Option<String>,
    /// Lower-case tags.
    pub tags: Vec<String>,
    /// Cancelled (this occurrence or the whole event); cancelled events stay listed.
    pub cancelled: bool,
    /// Part of a recurring series.
    pub recurring: bool,
    /// People going.
    pub going: i64,
    /// People on the waiting list.
    pub waitlisted: i64,
    /// Seats, if limited.
    pub capacity: Option<i32>,
    /// The caller's answer, if any.
    pub my_rsvp: Option<RsvpStatus>,
}

/// What the caller may do with an event (the server checks again on every call).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventPermissions {
    /// Edit, cancel, delete, change occurrences, see attendees (organisers, moderators).
    pub edit: bool,
    /// Answer (signed-in readers; the server also checks deadlines and cancellations).
    pub rsvp: bool,
    /// See who is coming.
    pub see_attendees: bool,
}

/// An event with its details and every occurrence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// Opaque identifier.
    pub id: String,
    /// The group; absent for community-wide events.
    pub group: Option<GroupRef>,
    /// The details as written (local times in `time_zone`). `online_url` is absent when
    /// it is shown only to people going and the caller is not.
    pub fields: EventFields,
    /// The description rendered to sanitized HTML.
    pub description_html: String,
    /// The organisers: the creator first, then co-organisers.
    pub organisers: Vec<MemberSummary>,
    /// There is an online address the caller cannot see yet (it appears once going).
    pub online_url_hidden: bool,
    /// The whole event is cancelled (it stays visible, marked).
    pub cancelled: bool,
    /// Bumped on every change (the iCalendar `SEQUENCE`).
    pub sequence: i32,
    /// Every occurrence in time order (cancelled ones included, marked).
    pub occurrences: Vec<Occurrence>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// What the caller may do.
    pub permissions: EventPermissions,
    /// Where a partner synced it from (absent for events made here).
    #[serde(default)]
    pub provenance: Option<crate::partners::Provenance>,
}

/// Move or cancel one occurrence of a series (or restore it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateOccurrenceRequest {
    /// New local start in the event's time zone.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12-03T15:00:00"))]
    pub starts_at: NaiveDateTime,
    /// New local end.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12-03T16:00:00"))]
    pub ends_at: NaiveDateTime,
    /// Cancel (true) or restore (false) this occurrence.
    #[serde(default)]
    pub cancelled: bool,
}

/// Answer an occurrence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RsvpRequest {
    /// `going`, `maybe` or `not_going` (`waitlisted` is the server's answer to `going`
    /// when the event is full).
    pub status: RsvpStatus,
}

/// One person's answer, as organisers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attendee {
    /// Who.
    pub member: MemberSummary,
    /// Their answer.
    pub status: RsvpStatus,
    /// When they answered (the waiting list's order).
    pub answered_at: DateTime<Utc>,
}

/// Whether the caller has a calendar feed address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedTokenStatus {
    /// When the current address was made; absent when there is none.
    pub created_at: Option<DateTime<Utc>>,
}

/// A new personal feed token: shown once (only its hash is kept). Calendar apps cannot
/// send headers, so the token travels in the feed address; making a new one or revoking
/// it stops the old addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedToken {
    /// The secret, prefixed `copsefeed_`.
    pub token: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// `GET` one event as an iCalendar file: `/api/v1/events/{id}/ics`.
pub fn event_ics_path(id: &str) -> String {
    format!("/api/v1/events/{}/ics", crate::endpoint::encode_component(id))
}

/// The community's calendar feed (events the token's owner may read; without a token,
/// only public ones): `/api/v1/feeds/events.ics?token=`.
pub fn community_feed_path(token: Option<&str>) -> String {
    with_token("/api/v1/feeds/events.ics".to_owned(), token)
}

/// One group's calendar feed: `/api/v1/feeds/groups/{group}/events.ics?token=`.
pub fn group_feed_path(group: &str, token: Option<&str>) -> String {
    with_token(format!("/api/v1/feeds/groups/{}/events.ics", crate::endpoint::encode_component(group)), token)
}

/// The token owner's own calendar (events they go to, might go to, or organise):
/// `/api/v1/feeds/mine/events.ics?token=`.
pub fn my_feed_path(token: &str) -> String {
    with_token("/api/v1/feeds/mine/events.ics".to_owned(), Some(token))
}

fn with_token(path: String, token: Option<&str>) -> String {
    match token {
        Some(token) => format!("{path}?token={}", crate::endpoint::encode_component(token)),
        None => path,
    }
}

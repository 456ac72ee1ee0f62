//! Events: lists and calendar ranges of occurrences, events with If-Match editing,
//! cancellation, single occurrences, answers and attendees, iCalendar files and
//! subscribable feeds, and personal feed tokens.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use copse_shared::events::{
    Attendee, CreateEventRequest, Event, EventFields, EventFormat, EventWhen, FeedToken, FeedTokenStatus, Occurrence,
    RsvpRequest, UpdateOccurrenceRequest,
};
use copse_shared::partners::Scope;
use copse_shared::{Page, Problem};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{ApiClient, AuthUser, MaybeApiClient};
use crate::error::{ApiError, ApiResult};
use crate::routes::library::content_disposition;
use crate::services::events::ical::{self, Feed};
use crate::services::events::{self, EventFilter, rsvp, series};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_events)
        .service(event_calendar)
        .service(create_event)
        .service(get_event)
        .service(update_event)
        .service(delete_event)
        .service(cancel_event)
        .service(update_occurrence)
        .service(rsvp_occurrence)
        .service(list_attendees)
        .service(event_ics)
        .service(community_feed)
        .service(group_feed)
        .service(my_feed)
        .service(get_feed_token)
        .service(create_feed_token)
        .service(revoke_feed_token);
}

fn event_response(status: StatusCode, event: Event, etag: String) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/api/v1/events/{}", event.id)));
    }
    response.insert_header((header::ETAG, etag)).json(event)
}

/// The address the caller used to reach Copse, for links inside calendar files.
pub(crate) fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

fn calendar_response(body: String, file_name: Option<&str>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::CONTENT_TYPE, "text/calendar; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if let Some(name) = file_name {
        response.insert_header((header::CONTENT_DISPOSITION, content_disposition(name)));
    }
    response.body(body)
}

/// Filters and paging of the occurrence list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// `upcoming` (default: not yet ended, soonest first) or `past` (latest first).
    pub when: Option<EventWhen>,
    /// Only this group (id or slug), or `community` for community-wide events.
    pub group: Option<String>,
    /// Only events with this tag.
    pub tag: Option<String>,
    /// Only this format.
    pub format: Option<EventFormat>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<u64>,
    /// The `next_cursor` of the previous page of the same list.
    pub cursor: Option<String>,
}

/// Occurrences the caller may read, upcoming or past.
#[utoipa::path(
    tag = "events",
    operation_id = "list_events",
    security((), ("bearer_jwt" = []), ("api_key" = ["events:read"])),
    params(EventsQuery),
    responses(
        (status = 200, description = "One page of occurrences", body = Page<Occurrence>),
        (status = 400, description = "A cursor of another list", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/events")]
pub async fn list_events(
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    query: web::Query<EventsQuery>,
) -> ApiResult<web::Json<Page<Occurrence>>> {
    let q = query.into_inner();
    let filter = EventFilter { group: q.group, tag: q.tag, format: q.format };
    Ok(web::Json(
        events::list(
            &state,
            &auth.actor_for(Scope::EventsRead)?,
            q.when.unwrap_or_default(),
            filter,
            q.limit,
            q.cursor,
        )
        .await?,
    ))
}

/// A calendar range.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// Range start (RFC 3339).
    pub from: DateTime<Utc>,
    /// Range end, exclusive (at most 100 days after `from`).
    pub to: DateTime<Utc>,
    /// Only this group (id or slug), or `community`.
    pub group: Option<String>,
    /// Only events with this tag.
    pub tag: Option<String>,
    /// Only this format.
    pub format: Option<EventFormat>,
}

/// Every occurrence overlapping a range, for month and week views.
#[utoipa::path(
    tag = "events",
    operation_id = "event_calendar",
    security((), ("bearer_jwt" = []), ("api_key" = ["events:read"])),
    params(CalendarQuery),
    responses(
        (status = 200, description = "The occurrences, by start", body = Vec<Occurrence>),
        (status = 400, description = "Missing or malformed `from`/`to`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` not after `from`, or a range over 100 days", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/events/calendar")]
pub async fn event_calendar(
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    query: web::Query<CalendarQuery>,
) -> ApiResult<web::Json<Vec<Occurrence>>> {
    let q = query.into_inner();
    let filter = EventFilter { group: q.group, tag: q.tag, format: q.format };
    Ok(web::Json(events::calendar(&state, &auth.actor_for(Scope::EventsRead)?, q.from, q.to, filter).await?))
}

/// Creates an event in the community or a group the caller belongs to.
#[utoipa::path(
    tag = "events",
    operation_id = "create_event",
    security(("bearer_jwt" = []), ("api_key" = ["events:write"])),
    request_body = CreateEventRequest,
    responses(
        (status = 201, description = "The new event", body = Event, headers(("Location" = String, description = "The event's address"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Not a member of the group", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The group is archived", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: end before start (`end_before_start`), unknown time zone (`unknown_time_zone`), impossible recurrence (`invalid_rrule`, `unsupported_rrule`, `no_end`, `too_many_occurrences`, `start_not_in_rule`, `until_before_start`), missing venue or link, bad capacity, unknown group", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/events")]
pub async fn create_event(
    auth: ApiClient,
    state: web::Data<AppState>,
    body: web::Json<CreateEventRequest>,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor_for(Scope::EventsWrite)?;
    let event = series::create(&state, &actor, body.into_inner()).await?;
    let (event, etag) = events::get(&state, &actor, &event.id).await?;
    Ok(event_response(StatusCode::CREATED, event, etag))
}

/// An event with its occurrences and what the caller may do.
#[utoipa::path(
    tag = "events",
    operation_id = "get_event",
    security((), ("bearer_jwt" = []), ("api_key" = ["events:read"])),
    params(("id" = String, Path, description = "The event's id")),
    responses(
        (status = 200, description = "The event", body = Event, headers(("ETag" = String, description = "Its version"))),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event, or not visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/events/{id}")]
pub async fn get_event(
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (event, etag) = events::get(&state, &auth.actor_for(Scope::EventsRead)?, &id).await?;
    Ok(event_response(StatusCode::OK, event, etag))
}

/// Replaces an event's details (organisers or moderators). Send `If-Match`.
#[utoipa::path(
    tag = "events",
    operation_id = "update_event",
    security(("bearer_jwt" = []), ("api_key" = ["events:write"])),
    params(("id" = String, Path, description = "The event's id"), ("If-Match" = Option<String>, Header, description = "The ETag being edited")),
    request_body = EventFields,
    responses(
        (status = 200, description = "The event", body = Event, headers(("ETag" = String, description = "Its new version"))),
        (status = 403, description = "Not an organiser or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The event changed since the given ETag", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (as for creating)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/events/{id}")]
pub async fn update_event(
    req: HttpRequest,
    auth: ApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Json<EventFields>,
) -> ApiResult<HttpResponse> {
    let if_match = req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok());
    let (event, etag) =
        series::update(&state, &auth.actor_for(Scope::EventsWrite)?, &id, if_match, body.into_inner()).await?;
    Ok(event_response(StatusCode::OK, event, etag))
}

/// Deletes an event (organisers or moderators; moderators' deletions are audited).
#[utoipa::path(
    tag = "events",
    operation_id = "delete_event",
    security(("bearer_jwt" = []), ("api_key" = ["events:write"])),
    params(("id" = String, Path, description = "The event's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an organiser or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/events/{id}")]
pub async fn delete_event(
    auth: ApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    series::delete(&state, &auth.actor_for(Scope::EventsWrite)?, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Cancels a whole event; it stays visible, marked, and people who answered are told.
#[utoipa::path(
    tag = "events",
    operation_id = "cancel_event",
    security(("bearer_jwt" = []), ("api_key" = ["events:write"])),
    params(("id" = String, Path, description = "The event's id")),
    responses(
        (status = 200, description = "The cancelled event", body = Event, headers(("ETag" = String, description = "Its new version"))),
        (status = 403, description = "Not an organiser or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/events/{id}/cancel")]
pub async fn cancel_event(
    auth: ApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (event, etag) = series::cancel(&state, &auth.actor_for(Scope::EventsWrite)?, &id).await?;
    Ok(event_response(StatusCode::OK, event, etag))
}

/// Moves, cancels or restores one occurrence of an event.
#[utoipa::path(
    tag = "events",
    operation_id = "update_occurrence",
    security(("bearer_jwt" = []), ("api_key" = ["events:write"])),
    params(("id" = String, Path, description = "The event's id"), ("occurrence" = String, Path, description = "The occurrence's id")),
    request_body = UpdateOccurrenceRequest,
    responses(
        (status = 200, description = "The event", body = Event, headers(("ETag" = String, description = "Its new version"))),
        (status = 403, description = "Not an organiser or a moderator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event or occurrence", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "End before start", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/events/{id}/occurrences/{occurrence}")]
pub async fn update_occurrence(
    auth: ApiClient,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<UpdateOccurrenceRequest>,
) -> ApiResult<HttpResponse> {
    let (id, occurrence) = path.into_inner();
    let (event, etag) =
        series::update_occurrence(&state, &auth.actor_for(Scope::EventsWrite)?, &id, &occurrence, body.into_inner())
            .await?;
    Ok(event_response(StatusCode::OK, event, etag))
}

/// Answers one occurrence: `going` may come back `waitlisted` when it is full.
#[utoipa::path(
    tag = "events",
    operation_id = "rsvp_occurrence",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The event's id"), ("occurrence" = String, Path, description = "The occurrence's id")),
    request_body = RsvpRequest,
    responses(
        (status = 200, description = "The occurrence with the caller's answer", body = Occurrence),
        (status = 404, description = "No such event or occurrence, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Cancelled (`event_cancelled`), answers closed (`rsvp_closed`: deadline passed or started), or `waitlisted` sent as an answer", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/events/{id}/occurrences/{occurrence}/rsvp")]
pub async fn rsvp_occurrence(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<RsvpRequest>,
) -> ApiResult<web::Json<Occurrence>> {
    let (id, occurrence) = path.into_inner();
    Ok(web::Json(rsvp::answer(&state, &auth.actor(), &id, &occurrence, body.into_inner().status).await?))
}

/// Who answered one occurrence (organisers and moderators; readers when allowed).
#[utoipa::path(
    tag = "events",
    operation_id = "list_attendees",
    security(("bearer_jwt" = [])),
    params(("id" = String, Path, description = "The event's id"), ("occurrence" = String, Path, description = "The occurrence's id")),
    responses(
        (status = 200, description = "Going, waiting (in order), maybe, not going", body = Vec<Attendee>),
        (status = 403, description = "The organiser keeps the list private", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event or occurrence, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/events/{id}/occurrences/{occurrence}/attendees")]
pub async fn list_attendees(
    auth: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<Vec<Attendee>>> {
    let (id, occurrence) = path.into_inner();
    Ok(web::Json(rsvp::attendees(&state, &auth.actor(), &id, &occurrence).await?))
}

/// One event as an iCalendar file ("Add to calendar").
#[utoipa::path(
    tag = "events",
    operation_id = "event_ics",
    security((), ("bearer_jwt" = []), ("api_key" = ["events:read"])),
    params(("id" = String, Path, description = "The event's id")),
    responses(
        (status = 200, description = "An RFC 5545 calendar with one VEVENT per occurrence", content_type = "text/calendar", body = String),
        (status = 401, description = "Sign in required (public reading is off)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event, or not visible", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/events/{id}/ics")]
pub async fn event_ics(
    req: HttpRequest,
    auth: MaybeApiClient,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (body, title) = ical::event_file(&state, &auth.actor_for(Scope::EventsRead)?, &id, &base_url(&req)).await?;
    let name: String =
        title.chars().map(|c| if c.is_alphanumeric() || c == ' ' || c == '-' { c } else { '_' }).collect();
    Ok(calendar_response(body, Some(&format!("{}.ics", name.trim()))))
}

/// The personal feed token of a calendar address.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// A personal feed token (`POST /api/v1/me/feed-token`); without it, only public
    /// events. An unknown or revoked token is 404.
    pub token: Option<String>,
}

async fn serve_feed(
    req: &HttpRequest,
    state: &AppState,
    token: Option<&str>,
    feed: Feed,
    name: &str,
) -> ApiResult<HttpResponse> {
    let actor = ical::feed_actor(&state.db, token).await?;
    let body = ical::feed(state, &actor, feed, name, &base_url(req)).await?;
    Ok(calendar_response(body, None))
}

/// The community's calendar: every event the token's owner may read.
#[utoipa::path(
    tag = "events",
    operation_id = "community_feed",
    params(FeedQuery),
    responses(
        (status = 200, description = "An RFC 5545 calendar (90 days back, 400 ahead)", content_type = "text/calendar", body = String),
        (status = 401, description = "No token and public reading is off", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown or revoked token", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/feeds/events.ics")]
pub async fn community_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<FeedQuery>,
) -> ApiResult<HttpResponse> {
    serve_feed(&req, &state, query.token.as_deref(), Feed::Events(EventFilter::default()), "Community events").await
}

/// One group's calendar.
#[utoipa::path(
    tag = "events",
    operation_id = "group_feed",
    params(("group" = String, Path, description = "The group's id or slug"), FeedQuery),
    responses(
        (status = 200, description = "An RFC 5545 calendar of the group's events", content_type = "text/calendar", body = String),
        (status = 401, description = "No token and public reading is off", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown or revoked token", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/feeds/groups/{group}/events.ics")]
pub async fn group_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    group: web::Path<String>,
    query: web::Query<FeedQuery>,
) -> ApiResult<HttpResponse> {
    let filter = EventFilter { group: Some(group.into_inner()), ..EventFilter::default() };
    serve_feed(&req, &state, query.token.as_deref(), Feed::Events(filter), "Group events").await
}

/// The token owner's own calendar: events they organise, go to, might go to, or wait for.
#[utoipa::path(
    tag = "events",
    operation_id = "my_feed",
    params(FeedQuery),
    responses(
        (status = 200, description = "An RFC 5545 calendar", content_type = "text/calendar", body = String),
        (status = 404, description = "No token, or an unknown or revoked one", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/feeds/mine/events.ics")]
pub async fn my_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<FeedQuery>,
) -> ApiResult<HttpResponse> {
    if query.token.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::not_found());
    }
    serve_feed(&req, &state, query.token.as_deref(), Feed::Mine, "My events").await
}

/// Whether the caller has a calendar feed token.
#[utoipa::path(
    tag = "events",
    operation_id = "get_feed_token",
    security(("bearer_jwt" = [])),
    responses(
        (status = 200, description = "When the current token was made, if any", body = FeedTokenStatus),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/feed-token")]
pub async fn get_feed_token(auth: AuthUser, state: web::Data<AppState>) -> ApiResult<web::Json<FeedTokenStatus>> {
    Ok(web::Json(ical::token_status(&state, &auth.actor()).await?))
}

/// Makes a new feed token, shown once; the previous one stops working.
#[utoipa::path(
    tag = "events",
    operation_id = "create_feed_token",
    security(("bearer_jwt" = [])),
    responses(
        (status = 201, description = "The new token (only its hash is kept)", body = FeedToken),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/me/feed-token")]
pub async fn create_feed_token(auth: AuthUser, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let token = ical::create_token(&state, &auth.actor()).await?;
    Ok(HttpResponse::Created().insert_header((header::CACHE_CONTROL, "no-store")).json(token))
}

/// Revokes the caller's feed token: its addresses answer 404.
#[utoipa::path(
    tag = "events",
    operation_id = "revoke_feed_token",
    security(("bearer_jwt" = [])),
    responses(
        (status = 204, description = "Revoked (or there was none)"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/feed-token")]
pub async fn revoke_feed_token(auth: AuthUser, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    ical::revoke_token(&state, &auth.actor()).await?;
    Ok(HttpResponse::NoContent().finish())
}

//! Events end to end: one-off and recurring events in the organiser's time zone
//! (daylight-saving changes included), the online link kept for people going, lists,
//! calendar ranges and filters, single occurrences moved and cancelled, edits that keep
//! answers, capacity with a waiting list (and the last seat taken concurrently),
//! iCalendar files and feeds checked by a real parser, feed tokens, reminders that
//! survive downtime, and answers withdrawn when a member leaves a private group.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use copse_shared::ErrorCode;
use copse_shared::client::Client;
use copse_shared::discussions::NotificationKind;
use copse_shared::endpoints::*;
use copse_shared::events::*;
use copse_shared::groups::{CreateGroupRequest, GroupVisibility};
use copse_tests::{PASSWORD, TestApp, problem};
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime, EventLike};

struct World {
    app: TestApp,
    admin: Client,
    amina: Client,
    carlos: Client,
}

async fn world() -> World {
    let app = TestApp::spawn_with(|s| s.writes_per_minute = 10_000).await;
    let admin = app.admin().await;
    let (amina, _) = app.register("amina@example.org", "Amina Diallo", PASSWORD).await;
    let (carlos, _) = app.register("carlos@example.org", "Carlos Mendoza", PASSWORD).await;
    World { app, admin, amina, carlos }
}

impl World {
    /// A private group the admin runs, which `members` have joined.
    async fn private_group(&self, name: &str, members: &[(&Client, &str)]) -> copse_shared::groups::Group {
        copse_tests::group_with(&self.admin, name, GroupVisibility::Private, members).await
    }
}

fn local(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap()
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// A local time this many days from now, at 14:00.
fn days_ahead(days: i64) -> NaiveDateTime {
    (Utc::now() + Duration::days(days)).date_naive().and_hms_opt(14, 0, 0).unwrap()
}

fn fields(title: &str, starts_at: NaiveDateTime, ends_at: NaiveDateTime) -> EventFields {
    EventFields {
        title: title.into(),
        description: format!("About **{title}**."),
        format: EventFormat::Online,
        time_zone: "Europe/Paris".into(),
        all_day: false,
        starts_at,
        ends_at,
        recurrence: None,
        venue: None,
        online_url: Some("https://meet.example.org/soil".into()),
        link_for_going_only: false,
        capacity: None,
        rsvp_deadline: None,
        attendees_public: false,
        tags: vec!["soil".into()],
        reminders: None,
        organisers: Vec::new(),
    }
}

fn create(event: EventFields) -> CreateEvent {
    CreateEvent(CreateEventRequest { group: None, event })
}

async fn rsvp(
    client: &Client,
    event: &Event,
    key: &str,
    status: RsvpStatus,
) -> Result<Occurrence, copse_shared::client::ClientError> {
    client.call(&Rsvp { id: event.id.clone(), occurrence: key.into(), body: RsvpRequest { status } }).await
}

#[tokio::test]
async fn a_hybrid_event_keeps_its_link_for_people_going_and_appears_in_lists_and_calendars() {
    let w = world().await;
    let start = days_ahead(10);
    let mut hybrid = fields("Regional compost workshop", start, start + Duration::minutes(90));
    hybrid.format = EventFormat::Hybrid;
    hybrid.venue = Some("Farmers' hall, Lyon".into());
    hybrid.link_for_going_only = true;
    hybrid.tags = vec!["compost".into(), "workshop".into()];
    let answer = w.amina.call_with(&create(hybrid), &[]).await.unwrap();
    assert_eq!(answer.status, 201);
    assert!(answer.headers.get("etag").is_some());
    let event = answer.body;
    assert_eq!(event.occurrences.len(), 1);
    assert_eq!(event.occurrences[0].id, "single");
    assert_eq!(event.fields.starts_at, start);
    assert_eq!(event.organisers[0].display_name, "Amina Diallo");
    assert!(event.permissions.edit);
    assert_eq!(event.fields.online_url.as_deref(), Some("https://meet.example.org/soil"), "organisers see the link");

    let seen = w.carlos.call(&GetEvent { id: event.id.clone() }).await.unwrap();
    assert_eq!(seen.fields.online_url, None);
    assert!(seen.online_url_hidden);
    assert!(!seen.permissions.edit && seen.permissions.rsvp);
    let going = rsvp(&w.carlos, &event, "single", RsvpStatus::Going).await.unwrap();
    assert_eq!((going.my_rsvp, going.going), (Some(RsvpStatus::Going), 1));
    let seen = w.carlos.call(&GetEvent { id: event.id.clone() }).await.unwrap();
    assert_eq!(seen.fields.online_url.as_deref(), Some("https://meet.example.org/soil"));
    assert!(!seen.online_url_hidden);

    let upcoming = w.carlos.call(&ListEvents::default()).await.unwrap();
    assert_eq!(upcoming.items.len(), 1);
    assert_eq!(upcoming.items[0].my_rsvp, Some(RsvpStatus::Going));
    let by_tag = w.carlos.call(&ListEvents { tag: Some("workshop".into()), ..Default::default() }).await.unwrap();
    assert_eq!(by_tag.items.len(), 1);
    let online_only =
        w.carlos.call(&ListEvents { format: Some(EventFormat::Online), ..Default::default() }).await.unwrap();
    assert!(online_only.items.is_empty());
    let past = w.carlos.call(&ListEvents { when: Some(EventWhen::Past), ..Default::default() }).await.unwrap();
    assert!(past.items.is_empty());
    let starts = event.occurrences[0].starts_at;
    let month = EventCalendar {
        from: starts - Duration::days(3),
        to: starts + Duration::days(3),
        group: None,
        tag: None,
        format: Some(EventFormat::Hybrid),
    };
    assert_eq!(w.carlos.call(&month).await.unwrap().len(), 1);
    let elsewhere =
        EventCalendar { from: starts + Duration::days(1), to: starts + Duration::days(30), ..month.clone() };
    assert!(w.carlos.call(&elsewhere).await.unwrap().is_empty());
    let too_wide = EventCalendar { from: starts, to: starts + Duration::days(101), ..month };
    assert_eq!(problem(w.carlos.call(&too_wide).await).errors[0].code, "too_wide");
}

#[tokio::test]
async fn lists_page_with_cursors_in_time_order() {
    let w = world().await;
    for day in [5, 3, 9, 1, 7] {
        let start = days_ahead(day);
        w.amina.call(&create(fields(&format!("Call on day {day}"), start, start + Duration::hours(1)))).await.unwrap();
    }
    let first = w.carlos.call(&ListEvents { limit: Some(2), ..Default::default() }).await.unwrap();
    let second = w
        .carlos
        .call(&ListEvents { limit: Some(2), cursor: first.next_cursor.clone(), ..Default::default() })
        .await
        .unwrap();
    let third = w
        .carlos
        .call(&ListEvents { limit: Some(2), cursor: second.next_cursor.clone(), ..Default::default() })
        .await
        .unwrap();
    let titles: Vec<String> = [first.items, second.items, third.items].concat().into_iter().map(|o| o.title).collect();
    assert_eq!(titles, ["Call on day 1", "Call on day 3", "Call on day 5", "Call on day 7", "Call on day 9"]);
    assert!(third.next_cursor.is_none());
    let wrong = ListEvents { when: Some(EventWhen::Past), cursor: first.next_cursor, ..Default::default() };
    assert_eq!(problem(w.carlos.call(&wrong).await).status, 400);
}

#[tokio::test]
async fn bad_times_zones_rules_and_places_are_refused_with_clear_codes() {
    let w = world().await;
    let start = days_ahead(3);
    let code = |result: Result<Event, copse_shared::client::ClientError>| {
        let p = problem(result);
        assert_eq!(p.status, 422, "{p:?}");
        p.errors.iter().map(|e| format!("{}:{}", e.field, e.code)).collect::<Vec<_>>()
    };
    let backwards = fields("Backwards", start, start - Duration::hours(1));
    assert_eq!(code(w.amina.call(&create(backwards)).await), ["ends_at:end_before_start"]);
    let mut nowhere = fields("Nowhere", start, start + Duration::hours(1));
    nowhere.time_zone = "Mars/Olympus_Mons".into();
    assert_eq!(code(w.amina.call(&create(nowhere)).await), ["time_zone:unknown_time_zone"]);
    for (rule, expected) in [
        ("FREQ=WEEKLY", "recurrence:no_end"),
        ("FREQ=YEARLY;COUNT=3", "recurrence:unsupported_rrule"),
        ("FREQ=DAILY;COUNT=1000", "recurrence:too_many_occurrences"),
        ("FREQ=SOMETIMES;COUNT=2", "recurrence:invalid_rrule"),
    ] {
        let mut series = fields("Series", start, start + Duration::hours(1));
        series.recurrence = Some(rule.into());
        assert_eq!(code(w.amina.call(&create(series)).await), [expected], "{rule}");
    }
    let mut in_person = fields("Field visit", start, start + Duration::hours(1));
    in_person.format = EventFormat::InPerson;
    in_person.online_url = Some("javascript:alert(1)".into());
    in_person.capacity = Some(0);
    let mut codes = code(w.amina.call(&create(in_person)).await);
    codes.sort();
    assert_eq!(codes, ["capacity:out_of_range", "online_url:invalid_url", "venue:required"]);
}

#[tokio::test]
async fn a_weekly_series_keeps_its_local_time_across_the_daylight_saving_change() {
    let w = world().await;
    // Paris moves from UTC+1 to UTC+2 on Sunday 28 March 2027.
    let mut weekly = fields("Thursday call", local("2027-03-18T14:00"), local("2027-03-18T15:00"));
    weekly.recurrence = Some("FREQ=WEEKLY;BYDAY=TH;COUNT=4".into());
    let event = w.amina.call(&create(weekly)).await.unwrap();
    let starts: Vec<DateTime<Utc>> = event.occurrences.iter().map(|o| o.starts_at).collect();
    assert_eq!(
        starts,
        [
            utc("2027-03-18T13:00:00Z"),
            utc("2027-03-25T13:00:00Z"),
            utc("2027-04-01T12:00:00Z"),
            utc("2027-04-08T12:00:00Z")
        ]
    );
    let keys: Vec<&str> = event.occurrences.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(keys, ["20270318", "20270325", "20270401", "20270408"]);
    assert!(event.occurrences.iter().all(|o| o.recurring && o.ends_at - o.starts_at == Duration::hours(1)));
}

#[tokio::test]
async fn single_occurrences_move_and_cancel_and_edits_keep_answers_with_if_match() {
    let w = world().await;
    let mut monthly = fields("Monthly exchange", local("2027-01-12T15:00"), local("2027-01-12T16:00"));
    monthly.recurrence = Some("FREQ=MONTHLY;BYDAY=2TU;COUNT=3".into());
    let event = w.amina.call(&create(monthly.clone())).await.unwrap();
    let keys: Vec<String> = event.occurrences.iter().map(|o| o.id.clone()).collect();
    assert_eq!(keys, ["20270112", "20270209", "20270309"]);
    rsvp(&w.carlos, &event, "20270209", RsvpStatus::Going).await.unwrap();

    let moved = UpdateOccurrenceRequest {
        starts_at: local("2027-02-10T15:00"),
        ends_at: local("2027-02-10T16:00"),
        cancelled: false,
    };
    let after = w
        .amina
        .call(&UpdateOccurrence { id: event.id.clone(), occurrence: "20270209".into(), body: moved })
        .await
        .unwrap();
    assert_eq!(after.occurrences[1].starts_at, utc("2027-02-10T14:00:00Z"));
    assert!(after.sequence > event.sequence);
    let cancel = UpdateOccurrenceRequest {
        starts_at: local("2027-03-09T15:00"),
        ends_at: local("2027-03-09T16:00"),
        cancelled: true,
    };
    let after = w
        .amina
        .call(&UpdateOccurrence { id: event.id.clone(), occurrence: "20270309".into(), body: cancel })
        .await
        .unwrap();
    assert!(after.occurrences[2].cancelled && !after.cancelled);
    let refused = problem(rsvp(&w.carlos, &event, "20270309", RsvpStatus::Going).await);
    assert_eq!((refused.status, refused.code), (422, ErrorCode::EventCancelled));
    let changed = w.carlos.call(&ListNotifications::default()).await.unwrap();
    assert!(changed.items.iter().any(|n| n.kind == NotificationKind::EventChanged && n.topic_id == event.id));
    assert_eq!(
        problem(
            w.carlos
                .call(&UpdateOccurrence {
                    id: event.id.clone(),
                    occurrence: "20270112".into(),
                    body: UpdateOccurrenceRequest {
                        starts_at: local("2027-01-12T15:00"),
                        ends_at: local("2027-01-12T16:00"),
                        cancelled: true
                    }
                })
                .await
        )
        .status,
        403
    );

    // An edit of the series with the current ETag: a new time of day, one more month.
    let current = w.amina.call_with(&GetEvent { id: event.id.clone() }, &[]).await.unwrap();
    let etag = current.headers.get("etag").unwrap().to_str().unwrap().to_owned();
    let mut edited = monthly.clone();
    edited.title = "Monthly exchange (new time)".into();
    edited.starts_at = local("2027-01-12T17:00");
    edited.ends_at = local("2027-01-12T18:00");
    edited.recurrence = Some("FREQ=MONTHLY;BYDAY=2TU;COUNT=4".into());
    let answer = w
        .amina
        .call_with(&UpdateEvent { id: event.id.clone(), body: edited.clone() }, &[("If-Match", &etag)])
        .await
        .unwrap();
    let updated = answer.body;
    assert_eq!(updated.occurrences.len(), 4);
    assert_eq!(updated.occurrences[0].starts_at, utc("2027-01-12T16:00:00Z"));
    assert_eq!(updated.occurrences[1].starts_at, utc("2027-02-10T14:00:00Z"), "a moved occurrence keeps its time");
    assert_eq!(updated.occurrences[1].my_rsvp, None, "the organiser did not answer");
    assert!(updated.occurrences[2].cancelled, "a cancelled occurrence stays cancelled");
    let carlos_view = w.carlos.call(&GetEvent { id: event.id.clone() }).await.unwrap();
    assert_eq!(carlos_view.occurrences[1].my_rsvp, Some(RsvpStatus::Going), "answers survive the edit");
    let stale = w.amina.call_with(&UpdateEvent { id: event.id.clone(), body: edited }, &[("If-Match", &etag)]).await;
    assert_eq!(problem(stale).status, 412);

    let cancelled = w.amina.call(&CancelEvent { id: event.id.clone() }).await.unwrap();
    assert!(cancelled.cancelled && cancelled.occurrences.iter().all(|o| o.cancelled));
    assert!(
        w.carlos.call(&GetEvent { id: event.id.clone() }).await.unwrap().cancelled,
        "cancelled events stay visible"
    );
    let told = w.carlos.call(&ListNotifications::default()).await.unwrap();
    assert!(told.items.iter().any(|n| n.kind == NotificationKind::EventCancelled));
}

#[tokio::test]
async fn answers_close_at_the_deadline() {
    let w = world().await;
    let start = days_ahead(4);
    let mut closing = fields("Closed list", start, start + Duration::hours(1));
    closing.rsvp_deadline = Some(Utc::now() - Duration::minutes(1));
    let event = w.amina.call(&create(closing)).await.unwrap();
    let refused = problem(rsvp(&w.carlos, &event, "single", RsvpStatus::Going).await);
    assert_eq!((refused.status, refused.code), (422, ErrorCode::RsvpClosed));
    let invented = problem(rsvp(&w.carlos, &event, "single", RsvpStatus::Waitlisted).await);
    assert_eq!(invented.status, 422);
    assert_eq!(problem(rsvp(&w.carlos, &event, "20270101", RsvpStatus::Going).await).status, 404);
}

#[tokio::test]
async fn a_full_event_has_a_waiting_list_that_promotes_in_order() {
    let w = world().await;
    let (dana, _) = w.app.register("dana@example.org", "Dana Okafor", PASSWORD).await;
    let start = days_ahead(6);
    let mut small = fields("Small seminar", start, start + Duration::hours(2));
    small.capacity = Some(1);
    let small_fields = small.clone();
    let event = w.amina.call(&create(small)).await.unwrap();
    assert_eq!(rsvp(&w.admin, &event, "single", RsvpStatus::Going).await.unwrap().my_rsvp, Some(RsvpStatus::Going));
    let second = rsvp(&w.carlos, &event, "single", RsvpStatus::Going).await.unwrap();
    assert_eq!((second.my_rsvp, second.going, second.waitlisted), (Some(RsvpStatus::Waitlisted), 1, 1));
    assert_eq!(rsvp(&dana, &event, "single", RsvpStatus::Going).await.unwrap().my_rsvp, Some(RsvpStatus::Waitlisted));
    // Asking again keeps one's place.
    assert_eq!(
        rsvp(&w.carlos, &event, "single", RsvpStatus::Going).await.unwrap().my_rsvp,
        Some(RsvpStatus::Waitlisted)
    );

    let list = ListAttendees { id: event.id.clone(), occurrence: "single".into() };
    let attendees = w.amina.call(&list).await.unwrap();
    let order: Vec<(&str, RsvpStatus)> = attendees.iter().map(|a| (a.member.display_name.as_str(), a.status)).collect();
    assert_eq!(order[1..], [("Carlos Mendoza", RsvpStatus::Waitlisted), ("Dana Okafor", RsvpStatus::Waitlisted)]);
    assert_eq!(problem(w.carlos.call(&list).await).status, 403, "the list is the organiser's unless made public");

    let left = rsvp(&w.admin, &event, "single", RsvpStatus::NotGoing).await.unwrap();
    assert_eq!((left.going, left.waitlisted), (1, 1));
    let carlos_now = w.carlos.call(&GetEvent { id: event.id.clone() }).await.unwrap();
    assert_eq!(carlos_now.occurrences[0].my_rsvp, Some(RsvpStatus::Going), "the first in line is promoted");
    let told = w.carlos.call(&ListNotifications::default()).await.unwrap();
    assert!(told.items.iter().any(|n| n.kind == NotificationKind::EventPromoted && n.topic_id == event.id));
    let dana_now = dana.call(&GetEvent { id: event.id.clone() }).await.unwrap();
    assert_eq!(dana_now.occurrences[0].my_rsvp, Some(RsvpStatus::Waitlisted));

    // The organiser adds a seat: the next person waiting moves up.
    let mut bigger = small_fields;
    bigger.capacity = Some(2);
    let grown = w.amina.call(&UpdateEvent { id: event.id.clone(), body: bigger }).await.unwrap();
    assert_eq!((grown.occurrences[0].going, grown.occurrences[0].waitlisted), (2, 0));
    let dana_now = dana.call(&GetEvent { id: event.id.clone() }).await.unwrap();
    assert_eq!(dana_now.occurrences[0].my_rsvp, Some(RsvpStatus::Going));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn members_racing_for_the_last_seat_get_exactly_one_seat() {
    let w = world().await;
    let mut racers = Vec::new();
    for i in 0..8 {
        let (client, _) = w.app.register(&format!("racer{i}@example.org"), &format!("Racer {i}"), PASSWORD).await;
        racers.push(client);
    }
    for round in 0..3 {
        let start = days_ahead(20 + round);
        let mut last_seat = fields(&format!("Last seat {round}"), start, start + Duration::hours(1));
        last_seat.capacity = Some(1);
        let event = w.amina.call(&create(last_seat)).await.unwrap();
        // Every racer asks at once, each on its own task.
        let tasks: Vec<_> = racers
            .iter()
            .map(|client| {
                let (client, event) = (client.clone(), event.clone());
                tokio::spawn(async move { rsvp(&client, &event, "single", RsvpStatus::Going).await })
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap().unwrap().my_rsvp.unwrap());
        }
        assert_eq!(statuses.iter().filter(|s| **s == RsvpStatus::Going).count(), 1, "round {round}: {statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == RsvpStatus::Waitlisted).count(), 7);
        let seen = w.amina.call(&GetEvent { id: event.id.clone() }).await.unwrap();
        assert_eq!((seen.occurrences[0].going, seen.occurrences[0].waitlisted), (1, 7));
    }
}

fn vevents(text: &str) -> Vec<icalendar::Event> {
    let calendar: Calendar = text.parse().unwrap_or_else(|e| panic!("not iCalendar: {e}\n{text}"));
    calendar
        .components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn start_of(event: &icalendar::Event) -> DateTime<Utc> {
    match event.get_start() {
        Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(t))) => t,
        other => panic!("expected a UTC start, got {other:?}"),
    }
}

async fn text_of(client: &reqwest::Client, url: &str, token: Option<&str>) -> (u16, String) {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    if status == 200 {
        assert!(response.headers().get("content-type").unwrap().to_str().unwrap().starts_with("text/calendar"));
    }
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn calendar_files_and_feeds_parse_and_match_the_api_and_tokens_can_be_revoked() {
    let w = world().await;
    let http = reqwest::Client::new();
    let group = w
        .admin
        .call(&CreateGroup(CreateGroupRequest {
            name: "Seed savers".into(),
            slug: None,
            description: "Private room.".into(),
            visibility: GroupVisibility::Private,
        }))
        .await
        .unwrap();
    let mut weekly = fields("Seed swap; planning, notes", local("2027-03-18T14:00"), local("2027-03-18T15:00"));
    weekly.recurrence = Some("FREQ=WEEKLY;BYDAY=TH;COUNT=4".into());
    weekly.description = "A long description that needs folding because calendar lines stop at seventy-five octets, even with accents: é à ü.".into();
    let event = w
        .admin
        .call(&CreateEvent(CreateEventRequest { group: Some(group.slug.clone()), event: weekly.clone() }))
        .await
        .unwrap();
    let public =
        w.amina.call(&create(fields("Open webinar", days_ahead(2), days_ahead(2) + Duration::hours(1)))).await.unwrap();

    let (status, file) = text_of(&http, &w.app.url(&event_ics_path(&event.id)), w.admin.token()).await;
    assert_eq!(status, 200);
    let parsed = vevents(&file);
    assert_eq!(parsed.len(), 4);
    let api_starts: Vec<DateTime<Utc>> = event.occurrences.iter().map(|o| o.starts_at).collect();
    assert_eq!(parsed.iter().map(start_of).collect::<Vec<_>>(), api_starts);
    assert_eq!(parsed[0].get_summary(), Some("Seed swap; planning, notes"));
    let uids: Vec<String> = parsed.iter().map(|e| e.get_uid().unwrap().to_owned()).collect();
    assert_eq!(uids[0], format!("{}-20270318@copse", event.id));
    assert_eq!(parsed[0].property_value("SEQUENCE"), Some("0"));

    // An occurrence cancelled: same UIDs, higher SEQUENCE, STATUS:CANCELLED on that one.
    let cancel = UpdateOccurrenceRequest {
        starts_at: local("2027-03-25T14:00"),
        ends_at: local("2027-03-25T15:00"),
        cancelled: true,
    };
    w.admin
        .call(&UpdateOccurrence { id: event.id.clone(), occurrence: "20270325".into(), body: cancel })
        .await
        .unwrap();
    let (_, file) = text_of(&http, &w.app.url(&event_ics_path(&event.id)), w.admin.token()).await;
    let parsed = vevents(&file);
    assert_eq!(parsed.iter().map(|e| e.get_uid().unwrap().to_owned()).collect::<Vec<_>>(), uids);
    assert_eq!(parsed[1].property_value("STATUS"), Some("CANCELLED"));
    assert_eq!(parsed[0].property_value("STATUS"), Some("CONFIRMED"));
    assert_eq!(parsed[0].property_value("SEQUENCE"), Some("1"));
    for physical in file.split("\r\n") {
        assert!(physical.len() <= 75, "an unfolded line: {physical}");
    }

    // Feeds: without a token only public content (none: public reading is off).
    assert_eq!(text_of(&http, &w.app.url(&community_feed_path(None)), None).await.0, 401);
    let token = w.amina.call(&CreateFeedToken).await.unwrap().token;
    assert!(token.starts_with("copsefeed_"));
    let (status, feed) = text_of(&http, &w.app.url(&community_feed_path(Some(&token))), None).await;
    assert_eq!(status, 200);
    let summaries: Vec<String> = vevents(&feed).iter().map(|e| e.get_summary().unwrap().to_owned()).collect();
    assert_eq!(summaries, ["Open webinar"], "the private group's event is not Amina's to see");
    let admin_token = w.admin.call(&CreateFeedToken).await.unwrap().token;
    let (_, group_feed) = text_of(&http, &w.app.url(&group_feed_path(&group.slug, Some(&admin_token))), None).await;
    assert_eq!(vevents(&group_feed).len(), 4);

    rsvp(&w.carlos, &public, "single", RsvpStatus::Going).await.unwrap();
    let carlos_token = w.carlos.call(&CreateFeedToken).await.unwrap().token;
    let (_, mine) = text_of(&http, &w.app.url(&my_feed_path(&carlos_token)), None).await;
    let mine = vevents(&mine);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].get_uid().unwrap(), format!("{}-single@copse", public.id));
    assert!(w.carlos.call(&GetFeedToken).await.unwrap().created_at.is_some());

    // A new token replaces the old; revoking ends both.
    let replaced = w.carlos.call(&CreateFeedToken).await.unwrap().token;
    assert_eq!(text_of(&http, &w.app.url(&my_feed_path(&carlos_token)), None).await.0, 404);
    assert_eq!(text_of(&http, &w.app.url(&my_feed_path(&replaced)), None).await.0, 200);
    assert_eq!(w.carlos.call_with(&RevokeFeedToken, &[]).await.unwrap().status, 204);
    assert_eq!(text_of(&http, &w.app.url(&my_feed_path(&replaced)), None).await.0, 404);
    assert!(w.carlos.call(&GetFeedToken).await.unwrap().created_at.is_none());
}

#[tokio::test]
async fn all_day_events_are_dates_in_calendar_files() {
    let w = world().await;
    let day = days_ahead(12).date();
    let mut fair =
        fields("Seed fair", day.and_hms_opt(0, 0, 0).unwrap(), (day + Duration::days(1)).and_hms_opt(0, 0, 0).unwrap());
    fair.all_day = true;
    fair.format = EventFormat::InPerson;
    fair.venue = Some("Market square".into());
    fair.online_url = None;
    let event = w.amina.call(&create(fair)).await.unwrap();
    let (_, file) = text_of(&reqwest::Client::new(), &w.app.url(&event_ics_path(&event.id)), w.amina.token()).await;
    let parsed = vevents(&file);
    let expect_start: NaiveDate = day;
    assert_eq!(parsed[0].get_start(), Some(DatePerhapsTime::Date(expect_start)));
    assert_eq!(parsed[0].get_end(), Some(DatePerhapsTime::Date(day + Duration::days(2))), "DTEND is exclusive");
    assert_eq!(parsed[0].get_location(), Some("Market square"));
}

#[tokio::test]
async fn reminders_reach_people_going_once_even_when_the_server_was_down_at_the_time() {
    let w = world().await;
    let soon = Utc::now() + Duration::minutes(30);
    let paris = soon.with_timezone(&chrono_tz::Europe::Paris).naive_local();
    let mut call = fields("Quick call", paris, paris + Duration::minutes(30));
    call.reminders = Some(vec![60, 10]);
    let event = w.amina.call(&create(call)).await.unwrap();
    rsvp(&w.carlos, &event, "single", RsvpStatus::Going).await.unwrap();
    rsvp(&w.admin, &event, "single", RsvpStatus::Maybe).await.unwrap();
    let reminders = |client: Client| async move {
        client
            .call(&ListNotifications::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|n| n.kind == NotificationKind::EventReminder)
            .count()
    };
    // The one-hour reminder fell due half an hour ago, while nothing was sending.
    copse::services::events::reminders::deliver_due(&w.app.db, Utc::now()).await.unwrap();
    assert_eq!(reminders(w.carlos.clone()).await, 1);
    assert_eq!(reminders(w.admin.clone()).await, 0, "only people going are reminded");
    copse::services::events::reminders::deliver_due(&w.app.db, Utc::now()).await.unwrap();
    assert_eq!(reminders(w.carlos.clone()).await, 1, "never twice");
    // Ten minutes before: the second reminder.
    copse::services::events::reminders::deliver_due(&w.app.db, soon - Duration::minutes(5)).await.unwrap();
    assert_eq!(reminders(w.carlos.clone()).await, 2);
    let note = w.carlos.call(&ListNotifications::default()).await.unwrap().items.remove(0);
    assert_eq!((note.topic_id, note.post_id.as_deref()), (event.id, Some("single")));
}

#[tokio::test]
async fn private_group_events_are_invisible_outside_the_group() {
    let w = world().await;
    let group = w.private_group("Board", &[]).await;
    let start = days_ahead(8);
    let event = w
        .admin
        .call(&CreateEvent(CreateEventRequest {
            group: Some(group.id.clone()),
            event: fields("Board meeting", start, start + Duration::hours(1)),
        }))
        .await
        .unwrap();
    assert_eq!(problem(w.carlos.call(&GetEvent { id: event.id.clone() }).await).status, 404);
    assert!(w.carlos.call(&ListEvents::default()).await.unwrap().items.is_empty());
    assert_eq!(problem(rsvp(&w.carlos, &event, "single", RsvpStatus::Going).await).status, 404);
    let (status, _) = text_of(&reqwest::Client::new(), &w.app.url(&event_ics_path(&event.id)), w.carlos.token()).await;
    assert_eq!(status, 404);
    let sneaky = CreateEvent(CreateEventRequest {
        group: Some(group.slug),
        event: fields("Mine", start, start + Duration::hours(1)),
    });
    assert_eq!(problem(w.carlos.call(&sneaky).await).errors[0].code, "unknown");
}

#[tokio::test]
async fn the_demo_calendar_seeds_once_with_a_monthly_series_and_a_full_workshop() {
    let app = TestApp::spawn().await;
    copse::seed::demo(&app.db).await.unwrap();
    assert_eq!(copse::seed::events::events(&app.db).await.unwrap(), "5 events");
    assert_eq!(copse::seed::events::events(&app.db).await.unwrap(), "calendar already seeded");
    let (admin, _) = app.login("admin@demo.copse.community", "copse-demo-2026").await.unwrap();
    let upcoming = admin.call(&ListEvents { limit: Some(100), ..Default::default() }).await.unwrap();
    assert_eq!(upcoming.items.iter().filter(|o| o.title.starts_with("Extension methods")).count(), 12);
    let workshop = upcoming.items.iter().find(|o| o.title.starts_with("Regional workshop")).unwrap();
    assert_eq!((workshop.going, workshop.waitlisted, workshop.capacity), (3, 1, Some(3)));
    let past = admin.call(&ListEvents { when: Some(EventWhen::Past), ..Default::default() }).await.unwrap();
    assert_eq!(past.items[0].title, "Launch call: welcome to Copse");
}

#[tokio::test]
async fn events_can_be_bookmarked_by_those_who_see_them() {
    use copse_shared::profiles::{BookmarkKind, CreateBookmarkRequest};
    let w = world().await;
    let start = days_ahead(9);
    let event = w.amina.call(&create(fields("Bookmarked clinic", start, start + Duration::hours(1)))).await.unwrap();
    let request = |id: &str| CreateBookmarkRequest {
        kind: BookmarkKind::Event,
        target_id: Some(id.to_owned()),
        url: None,
        title: None,
        note: "Ask about cover crops.".into(),
    };
    let bookmark = w.carlos.call(&CreateBookmark(request(&event.id))).await.unwrap();
    assert_eq!(
        (bookmark.kind, bookmark.title.as_str(), bookmark.available),
        (BookmarkKind::Event, "Bookmarked clinic", true)
    );
    assert_eq!(problem(w.carlos.call(&CreateBookmark(request(&event.id))).await).status, 409);
    assert_eq!(problem(w.carlos.call(&CreateBookmark(request("no-such-event"))).await).status, 404);
    w.amina.call_with(&DeleteEvent { id: event.id.clone() }, &[]).await.unwrap();
    let listed = w.carlos.call(&ListBookmarks::default()).await.unwrap();
    assert!(!listed.items[0].available, "a deleted event's bookmark stays, marked unavailable");
}

#[tokio::test]
async fn leaving_a_private_group_withdraws_answers_to_its_coming_events_and_frees_the_seat() {
    let w = world().await;
    let members = [(&w.amina, "amina@example.org"), (&w.carlos, "carlos@example.org")];
    let group = w.private_group("Steering", &members).await;
    let start = days_ahead(5);
    let mut meeting = fields("Steering meeting", start, start + Duration::hours(1));
    meeting.capacity = Some(1);
    let event =
        w.admin.call(&CreateEvent(CreateEventRequest { group: Some(group.id.clone()), event: meeting })).await.unwrap();
    assert_eq!(rsvp(&w.amina, &event, "single", RsvpStatus::Going).await.unwrap().my_rsvp, Some(RsvpStatus::Going));
    let waiting = rsvp(&w.carlos, &event, "single", RsvpStatus::Going).await.unwrap();
    assert_eq!(waiting.my_rsvp, Some(RsvpStatus::Waitlisted));

    // Amina leaves: her seat goes to Carlos, who is told, and her answer is gone.
    w.amina.call(&LeaveGroup { group: group.slug.clone() }).await.unwrap();
    let list = ListAttendees { id: event.id.clone(), occurrence: "single".into() };
    let names = |attendees: Vec<Attendee>| -> Vec<(String, RsvpStatus)> {
        attendees.into_iter().map(|a| (a.member.display_name, a.status)).collect()
    };
    assert_eq!(names(w.admin.call(&list).await.unwrap()), [("Carlos Mendoza".to_owned(), RsvpStatus::Going)]);
    let told = w.carlos.call(&ListNotifications::default()).await.unwrap();
    assert!(told.items.iter().any(|n| n.kind == NotificationKind::EventPromoted && n.topic_id == event.id));
    assert_eq!(problem(w.amina.call(&GetEvent { id: event.id.clone() }).await).status, 404);

    // Removed by the facilitator: the same.
    let carlos = w.carlos.call(&GetMe).await.unwrap().id;
    w.admin.call(&RemoveGroupMember { group: group.slug.clone(), user: carlos }).await.unwrap();
    assert!(w.admin.call(&list).await.unwrap().is_empty());
    let seen = w.admin.call(&GetEvent { id: event.id.clone() }).await.unwrap();
    assert_eq!((seen.occurrences[0].going, seen.occurrences[0].waitlisted), (0, 0));
}

#[tokio::test]
async fn more_seats_promote_only_on_occurrences_still_to_come() {
    let w = world().await;
    let first = days_ahead(-14);
    let mut weekly = fields("Weekly clinic", first, first + Duration::hours(1));
    weekly.capacity = Some(1);
    weekly.recurrence = Some("FREQ=WEEKLY;COUNT=4".into());
    let series = weekly.clone();
    let event = w.amina.call(&create(weekly)).await.unwrap();
    let past = event.occurrences[0].id.clone();
    let coming = event.occurrences[3].id.clone();
    assert!(event.occurrences[0].ends_at < Utc::now() && event.occurrences[3].starts_at > Utc::now());
    // Answers to a past occurrence are closed through the API; the record of one with a
    // waiting list is written as it would stand after the fact.
    let db = &w.app.db;
    let ids = [w.admin.call(&GetMe).await.unwrap().id, w.carlos.call(&GetMe).await.unwrap().id];
    for (index, (user, status)) in ids.iter().zip(["going", "waitlisted"]).enumerate() {
        let answered = Utc::now() - Duration::days(20) + Duration::minutes(index as i64);
        let answer = copse::entities::event_rsvp::ActiveModel {
            event_id: sea_orm::Set(event.id.clone()),
            occurrence_key: sea_orm::Set(past.clone()),
            user_id: sea_orm::Set(user.clone()),
            status: sea_orm::Set(status.into()),
            answered_at: sea_orm::Set(answered),
        };
        sea_orm::ActiveModelTrait::insert(answer, db).await.unwrap();
    }
    assert_eq!(rsvp(&w.admin, &event, &coming, RsvpStatus::Going).await.unwrap().my_rsvp, Some(RsvpStatus::Going));
    let queued = rsvp(&w.carlos, &event, &coming, RsvpStatus::Going).await.unwrap();
    assert_eq!(queued.my_rsvp, Some(RsvpStatus::Waitlisted));

    let mut bigger = series;
    bigger.capacity = Some(2);
    let grown = w.amina.call(&UpdateEvent { id: event.id.clone(), body: bigger }).await.unwrap();
    let counts = |key: &str| {
        let o = grown.occurrences.iter().find(|o| o.id == key).unwrap();
        (o.going, o.waitlisted)
    };
    assert_eq!(counts(&coming), (2, 0), "the coming occurrence's waiting list moves up");
    assert_eq!(counts(&past), (1, 1), "the past occurrence's record stays as it was");
    let told = w.carlos.call(&ListNotifications::default()).await.unwrap();
    let promotions: Vec<_> = told.items.iter().filter(|n| n.kind == NotificationKind::EventPromoted).collect();
    assert_eq!(promotions.len(), 1, "one notification, for the occurrence still to come");
    assert_eq!(promotions[0].post_id.as_deref(), Some(coming.as_str()));
}

/// A page of upcoming events is kept and shown to every reader who sees the same events,
/// never to a reader who sees others, each with their own answers (kept per member);
/// answers and counts show at once after every write.
#[tokio::test]
async fn an_events_page_is_kept_for_readers_who_see_the_same_events_with_each_readers_own_answers() {
    let app = TestApp::spawn_with(|s| {
        s.writes_per_minute = 10_000;
        s.expose_sql_count = true;
        // Kept for a minute: anything seen fresh below was made fresh by a write.
        s.community_cache_ms = 60_000;
    })
    .await;
    let admin = app.admin().await;
    let (amina, _) = app.register("amina@example.org", "Amina Diallo", PASSWORD).await;
    let (carlos, _) = app.register("carlos@example.org", "Carlos Mendoza", PASSWORD).await;
    let (dana, _) = app.register("dana@example.org", "Dana Okafor", PASSWORD).await;
    let board =
        copse_tests::group_with(&admin, "Board", GroupVisibility::Private, &[(&amina, "amina@example.org")]).await;
    let start = days_ahead(5);
    let clinic = admin.call(&create(fields("Soil clinic", start, start + Duration::hours(1)))).await.unwrap();
    let later = start + Duration::days(1);
    let meeting = fields("Board meeting", later, later + Duration::hours(1));
    admin.call(&CreateEvent(CreateEventRequest { group: Some(board.id.clone()), event: meeting })).await.unwrap();
    rsvp(&carlos, &clinic, "single", RsvpStatus::Going).await.unwrap();

    let clinic_with = |going, mine| vec![("Soil clinic".to_owned(), going, mine)];
    // Dana's account and memberships are read once, on another page.
    events_as(&app, &dana, "past").await;
    assert_eq!(events_as(&app, &carlos, "upcoming").await.1, clinic_with(1, Some(RsvpStatus::Going)));
    // Carlos's page, with Dana's own answers (read once, then kept with her memberships).
    assert_eq!(events_as(&app, &dana, "upcoming").await, (1, clinic_with(1, None)));
    assert_eq!(events_as(&app, &dana, "upcoming").await, (0, clinic_with(1, None)));
    assert_eq!(events_as(&app, &carlos, "upcoming").await, (0, clinic_with(1, Some(RsvpStatus::Going))));
    let aminas = events_as(&app, &amina, "upcoming").await.1;
    assert_eq!(aminas.iter().map(|o| o.0.as_str()).collect::<Vec<_>>(), ["Soil clinic", "Board meeting"]);
    assert_eq!(
        events_as(&app, &carlos, "upcoming").await.1,
        clinic_with(1, Some(RsvpStatus::Going)),
        "never the group's page"
    );

    rsvp(&dana, &clinic, "single", RsvpStatus::Going).await.unwrap();
    assert_eq!(
        events_as(&app, &carlos, "upcoming").await.1,
        clinic_with(2, Some(RsvpStatus::Going)),
        "a new answer counts at once"
    );
    assert_eq!(events_as(&app, &dana, "upcoming").await.1, clinic_with(2, Some(RsvpStatus::Going)));
}

/// The upcoming or past events as `who` sees them: the statements, and each
/// occurrence's title, going count and `who`'s own answer.
async fn events_as(app: &TestApp, who: &Client, when: &str) -> (u32, Vec<(String, i64, Option<RsvpStatus>)>) {
    let (count, page): (u32, copse_shared::Page<Occurrence>) =
        app.counted_get(who, &format!("/api/v1/events?when={when}")).await;
    (count, page.items.into_iter().map(|o| (o.title, o.going, o.my_rsvp)).collect())
}

//! The demo calendar: a community webinar, a regional hybrid workshop with limited
//! seats, a monthly call of a working group, an all-day seed fair, and a past launch
//! call, with some members' answers. Dates are relative to the day the seed runs.

use chrono::{Datelike, Days, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use copse_shared::events::{CreateEventRequest, EventFields, EventFormat, RsvpStatus};
use sea_orm::{DatabaseConnection, EntityTrait};

use super::{actor, email_of, seed_state};
use crate::error::ApiError;
use crate::services::events::{rsvp, series};

fn at(date: NaiveDate, hour: u32) -> NaiveDateTime {
    date.and_hms_opt(hour, 0, 0).unwrap_or_default()
}

/// The next given weekday strictly after `from`.
fn next(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
    from + Days::new(u64::from(if ahead == 0 { 7 } else { ahead }))
}

/// The first given weekday of the month after `from`'s.
fn first_of_next_month(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let first = from.with_day(1).and_then(|d| d.checked_add_months(chrono::Months::new(1))).unwrap_or(from);
    if first.weekday() == weekday { first } else { next(first, weekday) }
}

fn fields(
    title: &str,
    description: &str,
    format: EventFormat,
    zone: &str,
    start: NaiveDateTime,
    hours: i64,
) -> EventFields {
    EventFields {
        title: title.to_owned(),
        description: description.to_owned(),
        format,
        time_zone: zone.to_owned(),
        all_day: false,
        starts_at: start,
        ends_at: start + Duration::hours(hours),
        recurrence: None,
        venue: None,
        online_url: None,
        link_for_going_only: false,
        capacity: None,
        rsvp_deadline: None,
        attendees_public: true,
        tags: Vec::new(),
        reminders: None,
        organisers: Vec::new(),
    }
}

/// Seeds the calendar once (it needs the demo members and groups).
pub async fn events(db: &DatabaseConnection) -> Result<String, ApiError> {
    if crate::entities::event::Entity::find().one(db).await?.is_some() {
        return Ok("calendar already seeded".to_owned());
    }
    let state = seed_state(db)?;
    let today = Utc::now().date_naive();

    let mut webinar = fields(
        "Webinar: reading a soil test report",
        "What pH, CEC and organic carbon tell you, and what they do not. **Bring your own report** if you have one.",
        EventFormat::Online,
        "Africa/Nairobi",
        at(next(today, Weekday::Tue), 15),
        1,
    );
    webinar.online_url = Some("https://meet.example.org/copse-soil-webinar".to_owned());
    webinar.capacity = Some(100);
    webinar.tags = vec!["webinar".to_owned(), "soil".to_owned()];

    let mut workshop = fields(
        "Regional workshop: compost for smallholders",
        "A day of practice at the training centre: turning, moisture checks and a maturity test. Remote participants follow the demonstrations on video.",
        EventFormat::Hybrid,
        "Africa/Nairobi",
        at(next(today + Days::new(14), Weekday::Thu), 9),
        7,
    );
    workshop.venue = Some("Agricultural Training Centre, Nakuru, Kenya".to_owned());
    workshop.online_url = Some("https://meet.example.org/copse-compost-workshop".to_owned());
    workshop.link_for_going_only = true;
    workshop.capacity = Some(3);
    workshop.tags = vec!["workshop".to_owned(), "compost".to_owned()];

    let mut monthly = fields(
        "Extension methods: monthly call",
        "Share what worked (and what did not) with farmer field schools this month.",
        EventFormat::Online,
        "America/Lima",
        at(first_of_next_month(today, Weekday::Wed), 10),
        1,
    );
    monthly.online_url = Some("https://meet.example.org/copse-extension-call".to_owned());
    monthly.recurrence = Some("FREQ=MONTHLY;BYDAY=1WE;COUNT=12".to_owned());
    monthly.tags = vec!["extension".to_owned()];

    let fair_day = next(today + Days::new(30), Weekday::Sat);
    let mut fair = fields(
        "Community seed fair",
        "Swap seeds of local varieties; bring them labelled with where and when they were saved.",
        EventFormat::InPerson,
        "Europe/Madrid",
        at(fair_day, 0),
        0,
    );
    fair.all_day = true;
    fair.ends_at = at(fair_day, 0);
    fair.venue = Some("Plaza Mayor, Valladolid".to_owned());
    fair.tags = vec!["seeds".to_owned()];

    let mut launch = fields(
        "Launch call: welcome to Copse",
        "A tour of the discussions, the library and the calendar.",
        EventFormat::Online,
        "UTC",
        at(today - Days::new(14), 14),
        1,
    );
    launch.online_url = Some("https://meet.example.org/copse-launch".to_owned());

    let plan = [
        ("Amina Diallo", None, webinar, &["Priya Raman", "Johannes Berg", "Nguyen Thi Lan"][..]),
        (
            "Wanjiru Kamau",
            Some("soil-health"),
            workshop,
            &["Carlos Mendoza", "Fatima El Amrani", "Priya Raman", "Johannes Berg"][..],
        ),
        ("Carlos Mendoza", Some("extension-methods"), monthly, &["Amina Diallo"][..]),
        ("Fatima El Amrani", None, fair, &["Wanjiru Kamau", "Nguyen Thi Lan"][..]),
        ("Demo Admin", None, launch, &[][..]),
    ];
    let count = plan.len();
    for (organiser, group, event, going) in plan {
        let owner = actor(db, email_of(organiser)).await?;
        let created =
            series::create(&state, &owner, CreateEventRequest { group: group.map(str::to_owned), event }).await?;
        let Some(first) = created.occurrences.first() else { continue };
        for name in going {
            let member = actor(db, email_of(name)).await?;
            // The workshop fills up: the last to answer waits for a seat.
            rsvp::answer(&state, &member, &created.id, &first.id, RsvpStatus::Going).await?;
        }
    }
    Ok(format!("{count} events"))
}

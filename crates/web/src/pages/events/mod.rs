//! Events: the calendar (a month grid, a week agenda and upcoming or past lists,
//! filtered in the address), one event's page with its answers and occurrences, the
//! form that creates or edits an event, and the calendar-feed addresses. Answers carry
//! UTC instants; pages show them in the viewer's zone through the browser's Intl (see
//! `format`).

pub mod calendar;
pub mod draft;
pub mod event;
pub mod feeds;
pub mod form;
pub mod index;
pub mod month;
pub mod occurrences;
pub mod recurrence;
pub mod rsvp;
pub mod rule;
pub mod week;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use copse_shared::endpoint::query_string;
use copse_shared::endpoints::ListEvents;
use copse_shared::events::{EventFormat, EventWhen, Occurrence, RsvpStatus};
use leptos::prelude::*;
use leptos_router::params::ParamsMap;

use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::paged::paged_list;
use calendar::monday_before;

pub use event::EventPage;
pub use feeds::FeedPanel;
pub use form::{EditEventPage, NewEventPage};
pub use index::EventsPage;

/// How the events page shows them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// A month grid.
    #[default]
    Month,
    /// One week's days, Monday first, each with its occurrences.
    Week,
    /// Not yet ended, soonest first.
    Upcoming,
    /// Ended, latest first.
    Past,
}

impl View {
    const ALL: [View; 4] = [View::Month, View::Week, View::Upcoming, View::Past];

    fn as_str(self) -> &'static str {
        match self {
            View::Month => "month",
            View::Week => "week",
            View::Upcoming => "upcoming",
            View::Past => "past",
        }
    }

    fn label(self) -> &'static str {
        t(match self {
            View::Month => Msg::EventsMonth,
            View::Week => Msg::EventsWeek,
            View::Upcoming => Msg::EventsUpcoming,
            View::Past => Msg::EventsPast,
        })
    }
}

/// The view and filters of the events page, as the address carries them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    pub view: View,
    /// The first day of the month shown (the current month when absent).
    pub month: Option<NaiveDate>,
    /// The Monday of the week shown (the current week when absent).
    pub week: Option<NaiveDate>,
    pub group: Option<String>,
    pub tag: Option<String>,
    pub format: Option<EventFormat>,
}

impl Filters {
    /// Reads the address's query.
    pub fn from_query(query: &ParamsMap) -> Self {
        let nonempty = |key: &str| query.get(key).filter(|v| !v.is_empty());
        Filters {
            view: nonempty("view").and_then(|v| View::ALL.into_iter().find(|w| w.as_str() == v)).unwrap_or_default(),
            month: nonempty("month").and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok()),
            // Any day names its week, so a hand-written address still lands on a Monday.
            week: nonempty("week").and_then(|w| NaiveDate::parse_from_str(&w, "%Y-%m-%d").ok()).map(monday_before),
            group: nonempty("group"),
            tag: nonempty("tag"),
            format: nonempty("format").and_then(|f| EventFormat::parse(&f)),
        }
    }

    /// The events page's address with this view and these filters.
    pub fn href(&self) -> String {
        let query = query_string(&[
            ("view", (self.view != View::Month).then(|| self.view.as_str().to_owned())),
            ("month", self.month.map(|m| m.format("%Y-%m").to_string())),
            ("week", self.week.map(|w| w.format("%Y-%m-%d").to_string())),
            ("group", self.group.clone()),
            ("tag", self.tag.clone()),
            ("format", self.format.map(|f| f.as_str().to_owned())),
        ]);
        format!("/events{query}")
    }

    /// The list query of an upcoming or past view.
    pub fn list_query(&self) -> ListEvents {
        ListEvents {
            when: Some(if self.view == View::Past { EventWhen::Past } else { EventWhen::Upcoming }),
            group: self.group.clone(),
            tag: self.tag.clone(),
            format: self.format,
            limit: None,
            cursor: None,
        }
    }
}

/// The upcoming events with this tag.
pub fn tag_href(tag: &str) -> String {
    Filters { view: View::Upcoming, tag: Some(tag.to_owned()), ..Filters::default() }.href()
}

/// One occurrence's page address.
pub fn occurrence_href(o: &Occurrence) -> String {
    format!("/events/{}{}", o.event_id, query_string(&[("occurrence", Some(o.id.clone()))]))
}

/// The name of a format.
pub fn format_label(format: EventFormat) -> &'static str {
    t(match format {
        EventFormat::Online => Msg::FormatOnline,
        EventFormat::InPerson => Msg::FormatInPerson,
        EventFormat::Hybrid => Msg::FormatHybrid,
    })
}

/// The name of an answer.
pub fn rsvp_label(status: RsvpStatus) -> &'static str {
    t(match status {
        RsvpStatus::Going => Msg::RsvpGoing,
        RsvpStatus::Maybe => Msg::RsvpMaybe,
        RsvpStatus::NotGoing => Msg::RsvpNotGoing,
        RsvpStatus::Waitlisted => Msg::RsvpWaitlisted,
    })
}

/// The first and last days an occurrence covers: in the organiser's zone for a
/// whole-day event (its dates are the organiser's), in the viewer's otherwise. An end
/// at midnight belongs to the day before.
pub fn local_days(o: &Occurrence) -> (NaiveDate, NaiveDate) {
    let zone = o.all_day.then_some(o.time_zone.as_str());
    let start = format::wall_clock(o.starts_at, zone).unwrap_or_else(|| o.starts_at.naive_utc());
    let end = format::wall_clock(o.ends_at, zone).unwrap_or_else(|| o.ends_at.naive_utc());
    let last = if end.time() == NaiveTime::MIN && end.date() > start.date() {
        end.date().pred_opt().unwrap_or(end.date())
    } else {
        end.date()
    };
    (start.date(), last.max(start.date()))
}

/// The value of a `datetime-local` input showing `at` as clocks in `zone` read it.
pub fn local_input(at: DateTime<Utc>, zone: &str) -> String {
    format::wall_clock(at, Some(zone)).map(|t| t.format("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default()
}

/// Reads a `datetime-local` (or, for a whole day, `date`) input.
pub fn parse_local(value: &str) -> Option<NaiveDateTime> {
    let value = value.trim();
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok().map(|d| d.and_time(NaiveTime::MIN)))
}

/// When an occurrence happens, in the viewer's zone ("Thu 3 Dec 2026, 14:00–15:30").
pub fn when_text(o: &Occurrence) -> String {
    if o.all_day {
        let (first, last) = local_days(o);
        format::day_range(first, last)
    } else {
        format::range(o.starts_at, o.ends_at, None)
    }
}

/// "3 going", and the seats left when they are limited.
pub fn attendance_text(going: i64, capacity: Option<i32>) -> String {
    let going_text = i18n::fill(Msg::GoingCount, &[("n", &going.to_string())]);
    match capacity {
        Some(capacity) => format!("{going_text} · {}", seats_left(i64::from(capacity) - going)),
        None => going_text,
    }
}

/// "2 seats left", "1 seat left", "Full".
pub fn seats_left(left: i64) -> String {
    match left {
        ..=0 => t(Msg::EventFull).to_owned(),
        1 => t(Msg::SeatLeftOne).to_owned(),
        n => i18n::fill(Msg::SeatsLeft, &[("n", &n.to_string())]),
    }
}

/// Tags as links to the upcoming events with that tag.
pub fn tag_links(tags: &[String]) -> impl IntoView + use<> {
    tags.iter()
        .map(|tag| {
            let href = tag_href(tag);
            view! { <a class="tag" href=href>"#" {tag.clone()}</a> }
        })
        .collect_view()
}

/// One occurrence in a list.
#[component]
pub fn OccurrenceRow(occurrence: Occurrence) -> impl IntoView {
    let o = occurrence;
    let href = occurrence_href(&o);
    let when = when_text(&o);
    let attendance = attendance_text(o.going, o.capacity);
    view! {
        <li class="event-row" class:cancelled=o.cancelled data-testid="event-row">
            <div class="item-main">
                <h3 class="item-title"><a href=href>{o.title.clone()}</a></h3>
                <p class="meta when"><time datetime=format::iso(o.starts_at)>{when}</time></p>
                <p class="meta">
                    {o.cancelled.then(|| view! { <span class="badge warn">{t(Msg::Cancelled)}</span> })}
                    <span class="badge muted">{format_label(o.format)}</span>
                    {o.recurring.then(|| view! { <span class="badge muted">{t(Msg::Recurring)}</span> })}
                    {o.group.clone().map(|g| {
                        let href = format!("/groups/{}", g.slug);
                        view! { <span class="in-group">{t(Msg::InGroup)} " " <a href=href>{g.name}</a></span> " " }
                    })}
                    {o.venue.clone().map(|v| view! { <span class="venue">{v}</span> " " })}
                    {tag_links(&o.tags)}
                </p>
            </div>
            <div class="item-stats meta">
                <span>{attendance}</span>
                {o.my_rsvp.map(|status| view! { <span class="badge">{rsvp_label(status)}</span> })}
            </div>
        </li>
    }
}

/// A page of occurrences with "Load more"; `query` gives the first page's filters.
#[component]
pub fn EventList(#[prop(into)] query: Signal<ListEvents>, empty: Msg) -> impl IntoView {
    paged_list(
        query,
        |o: &Occurrence| format!("{}/{}", o.event_id, o.id),
        |occurrence| view! { <OccurrenceRow occurrence=occurrence/> },
        empty,
        "event-list",
        t(Msg::EventsList),
    )
}

//! The week agenda: Monday to Sunday in the viewer's time zone, each day a section
//! listing its occurrences in start order (local times, title, format, venue, seats
//! taken), cancelled ones struck through, today marked, and links to the weeks before
//! and after. It suits a phone better than the month grid and reads in order for
//! screen readers.

use chrono::{Days, NaiveDate};
use copse_shared::events::Occurrence;
use leptos::prelude::*;

use super::calendar::{PeriodNav, by_local_day, calendar_span, event_title, monday_before};
use super::{Filters, format_label, occurrence_href};
use crate::components::status::Empty;
use crate::format;
use crate::i18n::{self, Msg, t};

/// Days in a week.
const WEEK_DAYS: u64 = 7;

#[component]
pub fn WeekView(filters: Memo<Filters>) -> impl IntoView {
    let week = Memo::new(move |_| filters.with(|f| f.week).unwrap_or_else(|| monday_before(format::today())));
    let week_href = move |forward: bool| {
        filters.with(|f| {
            let current = week.get();
            let step = Days::new(WEEK_DAYS);
            let target = if forward { current.checked_add_days(step) } else { current.checked_sub_days(step) };
            Filters { week: target.or(Some(current)), ..f.clone() }.href()
        })
    };
    view! {
        <PeriodNav
            unit="week"
            labels=[Msg::PreviousWeek, Msg::NextWeek, Msg::ThisWeek]
            title=Signal::derive(move || {
                let first = week.get();
                format::week_title(first, first + Days::new(WEEK_DAYS - 1))
            })
            prev=Signal::derive(move || week_href(false))
            next=Signal::derive(move || week_href(true))
            current=Signal::derive(move || filters.with(|f| Filters { week: None, ..f.clone() }.href()))
        />
        {calendar_span(filters, week, WEEK_DAYS, |start, occurrences| view! { <Agenda start=start occurrences=occurrences/> })}
    }
}

/// The seven days, each under its own heading.
#[component]
fn Agenda(start: NaiveDate, occurrences: Vec<Occurrence>) -> impl IntoView {
    let mut by_day = by_local_day(occurrences, start, WEEK_DAYS);
    let today = format::today();
    let days = (0..WEEK_DAYS)
        .map(|i| {
            let day = start + Days::new(i);
            agenda_day(day, day == today, by_day.remove(&day).unwrap_or_default())
        })
        .collect_view();
    view! {
        <div class="week-agenda" role="group" aria-labelledby="week-title" data-testid="week-agenda">
            {days}
        </div>
    }
}

/// One day: its name, then its occurrences or a note that there are none.
fn agenda_day(day: NaiveDate, today: bool, occurrences: Vec<Occurrence>) -> impl IntoView {
    let iso = day.format("%Y-%m-%d").to_string();
    let heading = format!("agenda-{iso}");
    let labelled_by = heading.clone();
    let list = if occurrences.is_empty() {
        view! { <Empty text=t(Msg::NothingPlanned)/> }.into_any()
    } else {
        let items = occurrences.into_iter().map(agenda_event).collect_view();
        view! { <ul class="agenda-events">{items}</ul> }.into_any()
    };
    view! {
        <section
            class="agenda-day"
            class:today=today
            aria-current=today.then_some("date")
            aria-labelledby=labelled_by
            data-testid=format!("day-{iso}")
        >
            <h3 id=heading>
                <time datetime=iso.clone()>{format::day_title(day)}</time>
                {today.then(|| view! { " " <span class="badge">{t(Msg::Today)}</span> })}
            </h3>
            {list}
        </section>
    }
}

/// One occurrence: when, what, how, where, and how full.
fn agenda_event(o: Occurrence) -> impl IntoView {
    let href = occurrence_href(&o);
    let when = if o.all_day {
        view! { <span class="agenda-time">{t(Msg::AllDay)}</span> }.into_any()
    } else {
        view! {
            <time class="agenda-time" datetime=format::iso(o.starts_at)>{format::time_range(o.starts_at, o.ends_at)}</time>
        }
        .into_any()
    };
    let going = match o.capacity {
        Some(capacity) => {
            i18n::fill(Msg::GoingOfCapacity, &[("n", &o.going.to_string()), ("capacity", &capacity.to_string())])
        }
        None => i18n::fill(Msg::GoingCount, &[("n", &o.going.to_string())]),
    };
    view! {
        <li class="agenda-event" class:cancelled=o.cancelled data-testid="agenda-event">
            {when}
            <div class="agenda-main">
                <a class="agenda-title" href=href>{event_title(&o)}</a>
                <p class="meta">
                    // The title already tells screen readers; the badge is for the eye.
                    {o.cancelled.then(|| view! { <span class="badge warn" aria-hidden="true">{t(Msg::Cancelled)}</span> })}
                    <span class="badge muted">{format_label(o.format)}</span>
                    {o.venue.clone().map(|v| view! { <span class="venue">{v}</span> })}
                </p>
            </div>
            <span class="agenda-going meta">{going}</span>
        </li>
    }
}

//! The month grid: six weeks from the Monday on or before the month's first day, in
//! the viewer's time zone, each day listing its occurrences (local start time and
//! title, cancelled ones struck through), today marked, and links to the months
//! before and after.

use chrono::{Datelike, Days, Months, NaiveDate};
use copse_shared::events::Occurrence;
use leptos::prelude::*;

use super::calendar::{PeriodNav, by_local_day, calendar_span, event_title, first_of_month, monday_before};
use super::{Filters, occurrence_href};
use crate::components::status::Empty;
use crate::format;
use crate::i18n::{Msg, t};

/// Days the grid shows: six full weeks, enough for any month.
const GRID_DAYS: u64 = 42;

#[component]
pub fn MonthView(filters: Memo<Filters>) -> impl IntoView {
    let month = Memo::new(move |_| filters.with(|f| f.month).unwrap_or_else(|| first_of_month(format::today())));
    let grid_start = Memo::new(move |_| monday_before(month.get()));
    let month_href = move |months: i32| {
        filters.with(|f| {
            let current = month.get();
            let target = if months < 0 {
                current.checked_sub_months(Months::new(months.unsigned_abs()))
            } else {
                current.checked_add_months(Months::new(months.unsigned_abs()))
            };
            Filters { month: target.or(Some(current)), ..f.clone() }.href()
        })
    };
    view! {
        <PeriodNav
            unit="month"
            labels=[Msg::PreviousMonth, Msg::NextMonth, Msg::ThisMonth]
            title=Signal::derive(move || format::month_title(month.get()))
            prev=Signal::derive(move || month_href(-1))
            next=Signal::derive(move || month_href(1))
            current=Signal::derive(move || filters.with(|f| Filters { month: None, ..f.clone() }.href()))
        />
        {calendar_span(filters, grid_start, GRID_DAYS, move |start, occurrences| {
            let empty = occurrences.is_empty();
            // The grid starts at most six days before the month's first day, so its
            // second week lies in the month; reading the month from `start` keeps the
            // shading in step with the occurrences being drawn.
            let shown = first_of_month(start + Days::new(7));
            view! {
                <MonthGrid start=start month=shown occurrences=occurrences/>
                {empty.then(|| view! { <Empty text=t(Msg::NoEventsThisMonth)/> })}
            }
        })}
    }
}

/// The grid itself: a table of weeks, Monday first.
#[component]
fn MonthGrid(start: NaiveDate, month: NaiveDate, occurrences: Vec<Occurrence>) -> impl IntoView {
    let mut by_day = by_local_day(occurrences, start, GRID_DAYS);
    let today = format::today();
    let weekdays = (0..7).map(|i| start + Days::new(i)).collect::<Vec<_>>();
    let weeks = (0..GRID_DAYS / 7)
        .map(|week| {
            let days = (0..7)
                .map(|i| {
                    let day = start + Days::new(week * 7 + i);
                    let list = by_day.remove(&day).unwrap_or_default();
                    day_cell(day, day.month() == month.month(), day == today, list)
                })
                .collect_view();
            view! { <tr>{days}</tr> }
        })
        .collect_view();
    view! {
        <div class="month-wrap">
            <table class="month-grid" aria-labelledby="month-title" data-testid="month-grid">
                <thead>
                    <tr>
                        {weekdays
                            .into_iter()
                            .map(|d| view! { <th scope="col" abbr=format::weekday(d, "long")>{format::weekday(d, "short")}</th> })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{weeks}</tbody>
            </table>
        </div>
    }
}

/// One day: its number and its occurrences, earliest first.
fn day_cell(day: NaiveDate, in_month: bool, today: bool, occurrences: Vec<Occurrence>) -> impl IntoView {
    let iso = day.format("%Y-%m-%d").to_string();
    let list = (!occurrences.is_empty()).then(|| {
        let items = occurrences
            .into_iter()
            .map(|o| {
                let href = occurrence_href(&o);
                // A whole-day event has no start time worth showing.
                let time = (!o.all_day).then(|| {
                    view! { <time class="event-time" datetime=format::iso(o.starts_at)>{format::time(o.starts_at)}</time> " " }
                });
                view! {
                    <li>
                        <a class="calendar-event" class:cancelled=o.cancelled href=href data-testid="calendar-event">
                            {time}
                            {event_title(&o)}
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="day-events">{items}</ul> }
    });
    view! {
        <td
            class="day"
            class:outside=!in_month
            class:today=today
            aria-current=today.then_some("date")
            data-testid=format!("day-{iso}")
        >
            <time class="day-number" datetime=iso.clone()>{day.day()}</time>
            {list}
        </td>
    }
}

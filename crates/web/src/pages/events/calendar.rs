//! The month grid: six weeks from the Monday on or before the month's first day, in
//! the viewer's time zone, each day listing its occurrences (local start time and
//! title, cancelled ones struck through), today marked, and links to the months
//! before and after.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime};
use copse_shared::endpoints::EventCalendar;
use copse_shared::events::Occurrence;
use leptos::prelude::*;

use super::{Filters, local_days, occurrence_href};
use crate::api;
use crate::components::status::{Empty, Loading};
use crate::format;
use crate::i18n::{Msg, t};
use crate::pages::discussions::error_view;

/// Days the grid shows: six full weeks, enough for any month.
const GRID_DAYS: u64 = 42;

/// The first day of `day`'s month.
fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The Monday on or before `day`.
fn monday_before(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

#[component]
pub fn MonthView(filters: Memo<Filters>) -> impl IntoView {
    let month = Memo::new(move |_| filters.with(|f| f.month).unwrap_or_else(|| first_of_month(format::today())));
    let grid_start = Memo::new(move |_| monday_before(month.get()));
    let resource = LocalResource::new(move || {
        let start = grid_start.get();
        let f = filters.get();
        async move {
            // The grid's bounds are midnights where the viewer is.
            let bound = |day: NaiveDate| {
                let midnight = day.and_time(NaiveTime::MIN);
                format::instant(midnight, None).unwrap_or_else(|| midnight.and_utc())
            };
            let query = EventCalendar {
                from: bound(start),
                to: bound(start + Days::new(GRID_DAYS)),
                group: f.group,
                tag: f.tag,
                format: f.format,
            };
            api::call(&query).await
        }
    });
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
    let this_month = move || filters.with(|f| Filters { month: None, ..f.clone() }.href());
    view! {
        <div class="month-nav">
            <a class="button secondary" href=move || month_href(-1) data-testid="prev-month">
                <span aria-hidden="true">"‹ "</span>{t(Msg::PreviousMonth)}
            </a>
            <h2 id="month-title" data-testid="month-title" aria-live="polite">{move || format::month_title(month.get())}</h2>
            <a class="button secondary" href=move || month_href(1) data-testid="next-month">
                {t(Msg::NextMonth)}<span aria-hidden="true">" ›"</span>
            </a>
            <a href=this_month>{t(Msg::ThisMonth)}</a>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(occurrences) => {
                    let empty = occurrences.is_empty();
                    view! {
                        <MonthGrid start=grid_start.get_untracked() month=month.get_untracked() occurrences=occurrences/>
                        {empty.then(|| view! { <Empty text=t(Msg::NoEventsThisMonth)/> })}
                    }
                    .into_any()
                }
                Err(e) => error_view(e).into_any(),
            })}
        </Transition>
    }
}

/// The grid itself: a table of weeks, Monday first.
#[component]
fn MonthGrid(start: NaiveDate, month: NaiveDate, occurrences: Vec<Occurrence>) -> impl IntoView {
    let end = start + Days::new(GRID_DAYS);
    let mut by_day: BTreeMap<NaiveDate, Vec<Occurrence>> = BTreeMap::new();
    for o in occurrences {
        let (first, last) = local_days(&o);
        let mut day = first.max(start);
        while day <= last && day < end {
            by_day.entry(day).or_default().push(o.clone());
            day = day + Days::new(1);
        }
    }
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
                let title = if o.cancelled {
                    view! { <s>{o.title.clone()}</s> " " <span class="visually-hidden">{t(Msg::Cancelled)}</span> }
                        .into_any()
                } else {
                    view! { <span>{o.title.clone()}</span> }.into_any()
                };
                view! {
                    <li>
                        <a class="calendar-event" class:cancelled=o.cancelled href=href data-testid="calendar-event">
                            {time}
                            {title}
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

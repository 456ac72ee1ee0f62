//! What the month grid and the week agenda share: days counted in the viewer's time
//! zone, one calendar request for a run of days, the occurrences grouped by the local
//! days they cover, the previous / next / current navigation, and a title that shows
//! when an occurrence is cancelled.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use copse_shared::endpoints::EventCalendar;
use copse_shared::events::Occurrence;
use leptos::prelude::*;

use super::{Filters, local_days};
use crate::api;
use crate::components::status::Loading;
use crate::format;
use crate::i18n::{Msg, t};
use crate::pages::discussions::error_view;

/// The first day of `day`'s month.
pub fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The Monday on or before `day`.
pub fn monday_before(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The instant of `day`'s midnight where the viewer is, so that a run of days fetched
/// from the server matches the days the viewer sees.
fn midnight(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN);
    format::instant(local, None).unwrap_or_else(|| local.and_utc())
}

/// Loads the occurrences of the `days` days from `start` that match the page's filters
/// (one calendar request) and shows them with `show`, which gets the first day they
/// were loaded for: the view keeps the days it was drawn with while the next ones load.
pub fn calendar_span<V>(
    filters: Memo<Filters>,
    start: Memo<NaiveDate>,
    days: u64,
    show: impl Fn(NaiveDate, Vec<Occurrence>) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    V: IntoView + 'static,
{
    let resource = LocalResource::new(move || {
        let start = start.get();
        let f = filters.get();
        async move {
            let query = EventCalendar {
                from: midnight(start),
                to: midnight(start + Days::new(days)),
                group: f.group,
                tag: f.tag,
                format: f.format,
            };
            (start, api::call(&query).await)
        }
    });
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|(start, result)| match result {
                Ok(occurrences) => show(start, occurrences).into_any(),
                Err(e) => error_view(e).into_any(),
            })}
        </Transition>
    }
}

/// The occurrences on each local day of the `days` days from `start`, earliest first;
/// one that spans several days is listed on each of them.
pub fn by_local_day(
    mut occurrences: Vec<Occurrence>,
    start: NaiveDate,
    days: u64,
) -> BTreeMap<NaiveDate, Vec<Occurrence>> {
    // The server's order is not promised to be by start, and the views read top down.
    occurrences.sort_by_key(|o| o.starts_at);
    let end = start + Days::new(days);
    let mut by_day: BTreeMap<NaiveDate, Vec<Occurrence>> = BTreeMap::new();
    for o in occurrences {
        let (first, last) = local_days(&o);
        let mut day = first.max(start);
        while day <= last && day < end {
            by_day.entry(day).or_default().push(o.clone());
            day = day + Days::new(1);
        }
    }
    by_day
}

/// An occurrence's title; a cancelled one is struck through, with the word for screen
/// readers, which do not announce the strike.
pub fn event_title(o: &Occurrence) -> AnyView {
    if o.cancelled {
        view! { <s>{o.title.clone()}</s> " " <span class="visually-hidden">{t(Msg::Cancelled)}</span> }.into_any()
    } else {
        view! { <span>{o.title.clone()}</span> }.into_any()
    }
}

/// The links to the period before and after, its title, and back to the current one.
/// `unit` ("month", "week") names the test ids (`prev-month`, `next-month`,
/// `this-month`) and the title's id (`month-title`), which the view's table or list
/// takes as its label.
#[component]
pub fn PeriodNav(
    unit: &'static str,
    /// The labels of the previous, next and current links.
    labels: [Msg; 3],
    title: Signal<String>,
    prev: Signal<String>,
    next: Signal<String>,
    current: Signal<String>,
) -> impl IntoView {
    let [prev_label, next_label, current_label] = labels;
    view! {
        <div class="period-nav">
            <a class="button secondary" href=prev data-testid=format!("prev-{unit}")>
                <span aria-hidden="true">"‹ "</span>{t(prev_label)}
            </a>
            <h2 id=format!("{unit}-title") data-testid=format!("{unit}-title") aria-live="polite">{title}</h2>
            <a class="button secondary" href=next data-testid=format!("next-{unit}")>
                {t(next_label)}<span aria-hidden="true">" ›"</span>
            </a>
            <a href=current data-testid=format!("this-{unit}")>{t(current_label)}</a>
        </div>
    }
}

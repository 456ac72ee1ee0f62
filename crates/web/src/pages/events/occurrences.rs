//! The dates of a series on its event's page: each can be chosen (the answer buttons
//! and the attendees then concern it), and organisers can cancel, restore or move
//! one. Moves are typed in the event's time zone, as the whole event was.

use chrono::{DateTime, Utc};
use copse_shared::endpoints::UpdateOccurrence;
use copse_shared::events::{Event, Occurrence, UpdateOccurrenceRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{attendance_text, local_input, parse_local, rsvp_label, when_text};
use crate::api::{self, ApiError};
use crate::components::status::{RowError, busy_text};
use crate::format;
use crate::i18n::{Msg, t};

#[component]
pub fn OccurrenceList(event: RwSignal<Event>, selected: RwSignal<String>, on_change: Callback<()>) -> impl IntoView {
    let rows = move || {
        let (occurrences, manage) = event.with(|e| (e.occurrences.clone(), e.permissions.edit && !e.cancelled));
        occurrences
            .into_iter()
            .map(|o| view! { <OccurrenceItem occurrence=o event=event selected=selected manage=manage on_change=on_change/> })
            .collect_view()
    };
    view! {
        <section class="card occurrences" aria-labelledby="occurrences-title">
            <h2 id="occurrences-title" class="small-heading">{t(Msg::Dates)}</h2>
            <ol class="rows">{rows}</ol>
        </section>
    }
}

#[component]
fn OccurrenceItem(
    occurrence: Occurrence,
    event: RwSignal<Event>,
    selected: RwSignal<String>,
    /// Offer cancel, restore and move (organisers).
    manage: bool,
    on_change: Callback<()>,
) -> impl IntoView {
    let o = StoredValue::new(occurrence);
    let id = o.with_value(|o| o.id.clone());
    let is_selected = {
        let id = id.clone();
        Memo::new(move |_| selected.with(|s| *s == id))
    };
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let moving = RwSignal::new(false);
    // Sends a new start and end (the event's local times) and the cancelled flag.
    let update = move |starts_at: Option<(String, String)>, cancelled: bool| {
        let (event_id, occurrence, zone, all_day, start, end) = o
            .with_value(|o| (o.event_id.clone(), o.id.clone(), o.time_zone.clone(), o.all_day, o.starts_at, o.ends_at));
        let local = |at: DateTime<Utc>| format::wall_clock(at, Some(&zone));
        let times = match starts_at {
            Some((from, to)) => parse_local(&from).zip(parse_local(&to)),
            None => local(start).zip(local(end)),
        };
        let Some((starts_at, ends_at)) = times else {
            error.set(Some(ApiError::Network(
                t(if all_day { Msg::StartRequired } else { Msg::MoveTimesRequired }).to_owned(),
            )));
            return;
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let body = UpdateOccurrenceRequest { starts_at, ends_at, cancelled };
            match api::call(&UpdateOccurrence { id: event_id, occurrence, body }).await {
                Ok(fresh) => {
                    event.set(fresh);
                    moving.set(false);
                    on_change.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let (cancelled, when, attendance, mine) =
        o.with_value(|o| (o.cancelled, when_text(o), attendance_text(o.going, o.capacity), o.my_rsvp.map(rsvp_label)));
    let choose = {
        let id = id.clone();
        move |_| selected.set(id.clone())
    };
    view! {
        <li class="row occurrence" class:selected=is_selected class:cancelled=cancelled data-testid="occurrence">
            <div class="row-main">
                <button type="button" class="link occurrence-when" aria-pressed=move || is_selected.get().to_string() on:click=choose>
                    {when}
                </button>
                <span class="meta">
                    {cancelled.then(|| view! { <span class="badge warn">{t(Msg::Cancelled)}</span> " " })}
                    {attendance}
                    {mine.map(|m| view! { " " <span class="badge">{m}</span> })}
                </span>
            </div>
            {manage.then(|| view! {
                <div class="row-actions">
                    <button type="button" class="secondary compact" disabled=busy on:click=move |_| update(None, !cancelled)>
                        {t(if cancelled { Msg::RestoreOccurrence } else { Msg::CancelOccurrence })}
                    </button>
                    <button type="button" class="secondary compact" aria-expanded=move || moving.get().to_string() on:click=move |_| moving.update(|m| *m = !*m)>
                        {t(Msg::MoveOccurrence)}
                    </button>
                </div>
            })}
            {move || moving.get().then(|| {
                let (zone, all_day, start, end) = o.with_value(|o| (o.time_zone.clone(), o.all_day, o.starts_at, o.ends_at));
                let on_move = Callback::new(move |times: (String, String)| update(Some(times), cancelled));
                view! { <MoveForm id=id.clone() zone=zone all_day=all_day start=start end=end busy=busy on_move=on_move/> }
            })}
            <RowError error=error/>
        </li>
    }
}

/// A new start and end for one occurrence.
#[component]
fn MoveForm(
    /// The occurrence's id, to name the inputs.
    id: String,
    zone: String,
    all_day: bool,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    busy: RwSignal<bool>,
    on_move: Callback<(String, String)>,
) -> impl IntoView {
    let date_only = |text: String| if all_day { text.chars().take(10).collect() } else { text };
    let from = RwSignal::new(date_only(local_input(start, &zone)));
    let to = RwSignal::new(date_only(local_input(end, &zone)));
    let kind = if all_day { "date" } else { "datetime-local" };
    let (from_id, to_id) = (format!("move-start-{id}"), format!("move-end-{id}"));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        on_move.run((from.get_untracked(), to.get_untracked()));
    };
    view! {
        <form class="inline-form move-form" on:submit=submit>
            <label for=from_id.clone()>{t(Msg::Starts)}</label>
            <input id=from_id type=kind prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/>
            <label for=to_id.clone()>{t(Msg::Ends)}</label>
            <input id=to_id type=kind prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
            <span class="hint">{zone.clone()}</span>
            <button type="submit" class="primary" disabled=busy>{busy_text(busy, Msg::MoveOccurrence)}</button>
        </form>
    }
}

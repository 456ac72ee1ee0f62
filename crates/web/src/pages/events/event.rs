//! One event's page: what, when (in the viewer's zone, with the organiser's time when
//! it reads differently), where, who organises it; the answer buttons for the chosen
//! occurrence; every occurrence of a series; the .ics download; and for organisers
//! editing, cancelling, deleting and the list of who answered.

use chrono::Utc;
use copse_shared::ErrorCode;
use copse_shared::endpoints::{CancelEvent, DeleteEvent, GetEvent};
use copse_shared::events::{Event, Occurrence, event_ics_path};
use copse_shared::profiles::BookmarkKind;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::occurrences::OccurrenceList;
use super::rsvp::{Attendees, RsvpPanel};
use super::rule::describe;
use super::{format_label, tag_links, when_text};
use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::provenance::provenance_view;
use crate::components::status::{ErrorAlert, ErrorSlot, Loading, busy_text};
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::discussions::error_view;
use crate::pages::members::bookmarks::BookmarkButton;
use crate::pages::placeholder::NotFound;
use crate::state::{SessionState, use_session};

#[component]
pub fn EventPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let session = use_session();
    move || {
        let id = id.get();
        match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            state => view! { <EventLoader id=id signed_in=state.user().is_some()/> }.into_any(),
        }
    }
}

#[component]
fn EventLoader(id: String, signed_in: bool) -> impl IntoView {
    let resource = LocalResource::new(move || {
        let query = GetEvent { id: id.clone() };
        async move { api::call(&query).await }
    });
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(event) => view! { <EventView event=event signed_in=signed_in/> }.into_any(),
                Err(e) if e.code() == Some(ErrorCode::NotFound) => view! { <NotFound/> }.into_any(),
                Err(e) => error_view(e).into_any(),
            })}
        </Suspense>
    }
}

/// The occurrence a visitor most likely wants: the one named in the address, else
/// the next one not over and not cancelled, else the next one not over, else the last.
fn first_choice(event: &Event, wanted: Option<String>) -> String {
    if let Some(wanted) = wanted.filter(|w| event.occurrences.iter().any(|o| &o.id == w)) {
        return wanted;
    }
    let now = Utc::now();
    let ahead = |o: &&Occurrence| o.ends_at > now;
    event
        .occurrences
        .iter()
        .filter(ahead)
        .find(|o| !o.cancelled)
        .or_else(|| event.occurrences.iter().find(ahead))
        .or(event.occurrences.last())
        .map(|o| o.id.clone())
        .unwrap_or_default()
}

#[component]
fn EventView(event: Event, signed_in: bool) -> impl IntoView {
    let wanted = use_query_map().with_untracked(|q| q.get("occurrence"));
    let selected = RwSignal::new(first_choice(&event, wanted));
    let event = RwSignal::new(event);
    let current = Memo::new(move |_| {
        let id = selected.get();
        event.with(|e| e.occurrences.iter().find(|o| o.id == id).cloned())
    });
    let deleted = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    // Bumped whenever answers may have changed, so the attendees are read again.
    let answers = RwSignal::new(0_u32);
    // An answer can reveal the online address: read the whole event again.
    let reload = Callback::new(move |_| {
        let id = event.with_untracked(|e| e.id.clone());
        spawn_local(async move {
            match api::call(&GetEvent { id }).await {
                Ok(fresh) => event.set(fresh),
                Err(e) => error.set(Some(e)),
            }
            answers.update(|n| *n += 1);
        });
    });
    let cancel = Callback::new(move |_| {
        let id = event.with_untracked(|e| e.id.clone());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::call(&CancelEvent { id }).await {
                Ok(fresh) => event.set(fresh),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });
    let delete = Callback::new(move |_| {
        let id = event.with_untracked(|e| e.id.clone());
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::call(&DeleteEvent { id }).await {
                Ok(()) => deleted.set(true),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });
    let can_edit = Memo::new(move |_| event.with(|e| e.permissions.edit));
    let see_attendees = Memo::new(move |_| event.with(|e| e.permissions.see_attendees || e.permissions.edit));
    let recurring = Memo::new(move |_| event.with(|e| e.occurrences.len() > 1 || e.fields.recurrence.is_some()));
    let event_id = event.with_untracked(|e| e.id.clone());
    view! {
        {move || deleted.get().then(|| view! { <Redirect path="/events"/> })}
        <article class="event-page" aria-labelledby="event-title">
            <header class="item-header">
                {move || event.with(header_view)}
                <div class="topic-actions">
                    <CalendarDownload event=event/>
                    {signed_in.then(|| view! { <BookmarkButton kind=BookmarkKind::Event id=event_id.clone()/> })}
                    {move || can_edit.get().then(|| {
                        let edit_href = event.with(|e| format!("/events/{}/edit", e.id));
                        let cancelled = event.with(|e| e.cancelled);
                        view! {
                            <a class="button secondary" href=edit_href data-testid="edit-event">{t(Msg::EditEvent)}</a>
                            {(!cancelled).then(|| view! {
                                <ConfirmButton label=t(Msg::CancelEvent) question=t(Msg::CancelEventQuestion) confirm=t(Msg::CancelEventConfirm) busy=busy on_confirm=cancel/>
                            })}
                            <ConfirmButton label=t(Msg::DeleteEvent) question=t(Msg::DeleteEventQuestion) confirm=t(Msg::DeleteConfirm) busy=busy on_confirm=delete/>
                        }
                    })}
                </div>
                <ErrorSlot error=error/>
            </header>
            <div class="event-body">
                <section class="event-facts" aria-label=t(Msg::EventDetails)>
                    <Facts event=event current=current/>
                    {move || {
                        let html = event.with(|e| e.description_html.clone());
                        (!html.trim().is_empty()).then(|| view! { <div class="prose" inner_html=html></div> })
                    }}
                </section>
                <RsvpPanel event=event current=current signed_in=signed_in on_change=reload/>
            </div>
            {move || recurring.get().then(|| view! { <OccurrenceList event=event selected=selected on_change=reload/> })}
            {move || see_attendees.get().then(|| view! { <Attendees event_id=event_id.clone() selected=selected answers=answers/> })}
        </article>
    }
}

/// Title, cancellation, format, group and tags.
fn header_view(e: &Event) -> AnyView {
    let recurring = e.occurrences.len() > 1 || e.fields.recurrence.is_some();
    view! {
        <h1 id="event-title">{e.fields.title.clone()}</h1>
        {e.cancelled.then(|| view! {
            <p class="notice warn" role="note" data-testid="event-cancelled">{t(Msg::EventCancelledNotice)}</p>
        })}
        <p class="meta">
            <span class="badge muted" data-testid="event-format">{format_label(e.fields.format)}</span>
            {recurring.then(|| view! { <span class="badge muted">{t(Msg::Recurring)}</span> })}
            {e.group.clone().map(|g| {
                let href = format!("/groups/{}", g.slug);
                view! { <span class="in-group">{t(Msg::InGroup)} " " <a href=href>{g.name}</a></span> " " }
            })}
            {tag_links(&e.fields.tags)}
        </p>
        {provenance_view(e.provenance.as_ref())}
    }
    .into_any()
}

/// When, the organiser's time, the repetition, the place, the link and the organisers.
#[component]
fn Facts(event: RwSignal<Event>, current: Memo<Option<Occurrence>>) -> impl IntoView {
    let viewer_zone = format::browser_zone();
    let when = move || current.get().map(|o| view! { <time datetime=format::iso(o.starts_at)>{when_text(&o)}</time> });
    // The organiser's reading, when it differs from the viewer's.
    let organiser_time = {
        let viewer_zone = viewer_zone.clone();
        move || {
            let o = current.get().filter(|o| !o.all_day && o.time_zone != viewer_zone)?;
            let theirs = format::range(o.starts_at, o.ends_at, Some(&o.time_zone));
            (theirs != format::range(o.starts_at, o.ends_at, None)).then(|| {
                view! {
                    <dt>{t(Msg::OrganiserTime)}</dt>
                    <dd data-testid="organiser-time">{format!("{theirs} ({})", o.time_zone)}</dd>
                }
            })
        }
    };
    let repeats = move || {
        event.with(|e| e.fields.recurrence.as_deref().map(|rule| describe(rule, &e.fields.time_zone))).map(|text| {
            view! {
                <dt>{t(Msg::Repeats)}</dt>
                <dd>{text}</dd>
            }
        })
    };
    let venue = move || {
        event.with(|e| e.fields.venue.clone()).map(|venue| {
            view! {
                <dt>{t(Msg::Venue)}</dt>
                <dd data-testid="event-venue">{venue}</dd>
            }
        })
    };
    let online = move || {
        let (url, hidden, going_only, edit) = event.with(|e| {
            (e.fields.online_url.clone(), e.online_url_hidden, e.fields.link_for_going_only, e.permissions.edit)
        });
        let body = match url {
            Some(url) => view! {
                <a href=url.clone() target="_blank" rel="noopener noreferrer nofollow" data-testid="online-link">{url.clone()}</a>
                {(going_only && edit).then(|| view! { <p class="hint">{t(Msg::OnlyGoingSeeLink)}</p> })}
            }
            .into_any(),
            None if hidden => view! { <span data-testid="online-link-hidden">{t(Msg::OnlineLinkHidden)}</span> }.into_any(),
            None => return None,
        };
        Some(view! {
            <dt>{t(Msg::OnlineAddress)}</dt>
            <dd>{body}</dd>
        })
    };
    let organisers = move || {
        event
            .with(|e| e.organisers.clone())
            .into_iter()
            .map(|m| view! { <li><a href=format!("/members/{}", m.id)>{m.display_name}</a></li> })
            .collect_view()
    };
    view! {
        <dl class="facts">
            <dt>{t(Msg::When)}</dt>
            <dd data-testid="event-when">
                {when}
                <p class="hint">{i18n::fill(Msg::YourTimeZone, &[("zone", &viewer_zone)])}</p>
            </dd>
            {organiser_time}
            {repeats}
            {venue}
            {online}
            <dt>{t(Msg::Organisers)}</dt>
            <dd><ul class="plain-list">{organisers}</ul></dd>
        </dl>
    }
}

/// "Add to calendar": the event's .ics, fetched with the member's token (a link could
/// not carry it) and saved as a file.
#[component]
fn CalendarDownload(event: RwSignal<Event>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let download = move |_| {
        let (path, name) = event.with_untracked(|e| (event_ics_path(&e.id), file_name(&e.fields.title)));
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            if let Err(e) = api::save_file(&path, &name).await {
                error.set(Some(e));
            }
            busy.set(false);
        });
    };
    view! {
        <button type="button" class="secondary" disabled=busy on:click=download data-testid="add-to-calendar">
            {busy_text(busy, Msg::AddToCalendar)}
        </button>
        {move || error.get().map(|e| view! { <ErrorAlert message=e.message()/> })}
    }
}

/// "soil-clinic.ics" from "Soil clinic!".
fn file_name(title: &str) -> String {
    let words: Vec<String> =
        title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    if words.is_empty() { "event.ics".to_owned() } else { format!("{}.ics", words.join("-")) }
}

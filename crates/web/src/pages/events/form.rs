//! Creating and editing an event. Times are typed as the organiser's wall-clock times
//! in the event's time zone (the browser's by default) and sent as such; the server
//! turns them into instants, which keeps a weekly 14:00 at 14:00 across daylight-saving
//! changes. Only the RSVP deadline is an instant, converted here from that zone.

use copse_shared::ErrorCode;
use copse_shared::endpoints::{CreateEvent, GetEvent, UpdateEvent};
use copse_shared::events::{CreateEventRequest, Event, EventFormat};
use copse_shared::groups::Group;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::draft::Draft;
use super::recurrence::repeat_fields;
use super::{format_label, parse_local};
use crate::api::{self, ApiError};
use crate::components::editor::MarkdownEditor;
use crate::components::field::{CheckboxField, TextField, field_error};
use crate::components::group_select::GroupSelect;
use crate::components::status::{ErrorSlot, Loading, busy_text};
use crate::format;
use crate::i18n::{Msg, t};
use crate::pages::discussions::error_view;
use crate::pages::discussions::new::WithMyGroups;
use crate::pages::library::form::GROUP_CHOICE;
use crate::pages::placeholder::NotFound;

/// The fields the server may flag; their errors show next to them, not on top.
const FIELDS: &[&str] = &[
    "group",
    "title",
    "description",
    "format",
    "venue",
    "online_url",
    "time_zone",
    "all_day",
    "starts_at",
    "ends_at",
    "recurrence",
    "capacity",
    "rsvp_deadline",
    "attendees_public",
    "tags",
    "reminders",
    "organisers",
];

/// Reminders offered, in minutes before the start.
const REMINDERS: [(i32, Msg); 4] =
    [(10080, Msg::ReminderWeek), (1440, Msg::ReminderDay), (60, Msg::ReminderHour), (15, Msg::ReminderQuarter)];

#[component]
pub fn NewEventPage() -> impl IntoView {
    view! {
        <WithMyGroups title=Msg::NewEvent sign_in=Msg::SignInToCreateEvent form=|groups| view! { <EventForm groups=groups/> }.into_any()/>
    }
}

#[component]
pub fn EditEventPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    // Bumped by "Load the latest version" after someone else saved first.
    let version = RwSignal::new(0_u32);
    let resource = LocalResource::new(move || {
        version.track();
        let query = GetEvent { id: id.get() };
        async move {
            let answer = api::call_with(&query, &[]).await?;
            let etag = answer.headers.get("etag").unwrap_or_default();
            Ok::<_, ApiError>((answer.body, etag))
        }
    });
    let reload = Callback::new(move |_| version.update(|v| *v += 1));
    view! {
        <h1>{t(Msg::EditEvent)}</h1>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok((event, _)) if !event.permissions.edit => view! {
                    <p class="notice">{t(Msg::EventEditNotAllowed)} " " <a href=format!("/events/{}", event.id)>{t(Msg::BackToEvent)}</a></p>
                }
                .into_any(),
                Ok((event, etag)) => view! { <EventForm existing=(event, etag) on_reload=reload/> }.into_any(),
                Err(e) if e.code() == Some(ErrorCode::NotFound) => view! { <NotFound/> }.into_any(),
                Err(e) => error_view(e).into_any(),
            })}
        </Suspense>
    }
}

/// The form; with `existing` (the event and its ETag) it edits, otherwise it creates
/// in the community or one of `groups`.
#[component]
fn EventForm(
    #[prop(optional)] existing: Option<(Event, String)>,
    #[prop(optional)] groups: Vec<Group>,
    #[prop(optional)] on_reload: Option<Callback<()>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let draft = Draft::new(existing.as_ref().map(|(e, _)| &e.fields));
    let target = StoredValue::new(existing.as_ref().map(|(e, etag)| (e.id.clone(), etag.clone())));
    let creating = existing.is_none();
    let group = RwSignal::new(use_query_map().with_untracked(|q| q.get("group")).unwrap_or_default());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    Effect::new(move |previous: Option<()>| {
        draft.start.track();
        if previous.is_some() {
            draft.follow_start();
        }
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let fields = match draft.fields() {
            Ok(fields) => fields,
            Err(e) => return error.set(Some(e)),
        };
        busy.set(true);
        let navigate = navigate.clone();
        let chosen_group = group.get_untracked();
        spawn_local(async move {
            let result = match target.get_value() {
                Some((id, etag)) => {
                    api::call_with(&UpdateEvent { id, body: fields }, &[("If-Match", &etag)]).await.map(|a| a.body)
                }
                None => {
                    let request =
                        CreateEventRequest { group: (!chosen_group.is_empty()).then_some(chosen_group), event: fields };
                    api::call(&CreateEvent(request)).await
                }
            };
            busy.set(false);
            match result {
                Ok(event) => navigate(&format!("/events/{}", event.id), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let stale = move || error.with(|e| e.as_ref().and_then(ApiError::code) == Some(ErrorCode::PreconditionFailed));
    let cancel_href =
        target.with_value(|t| t.as_ref().map_or_else(|| "/events".to_owned(), |(id, _)| format!("/events/{id}")));
    let start_date = Signal::derive(move || draft.start.with(|s| parse_local(s)).map(|t| t.date()));
    view! {
        <form class="card form-card event-form" on:submit=submit novalidate aria-label=t(if creating { Msg::NewEvent } else { Msg::EditEvent })>
            <ErrorSlot error=error fields=FIELDS/>
            {move || (stale() && on_reload.is_some()).then(|| view! {
                <p>
                    <button type="button" class="secondary" on:click=move |_| if let Some(reload) = on_reload { reload.run(()) }>
                        {t(Msg::LoadLatest)}
                    </button>
                </p>
            })}
            {creating.then(|| view! {
                <GroupSelect
                    id="event-group"
                    label=t(Msg::GroupOptional)
                    groups=Signal::stored(groups)
                    selected=group
                    leading=GROUP_CHOICE
                    on_change=Callback::new(move |value| group.set(value))
                    error=field_error(error, "group")
                />
            })}
            <TextField id="event-title" label=t(Msg::Title) value=draft.title error=field_error(error, "title")/>
            <MarkdownEditor id="event-description" label=t(Msg::Description) value=draft.description error=field_error(error, "description") rows=6/>
            {place_fields(draft, error)}
            {time_fields(draft, error)}
            {repeat_fields(draft.repeat, start_date, field_error(error, "recurrence"))}
            {attendance_fields(draft, error)}
            <TextField id="event-tags" label=t(Msg::Tags) hint=t(Msg::TagsHint) value=draft.tags error=field_error(error, "tags") required=false/>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=busy>{busy_text(busy, if creating { Msg::CreateEvent } else { Msg::Save })}</button>
                <a href=cancel_href>{t(Msg::Cancel)}</a>
            </div>
        </form>
    }
}

/// Where: the format, the venue, the online address and who sees it.
fn place_fields(d: Draft, error: RwSignal<Option<ApiError>>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="event-format">{t(Msg::EventFormatLabel)}</label>
            <select id="event-format" on:change=move |ev| {
                if let Some(format) = EventFormat::parse(&event_target_value(&ev)) {
                    d.format.set(format);
                }
            }>
                {EventFormat::ALL
                    .into_iter()
                    .map(|format| view! {
                        <option value=format.as_str() prop:selected=move || d.format.get() == format>{format_label(format)}</option>
                    })
                    .collect_view()}
            </select>
        </div>
        {move || (d.format.get() != EventFormat::Online).then(|| view! {
            <TextField id="event-venue" label=t(Msg::Venue) hint=t(Msg::VenueHint) value=d.venue error=field_error(error, "venue")/>
        })}
        {move || (d.format.get() != EventFormat::InPerson).then(|| view! {
            <TextField id="event-online-url" label=t(Msg::OnlineAddress) kind="url" hint=t(Msg::WebAddressHint) value=d.online_url error=field_error(error, "online_url")/>
            <CheckboxField
                id="event-link-going-only"
                label=t(Msg::LinkForGoingOnly)
                checked=d.link_for_going_only
                on_change=Callback::new(move |on| d.link_for_going_only.set(on))
            />
        })}
    }
}

/// When: the time zone, whole day or not, the start and the end.
fn time_fields(d: Draft, error: RwSignal<Option<ApiError>>) -> impl IntoView {
    let chosen = d.time_zone.get_untracked();
    let mut zones = format::time_zones();
    if !zones.contains(&chosen) {
        zones.push(chosen.clone());
    }
    // Marked once: hundreds of reactive options would cost more than they give.
    let options = zones
        .into_iter()
        .map(|z| view! { <option value=z.clone() selected=z == chosen>{z.clone()}</option> })
        .collect_view();
    let zone_error = field_error(error, "time_zone");
    view! {
        <fieldset class="rows when">
            <legend>{t(Msg::When)}</legend>
            <div class="field">
                <label for="event-time-zone">{t(Msg::TimeZone)}</label>
                <select id="event-time-zone" aria-describedby="event-time-zone-hint" on:change=move |ev| d.time_zone.set(event_target_value(&ev))>
                    {options}
                </select>
                <p class="hint" id="event-time-zone-hint">{t(Msg::EventTimeZoneHint)}</p>
                {move || zone_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <CheckboxField id="event-all-day" label=t(Msg::AllDay) checked=d.all_day on_change=Callback::new(move |on| d.set_all_day(on))/>
            {move || {
                let kind = if d.all_day.get() { "date" } else { "datetime-local" };
                view! {
                    <div class="field-row">
                        <TextField id="event-start" label=t(Msg::Starts) kind=kind value=d.start error=field_error(error, "starts_at")/>
                        <TextField id="event-end" label=t(Msg::Ends) kind=kind value=d.end error=field_error(error, "ends_at")/>
                    </div>
                }
            }}
        </fieldset>
    }
}

/// Who comes: seats, the deadline, who sees the answers, and reminders.
fn attendance_fields(d: Draft, error: RwSignal<Option<ApiError>>) -> impl IntoView {
    let reminders_error = field_error(error, "reminders");
    view! {
        <fieldset class="rows attendance">
            <legend>{t(Msg::Attendance)}</legend>
            <div class="field-row">
                <TextField id="event-capacity" label=t(Msg::Capacity) kind="number" hint=t(Msg::CapacityHint) value=d.capacity error=field_error(error, "capacity") required=false/>
                {move || (!d.repeat.repeats()).then(|| view! {
                    <TextField id="event-rsvp-deadline" label=t(Msg::RsvpDeadline) kind="datetime-local" hint=t(Msg::RsvpDeadlineHint) value=d.rsvp_deadline error=field_error(error, "rsvp_deadline") required=false/>
                })}
            </div>
            <CheckboxField
                id="event-attendees-public"
                label=t(Msg::AttendeesPublic)
                checked=d.attendees_public
                on_change=Callback::new(move |on| d.attendees_public.set(on))
            />
            <fieldset class="plain reminders">
                <legend>{t(Msg::Reminders)}</legend>
                {REMINDERS
                    .into_iter()
                    .map(|(minutes, msg)| {
                        let checked = Signal::derive(move || d.reminders.with(|r| r.contains(&minutes)));
                        let on_change = Callback::new(move |on: bool| {
                            d.reminders.update(|r| {
                                r.retain(|m| *m != minutes);
                                if on {
                                    r.push(minutes);
                                }
                            })
                        });
                        view! { <CheckboxField id=format!("event-reminder-{minutes}") label=t(msg) checked=checked on_change=on_change/> }
                    })
                    .collect_view()}
                <p class="hint">{t(Msg::RemindersHint)}</p>
                {move || reminders_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
            </fieldset>
        </fieldset>
    }
}

//! Answering an occurrence (Going, Maybe, Not going), with the seats left and the
//! waiting list; and the list of answers for organisers (and for members when the
//! organiser shares it).

use chrono::Utc;
use copse_shared::ErrorCode;
use copse_shared::endpoints::{ListAttendees, Rsvp};
use copse_shared::events::{Event, Occurrence, RsvpRequest, RsvpStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{rsvp_label, seats_left};
use crate::api::{self, ApiError};
use crate::components::status::{Empty, ErrorAlert, Loading};
use crate::format;
use crate::i18n::{self, Msg, t};

/// What went wrong with an answer, in the member's words.
fn rsvp_error(e: &ApiError) -> String {
    match e.code() {
        Some(ErrorCode::RsvpClosed) => t(Msg::RsvpClosedError).to_owned(),
        Some(ErrorCode::EventCancelled) => t(Msg::RsvpCancelledError).to_owned(),
        _ => e.message(),
    }
}

/// The caller's answer as a sentence.
fn my_answer(o: &Occurrence) -> Option<String> {
    Some(match o.my_rsvp? {
        RsvpStatus::Waitlisted => i18n::fill(Msg::YouAreWaitlisted, &[("n", &o.waitlisted.to_string())]),
        RsvpStatus::Going => t(Msg::YouAreGoing).to_owned(),
        RsvpStatus::Maybe => t(Msg::YouMightGo).to_owned(),
        RsvpStatus::NotGoing => t(Msg::YouAreNotGoing).to_owned(),
    })
}

/// The answer panel for the chosen occurrence; `on_change` runs after an answer.
#[component]
pub fn RsvpPanel(
    event: RwSignal<Event>,
    current: Memo<Option<Occurrence>>,
    signed_in: bool,
    on_change: Callback<()>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let answer = move |status: RsvpStatus| {
        let Some(o) = current.get_untracked() else { return };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let call = Rsvp { id: o.event_id.clone(), occurrence: o.id.clone(), body: RsvpRequest { status } };
            match api::call(&call).await {
                Ok(updated) => {
                    event.update(|e| {
                        if let Some(slot) = e.occurrences.iter_mut().find(|x| x.id == updated.id) {
                            *slot = updated;
                        }
                    });
                    on_change.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let can_answer = Memo::new(move |_| event.with(|e| e.permissions.rsvp && !e.cancelled));
    let buttons = move |o: &Occurrence| {
        let mine = o.my_rsvp;
        [RsvpStatus::Going, RsvpStatus::Maybe, RsvpStatus::NotGoing]
            .into_iter()
            .map(|status| {
                // A place on the waiting list is an answer of Going.
                let pressed =
                    mine == Some(status) || (status == RsvpStatus::Going && mine == Some(RsvpStatus::Waitlisted));
                view! {
                    <button
                        type="button"
                        class=if pressed { "primary" } else { "secondary" }
                        aria-pressed=pressed.to_string()
                        disabled=busy
                        on:click=move |_| answer(status)
                        data-testid=format!("rsvp-{}", status.as_str())
                    >
                        {rsvp_label(status)}
                    </button>
                }
            })
            .collect_view()
    };
    let body = move || {
        let o = current.get()?;
        let over = o.ends_at <= Utc::now();
        let actions = if !signed_in {
            view! { <p><a href="/login">{t(Msg::SignInToAnswer)}</a></p> }.into_any()
        } else if o.cancelled {
            view! { <p class="notice warn">{t(Msg::OccurrenceCancelled)}</p> }.into_any()
        } else if over {
            view! { <p class="hint">{t(Msg::OccurrenceOver)}</p> }.into_any()
        } else if can_answer.get() {
            view! { <div class="rsvp-buttons" role="group" aria-label=t(Msg::AreYouGoing)>{buttons(&o)}</div> }
                .into_any()
        } else {
            ().into_any()
        };
        Some(view! {
            <p class="going" data-testid="going-count">{i18n::fill(Msg::GoingCount, &[("n", &o.going.to_string())])}</p>
            {o.capacity.map(|capacity| view! {
                <p class="meta" data-testid="seats-left">{seats_left(i64::from(capacity) - o.going)}</p>
            })}
            {(o.waitlisted > 0).then(|| view! {
                <p class="meta">{i18n::fill(Msg::WaitlistCount, &[("n", &o.waitlisted.to_string())])}</p>
            })}
            {my_answer(&o).map(|text| view! { <p class="status-note" data-testid="my-rsvp">{text}</p> })}
            {actions}
        })
    };
    view! {
        <section class="card rsvp" aria-labelledby="rsvp-title" data-testid="rsvp">
            <h2 id="rsvp-title" class="small-heading">{t(Msg::AreYouGoing)}</h2>
            {body}
            {move || error.get().map(|e| view! { <ErrorAlert message=rsvp_error(&e)/> })}
        </section>
    }
}

/// Who answered the chosen occurrence, in the order they answered.
#[component]
pub fn Attendees(event_id: String, selected: RwSignal<String>, answers: RwSignal<u32>) -> impl IntoView {
    let resource = LocalResource::new(move || {
        answers.track();
        let query = ListAttendees { id: event_id.clone(), occurrence: selected.get() };
        async move { api::call(&query).await }
    });
    view! {
        <section class="card attendees" aria-labelledby="attendees-title">
            <h2 id="attendees-title" class="small-heading">{t(Msg::Attendees)}</h2>
            <Transition fallback=|| view! { <Loading/> }>
                {move || resource.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <Empty text=t(Msg::NoAttendees)/> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table class="audit attendees-table">
                                <thead>
                                    <tr>
                                        <th scope="col">{t(Msg::Who)}</th>
                                        <th scope="col">{t(Msg::Answer)}</th>
                                        <th scope="col">{t(Msg::AnsweredAt)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list
                                        .into_iter()
                                        .map(|a| view! {
                                            <tr data-testid="attendee">
                                                <td><a href=format!("/members/{}", a.member.id)>{a.member.display_name}</a></td>
                                                <td>{rsvp_label(a.status)}</td>
                                                <td><time datetime=format::iso(a.answered_at)>{format::date_time(a.answered_at)}</time></td>
                                            </tr>
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                    .into_any(),
                    Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

//! The signed-in member's notifications, newest first: each links to its topic (or
//! event, or sender) and is marked read when followed; "Mark all read" clears the bell.

use chrono::{DateTime, Utc};
use copse_shared::discussions::{MarkReadRequest, Notification, NotificationKind};
use copse_shared::endpoint::query_string;
use copse_shared::endpoints::{ListNotifications, MarkNotificationsRead};
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api::{self, ApiError};
use crate::components::status::{Empty, ErrorAlert, ErrorSlot, Loading};
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::discussions::watch::WatchList;
use crate::pages::paged::Paged;
use crate::state::{SessionState, Unread, use_session, use_unread};

fn query(cursor: Option<String>) -> ListNotifications {
    ListNotifications { unread: None, limit: None, cursor }
}

/// "Amina replied in “Soil tests”", "Reminder: “Soil clinic” starts 3 Dec 2026, 14:00".
pub fn describe(n: &Notification) -> String {
    let msg = match n.kind {
        NotificationKind::Reply => Msg::NotifReply,
        NotificationKind::Mention => Msg::NotifMention,
        NotificationKind::AnswerAccepted => Msg::NotifAccepted,
        NotificationKind::NewTopic => Msg::NotifNewTopic,
        NotificationKind::Contact => Msg::NotifContact,
        NotificationKind::EventReminder => Msg::NotifEventReminder,
        NotificationKind::EventPromoted => Msg::NotifEventPromoted,
        NotificationKind::EventChanged => Msg::NotifEventChanged,
        NotificationKind::EventCancelled => Msg::NotifEventCancelled,
    };
    let name = n.actor.as_ref().map(|a| a.display_name.clone()).unwrap_or_else(|| t(Msg::FormerMember).to_owned());
    // An event's notification carries the occurrence's start, shown in the viewer's zone.
    let when = event_start(n).map(format::date_time).unwrap_or_default();
    i18n::fill(msg, &[("name", &name), ("topic", &n.topic_title), ("when", &when)])
}

/// Whether a notification is about an event (its `topic_id` is the event's id).
fn is_event(kind: NotificationKind) -> bool {
    matches!(
        kind,
        NotificationKind::EventReminder
            | NotificationKind::EventPromoted
            | NotificationKind::EventChanged
            | NotificationKind::EventCancelled
    )
}

/// The start of the occurrence an event's notification is about.
fn event_start(n: &Notification) -> Option<DateTime<Utc>> {
    let text = n.message.as_deref().filter(|_| is_event(n.kind))?;
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// Where a notification leads: the sender's profile for a message (to answer), the
/// event's occurrence for an event, the post otherwise.
fn target(n: &Notification) -> String {
    match (&n.kind, &n.post_id) {
        (NotificationKind::Contact, _) => {
            n.actor.as_ref().map(|a| format!("/members/{}", a.id)).unwrap_or_else(|| "/notifications".to_owned())
        }
        (kind, occurrence) if is_event(*kind) => {
            format!("/events/{}{}", n.topic_id, query_string(&[("occurrence", occurrence.clone())]))
        }
        (_, Some(post)) => format!("/discussions/{}#post-{post}", n.topic_id),
        (_, None) => format!("/discussions/{}", n.topic_id),
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let session = use_session();
    view! {
        <h1>{t(Msg::Notifications)}</h1>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            SessionState::SignedOut => view! {
                <p class="notice">{t(Msg::SignInForNotifications)} " " <a href="/login">{t(Msg::SignIn)}</a></p>
            }
            .into_any(),
            SessionState::SignedIn(_) => view! {
                <NotificationList/>
                <WatchList/>
            }
            .into_any(),
        }}
    }
}

async fn mark_read(unread: Unread, request: MarkReadRequest, error: RwSignal<Option<ApiError>>) {
    match api::call(&MarkNotificationsRead(request)).await {
        Ok(count) => unread.set(count.unread),
        Err(e) => error.set(Some(e)),
    }
}

#[component]
fn NotificationList() -> impl IntoView {
    let resource = LocalResource::new(|| async { api::call(&query(None)).await });
    let unread = use_unread();
    let error = RwSignal::new(None::<ApiError>);
    let navigate = use_navigate();
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(page) => {
                    let paged = Paged::new(page);
                    let navigate = navigate.clone();
                    let on_load = Callback::new(move |_| {
                        paged.load_more(|cursor| async move { api::call(&query(Some(cursor))).await })
                    });
                    let any_unread = move || paged.items.with(|items| items.iter().any(|n| !n.read));
                    let mark_all = move |_| {
                        paged.items.update(|items| items.iter_mut().for_each(|n| n.read = true));
                        spawn_local(mark_read(unread, MarkReadRequest { ids: Vec::new(), all: true }, error));
                    };
                    view! {
                        <div class="page-actions">
                            <button type="button" class="secondary" disabled=move || !any_unread() on:click=mark_all>
                                {t(Msg::MarkAllRead)}
                            </button>
                        </div>
                        <ErrorSlot error=error/>
                        {move || paged.is_empty().then(|| view! { <Empty text=t(Msg::NoNotifications)/> })}
                        <ul class="rows notifications">
                            {move || {
                                paged.items.get().into_iter().map(|n| {
                                    let href = target(&n);
                                    // Only a member's message is text to show; an event's is its start.
                                    let message = n.message.clone().filter(|_| n.kind == NotificationKind::Contact);
                                    let (id, read) = (n.id.clone(), n.read);
                                    let target = href.clone();
                                    let navigate = navigate.clone();
                                    // Marks it read, then follows the link, so the bell's next
                                    // count already leaves it out. A click that opens another tab
                                    // only marks it.
                                    let follow = move |ev: MouseEvent| {
                                        if read {
                                            return;
                                        }
                                        let request = MarkReadRequest { ids: vec![id.clone()], all: false };
                                        let plain = !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0);
                                        if plain {
                                            ev.prevent_default();
                                        }
                                        let (target, navigate) = (target.clone(), navigate.clone());
                                        spawn_local(async move {
                                            mark_read(unread, request, error).await;
                                            if plain {
                                                navigate(&target, Default::default());
                                            }
                                        });
                                    };
                                    view! {
                                        <li class="row notification" class:unread=!read data-testid="notification">
                                            <div class="row-main">
                                                {(!read).then(|| view! { <span class="badge">{t(Msg::New)}</span> " " })}
                                                <a href=href on:click=follow>{describe(&n)}</a>
                                                <span class="meta">
                                                    <time datetime=format::iso(n.created_at)>{format::date_time(n.created_at)}</time>
                                                </span>
                                                {message.map(|m| view! { <p class="contact-message">{m}</p> })}
                                            </div>
                                        </li>
                                    }
                                }).collect_view()
                            }}
                        </ul>
                        {paged.footer(on_load)}
                    }
                    .into_any()
                }
                Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
            })}
        </Suspense>
    }
}

//! Calendar-feed addresses ("Subscribe"): calendar apps cannot sign in, so a member's
//! feeds carry a personal token in the address. It is shown once, when made; after
//! that the member can only make a new one (the old addresses stop) or revoke it.
//! Visitors get the public addresses, without a token. Atom addresses for feed readers
//! (newest topics, library items, events) come with the same token.

use chrono::{DateTime, Utc};
use copse_shared::endpoints::{CreateFeedToken, GetFeedToken, RevokeFeedToken};
use copse_shared::events::{community_feed_path, group_feed_path, my_feed_path};
use copse_shared::partners::atom_feed_path;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::copy::{CopyField, absolute_url};
use crate::components::status::{ErrorSlot, Loading, busy_text};
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::discussions::error_view;

/// The "Subscribe" panel; `group` (a slug) adds that group's feed.
#[component]
pub fn FeedPanel(group: Option<String>, signed_in: bool) -> impl IntoView {
    let group_for_atom = group.clone();
    let body = if signed_in {
        view! { <MyFeeds group=group/> }.into_any()
    } else {
        view! {
            <CopyField id="feed-community" label=t(Msg::FeedCommunity) value=absolute_url(&community_feed_path(None)) testid="feed-community"/>
            {group.map(|slug| view! {
                <CopyField id="feed-group" label=t(Msg::FeedGroup) value=absolute_url(&group_feed_path(&slug, None))/>
            })}
            {atom_fields(group_for_atom, None)}
            <p class="hint">{t(Msg::FeedPublicOnly)}</p>
        }
        .into_any()
    };
    view! {
        <section class="card feeds" aria-labelledby="feeds-title" data-testid="feeds">
            <h2 id="feeds-title" class="small-heading">{t(Msg::Subscribe)}</h2>
            <p class="hint">{t(Msg::FeedsLead)}</p>
            {body}
        </section>
    }
}

/// A member's feeds: whether they have an address, and making or revoking it.
#[component]
fn MyFeeds(group: Option<String>) -> impl IntoView {
    let resource = LocalResource::new(|| async { api::call(&GetFeedToken).await });
    let group = StoredValue::new(group);
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(status) => view! { <FeedAddress made=status.created_at group=group.get_value()/> }.into_any(),
                Err(e) => error_view(e).into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn FeedAddress(made: Option<DateTime<Utc>>, group: Option<String>) -> impl IntoView {
    let made = RwSignal::new(made);
    // The secret, only while this page shows it after making it.
    let fresh = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let create = Callback::new(move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::call(&CreateFeedToken).await {
                Ok(token) => {
                    made.set(Some(token.created_at));
                    fresh.set(Some(token.token));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });
    let revoke = Callback::new(move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::call(&RevokeFeedToken).await {
                Ok(()) => {
                    made.set(None);
                    fresh.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });
    let group = StoredValue::new(group);
    view! {
        {move || match (fresh.get(), made.get()) {
            (Some(token), _) => view! {
                <p class="notice" role="status">{t(Msg::FeedShownOnce)}</p>
                <CopyField id="feed-community" label=t(Msg::FeedCommunity) value=absolute_url(&community_feed_path(Some(&token))) focus=true testid="feed-community"/>
                <CopyField id="feed-mine" label=t(Msg::FeedMine) value=absolute_url(&my_feed_path(&token)) testid="feed-mine"/>
                {group.get_value().map(|slug| view! {
                    <CopyField id="feed-group" label=t(Msg::FeedGroup) value=absolute_url(&group_feed_path(&slug, Some(&token)))/>
                })}
                {atom_fields(group.get_value(), Some(&token))}
            }
            .into_any(),
            (None, None) => view! {
                <p>{t(Msg::FeedNone)}</p>
                <button type="button" class="secondary" disabled=busy on:click=move |_| create.run(()) data-testid="create-feed">
                    {busy_text(busy, Msg::FeedCreate)}
                </button>
            }
            .into_any(),
            (None, Some(at)) => view! {
                <p data-testid="feed-made">{i18n::fill(Msg::FeedMadeOn, &[("date", &format::date(at))])}</p>
                <div class="form-actions">
                    <ConfirmButton label=t(Msg::FeedRenew) question=t(Msg::FeedRenewQuestion) confirm=t(Msg::FeedRenewConfirm) busy=busy on_confirm=create/>
                    <ConfirmButton label=t(Msg::FeedRevoke) question=t(Msg::FeedRevokeQuestion) confirm=t(Msg::Revoke) busy=busy on_confirm=revoke/>
                </div>
            }
            .into_any(),
        }}
        <ErrorSlot error=error/>
    }
}

/// Atom addresses for feed readers: the newest topics, library items and events (of the
/// group, when there is one), with the same personal token as the calendars.
fn atom_fields(group: Option<String>, token: Option<&str>) -> impl IntoView + use<> {
    [
        ("topics", "feed-atom-topics", Msg::FeedAtomTopics),
        ("library", "feed-atom-library", Msg::FeedAtomLibrary),
        ("events", "feed-atom-events", Msg::FeedAtomEvents),
    ]
    .into_iter()
    .map(|(kind, id, label)| {
        let value = absolute_url(&atom_feed_path(kind, group.as_deref(), token));
        view! { <CopyField id=id label=t(label) value=value testid=id/> }
    })
    .collect_view()
}

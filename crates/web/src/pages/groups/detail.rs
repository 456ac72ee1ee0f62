//! One group's page: its header with the membership buttons, and the tabs Overview,
//! Members, Discussions, Library, Events and (for those who run it) Manage.

use copse_shared::ErrorCode;
use copse_shared::auth::User;
use copse_shared::endpoints::{JoinGroup, ListGroupMembers, ListTopics};
use copse_shared::endpoints::{ListEvents, ListLibraryItems};
use copse_shared::groups::{Group, GroupMember, GroupRole, GroupVisibility, MembershipStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_params_map;

use super::manage::ManagePanel;
use super::{MembershipActions, can_manage, load_group};
use crate::api::{self, ApiError};
use crate::components::status::{Empty, ErrorAlert, Loading};
use crate::components::tabs::{TabList, TabPanel};
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::discussions::TopicList;
use crate::pages::discussions::watch::WatchToggle;
use crate::pages::events::{EventList, FeedPanel};
use crate::pages::library::index::ItemList;
use crate::pages::paged::Paged;
use crate::pages::placeholder::NotFound;
use crate::state::{SessionState, use_session};
use copse_shared::discussions::WatchTarget;

#[component]
pub fn GroupPage() -> impl IntoView {
    let params = use_params_map();
    let slug = Memo::new(move |_| params.read().get("slug").unwrap_or_default());
    let session = use_session();
    move || {
        let slug = slug.get();
        match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            state => view! { <GroupLoader slug=slug viewer=state.user().cloned()/> }.into_any(),
        }
    }
}

#[component]
fn GroupLoader(slug: String, viewer: Option<User>) -> impl IntoView {
    let slug = StoredValue::new(slug);
    let resource = LocalResource::new(move || load_group(slug.get_value()));
    let viewer = StoredValue::new(viewer);
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok((group, etag)) => view! { <GroupView group=group etag=etag viewer=viewer.get_value()/> }.into_any(),
                Err(e) if e.code() == Some(ErrorCode::NotFound) => view! {
                    <NotFound/>
                    {viewer.with_value(Option::is_some).then(|| view! { <AskToJoin slug=slug.get_value()/> })}
                }
                .into_any(),
                Err(e) => view! {
                    <ErrorAlert message=e.message()/>
                    {(e.code() == Some(ErrorCode::AuthenticationRequired))
                        .then(|| view! { <p><a href="/login">{t(Msg::SignIn)}</a></p> })}
                }
                .into_any(),
            })}
        </Suspense>
    }
}

/// What the group's page holds while it is open: the group, its version, and the
/// viewer's membership, all updated in place by the actions on the page.
#[derive(Clone, Copy)]
pub struct GroupState {
    pub group: RwSignal<Group>,
    pub etag: RwSignal<String>,
    pub membership: RwSignal<Option<copse_shared::groups::MyMembership>>,
    /// Set when a reload finds the group gone (or no longer visible).
    pub gone: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
}

impl GroupState {
    /// Reads the group again (after a join, leave or membership change).
    pub fn reload(self) {
        let slug = self.group.with_untracked(|g| g.slug.clone());
        spawn_local(async move {
            match load_group(slug).await {
                Ok((group, etag)) => self.replace(group, etag),
                Err(e) if e.code() == Some(ErrorCode::NotFound) => self.gone.set(true),
                Err(e) => self.error.set(Some(e)),
            }
        });
    }

    /// Takes a new version of the group.
    pub fn replace(self, group: Group, etag: String) {
        self.membership.set(group.my_membership.clone());
        self.group.set(group);
        self.etag.set(etag);
    }
}

#[component]
fn GroupView(group: Group, etag: String, viewer: Option<User>) -> impl IntoView {
    let state = GroupState {
        membership: RwSignal::new(group.my_membership.clone()),
        group: RwSignal::new(group),
        etag: RwSignal::new(etag),
        gone: RwSignal::new(false),
        error: RwSignal::new(None),
    };
    let viewer = StoredValue::new(viewer);
    let signed_in = viewer.with_value(Option::is_some);
    let manager = Memo::new(move |_| viewer.with_value(|v| can_manage(v.as_ref(), state.membership.get().as_ref())));
    let tab = RwSignal::new("overview");
    let tabs = Signal::derive(move || {
        let mut tabs = vec![
            ("overview", t(Msg::Overview)),
            ("members", t(Msg::NavMembers)),
            ("discussions", t(Msg::NavDiscussions)),
            ("library", t(Msg::NavLibrary)),
            ("events", t(Msg::NavEvents)),
        ];
        if manager.get() {
            tabs.push(("manage", t(Msg::Manage)));
        }
        tabs
    });
    Effect::new(move |_| {
        if !manager.get() && tab.get_untracked() == "manage" {
            tab.set("overview");
        }
    });
    let slug = state.group.with_untracked(|g| g.slug.clone());
    let on_change = Callback::new(move |_| state.reload());
    let kind = Memo::new(move |_| state.group.with(|g| (g.visibility, g.archived)));
    view! {
        {move || state.gone.get().then(|| view! { <Redirect path="/groups"/> })}
        <header class="group-header">
            <h1 id="group-title">{move || state.group.with(|g| g.name.clone())}</h1>
            <p class="meta">
                {move || state.group.with(|g| {
                    (g.visibility == GroupVisibility::Private).then(|| view! { <span class="badge">{t(Msg::Private)}</span> })
                })}
                <span data-testid="member-count">{move || state.group.with(|g| i18n::members_count(g.member_count))}</span>
            </p>
            {move || state.group.with(|g| g.archived).then(|| view! {
                <p class="notice archived" role="note">{t(Msg::ArchivedNotice)}</p>
            })}
            {signed_in.then_some({
                // The buttons depend on the group's visibility and state: rebuild them when those change.
                move || {
                    let (visibility, archived) = kind.get();
                    view! {
                        <MembershipActions
                            slug=slug.clone()
                            visibility=visibility
                            archived=archived
                            membership=state.membership
                            full=true
                            describedby="group-title"
                            on_change=on_change
                        />
                    }
                }
            })}
            {signed_in.then(|| {
                let id = state.group.with_untracked(|g| g.id.clone());
                view! { <div class="page-actions"><WatchToggle target=WatchTarget::Group id=id/></div> }
            })}
            {move || state.error.get().map(|e| view! { <ErrorAlert message=e.message()/> })}
        </header>
        <TabList prefix="group" label=t(Msg::GroupSections) tabs=tabs selected=tab/>
        {move || {
            let key = tab.get();
            let body = match key {
                "overview" => view! { <Overview state=state/> }.into_any(),
                "members" if signed_in => view! { <Members state=state/> }.into_any(),
                "members" => view! { <p class="notice">{t(Msg::SignInToSeeMembers)}</p> }.into_any(),
                "discussions" => view! { <GroupTopics state=state viewer=viewer.get_value()/> }.into_any(),
                "library" => view! { <GroupLibrary state=state viewer=viewer.get_value()/> }.into_any(),
                "events" => view! { <GroupEvents state=state viewer=viewer.get_value()/> }.into_any(),
                _ => view! { <ManagePanel state=state viewer=viewer.get_value()/> }.into_any(),
            };
            view! { <TabPanel prefix="group" key=key>{body}</TabPanel> }
        }}
    }
}

#[component]
fn Overview(state: GroupState) -> impl IntoView {
    view! {
        <div class="card">
            {move || {
                let html = state.group.with(|g| g.description_html.clone());
                if html.trim().is_empty() {
                    view! { <p class="empty">{t(Msg::NoDescription)}</p> }.into_any()
                } else {
                    view! { <div class="prose" inner_html=html></div> }.into_any()
                }
            }}
            <p class="meta">
                {t(Msg::CreatedOn)} " "
                {move || state.group.with(|g| view! { <time datetime=format::iso(g.created_at)>{format::date(g.created_at)}</time> })}
            </p>
        </div>
    }
}

fn members_query(slug: String, cursor: Option<String>) -> ListGroupMembers {
    ListGroupMembers { group: slug, status: Some(MembershipStatus::Active), limit: None, cursor }
}

/// The group's active members, by name, facilitators marked.
#[component]
fn Members(state: GroupState) -> impl IntoView {
    let slug = state.group.with_untracked(|g| g.slug.clone());
    let resource = LocalResource::new({
        let slug = slug.clone();
        move || {
            let query = members_query(slug.clone(), None);
            async move { api::call(&query).await }
        }
    });
    let slug = StoredValue::new(slug);
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(page) => {
                    let paged = Paged::new(page);
                    let on_load = Callback::new(move |_| {
                        let slug = slug.get_value();
                        paged.load_more(move |cursor| async move { api::call(&members_query(slug, Some(cursor))).await })
                    });
                    view! {
                        {move || paged.is_empty().then(|| view! { <Empty text=t(Msg::NoGroupMembers)/> })}
                        <ul class="rows" aria-label=t(Msg::NavMembers)>
                            <For each=move || paged.items.get() key=|m: &GroupMember| m.member.id.clone() let(m)>
                                <li class="row" data-testid="group-member">
                                    <div class="row-main">
                                        <span class="row-title">
                                            <strong>{m.member.display_name.clone()}</strong>
                                            {(m.role == GroupRole::Facilitator).then(|| view! {
                                                " " <span class="badge">{t(Msg::FacilitatorBadge)}</span>
                                            })}
                                        </span>
                                        <span class="meta">
                                            {t(Msg::MemberSince)} " "
                                            <time datetime=format::iso(m.since)>{format::date(m.since)}</time>
                                        </span>
                                    </div>
                                </li>
                            </For>
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

/// On a group's address that shows nothing (a private group, or none at all): a
/// member may still ask to join. The server answers the same whether or not such a
/// group exists, so nothing is revealed.
#[component]
fn AskToJoin(slug: String) -> impl IntoView {
    let busy = RwSignal::new(false);
    let sent = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let slug = StoredValue::new(slug);
    let ask = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::call(&JoinGroup { group: slug.get_value() }).await {
                Ok(_) => sent.set(true),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card ask-to-join" aria-labelledby="ask-title">
            <h2 id="ask-title">{t(Msg::PrivateGroupTitle)}</h2>
            <p>{t(Msg::PrivateGroupAsk)}</p>
            {move || if sent.get() {
                view! { <p class="status-note" role="status" data-testid="request-sent">{t(Msg::RequestSentLong)}</p> }.into_any()
            } else {
                view! {
                    <button type="button" class="primary" disabled=move || busy.get() on:click=ask>{t(Msg::RequestToJoin)}</button>
                }
                .into_any()
            }}
            {move || error.get().map(|e| view! { <ErrorAlert message=e.message()/> })}
        </section>
    }
}

/// The group's topics, and for those who take part a link to start one here.
/// Whether the viewer may add content to the group: staff, or an active member of a
/// group that is not archived.
fn can_contribute(state: GroupState, viewer: Option<&User>) -> impl Fn() -> bool + Copy + use<> {
    let staff = viewer.is_some_and(|u| u.role.is_staff());
    move || {
        staff
            || state.membership.with(|m| m.as_ref().is_some_and(|m| m.status == MembershipStatus::Active))
                && !state.group.with(|g| g.archived)
    }
}

#[component]
fn GroupTopics(state: GroupState, viewer: Option<User>) -> impl IntoView {
    let slug = state.group.with_untracked(|g| g.slug.clone());
    let new_href = format!("/discussions/new?group={slug}");
    let can_post = can_contribute(state, viewer.as_ref());
    let query = ListTopics { group: Some(slug), ..ListTopics::default() };
    view! {
        {move || can_post().then(|| view! {
            <div class="page-actions">
                <a class="button primary" href=new_href.clone()>{t(Msg::NewTopicInGroup)}</a>
            </div>
        })}
        <TopicList query=Signal::stored(query) empty=Msg::NoGroupTopics/>
    }
}

#[component]
fn GroupLibrary(state: GroupState, viewer: Option<User>) -> impl IntoView {
    let slug = state.group.with_untracked(|g| g.slug.clone());
    let new_href = format!("/library/new?group={slug}");
    let can_share = can_contribute(state, viewer.as_ref());
    let query = ListLibraryItems { group: Some(slug), ..ListLibraryItems::default() };
    view! {
        {move || can_share().then(|| view! {
            <div class="page-actions">
                <a class="button primary" href=new_href.clone()>{t(Msg::ShareInGroup)}</a>
            </div>
        })}
        <ItemList query=Signal::stored(query)/>
    }
}

/// The group's upcoming events, "New event in this group" for those who take part,
/// and the group's calendar feed.
#[component]
fn GroupEvents(state: GroupState, viewer: Option<User>) -> impl IntoView {
    let slug = state.group.with_untracked(|g| g.slug.clone());
    let new_href = format!("/events/new?group={slug}");
    let can_create = can_contribute(state, viewer.as_ref());
    let query = ListEvents { group: Some(slug.clone()), ..ListEvents::default() };
    view! {
        {move || can_create().then(|| view! {
            <div class="page-actions">
                <a class="button primary" href=new_href.clone()>{t(Msg::NewEventInGroup)}</a>
            </div>
        })}
        <EventList query=Signal::stored(query) empty=Msg::NoGroupEvents/>
        <FeedPanel group=Some(slug) signed_in=viewer.is_some()/>
    }
}

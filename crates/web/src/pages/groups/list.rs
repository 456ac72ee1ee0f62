//! The groups page: "My groups" and "All groups" as tabs of cards, and for site staff
//! the form that creates a group.

use copse_shared::endpoints::{CreateGroup, ListGroups};
use copse_shared::groups::{CreateGroupRequest, Group, GroupVisibility};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::{MembershipActions, is_staff};
use crate::api::{self, ApiError};
use crate::components::field::{TextArea, TextField};
use crate::components::group_card::GroupCard;
use crate::components::status::{Empty, ErrorAlert, Loading};
use crate::components::tabs::{TabList, TabPanel};
use crate::i18n::{Msg, t};
use crate::pages::paged::Paged;
use crate::state::{SessionState, use_session};

#[component]
pub fn GroupsPage() -> impl IntoView {
    let session = use_session();
    view! {
        <h1>{t(Msg::GroupsTitle)}</h1>
        <p class="lead">{t(Msg::GroupsLead)}</p>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            SessionState::SignedOut => view! {
                <p class="notice">
                    {t(Msg::GroupsSignInNotice)} " " <a href="/login">{t(Msg::SignIn)}</a>
                </p>
                <GroupList mine=false signed_in=false include_archived=Signal::stored(false)/>
            }
            .into_any(),
            SessionState::SignedIn(user) => {
                let staff = is_staff(Some(&user));
                view! { <SignedInGroups staff=staff/> }.into_any()
            }
        }}
    }
}

#[component]
fn SignedInGroups(staff: bool) -> impl IntoView {
    let tab = RwSignal::new("mine");
    let include_archived = RwSignal::new(false);
    let creating = RwSignal::new(false);
    let tabs = vec![("mine", t(Msg::MyGroups)), ("all", t(Msg::AllGroups))];
    view! {
        {staff.then(|| view! {
            <div class="page-actions">
                <button
                    type="button"
                    class="primary"
                    aria-expanded=move || creating.get().to_string()
                    aria-controls="new-group"
                    on:click=move |_| creating.update(|open| *open = !*open)
                >
                    {t(Msg::NewGroup)}
                </button>
            </div>
            <Show when=move || creating.get()>
                <NewGroupForm on_cancel=Callback::new(move |_| creating.set(false))/>
            </Show>
        })}
        <TabList prefix="groups" label=t(Msg::GroupsTitle) tabs=tabs selected=tab/>
        {move || match tab.get() {
            "mine" => view! {
                <TabPanel prefix="groups" key="mine">
                    <GroupList mine=true signed_in=true include_archived=Signal::stored(false)/>
                </TabPanel>
            }
            .into_any(),
            _ => view! {
                <TabPanel prefix="groups" key="all">
                    {staff.then(|| view! {
                        <div class="field checkbox filters">
                            <input
                                id="include_archived"
                                type="checkbox"
                                prop:checked=move || include_archived.get()
                                on:change=move |ev| include_archived.set(event_target_checked(&ev))
                            />
                            " "
                            <label for="include_archived">{t(Msg::IncludeArchived)}</label>
                        </div>
                    })}
                    <GroupList mine=false signed_in=true include_archived=include_archived.into()/>
                </TabPanel>
            }
            .into_any(),
        }}
    }
}

fn list_query(mine: bool, include_archived: bool, cursor: Option<String>) -> ListGroups {
    ListGroups { mine: mine.then_some(true), include_archived: include_archived.then_some(true), limit: None, cursor }
}

/// One list of groups, loaded page by page.
#[component]
fn GroupList(mine: bool, signed_in: bool, include_archived: Signal<bool>) -> impl IntoView {
    let resource = LocalResource::new(move || {
        let query = list_query(mine, include_archived.get(), None);
        async move { api::call(&query).await }
    });
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(page) => {
                    let paged = Paged::new(page);
                    let archived = include_archived.get_untracked();
                    let on_load = Callback::new(move |_| {
                        paged.load_more(move |cursor| async move { api::call(&list_query(mine, archived, Some(cursor))).await })
                    });
                    view! {
                        {move || paged.is_empty().then(|| view! {
                            <Empty text=t(if mine { Msg::NoGroupsMine } else { Msg::NoGroups })/>
                        })}
                        <div class="grid groups">
                            <For each=move || paged.items.get() key=|g: &Group| g.id.clone() let(group)>
                                <GroupItem group=group signed_in=signed_in/>
                            </For>
                        </div>
                        {paged.footer(on_load)}
                    }
                    .into_any()
                }
                Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn GroupItem(group: Group, signed_in: bool) -> impl IntoView {
    let membership = RwSignal::new(group.my_membership.clone());
    let slug = group.slug.clone();
    let (visibility, archived) = (group.visibility, group.archived);
    let title_id = format!("group-{slug}-title");
    view! {
        <GroupCard group=group>
            {signed_in.then(|| view! {
                <MembershipActions
                    slug=slug.clone()
                    visibility=visibility
                    archived=archived
                    membership=membership
                    describedby=title_id.clone()
                />
            })}
        </GroupCard>
    }
}

/// Site staff's form for a new group; on success it opens the group's page.
#[component]
fn NewGroupForm(on_cancel: Callback<()>) -> impl IntoView {
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let visibility = RwSignal::new(GroupVisibility::Public);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let field = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(name)));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let wanted_slug = slug.get_untracked().trim().to_owned();
        let request = CreateGroupRequest {
            name: name.get_untracked(),
            slug: (!wanted_slug.is_empty()).then_some(wanted_slug),
            description: description.get_untracked(),
            visibility: visibility.get_untracked(),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::call(&CreateGroup(request)).await {
                Ok(group) => navigate(&format!("/groups/{}", group.slug), Default::default()),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let about_a_field =
        move |e: &ApiError| ["name", "slug", "description", "visibility"].iter().any(|f| e.field(f).is_some());
    view! {
        <form id="new-group" class="card new-group" on:submit=submit novalidate aria-labelledby="new-group-title">
            <h2 id="new-group-title">{t(Msg::NewGroup)}</h2>
            {move || error.get().filter(|e| !about_a_field(e)).map(|e| view! { <ErrorAlert message=e.message()/> })}
            <TextField id="group-name" label=t(Msg::GroupName) value=name error=field("name")/>
            <TextField id="group-slug" label=t(Msg::GroupSlug) hint=t(Msg::GroupSlugHint) value=slug error=field("slug") required=false/>
            <TextArea id="group-description" label=t(Msg::GroupDescription) hint=t(Msg::MarkdownHint) value=description error=field("description")/>
            <VisibilitySelect id="group-visibility" value=visibility/>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { t(Msg::Working) } else { t(Msg::CreateGroup) }}
                </button>
                <button class="secondary" type="button" on:click=move |_| on_cancel.run(())>{t(Msg::Cancel)}</button>
            </div>
        </form>
    }
}

/// The public / private choice with what each means.
#[component]
pub fn VisibilitySelect(id: &'static str, value: RwSignal<GroupVisibility>) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{t(Msg::Visibility)}</label>
            <select
                id=id
                aria-describedby=hint_id.clone()
                on:change=move |ev| {
                    if let Some(v) = GroupVisibility::parse(&event_target_value(&ev)) {
                        value.set(v);
                    }
                }
            >
                <option value="public" selected=move || value.get() == GroupVisibility::Public>{t(Msg::VisibilityPublic)}</option>
                <option value="private" selected=move || value.get() == GroupVisibility::Private>{t(Msg::VisibilityPrivate)}</option>
            </select>
            <p class="hint" id=hint_id>{t(Msg::VisibilityHint)}</p>
        </div>
    }
}

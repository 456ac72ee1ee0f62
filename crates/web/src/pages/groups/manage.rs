//! The Manage tab, for a group's facilitators and site staff: requests to join,
//! invitations, inviting by email, members' roles and removal; and for site staff,
//! editing the group (with its ETag) and archiving it; and a way to the group's
//! partner API keys.

use copse_shared::ErrorCode;
use copse_shared::auth::{Role, User};
use copse_shared::endpoints::{
    ApproveGroupRequest, ArchiveGroup, ChangeGroupRole, DenyGroupRequest, InviteToGroup, ListGroupMembers,
    RemoveGroupMember, UnarchiveGroup, UpdateGroup,
};
use copse_shared::groups::{
    ChangeGroupRoleRequest, GroupMember, GroupRole, InviteToGroupRequest, MembershipStatus, UpdateGroupRequest,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::detail::GroupState;
use super::list::VisibilitySelect;
use super::{facilitates, is_staff};
use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::field::{TextArea, TextField};
use crate::components::status::{Empty, ErrorAlert, Loading, StatusNote};
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::api_keys::GroupKeysLink;
use crate::pages::paged::Paged;

#[component]
pub fn ManagePanel(state: GroupState, viewer: Option<User>) -> impl IntoView {
    let staff = is_staff(viewer.as_ref());
    let admin = viewer.as_ref().is_some_and(|u| u.role == Role::Admin);
    // Bumped after a change that moves people between the lists: they all reload.
    let version = RwSignal::new(0_u32);
    let changed = Callback::new(move |_| {
        version.update(|v| *v += 1);
        state.reload();
    });
    let archived = move || state.group.with(|g| g.archived);
    view! {
        <div class="manage">
            <p class="notice">
                {t(Msg::FlaggedPostsHint)} " "
                <a href=if staff { "/admin/flags" } else { "/moderation" }>{t(Msg::ModerationQueue)}</a>
            </p>
            <MembershipSection state=state status=MembershipStatus::Requested version=version on_change=changed/>
            {move || (!archived()).then(|| view! { <InviteForm state=state on_change=changed/> })}
            <MembershipSection state=state status=MembershipStatus::Invited version=version on_change=changed/>
            <MembershipSection state=state status=MembershipStatus::Active version=version on_change=changed/>
            {move || (!archived()).then(|| view! { <EditGroup state=state staff=staff/> })}
            {staff.then(|| view! { <ArchiveControls state=state/> })}
            // The server lets admins and the group's own facilitators make keys for it
            // (being a site facilitator is not enough).
            {move || {
                (admin || state.membership.with(|m| facilitates(m.as_ref())))
                    .then(|| view! { <GroupKeysLink slug=state.group.with(|g| g.slug.clone())/> })
            }}
        </div>
    }
}

/// Edits the name, description and (for site staff) visibility, sending the ETag it
/// read so a concurrent edit is refused rather than overwritten.
#[component]
fn EditGroup(state: GroupState, staff: bool) -> impl IntoView {
    let initial = state.group.get_untracked();
    let name = RwSignal::new(initial.name);
    let description = RwSignal::new(initial.description);
    let visibility = RwSignal::new(initial.visibility);
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let field = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(name)));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        saved.set(false);
        error.set(None);
        let slug = state.group.with_untracked(|g| g.slug.clone());
        let body = UpdateGroupRequest {
            name: name.get_untracked(),
            description: description.get_untracked(),
            visibility: visibility.get_untracked(),
        };
        let current = state.etag.get_untracked();
        spawn_local(async move {
            match api::call_with(&UpdateGroup { group: slug, body }, &[("If-Match", &current)]).await {
                Ok(answer) => {
                    let etag = answer.headers.get("etag").unwrap_or_default();
                    state.replace(answer.body, etag);
                    saved.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let reload = move |_| {
        busy.set(true);
        let slug = state.group.with_untracked(|g| g.slug.clone());
        spawn_local(async move {
            match super::load_group(slug).await {
                Ok((group, etag)) => {
                    name.set(group.name.clone());
                    description.set(group.description.clone());
                    visibility.set(group.visibility);
                    state.replace(group, etag);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let stale = move || error.with(|e| e.as_ref().and_then(ApiError::code) == Some(ErrorCode::PreconditionFailed));
    let about_a_field = move |e: &ApiError| ["name", "description", "visibility"].iter().any(|f| e.field(f).is_some());
    view! {
        <section class="card" aria-labelledby="edit-group-title">
            <h2 id="edit-group-title">{t(Msg::EditGroup)}</h2>
            <form on:submit=submit novalidate>
                {move || error.get().filter(|e| !about_a_field(e)).map(|e| view! { <ErrorAlert message=e.message()/> })}
                {move || stale().then(|| view! {
                    <p>
                        <button type="button" class="secondary" on:click=reload disabled=move || busy.get()>
                            {t(Msg::LoadLatest)}
                        </button>
                    </p>
                })}
                {move || saved.get().then(|| view! { <p class="notice" role="status">{t(Msg::Saved)}</p> })}
                <TextField id="edit-name" label=t(Msg::GroupName) value=name error=field("name")/>
                <TextArea id="edit-description" label=t(Msg::GroupDescription) hint=t(Msg::MarkdownHint) value=description error=field("description")/>
                {staff.then(|| view! { <VisibilitySelect id="edit-visibility" value=visibility/> })}
                <button class="primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { t(Msg::Working) } else { t(Msg::Save) }}
                </button>
            </form>
        </section>
    }
}

/// Archive (asking first) or unarchive, for site staff.
#[component]
fn ArchiveControls(state: GroupState) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let set_archived = move |archive: bool| {
        busy.set(true);
        error.set(None);
        let group = state.group.with_untracked(|g| g.slug.clone());
        spawn_local(async move {
            let result = if archive {
                api::call_with(&ArchiveGroup { group }, &[]).await
            } else {
                api::call_with(&UnarchiveGroup { group }, &[]).await
            };
            match result {
                Ok(answer) => {
                    let etag = answer.headers.get("etag").unwrap_or_default();
                    state.replace(answer.body, etag);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="archive-title">
            <h2 id="archive-title">{t(Msg::ArchiveTitle)}</h2>
            {move || error.get().map(|e| view! { <ErrorAlert message=e.message()/> })}
            {move || if state.group.with(|g| g.archived) {
                view! {
                    <p>{t(Msg::UnarchiveHint)}</p>
                    <button type="button" class="secondary" disabled=move || busy.get() on:click=move |_| set_archived(false)>
                        {t(Msg::Unarchive)}
                    </button>
                }
                .into_any()
            } else {
                view! {
                    <p>{t(Msg::ArchiveHint)}</p>
                    <ConfirmButton
                        label=t(Msg::Archive)
                        question=t(Msg::ArchiveQuestion)
                        confirm=t(Msg::ArchiveConfirm)
                        busy=busy
                        on_confirm=Callback::new(move |_| set_archived(true))
                    />
                }
                .into_any()
            }}
        </section>
    }
}

/// Invites an existing member by their email address.
#[component]
fn InviteForm(state: GroupState, on_change: Callback<()>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        done.set(None);
        let group = state.group.with_untracked(|g| g.slug.clone());
        let body = InviteToGroupRequest { email: email.get_untracked().trim().to_owned() };
        spawn_local(async move {
            match api::call(&InviteToGroup { group, body }).await {
                Ok(member) => {
                    let msg =
                        if member.status == MembershipStatus::Active { Msg::NowAMember } else { Msg::InvitationSent };
                    done.set(Some(i18n::fill(msg, &[("name", &member.member.display_name)])));
                    email.set(String::new());
                    on_change.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="invite-title">
            <h2 id="invite-title">{t(Msg::InviteToGroup)}</h2>
            <form on:submit=submit novalidate>
                {move || error.get().filter(|e| e.field("email").is_none()).map(|e| view! { <ErrorAlert message=e.message()/> })}
                <StatusNote message=done.into()/>
                <TextField
                    id="invite-email"
                    label=t(Msg::Email)
                    kind="email"
                    hint=t(Msg::InviteToGroupHint)
                    value=email
                    error=Signal::derive(move || error.get().and_then(|e| e.field("email")))
                />
                <button class="primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { t(Msg::Working) } else { t(Msg::SendInvitation) }}
                </button>
            </form>
        </section>
    }
}

fn list_query(group: String, status: MembershipStatus, cursor: Option<String>) -> ListGroupMembers {
    ListGroupMembers { group, status: Some(status), limit: None, cursor }
}

/// One list of memberships: requests, invitations or members.
#[component]
fn MembershipSection(
    state: GroupState,
    status: MembershipStatus,
    version: RwSignal<u32>,
    on_change: Callback<()>,
) -> impl IntoView {
    let slug = StoredValue::new(state.group.with_untracked(|g| g.slug.clone()));
    let resource = LocalResource::new(move || {
        version.track();
        let query = list_query(slug.get_value(), status, None);
        async move { api::call(&query).await }
    });
    let (title, empty) = match status {
        MembershipStatus::Requested => (Msg::PendingRequests, Msg::NoPendingRequests),
        MembershipStatus::Invited => (Msg::GroupInvitations, Msg::NoGroupInvitations),
        MembershipStatus::Active => (Msg::GroupMembersTitle, Msg::NoGroupMembers),
    };
    let title_id = format!("manage-{}-title", status.as_str());
    let labelled_by = title_id.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=title_id>{t(title)}</h2>
            <Transition fallback=|| view! { <Loading/> }>
                {move || resource.get().map(|result| match result {
                    Ok(page) => {
                        let paged = Paged::new(page);
                        let on_load = Callback::new(move |_| {
                            let slug = slug.get_value();
                            paged.load_more(move |cursor| async move { api::call(&list_query(slug, status, Some(cursor))).await })
                        });
                        view! {
                            {move || paged.is_empty().then(|| view! { <Empty text=t(empty)/> })}
                            <ul class="rows">
                                <For each=move || paged.items.get() key=|m: &GroupMember| m.member.id.clone() let(entry)>
                                    <MembershipRow state=state entry=entry on_change=on_change/>
                                </For>
                            </ul>
                            {paged.footer(on_load)}
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn MembershipRow(state: GroupState, entry: GroupMember, on_change: Callback<()>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let role = RwSignal::new(entry.role);
    let user = StoredValue::new(entry.member.id.clone());
    let status = entry.status;
    let name = entry.member.display_name.clone();
    let name_id = format!("gm-{}-{}", status.as_str(), entry.member.id);
    let select_id = format!("gm-role-{}", entry.member.id);
    let group = move || state.group.with_untracked(|g| g.slug.clone());
    // Approve, deny, remove: on success every list reloads.
    let act = move |kind: &'static str| {
        busy.set(true);
        error.set(None);
        let (group, user) = (group(), user.get_value());
        spawn_local(async move {
            let result = match kind {
                "approve" => api::call(&ApproveGroupRequest { group, user }).await.map(|_| ()),
                "deny" => api::call(&DenyGroupRequest { group, user }).await,
                _ => api::call(&RemoveGroupMember { group, user }).await,
            };
            busy.set(false);
            match result {
                Ok(()) => on_change.run(()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let change_role = move |value: String| {
        let Some(wanted) = GroupRole::parse(&value) else { return };
        busy.set(true);
        error.set(None);
        let (group, user) = (group(), user.get_value());
        spawn_local(async move {
            match api::call(&ChangeGroupRole { group, user, body: ChangeGroupRoleRequest { role: wanted } }).await {
                Ok(member) => {
                    role.set(member.role);
                    // The viewer may have changed their own role.
                    state.reload();
                }
                Err(e) => {
                    // Put the select back to the role the member still has.
                    role.set(role.get_untracked());
                    error.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    let since = match status {
        MembershipStatus::Requested => Msg::AskedOn,
        MembershipStatus::Invited => Msg::InvitedOn,
        MembershipStatus::Active => Msg::MemberSince,
    };
    let actions = match status {
        MembershipStatus::Requested => view! {
            <button type="button" class="primary" aria-describedby=name_id.clone() disabled=move || busy.get() on:click=move |_| act("approve")>
                {t(Msg::Approve)}
            </button>
            <button type="button" class="secondary" aria-describedby=name_id.clone() disabled=move || busy.get() on:click=move |_| act("deny")>
                {t(Msg::Deny)}
            </button>
        }
        .into_any(),
        MembershipStatus::Invited => view! {
            <ConfirmButton
                label=t(Msg::CancelInvitation)
                question=t(Msg::CancelInvitationQuestion)
                confirm=t(Msg::CancelInvitationConfirm)
                busy=busy
                describedby=name_id.clone()
                on_confirm=Callback::new(move |_| act("remove"))
            />
        }
        .into_any(),
        MembershipStatus::Active => view! {
            <label class="visually-hidden" for=select_id.clone()>{i18n::fill(Msg::RoleOf, &[("name", &name)])}</label>
            <select
                id=select_id.clone()
                class="compact"
                disabled=move || busy.get()
                on:change=move |ev| change_role(event_target_value(&ev))
            >
                <option value="member" prop:selected=move || role.get() == GroupRole::Member>{t(Msg::GroupRoleMember)}</option>
                <option value="facilitator" prop:selected=move || role.get() == GroupRole::Facilitator>
                    {t(Msg::GroupRoleFacilitator)}
                </option>
            </select>
            <ConfirmButton
                label=t(Msg::Remove)
                question=t(Msg::RemoveQuestion)
                confirm=t(Msg::RemoveConfirm)
                busy=busy
                describedby=name_id.clone()
                on_confirm=Callback::new(move |_| act("remove"))
            />
        }
        .into_any(),
    };
    view! {
        <li class="row">
            <div class="row-main">
                <strong id=name_id.clone()>{name.clone()}</strong>
                <span class="meta">
                    {t(since)} " " <time datetime=format::iso(entry.since)>{format::date(entry.since)}</time>
                </span>
            </div>
            <div class="row-actions">{actions}</div>
            {move || error.get().map(|e| view! { <p class="field-error row-error" role="alert">{e.message()}</p> })}
        </li>
    }
}

//! Groups: the list of groups (mine and all), one group's page with its tabs, and the
//! management tab for its facilitators and site staff.

pub mod detail;
pub mod list;
pub mod manage;

use copse_shared::auth::User;
use copse_shared::endpoints::{GetGroup, JoinGroup, LeaveGroup};
use copse_shared::groups::{Group, GroupRole, GroupVisibility, MembershipStatus, MyMembership};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::i18n::{Msg, t};

pub use detail::GroupPage;
pub use list::GroupsPage;

/// Loads a group with the ETag to send back when editing it.
pub async fn load_group(slug: String) -> Result<(Group, String), ApiError> {
    let answer = api::call_with(&GetGroup { group: slug }, &[]).await?;
    let etag = answer.headers.get("etag").unwrap_or_default();
    Ok((answer.body, etag))
}

/// Whether the viewer is a site facilitator or admin.
pub fn is_staff(viewer: Option<&User>) -> bool {
    viewer.is_some_and(|user| user.role.is_staff())
}

/// Whether the viewer may manage the group's members: its active facilitators and
/// site staff (the server decides; this only hides what would be refused).
pub fn can_manage(viewer: Option<&User>, membership: Option<&MyMembership>) -> bool {
    is_staff(viewer) || (viewer.is_some() && facilitates(membership))
}

/// Whether a membership makes its member one of the group's active facilitators.
pub fn facilitates(membership: Option<&MyMembership>) -> bool {
    membership.is_some_and(|m| m.role == GroupRole::Facilitator && m.status == MembershipStatus::Active)
}

/// The viewer's standing in a group and the buttons that change it: Join or Request
/// to join; Accept (and Decline) an invitation; Leave or Withdraw a request.
#[component]
pub fn MembershipActions(
    /// The group's slug.
    slug: String,
    /// Its visibility.
    visibility: GroupVisibility,
    /// Archived groups accept no joins.
    archived: bool,
    /// The viewer's membership, updated when it changes.
    membership: RwSignal<Option<MyMembership>>,
    /// Offer Leave, Decline and Withdraw too (the group's own page does).
    #[prop(optional)]
    full: bool,
    /// Id of the element naming the group, for screen readers.
    #[prop(optional, into)]
    describedby: Option<String>,
    /// Told after a change, so the page can reload the group.
    #[prop(optional)]
    on_change: Option<Callback<()>>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let slug = StoredValue::new(slug);
    let notify = move || {
        if let Some(callback) = on_change {
            callback.run(());
        }
    };
    let join = move |_| {
        busy.set(true);
        error.set(None);
        let role = membership.get_untracked().map(|m| m.role).unwrap_or(GroupRole::Member);
        spawn_local(async move {
            match api::call(&JoinGroup { group: slug.get_value() }).await {
                Ok(result) => {
                    membership.set(Some(MyMembership { role, status: result.status }));
                    notify();
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let leave = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::call(&LeaveGroup { group: slug.get_value() }).await {
                Ok(()) => {
                    membership.set(None);
                    notify();
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let describedby = StoredValue::new(describedby);
    let action = move |text: Msg, primary: bool, joining: bool| {
        view! {
            <button
                type="button"
                class=if primary { "primary" } else { "secondary" }
                aria-describedby=describedby.get_value()
                disabled=move || busy.get()
                on:click=move |ev| if joining { join(ev) } else { leave(ev) }
            >
                {t(text)}
            </button>
        }
    };
    view! {
        <div class="membership">
            {move || {
                if archived {
                    return membership.get().filter(|m| m.status == MembershipStatus::Active).map(|_| {
                        view! { <span class="badge">{t(Msg::MemberBadge)}</span> }.into_any()
                    });
                }
                Some(match membership.get() {
                    None if visibility == GroupVisibility::Public => action(Msg::JoinGroup, true, true).into_any(),
                    None => action(Msg::RequestToJoin, true, true).into_any(),
                    Some(MyMembership { status: MembershipStatus::Requested, .. }) => view! {
                        <span class="badge">{t(Msg::RequestSent)}</span>
                        {full.then(|| action(Msg::WithdrawRequest, false, false))}
                    }
                    .into_any(),
                    Some(MyMembership { status: MembershipStatus::Invited, .. }) => view! {
                        <span class="badge">{t(Msg::Invited)}</span>
                        {action(Msg::AcceptInvitation, true, true)}
                        {full.then(|| action(Msg::DeclineInvitation, false, false))}
                    }
                    .into_any(),
                    Some(MyMembership { status: MembershipStatus::Active, role }) => view! {
                        <span class="badge">
                            {t(if role == GroupRole::Facilitator { Msg::FacilitatorBadge } else { Msg::MemberBadge })}
                        </span>
                        {full.then(|| action(Msg::LeaveGroup, false, false))}
                    }
                    .into_any(),
                })
            }}
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e.message()}</p> })}
        </div>
    }
}

//! Every account, filtered by status and role: admins change site roles; staff
//! suspend and reinstate (facilitators only plain members, nobody themselves).

use copse_shared::auth::{AccountStatus, Role, User};
use copse_shared::endpoints::{ChangeMemberRole, ListMembers, ReinstateMember, SuspendMember};
use copse_shared::members::ChangeRoleRequest;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::invitations::role_label;
use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::status::{Empty, ErrorAlert, Loading};
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::paged::Paged;

fn query(status: Option<AccountStatus>, role: Option<Role>, cursor: Option<String>) -> ListMembers {
    ListMembers { status, role, limit: None, cursor }
}

/// The label of an account status.
fn status_label(status: AccountStatus) -> &'static str {
    t(match status {
        AccountStatus::Active => Msg::StatusActive,
        AccountStatus::Pending => Msg::StatusPending,
        AccountStatus::Suspended => Msg::StatusSuspended,
    })
}

#[component]
pub fn Members(me: User) -> impl IntoView {
    let status = RwSignal::new(None::<AccountStatus>);
    let role = RwSignal::new(None::<Role>);
    let resource = LocalResource::new(move || {
        let q = query(status.get(), role.get(), None);
        async move { api::call(&q).await }
    });
    let me = StoredValue::new(me);
    view! {
        <h2>{t(Msg::NavMembers)}</h2>
        <div class="filters" role="group" aria-label=t(Msg::Filters)>
            <div class="field">
                <label for="filter-status">{t(Msg::Status)}</label>
                <select id="filter-status" on:change=move |ev| status.set(AccountStatus::parse(&event_target_value(&ev)))>
                    <option value="">{t(Msg::AnyStatus)}</option>
                    {[AccountStatus::Active, AccountStatus::Pending, AccountStatus::Suspended]
                        .into_iter()
                        .map(|s| view! { <option value=s.as_str()>{status_label(s)}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-role">{t(Msg::Role)}</label>
                <select id="filter-role" on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)))>
                    <option value="">{t(Msg::AnyRole)}</option>
                    {[Role::Admin, Role::Facilitator, Role::Member]
                        .into_iter()
                        .map(|r| view! { <option value=r.as_str()>{role_label(r)}</option> })
                        .collect_view()}
                </select>
            </div>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(page) => {
                    let paged = Paged::new(page);
                    let (s, r) = (status.get_untracked(), role.get_untracked());
                    let on_load = Callback::new(move |_| {
                        paged.load_more(move |cursor| async move { api::call(&query(s, r, Some(cursor))).await })
                    });
                    view! {
                        {move || paged.is_empty().then(|| view! { <Empty text=t(Msg::NoMembersFound)/> })}
                        <ul class="rows" data-testid="admin-members">
                            <For each=move || paged.items.get() key=|u: &User| u.id.clone() let(user)>
                                <MemberRow user=user me=me.get_value()/>
                            </For>
                        </ul>
                        {paged.footer(on_load)}
                    }
                    .into_any()
                }
                Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn MemberRow(user: User, me: User) -> impl IntoView {
    let account = RwSignal::new(user.clone());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = StoredValue::new(user.id.clone());
    let is_self = user.id == me.id;
    let admin = me.role == Role::Admin;
    let name_id = format!("member-{}", user.id);
    let select_id = format!("member-role-{}", user.id);
    // The server decides; these only hide what it would refuse.
    let may_suspend = move || !is_self && (admin || account.with(|a| a.role == Role::Member));
    let apply = move |result: Result<User, ApiError>| match result {
        Ok(updated) => account.set(updated),
        Err(e) => {
            // Put the controls back as the account still is.
            account.set(account.get_untracked());
            error.set(Some(e));
        }
    };
    let change_role = move |value: String| {
        let Some(wanted) = Role::parse(&value) else { return };
        busy.set(true);
        error.set(None);
        let id = id.get_value();
        spawn_local(async move {
            apply(api::call(&ChangeMemberRole { id, body: ChangeRoleRequest { role: wanted } }).await);
            busy.set(false);
        });
    };
    let set_suspended = move |suspend: bool| {
        busy.set(true);
        error.set(None);
        let id = id.get_value();
        spawn_local(async move {
            let result =
                if suspend { api::call(&SuspendMember { id }).await } else { api::call(&ReinstateMember { id }).await };
            apply(result);
            busy.set(false);
        });
    };
    view! {
        <li class="row" data-testid="admin-member">
            <div class="row-main">
                <span class="row-title">
                    <strong id=name_id.clone()>{user.display_name.clone()}</strong>
                    {is_self.then(|| view! { " " <span class="badge muted">{t(Msg::You)}</span> })}
                </span>
                <span class="meta">{user.email.clone()}</span>
                <span class="meta">
                    {move || {
                        let status = account.with(|a| a.status);
                        view! { <span class=if status == AccountStatus::Active { "badge" } else { "badge warn" }>{status_label(status)}</span> }
                    }}
                    " " {t(Msg::JoinedOn)} " "
                    <time datetime=format::iso(user.created_at)>{format::date(user.created_at)}</time>
                </span>
            </div>
            <div class="row-actions">
                {if admin && !is_self {
                    view! {
                        <label class="visually-hidden" for=select_id.clone()>
                            {i18n::fill(Msg::RoleOf, &[("name", &user.display_name)])}
                        </label>
                        <select id=select_id.clone() class="compact" disabled=move || busy.get() on:change=move |ev| change_role(event_target_value(&ev))>
                            {[Role::Member, Role::Facilitator, Role::Admin]
                                .into_iter()
                                .map(|r| view! {
                                    <option value=r.as_str() prop:selected=move || account.with(|a| a.role == r)>{role_label(r)}</option>
                                })
                                .collect_view()}
                        </select>
                    }
                    .into_any()
                } else {
                    view! { <span class="badge">{move || role_label(account.with(|a| a.role))}</span> }.into_any()
                }}
                {move || match account.with(|a| a.status) {
                    AccountStatus::Active if may_suspend() => view! {
                        <ConfirmButton
                            label=t(Msg::Suspend)
                            question=t(Msg::SuspendQuestion)
                            confirm=t(Msg::SuspendConfirm)
                            busy=busy
                            describedby=name_id.clone()
                            on_confirm=Callback::new(move |_| set_suspended(true))
                        />
                    }
                    .into_any(),
                    AccountStatus::Suspended if may_suspend() => view! {
                        <button type="button" class="secondary" aria-describedby=name_id.clone() disabled=move || busy.get() on:click=move |_| set_suspended(false)>
                            {t(Msg::Reinstate)}
                        </button>
                    }
                    .into_any(),
                    _ => ().into_any(),
                }}
            </div>
            {move || error.get().map(|e| view! { <p class="field-error row-error" role="alert">{e.message()}</p> })}
        </li>
    }
}

//! Invitations to the community: create one (its link is shown once, ready to copy),
//! and list them with Revoke for those not used yet.

use chrono::Utc;
use copse_shared::auth::Role;
use copse_shared::endpoints::{CreateInvitation, ListInvitations, RevokeInvitation};
use copse_shared::members::{CreateInvitationRequest, Invitation};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::copy::{CopyField, absolute_url};
use crate::components::field::TextField;
use crate::components::status::{Empty, ErrorAlert, Loading};
use crate::format;
use crate::i18n::{Msg, t};
use crate::pages::paged::Paged;

fn query(cursor: Option<String>) -> ListInvitations {
    ListInvitations { limit: None, cursor }
}

/// The label of a site role.
pub fn role_label(role: Role) -> &'static str {
    t(match role {
        Role::Admin => Msg::RoleAdmin,
        Role::Facilitator => Msg::RoleFacilitator,
        Role::Member => Msg::RoleMember,
    })
}

#[component]
pub fn Invitations(admin: bool) -> impl IntoView {
    let resource = LocalResource::new(|| async { api::call(&query(None)).await });
    // Invitations created on this page, shown above the loaded list.
    let created = RwSignal::new(Vec::<Invitation>::new());
    view! {
        <h2>{t(Msg::Invitations)}</h2>
        <InvitationForm admin=admin created=created/>
        <section aria-labelledby="invitations-list-title">
            <h3 id="invitations-list-title">{t(Msg::InvitationsList)}</h3>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || resource.get().map(|result| match result {
                    Ok(page) => {
                        let paged = Paged::new(page);
                        // A new invitation joins the top of the list.
                        Effect::new(move |_| {
                            let new = created.get();
                            if !new.is_empty() {
                                paged.items.update(|items| {
                                    for invitation in new.into_iter().rev() {
                                        if !items.iter().any(|i| i.id == invitation.id) {
                                            items.insert(0, invitation);
                                        }
                                    }
                                });
                            }
                        });
                        let on_load = Callback::new(move |_| {
                            paged.load_more(|cursor| async move { api::call(&query(Some(cursor))).await })
                        });
                        view! {
                            {move || paged.is_empty().then(|| view! { <Empty text=t(Msg::NoInvitations)/> })}
                            <ul class="rows">
                                <For each=move || paged.items.get() key=|i: &Invitation| i.id.clone() let(invitation)>
                                    <InvitationRow invitation=invitation paged=paged/>
                                </For>
                            </ul>
                            {paged.footer(on_load)}
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn InvitationForm(admin: bool, created: RwSignal<Vec<Invitation>>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Member);
    let days = RwSignal::new(14_u32);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let link = RwSignal::new(None::<String>);
    let field = move |name: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(name)));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        link.set(None);
        let address = email.get_untracked().trim().to_owned();
        let request = CreateInvitationRequest {
            email: (!address.is_empty()).then_some(address),
            role: admin.then(|| role.get_untracked()),
            expires_in_days: Some(days.get_untracked()),
        };
        spawn_local(async move {
            match api::call(&CreateInvitation(request)).await {
                Ok(answer) => {
                    link.set(Some(absolute_url(&answer.register_path)));
                    created.update(|list| list.push(answer.invitation));
                    email.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let about_a_field = move |e: &ApiError| ["email", "role", "expires_in_days"].iter().any(|f| e.field(f).is_some());
    view! {
        <form class="card form-card" on:submit=submit novalidate aria-labelledby="new-invitation-title">
            <h3 id="new-invitation-title">{t(Msg::NewInvitation)}</h3>
            {move || error.get().filter(|e| !about_a_field(e)).map(|e| view! { <ErrorAlert message=e.message()/> })}
            <TextField
                id="invitation-email"
                label=t(Msg::EmailOptional)
                kind="email"
                hint=t(Msg::InvitationEmailHint)
                value=email
                error=field("email")
                required=false
            />
            {admin.then(|| view! {
                <div class="field">
                    <label for="invitation-role">{t(Msg::Role)}</label>
                    <select
                        id="invitation-role"
                        on:change=move |ev| {
                            if let Some(r) = Role::parse(&event_target_value(&ev)) {
                                role.set(r);
                            }
                        }
                    >
                        {[Role::Member, Role::Facilitator, Role::Admin]
                            .into_iter()
                            .map(|r| view! { <option value=r.as_str() prop:selected=move || role.get() == r>{role_label(r)}</option> })
                            .collect_view()}
                    </select>
                    {move || field("role").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
            })}
            <div class="field">
                <label for="invitation-days">{t(Msg::ExpiresAfter)}</label>
                <select
                    id="invitation-days"
                    on:change=move |ev| {
                        if let Ok(d) = event_target_value(&ev).parse() {
                            days.set(d);
                        }
                    }
                >
                    {[7_u32, 14, 30, 90]
                        .into_iter()
                        .map(|d| view! {
                            <option value=d.to_string() prop:selected=move || days.get() == d>
                                {crate::i18n::fill(Msg::DaysCount, &[("n", &d.to_string())])}
                            </option>
                        })
                        .collect_view()}
                </select>
            </div>
            <button class="primary" type="submit" disabled=move || busy.get()>
                {move || if busy.get() { t(Msg::Working) } else { t(Msg::CreateInvitation) }}
            </button>
            {move || link.get().map(|url| view! {
                <div class="invitation-link">
                    <CopyField id="invitation-link" label=t(Msg::InvitationLink) value=url hint=t(Msg::InvitationLinkHint) focus=true/>
                </div>
            })}
        </form>
    }
}

#[component]
fn InvitationRow(invitation: Invitation, paged: Paged<Invitation>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = StoredValue::new(invitation.id.clone());
    let name_id = format!("inv-{}", invitation.id);
    let expired = invitation.expires_at <= Utc::now();
    let revoke = move || {
        busy.set(true);
        error.set(None);
        let id = id.get_value();
        spawn_local(async move {
            match api::call(&RevokeInvitation { id: id.clone() }).await {
                Ok(()) => paged.remove(|i| i.id == id),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let state = match (invitation.used_at, expired) {
        (Some(used), _) => view! {
            <span class="badge muted">{t(Msg::InvitationUsed)}</span> " "
            <time datetime=format::iso(used)>{format::date(used)}</time>
        }
        .into_any(),
        (None, true) => view! { <span class="badge muted">{t(Msg::InvitationExpired)}</span> }.into_any(),
        (None, false) => view! {
            {t(Msg::ExpiresOn)} " " <time datetime=format::iso(invitation.expires_at)>{format::date(invitation.expires_at)}</time>
        }
        .into_any(),
    };
    view! {
        <li class="row">
            <div class="row-main">
                <span class="row-title">
                    <strong id=name_id.clone()>{invitation.email.clone().unwrap_or_else(|| t(Msg::AnyoneWithLink).to_owned())}</strong>
                    " "
                    <span class="badge">{role_label(invitation.role)}</span>
                </span>
                <span class="meta">
                    {t(Msg::CreatedOn)} " "
                    <time datetime=format::iso(invitation.created_at)>{format::date(invitation.created_at)}</time>
                    " · " {state}
                </span>
            </div>
            {invitation.used_at.is_none().then(|| view! {
                <div class="row-actions">
                    <ConfirmButton
                        label=t(Msg::Revoke)
                        question=t(Msg::RevokeQuestion)
                        confirm=t(Msg::RevokeConfirm)
                        busy=busy
                        describedby=name_id.clone()
                        on_confirm=Callback::new(move |_| revoke())
                    />
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="field-error row-error" role="alert">{e.message()}</p> })}
        </li>
    }
}

//! Pending registrations (under the approval join policy): approve or reject each.

use copse_shared::auth::{AccountStatus, User};
use copse_shared::endpoints::{ApproveMember, ListMembers, RejectMember};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::status::{Empty, ErrorAlert, Loading, StatusNote};
use crate::format;
use crate::i18n::{self, Msg, t};
use crate::pages::paged::Paged;

fn query(cursor: Option<String>) -> ListMembers {
    ListMembers { status: Some(AccountStatus::Pending), role: None, limit: None, cursor }
}

#[component]
pub fn Registrations() -> impl IntoView {
    let resource = LocalResource::new(|| async { api::call(&query(None)).await });
    let note = RwSignal::new(None::<String>);
    view! {
        <h2>{t(Msg::PendingRegistrations)}</h2>
        <StatusNote message=note.into()/>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || resource.get().map(|result| match result {
                Ok(page) => {
                    let paged = Paged::new(page);
                    let on_load = Callback::new(move |_| {
                        paged.load_more(|cursor| async move { api::call(&query(Some(cursor))).await })
                    });
                    view! {
                        {move || paged.is_empty().then(|| view! { <Empty text=t(Msg::NoPendingRegistrations)/> })}
                        <ul class="rows">
                            <For each=move || paged.items.get() key=|u: &User| u.id.clone() let(user)>
                                <RegistrationRow user=user paged=paged note=note/>
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

#[component]
fn RegistrationRow(user: User, paged: Paged<User>, note: RwSignal<Option<String>>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = StoredValue::new(user.id.clone());
    let name = StoredValue::new(user.display_name.clone());
    let name_id = format!("reg-{}", user.id);
    let decide = move |approve: bool| {
        busy.set(true);
        error.set(None);
        let id = id.get_value();
        spawn_local(async move {
            let result = if approve {
                api::call(&ApproveMember { id: id.clone() }).await.map(|_| ())
            } else {
                api::call(&RejectMember { id: id.clone() }).await
            };
            busy.set(false);
            match result {
                Ok(()) => {
                    let msg = if approve { Msg::RegistrationApproved } else { Msg::RegistrationRejected };
                    note.set(Some(i18n::fill(msg, &[("name", &name.get_value())])));
                    paged.remove(|u| u.id == id);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <li class="row">
            <div class="row-main">
                <strong id=name_id.clone()>{user.display_name.clone()}</strong>
                <span class="meta">{user.email.clone()}</span>
                <span class="meta">
                    {t(Msg::RegisteredOn)} " "
                    <time datetime=format::iso(user.created_at)>{format::date_time(user.created_at)}</time>
                </span>
            </div>
            <div class="row-actions">
                <button type="button" class="primary" aria-describedby=name_id.clone() disabled=move || busy.get() on:click=move |_| decide(true)>
                    {t(Msg::Approve)}
                </button>
                <ConfirmButton
                    label=t(Msg::Reject)
                    question=t(Msg::RejectQuestion)
                    confirm=t(Msg::RejectConfirm)
                    busy=busy
                    describedby=name_id
                    on_confirm=Callback::new(move |_| decide(false))
                />
            </div>
            {move || error.get().map(|e| view! { <p class="field-error row-error" role="alert">{e.message()}</p> })}
        </li>
    }
}

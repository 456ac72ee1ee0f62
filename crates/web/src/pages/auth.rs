//! Sign-in and registration forms, with the server's errors shown next to their fields.

use copse_shared::ErrorCode;
use copse_shared::auth::{LoginRequest, RegisterRequest};
use copse_shared::community::JoinPolicy;
use copse_shared::endpoints::{Login, Register};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::{self, ApiError};
use crate::components::field::TextField;
use crate::i18n::{Msg, t};
use crate::state::{use_auth, use_community};

/// The error for one field, derived from the last failed submission.
fn field_error(error: RwSignal<Option<ApiError>>, name: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        let error = error.get()?;
        if name == "email" && error.code() == Some(ErrorCode::EmailTaken) {
            return Some(error.message());
        }
        error.field(name)
    })
}

/// The message for the top of the form: errors that are not about one field.
fn form_error(error: RwSignal<Option<ApiError>>) -> impl Fn() -> Option<AnyView> {
    move || {
        let error = error.get()?;
        let about_a_field = matches!(&error, ApiError::Problem(p) if !p.errors.is_empty())
            || error.code() == Some(ErrorCode::EmailTaken);
        (!about_a_field).then(|| view! { <div class="form-error" role="alert">{error.message()}</div> }.into_any())
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = use_auth();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let request = LoginRequest { email: email.get_untracked(), password: password.get_untracked() };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::call(&Login(request)).await {
                Ok(session) => {
                    auth.signed_in(session);
                    navigate("/", Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="card narrow">
            <h1>{t(Msg::SignInTitle)}</h1>
            {form_error(error)}
            <form on:submit=submit novalidate>
                <TextField id="email" label=t(Msg::Email) kind="email" autocomplete="email" value=email error=field_error(error, "email")/>
                <TextField id="password" label=t(Msg::Password) kind="password" autocomplete="current-password" value=password error=field_error(error, "password")/>
                <button class="primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { t(Msg::Working) } else { t(Msg::SignIn) }}
                </button>
            </form>
            <p><a href="/register">{t(Msg::NoAccountYet)}</a></p>
        </div>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let auth = use_auth();
    let community = use_community();
    let navigate = use_navigate();
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let invitation = RwSignal::new(query.get_untracked().get("invite").unwrap_or_default());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let invite_only = move || community.settings.get().is_some_and(|c| c.join_policy == JoinPolicy::Invite);
    let show_invitation = move || invite_only() || !invitation.get().is_empty();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let token = invitation.get_untracked();
        let request = RegisterRequest {
            email: email.get_untracked(),
            display_name: display_name.get_untracked(),
            password: password.get_untracked(),
            invitation_token: (!token.trim().is_empty()).then_some(token),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::call(&Register(request)).await {
                Ok(answer) => match answer.session {
                    Some(session) => {
                        auth.signed_in(session);
                        navigate("/", Default::default());
                    }
                    None => pending.set(true),
                },
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="card narrow">
            <h1>{t(Msg::JoinTitle)}</h1>
            <Show
                when=move || !pending.get()
                fallback=|| view! { <p class="notice" role="status">{t(Msg::PendingApproval)}</p> }
            >
                {move || invite_only().then(|| view! { <p class="notice">{t(Msg::InviteOnlyNotice)}</p> })}
                {form_error(error)}
                <form on:submit=submit.clone() novalidate>
                    <TextField id="email" label=t(Msg::Email) kind="email" autocomplete="email" value=email error=field_error(error, "email")/>
                    <TextField id="display_name" label=t(Msg::DisplayName) autocomplete="name" hint=t(Msg::DisplayNameHint) value=display_name error=field_error(error, "display_name")/>
                    <TextField id="password" label=t(Msg::Password) kind="password" autocomplete="new-password" hint=t(Msg::PasswordHint) value=password error=field_error(error, "password")/>
                    {move || show_invitation().then(|| view! {
                        <TextField id="invitation_token" label=t(Msg::InvitationToken) hint=t(Msg::InvitationHint) value=invitation error=field_error(error, "invitation_token")/>
                    })}
                    <button class="primary" type="submit" disabled=move || busy.get()>
                        {move || if busy.get() { t(Msg::Working) } else { t(Msg::CreateAccount) }}
                    </button>
                </form>
                <p><a href="/login">{t(Msg::HaveAccount)}</a></p>
            </Show>
        </div>
    }
}

//! The admin area's Settings tab: the community's name, tagline, join policy and
//! public reading, saved with the ETag it loaded so two admins never overwrite each
//! other silently.

use copse_shared::auth::Role;
use copse_shared::community::{Community, JoinPolicy, UpdateCommunityRequest};
use copse_shared::endpoints::{GetCommunity, UpdateCommunity};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::components::field::TextField;
use crate::i18n::{Msg, t};
use crate::state::{SessionState, use_community, use_session};

async fn load() -> Result<(Community, String), ApiError> {
    let answer = api::call_with(&GetCommunity, &[]).await?;
    let etag = answer.headers.get("etag").unwrap_or_default();
    Ok((answer.body, etag))
}

#[component]
pub fn Settings() -> impl IntoView {
    let session = use_session();
    view! {
        <h2>{t(Msg::CommunitySettings)}</h2>
        {move || match session.get() {
            SessionState::Restoring => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
            SessionState::SignedIn(user) if user.role == Role::Admin => view! { <SettingsLoader/> }.into_any(),
            _ => view! { <p class="notice">{t(Msg::AdminsOnly)}</p> }.into_any(),
        }}
    }
}

#[component]
fn SettingsLoader() -> impl IntoView {
    let resource = LocalResource::new(load);
    view! {
        <Suspense fallback=|| view! { <p class="loading">{t(Msg::Loading)}</p> }>
            {move || resource.get().map(|result| match result {
                Ok((settings, etag)) => view! { <SettingsForm settings=settings etag=etag/> }.into_any(),
                Err(error) => view! { <div class="form-error" role="alert">{error.message()}</div> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(settings: Community, etag: String) -> impl IntoView {
    let community = use_community();
    let name = RwSignal::new(settings.name);
    let tagline = RwSignal::new(settings.tagline);
    let policy = RwSignal::new(settings.join_policy);
    let public_read = RwSignal::new(settings.public_read);
    let etag = RwSignal::new(etag);
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let field = move |field: &'static str| Signal::derive(move || error.get().and_then(|e| e.field(field)));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        saved.set(false);
        error.set(None);
        let request = UpdateCommunityRequest {
            name: name.get_untracked(),
            tagline: tagline.get_untracked(),
            join_policy: policy.get_untracked(),
            public_read: public_read.get_untracked(),
        };
        let current = etag.get_untracked();
        spawn_local(async move {
            match api::call_with(&UpdateCommunity(request), &[("If-Match", &current)]).await {
                Ok(answer) => {
                    etag.set(answer.headers.get("etag").unwrap_or_default());
                    community.settings.set(Some(answer.body));
                    saved.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let policies = [
        (JoinPolicy::Open, Msg::JoinPolicyOpen),
        (JoinPolicy::Approval, Msg::JoinPolicyApproval),
        (JoinPolicy::Invite, Msg::JoinPolicyInvite),
    ];
    view! {
        <form class="card narrow" on:submit=submit novalidate>
            {move || error.get().filter(|e| e.field("name").is_none() && e.field("tagline").is_none())
                .map(|e| view! { <div class="form-error" role="alert">{e.message()}</div> })}
            {move || saved.get().then(|| view! { <p class="notice" role="status">{t(Msg::Saved)}</p> })}
            <TextField id="name" label=t(Msg::CommunityName) value=name error=field("name")/>
            <TextField id="tagline" label=t(Msg::Tagline) value=tagline error=field("tagline") required=false/>
            <div class="field">
                <label for="join_policy">{t(Msg::JoinPolicy)}</label>
                <select
                    id="join_policy"
                    on:change=move |ev| {
                        if let Some(p) = JoinPolicy::parse(&event_target_value(&ev)) {
                            policy.set(p);
                        }
                    }
                >
                    {policies
                        .into_iter()
                        .map(|(value, msg)| view! {
                            <option value=value.as_str() selected=move || policy.get() == value>{t(msg)}</option>
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field checkbox">
                <input
                    id="public_read"
                    type="checkbox"
                    prop:checked=move || public_read.get()
                    on:change=move |ev| public_read.set(event_target_checked(&ev))
                />
                " "
                <label for="public_read">{t(Msg::PublicRead)}</label>
            </div>
            <button class="primary" type="submit" disabled=move || busy.get()>
                {move || if busy.get() { t(Msg::Working) } else { t(Msg::Save) }}
            </button>
        </form>
    }
}

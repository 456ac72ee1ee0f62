//! The home page: the community's welcome and, for members, where things stand.

use leptos::prelude::*;

use crate::components::header::NAV;
use crate::format;
use crate::i18n::{Msg, t};
use crate::state::{SessionState, use_auth, use_community};

#[component]
pub fn Home() -> impl IntoView {
    let auth = use_auth();
    let community = use_community();
    let tagline = move || community.settings.get().map(|c| c.tagline).unwrap_or_default();
    let name = move || community.settings.get().map(|c| c.name).unwrap_or_else(|| "Copse".to_owned());
    view! {
        <h1>{name}</h1>
        <p class="lead">{tagline}</p>
        {move || match auth.state.get() {
            SessionState::Restoring => view! { <p class="loading">{t(Msg::Loading)}</p> }.into_any(),
            SessionState::SignedOut => view! {
                <div class="card">
                    <p>{t(Msg::HomeIntroSignedOut)}</p>
                    <p><a href="/login">{t(Msg::SignIn)}</a>" · "<a href="/register">{t(Msg::Join)}</a></p>
                </div>
            }
                .into_any(),
            SessionState::SignedIn(user) => view! {
                <div class="card">
                    <h2>{t(Msg::WelcomeBack)} " " {user.display_name.clone()}</h2>
                    <p>{t(Msg::MemberSince)} " " {format::date(user.created_at)}</p>
                    <p>{t(Msg::HomeIntroSignedIn)}</p>
                </div>
            }
                .into_any(),
        }}
        <div class="grid">
            {NAV
                .iter()
                .skip(1)
                .map(|(href, msg)| view! { <a class="card" href=*href><strong>{t(*msg)}</strong></a> })
                .collect_view()}
        </div>
    }
}

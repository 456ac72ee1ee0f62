//! Members: the directory with its filters and the expert finder, a member's
//! profile with their activity and the contact form, the profile editor with its
//! privacy choices, and the member's bookmarks.

pub mod bookmarks;
pub mod directory;
pub mod editor;
pub mod profile;

use crate::i18n::{Msg, t};
use copse_shared::profiles::{AvatarUrls, Expertise, ExpertiseLevel, ProfileSummary};
use leptos::prelude::*;

pub use bookmarks::BookmarksPage;
pub use directory::DirectoryPage;
pub use editor::ProfileEditorPage;
pub use profile::ProfilePage;

/// The name of an expertise level.
pub fn level_label(level: ExpertiseLevel) -> &'static str {
    t(match level {
        ExpertiseLevel::Familiar => Msg::LevelFamiliar,
        ExpertiseLevel::Practitioner => Msg::LevelPractitioner,
        ExpertiseLevel::Expert => Msg::LevelExpert,
    })
}

/// The initials shown when a member has no picture.
fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect::<String>().to_uppercase()
}

/// A member's picture, or their initials. Avatar addresses need no sign-in and carry
/// a version, so the browser fetches and caches them itself.
#[component]
pub fn Avatar(name: String, avatar: Option<AvatarUrls>, #[prop(default = false)] large: bool) -> impl IntoView {
    let class = if large { "avatar large" } else { "avatar" };
    match avatar {
        Some(avatar) => {
            let src = if large { avatar.large } else { avatar.small };
            view! { <img class=class src=src alt="" data-testid="avatar"/> }.into_any()
        }
        None => view! { <span class=class aria-hidden="true">{initials(&name)}</span> }.into_any(),
    }
}

/// Expertise as tags with their level; each links to the directory filtered by it.
pub fn expertise_tags(expertise: &[Expertise]) -> impl IntoView + use<> {
    let items = expertise
        .iter()
        .map(|e| {
            let href = format!("/members?expertise={}", js_sys::encode_uri_component(&e.tag));
            view! {
                <a class="tag expertise" href=href data-level=e.level.as_str()>
                    {e.tag.clone()} <span class="level">" · " {level_label(e.level)}</span>
                </a>
            }
        })
        .collect_view();
    view! { <span class="tags">{items}</span> }
}

/// One member in the directory or the expert finder.
#[component]
pub fn MemberCard(member: ProfileSummary, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    let href = format!("/members/{}", member.id);
    let place = [member.city.clone(), member.country.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ");
    let work =
        [member.job_title.clone(), member.organisation.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ");
    view! {
        <li class="member-card card" data-testid="member-card">
            <Avatar name=member.display_name.clone() avatar=member.avatar.clone()/>
            <div class="member-main">
                <h3 class="member-name"><a href=href>{member.display_name.clone()}</a></h3>
                {member.headline.clone().map(|h| view! { <p class="headline">{h}</p> })}
                {(!work.is_empty()).then(|| view! { <p class="meta">{work}</p> })}
                {(!place.is_empty()).then(|| view! { <p class="meta">{place}</p> })}
                {expertise_tags(&member.expertise)}
                {children.map(|c| c())}
            </div>
        </li>
    }
}

//! Members' profiles: loading them with their tags, and turning them into what a
//! given viewer may see. Every DTO that carries a contact detail is built here, and a
//! hidden detail is left out (`None`) before the DTO exists, so it cannot leak through
//! a list, a search or an export of someone else.

pub mod account;
pub mod activity;
pub mod avatar;
pub mod bookmarks;
pub mod contact;
pub mod directory;
pub mod edit;
pub mod ranking;

use std::collections::HashMap;

use copse_shared::auth::{AccountStatus, Role};
use copse_shared::profiles::{
    AvatarSize, AvatarUrls, Expertise, ExpertiseLevel, MyProfile, PrivacySettings, Profile, ProfileLink,
    ProfileSummary, ViewAs, Visibility, avatar_path,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};

use crate::entities::{profile, profile_tag, user};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::state::AppState;

/// The kinds of profile tags, as stored.
pub const EXPERTISE: &str = "expertise";
/// Interests.
pub const INTEREST: &str = "interest";
/// Languages.
pub const LANGUAGE: &str = "language";
/// Topics the member is open to being contacted about.
pub const CONTACT_TOPIC: &str = "contact";

/// A member's account with their profile row (absent until they first edit it) and tags.
pub struct Loaded {
    /// The account.
    pub user: user::Model,
    /// The profile row.
    pub profile: Option<profile::Model>,
    /// Their tags, in the order they gave.
    pub tags: Vec<profile_tag::Model>,
}

impl Loaded {
    /// Their privacy choices (the defaults hide everything and refuse contact).
    pub fn privacy(&self) -> PrivacySettings {
        match &self.profile {
            Some(p) => PrivacySettings {
                email_visibility: Visibility::parse(&p.email_visibility).unwrap_or_default(),
                links_visibility: Visibility::parse(&p.links_visibility).unwrap_or_default(),
                allow_contact: p.allow_contact,
            },
            None => PrivacySettings::default(),
        }
    }

    fn tags_of(&self, kind: &str) -> Vec<String> {
        self.tags.iter().filter(|t| t.kind == kind).map(|t| t.tag.clone()).collect()
    }
}

/// Loads the profiles and tags of many accounts with two queries.
pub async fn load_many(db: &impl ConnectionTrait, users: Vec<user::Model>) -> ApiResult<Vec<Loaded>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let mut profiles: HashMap<String, profile::Model> = profile::Entity::find()
        .filter(profile::Column::UserId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.user_id.clone(), p))
        .collect();
    let mut tags: HashMap<String, Vec<profile_tag::Model>> = HashMap::new();
    for tag in profile_tag::Entity::find()
        .filter(profile_tag::Column::UserId.is_in(ids))
        .order_by_asc(profile_tag::Column::Position)
        .all(db)
        .await?
    {
        tags.entry(tag.user_id.clone()).or_default().push(tag);
    }
    Ok(users
        .into_iter()
        .map(|user| Loaded {
            profile: profiles.remove(&user.id),
            tags: tags.remove(&user.id).unwrap_or_default(),
            user,
        })
        .collect())
}

/// Loads one active member, or 404 (a pending, suspended or deleted account has no
/// public profile).
pub async fn load_active(db: &impl ConnectionTrait, id: &str) -> ApiResult<Loaded> {
    let user = user::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .filter(|u| u.status() == AccountStatus::Active)
        .ok_or_else(ApiError::not_found)?;
    load_many(db, vec![user]).await?.pop().ok_or_else(ApiError::not_found)
}

/// The avatar's addresses, if the member has one.
pub fn avatar_urls(user_id: &str, profile: Option<&profile::Model>) -> Option<AvatarUrls> {
    let version = profile?.avatar_version.as_ref()?;
    let url = |size| format!("{}?v={version}", avatar_path(user_id, size));
    Some(AvatarUrls { small: url(AvatarSize::Small), large: url(AvatarSize::Large) })
}

/// What lists show of a member (no contact detail can be in it).
pub fn summary(loaded: &Loaded) -> ProfileSummary {
    let p = loaded.profile.as_ref();
    let mut expertise: Vec<Expertise> = loaded
        .tags
        .iter()
        .filter(|t| t.kind == EXPERTISE)
        .map(|t| Expertise {
            tag: t.tag.clone(),
            level: t.level.and_then(ExpertiseLevel::from_rank).unwrap_or(ExpertiseLevel::Familiar),
        })
        .collect();
    // Highest level first; the member's own order within a level.
    expertise.sort_by_key(|e| std::cmp::Reverse(e.level));
    ProfileSummary {
        id: loaded.user.id.clone(),
        display_name: loaded.user.display_name.clone(),
        avatar: avatar_urls(&loaded.user.id, p),
        headline: p.and_then(|p| p.headline.clone()),
        organisation: p.and_then(|p| p.organisation.clone()),
        job_title: p.and_then(|p| p.job_title.clone()),
        country: p.and_then(|p| p.country.clone()),
        city: p.and_then(|p| p.city.clone()),
        expertise,
        allow_contact: p.is_some_and(|p| p.allow_contact),
        member_since: loaded.user.created_at,
    }
}

/// The viewer a profile is shown to: the real actor, or, under `view_as`, someone
/// who sees no more than the actor does.
struct Viewer<'a> {
    actor: &'a Actor,
    preview: Option<Actor>,
}

impl Viewer<'_> {
    fn may(&self, action: Action, resource: &Resource<'_>) -> bool {
        policy::can(self.actor, action, resource)
            && self.preview.as_ref().is_none_or(|preview| policy::can(preview, action, resource))
    }
}

/// A stand-in for "another member" (or facilitator): not the owner, with that role.
fn stand_in(actor: &Actor, view_as: ViewAs) -> Option<Actor> {
    let mut user = actor.user()?.clone();
    user.id = String::new();
    user.role = match view_as {
        ViewAs::Member => Role::Member,
        ViewAs::Facilitator => Role::Facilitator,
    }
    .as_str()
    .to_owned();
    Some(Actor::Member(user))
}

/// The full profile as `actor` may see it, optionally previewed as another viewer.
pub fn profile_for(actor: &Actor, loaded: &Loaded, view_as: Option<ViewAs>) -> Profile {
    let is_self = actor.user().is_some_and(|me| me.id == loaded.user.id);
    let viewer = Viewer { actor, preview: view_as.and_then(|v| stand_in(actor, v)) };
    let preview_is_self = viewer.preview.is_none() && is_self;
    let privacy = loaded.privacy();
    let sees = |visibility| {
        viewer.may(Action::SeeContactDetail, &Resource::ContactDetail { visibility, is_self: preview_is_self })
    };
    let p = loaded.profile.as_ref();
    let links: Vec<ProfileLink> = p.and_then(|p| serde_json::from_str(&p.links).ok()).unwrap_or_default();
    let can_contact = policy::can(
        actor,
        Action::ContactMember,
        &Resource::Recipient { allow_contact: privacy.allow_contact, is_self },
    );
    Profile {
        summary: summary(loaded),
        languages: loaded.tags_of(LANGUAGE),
        time_zone: p.and_then(|p| p.time_zone.clone()),
        bio: p.map(|p| p.bio.clone()).unwrap_or_default(),
        bio_html: p.map(|p| p.bio_html.clone()).unwrap_or_default(),
        interests: loaded.tags_of(INTEREST),
        open_to_contact_about: loaded.tags_of(CONTACT_TOPIC),
        email: sees(privacy.email_visibility).then(|| loaded.user.email.clone()),
        links: sees(privacy.links_visibility).then_some(links),
        can_contact,
        is_self,
    }
}

/// The caller's own profile with privacy choices, and its ETag.
pub fn my_profile(actor: &Actor, loaded: &Loaded) -> (MyProfile, String) {
    let mine = MyProfile { profile: profile_for(actor, loaded, None), privacy: loaded.privacy() };
    let bytes = serde_json::to_vec(&mine).unwrap_or_default();
    let digest: String = Sha256::digest(&bytes).iter().take(16).map(|b| format!("{b:02x}")).collect();
    (mine, format!("\"{digest}\""))
}

/// A member's profile as the actor may see it.
pub async fn get(state: &AppState, actor: &Actor, id: &str, view_as: Option<ViewAs>) -> ApiResult<Profile> {
    policy::require(actor, Action::ReadProfiles, &Resource::Community)?;
    let loaded = load_active(&state.db, id).await?;
    Ok(profile_for(actor, &loaded, view_as))
}

/// The caller's own profile and its ETag.
pub async fn get_mine(state: &AppState, actor: &Actor) -> ApiResult<(MyProfile, String)> {
    policy::require(actor, Action::ManageOwnAccount, &Resource::Community)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let loaded = load_active(&state.db, &me.id).await?;
    Ok(my_profile(actor, &loaded))
}

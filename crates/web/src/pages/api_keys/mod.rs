//! Partner API keys: the keys a member may manage, the form that makes one, and the
//! secret shown once after making or rotating a key. One panel serves two places:
//! the admin area's tab (/admin/api-keys) and, for group facilitators who are not
//! admins, the page their group's Manage tab links to (/api-keys?group=slug). The
//! server enforces who may make which key; the panel only offers what it would allow.

mod form;
mod row;

use copse_shared::Endpoint;
use copse_shared::auth::Role;
use copse_shared::endpoints::{ListApiKeys, ListGroups, ListLibraryItems};
use copse_shared::groups::{Group, GroupRole};
use copse_shared::pagination::MAX_LIMIT;
use copse_shared::partners::ApiKey;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::{self, ApiError};
use crate::components::copy::{CopyField, absolute_url};
use crate::components::secret::SecretCard;
use crate::components::status::{Empty, ErrorAlert, Loading};
use crate::i18n::{self, Msg, t};
use crate::pages::discussions::new::my_groups;
use crate::state::{SessionState, use_session};

use form::CreateKeyForm;
use row::KeyRow;

/// A secret just made or rotated. It lives only in this page's memory: the server
/// never shows it again, so leaving the page forgets it for good.
#[derive(Clone, Debug, PartialEq)]
pub struct FreshSecret {
    /// The key's name, to say whose secret it is.
    pub name: String,
    /// The secret itself.
    pub secret: String,
    /// Whether it replaces an earlier secret.
    pub rotated: bool,
}

/// `/api-keys`: the page a group's Manage tab links to, with `?group=slug` ticked in
/// the form.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let session = use_session();
    let group = use_query_map().with_untracked(|q| q.get("group"));
    view! {
        <h1>{t(Msg::ApiKeys)}</h1>
        {move || match session.get() {
            SessionState::Restoring => view! { <Loading/> }.into_any(),
            SessionState::SignedIn(user) => {
                view! { <ApiKeysPanel admin=user.role == Role::Admin group=group.clone()/> }.into_any()
            }
            SessionState::SignedOut => view! {
                <p class="notice">{t(Msg::ApiKeysSignIn)} " " <a href="/login">{t(Msg::SignIn)}</a></p>
            }
            .into_any(),
        }}
    }
}

/// The way from a group's Manage tab to the keys page, with the group ticked.
#[component]
pub fn GroupKeysLink(slug: String) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="group-api-keys-title">
            <h2 id="group-api-keys-title">{t(Msg::ApiKeys)}</h2>
            <p>{t(Msg::GroupApiKeysHint)}</p>
            <a class="button secondary" href=format!("/api-keys?group={slug}") data-testid="group-api-keys">
                {t(Msg::ManageApiKeys)}
            </a>
        </section>
    }
}

/// The groups a member may limit a key to: every open group for admins, the groups
/// they facilitate for everyone else (the server refuses any other).
async fn pickable_groups(admin: bool) -> Result<Vec<Group>, ApiError> {
    if !admin {
        let mine = my_groups().await?;
        return Ok(mine
            .into_iter()
            .filter(|g| g.my_membership.as_ref().is_some_and(|m| m.role == GroupRole::Facilitator))
            .collect());
    }
    // Admins pick from every group, so follow the cursor to the end of the list.
    let mut groups = Vec::new();
    let mut cursor = None;
    loop {
        let query = ListGroups { mine: None, include_archived: None, limit: Some(MAX_LIMIT), cursor };
        let page = api::call(&query).await?;
        groups.extend(page.items.into_iter().filter(|g| !g.archived));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(groups),
        }
    }
}

/// The form, the secret just made, and the list of keys, newest first as the server
/// sends them.
#[component]
pub fn ApiKeysPanel(
    /// Whether the viewer is an admin: any key, any group, everyone's keys.
    admin: bool,
    /// A group (slug or id) to tick in the form.
    group: Option<String>,
) -> impl IntoView {
    let resource = LocalResource::new(move || async move {
        let keys = api::call(&ListApiKeys).await?;
        let groups = pickable_groups(admin).await?;
        Ok::<_, ApiError>((keys, groups))
    });
    let fresh = RwSignal::new(None::<FreshSecret>);
    let group = StoredValue::new(group);
    view! {
        <div class="api-keys" data-testid="api-keys">
            <p class="hint">{t(if admin { Msg::ApiKeysLeadAdmin } else { Msg::ApiKeysLeadFacilitator })}</p>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || resource.get().map(|result| match result {
                    Ok((keys, groups)) => {
                        let keys = RwSignal::new(keys);
                        view! {
                            <CreateKeyForm admin=admin groups=groups preselected=group.get_value() keys=keys fresh=fresh/>
                            {move || fresh.get().map(|secret| view! {
                                <SecretPanel fresh=secret on_done=Callback::new(move |_| fresh.set(None))/>
                            })}
                            <KeyList keys=keys fresh=fresh/>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorAlert message=e.message()/> }.into_any(),
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn KeyList(keys: RwSignal<Vec<ApiKey>>, fresh: RwSignal<Option<FreshSecret>>) -> impl IntoView {
    view! {
        <section aria-labelledby="api-keys-list-title">
            <h2 id="api-keys-list-title">{t(Msg::ApiKeysList)}</h2>
            {move || keys.with(Vec::is_empty).then(|| view! { <Empty text=t(Msg::NoApiKeys)/> })}
            <ul class="rows api-key-rows">
                // Rotating changes the prefix and revoking sets the time: either
                // rebuilds the row, so it shows the key's new state.
                <For
                    each=move || keys.get()
                    key=|k: &ApiKey| (k.id.clone(), k.prefix.clone(), k.revoked_at)
                    let(key)
                >
                    <KeyRow key=key keys=keys fresh=fresh/>
                </For>
            </ul>
        </section>
    }
}

/// The secret, once, with a warning, a Copy button and a command that tries it.
#[component]
fn SecretPanel(fresh: FreshSecret, on_done: Callback<()>) -> impl IntoView {
    let title = i18n::fill(
        if fresh.rotated { Msg::ApiKeyNewSecretFor } else { Msg::ApiKeySecretFor },
        &[("name", &fresh.name)],
    );
    // The path comes from the shared endpoint, so the example follows the API.
    let curl = format!("curl -H \"Authorization: Bearer {}\" {}", fresh.secret, absolute_url(ListLibraryItems::PATH));
    view! {
        <SecretCard id="api-key-secret" title=title secret=fresh.secret hint=t(Msg::ApiKeySecretHint) on_done=on_done>
            <CopyField id="api-key-curl" label=t(Msg::ApiKeyCurl) value=curl hint=t(Msg::ApiKeyCurlHint)/>
        </SecretCard>
    }
}

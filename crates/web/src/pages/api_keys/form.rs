//! The form that makes a key: its name, scopes, the groups it is limited to and an
//! optional expiry. The new key joins the top of the list and its secret is shown once.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use copse_shared::endpoints::CreateApiKey;
use copse_shared::groups::Group;
use copse_shared::partners::{ApiKey, CreateApiKeyRequest, Scope};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::FreshSecret;
use crate::api::{self, ApiError};
use crate::components::field::{CheckboxField, TextField, field_error, field_error_or};
use crate::components::status::{ErrorSlot, busy_text};
use crate::format;
use crate::i18n::{Msg, t};

/// The fields whose errors show next to them rather than above the form.
const FIELDS: &[&str] = &["name", "scopes", "groups", "expires_at"];

/// What a scope allows, in a sentence.
fn explanation(scope: Scope) -> &'static str {
    t(match scope {
        Scope::DiscussionsRead => Msg::ScopeDiscussionsRead,
        Scope::LibraryRead => Msg::ScopeLibraryRead,
        Scope::LibraryWrite => Msg::ScopeLibraryWrite,
        Scope::EventsRead => Msg::ScopeEventsRead,
        Scope::EventsWrite => Msg::ScopeEventsWrite,
        Scope::MembersRead => Msg::ScopeMembersRead,
    })
}

/// The checkbox id of a scope: `library:read` becomes `scope-library-read`.
fn scope_id(scope: Scope) -> String {
    format!("scope-{}", scope.as_str().replace(':', "-"))
}

/// The expiry typed as a date: the instant that day begins where the viewer is.
/// `Err` when the browser handed over something that is not a date.
fn expiry(text: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, ()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ())?;
    let midnight = day.and_hms_opt(0, 0, 0).ok_or(())?;
    format::instant(midnight, None).map(Some).ok_or(())
}

/// Adds `item` to the set when `on`, removes it otherwise.
fn toggle<T: Ord>(set: &mut BTreeSet<T>, item: T, on: bool) {
    if on {
        set.insert(item);
    } else {
        set.remove(&item);
    }
}

#[component]
pub fn CreateKeyForm(
    /// Admins may leave the groups empty (a community-wide key).
    admin: bool,
    /// The groups the member may pick.
    groups: Vec<Group>,
    /// A group (slug or id) to tick at first, when it is one of `groups`.
    preselected: Option<String>,
    /// The list the new key joins.
    keys: RwSignal<Vec<ApiKey>>,
    /// Where the new secret goes.
    fresh: RwSignal<Option<FreshSecret>>,
) -> impl IntoView {
    if !admin && groups.is_empty() {
        return view! { <p class="notice">{t(Msg::ApiKeyNoFacilitatedGroups)}</p> }.into_any();
    }
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(BTreeSet::<Scope>::new());
    let ticked = preselected
        .and_then(|wanted| groups.iter().find(|g| g.slug == wanted || g.id == wanted))
        .map(|g| g.slug.clone());
    let chosen = RwSignal::new(ticked.into_iter().collect::<BTreeSet<String>>());
    let expires = RwSignal::new(String::new());
    let expires_invalid = RwSignal::new(None::<Msg>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let Ok(expires_at) = expiry(&expires.get_untracked()) else {
            expires_invalid.set(Some(Msg::ApiKeyExpiresInvalid));
            return;
        };
        expires_invalid.set(None);
        busy.set(true);
        let request = CreateApiKeyRequest {
            name: name.get_untracked().trim().to_owned(),
            scopes: scopes.get_untracked().into_iter().collect(),
            groups: chosen.get_untracked().into_iter().collect(),
            expires_at,
        };
        spawn_local(async move {
            match api::call(&CreateApiKey(request)).await {
                Ok(created) => {
                    fresh.set(Some(FreshSecret {
                        name: created.key.name.clone(),
                        secret: created.secret,
                        rotated: false,
                    }));
                    keys.update(|list| list.insert(0, created.key));
                    name.set(String::new());
                    scopes.set(BTreeSet::new());
                    expires.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let expires_error = field_error_or(error, "expires_at", expires_invalid);
    let scopes_error = field_error(error, "scopes");
    let groups_error = field_error(error, "groups");
    let scope_boxes = Scope::ALL
        .into_iter()
        .map(|scope| {
            view! {
                <CheckboxField
                    id=scope_id(scope)
                    label=scope.as_str()
                    checked=Signal::derive(move || scopes.with(|s| s.contains(&scope)))
                    on_change=Callback::new(move |on| scopes.update(|s| toggle(s, scope, on)))
                    hint=explanation(scope)
                />
            }
        })
        .collect_view();
    let group_boxes = groups
        .into_iter()
        .map(|g| {
            let slug = StoredValue::new(g.slug.clone());
            view! {
                <CheckboxField
                    id=format!("api-key-group-{}", g.slug)
                    label=g.name
                    checked=Signal::derive(move || chosen.with(|c| slug.with_value(|s| c.contains(s))))
                    on_change=Callback::new(move |on| chosen.update(|c| toggle(c, slug.get_value(), on)))
                />
            }
        })
        .collect::<Vec<_>>();
    let no_groups = group_boxes.is_empty();
    let groups_hint = t(if admin { Msg::ApiKeyGroupsHintAdmin } else { Msg::ApiKeyGroupsHintFacilitator });
    view! {
        <form class="card form-card" on:submit=submit novalidate aria-labelledby="new-api-key-title">
            <h2 id="new-api-key-title">{t(Msg::NewApiKey)}</h2>
            <ErrorSlot error=error fields=FIELDS/>
            <TextField id="api-key-name" label=t(Msg::ApiKeyName) hint=t(Msg::ApiKeyNameHint) value=name error=field_error(error, "name")/>
            <fieldset class="rows scopes" aria-describedby="api-key-scopes-hint">
                <legend>{t(Msg::ApiKeyScopes)}</legend>
                <p class="hint" id="api-key-scopes-hint">{t(Msg::ApiKeyScopesHint)}</p>
                {scope_boxes}
                {move || scopes_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </fieldset>
            <fieldset class="rows key-groups" aria-describedby="api-key-groups-hint">
                <legend>{t(Msg::ApiKeyGroups)}</legend>
                <p class="hint" id="api-key-groups-hint">{groups_hint}</p>
                {no_groups.then(|| view! { <p class="empty">{t(Msg::ApiKeyNoGroups)}</p> })}
                <div class="group-choices">{group_boxes}</div>
                {move || groups_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </fieldset>
            <TextField
                id="api-key-expires"
                label=t(Msg::ApiKeyExpires)
                kind="date"
                hint=t(Msg::ApiKeyExpiresHint)
                value=expires
                error=expires_error
                required=false
            />
            <button class="primary" type="submit" disabled=move || busy.get() data-testid="create-api-key">
                {busy_text(busy, Msg::CreateApiKey)}
            </button>
        </form>
    }
    .into_any()
}

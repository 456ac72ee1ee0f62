//! One key in the list: what it may do and where, who made it, when it was last used
//! and where it stands; with Rotate (and its grace period) and Revoke while it works.

use chrono::{DateTime, Utc};
use copse_shared::endpoints::{RevokeApiKey, RotateApiKey};
use copse_shared::partners::{ApiKey, RotateApiKeyRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::FreshSecret;
use crate::api::{self, ApiError};
use crate::components::confirm::ConfirmButton;
use crate::components::rotate::RotateForm;
use crate::components::status::RowError;
use crate::format;
use crate::i18n::{self, Msg, t};

/// A `<time>` for a fact of the key.
fn when(at: DateTime<Utc>) -> impl IntoView {
    view! { <time datetime=format::iso(at)>{format::date_time(at)}</time> }
}

/// Where the key stands now: revoked, expired or active, and whether the secret it
/// replaced still works.
fn status(key: &ApiKey, now: DateTime<Utc>) -> impl IntoView + use<> {
    let (class, label) = if key.revoked_at.is_some() {
        ("badge warn", Msg::ApiKeyRevoked)
    } else if key.expires_at.is_some_and(|at| at <= now) {
        ("badge muted", Msg::ApiKeyExpired)
    } else {
        ("badge", Msg::ApiKeyActive)
    };
    // Revoking ends the old secret too, so only a working key shows its grace period.
    let grace = key.previous_valid_until.filter(|until| key.revoked_at.is_none() && *until > now).map(|until| {
        view! {
            " "
            <span class="badge muted">
                {i18n::fill(Msg::ApiKeyOldSecretUntil, &[("time", &format::date_time(until))])}
            </span>
        }
    });
    view! { <span class=class>{t(label)}</span> {grace} }
}

#[component]
pub fn KeyRow(key: ApiKey, keys: RwSignal<Vec<ApiKey>>, fresh: RwSignal<Option<FreshSecret>>) -> impl IntoView {
    let now = Utc::now();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let id = StoredValue::new(key.id.clone());
    let name_id = format!("api-key-{}", key.id);
    let revoked = key.revoked_at.is_some();
    let expired = key.expires_at.is_some_and(|at| at <= now);
    let revoke = move || {
        busy.set(true);
        error.set(None);
        let id = id.get_value();
        spawn_local(async move {
            let result = api::call(&RevokeApiKey { id: id.clone() }).await;
            busy.set(false);
            match result {
                // The server answers nothing: mark the key here as the server now has it.
                Ok(()) => keys.update(|list| {
                    if let Some(key) = list.iter_mut().find(|k| k.id == id) {
                        key.revoked_at = Some(Utc::now());
                        key.previous_valid_until = None;
                    }
                }),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let rotate = move |grace: u32| {
        busy.set(true);
        let id = id.get_value();
        let body = RotateApiKeyRequest { grace_hours: Some(grace) };
        spawn_local(async move {
            let result = api::call(&RotateApiKey { id, body }).await;
            busy.set(false);
            match result {
                Ok(created) => {
                    fresh.set(Some(FreshSecret {
                        name: created.key.name.clone(),
                        secret: created.secret,
                        rotated: true,
                    }));
                    keys.update(|list| {
                        if let Some(key) = list.iter_mut().find(|k| k.id == created.key.id) {
                            *key = created.key;
                        }
                    });
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let groups = if key.groups.is_empty() {
        t(Msg::WholeCommunity).to_owned()
    } else {
        key.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", ")
    };
    let made_by = key.created_by.as_ref().map_or_else(|| t(Msg::FormerMember).to_owned(), |m| m.display_name.clone());
    let expires = key.expires_at.map_or_else(|| t(Msg::ApiKeyNever).into_any(), |at| when(at).into_any());
    let last_used = match (key.last_used_at, key.last_used_ip.clone()) {
        (Some(at), Some(ip)) => view! {
            <time datetime=format::iso(at)>
                {i18n::fill(Msg::ApiKeyLastUsedFrom, &[("time", &format::date_time(at)), ("ip", &ip)])}
            </time>
        }
        .into_any(),
        (Some(at), None) => when(at).into_any(),
        (None, _) => t(Msg::ApiKeyNever).into_any(),
    };
    let scopes =
        key.scopes.iter().map(|s| view! { <li><span class="badge scope">{s.as_str()}</span></li> }).collect_view();
    let actions = (!revoked).then(|| {
        let rotate_form = (!expired).then(|| {
            view! {
                <RotateForm
                    id=format!("api-key-grace-{}", key.id)
                    describedby=name_id.clone()
                    busy=busy
                    error=error
                    testid="rotate-api-key"
                    working_text=true
                    on_rotate=Callback::new(rotate)
                />
            }
        });
        view! {
            <div class="row-actions">
                {rotate_form}
                <ConfirmButton
                    label=t(Msg::Revoke)
                    question=t(Msg::RevokeApiKeyQuestion)
                    confirm=t(Msg::RevokeConfirm)
                    busy=busy
                    describedby=name_id.clone()
                    on_confirm=Callback::new(move |_| revoke())
                    testid="revoke-api-key"
                />
            </div>
        }
    });
    view! {
        <li class="row api-key" data-testid="api-key-row">
            <div class="row-main">
                <span class="row-title">
                    <strong id=name_id.clone()>{key.name.clone()}</strong> " " {status(&key, now)}
                </span>
                <dl class="facts key-facts">
                    <dt>{t(Msg::ApiKeyPrefix)}</dt>
                    <dd><code class="key-prefix">{key.prefix.clone()}"…"</code></dd>
                    <dt>{t(Msg::ApiKeyScopes)}</dt>
                    <dd><ul class="scope-list">{scopes}</ul></dd>
                    <dt>{t(Msg::ApiKeyGroups)}</dt>
                    <dd>{groups}</dd>
                    <dt>{t(Msg::ApiKeyMadeBy)}</dt>
                    <dd>{made_by}</dd>
                    <dt>{t(Msg::CreatedOn)}</dt>
                    <dd>{when(key.created_at)}</dd>
                    <dt>{t(Msg::ExpiresOn)}</dt>
                    <dd>{expires}</dd>
                    <dt>{t(Msg::ApiKeyLastUsed)}</dt>
                    <dd>{last_used}</dd>
                </dl>
            </div>
            {actions}
            <RowError error=error/>
        </li>
    }
}

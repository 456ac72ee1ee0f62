//! API keys: made by admins (for the community, optionally limited to groups) and by
//! group facilitators (for the groups they facilitate), shown once, stored as SHA-256
//! hashes, revoked at once or rotated with a grace period, and resolved into a `Key`
//! actor on every request that accepts keys.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Duration, Utc};
use copse_shared::ErrorCode;
use copse_shared::auth::{AccountStatus, Role};
use copse_shared::groups::{GroupRole, MembershipStatus};
use copse_shared::partners::{ApiKey, CreateApiKeyRequest, CreatedApiKey, RotateApiKeyRequest, Scope};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::auth::secret::{random_token, token_hash};
use crate::entities::{api_key, group, group_membership, user};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Actor, KeyActor};
use crate::services::discussions::{group_refs, members};
use crate::services::validate;
use crate::state::AppState;

/// Every key starts with this, so a leaked one is recognisable (and scanners can find it).
pub const PREFIX: &str = "copse_";
/// The longest grace period of a rotation, in hours (30 days).
const MAX_GRACE_HOURS: u32 = 720;
/// Last use is written at most this often per key, so reads do not all become writes.
const LAST_USE_EVERY_SECONDS: i64 = 60;

fn split(list: &str) -> Vec<String> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn new_secret() -> (String, String) {
    let secret = format!("{PREFIX}{}", random_token());
    let prefix: String = secret.chars().take(PREFIX.len() + 6).collect();
    (secret, prefix)
}

fn unauthorized(detail: &str) -> ApiError {
    ApiError::unauthorized(ErrorCode::InvalidToken, detail)
}

/// The actor of a key secret: 401 when it is unknown, revoked, expired, or its maker's
/// account is no longer active. Records the last use (at most once a minute).
///
/// The key's row is kept in memory by the hash of its secret for
/// `COPSE_COMMUNITY_CACHE_MS` (`Memos::api_keys`) and its maker's account comes from
/// the accounts memory, so a partner's request reads nothing to know who it is. Every
/// revocation or rotation through this server empties that memory after its commit (a
/// suspended maker is dropped from the accounts memory the same way); through another
/// instance they take effect within that time, as a suspension does. Expiry and a
/// rotated secret's grace period are checked on every request against the clock.
pub async fn authenticate(state: &AppState, secret: &str, ip: &str) -> ApiResult<Actor> {
    let now = Utc::now();
    let hash = token_hash(secret);
    let trusted_for = std::time::Duration::from_millis(state.settings.community_cache_ms);
    let key = state
        .memo
        .api_keys
        .get_or_read(&hash, trusted_for, find_by_hash(&state.db, &hash))
        .await?
        .ok_or_else(|| unauthorized("Unknown API key."))?;
    if key.secret_hash != hash && key.previous_valid_until.is_none_or(|until| until <= now) {
        return Err(unauthorized("Unknown API key."));
    }
    if key.revoked_at.is_some() {
        return Err(unauthorized("This API key was revoked."));
    }
    if key.expires_at.is_some_and(|at| at <= now) {
        return Err(unauthorized("This API key has expired."));
    }
    let owner = crate::services::accounts::signed_in(state, &key.created_by)
        .await?
        .filter(|u| u.status() == AccountStatus::Active)
        .ok_or_else(|| unauthorized("The member who made this API key is no longer active."))?;
    if key.last_used_at.is_none_or(|at| now - at > Duration::seconds(LAST_USE_EVERY_SECONDS)) {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, Expr::value(now))
            .col_expr(api_key::Column::LastUsedIp, Expr::value(ip.chars().take(64).collect::<String>()))
            .filter(api_key::Column::Id.eq(key.id.clone()))
            .exec(&state.db)
            .await?;
        // Read again next time, with this use on it: not once per request until then.
        state.memo.api_keys.forget(&hash);
    }
    let groups = split(&key.groups);
    Ok(Actor::Key(Box::new(KeyActor {
        key_id: key.id.clone(),
        owner,
        scopes: split(&key.scopes).iter().filter_map(|s| Scope::parse(s)).collect(),
        groups: (!groups.is_empty()).then_some(groups),
    })))
}

/// The groups a member facilitates (active), by id.
async fn facilitated(db: &impl ConnectionTrait, user_id: &str) -> ApiResult<HashSet<String>> {
    Ok(group_membership::Entity::find()
        .filter(group_membership::Column::UserId.eq(user_id.to_owned()))
        .filter(group_membership::Column::Role.eq(GroupRole::Facilitator.as_str()))
        .filter(group_membership::Column::Status.eq(MembershipStatus::Active.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.group_id)
        .collect())
}

async fn dtos(state: &AppState, rows: Vec<api_key::Model>) -> ApiResult<Vec<ApiKey>> {
    let groups = group_refs(state, rows.iter().flat_map(|k| split(&k.groups)).collect()).await?;
    let people = members(state, rows.iter().map(|k| k.created_by.clone()).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|k| ApiKey {
            scopes: split(&k.scopes).iter().filter_map(|s| Scope::parse(s)).collect(),
            groups: split(&k.groups).iter().filter_map(|g| groups.get(g).cloned()).collect(),
            created_by: people.get(&k.created_by).cloned(),
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            created_at: k.created_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
            previous_valid_until: k.previous_valid_until,
            last_used_at: k.last_used_at,
            last_used_ip: k.last_used_ip,
        })
        .collect())
}

fn member(actor: &Actor) -> ApiResult<&user::Model> {
    // Keys never manage keys: only a member's own session may.
    match actor {
        Actor::Member(user) => Ok(user),
        Actor::Key(_) => Err(ApiError::forbidden("API keys cannot manage API keys.")),
        Actor::Anonymous => Err(policy::sign_in_required()),
    }
}

/// Makes a key. Admins may make any; other members only keys limited to groups they
/// facilitate.
pub async fn create(state: &AppState, actor: &Actor, request: CreateApiKeyRequest) -> ApiResult<CreatedApiKey> {
    let me = member(actor)?;
    let mut errors = validate::Errors::default();
    let name = validate::text(&mut errors, "name", &request.name, 3, 80);
    let scopes: BTreeSet<Scope> = request.scopes.iter().copied().collect();
    if scopes.is_empty() {
        errors.add("scopes", "required", "Give the key at least one scope.");
    }
    if request.expires_at.is_some_and(|at| at <= Utc::now()) {
        errors.add("expires_at", "in_the_past", "The expiry must be in the future.");
    }
    let mut group_ids = Vec::new();
    for key in request.groups.iter().map(|g| g.trim()).filter(|g| !g.is_empty()) {
        let by_key = Condition::any().add(group::Column::Id.eq(key)).add(group::Column::Slug.eq(key));
        match group::Entity::find().filter(by_key).one(&state.db).await? {
            Some(g) if !group_ids.contains(&g.id) => group_ids.push(g.id),
            Some(_) => {}
            None => errors.add("groups", "unknown", format!("No group `{key}`.")),
        }
    }
    errors.finish()?;
    if me.role() != Role::Admin {
        let mine = facilitated(&state.db, &me.id).await?;
        if group_ids.is_empty() || group_ids.iter().any(|g| !mine.contains(g)) {
            return Err(ApiError::forbidden(
                "Only admins make community-wide keys; group facilitators make keys limited to their groups.",
            ));
        }
    }
    let (secret, prefix) = new_secret();
    let row = api_key::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        name: Set(name),
        prefix: Set(prefix),
        secret_hash: Set(token_hash(&secret)),
        previous_hash: Set(None),
        previous_valid_until: Set(None),
        scopes: Set(scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")),
        groups: Set(group_ids.join(",")),
        created_by: Set(me.id.clone()),
        created_at: Set(Utc::now()),
        expires_at: Set(request.expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
        last_used_ip: Set(None),
    }
    .insert(&state.db)
    .await?;
    let key = dtos(state, vec![row]).await?.pop().ok_or_else(ApiError::not_found)?;
    Ok(CreatedApiKey { key, secret })
}

/// Keys the member may manage: all for admins, their own for others.
pub async fn list(state: &AppState, actor: &Actor) -> ApiResult<Vec<ApiKey>> {
    let me = member(actor)?;
    let mut query = api_key::Entity::find().order_by_desc(api_key::Column::CreatedAt);
    if me.role() != Role::Admin {
        query = query.filter(api_key::Column::CreatedBy.eq(me.id.clone()));
    }
    dtos(state, query.all(&state.db).await?).await
}

/// A key the member may manage, or 404 (never revealing others' keys).
async fn own(state: &AppState, me: &user::Model, id: &str) -> ApiResult<api_key::Model> {
    api_key::Entity::find_by_id(id.to_owned())
        .one(&state.db)
        .await?
        .filter(|k| me.role() == Role::Admin || k.created_by == me.id)
        .ok_or_else(ApiError::not_found)
}

/// The key whose current secret has this hash, or whose previous one has it and is
/// still in its grace period.
async fn find_by_hash(db: &impl ConnectionTrait, hash: &str) -> ApiResult<Option<api_key::Model>> {
    if let Some(key) = api_key::Entity::find().filter(api_key::Column::SecretHash.eq(hash)).one(db).await? {
        return Ok(Some(key));
    }
    Ok(api_key::Entity::find()
        .filter(api_key::Column::PreviousHash.eq(hash))
        .filter(api_key::Column::PreviousValidUntil.gt(Utc::now()))
        .one(db)
        .await?)
}

/// Revokes a key (and any previous secret still in its grace period) at once.
pub async fn revoke(state: &AppState, actor: &Actor, id: &str) -> ApiResult<()> {
    let me = member(actor)?;
    let key = own(state, me, id).await?;
    if key.revoked_at.is_none() {
        let mut row: api_key::ActiveModel = key.into();
        row.revoked_at = Set(Some(Utc::now()));
        row.previous_valid_until = Set(None);
        row.update(&state.db).await?;
        state.memo.api_keys.clear();
    }
    Ok(())
}

/// Gives a key a new secret; the old one keeps working for the grace period.
pub async fn rotate(
    state: &AppState,
    actor: &Actor,
    id: &str,
    request: RotateApiKeyRequest,
) -> ApiResult<CreatedApiKey> {
    let me = member(actor)?;
    let key = own(state, me, id).await?;
    if key.revoked_at.is_some() {
        return Err(ApiError::client(
            actix_web::http::StatusCode::CONFLICT,
            ErrorCode::Conflict,
            "This key was revoked; make a new one.",
        ));
    }
    let grace = request.grace_hours.unwrap_or(24);
    if grace > MAX_GRACE_HOURS {
        return Err(ApiError::field("grace_hours", "too_long", format!("At most {MAX_GRACE_HOURS} hours.")));
    }
    let (secret, prefix) = new_secret();
    let until: Option<DateTime<Utc>> = (grace > 0).then(|| Utc::now() + Duration::hours(i64::from(grace)));
    let mut row: api_key::ActiveModel = key.clone().into();
    row.previous_hash = Set(until.map(|_| key.secret_hash.clone()));
    row.previous_valid_until = Set(until);
    row.secret_hash = Set(token_hash(&secret));
    row.prefix = Set(prefix);
    let row = row.update(&state.db).await?;
    state.memo.api_keys.clear();
    let key = dtos(state, vec![row]).await?.pop().ok_or_else(ApiError::not_found)?;
    Ok(CreatedApiKey { key, secret })
}

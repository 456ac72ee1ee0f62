//! Shared application state handed to every handler.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::jwt::JwtKeys;
use crate::config::Settings;
use crate::ratelimit::RateLimiter;
use crate::services::memo::{Memo, MemoMap};
use crate::storage::FileStore;

/// What handlers and services share. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Access-token signing keys.
    pub jwt: Arc<JwtKeys>,
    /// Settings in effect.
    pub settings: Arc<Settings>,
    /// Login and registration limits.
    pub limiter: Arc<RateLimiter>,
    /// Where library files and previews are stored.
    pub files: FileStore,
    /// Outgoing webhooks: the guarded sender and the worker's wake-up call.
    pub webhooks: crate::services::webhooks::outbox::Outbox,
    /// Small, often-read rows kept in memory for a moment.
    pub memo: Memos,
}

/// Rows nearly every request reads, kept for `COPSE_COMMUNITY_CACHE_MS`
/// (`services::memo`).
#[derive(Clone, Default)]
pub struct Memos {
    /// The community settings (`services::community::current`).
    pub community: crate::services::community::Cache,
    /// Every category by id (`services::discussions::refs`).
    pub categories: Memo<HashMap<String, crate::entities::category::Model>>,
    /// Every group by id, for the group shown on each topic.
    pub groups: Memo<HashMap<String, crate::entities::group::Model>>,
    /// Signed-in members' accounts by id (`services::accounts::signed_in`): every
    /// signed-in request checks its account is still active.
    pub accounts: MemoMap<crate::entities::user::Model>,
    /// Members' names by id, shown beside every topic, post, item and event
    /// (`services::discussions::members`).
    pub names: MemoMap<copse_shared::members::MemberSummary>,
}

//! Shared application state handed to every handler.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::jwt::JwtKeys;
use crate::config::Settings;
use crate::ratelimit::RateLimiter;
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
    /// The community settings, kept for a second (`services::community::current`).
    pub community: crate::services::community::Cache,
}

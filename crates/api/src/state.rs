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
    /// API keys by the hash of a secret (`services::partners::keys::authenticate`):
    /// every partner request resolves its key. Emptied by a revocation or rotation.
    pub api_keys: MemoMap<crate::entities::api_key::Model>,
    /// Members' names by id, shown beside every topic, post, item and event
    /// (`services::discussions::members`).
    pub names: MemoMap<copse_shared::members::MemberSummary>,
    /// Pages of the topic list, by who reads them (`policy::list_reader`) and the
    /// filter (`services::discussions::topics::list`). Emptied by every write.
    /// At most 256 pages (a page of 100 topics is about 60 KB).
    pub topic_lists: MemoMap<copse_shared::Page<copse_shared::discussions::TopicSummary>, 256>,
    /// Pages of the library, kept and shared as the topic list's are.
    pub library_lists: MemoMap<copse_shared::Page<copse_shared::library::LibraryItemSummary>, 256>,
    /// Pages of events' occurrences as every reader sees them (without the reader's
    /// own answers), kept and shared as the topic list's are (`services::events::list`).
    /// At most 128 pages.
    pub event_lists: MemoMap<copse_shared::Page<copse_shared::events::Occurrence>, 128>,
    /// Each member's answers to events (`services::events::with_kept_answers`), shown
    /// on every events page they read. Emptied by every write.
    pub answers: MemoMap<crate::services::events::Answers>,
    /// Pages of the change feed, by key (or reader) and request
    /// (`services::partners::changes::list`). At most 64 pages (a page of 500 changes
    /// is about 100 KB).
    pub change_pages: MemoMap<crate::services::partners::changes::PageJson, 64>,
    /// Pages of the member directory by request: every reader who may read profiles
    /// sees the same cards (`services::profiles::directory::list`). At most 128.
    pub directory_pages: MemoMap<copse_shared::Page<copse_shared::profiles::ProfileSummary>, 128>,
    /// Pages of topics' posts as every reader sees them, by topic and page
    /// (`services::discussions::posts::list`). Emptied by every write.
    /// At most 128 pages, each under `PostsPage::MAX_KEPT_BYTES` of text.
    pub topic_pages: MemoMap<crate::services::discussions::PostsPage, 128>,
    /// Each member's group memberships (`services::groups::memberships_of`), which
    /// decide what they may read. Emptied by every write.
    pub memberships: MemoMap<Vec<crate::entities::group_membership::Model>>,
}

impl Memos {
    /// Called after every write request through this server
    /// (`middleware::forget_content`): what a write may change is read again, so a
    /// member sees their own reply, rename or new membership at once. Pages and
    /// memberships depend on too many rows to name the ones a write touched, and are
    /// read much more often than written. The categories and groups are read again
    /// too, whichever write it was.
    pub fn content_changed(&self) {
        self.topic_lists.clear();
        self.library_lists.clear();
        self.event_lists.clear();
        self.change_pages.clear();
        self.directory_pages.clear();
        self.topic_pages.clear();
        self.memberships.clear();
        self.answers.clear();
        self.categories.forget();
        self.groups.forget();
    }
}

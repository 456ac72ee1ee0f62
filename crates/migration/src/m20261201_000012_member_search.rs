//! The member directory's text index: one row per member holding the lower-cased name
//! and the profile's search text (headline, organisation, job title), kept current by
//! triggers on `users` and `profiles` so that every write path, present or future,
//! updates it in the same transaction.
//!
//! Matching stays "contains" (`LIKE '%word%'`, as before), but no longer scans every
//! profile: SQLite indexes the rows with FTS5's trigram tokenizer (an external-content
//! table over `member_search`, whose integer key is stable across VACUUM), PostgreSQL
//! with a pg_trgm GIN index. Where pg_trgm cannot be installed the search still works,
//! by scanning, and the migration says so.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE member_search (
       id INTEGER PRIMARY KEY,
       user_id varchar(36) NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
       body text NOT NULL)",
    "CREATE VIRTUAL TABLE member_search_fts USING fts5(body, content='member_search', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER member_search_fts_ai AFTER INSERT ON member_search BEGIN
       INSERT INTO member_search_fts (rowid, body) VALUES (new.id, new.body);
     END",
    "CREATE TRIGGER member_search_fts_ad AFTER DELETE ON member_search BEGIN
       INSERT INTO member_search_fts (member_search_fts, rowid, body) VALUES ('delete', old.id, old.body);
     END",
    "CREATE TRIGGER member_search_fts_au AFTER UPDATE ON member_search BEGIN
       INSERT INTO member_search_fts (member_search_fts, rowid, body) VALUES ('delete', old.id, old.body);
       INSERT INTO member_search_fts (rowid, body) VALUES (new.id, new.body);
     END",
    "CREATE TRIGGER users_member_search_ai AFTER INSERT ON users BEGIN
       INSERT INTO member_search (user_id, body)
       VALUES (new.id, lower(new.display_name) || coalesce(' ' || (SELECT search_text FROM profiles WHERE user_id = new.id), ''));
     END",
    "CREATE TRIGGER users_member_search_au AFTER UPDATE OF display_name ON users BEGIN
       UPDATE member_search
       SET body = lower(new.display_name) || coalesce(' ' || (SELECT search_text FROM profiles WHERE user_id = new.id), '')
       WHERE user_id = new.id;
     END",
    "CREATE TRIGGER profiles_member_search_ai AFTER INSERT ON profiles BEGIN
       UPDATE member_search
       SET body = (SELECT lower(display_name) FROM users WHERE id = new.user_id) || ' ' || new.search_text
       WHERE user_id = new.user_id;
     END",
    "CREATE TRIGGER profiles_member_search_au AFTER UPDATE OF search_text ON profiles BEGIN
       UPDATE member_search
       SET body = (SELECT lower(display_name) FROM users WHERE id = new.user_id) || ' ' || new.search_text
       WHERE user_id = new.user_id;
     END",
    "CREATE TRIGGER profiles_member_search_ad AFTER DELETE ON profiles BEGIN
       UPDATE member_search SET body = (SELECT lower(display_name) FROM users WHERE id = old.user_id)
       WHERE user_id = old.user_id;
     END",
    "INSERT INTO member_search (user_id, body)
     SELECT u.id, lower(u.display_name) || coalesce(' ' || p.search_text, '')
     FROM users u LEFT JOIN profiles p ON p.user_id = u.id",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS profiles_member_search_ad",
    "DROP TRIGGER IF EXISTS profiles_member_search_au",
    "DROP TRIGGER IF EXISTS profiles_member_search_ai",
    "DROP TRIGGER IF EXISTS users_member_search_au",
    "DROP TRIGGER IF EXISTS users_member_search_ai",
    "DROP TABLE IF EXISTS member_search_fts",
    "DROP TABLE IF EXISTS member_search",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE TABLE member_search (
       user_id varchar(36) PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
       body text NOT NULL)",
    "CREATE FUNCTION member_search_from_user() RETURNS trigger LANGUAGE plpgsql AS $fn$
     BEGIN
       INSERT INTO member_search (user_id, body)
       VALUES (NEW.id, lower(NEW.display_name) || coalesce(' ' || (SELECT search_text FROM profiles WHERE user_id = NEW.id), ''))
       ON CONFLICT (user_id) DO UPDATE SET body = EXCLUDED.body;
       RETURN NULL;
     END $fn$",
    "CREATE TRIGGER users_member_search AFTER INSERT OR UPDATE OF display_name ON users
     FOR EACH ROW EXECUTE FUNCTION member_search_from_user()",
    "CREATE FUNCTION member_search_from_profile() RETURNS trigger LANGUAGE plpgsql AS $fn$
     DECLARE uid varchar(36);
     BEGIN
       uid := CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
       UPDATE member_search
       SET body = lower(u.display_name) || coalesce(' ' || (SELECT search_text FROM profiles WHERE user_id = uid), '')
       FROM users u
       WHERE u.id = uid AND member_search.user_id = uid;
       RETURN NULL;
     END $fn$",
    "CREATE TRIGGER profiles_member_search AFTER INSERT OR DELETE OR UPDATE OF search_text ON profiles
     FOR EACH ROW EXECUTE FUNCTION member_search_from_profile()",
    "INSERT INTO member_search (user_id, body)
     SELECT u.id, lower(u.display_name) || coalesce(' ' || p.search_text, '')
     FROM users u LEFT JOIN profiles p ON p.user_id = u.id",
    // pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    // A server without the contrib modules keeps a working, unindexed search.
    "DO $do$
     BEGIN
       BEGIN
         CREATE EXTENSION IF NOT EXISTS pg_trgm;
       EXCEPTION WHEN OTHERS THEN
         RAISE WARNING 'copse: pg_trgm is unavailable (%): the member directory search will scan', SQLERRM;
       END;
       IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
         EXECUTE 'CREATE INDEX idx_member_search_trgm ON member_search USING gin (body gin_trgm_ops)';
       END IF;
     END $do$",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS profiles_member_search ON profiles",
    "DROP TRIGGER IF EXISTS users_member_search ON users",
    "DROP FUNCTION IF EXISTS member_search_from_profile()",
    "DROP FUNCTION IF EXISTS member_search_from_user()",
    "DROP TABLE IF EXISTS member_search",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::raw(manager, SQLITE_UP, POSTGRES_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::raw(manager, SQLITE_DOWN, POSTGRES_DOWN).await
    }
}

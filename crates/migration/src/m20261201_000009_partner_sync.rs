//! Partner sync: the change log that `GET /api/v1/changes` reads, filled by triggers on
//! topics, posts, library items and events, and the external ids that partners upsert by.
//!
//! Triggers rather than calls in every service: a write path added later (a bulk
//! import, an account erasure, a moderator tool) cannot forget to record its change,
//! and the change is always in the same transaction as the write.
//!
//! Ordering. A partner's cursor is a position `pos`; it must never pass a position
//! that a later commit could still fill. On SQLite one transaction writes at a time,
//! so the trigger simply takes the next position. On PostgreSQL transactions commit in
//! any order, so rows are inserted without a position and a deferred constraint
//! trigger stamps them at commit time under a transaction-scoped advisory lock: the
//! lock is held until the commit is visible, so positions are handed out in commit
//! order and a reader that sees position `p` already sees every position below it.
//! The cost is that committing transactions which changed content queue for that lock
//! (the stamp and the commit itself), not for the whole transaction.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Changes {
    Table,
    Seq,
    Pos,
    ResourceType,
    ResourceId,
    Op,
    GroupId,
    ChangedAt,
}

#[derive(DeriveIden)]
enum ExternalRefs {
    Table,
    ResourceType,
    Source,
    ExternalId,
    ResourceId,
    SourceName,
    SourceUrl,
    ContentHash,
    KeyId,
    CreatedAt,
    UpdatedAt,
}

/// One watched table: its resource type, the columns whose change is not a change of
/// the resource (counters and caches that other changes already cover), and how its
/// group is found.
pub(crate) struct Watched {
    pub(crate) table: &'static str,
    kind: &'static str,
    /// Columns that carry the resource's content or state, compared on update (SQLite).
    pub(crate) content: &'static [&'static str],
    /// Columns ignored on update: counters and caches that other changes already cover.
    pub(crate) ignored: &'static [&'static str],
    /// The other columns: set at creation, or changed only with a content column (an
    /// edit bumps `updated_at`, rendered HTML follows its text). Not read by any
    /// trigger: a test checks that every column of the table is in one of the three
    /// lists, so a column added later is placed on purpose.
    pub(crate) follows: &'static [&'static str],
    /// Whether the row has a `hidden_at` (hidden content leaves the feed like deleted).
    pub(crate) hideable: bool,
    /// SQL for the row's group given a row alias (`NEW`/`OLD`).
    group: fn(&str) -> String,
}

fn own_group(row: &str) -> String {
    format!("{row}.group_id")
}

fn topic_group(row: &str) -> String {
    format!("(SELECT group_id FROM topics WHERE topics.id = {row}.topic_id)")
}

pub(crate) const WATCHED: [Watched; 4] = [
    Watched {
        table: "topics",
        kind: "topic",
        content: &[
            "title",
            "kind",
            "pinned",
            "locked",
            "category_id",
            "group_id",
            "accepted_post_id",
            "hidden_at",
            "deleted_at",
        ],
        ignored: &["reply_count", "excerpt", "last_activity_at", "first_reply_at", "updated_at"],
        follows: &["id", "author_id", "created_at"],
        hideable: true,
        group: own_group,
    },
    Watched {
        table: "posts",
        kind: "post",
        content: &["body", "hidden_at", "deleted_at", "edited_at"],
        ignored: &["updated_at"],
        follows: &["id", "topic_id", "number", "author_id", "body_html", "quote_post_id", "created_at"],
        hideable: true,
        group: topic_group,
    },
    Watched {
        table: "library_items",
        kind: "library_item",
        content: &[
            "title",
            "description",
            "kind",
            "language",
            "licence",
            "url",
            "group_id",
            "current_version_id",
            "updated_at",
            "deleted_at",
        ],
        ignored: &["download_count"],
        follows: &["id", "owner_id", "description_html", "topic_id", "version_count", "created_at"],
        hideable: false,
        group: own_group,
    },
    Watched {
        table: "events",
        kind: "event",
        content: &["sequence", "title", "group_id", "cancelled_at", "updated_at", "deleted_at"],
        ignored: &[],
        follows: &[
            "id",
            "creator_id",
            "description",
            "description_html",
            "format",
            "time_zone",
            "all_day",
            "local_start",
            "local_end",
            "starts_at",
            "ends_at",
            "recurrence",
            "venue",
            "online_url",
            "link_for_going_only",
            "capacity",
            "rsvp_deadline",
            "attendees_public",
            "reminders",
            "series_end",
            "created_at",
        ],
        hideable: false,
        group: own_group,
    },
];

pub(crate) fn live(row: &str, hideable: bool) -> String {
    if hideable {
        format!("({row}.deleted_at IS NULL AND {row}.hidden_at IS NULL)")
    } else {
        format!("({row}.deleted_at IS NULL)")
    }
}

/// SQL true when a content column of the row changed, `differs` being SQLite's `IS NOT`
/// or PostgreSQL's `IS DISTINCT FROM` (both compare NULLs as values).
pub(crate) fn moved(w: &Watched, differs: &str) -> String {
    w.content.iter().map(|c| format!("OLD.{c} {differs} NEW.{c}")).collect::<Vec<_>>().join(" OR ")
}

/// SQLite: three triggers per table, the update one only when a content column moved.
fn sqlite_triggers(w: &Watched) -> Vec<String> {
    let now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
    let insert = |op: &str, row: &str| {
        format!(
            "INSERT INTO changes (pos, resource_type, resource_id, op, group_id, changed_at) \
             VALUES ((SELECT COALESCE(MAX(pos), 0) + 1 FROM changes), '{kind}', {row}.id, {op}, {group}, {now});",
            kind = w.kind,
            group = (w.group)(row),
        )
    };
    let (old_live, new_live) = (live("OLD", w.hideable), live("NEW", w.hideable));
    let moved = moved(w, "IS NOT");
    let op =
        format!("CASE WHEN {old_live} AND {new_live} THEN 'updated' WHEN {new_live} THEN 'created' ELSE 'deleted' END");
    vec![
        format!(
            "CREATE TRIGGER changes_{t}_insert AFTER INSERT ON {t} WHEN {new_live} BEGIN {body} END",
            t = w.table,
            body = insert("'created'", "NEW")
        ),
        format!(
            "CREATE TRIGGER changes_{t}_update AFTER UPDATE ON {t} WHEN ({old_live} OR {new_live}) AND ({moved}) \
             BEGIN {body} END",
            t = w.table,
            body = insert(&op, "NEW")
        ),
        format!(
            "CREATE TRIGGER changes_{t}_delete AFTER DELETE ON {t} WHEN {old_live} BEGIN {body} END",
            t = w.table,
            body = insert("'deleted'", "OLD")
        ),
    ]
}

/// PostgreSQL: one function per table (row comparison without the ignored columns).
/// Migration 15 replaces the comparison with a `WHEN` clause on the content columns.
pub(crate) fn postgres_triggers(w: &Watched) -> Vec<String> {
    vec![
        postgres_function(w, true),
        format!(
            "CREATE TRIGGER changes_{t} AFTER INSERT OR UPDATE OR DELETE ON {t} \
             FOR EACH ROW EXECUTE FUNCTION changes_{t}()",
            t = w.table
        ),
    ]
}

/// PostgreSQL: the function that records a row's change. With `compare_rows`, an update
/// that changed only ignored columns records nothing (migration 9); without, the
/// trigger's `WHEN` clause has already said a content column moved (migration 15).
pub(crate) fn postgres_function(w: &Watched, compare_rows: bool) -> String {
    let ignored = if w.ignored.is_empty() {
        String::new()
    } else {
        format!(" - ARRAY[{}]::text[]", w.ignored.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", "))
    };
    let compare = if compare_rows {
        format!(
            "\n  IF (to_jsonb(OLD){ignored}) IS NOT DISTINCT FROM (to_jsonb(NEW){ignored}) THEN RETURN NULL; END IF;"
        )
    } else {
        String::new()
    };
    let (old_live, new_live) = (live("OLD", w.hideable), live("NEW", w.hideable));
    let record = |op: &str, row: &str| {
        format!(
            "INSERT INTO changes (resource_type, resource_id, op, group_id, changed_at) \
             VALUES ('{kind}', {row}.id, {op}, {group}, now());",
            kind = w.kind,
            group = (w.group)(row),
        )
    };
    format!(
        "CREATE OR REPLACE FUNCTION changes_{t}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF {new_live} THEN {ins} END IF;
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    IF {old_live} THEN {del} END IF;
    RETURN NULL;
  END IF;{compare}
  IF {old_live} AND {new_live} THEN {upd}
  ELSIF {new_live} THEN {ins}
  ELSIF {old_live} THEN {gone}
  END IF;
  RETURN NULL;
END $fn$",
        t = w.table,
        ins = record("'created'", "NEW"),
        del = record("'deleted'", "OLD"),
        upd = record("'updated'", "NEW"),
        gone = record("'deleted'", "NEW"),
    )
}

/// PostgreSQL: positions handed out at commit, in commit order (see the module doc).
/// Rows without a position are only ever this transaction's own: other transactions'
/// unstamped rows are uncommitted and invisible.
const STAMP: [&str; 4] = [
    "CREATE SEQUENCE changes_pos",
    "CREATE INDEX idx_changes_unstamped ON changes (seq) WHERE pos IS NULL",
    "CREATE OR REPLACE FUNCTION changes_stamp() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE r record;
BEGIN
  PERFORM pg_advisory_xact_lock(7366517);
  FOR r IN SELECT seq FROM changes WHERE pos IS NULL ORDER BY seq LOOP
    UPDATE changes SET pos = nextval('changes_pos') WHERE seq = r.seq;
  END LOOP;
  RETURN NULL;
END $fn$",
    "CREATE CONSTRAINT TRIGGER changes_stamp AFTER INSERT ON changes \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION changes_stamp()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Changes::Table)
                    .col(ColumnDef::new(Changes::Seq).big_integer().not_null().auto_increment().primary_key())
                    // Set at commit (PostgreSQL) or at once (SQLite): the feed's order.
                    .col(ColumnDef::new(Changes::Pos).big_integer().null())
                    .col(ColumnDef::new(Changes::ResourceType).string_len(16).not_null())
                    .col(ColumnDef::new(Changes::ResourceId).string_len(36).not_null())
                    .col(ColumnDef::new(Changes::Op).string_len(8).not_null())
                    // No foreign key: a tombstone outlives its resource and its group.
                    .col(ColumnDef::new(Changes::GroupId).string_len(36).null())
                    .col(ColumnDef::new(Changes::ChangedAt).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_changes_pos").table(Changes::Table).col(Changes::Pos).unique().to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExternalRefs::Table)
                    .col(ColumnDef::new(ExternalRefs::ResourceType).string_len(16).not_null())
                    .col(ColumnDef::new(ExternalRefs::Source).string_len(64).not_null())
                    .col(ColumnDef::new(ExternalRefs::ExternalId).string_len(200).not_null())
                    .col(ColumnDef::new(ExternalRefs::ResourceId).string_len(64).not_null())
                    .col(ColumnDef::new(ExternalRefs::SourceName).string_len(120).not_null())
                    .col(ColumnDef::new(ExternalRefs::SourceUrl).string_len(2000).null())
                    .col(ColumnDef::new(ExternalRefs::ContentHash).string_len(64).not_null())
                    .col(ColumnDef::new(ExternalRefs::KeyId).string_len(36).null())
                    .col(ColumnDef::new(ExternalRefs::CreatedAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ExternalRefs::UpdatedAt).timestamp_with_time_zone().not_null())
                    .primary_key(
                        Index::create()
                            .col(ExternalRefs::ResourceType)
                            .col(ExternalRefs::Source)
                            .col(ExternalRefs::ExternalId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_external_refs_resource")
                    .table(ExternalRefs::Table)
                    .col(ExternalRefs::ResourceType)
                    .col(ExternalRefs::ResourceId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        let backend = manager.get_database_backend();
        let statements: Vec<String> = match backend {
            DbBackend::Postgres => {
                STAMP.iter().map(|s| (*s).to_owned()).chain(WATCHED.iter().flat_map(postgres_triggers)).collect()
            }
            _ => WATCHED.iter().flat_map(sqlite_triggers).collect(),
        };
        for sql in statements {
            manager.get_connection().execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        for w in &WATCHED {
            let drops = match backend {
                DbBackend::Postgres => vec![
                    "DROP TRIGGER IF EXISTS changes_stamp ON changes".to_owned(),
                    "DROP FUNCTION IF EXISTS changes_stamp()".to_owned(),
                    "DROP SEQUENCE IF EXISTS changes_pos".to_owned(),
                    format!("DROP TRIGGER IF EXISTS changes_{t} ON {t}", t = w.table),
                    format!("DROP FUNCTION IF EXISTS changes_{t}()", t = w.table),
                ],
                _ => ["insert", "update", "delete"]
                    .iter()
                    .map(|op| format!("DROP TRIGGER IF EXISTS changes_{t}_{op}", t = w.table))
                    .collect(),
            };
            for sql in drops {
                manager.get_connection().execute_unprepared(&sql).await?;
            }
        }
        manager.drop_table(Table::drop().table(ExternalRefs::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Changes::Table).to_owned()).await?;
        Ok(())
    }
}

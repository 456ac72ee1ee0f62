//! The directory's "most active" order. A member's score is the number of topics,
//! replies and library items they have in the community or in public groups (private
//! groups' content does not count, so the order reveals nothing about it; hidden and
//! deleted content does not count either).
//!
//! Counting per request took 26 s at 20 000 members and a million replies, so a
//! background job counts every few minutes into `member_activity` (as Discourse's
//! directory does) and the directory sorts by the stored score. The counting reads
//! outside any transaction; only the rows whose score changed are written, in one
//! short transaction, so writers wait for milliseconds, not for the count.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Statement};

use crate::entities::user;
use crate::error::{ApiError, ApiResult};

/// The score of `users.id` in a directory query (0 for members with nothing visible).
pub const SCORE: &str = "COALESCE((SELECT ma.score FROM member_activity ma WHERE ma.user_id = users.id), 0)";

/// Visible contributions per member, two rows per member at most.
const COUNTS: &str = "SELECT p.author_id, COUNT(*) FROM posts p JOIN topics t ON t.id = p.topic_id \
LEFT JOIN groups g ON g.id = t.group_id WHERE p.author_id IS NOT NULL AND p.deleted_at IS NULL \
AND p.hidden_at IS NULL AND t.deleted_at IS NULL AND t.hidden_at IS NULL \
AND (t.group_id IS NULL OR g.visibility = 'public') GROUP BY p.author_id \
UNION ALL SELECT i.owner_id, COUNT(*) FROM library_items i LEFT JOIN groups ig ON ig.id = i.group_id \
WHERE i.owner_id IS NOT NULL AND i.deleted_at IS NULL AND (i.group_id IS NULL OR ig.visibility = 'public') \
GROUP BY i.owner_id";

/// Rows written per statement (two bound values each).
const BATCH: usize = 400;

fn table() -> Alias {
    Alias::new("member_activity")
}

async fn scores(db: &impl ConnectionTrait, sql: &str) -> ApiResult<HashMap<String, i64>> {
    let mut scores: HashMap<String, i64> = HashMap::new();
    for row in db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await? {
        let (user, count): (String, i64) = row.try_get_many_by_index()?;
        *scores.entry(user).or_default() += count;
    }
    Ok(scores)
}

/// Counts again and stores what changed; answers how many members' scores changed.
pub async fn refresh(db: &DatabaseConnection) -> ApiResult<usize> {
    let fresh = scores(db, COUNTS).await?;
    let stored = scores(db, "SELECT user_id, score FROM member_activity").await?;
    let changed: Vec<(&String, i64)> =
        fresh.iter().filter(|(user, score)| stored.get(*user) != Some(score)).map(|(u, s)| (u, *s)).collect();
    let gone: Vec<&String> = stored.keys().filter(|user| !fresh.contains_key(*user)).collect();
    if changed.is_empty() && gone.is_empty() {
        return Ok(0);
    }
    let txn = crate::db::begin(db).await?;
    for batch in changed.chunks(BATCH) {
        // A member who deleted their account since the count has no row to point at.
        let ids: Vec<&str> = batch.iter().map(|(user, _)| user.as_str()).collect();
        let existing: HashSet<String> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::Id.is_in(ids))
            .into_tuple::<String>()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        let mut insert = Query::insert();
        insert
            .into_table(table())
            .columns([Alias::new("user_id"), Alias::new("score")])
            .on_conflict(OnConflict::column(Alias::new("user_id")).update_column(Alias::new("score")).to_owned());
        let mut any = false;
        for (user, score) in batch.iter().filter(|(user, _)| existing.contains(*user)) {
            insert.values([Expr::val(user.as_str()), Expr::val(*score)]).map_err(ApiError::internal)?;
            any = true;
        }
        if any {
            txn.execute(&insert).await?;
        }
    }
    for batch in gone.chunks(BATCH) {
        let ids: Vec<&str> = batch.iter().map(|user| user.as_str()).collect();
        txn.execute(
            &Query::delete().from_table(table()).and_where(Expr::col(Alias::new("user_id")).is_in(ids)).to_owned(),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(changed.len() + gone.len())
}

/// Counts at start, then every `period`; a count that changed scores empties the
/// directory pages kept in `memo`, so the "most active" order shows it at once.
pub fn spawn_worker(db: DatabaseConnection, memo: crate::state::Memos, period: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        loop {
            ticks.tick().await;
            match refresh(&db).await {
                Ok(0) => {}
                Ok(_) => memo.directory_pages.clear(),
                Err(error) => tracing::warn!(error = %error, "counting members' activity failed; will retry"),
            }
        }
    });
}

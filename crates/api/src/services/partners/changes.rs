//! The change feed: every create, update and delete of topics, replies, library items
//! and events that the caller may read, oldest first, from a cursor.
//!
//! Rows are written by database triggers (migration `m20261201_000009_partner_sync`),
//! in the same transaction as the write, and numbered (`pos`) in commit order, so a
//! reader that sees a position sees every position below it. A page is read up to the
//! highest position committed when the read began; so a partner that stores
//! `next_cursor` never misses or repeats a change, however writes and reads interleave.

use std::sync::Arc;

use copse_shared::partners::{Change, ChangeOp, ChangePage, ChangeType};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::change;
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Actor};
use crate::services::{community, groups, validate};
use crate::state::AppState;

/// Default and largest page sizes.
const DEFAULT_LIMIT: u64 = 100;
const MAX_LIMIT: u64 = 500;

/// A position in the feed: just after the entry at `pos`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor(i64);

impl Cursor {
    /// The wire form: `c1.{pos}` (opaque to partners; the version lets it change).
    pub fn encode(self) -> String {
        format!("c1.{}", self.0)
    }

    /// Parses the wire form.
    pub fn decode(text: &str) -> Option<Self> {
        let pos: i64 = text.strip_prefix("c1.")?.parse().ok()?;
        (pos >= 0).then_some(Self(pos))
    }
}

/// The highest position committed now: the page is read up to it, so a row that
/// commits while the page is read cannot be skipped by the cursor moving past it.
async fn horizon(db: &impl ConnectionTrait) -> ApiResult<i64> {
    let max: Option<Option<i64>> =
        change::Entity::find().select_only().column_as(change::Column::Pos.max(), "max").into_tuple().one(db).await?;
    Ok(max.flatten().unwrap_or(0))
}

/// What a request asks for, validated.
#[derive(Debug)]
struct Query {
    cursor: Cursor,
    limit: u64,
    types: Vec<ChangeType>,
}

fn parse(actor: &Actor, cursor: Option<&str>, limit: Option<u64>, types: Option<&str>) -> ApiResult<Query> {
    let mut errors = validate::Errors::default();
    let cursor = match cursor.filter(|c| !c.is_empty()) {
        None => Cursor::default(),
        Some(text) => Cursor::decode(text).unwrap_or_else(|| {
            errors.add("cursor", "invalid", "Not a cursor of this feed; send a next_cursor you were given.");
            Cursor::default()
        }),
    };
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        errors.add("limit", "out_of_range", "Between 1 and 500.");
    }
    let mut asked = Vec::new();
    for name in types.unwrap_or_default().split(',').map(str::trim).filter(|t| !t.is_empty()) {
        match ChangeType::parse(name) {
            Some(kind) if !asked.contains(&kind) => asked.push(kind),
            Some(_) => {}
            None => errors.add("types", "unknown", "Types are topic, post, library_item and event."),
        }
    }
    errors.finish()?;
    let types = if asked.is_empty() {
        let readable: Vec<_> = ChangeType::ALL.into_iter().filter(|t| actor.has_scope(t.scope())).collect();
        if readable.is_empty() {
            return Err(ApiError::forbidden("This key has no scope that reads any kind of change."));
        }
        readable
    } else {
        if let Some(kind) = asked.iter().find(|t| !actor.has_scope(t.scope())) {
            return Err(ApiError::forbidden(format!(
                "Changes of type {} need the {} scope.",
                kind.as_str(),
                kind.scope().as_str()
            )));
        }
        asked
    };
    Ok(Query { cursor, limit, types })
}

/// A page of the feed as its JSON body: a kept page is serialised once, not on every
/// request that is shown it (a page of 100 changes is about 20 KB of JSON).
#[derive(Debug)]
pub struct PageJson(pub bytes::Bytes);

/// One page of the feed for an actor, as JSON.
///
/// A page is kept in memory for `COPSE_COMMUNITY_CACHE_MS` (1 s) and shown again for
/// the same request by the same key, or by a reader who sees the same content
/// (`groups::page_key`); every write through this server empties that memory. A kept
/// page is a consistent snapshot (read up to its horizon), so showing it again can
/// only delay a change, never skip one: the cursor it gives leads to the rest.
/// Partners poll in step (every minute, say, from the cursor they stored), and many
/// keys read the same idle feed; the page a key asked for a second ago is the answer.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    cursor: Option<&str>,
    limit: Option<u64>,
    types: Option<&str>,
) -> ApiResult<Arc<PageJson>> {
    let query = parse(actor, cursor, limit, types)?;
    let public_read = community::current(state).await?.public_read;
    let Some(visible) = policy::visible_changes(actor, public_read) else {
        return Err(policy::sign_in_required());
    };
    // A key's page depends on its scopes, its group limit and its maker's rights: kept
    // for that key alone (a change to any of them is a write, which empties the memory).
    let key = match actor.key() {
        Some(key) if state.settings.community_cache_ms > 0 => Some(format!("key|{}|{query:?}", key.key_id)),
        Some(_) => None,
        None => groups::page_key(state, actor, public_read, &query).await?,
    };
    let trusted_for = std::time::Duration::from_millis(state.settings.community_cache_ms);
    let read = async {
        let page = read_page(state, visible, query).await?;
        Ok(PageJson(serde_json::to_vec(&page).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?.into()))
    };
    state.memo.change_pages.shared(key, trusted_for, read).await
}

/// A page of the feed from the database.
async fn read_page(state: &AppState, visible: sea_orm::Condition, query: Query) -> ApiResult<ChangePage> {
    // The horizon is read first: anything committed after this point lies beyond it.
    let horizon = horizon(&state.db).await?;
    let type_names: Vec<&str> = query.types.iter().map(|t| t.as_str()).collect();
    let rows = change::Entity::find()
        .filter(change::Column::Pos.gt(query.cursor.0))
        .filter(change::Column::Pos.lte(horizon))
        .filter(change::Column::ResourceType.is_in(type_names))
        .filter(visible)
        .order_by_asc(change::Column::Pos)
        .limit(query.limit + 1)
        .all(&state.db)
        .await?;
    let has_more = rows.len() as u64 > query.limit;
    let changes: Vec<Change> = rows.into_iter().take(query.limit as usize).filter_map(to_dto).collect();
    let next = match changes.last() {
        Some(last) if has_more => Cursor::decode(&last.cursor).unwrap_or(query.cursor),
        // Everything visible up to the horizon was returned: move past the rows this
        // actor cannot see too, so an idle partner does not rescan them on every poll.
        _ => Cursor(horizon).max(query.cursor),
    };
    Ok(ChangePage { changes, next_cursor: next.encode(), has_more })
}

/// The wire form of a log row (`None` for a row of an unknown kind).
pub fn to_dto(row: change::Model) -> Option<Change> {
    let kind = ChangeType::parse(&row.resource_type)?;
    let op = match row.op.as_str() {
        "created" => ChangeOp::Created,
        "updated" => ChangeOp::Updated,
        "deleted" => ChangeOp::Deleted,
        _ => return None,
    };
    Some(Change {
        kind,
        path: (op != ChangeOp::Deleted).then(|| kind.path(&row.resource_id)),
        id: row.resource_id,
        op,
        group_id: row.group_id,
        at: row.changed_at,
        cursor: Cursor(row.pos.unwrap_or_default()).encode(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let c = Cursor(812);
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in ["", "c1.", "c1.1.2", "c2.1", "c1.-1", "c1.a", "12", "c1.99999999999999999999"] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}

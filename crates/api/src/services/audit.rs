//! The audit log: every administrative action is written in the same transaction as
//! the change itself, so the log cannot miss one. Admins read it through the API.

use chrono::Utc;
use copse_shared::Page;
use copse_shared::members::{AuditEntry, MemberSummary};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::{audit_entry, user};
use crate::error::ApiResult;
use crate::policy::{self, Action, Actor, Resource};
use crate::services::pagination::{self, Cursor};
use crate::state::AppState;

/// What was done to what.
#[derive(Debug)]
pub struct Event<'a> {
    /// `area.verb`, e.g. `member.suspend`.
    pub action: &'a str,
    /// `user`, `group`, `invitation`, `community`.
    pub target_type: &'a str,
    /// The target's id.
    pub target_id: &'a str,
    /// A readable name of the target now (it may change or disappear later).
    pub target_label: &'a str,
    /// Action-specific details.
    pub details: Value,
}

/// Writes one entry, on the caller's connection or transaction.
pub async fn record(db: &impl ConnectionTrait, actor: &user::Model, event: Event<'_>) -> ApiResult<()> {
    audit_entry::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        actor_id: Set(Some(actor.id.clone())),
        action: Set(event.action.to_owned()),
        target_type: Set(event.target_type.to_owned()),
        target_id: Set(event.target_id.to_owned()),
        target_label: Set(event.target_label.chars().take(300).collect()),
        details: Set(event.details.to_string()),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Lists entries, newest first (admins only). Two queries per page: entries, then
/// their actors' names.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    action_prefix: Option<String>,
    limit: Option<u64>,
    cursor: Option<String>,
) -> ApiResult<Page<AuditEntry>> {
    policy::require(actor, Action::ReadAudit, &Resource::Community)?;
    let limit = pagination::page_size(limit)?;
    let mut query = audit_entry::Entity::find();
    if let Some(prefix) = action_prefix.filter(|p| !p.is_empty()) {
        query = query.filter(audit_entry::Column::Action.starts_with(prefix));
    }
    if let Some(cursor) = cursor {
        let cursor = Cursor::decode(&cursor)?;
        query = query.filter(pagination::older_than(&cursor, audit_entry::Column::CreatedAt, audit_entry::Column::Id));
    }
    let rows = query
        .order_by_desc(audit_entry::Column::CreatedAt)
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = pagination::split(rows, limit, |last| Cursor::new(last.created_at, &last.id).encode());
    let actor_ids: Vec<String> = rows.iter().filter_map(|r| r.actor_id.clone()).collect();
    let names = user::Entity::find().filter(user::Column::Id.is_in(actor_ids)).all(&state.db).await?;
    let items = rows
        .into_iter()
        .map(|row| AuditEntry {
            actor: row.actor_id.as_ref().and_then(|id| {
                names
                    .iter()
                    .find(|u| &u.id == id)
                    .map(|u| MemberSummary { id: u.id.clone(), display_name: u.display_name.clone() })
            }),
            details: serde_json::from_str(&row.details).unwrap_or(Value::Null),
            id: row.id,
            action: row.action,
            target_type: row.target_type,
            target_id: row.target_id,
            target_label: row.target_label,
            created_at: row.created_at,
        })
        .collect();
    Ok(Page { items, next_cursor })
}

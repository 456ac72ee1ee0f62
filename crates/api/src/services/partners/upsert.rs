//! Partner upserts: a library item or an event created or replaced by its id at the
//! partner's source, recording where it came from (shown to members as "from ...").
//!
//! The `(type, source, external id)` row is claimed before the resource is made, so two
//! identical first upserts racing each other make one resource: the loser sees the
//! claim and answers 409 (retry). Repeating an upsert with the same body changes
//! nothing (its hash is kept), so no change-feed entry or webhook follows a no-op.
//! The resource is created and edited through the ordinary services, with their rules
//! and permission checks: a key needs `library:write` or `events:write` and its maker
//! the right to share or edit there.

use actix_web::http::StatusCode;
use chrono::Utc;
use copse_shared::ErrorCode;
use copse_shared::events::Event;
use copse_shared::library::{LibraryItem, UpdateLibraryItemRequest};
use copse_shared::partners::{ChangeType, Provenance, SourceInfo, UpsertEventRequest, UpsertLibraryItemRequest};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entities::external_ref;
use crate::error::{ApiError, ApiResult};
use crate::policy::Actor;
use crate::services::library::items;
use crate::services::{events, validate};
use crate::state::AppState;

/// Whether the upsert made the resource or found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Made now (201).
    Created,
    /// Replaced, or already equal to the body (200).
    Existing,
}

const PENDING: &str = "pending:";
/// How long a pending claim is trusted to belong to a live request.
const CLAIM_LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The provenance shown with a resource, if a partner synced it.
pub async fn provenance(db: &impl ConnectionTrait, kind: ChangeType, id: &str) -> ApiResult<Option<Provenance>> {
    let found = external_ref::Entity::find()
        .filter(external_ref::Column::ResourceType.eq(kind.as_str()))
        .filter(external_ref::Column::ResourceId.eq(id))
        .one(db)
        .await?;
    Ok(found.map(|r| Provenance {
        source: r.source,
        source_name: r.source_name,
        external_id: r.external_id,
        source_url: r.source_url,
        synced_at: r.updated_at,
    }))
}

/// Checks the address parts and the source description.
fn check(source: &str, external_id: &str, info: &SourceInfo) -> ApiResult<()> {
    let mut errors = validate::Errors::default();
    let slug_ok = (2..=64).contains(&source.len())
        && source.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && source.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
    if !slug_ok {
        errors.add("source", "invalid", "2 to 64 lower-case letters, digits, dots and hyphens.");
    }
    if external_id.is_empty() || external_id.len() > 200 || external_id.chars().any(char::is_control) {
        errors.add("external_id", "invalid", "1 to 200 characters, no control characters.");
    }
    validate::text(&mut errors, "source_name", &info.source_name, 2, 120);
    if let Some(url) = info.source_url.as_deref().filter(|u| !u.is_empty())
        && (!items::valid_url(url) || url.len() > 2000)
    {
        errors.add("source_url", "invalid_url", "Use an http or https address (up to 2000 characters).");
    }
    errors.finish()
}

/// A stable hash of what was sent (serde's field order is the struct's).
fn content_hash(body: &impl serde::Serialize) -> ApiResult<String> {
    let json = serde_json::to_vec(body).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
    Ok(crate::auth::secret::token_hash(&String::from_utf8_lossy(&json)))
}

/// Where the claim stands.
enum Claim {
    /// Ours: make the resource, then bind the claim to it.
    New,
    /// Bound to a resource.
    Bound(Box<external_ref::Model>),
}

/// A resource's address at a partner's source.
#[derive(Clone, Copy)]
struct Target<'a> {
    kind: ChangeType,
    source: &'a str,
    external_id: &'a str,
}

async fn claim(state: &AppState, actor: &Actor, target: Target<'_>, info: &SourceInfo) -> ApiResult<Claim> {
    let Target { kind, source, external_id } = target;
    let now = Utc::now();
    let row = external_ref::ActiveModel {
        resource_type: Set(kind.as_str().to_owned()),
        source: Set(source.to_owned()),
        external_id: Set(external_id.to_owned()),
        resource_id: Set(format!("{PENDING}{}", uuid::Uuid::new_v4())),
        source_name: Set(info.source_name.trim().to_owned()),
        source_url: Set(info.source_url.clone().filter(|u| !u.is_empty())),
        content_hash: Set(String::new()),
        key_id: Set(actor.key().map(|k| k.key_id.clone())),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let inserted = external_ref::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                external_ref::Column::ResourceType,
                external_ref::Column::Source,
                external_ref::Column::ExternalId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&state.db)
        .await?;
    if inserted == 1 {
        return Ok(Claim::New);
    }
    let existing = find(&state.db, kind, source, external_id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("external reference vanished")))?;
    if existing.resource_id.starts_with(PENDING) {
        // A claim is held only while its request makes the resource (milliseconds). One
        // left pending longer was abandoned (the process died, or binding failed after
        // the resource was made): it is taken over, atomically, so that one failure does
        // not answer 409 forever. The row's current value is the compare-and-swap guard.
        if now - existing.updated_at > CLAIM_LEASE {
            let taken = external_ref::Entity::update_many()
                .col_expr(
                    external_ref::Column::ResourceId,
                    sea_orm::sea_query::Expr::value(format!("{PENDING}{}", uuid::Uuid::new_v4())),
                )
                .col_expr(external_ref::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
                .filter(external_ref::Column::ResourceType.eq(kind.as_str()))
                .filter(external_ref::Column::Source.eq(source))
                .filter(external_ref::Column::ExternalId.eq(external_id))
                .filter(external_ref::Column::ResourceId.eq(existing.resource_id.clone()))
                .exec(&state.db)
                .await?;
            if taken.rows_affected == 1 {
                tracing::warn!(source, external_id, "took over an abandoned upsert claim");
                return Ok(Claim::New);
            }
        }
        return Err(ApiError::client(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            "The same resource is being created by another request; retry in a moment.",
        ));
    }
    Ok(Claim::Bound(Box::new(existing)))
}

async fn find(
    db: &impl ConnectionTrait,
    kind: ChangeType,
    source: &str,
    external_id: &str,
) -> ApiResult<Option<external_ref::Model>> {
    Ok(external_ref::Entity::find_by_id((kind.as_str().to_owned(), source.to_owned(), external_id.to_owned()))
        .one(db)
        .await?)
}

/// Binds a claim to the resource made for it, or records a replacement.
async fn bind(
    state: &AppState,
    actor: &Actor,
    target: Target<'_>,
    info: &SourceInfo,
    resource_id: &str,
    hash: String,
) -> ApiResult<()> {
    let Target { kind, source, external_id } = target;
    external_ref::Entity::update_many()
        .col_expr(external_ref::Column::ResourceId, sea_orm::sea_query::Expr::value(resource_id))
        .col_expr(external_ref::Column::ContentHash, sea_orm::sea_query::Expr::value(hash))
        .col_expr(external_ref::Column::SourceName, sea_orm::sea_query::Expr::value(info.source_name.trim()))
        .col_expr(
            external_ref::Column::SourceUrl,
            sea_orm::sea_query::Expr::value(info.source_url.clone().filter(|u| !u.is_empty())),
        )
        .col_expr(external_ref::Column::KeyId, sea_orm::sea_query::Expr::value(actor.key().map(|k| k.key_id.clone())))
        .col_expr(external_ref::Column::UpdatedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(external_ref::Column::ResourceType.eq(kind.as_str()))
        .filter(external_ref::Column::Source.eq(source))
        .filter(external_ref::Column::ExternalId.eq(external_id))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// Gives a claim back when making the resource failed, so a corrected retry can claim it.
async fn release(state: &AppState, target: Target<'_>) {
    let Target { kind, source, external_id } = target;
    let released = external_ref::Entity::delete_many()
        .filter(external_ref::Column::ResourceType.eq(kind.as_str()))
        .filter(external_ref::Column::Source.eq(source))
        .filter(external_ref::Column::ExternalId.eq(external_id))
        .filter(external_ref::Column::ResourceId.starts_with(PENDING))
        .exec(&state.db)
        .await;
    if let Err(error) = released {
        tracing::warn!(%error, source, external_id, "releasing an upsert claim failed");
    }
}

fn moved_group() -> ApiError {
    let mut errors = validate::Errors::default();
    errors.add("group", "immutable", "A synced resource stays in the group it was first sent to.");
    errors.finish().err().unwrap_or_else(|| ApiError::internal(anyhow::anyhow!("no error")))
}

fn same_group(requested: Option<&str>, group_id: Option<&str>, group_slug: Option<&str>) -> bool {
    match (requested.filter(|g| !g.is_empty()), group_id) {
        (None, None) => true,
        (Some(asked), Some(id)) => asked == id || Some(asked) == group_slug,
        _ => false,
    }
}

/// Creates or replaces a library item by its source and external id.
pub async fn library_item(
    state: &AppState,
    actor: &Actor,
    source: &str,
    external_id: &str,
    request: UpsertLibraryItemRequest,
) -> ApiResult<(LibraryItem, String, Outcome)> {
    check(source, external_id, &request.source)?;
    let target = Target { kind: ChangeType::LibraryItem, source, external_id };
    let hash = content_hash(&request)?;
    match claim(state, actor, target, &request.source).await? {
        Claim::New => match items::create(state, actor, request.item.clone()).await {
            Ok(item) => {
                bind(state, actor, target, &request.source, &item.summary.id, hash).await?;
                let (item, etag) = items::get(state, actor, &item.summary.id).await?;
                Ok((item, etag, Outcome::Created))
            }
            Err(error) => {
                release(state, target).await;
                Err(error)
            }
        },
        Claim::Bound(existing) => {
            // Reading first applies the policy: a key that may not see it gets 404.
            let (current, _) = items::get(state, actor, &existing.resource_id).await?;
            let group = current.summary.group.as_ref();
            if !same_group(request.item.group.as_deref(), group.map(|g| g.id.as_str()), group.map(|g| g.slug.as_str()))
            {
                return Err(moved_group());
            }
            if existing.content_hash != hash {
                let item = request.item.clone();
                let update = UpdateLibraryItemRequest {
                    title: item.title,
                    description: item.description,
                    kind: item.kind,
                    tags: item.tags,
                    language: item.language,
                    licence: item.licence,
                    url: item.url,
                };
                // The partner's copy is the reference: no If-Match, last write wins.
                items::update(state, actor, &existing.resource_id, None, update).await?;
                bind(state, actor, target, &request.source, &existing.resource_id, hash).await?;
            }
            let (item, etag) = items::get(state, actor, &existing.resource_id).await?;
            Ok((item, etag, Outcome::Existing))
        }
    }
}

/// Creates or replaces an event by its source and external id.
pub async fn event(
    state: &AppState,
    actor: &Actor,
    source: &str,
    external_id: &str,
    request: UpsertEventRequest,
) -> ApiResult<(Event, String, Outcome)> {
    check(source, external_id, &request.source)?;
    let target = Target { kind: ChangeType::Event, source, external_id };
    let hash = content_hash(&request)?;
    match claim(state, actor, target, &request.source).await? {
        Claim::New => match events::series::create(state, actor, request.event.clone()).await {
            Ok(event) => {
                bind(state, actor, target, &request.source, &event.id, hash).await?;
                let (event, etag) = events::get(state, actor, &event.id).await?;
                Ok((event, etag, Outcome::Created))
            }
            Err(error) => {
                release(state, target).await;
                Err(error)
            }
        },
        Claim::Bound(existing) => {
            let (current, _) = events::get(state, actor, &existing.resource_id).await?;
            let group = current.group.as_ref();
            if !same_group(request.event.group.as_deref(), group.map(|g| g.id.as_str()), group.map(|g| g.slug.as_str()))
            {
                return Err(moved_group());
            }
            if existing.content_hash != hash {
                events::series::update(state, actor, &existing.resource_id, None, request.event.event.clone()).await?;
                bind(state, actor, target, &request.source, &existing.resource_id, hash).await?;
            }
            let (event, etag) = events::get(state, actor, &existing.resource_id).await?;
            Ok((event, etag, Outcome::Existing))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> SourceInfo {
        SourceInfo {
            source_name: "FAO e-Agriculture".into(),
            source_url: Some("https://www.fao.org/e-agriculture/".into()),
        }
    }

    #[test]
    fn sources_are_slugs_and_ids_are_bounded() {
        assert!(check("fao-e-agriculture", "doc/42", &info()).is_ok());
        assert!(check("km4dev.org", "a", &info()).is_ok());
        for bad in ["", "a", "FAO", "-fao", "fao e", "fao/x", &"x".repeat(65)] {
            assert!(check(bad, "1", &info()).is_err(), "{bad}");
        }
        assert!(check("fao", "", &info()).is_err());
        assert!(check("fao", "a\nb", &info()).is_err());
        assert!(check("fao", &"x".repeat(201), &info()).is_err());
        let bad_url = SourceInfo { source_url: Some("javascript:alert(1)".into()), ..info() };
        assert!(check("fao", "1", &bad_url).is_err());
    }

    #[test]
    fn a_group_is_matched_by_id_or_slug_and_community_only_by_absence() {
        assert!(same_group(None, None, None));
        assert!(same_group(Some(""), None, None));
        assert!(same_group(Some("g1"), Some("g1"), Some("soil")));
        assert!(same_group(Some("soil"), Some("g1"), Some("soil")));
        assert!(!same_group(Some("other"), Some("g1"), Some("soil")));
        assert!(!same_group(None, Some("g1"), Some("soil")));
        assert!(!same_group(Some("soil"), None, None));
    }
}

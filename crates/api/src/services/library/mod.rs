//! The library: items shared in the community or a group, with files (versions) or an
//! external URL. This module loads items with the facts the policy needs and builds
//! DTOs a page at a time; `items` holds the CRUD rules, `files` uploads and
//! downloads, `preview` text excerpts and thumbnails.

pub mod files;
pub mod items;
pub mod pdf;
pub mod preview;

use std::collections::{HashMap, HashSet};

use copse_shared::discussions::GroupRef;
use copse_shared::library::{ItemKind, ItemVersion, LibraryItemSummary, PreviewKind};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::{library_item, library_item_tag, library_version};
use crate::error::ApiResult;
use crate::policy::{self, Action, Actor, Resource, TopicFacts};
use crate::services::community;
use crate::services::discussions::{content_group, members, unseen};
use crate::state::AppState;

/// A library item loaded for an actor, with the facts the policy decides on.
pub struct ItemCtx {
    /// The item.
    pub item: library_item::Model,
    /// What the policy needs (`is_author` is ownership).
    pub facts: TopicFacts,
}

impl ItemCtx {
    /// Fails unless the actor may do this to the (readable) item: 401 or 403.
    pub fn require(&self, actor: &Actor, action: Action) -> ApiResult<()> {
        policy::require(actor, action, &Resource::LibraryItem(&self.facts))
    }
}

/// Loads an item the actor may read; 404 otherwise (401 for anonymous visitors when
/// public reading is off), never revealing an item of a private group.
pub async fn load_item(state: &AppState, actor: &Actor, id: &str) -> ApiResult<ItemCtx> {
    let public_read = community::current(state).await?.public_read;
    let not_found = || unseen(actor, public_read);
    let Some(item) = library_item::Entity::find_by_id(id.to_owned()).one(&state.db).await? else {
        return Err(not_found());
    };
    if item.deleted_at.is_some() {
        return Err(not_found());
    }
    let group = content_group(&state.db, actor, item.group_id.as_deref(), public_read).await?;
    let is_author = actor.user().is_some_and(|me| item.owner_id.as_deref() == Some(me.id.as_str()));
    let facts = TopicFacts { group, public_read, is_author, hidden: false };
    if !policy::can(actor, Action::ReadLibraryItem, &Resource::LibraryItem(&facts)) {
        return Err(not_found());
    }
    Ok(ItemCtx { item, facts })
}

/// The wire form of a stored preview kind.
pub fn preview_kind(value: &str) -> PreviewKind {
    match value {
        "text" => PreviewKind::Text,
        "image" => PreviewKind::Image,
        _ => PreviewKind::None,
    }
}

/// Version DTOs, with one query for their uploaders.
pub async fn version_dtos(state: &AppState, versions: Vec<library_version::Model>) -> ApiResult<Vec<ItemVersion>> {
    let ids: HashSet<String> = versions.iter().filter_map(|v| v.uploaded_by.clone()).collect();
    let people = members(state, ids).await?;
    Ok(versions
        .into_iter()
        .map(|v| ItemVersion {
            number: v.number,
            uploaded_by: v.uploaded_by.as_ref().and_then(|id| people.get(id).cloned()),
            file_name: v.file_name,
            content_type: v.content_type,
            size: v.size,
            sha256: v.sha256,
            change_note: v.change_note,
            created_at: v.created_at,
            preview: preview_kind(&v.preview),
            text_excerpt: v.text_excerpt,
        })
        .collect())
}

/// Every version of an item, newest first.
pub async fn versions_of(db: &impl ConnectionTrait, item_id: &str) -> ApiResult<Vec<library_version::Model>> {
    Ok(library_version::Entity::find()
        .filter(library_version::Column::ItemId.eq(item_id.to_owned()))
        .order_by_desc(library_version::Column::Number)
        .all(db)
        .await?)
}

/// Summaries for a page of items with at most four queries in all (owners, tags,
/// current versions, their uploaders; names and groups come from memory when they
/// were read less than a second ago), whatever the page size.
pub async fn summaries(state: &AppState, items: Vec<library_item::Model>) -> ApiResult<Vec<LibraryItemSummary>> {
    let db = &state.db;
    let owner_ids: HashSet<String> = items.iter().filter_map(|i| i.owner_id.clone()).collect();
    let item_ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
    let version_ids: Vec<String> = items.iter().filter_map(|i| i.current_version_id.clone()).collect();
    let groups =
        crate::services::discussions::groups_by_id(state, items.iter().filter_map(|i| i.group_id.as_ref())).await?;
    let owners = members(state, owner_ids).await?;
    let mut tags: HashMap<String, Vec<String>> = HashMap::new();
    if !item_ids.is_empty() {
        let rows = library_item_tag::Entity::find()
            .filter(library_item_tag::Column::ItemId.is_in(item_ids))
            .order_by_asc(library_item_tag::Column::Tag)
            .all(db)
            .await?;
        for row in rows {
            tags.entry(row.item_id).or_default().push(row.tag);
        }
    }
    let versions = if version_ids.is_empty() {
        Vec::new()
    } else {
        library_version::Entity::find().filter(library_version::Column::Id.is_in(version_ids)).all(db).await?
    };
    let version_keys: Vec<String> = versions.iter().map(|v| v.id.clone()).collect();
    let mut current: HashMap<String, ItemVersion> =
        version_keys.into_iter().zip(version_dtos(state, versions).await?).collect();
    Ok(items
        .into_iter()
        .map(|i| LibraryItemSummary {
            kind: ItemKind::parse(&i.kind).unwrap_or(ItemKind::Document),
            group: i.group_id.as_ref().and_then(|id| groups.get(id)).map(|g| GroupRef {
                id: g.id.clone(),
                slug: g.slug.clone(),
                name: g.name.clone(),
            }),
            owner: i.owner_id.as_ref().and_then(|id| owners.get(id).cloned()),
            tags: tags.remove(&i.id).unwrap_or_default(),
            current_version: i.current_version_id.as_ref().and_then(|id| current.remove(id)),
            excerpt: crate::services::discussions::excerpt(&i.description, 280),
            id: i.id,
            title: i.title,
            language: i.language,
            licence: i.licence,
            url: i.url,
            download_count: i.download_count,
            created_at: i.created_at,
            updated_at: i.updated_at,
        })
        .collect())
}

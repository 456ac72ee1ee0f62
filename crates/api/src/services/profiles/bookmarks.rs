//! Bookmarks: a member keeps topics, library items and external links with a note,
//! in one list. A bookmark is only ever read or changed by its owner; a bookmarked
//! topic or item that becomes invisible shows as unavailable, with no title.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use chrono::Utc;
use copse_shared::profiles::{
    Bookmark, BookmarkKind, CreateBookmarkRequest, MAX_NOTE_LEN, MAX_URL_LEN, UpdateBookmarkRequest,
};
use copse_shared::{ErrorCode, Page};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::entities::{bookmark, event, library_item, topic};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::library::items::valid_url;
use crate::services::pagination::{self, Cursor, page_size, split};
use crate::services::validate::{self, Errors};
use crate::services::{community, discussions, events, library};
use crate::state::AppState;

/// Longest link title.
const MAX_TITLE: usize = 200;

fn owner(actor: &Actor) -> ApiResult<&crate::entities::user::Model> {
    policy::require(actor, Action::ManageOwnAccount, &Resource::Community)?;
    actor.user().ok_or_else(policy::sign_in_required)
}

fn note(errors: &mut Errors, raw: &str) -> String {
    let note: String = raw.trim().chars().filter(|c| !c.is_control() || *c == '\n').collect();
    if note.chars().count() > MAX_NOTE_LEN {
        errors.add("note", "too_long", format!("Use at most {MAX_NOTE_LEN} characters."));
    }
    note
}

/// Which of these bookmarks the actor may still open, with current titles: one
/// query per kind, whatever the number of bookmarks.
async fn resolve(
    db: &impl ConnectionTrait,
    actor: &Actor,
    rows: &[bookmark::Model],
) -> ApiResult<HashMap<String, String>> {
    let public_read = community::load(db).await?.public_read;
    let ids = |kind: BookmarkKind| {
        rows.iter().filter(|b| b.kind == kind.as_str()).filter_map(|b| b.target_id.clone()).collect::<Vec<_>>()
    };
    let mut titles = HashMap::new();
    let topic_ids = ids(BookmarkKind::Topic);
    if !topic_ids.is_empty()
        && let Some(visible) = policy::visible_topics(actor, public_read)
    {
        let found: Vec<(String, String)> = topic::Entity::find()
            .select_only()
            .column(topic::Column::Id)
            .column(topic::Column::Title)
            .filter(visible)
            .filter(topic::Column::Id.is_in(topic_ids))
            .into_tuple()
            .all(db)
            .await?;
        titles.extend(found);
    }
    let item_ids = ids(BookmarkKind::LibraryItem);
    if !item_ids.is_empty()
        && let Some(visible) = policy::visible_library_items(actor, public_read)
    {
        let found: Vec<(String, String)> = library_item::Entity::find()
            .select_only()
            .column(library_item::Column::Id)
            .column(library_item::Column::Title)
            .filter(visible)
            .filter(library_item::Column::Id.is_in(item_ids))
            .into_tuple()
            .all(db)
            .await?;
        titles.extend(found);
    }
    let event_ids = ids(BookmarkKind::Event);
    if !event_ids.is_empty()
        && let Some(visible) = policy::visible_events(actor, public_read)
    {
        let found: Vec<(String, String)> = event::Entity::find()
            .select_only()
            .column(event::Column::Id)
            .column(event::Column::Title)
            .filter(visible)
            .filter(event::Column::Id.is_in(event_ids))
            .into_tuple()
            .all(db)
            .await?;
        titles.extend(found);
    }
    Ok(titles)
}

fn to_dto(row: bookmark::Model, titles: &HashMap<String, String>) -> Option<Bookmark> {
    let kind = BookmarkKind::parse(&row.kind)?;
    let (title, available) = match (&row.target_id, kind) {
        (_, BookmarkKind::Link) => (row.title.clone(), true),
        (Some(id), _) => match titles.get(id) {
            Some(title) => (title.clone(), true),
            None => (String::new(), false),
        },
        (None, _) => (String::new(), false),
    };
    Some(Bookmark {
        id: row.id,
        kind,
        target_id: row.target_id,
        url: row.url,
        title,
        note: row.note,
        available,
        created_at: row.created_at,
    })
}

/// DTOs for the owner's bookmarks (two queries plus the settings).
pub async fn dtos(db: &impl ConnectionTrait, actor: &Actor, rows: Vec<bookmark::Model>) -> ApiResult<Vec<Bookmark>> {
    let titles = resolve(db, actor, &rows).await?;
    Ok(rows.into_iter().filter_map(|row| to_dto(row, &titles)).collect())
}

async fn find_own(state: &AppState, me: &str, id: &str) -> ApiResult<bookmark::Model> {
    bookmark::Entity::find_by_id(id.to_owned())
        .one(&state.db)
        .await?
        .filter(|b| b.user_id == me)
        .ok_or_else(ApiError::not_found)
}

/// Bookmarks something the actor may see (a topic or item they cannot see is 404).
pub async fn create(state: &AppState, actor: &Actor, request: CreateBookmarkRequest) -> ApiResult<Bookmark> {
    let me = owner(actor)?;
    let mut errors = Errors::default();
    let note = note(&mut errors, &request.note);
    let (target_id, url, title) = match request.kind {
        BookmarkKind::Link => {
            let url = request.url.as_deref().map(str::trim).unwrap_or_default().to_owned();
            if url.is_empty() {
                errors.add("url", "required", "Give the address to bookmark.");
            } else if url.len() > MAX_URL_LEN || !valid_url(&url) {
                errors.add("url", "invalid_format", "Use an http or https address of at most 500 characters.");
            }
            let title =
                validate::text(&mut errors, "title", request.title.as_deref().unwrap_or_default(), 1, MAX_TITLE);
            errors.finish()?;
            (None, Some(url), title)
        }
        BookmarkKind::Topic | BookmarkKind::LibraryItem | BookmarkKind::Event => {
            let Some(target) = request.target_id.as_deref().map(str::trim).filter(|t| !t.is_empty()) else {
                return Err(ApiError::field("target_id", "required", "Give the id of what to bookmark."));
            };
            errors.finish()?;
            let (id, title) = match request.kind {
                BookmarkKind::Topic => {
                    let ctx = discussions::load_topic(state, actor, target).await?;
                    (ctx.topic.id, ctx.topic.title)
                }
                BookmarkKind::Event => {
                    let ctx = events::load_event(state, actor, target).await?;
                    (ctx.event.id, ctx.event.title)
                }
                _ => {
                    let ctx = library::load_item(state, actor, target).await?;
                    (ctx.item.id, ctx.item.title)
                }
            };
            let exists = bookmark::Entity::find()
                .filter(bookmark::Column::UserId.eq(me.id.clone()))
                .filter(bookmark::Column::Kind.eq(request.kind.as_str()))
                .filter(bookmark::Column::TargetId.eq(id.clone()))
                .one(&state.db)
                .await?;
            if exists.is_some() {
                return Err(ApiError::client(
                    StatusCode::CONFLICT,
                    ErrorCode::Conflict,
                    "You already bookmarked this.",
                ));
            }
            (Some(id), None, title)
        }
    };
    let row = bookmark::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        user_id: Set(me.id.clone()),
        kind: Set(request.kind.as_str().to_owned()),
        target_id: Set(target_id),
        url: Set(url),
        title: Set(title),
        note: Set(note),
        created_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await?;
    dtos(&state.db, actor, vec![row]).await?.pop().ok_or_else(ApiError::not_found)
}

/// One of the actor's bookmarks (another member's is 404).
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> ApiResult<Bookmark> {
    let me = owner(actor)?;
    let row = find_own(state, &me.id, id).await?;
    dtos(&state.db, actor, vec![row]).await?.pop().ok_or_else(ApiError::not_found)
}

/// Changes a bookmark's note (and a link's title).
pub async fn update(state: &AppState, actor: &Actor, id: &str, request: UpdateBookmarkRequest) -> ApiResult<Bookmark> {
    let me = owner(actor)?;
    let row = find_own(state, &me.id, id).await?;
    let mut errors = Errors::default();
    let note = note(&mut errors, &request.note);
    let title = match (&request.title, row.kind.as_str()) {
        (Some(title), "link") => Some(validate::text(&mut errors, "title", title, 1, MAX_TITLE)),
        _ => None,
    };
    errors.finish()?;
    let mut active: bookmark::ActiveModel = row.into();
    active.note = Set(note);
    if let Some(title) = title {
        active.title = Set(title);
    }
    let row = active.update(&state.db).await?;
    dtos(&state.db, actor, vec![row]).await?.pop().ok_or_else(ApiError::not_found)
}

/// Removes a bookmark (harmless if already gone; another member's is 404).
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> ApiResult<()> {
    let me = owner(actor)?;
    let Some(row) = bookmark::Entity::find_by_id(id.to_owned()).one(&state.db).await? else { return Ok(()) };
    if row.user_id != me.id {
        return Err(ApiError::not_found());
    }
    bookmark::Entity::delete_by_id(row.id).exec(&state.db).await?;
    Ok(())
}

/// The actor's bookmarks, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    kind: Option<BookmarkKind>,
    limit: Option<u64>,
    cursor: Option<String>,
) -> ApiResult<Page<Bookmark>> {
    let me = owner(actor)?;
    let limit = page_size(limit)?;
    let mut query = bookmark::Entity::find().filter(bookmark::Column::UserId.eq(me.id.clone()));
    if let Some(kind) = kind {
        query = query.filter(bookmark::Column::Kind.eq(kind.as_str()));
    }
    if let Some(cursor) = cursor {
        let cursor = Cursor::decode(&cursor)?;
        query = query.filter(pagination::older_than(&cursor, bookmark::Column::CreatedAt, bookmark::Column::Id));
    }
    let rows = query
        .order_by_desc(bookmark::Column::CreatedAt)
        .order_by_desc(bookmark::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = split(rows, limit, |b| Cursor::new(b.created_at, &b.id).encode());
    Ok(Page { items: dtos(&state.db, actor, rows).await?, next_cursor })
}

//! Library items: listing (three orders, each with a keyset cursor), reading, sharing
//! (with a discussion topic in the "Library" category), editing and deleting.

use actix_web::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use copse_shared::discussions::{CreateTopicRequest, TopicKind};
use copse_shared::library::{
    CreateLibraryItemRequest, ItemKind, LibraryItem, LibraryItemPermissions, LibraryItemSummary, LibrarySort,
    UpdateLibraryItemRequest,
};
use copse_shared::partners::ChangeType;
use copse_shared::{ErrorCode, Page};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use super::{ItemCtx, load_item, summaries, version_dtos, versions_of};
use crate::entities::{category, group, library_item, library_item_tag};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::audit::{self, Event};
use crate::services::discussions::{self, topics};
use crate::services::{community, groups, markdown, partners, validate};
use crate::state::AppState;

/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 20_000;
/// The slug of the category that holds the items' discussions.
pub const LIBRARY_CATEGORY: &str = "library";

/// Filters of the library list.
#[derive(Debug, Default)]
pub struct ItemFilter {
    /// One kind.
    pub kind: Option<ItemKind>,
    /// A tag.
    pub tag: Option<String>,
    /// Group id or slug, or `community`.
    pub group: Option<String>,
    /// A language code.
    pub language: Option<String>,
    /// A licence.
    pub licence: Option<String>,
    /// The order.
    pub sort: LibrarySort,
    /// Page size.
    pub limit: Option<u64>,
    /// Cursor.
    pub cursor: Option<String>,
}

/// The sort key of an item in an order: a time or a count, and the id.
fn sort_key(sort: LibrarySort, item: &library_item::Model) -> String {
    match sort {
        LibrarySort::Newest => item.created_at.to_rfc3339(),
        LibrarySort::RecentlyUpdated => item.updated_at.to_rfc3339(),
        LibrarySort::MostDownloaded => item.download_count.to_string(),
    }
}

fn encode_cursor(sort: LibrarySort, item: &library_item::Model) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}|{}", sort.as_str(), sort_key(sort, item), item.id))
}

/// Parses a cursor of this order: a cursor of another order is refused, since its
/// position means nothing here.
fn keyset(sort: LibrarySort, cursor: &str) -> ApiResult<Condition> {
    let invalid = || ApiError::bad_request("The cursor is not valid for this order; start again from the first page.");
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?).map_err(|_| invalid())?;
    let mut parts = text.splitn(3, '|');
    if parts.next() != Some(sort.as_str()) {
        return Err(invalid());
    }
    let key = parts.next().ok_or_else(invalid)?;
    let id = parts.next().ok_or_else(invalid)?.to_owned();
    let time = |column: library_item::Column| -> ApiResult<Condition> {
        let at = DateTime::parse_from_rfc3339(key).map_err(|_| invalid())?.with_timezone(&Utc);
        Ok(Condition::any()
            .add(column.lt(at))
            .add(Condition::all().add(column.eq(at)).add(library_item::Column::Id.lt(id.clone()))))
    };
    match sort {
        LibrarySort::Newest => time(library_item::Column::CreatedAt),
        LibrarySort::RecentlyUpdated => time(library_item::Column::UpdatedAt),
        LibrarySort::MostDownloaded => {
            let count: i64 = key.parse().map_err(|_| invalid())?;
            let column = library_item::Column::DownloadCount;
            Ok(Condition::any()
                .add(column.lt(count))
                .add(Condition::all().add(column.eq(count)).add(library_item::Column::Id.lt(id.clone()))))
        }
    }
}

/// Lists the items the actor may read. The visibility condition is the policy's SQL
/// form; six queries per page, whatever its size. Pages are kept and shared as the
/// topic list's are (`topics::list`): every write request through this server empties
/// them; a download (a GET) counts at once but shows in a kept page within
/// `COPSE_COMMUNITY_CACHE_MS`.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: ItemFilter,
) -> ApiResult<std::sync::Arc<Page<LibraryItemSummary>>> {
    let limit = crate::services::pagination::page_size(filter.limit)?;
    let public_read = community::current(state).await?.public_read;
    let visible = policy::visible_library_items(actor, public_read).ok_or_else(policy::sign_in_required)?;
    let trusted_for = std::time::Duration::from_millis(state.settings.community_cache_ms);
    let key = groups::page_key(state, actor, public_read, (limit, &filter)).await?;
    state.memo.library_lists.shared(key, trusted_for, read_list(state, visible, filter, limit)).await
}

/// A page of the library from the database.
async fn read_list(
    state: &AppState,
    visible: Condition,
    filter: ItemFilter,
    limit: u64,
) -> ApiResult<Page<LibraryItemSummary>> {
    let mut query = library_item::Entity::find().filter(visible);
    if let Some(kind) = filter.kind {
        query = query.filter(library_item::Column::Kind.eq(kind.as_str()));
    }
    if let Some(scope) = discussions::scope_filter(library_item::Column::GroupId, filter.group.as_deref()) {
        query = query.filter(scope);
    }
    if let Some(tag) = filter.tag.filter(|t| !t.trim().is_empty()) {
        let tagged = Query::select()
            .column(library_item_tag::Column::ItemId)
            .from(library_item_tag::Entity)
            .and_where(Expr::col(library_item_tag::Column::Tag).eq(tag.trim().to_lowercase()))
            .to_owned();
        query = query.filter(library_item::Column::Id.in_subquery(tagged));
    }
    if let Some(language) = filter.language.filter(|l| !l.trim().is_empty()) {
        query = query.filter(library_item::Column::Language.eq(normalise_language(&language)));
    }
    if let Some(licence) = filter.licence.filter(|l| !l.trim().is_empty()) {
        query = query.filter(library_item::Column::Licence.eq(licence.trim()));
    }
    if let Some(cursor) = &filter.cursor {
        query = query.filter(keyset(filter.sort, cursor)?);
    }
    let key = match filter.sort {
        LibrarySort::Newest => library_item::Column::CreatedAt,
        LibrarySort::RecentlyUpdated => library_item::Column::UpdatedAt,
        LibrarySort::MostDownloaded => library_item::Column::DownloadCount,
    };
    let mut rows =
        query.order_by_desc(key).order_by_desc(library_item::Column::Id).limit(limit + 1).all(&state.db).await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|item| encode_cursor(filter.sort, item))
    } else {
        None
    };
    Ok(Page { items: summaries(state, rows).await?, next_cursor })
}

/// The strong ETag of an item's details and current version.
pub fn etag(item: &library_item::Model) -> String {
    let version = format!(
        "{}|{}|{}|{:?}",
        item.id,
        item.updated_at.timestamp_micros(),
        item.version_count,
        item.current_version_id
    );
    crate::services::strong_etag(&version)
}

/// The full item for an actor, with its ETag.
pub async fn detail(state: &AppState, actor: &Actor, ctx: &ItemCtx) -> ApiResult<(LibraryItem, String)> {
    let summary = summaries(state, vec![ctx.item.clone()])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("item summary missing")))?;
    let versions = version_dtos(state, versions_of(&state.db, &ctx.item.id).await?).await?;
    let item = LibraryItem {
        summary,
        description: ctx.item.description.clone(),
        description_html: ctx.item.description_html.clone(),
        versions,
        topic_id: ctx.item.topic_id.clone(),
        permissions: LibraryItemPermissions {
            edit: policy::can(actor, Action::EditLibraryItem, &Resource::LibraryItem(&ctx.facts)),
        },
        provenance: partners::upsert::provenance(&state.db, ChangeType::LibraryItem, &ctx.item.id).await?,
    };
    Ok((item, etag(&ctx.item)))
}

/// Reads one item.
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> ApiResult<(LibraryItem, String)> {
    let ctx = load_item(state, actor, id).await?;
    detail(state, actor, &ctx).await
}

/// Lower-cases the primary language subtag and upper-cases a region (`pt-BR`).
pub fn normalise_language(raw: &str) -> String {
    let mut parts = raw.trim().split('-');
    let mut out = parts.next().unwrap_or_default().to_lowercase();
    for part in parts {
        out.push('-');
        if part.len() == 2 { out.push_str(&part.to_uppercase()) } else { out.push_str(&part.to_lowercase()) }
    }
    out
}

/// A short BCP 47 tag: a 2 or 3 letter language, then up to three subtags of 2 to 8
/// letters or digits.
pub fn valid_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    let subtags: Vec<&str> = parts.collect();
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && subtags.len() <= 3
        && subtags.iter().all(|s| (2..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Accepts only absolute `http` and `https` addresses with a host: `javascript:`,
/// `data:`, `file:` and every other scheme are refused.
pub fn valid_url(raw: &str) -> bool {
    let lower = raw.to_ascii_lowercase();
    let rest = match lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) {
        Some(rest) => rest,
        None => return false,
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    !host.is_empty()
        && !host.starts_with(':')
        && raw.len() <= 2000
        && raw.chars().all(|c| c.is_ascii_graphic() || (!c.is_ascii() && !c.is_control()))
}

struct Fields {
    title: String,
    description: String,
    tags: Vec<String>,
    language: Option<String>,
    licence: Option<String>,
    url: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn validate_fields(
    errors: &mut validate::Errors,
    title: &str,
    description: &str,
    kind: ItemKind,
    tags: &[String],
    language: Option<&str>,
    licence: Option<&str>,
    url: Option<&str>,
) -> Fields {
    let title = validate::text(errors, "title", title, 3, discussions::MAX_TITLE);
    let description = validate::text(errors, "description", description, 0, MAX_DESCRIPTION);
    let tags = discussions::normalise_tags(errors, tags);
    let language = language.map(str::trim).filter(|l| !l.is_empty()).map(|l| {
        if !valid_language(l) {
            errors.add("language", "invalid_format", "Use a short language code such as en, fr or pt-BR.");
        }
        normalise_language(l)
    });
    let licence = licence.map(str::trim).filter(|l| !l.is_empty()).map(|l| {
        if l.chars().count() > 100 || l.chars().any(char::is_control) {
            errors.add("licence", "too_long", "Use an SPDX identifier or up to 100 characters.");
        }
        l.to_owned()
    });
    let url = url.map(str::trim).filter(|u| !u.is_empty()).map(|u| {
        if !valid_url(u) {
            errors.add("url", "invalid_url", "Use an http or https address.");
        }
        u.to_owned()
    });
    if kind == ItemKind::Link && url.is_none() {
        errors.add("url", "required", "A link needs an address.");
    }
    Fields { title, description, tags, language, licence, url }
}

/// The "Library" category, created the first time an item is shared.
async fn library_category(db: &impl ConnectionTrait) -> ApiResult<category::Model> {
    if let Some(found) = discussions::categories::find(db, LIBRARY_CATEGORY).await? {
        return Ok(found);
    }
    let now = Utc::now();
    let position = category::Entity::find().all(db).await?.iter().map(|c| c.position).max().unwrap_or(0) + 1;
    let created = category::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        slug: Set(LIBRARY_CATEGORY.to_owned()),
        name: Set("Library".to_owned()),
        description: Set("Conversations about the documents, tools and links of the library.".to_owned()),
        position: Set(position),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await;
    match created {
        Ok(model) => Ok(model),
        // Two first shares at once: the other one created it.
        Err(_) => discussions::categories::find(db, LIBRARY_CATEGORY).await?.ok_or_else(ApiError::not_found),
    }
}

async fn replace_tags(db: &impl ConnectionTrait, item_id: &str, tags: &[String]) -> ApiResult<()> {
    library_item_tag::Entity::delete_many()
        .filter(library_item_tag::Column::ItemId.eq(item_id.to_owned()))
        .exec(db)
        .await?;
    if !tags.is_empty() {
        let rows = tags
            .iter()
            .map(|tag| library_item_tag::ActiveModel { item_id: Set(item_id.to_owned()), tag: Set(tag.clone()) });
        library_item_tag::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// Shares an item. Its discussion is a topic in the "Library" category, in the same
/// group, whose opening post links to the item; comments go through the topic.
pub async fn create(state: &AppState, actor: &Actor, request: CreateLibraryItemRequest) -> ApiResult<LibraryItem> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let mut errors = validate::Errors::default();
    let fields = validate_fields(
        &mut errors,
        &request.title,
        &request.description,
        request.kind,
        &request.tags,
        request.language.as_deref(),
        request.licence.as_deref(),
        request.url.as_deref(),
    );
    let public_read = community::current(state).await?.public_read;
    let group = match request.group.as_deref().filter(|g| !g.is_empty()) {
        Some(key) => {
            let by_key = Condition::any().add(group::Column::Id.eq(key)).add(group::Column::Slug.eq(key));
            let found = group::Entity::find().filter(by_key).one(&state.db).await?;
            let facts = match &found {
                Some(g) => Some(discussions::group_facts(&state.db, actor, g, public_read).await?),
                None => None,
            };
            match (found, facts) {
                // A group the actor cannot see is reported exactly like a missing one.
                (Some(g), Some(f)) if policy::can(actor, Action::ReadGroup, &Resource::Group(&f)) => Some((g, f)),
                _ => {
                    errors.add("group", "unknown", "No such group.");
                    None
                }
            }
        }
        None => None,
    };
    errors.finish()?;
    policy::require(actor, Action::CreateLibraryItem, &Resource::Scope(group.as_ref().map(|(_, f)| f), public_read))?;
    if group.as_ref().is_some_and(|(g, _)| g.archived_at.is_some()) {
        return Err(ApiError::client(StatusCode::CONFLICT, ErrorCode::Conflict, "This group is archived."));
    }
    let id = Uuid::new_v4().to_string();
    library_category(&state.db).await?;
    // The discussion goes through the topics service, with its own rules and notifications.
    // A partner's key was allowed to share the item; its discussion is opened in the
    // name of the key's maker, since keys are never given discussion writes.
    let topic_actor = match actor {
        Actor::Key(key) => Actor::Member(key.owner.clone()),
        other => other.clone(),
    };
    let topic = topics::create(
        state,
        &topic_actor,
        CreateTopicRequest {
            category: LIBRARY_CATEGORY.to_owned(),
            group: group.as_ref().map(|(g, _)| g.id.clone()),
            title: fields.title.clone(),
            body: format!(
                "Discussion of the library item [{}](/library/{id}). Comments, questions and experiences welcome.",
                fields.title.replace(['[', ']'], "")
            ),
            kind: TopicKind::Discussion,
            tags: fields.tags.clone(),
        },
    )
    .await?;
    let topic_id = topic.summary.id;
    let stored =
        insert_item(state, &id, me, &request, fields, group.as_ref().map(|(g, _)| g.id.clone()), &topic_id).await;
    if let Err(error) = stored {
        // The topic was committed on its own: withdraw it, so a failed share leaves no
        // discussion of an item that does not exist.
        let withdrawn = crate::entities::topic::Entity::update_many()
            .col_expr(crate::entities::topic::Column::DeletedAt, Expr::value(Utc::now()))
            .filter(crate::entities::topic::Column::Id.eq(topic_id.clone()))
            .exec(&state.db)
            .await;
        if let Err(cleanup) = withdrawn {
            tracing::warn!(error = %cleanup, topic = %topic_id, "withdrawing the topic of a failed share failed");
        }
        return Err(error);
    }
    Ok(get(state, actor, &id).await?.0)
}

/// Inserts the item row and its tags in one transaction.
async fn insert_item(
    state: &AppState,
    id: &str,
    me: &crate::entities::user::Model,
    request: &CreateLibraryItemRequest,
    fields: Fields,
    group_id: Option<String>,
    topic_id: &str,
) -> ApiResult<()> {
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    library_item::ActiveModel {
        id: Set(id.to_owned()),
        group_id: Set(group_id),
        owner_id: Set(Some(me.id.clone())),
        title: Set(fields.title),
        description_html: Set(markdown::render(&fields.description)),
        description: Set(fields.description),
        kind: Set(request.kind.as_str().to_owned()),
        language: Set(fields.language),
        licence: Set(fields.licence),
        url: Set(fields.url),
        topic_id: Set(Some(topic_id.to_owned())),
        current_version_id: Set(None),
        version_count: Set(0),
        download_count: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
    }
    .insert(&txn)
    .await?;
    replace_tags(&txn, id, &fields.tags).await?;
    txn.commit().await?;
    Ok(())
}

fn precondition_failed() -> ApiError {
    ApiError::client(
        StatusCode::PRECONDITION_FAILED,
        ErrorCode::PreconditionFailed,
        "The item changed since you loaded it; reload and apply your change again.",
    )
}

/// Replaces an item's details (its owner or a moderator), with optimistic locking.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    if_match: Option<&str>,
    request: UpdateLibraryItemRequest,
) -> ApiResult<(LibraryItem, String)> {
    let ctx = load_item(state, actor, id).await?;
    ctx.require(actor, Action::EditLibraryItem)?;
    let mut errors = validate::Errors::default();
    let fields = validate_fields(
        &mut errors,
        &request.title,
        &request.description,
        request.kind,
        &request.tags,
        request.language.as_deref(),
        request.licence.as_deref(),
        request.url.as_deref(),
    );
    if fields.url.is_some() && ctx.item.version_count > 0 {
        errors.add("url", "has_files", "This item has files; it cannot also point elsewhere.");
    }
    errors.finish()?;
    if let Some(header) = if_match
        && !community::if_match_accepts(header, &etag(&ctx.item))
    {
        return Err(precondition_failed());
    }
    let txn = crate::db::begin(&state.db).await?;
    // The conditional update makes the check and the write one step: of two editors
    // holding the same ETag, the second finds nothing to update.
    let updated = library_item::Entity::update_many()
        .col_expr(library_item::Column::Title, Expr::value(fields.title))
        .col_expr(library_item::Column::DescriptionHtml, Expr::value(markdown::render(&fields.description)))
        .col_expr(library_item::Column::Description, Expr::value(fields.description))
        .col_expr(library_item::Column::Kind, Expr::value(request.kind.as_str()))
        .col_expr(library_item::Column::Language, Expr::value(fields.language))
        .col_expr(library_item::Column::Licence, Expr::value(fields.licence))
        .col_expr(library_item::Column::Url, Expr::value(fields.url))
        .col_expr(library_item::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(library_item::Column::Id.eq(ctx.item.id.clone()))
        .filter(library_item::Column::UpdatedAt.eq(ctx.item.updated_at))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(precondition_failed());
    }
    replace_tags(&txn, &ctx.item.id, &fields.tags).await?;
    txn.commit().await?;
    get(state, actor, id).await
}

/// Deletes an item (its owner or a moderator): its files and previews are removed
/// from the store and the row stays as a tombstone. The store is checked first, so
/// an unreachable store answers 503 and changes nothing.
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> ApiResult<()> {
    let ctx = load_item(state, actor, id).await?;
    ctx.require(actor, Action::EditLibraryItem)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let versions = versions_of(&state.db, &ctx.item.id).await?;
    let mut keys = Vec::new();
    for version in &versions {
        keys.push(version.storage_key.clone());
        keys.push(super::preview::preview_key(&version.id));
    }
    for key in &keys {
        state.files.check(key).await?;
    }
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let mut active: library_item::ActiveModel = ctx.item.clone().into();
    active.deleted_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    if !ctx.facts.is_author {
        let event = Event {
            action: "library.delete",
            target_type: "library_item",
            target_id: &ctx.item.id,
            target_label: &ctx.item.title,
            details: json!({"versions": versions.len()}),
        };
        audit::record(&txn, me, event).await?;
    }
    // The files go before the commit: if the store fails now, the item stays as it was.
    for key in &keys {
        state.files.delete(key).await?;
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_addresses_are_accepted() {
        assert!(valid_url("https://example.org/guide.pdf"));
        assert!(valid_url("http://example.org"));
        assert!(!valid_url("javascript:alert(1)"));
        assert!(!valid_url("JavaScript://example.org/%0aalert(1)"));
        assert!(!valid_url("data:text/html,<script>"));
        assert!(!valid_url("ftp://example.org/file"));
        assert!(!valid_url("https://"));
        assert!(!valid_url("https://exa mple.org"));
    }

    #[test]
    fn language_codes_are_short_bcp47_tags() {
        assert!(valid_language("en") && valid_language("pt-BR") && valid_language("es-419"));
        assert!(!valid_language("english") && !valid_language("e") && !valid_language("en_GB"));
        assert_eq!(normalise_language("PT-br"), "pt-BR");
    }
}

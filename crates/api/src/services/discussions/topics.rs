//! Topics: starting, listing (pinned first, then latest activity), reading, editing
//! the title and tags, and accepting an answer.

use std::sync::Arc;

use actix_web::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use copse_shared::discussions::{
    CreateTopicRequest, Topic, TopicKind, TopicPermissions, TopicSummary, UpdateTopicRequest,
};
use copse_shared::{ErrorCode, Page};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use super::{TopicCtx, categories, load_topic, notify, post_dtos, render_body, require, summaries};
use crate::entities::{group, post, topic, topic_tag, watch};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::pagination::page_size;
use crate::services::{community, groups, validate};
use crate::state::AppState;

/// Filters of the topic list.
#[derive(Debug, Default)]
pub struct TopicFilter {
    /// Category id or slug.
    pub category: Option<String>,
    /// Group id or slug, or `community`.
    pub group: Option<String>,
    /// A tag.
    pub tag: Option<String>,
    /// An author's id.
    pub author: Option<String>,
    /// Discussions or questions only.
    pub kind: Option<TopicKind>,
    /// Unanswered questions only.
    pub unanswered: bool,
    /// Page size.
    pub limit: Option<u64>,
    /// Cursor.
    pub cursor: Option<String>,
}

fn encode_cursor(t: &topic::Model) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}|{}", u8::from(t.pinned), t.last_activity_at.to_rfc3339(), t.id))
}

fn decode_cursor(cursor: &str) -> ApiResult<(bool, DateTime<Utc>, String)> {
    let invalid = || ApiError::bad_request("The cursor is not valid; start again from the first page.");
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?).map_err(|_| invalid())?;
    let mut parts = text.splitn(3, '|');
    let pinned = parts.next().ok_or_else(invalid)? == "1";
    let at =
        DateTime::parse_from_rfc3339(parts.next().ok_or_else(invalid)?).map_err(|_| invalid())?.with_timezone(&Utc);
    Ok((pinned, at, parts.next().ok_or_else(invalid)?.to_owned()))
}

/// Lists the topics the actor may read: pinned first, then by latest activity. The
/// visibility condition is the policy's SQL form, so the list never shows a topic
/// that a single read would refuse. A page is kept in memory for
/// `COPSE_COMMUNITY_CACHE_MS` and shown to every reader who sees the same topics
/// (`policy::list_reader`): the first page of a community is most of its reads.
/// Every write through this server empties that memory, so a reply or an edit shows
/// at once; one made through another instance shows within that time.
/// The page is shared with the memory, not copied.
pub async fn list(state: &AppState, actor: &Actor, filter: TopicFilter) -> ApiResult<Arc<Page<TopicSummary>>> {
    let limit = page_size(filter.limit)?;
    let public_read = community::current(state).await?.public_read;
    let visible = policy::visible_topics(actor, public_read).ok_or_else(policy::sign_in_required)?;
    let trusted_for = std::time::Duration::from_millis(state.settings.community_cache_ms);
    let key = groups::page_key(state, actor, public_read, (limit, &filter)).await?;
    state.memo.topic_lists.shared(key, trusted_for, read_list(state, visible, filter, limit)).await
}

/// A page of the topic list from the database.
async fn read_list(
    state: &AppState,
    visible: Condition,
    filter: TopicFilter,
    limit: u64,
) -> ApiResult<Page<TopicSummary>> {
    let mut query = topic::Entity::find().filter(visible);
    if let Some(key) = filter.category.filter(|k| !k.is_empty()) {
        let category = categories::find(&state.db, &key).await?;
        query = query.filter(topic::Column::CategoryId.eq(category.map(|c| c.id).unwrap_or_default()));
    }
    if let Some(scope) = super::scope_filter(topic::Column::GroupId, filter.group.as_deref()) {
        query = query.filter(scope);
    }
    if let Some(tag) = filter.tag.filter(|t| !t.is_empty()) {
        let tagged = Query::select()
            .column(topic_tag::Column::TopicId)
            .from(topic_tag::Entity)
            .and_where(Expr::col(topic_tag::Column::Tag).eq(tag.trim().to_lowercase()))
            .to_owned();
        query = query.filter(topic::Column::Id.in_subquery(tagged));
    }
    if let Some(author) = filter.author.filter(|a| !a.is_empty()) {
        query = query.filter(topic::Column::AuthorId.eq(author));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(topic::Column::Kind.eq(kind.as_str()));
    }
    if filter.unanswered {
        query = query
            .filter(topic::Column::Kind.eq(TopicKind::Question.as_str()))
            .filter(topic::Column::AcceptedPostId.is_null());
    }
    if let Some(cursor) = &filter.cursor {
        let (pinned, at, id) = decode_cursor(cursor)?;
        query = query.filter(
            Condition::any()
                .add(topic::Column::Pinned.lt(pinned))
                .add(Condition::all().add(topic::Column::Pinned.eq(pinned)).add(topic::Column::LastActivityAt.lt(at)))
                .add(
                    Condition::all()
                        .add(topic::Column::Pinned.eq(pinned))
                        .add(topic::Column::LastActivityAt.eq(at))
                        .add(topic::Column::Id.lt(id)),
                ),
        );
    }
    let mut rows = query
        .order_by_desc(topic::Column::Pinned)
        .order_by_desc(topic::Column::LastActivityAt)
        .order_by_desc(topic::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(encode_cursor)
    } else {
        None
    };
    Ok(Page { items: summaries(state, rows).await?, next_cursor })
}

/// The strong ETag of a topic's title, tags and state.
pub fn etag(topic: &Topic) -> String {
    let version = format!(
        "{}|{}|{:?}|{}|{}|{}|{:?}",
        topic.summary.id,
        topic.summary.title,
        topic.summary.tags,
        topic.summary.pinned,
        topic.summary.locked,
        topic.summary.hidden,
        topic.accepted_post_id
    );
    crate::services::strong_etag(&version)
}

/// The full topic for an actor: summary, opening post, watching, permissions.
pub async fn detail(state: &AppState, actor: &Actor, ctx: &TopicCtx) -> ApiResult<Topic> {
    let summary = summaries(state, vec![ctx.topic.clone()])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("topic summary missing")))?;
    let opening = post::Entity::find()
        .filter(post::Column::TopicId.eq(ctx.topic.id.clone()))
        .filter(post::Column::Number.eq(1))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("opening post missing")))?;
    let opening_post = post_dtos(state, actor, ctx, vec![opening])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("opening post missing")))?;
    let watching = match actor.user() {
        Some(me) => watch::Entity::find_by_id((me.id.clone(), "topic".to_owned(), ctx.topic.id.clone()))
            .one(&state.db)
            .await?
            .is_some(),
        None => false,
    };
    let resource = Resource::Topic(&ctx.facts);
    let moderate = policy::can(actor, Action::ModerateTopic, &resource);
    let permissions = TopicPermissions {
        reply: policy::can(actor, Action::ReplyTopic, &resource) && (!ctx.topic.locked || moderate),
        edit: policy::can(actor, Action::EditTopic, &resource),
        accept: policy::can(actor, Action::AcceptAnswer, &resource) && ctx.topic.kind == TopicKind::Question.as_str(),
        moderate,
    };
    Ok(Topic {
        summary,
        opening_post,
        accepted_post_id: ctx.topic.accepted_post_id.clone(),
        seconds_to_first_reply: ctx.topic.first_reply_at.map(|at| (at - ctx.topic.created_at).num_seconds()),
        watching,
        permissions,
    })
}

/// Reads one topic.
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> ApiResult<Topic> {
    let ctx = load_topic(state, actor, id).await?;
    detail(state, actor, &ctx).await
}

fn validate_fields(title: &str, tags: &[String]) -> (validate::Errors, String, Vec<String>) {
    let mut errors = validate::Errors::default();
    let title = validate::text(&mut errors, "title", title, 3, super::MAX_TITLE);
    let tags = super::normalise_tags(&mut errors, tags);
    (errors, title, tags)
}

/// Starts a topic. Its author watches it; watchers of its category and group, and
/// mentioned members, are notified.
pub async fn create(state: &AppState, actor: &Actor, request: CreateTopicRequest) -> ApiResult<Topic> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let (mut errors, title, tags) = validate_fields(&request.title, &request.tags);
    let body = validate::text(&mut errors, "body", &request.body, 1, super::MAX_BODY);
    let category = categories::find(&state.db, &request.category).await?;
    if category.is_none() {
        errors.add("category", "unknown", "Choose one of the community's categories.");
    }
    let public_read = community::current(state).await?.public_read;
    let group = match request.group.as_deref().filter(|g| !g.is_empty()) {
        Some(key) => {
            let by_key = Condition::any().add(group::Column::Id.eq(key)).add(group::Column::Slug.eq(key));
            let found = group::Entity::find().filter(by_key).one(&state.db).await?;
            let facts = match &found {
                Some(g) => Some(super::group_facts(&state.db, actor, g, public_read).await?),
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
    let category = category.ok_or_else(ApiError::not_found)?;
    policy::require(actor, Action::CreateTopic, &Resource::Scope(group.as_ref().map(|(_, f)| f), public_read))?;
    if group.as_ref().is_some_and(|(g, _)| g.archived_at.is_some()) {
        return Err(ApiError::client(StatusCode::CONFLICT, ErrorCode::Conflict, "This group is archived."));
    }
    let (body_html, mentioned) = render_body(&state.db, &body).await?;
    let now = Utc::now();
    let topic_id = Uuid::new_v4().to_string();
    let txn = crate::db::begin(&state.db).await?;
    let created = topic::ActiveModel {
        id: Set(topic_id.clone()),
        category_id: Set(category.id.clone()),
        group_id: Set(group.as_ref().map(|(g, _)| g.id.clone())),
        author_id: Set(Some(me.id.clone())),
        title: Set(title),
        kind: Set(request.kind.as_str().to_owned()),
        pinned: Set(false),
        locked: Set(false),
        hidden_at: Set(None),
        deleted_at: Set(None),
        accepted_post_id: Set(None),
        reply_count: Set(0),
        excerpt: Set(super::excerpt(&body, 280)),
        last_activity_at: Set(now),
        first_reply_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let opening = super::new_post(&topic_id, 1, &me.id, (body, body_html), None, now).insert(&txn).await?;
    if !tags.is_empty() {
        let rows =
            tags.iter().map(|tag| topic_tag::ActiveModel { topic_id: Set(topic_id.clone()), tag: Set(tag.clone()) });
        topic_tag::Entity::insert_many(rows).exec(&txn).await?;
    }
    notify::watch_quietly(&txn, &me.id, "topic", &topic_id).await?;
    notify::new_topic(&txn, &created, &opening, me, &mentioned).await?;
    txn.commit().await?;
    get(state, actor, &topic_id).await
}

/// Edits a topic's title and tags, with optimistic locking.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    if_match: Option<&str>,
    request: UpdateTopicRequest,
) -> ApiResult<Topic> {
    let ctx = load_topic(state, actor, id).await?;
    require(actor, Action::EditTopic, &ctx)?;
    let (errors, title, tags) = validate_fields(&request.title, &request.tags);
    errors.finish()?;
    let current = detail(state, actor, &ctx).await?;
    if let Some(header) = if_match
        && !community::if_match_accepts(header, &etag(&current))
    {
        return Err(ApiError::client(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::PreconditionFailed,
            "The topic changed since you loaded it; reload and apply your change again.",
        ));
    }
    let txn = crate::db::begin(&state.db).await?;
    let mut active: topic::ActiveModel = ctx.topic.clone().into();
    active.title = Set(title);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    topic_tag::Entity::delete_many().filter(topic_tag::Column::TopicId.eq(ctx.topic.id.clone())).exec(&txn).await?;
    if !tags.is_empty() {
        let rows = tags
            .iter()
            .map(|tag| topic_tag::ActiveModel { topic_id: Set(ctx.topic.id.clone()), tag: Set(tag.clone()) });
        topic_tag::Entity::insert_many(rows).exec(&txn).await?;
    }
    txn.commit().await?;
    get(state, actor, id).await
}

/// Marks a reply as the accepted answer of a question (its asker or a moderator).
pub async fn accept(state: &AppState, actor: &Actor, id: &str, post_id: &str) -> ApiResult<Topic> {
    let ctx = load_topic(state, actor, id).await?;
    require(actor, Action::AcceptAnswer, &ctx)?;
    if ctx.topic.kind != TopicKind::Question.as_str() {
        return Err(ApiError::field("post_id", "not_a_question", "Only questions have accepted answers."));
    }
    let answer = post::Entity::find_by_id(post_id.to_owned())
        .one(&state.db)
        .await?
        .filter(|p| p.topic_id == ctx.topic.id && p.number > 1 && p.deleted_at.is_none() && p.hidden_at.is_none())
        .ok_or_else(|| ApiError::field("post_id", "not_a_reply", "Choose a reply of this question."))?;
    match &ctx.topic.accepted_post_id {
        Some(accepted) if accepted == &answer.id => {
            return Err(ApiError::field("post_id", "already_accepted", "This reply is already the accepted answer."));
        }
        _ => {}
    }
    let txn = crate::db::begin(&state.db).await?;
    let mut active: topic::ActiveModel = ctx.topic.clone().into();
    active.accepted_post_id = Set(Some(answer.id.clone()));
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    if let (Some(author), Some(me)) = (answer.author_id.as_deref(), actor.user())
        && author != me.id
    {
        notify::answer_accepted(&txn, &ctx.topic, &answer, author, me).await?;
    }
    txn.commit().await?;
    get(state, actor, id).await
}

/// Withdraws the accepted answer.
pub async fn unaccept(state: &AppState, actor: &Actor, id: &str) -> ApiResult<Topic> {
    let ctx = load_topic(state, actor, id).await?;
    require(actor, Action::AcceptAnswer, &ctx)?;
    if ctx.topic.accepted_post_id.is_some() {
        let mut active: topic::ActiveModel = ctx.topic.clone().into();
        active.accepted_post_id = Set(None);
        active.updated_at = Set(Utc::now());
        active.update(&state.db).await?;
    }
    get(state, actor, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_cursors_round_trip() {
        let now = Utc::now();
        let text = URL_SAFE_NO_PAD.encode(format!("1|{}|abc", now.to_rfc3339()));
        assert_eq!(decode_cursor(&text).ok(), Some((true, now, "abc".to_owned())));
        assert!(decode_cursor("garbage!").is_err());
    }
}

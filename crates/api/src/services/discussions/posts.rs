//! Posts: replies (numbered in order, optionally quoting another post), edits with
//! kept revisions, deletion that leaves a tombstone, reactions and flags.

use std::collections::HashSet;
use std::sync::Arc;

use actix_web::http::StatusCode;
use chrono::Utc;
use copse_shared::discussions::{CreatePostRequest, Post, PostRevision, ReactionKind, UpdatePostRequest};
use copse_shared::{ErrorCode, Page};
use sea_orm::sea_query::{Expr, ExprTrait, Func, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IdenStatic, QueryFilter,
    QueryOrder, QuerySelect, Set, TryIntoModel,
};
use uuid::Uuid;

use super::{
    PostsPage, TopicCtx, load_topic, members, new_post_dto, notify, post_dtos, render_body, render_kept, render_read,
};
use crate::entities::{flag, post, post_revision, reaction, topic};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::pagination::page_size;
use crate::services::{community, validate};
use crate::state::AppState;

/// A post with its topic, loaded for an actor who may read it.
pub struct PostCtx {
    /// The topic.
    pub topic: TopicCtx,
    /// The post.
    pub post: post::Model,
}

/// Loads a post the actor may read (404 otherwise).
pub async fn load_post(state: &AppState, actor: &Actor, id: &str) -> ApiResult<PostCtx> {
    let post = post::Entity::find_by_id(id.to_owned()).one(&state.db).await?;
    let Some(post) = post else {
        let public_read = community::current(state).await?.public_read;
        return Err(match actor {
            Actor::Anonymous if !public_read => policy::sign_in_required(),
            _ => ApiError::not_found(),
        });
    };
    let topic = load_topic(state, actor, &post.topic_id).await?;
    Ok(PostCtx { topic, post })
}

fn is_author(actor: &Actor, post: &post::Model) -> bool {
    actor.user().is_some_and(|me| post.author_id.as_deref() == Some(me.id.as_str()))
}

/// The strong ETag of a post's version.
pub fn etag(post: &post::Model) -> String {
    let version = format!(
        "{}|{}|{:?}|{:?}|{:?}",
        post.id,
        post.updated_at.to_rfc3339(),
        post.edited_at,
        post.deleted_at,
        post.hidden_at
    );
    crate::services::strong_etag(&version)
}

async fn one(state: &AppState, actor: &Actor, ctx: &PostCtx, post: post::Model) -> ApiResult<Post> {
    post_dtos(state, actor, &ctx.topic, vec![post])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("post vanished")))
}

/// Reads one post (with its ETag's source).
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> ApiResult<(Post, String)> {
    let ctx = load_post(state, actor, id).await?;
    let tag = etag(&ctx.post);
    Ok((one(state, actor, &ctx, ctx.post.clone()).await?, tag))
}

/// A topic's posts in order, opening post first. A page is kept in memory for
/// `COPSE_COMMUNITY_CACHE_MS` and shown to every reader who may read the topic, each
/// with their own facts and reactions (`PostsPage`): then one statement at most (the
/// reader's own reactions, when the page has any). Every write through this server
/// empties that memory. Read from the database: five statements at most.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    topic_id: &str,
    limit: Option<u64>,
    cursor: Option<String>,
) -> ApiResult<Page<Post>> {
    let limit = page_size(limit)?;
    let after: i32 = match cursor {
        Some(c) => {
            c.parse().map_err(|_| ApiError::bad_request("The cursor is not valid; start again from the first page."))?
        }
        None => 0,
    };
    let trusted_for = std::time::Duration::from_millis(state.settings.community_cache_ms);
    let key = format!("{topic_id}|{after}|{limit}");
    let pages = &state.memo.topic_pages;
    if let Some(page) = pages.fresh(&key, trusted_for) {
        return Ok(Page { items: render_kept(state, actor, &page).await?, next_cursor: page.next_cursor.clone() });
    }
    let seen = pages.forgets();
    let ctx = load_topic(state, actor, topic_id).await?;
    let mut rows = post::Entity::find()
        .filter(post::Column::TopicId.eq(ctx.topic.id.clone()))
        .filter(post::Column::Number.gt(after))
        .order_by_asc(post::Column::Number)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|p| p.number.to_string())
    } else {
        None
    };
    let (items, shared) = render_read(state, actor, &ctx, rows.clone()).await?;
    let page = PostsPage { topic: ctx.topic, posts: rows, shared, next_cursor: next_cursor.clone() };
    if page.worth_keeping() {
        pages.keep(seen, trusted_for, [(key, Arc::new(page))]);
    }
    Ok(Page { items, next_cursor })
}

fn locked() -> ApiError {
    ApiError::client(StatusCode::CONFLICT, ErrorCode::TopicLocked, "This topic is locked: it accepts no new replies.")
}

/// Inserts `row` as the topic's next post, its number chosen inside the INSERT
/// (one more than the topic's highest): the statement runs under the topic's row
/// lock (PostgreSQL) or the write lock (SQLite), where replies to a busy topic
/// queue, and a separate read of the highest number cost every waiting reply one
/// more round trip. The number given in `row` is ignored.
async fn insert_numbered(txn: &DatabaseTransaction, row: post::ActiveModel) -> ApiResult<post::Model> {
    let mut model: post::Model =
        row.try_into_model().map_err(|e| ApiError::internal(anyhow::anyhow!("an incomplete new post: {e}")))?;
    let next = Expr::expr(Func::coalesce([Expr::col(post::Column::Number).max(), Expr::val(0)])).add(1);
    let values = Query::select()
        .expr(Expr::val(model.id.clone()))
        .expr(Expr::val(model.topic_id.clone()))
        .expr(next)
        .expr(Expr::val(model.author_id.clone()))
        .expr(Expr::val(model.body.clone()))
        .expr(Expr::val(model.body_html.clone()))
        .expr(Expr::val(model.quote_post_id.clone()))
        .expr(Expr::val(model.created_at))
        .expr(Expr::val(model.updated_at))
        .from(post::Entity)
        .and_where(post::Column::TopicId.eq(model.topic_id.clone()))
        .to_owned();
    let insert = Query::insert()
        .into_table(post::Entity)
        .columns([
            post::Column::Id,
            post::Column::TopicId,
            post::Column::Number,
            post::Column::AuthorId,
            post::Column::Body,
            post::Column::BodyHtml,
            post::Column::QuotePostId,
            post::Column::CreatedAt,
            post::Column::UpdatedAt,
        ])
        .select_from(values)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("the numbered post insert: {e}")))?
        .returning_col(post::Column::Number)
        .to_owned();
    let returned = txn
        .query_one_raw(txn.get_database_backend().build(&insert))
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the new post's number was not returned")))?;
    model.number = returned.try_get("", post::Column::Number.as_str())?;
    Ok(model)
}

/// Replies to a topic. Watchers of the topic and mentioned members are notified; the
/// replier starts watching the topic.
pub async fn create(state: &AppState, actor: &Actor, topic_id: &str, request: CreatePostRequest) -> ApiResult<Post> {
    let ctx = load_topic(state, actor, topic_id).await?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    policy::require(actor, Action::ReplyTopic, &Resource::Topic(&ctx.facts))?;
    if ctx.topic.locked && !policy::can(actor, Action::ModerateTopic, &Resource::Topic(&ctx.facts)) {
        return Err(locked());
    }
    let mut errors = validate::Errors::default();
    let body = validate::text(&mut errors, "body", &request.body, 1, super::MAX_BODY);
    let quote = match request.quote_post_id.as_deref().filter(|q| !q.is_empty()) {
        Some(id) => {
            let quoted = post::Entity::find_by_id(id.to_owned()).one(&state.db).await?;
            if quoted.as_ref().is_none_or(|q| q.topic_id != ctx.topic.id) {
                errors.add("quote_post_id", "unknown", "Quote a post of this topic.");
            }
            quoted.map(|q| q.id)
        }
        None => None,
    };
    errors.finish()?;
    let (body_html, mentioned) = render_body(&state.db, &body).await?;
    // Who hears of the reply is read before the transaction, which holds SQLite's one
    // write lock or, on PostgreSQL, the topic's row lock that replies to a busy topic
    // queue on: each statement held under it adds to every waiting writer's time. A
    // member who starts watching in the milliseconds between is in the same place as
    // one who starts just after the reply.
    let recipients = notify::reply_recipients(&state.db, &ctx.topic, me, &mentioned).await?;
    let now = Utc::now();
    let row = super::new_post(&ctx.topic.id, 0, &me.id, (body, body_html), quote, now);
    let post_id = row.id.try_as_ref().cloned().unwrap_or_default();
    let txn = crate::db::begin(&state.db).await?;
    notify::watch_quietly(&txn, &me.id, "topic", &ctx.topic.id).await?;
    // The notifications name the post by its id, chosen above: written before the
    // topic's row lock is taken, they add nothing to the queue of replies to it (and
    // commit with the reply or not at all).
    notify::send(&txn, &ctx.topic, Some(&post_id), me, recipients).await?;
    // The topic row is written next: on PostgreSQL its row lock makes replies to one
    // topic wait for each other, so the next number is chosen after the previous
    // reply committed (SQLite's BEGIN IMMEDIATE already serialises every writer).
    // Choosing the number first let concurrent replies collide on the unique index.
    topic::Entity::update_many()
        .col_expr(topic::Column::ReplyCount, Expr::col(topic::Column::ReplyCount).add(1))
        .col_expr(topic::Column::LastActivityAt, Expr::value(now))
        .col_expr(
            topic::Column::FirstReplyAt,
            Func::coalesce([Expr::col(topic::Column::FirstReplyAt), Expr::value(now)]).into(),
        )
        .filter(topic::Column::Id.eq(ctx.topic.id.clone()))
        .exec(&txn)
        .await?;
    let created = insert_numbered(&txn, row).await?;
    txn.commit().await?;
    // Rendered with the topic as read before the reply: what a new post's DTO takes
    // from it (whether it is the accepted answer, the actor's moderation rights) the
    // reply did not change.
    new_post_dto(state, actor, &ctx, created).await
}

/// Edits a post (its author or a moderator). The previous text is kept as a revision.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    if_match: Option<&str>,
    request: UpdatePostRequest,
) -> ApiResult<(Post, String)> {
    let ctx = load_post(state, actor, id).await?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    policy::require(actor, Action::EditPost, &Resource::Post(&ctx.topic.facts, is_author(actor, &ctx.post)))?;
    if ctx.post.deleted_at.is_some() {
        return Err(ApiError::client(StatusCode::CONFLICT, ErrorCode::Conflict, "A deleted post cannot be edited."));
    }
    if let Some(header) = if_match
        && !community::if_match_accepts(header, &etag(&ctx.post))
    {
        return Err(ApiError::client(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::PreconditionFailed,
            "The post changed since you loaded it; reload and apply your change again.",
        ));
    }
    let mut errors = validate::Errors::default();
    let body = validate::text(&mut errors, "body", &request.body, 1, super::MAX_BODY);
    errors.finish()?;
    if body == ctx.post.body {
        let tag = etag(&ctx.post);
        return Ok((one(state, actor, &ctx, ctx.post.clone()).await?, tag));
    }
    let (body_html, _) = render_body(&state.db, &body).await?;
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    post_revision::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        post_id: Set(ctx.post.id.clone()),
        body: Set(ctx.post.body.clone()),
        edited_by: Set(Some(me.id.clone())),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut active: post::ActiveModel = ctx.post.clone().into();
    active.body = Set(body.clone());
    active.body_html = Set(body_html);
    active.edited_at = Set(Some(now));
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    if updated.number == 1 {
        topic::Entity::update_many()
            .col_expr(topic::Column::Excerpt, Expr::value(super::excerpt(&body, 280)))
            .filter(topic::Column::Id.eq(ctx.topic.topic.id.clone()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    let tag = etag(&updated);
    Ok((one(state, actor, &ctx, updated).await?, tag))
}

/// Deletes a post, leaving a tombstone so the thread still reads. Deleting the
/// opening post deletes the topic.
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> ApiResult<()> {
    let ctx = load_post(state, actor, id).await?;
    policy::require(actor, Action::EditPost, &Resource::Post(&ctx.topic.facts, is_author(actor, &ctx.post)))?;
    if ctx.post.deleted_at.is_some() {
        return Ok(());
    }
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let mut active: post::ActiveModel = ctx.post.clone().into();
    active.deleted_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let mut update = topic::Entity::update_many().filter(topic::Column::Id.eq(ctx.topic.topic.id.clone()));
    if ctx.post.number == 1 {
        update = update.col_expr(topic::Column::DeletedAt, Expr::value(now));
    } else {
        update = update.col_expr(topic::Column::ReplyCount, Expr::col(topic::Column::ReplyCount).sub(1));
    }
    if ctx.topic.topic.accepted_post_id.as_deref() == Some(ctx.post.id.as_str()) {
        update = update.col_expr(topic::Column::AcceptedPostId, Expr::value(Option::<String>::None));
    }
    update.exec(&txn).await?;
    if let Some(me) = actor.user() {
        // The content is gone: its open flags need no more attention.
        resolve_flags_of(&txn, &ctx.post.id, &me.id).await?;
    }
    if let Some(me) = actor.user()
        && !is_author(actor, &ctx.post)
    {
        let event = crate::services::audit::Event {
            action: "post.delete",
            target_type: "post",
            target_id: &ctx.post.id,
            target_label: &ctx.topic.topic.title,
            details: serde_json::json!({"number": ctx.post.number}),
        };
        crate::services::audit::record(&txn, me, event).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A post's earlier texts, newest first.
pub async fn revisions(state: &AppState, actor: &Actor, id: &str) -> ApiResult<Vec<PostRevision>> {
    let ctx = load_post(state, actor, id).await?;
    if ctx.post.deleted_at.is_some()
        || (ctx.post.hidden_at.is_some()
            && !policy::can(actor, Action::ModerateTopic, &Resource::Topic(&ctx.topic.facts)))
    {
        return Ok(Vec::new());
    }
    let rows = post_revision::Entity::find()
        .filter(post_revision::Column::PostId.eq(ctx.post.id.clone()))
        .order_by_desc(post_revision::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let editors = members(state, rows.iter().filter_map(|r| r.edited_by.clone()).collect::<HashSet<_>>()).await?;
    Ok(rows
        .into_iter()
        .map(|r| PostRevision {
            edited_by: r.edited_by.as_ref().and_then(|id| editors.get(id).cloned()),
            body: r.body,
            replaced_at: r.created_at,
        })
        .collect())
}

async fn reactable(state: &AppState, actor: &Actor, id: &str) -> ApiResult<PostCtx> {
    let ctx = load_post(state, actor, id).await?;
    policy::require(actor, Action::ReactToPost, &Resource::Post(&ctx.topic.facts, is_author(actor, &ctx.post)))?;
    if ctx.post.deleted_at.is_some() || ctx.post.hidden_at.is_some() {
        return Err(ApiError::client(StatusCode::CONFLICT, ErrorCode::Conflict, "This post is deleted or hidden."));
    }
    Ok(ctx)
}

/// Adds a reaction (at most one of each kind per member: adding twice is harmless).
pub async fn react(state: &AppState, actor: &Actor, id: &str, kind: ReactionKind) -> ApiResult<Post> {
    let ctx = reactable(state, actor, id).await?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    reaction::Entity::insert(reaction::ActiveModel {
        post_id: Set(ctx.post.id.clone()),
        user_id: Set(me.id.clone()),
        kind: Set(kind.as_str().to_owned()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([reaction::Column::PostId, reaction::Column::UserId, reaction::Column::Kind])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&state.db)
    .await?;
    one(state, actor, &ctx, ctx.post.clone()).await
}

/// Takes a reaction back.
pub async fn unreact(state: &AppState, actor: &Actor, id: &str, kind: ReactionKind) -> ApiResult<Post> {
    let ctx = reactable(state, actor, id).await?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    reaction::Entity::delete_by_id((ctx.post.id.clone(), me.id.clone(), kind.as_str().to_owned()))
        .exec(&state.db)
        .await?;
    one(state, actor, &ctx, ctx.post.clone()).await
}

/// Flags a post for moderators. Flagging the same post again updates the reason.
pub async fn flag(state: &AppState, actor: &Actor, id: &str, reason: &str) -> ApiResult<()> {
    let ctx = load_post(state, actor, id).await?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    policy::require(actor, Action::ReactToPost, &Resource::Post(&ctx.topic.facts, is_author(actor, &ctx.post)))?;
    let mut errors = validate::Errors::default();
    let reason = validate::text(&mut errors, "reason", reason, 3, 500);
    errors.finish()?;
    flag::Entity::insert(flag::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        post_id: Set(ctx.post.id.clone()),
        user_id: Set(Some(me.id.clone())),
        reason: Set(reason),
        status: Set("open".to_owned()),
        created_at: Set(Utc::now()),
        resolved_by: Set(None),
        resolved_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([flag::Column::PostId, flag::Column::UserId])
            .update_columns([flag::Column::Reason, flag::Column::Status])
            .to_owned(),
    )
    .exec_without_returning(&state.db)
    .await?;
    Ok(())
}

/// Resolves every open flag of a post (after a moderator hid it).
pub async fn resolve_flags_of(db: &impl ConnectionTrait, post_id: &str, by: &str) -> ApiResult<()> {
    flag::Entity::update_many()
        .col_expr(flag::Column::Status, Expr::value("actioned"))
        .col_expr(flag::Column::ResolvedBy, Expr::value(by.to_owned()))
        .col_expr(flag::Column::ResolvedAt, Expr::value(Utc::now()))
        .filter(flag::Column::PostId.eq(post_id))
        .filter(flag::Column::Status.eq("open"))
        .exec(db)
        .await?;
    Ok(())
}

//! Moderation: pin, lock, hide and restore topics and posts, move topics, split
//! replies off into a new topic, and the flag queue. Every action is audited.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use copse_shared::Page;
use copse_shared::discussions::{
    Flag, FlagStatus, MoveTopicRequest, Post, SplitTopicRequest, Topic, TopicStateRequest,
};
use copse_shared::groups::{GroupRole, MembershipStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use uuid::Uuid;

use super::posts::{load_post, resolve_flags_of};
use super::{
    TopicCtx, categories, load_topic, load_topics, members, post_dtos, post_dtos_across_topics, require, topics,
};
use crate::entities::{flag, group_membership, post, topic, user};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::audit::{self, Event};
use crate::services::community;
use crate::services::pagination::{self, Cursor, page_size, split};
use crate::state::AppState;

async fn audited(
    db: &impl ConnectionTrait,
    me: &user::Model,
    action: &str,
    ctx: &TopicCtx,
    details: serde_json::Value,
) -> ApiResult<()> {
    let event =
        Event { action, target_type: "topic", target_id: &ctx.topic.id, target_label: &ctx.topic.title, details };
    audit::record(db, me, event).await
}

/// Pins, locks or hides a topic (any combination).
pub async fn set_state(state: &AppState, actor: &Actor, id: &str, request: TopicStateRequest) -> ApiResult<Topic> {
    let ctx = load_topic(state, actor, id).await?;
    require(actor, Action::ModerateTopic, &ctx)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let mut active: topic::ActiveModel = ctx.topic.clone().into();
    if let Some(pinned) = request.pinned.filter(|p| *p != ctx.topic.pinned) {
        active.pinned = Set(pinned);
        audited(&txn, me, if pinned { "topic.pin" } else { "topic.unpin" }, &ctx, json!({})).await?;
    }
    if let Some(locked) = request.locked.filter(|l| *l != ctx.topic.locked) {
        active.locked = Set(locked);
        audited(&txn, me, if locked { "topic.lock" } else { "topic.unlock" }, &ctx, json!({})).await?;
    }
    if let Some(hidden) = request.hidden.filter(|h| *h != ctx.topic.hidden_at.is_some()) {
        active.hidden_at = Set(hidden.then_some(now));
        audited(&txn, me, if hidden { "topic.hide" } else { "topic.restore" }, &ctx, json!({})).await?;
    }
    active.updated_at = Set(now);
    active.update(&txn).await?;
    txn.commit().await?;
    topics::get(state, actor, id).await
}

/// Moves a topic to another category.
pub async fn move_topic(state: &AppState, actor: &Actor, id: &str, request: MoveTopicRequest) -> ApiResult<Topic> {
    let ctx = load_topic(state, actor, id).await?;
    require(actor, Action::ModerateTopic, &ctx)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let category = categories::find(&state.db, &request.category)
        .await?
        .ok_or_else(|| ApiError::field("category", "unknown", "Choose one of the community's categories."))?;
    let txn = crate::db::begin(&state.db).await?;
    let mut active: topic::ActiveModel = ctx.topic.clone().into();
    active.category_id = Set(category.id.clone());
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    audited(&txn, me, "topic.move", &ctx, json!({"from": ctx.topic.category_id, "to": category.id})).await?;
    txn.commit().await?;
    topics::get(state, actor, id).await
}

/// Moves replies into a new topic; the first of them (in thread order) becomes its
/// opening post. Both topics' counts and activity are recomputed.
pub async fn split_topic(state: &AppState, actor: &Actor, id: &str, request: SplitTopicRequest) -> ApiResult<Topic> {
    let ctx = load_topic(state, actor, id).await?;
    require(actor, Action::ModerateTopic, &ctx)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let mut errors = crate::services::validate::Errors::default();
    let title = crate::services::validate::text(&mut errors, "title", &request.title, 3, super::MAX_TITLE);
    let wanted: HashSet<String> = request.post_ids.iter().cloned().collect();
    let mut moving = post::Entity::find()
        .filter(post::Column::TopicId.eq(ctx.topic.id.clone()))
        .filter(post::Column::Id.is_in(wanted.clone()))
        .filter(post::Column::Number.gt(1))
        .order_by_asc(post::Column::Number)
        .all(&state.db)
        .await?;
    if wanted.is_empty() || moving.len() != wanted.len() {
        errors.add("post_ids", "invalid", "Choose one or more replies of this topic (not its opening post).");
    }
    let category = match &request.category {
        Some(key) => categories::find(&state.db, key).await?.map(|c| c.id),
        None => Some(ctx.topic.category_id.clone()),
    };
    if category.is_none() {
        errors.add("category", "unknown", "Choose one of the community's categories.");
    }
    errors.finish()?;
    let category = category.ok_or_else(ApiError::not_found)?;
    let now = Utc::now();
    let new_id = Uuid::new_v4().to_string();
    let first = moving.first().cloned().ok_or_else(ApiError::not_found)?;
    let txn = crate::db::begin(&state.db).await?;
    topic::ActiveModel {
        id: Set(new_id.clone()),
        category_id: Set(category),
        group_id: Set(ctx.topic.group_id.clone()),
        author_id: Set(first.author_id.clone()),
        title: Set(title),
        kind: Set("discussion".to_owned()),
        pinned: Set(false),
        locked: Set(false),
        hidden_at: Set(None),
        deleted_at: Set(None),
        accepted_post_id: Set(None),
        reply_count: Set(moving.iter().skip(1).filter(|p| p.deleted_at.is_none()).count() as i64),
        excerpt: Set(super::excerpt(&first.body, 280)),
        last_activity_at: Set(moving.last().map_or(now, |p| p.created_at)),
        first_reply_at: Set(moving.get(1).map(|p| p.created_at)),
        created_at: Set(first.created_at),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    // Renumber in two steps so no number is ever taken twice within a topic.
    for (index, p) in moving.iter_mut().enumerate() {
        let mut active: post::ActiveModel = p.clone().into();
        active.topic_id = Set(new_id.clone());
        active.number = Set(i32::try_from(index).unwrap_or(i32::MAX - 1) + 1);
        if p.quote_post_id.as_ref().is_some_and(|q| !wanted.contains(q)) {
            active.quote_post_id = Set(None);
        }
        active.update(&txn).await?;
    }
    let remaining = post::Entity::find()
        .filter(post::Column::TopicId.eq(ctx.topic.id.clone()))
        .order_by_asc(post::Column::Number)
        .all(&txn)
        .await?;
    let replies: Vec<&post::Model> = remaining.iter().filter(|p| p.number > 1).collect();
    let mut old: topic::ActiveModel = ctx.topic.clone().into();
    old.reply_count = Set(replies.iter().filter(|p| p.deleted_at.is_none()).count() as i64);
    old.last_activity_at = Set(remaining.last().map_or(ctx.topic.created_at, |p| p.created_at));
    old.first_reply_at = Set(replies.first().map(|p| p.created_at));
    if ctx.topic.accepted_post_id.as_ref().is_some_and(|a| wanted.contains(a)) {
        old.accepted_post_id = Set(None);
    }
    old.updated_at = Set(now);
    old.update(&txn).await?;
    audited(&txn, me, "topic.split", &ctx, json!({"new_topic_id": new_id, "posts": moving.len()})).await?;
    txn.commit().await?;
    topics::get(state, actor, &new_id).await
}

/// Hides or restores a post. Hiding resolves its open flags as actioned.
pub async fn set_post_hidden(state: &AppState, actor: &Actor, id: &str, hidden: bool) -> ApiResult<Post> {
    let ctx = load_post(state, actor, id).await?;
    policy::require(actor, Action::ModerateTopic, &Resource::Post(&ctx.topic.facts, false))?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let txn = crate::db::begin(&state.db).await?;
    let now = Utc::now();
    let mut active: post::ActiveModel = ctx.post.clone().into();
    active.hidden_at = Set(hidden.then_some(now));
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    if hidden {
        resolve_flags_of(&txn, &updated.id, &me.id).await?;
    }
    let event = Event {
        action: if hidden { "post.hide" } else { "post.restore" },
        target_type: "post",
        target_id: &updated.id,
        target_label: &ctx.topic.topic.title,
        details: json!({"number": updated.number}),
    };
    audit::record(&txn, me, event).await?;
    txn.commit().await?;
    post_dtos(state, actor, &ctx.topic, vec![updated]).await?.pop().ok_or_else(ApiError::not_found)
}

/// The groups an actor facilitates.
async fn facilitated_groups(db: &impl ConnectionTrait, me: &user::Model) -> ApiResult<Vec<String>> {
    Ok(group_membership::Entity::find()
        .filter(group_membership::Column::UserId.eq(me.id.clone()))
        .filter(group_membership::Column::Role.eq(GroupRole::Facilitator.as_str()))
        .filter(group_membership::Column::Status.eq(MembershipStatus::Active.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.group_id)
        .collect())
}

/// The moderation queue: site staff see every flag, group facilitators those in
/// their groups' topics; others may not look.
pub async fn list_flags(
    state: &AppState,
    actor: &Actor,
    status: Option<FlagStatus>,
    limit: Option<u64>,
    cursor: Option<String>,
) -> ApiResult<Page<Flag>> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let groups = facilitated_groups(&state.db, me).await?;
    policy::require(actor, Action::ReadFlags, &Resource::Moderation { facilitates_a_group: !groups.is_empty() })?;
    let limit = page_size(limit)?;
    let live_posts = Query::select()
        .column((post::Entity, post::Column::Id))
        .from(post::Entity)
        .inner_join(
            topic::Entity,
            Expr::col((topic::Entity, topic::Column::Id)).equals((post::Entity, post::Column::TopicId)),
        )
        .and_where(Expr::col((topic::Entity, topic::Column::DeletedAt)).is_null())
        .to_owned();
    let mut query = flag::Entity::find()
        .filter(flag::Column::Status.eq(status.unwrap_or(FlagStatus::Open).as_str()))
        .filter(flag::Column::PostId.in_subquery(live_posts));
    if !me.role().is_staff() {
        let in_groups = Query::select()
            .column((post::Entity, post::Column::Id))
            .from(post::Entity)
            .inner_join(
                topic::Entity,
                Expr::col((topic::Entity, topic::Column::Id)).equals((post::Entity, post::Column::TopicId)),
            )
            .and_where(Expr::col((topic::Entity, topic::Column::GroupId)).is_in(groups))
            .to_owned();
        query = query.filter(flag::Column::PostId.in_subquery(in_groups));
    }
    if let Some(cursor) = cursor {
        let cursor = Cursor::decode(&cursor)?;
        query = query.filter(pagination::older_than(&cursor, flag::Column::CreatedAt, flag::Column::Id));
    }
    let rows = query
        .order_by_desc(flag::Column::CreatedAt)
        .order_by_desc(flag::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = split(rows, limit, |f| Cursor::new(f.created_at, &f.id).encode());
    // A constant number of statements, whatever the page size: the flaggers, the
    // flagged posts, their topics with the facts the policy needs, and the posts'
    // DTOs are each loaded for the whole page at once.
    let flaggers = members(state, rows.iter().filter_map(|f| f.user_id.clone()).collect()).await?;
    let post_ids: HashSet<String> = rows.iter().map(|f| f.post_id.clone()).collect();
    let posts = if post_ids.is_empty() {
        Vec::new()
    } else {
        post::Entity::find().filter(post::Column::Id.is_in(post_ids)).all(&state.db).await?
    };
    let public_read = community::current(state).await?.public_read;
    // A flag whose post or topic is gone (or no longer visible) is not worth a
    // moderator's time, and must not break the whole queue: `load_topics` leaves
    // such topics out, and their posts with them.
    let topic_ids: HashSet<String> = posts.iter().map(|p| p.topic_id.clone()).collect();
    let contexts = load_topics(&state.db, actor, topic_ids, public_read).await?;
    let dtos: HashMap<String, Post> =
        post_dtos_across_topics(state, actor, &contexts, posts).await?.into_iter().map(|p| (p.id.clone(), p)).collect();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(post) = dtos.get(&row.post_id) else { continue };
        let Some(ctx) = contexts.get(&post.topic_id) else { continue };
        items.push(Flag {
            id: row.id,
            post: post.clone(),
            topic_id: ctx.topic.id.clone(),
            topic_title: ctx.topic.title.clone(),
            flagged_by: row.user_id.as_ref().and_then(|u| flaggers.get(u).cloned()),
            reason: row.reason,
            status: FlagStatus::parse(&row.status).unwrap_or(FlagStatus::Open),
            created_at: row.created_at,
        });
    }
    Ok(Page { items, next_cursor })
}

/// Resolves a flag: `dismissed`, or `actioned` (which hides the post).
pub async fn resolve_flag(state: &AppState, actor: &Actor, id: &str, outcome: FlagStatus) -> ApiResult<Flag> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let row = flag::Entity::find_by_id(id.to_owned()).one(&state.db).await?.ok_or_else(ApiError::not_found)?;
    let ctx = load_post(state, actor, &row.post_id).await?;
    policy::require(actor, Action::ModerateTopic, &Resource::Post(&ctx.topic.facts, false))?;
    if outcome == FlagStatus::Open {
        return Err(ApiError::field("outcome", "invalid", "Resolve as `dismissed` or `actioned`."));
    }
    if outcome == FlagStatus::Actioned {
        set_post_hidden(state, actor, &row.post_id, true).await?;
    }
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let mut active: flag::ActiveModel = row.clone().into();
    active.status = Set(outcome.as_str().to_owned());
    active.resolved_by = Set(Some(me.id.clone()));
    active.resolved_at = Set(Some(now));
    let updated = active.update(&txn).await?;
    let event = Event {
        action: "flag.resolve",
        target_type: "post",
        target_id: &row.post_id,
        target_label: &ctx.topic.topic.title,
        details: json!({"outcome": outcome.as_str(), "reason": row.reason}),
    };
    audit::record(&txn, me, event).await?;
    txn.commit().await?;
    let fresh = load_post(state, actor, &row.post_id).await?;
    let post =
        post_dtos(state, actor, &fresh.topic, vec![fresh.post.clone()]).await?.pop().ok_or_else(ApiError::not_found)?;
    let flaggers = members(state, updated.user_id.iter().cloned().collect()).await?;
    Ok(Flag {
        id: updated.id,
        post,
        topic_id: fresh.topic.topic.id.clone(),
        topic_title: fresh.topic.topic.title.clone(),
        flagged_by: updated.user_id.as_ref().and_then(|u| flaggers.get(u).cloned()),
        reason: updated.reason,
        status: outcome,
        created_at: updated.created_at,
    })
}

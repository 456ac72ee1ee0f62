//! Watching and notifications. A member watches topics, categories and groups;
//! watchers and mentioned members get in-app notifications, written in the same
//! transaction as the post that causes them, so none is lost.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use copse_shared::Page;
use copse_shared::discussions::{Notification, NotificationKind, UnreadCount, Watch, WatchTarget};
use copse_shared::groups::MembershipStatus;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use super::{categories, load_topic, members};
use crate::entities::{category, group, group_membership, notification, post, topic, user, watch};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Actor};
use crate::services::groups;
use crate::services::pagination::{self, Cursor, page_size, split};
use crate::state::AppState;

/// Watches something without failing if already watched.
pub async fn watch_quietly(db: &impl ConnectionTrait, user_id: &str, target: &str, id: &str) -> ApiResult<()> {
    watch::Entity::insert(watch::ActiveModel {
        user_id: Set(user_id.to_owned()),
        target_type: Set(target.to_owned()),
        target_id: Set(id.to_owned()),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([watch::Column::UserId, watch::Column::TargetType, watch::Column::TargetId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn watchers(db: &impl ConnectionTrait, targets: &[(&str, &str)]) -> ApiResult<BTreeSet<String>> {
    let mut condition = Condition::any();
    for (kind, id) in targets {
        condition = condition
            .add(Condition::all().add(watch::Column::TargetType.eq(*kind)).add(watch::Column::TargetId.eq(*id)));
    }
    Ok(watch::Entity::find().filter(condition).all(db).await?.into_iter().map(|w| w.user_id).collect())
}

/// Keeps only the recipients who may read the topic: for a private group, its
/// members (and invitees) and site staff. Two queries, whatever the number of recipients.
async fn readers(
    db: &impl ConnectionTrait,
    topic: &topic::Model,
    recipients: BTreeSet<String>,
) -> ApiResult<BTreeSet<String>> {
    let Some(group_id) = &topic.group_id else { return Ok(recipients) };
    let Some(group) = group::Entity::find_by_id(group_id.clone()).one(db).await? else { return Ok(BTreeSet::new()) };
    if group.visibility() == copse_shared::groups::GroupVisibility::Public || recipients.is_empty() {
        return Ok(recipients);
    }
    let members: BTreeSet<String> = group_membership::Entity::find()
        .filter(group_membership::Column::GroupId.eq(group_id.clone()))
        .filter(group_membership::Column::UserId.is_in(recipients.clone()))
        .filter(
            group_membership::Column::Status
                .is_in([MembershipStatus::Active.as_str(), MembershipStatus::Invited.as_str()]),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let staff: BTreeSet<String> = user::Entity::find()
        .filter(user::Column::Id.is_in(recipients))
        .filter(user::Column::Role.is_in(["admin", "facilitator"]))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    Ok(members.union(&staff).cloned().collect())
}

/// Who hears of one event: each member once, with the kind that outranks (a mention
/// before a plain reply), and only members who may read the topic. Decided apart from
/// writing so that a reply can read it before taking the write lock (`posts::create`).
pub struct Recipients(Vec<(NotificationKind, String)>);

/// Resolves `by_kind` (in order of precedence) into recipients, leaving out the actor.
/// Three queries at most, whatever the number of recipients and kinds.
async fn recipients(
    db: &impl ConnectionTrait,
    topic: &topic::Model,
    actor: &user::Model,
    by_kind: Vec<(NotificationKind, BTreeSet<String>)>,
) -> ApiResult<Recipients> {
    let everyone: BTreeSet<String> = by_kind.iter().flat_map(|(_, ids)| ids.iter().cloned()).collect();
    let allowed = readers(db, topic, everyone).await?;
    let mut seen = BTreeSet::new();
    let mut chosen = Vec::new();
    for (kind, ids) in by_kind {
        for user_id in ids {
            if user_id != actor.id && allowed.contains(&user_id) && seen.insert(user_id.clone()) {
                chosen.push((kind, user_id));
            }
        }
    }
    Ok(Recipients(chosen))
}

/// Writes the notifications of one event, in one statement.
pub async fn send(
    db: &impl ConnectionTrait,
    topic: &topic::Model,
    post_id: Option<&str>,
    actor: &user::Model,
    recipients: Recipients,
) -> ApiResult<()> {
    if recipients.0.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = recipients.0.into_iter().map(|(kind, user_id)| notification::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        user_id: Set(user_id),
        kind: Set(kind.as_str().to_owned()),
        topic_id: Set(topic.id.clone()),
        topic_title: Set(topic.title.clone()),
        post_id: Set(post_id.map(str::to_owned)),
        actor_id: Set(Some(actor.id.clone())),
        created_at: Set(now),
        read_at: Set(None),
        message: Set(None),
    });
    notification::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

/// A new topic: mentioned members, then watchers of its category and group.
pub async fn new_topic(
    db: &impl ConnectionTrait,
    topic: &topic::Model,
    opening: &post::Model,
    actor: &user::Model,
    mentioned: &[String],
) -> ApiResult<()> {
    let mut targets = vec![("category", topic.category_id.as_str())];
    if let Some(group_id) = &topic.group_id {
        targets.push(("group", group_id.as_str()));
    }
    let watching = watchers(db, &targets).await?;
    let mentioned: BTreeSet<String> = mentioned.iter().cloned().collect();
    let by_kind = vec![(NotificationKind::Mention, mentioned), (NotificationKind::NewTopic, watching)];
    let chosen = recipients(db, topic, actor, by_kind).await?;
    send(db, topic, Some(&opening.id), actor, chosen).await
}

/// Who hears of a reply: mentioned members, then the topic's watchers. Read before
/// the reply's transaction; the caller writes them with [`send`] inside it.
pub async fn reply_recipients(
    db: &impl ConnectionTrait,
    topic: &topic::Model,
    actor: &user::Model,
    mentioned: &[String],
) -> ApiResult<Recipients> {
    let watching = watchers(db, &[("topic", topic.id.as_str())]).await?;
    let mentioned: BTreeSet<String> = mentioned.iter().cloned().collect();
    recipients(db, topic, actor, vec![(NotificationKind::Mention, mentioned), (NotificationKind::Reply, watching)])
        .await
}

/// An accepted answer: its author hears of it.
pub async fn answer_accepted(
    db: &impl ConnectionTrait,
    topic: &topic::Model,
    post: &post::Model,
    author: &str,
    actor: &user::Model,
) -> ApiResult<()> {
    let by_kind = vec![(NotificationKind::AnswerAccepted, BTreeSet::from([author.to_owned()]))];
    let chosen = recipients(db, topic, actor, by_kind).await?;
    send(db, topic, Some(&post.id), actor, chosen).await
}

/// A message from one member to another ("Contact member"): one notification of kind
/// `contact`, carrying the subject and the text but never the recipient's address.
pub async fn contact(
    db: &impl ConnectionTrait,
    recipient: &str,
    actor: &user::Model,
    subject: &str,
    message: &str,
) -> ApiResult<()> {
    notification::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        user_id: Set(recipient.to_owned()),
        kind: Set(NotificationKind::Contact.as_str().to_owned()),
        topic_id: Set(String::new()),
        topic_title: Set(subject.to_owned()),
        post_id: Set(None),
        actor_id: Set(Some(actor.id.clone())),
        created_at: Set(Utc::now()),
        read_at: Set(None),
        message: Set(Some(message.to_owned())),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Resolves what is to be watched, checking that the actor may see it; returns its
/// canonical id and a label.
async fn resolve_target(state: &AppState, actor: &Actor, target: WatchTarget, id: &str) -> ApiResult<(String, String)> {
    match target {
        WatchTarget::Topic => {
            let ctx = load_topic(state, actor, id).await?;
            Ok((ctx.topic.id, ctx.topic.title))
        }
        WatchTarget::Category => {
            let found = categories::find(&state.db, id).await?.ok_or_else(ApiError::not_found)?;
            Ok((found.id, found.name))
        }
        WatchTarget::Group => {
            let found = groups::get(state, actor, id).await?;
            Ok((found.id, found.name))
        }
    }
}

/// Starts watching.
pub async fn watch(state: &AppState, actor: &Actor, target: WatchTarget, id: &str) -> ApiResult<Watch> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let (id, label) = resolve_target(state, actor, target, id).await?;
    watch_quietly(&state.db, &me.id, target.as_str(), &id).await?;
    let row = watch::Entity::find_by_id((me.id.clone(), target.as_str().to_owned(), id.clone()))
        .one(&state.db)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Watch { target, id, label, since: row.created_at })
}

/// Stops watching (harmless if not watching).
pub async fn unwatch(state: &AppState, actor: &Actor, target: WatchTarget, id: &str) -> ApiResult<()> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let canonical = match target {
        WatchTarget::Category => categories::find(&state.db, id).await?.map_or_else(|| id.to_owned(), |c| c.id),
        WatchTarget::Group => {
            let by_key = Condition::any().add(group::Column::Id.eq(id)).add(group::Column::Slug.eq(id));
            group::Entity::find().filter(by_key).one(&state.db).await?.map_or_else(|| id.to_owned(), |g| g.id)
        }
        WatchTarget::Topic => id.to_owned(),
    };
    watch::Entity::delete_by_id((me.id.clone(), target.as_str().to_owned(), canonical)).exec(&state.db).await?;
    Ok(())
}

/// What the actor watches, with labels (four queries).
pub async fn list_watches(state: &AppState, actor: &Actor) -> ApiResult<Vec<Watch>> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let rows = watch::Entity::find()
        .filter(watch::Column::UserId.eq(me.id.clone()))
        .order_by_desc(watch::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let ids =
        |kind: &str| rows.iter().filter(|w| w.target_type == kind).map(|w| w.target_id.clone()).collect::<Vec<_>>();
    let mut labels: HashMap<(String, String), String> = HashMap::new();
    for t in topic::Entity::find()
        .filter(topic::Column::Id.is_in(ids("topic")))
        .filter(topic::Column::DeletedAt.is_null())
        .all(&state.db)
        .await?
    {
        labels.insert(("topic".into(), t.id), t.title);
    }
    for c in category::Entity::find().filter(category::Column::Id.is_in(ids("category"))).all(&state.db).await? {
        labels.insert(("category".into(), c.id), c.name);
    }
    for g in group::Entity::find().filter(group::Column::Id.is_in(ids("group"))).all(&state.db).await? {
        labels.insert(("group".into(), g.id), g.name);
    }
    Ok(rows
        .into_iter()
        .filter_map(|w| {
            let target = WatchTarget::parse(&w.target_type)?;
            let label = labels.get(&(w.target_type.clone(), w.target_id.clone()))?.clone();
            Some(Watch { target, id: w.target_id, label, since: w.created_at })
        })
        .collect())
}

/// The actor's notifications, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    unread_only: bool,
    limit: Option<u64>,
    cursor: Option<String>,
) -> ApiResult<Page<Notification>> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let limit = page_size(limit)?;
    let mut query = notification::Entity::find().filter(notification::Column::UserId.eq(me.id.clone()));
    if unread_only {
        query = query.filter(notification::Column::ReadAt.is_null());
    }
    if let Some(cursor) = cursor {
        let cursor = Cursor::decode(&cursor)?;
        query =
            query.filter(pagination::older_than(&cursor, notification::Column::CreatedAt, notification::Column::Id));
    }
    let rows = query
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = split(rows, limit, |n| Cursor::new(n.created_at, &n.id).encode());
    let actors = members(state, rows.iter().filter_map(|n| n.actor_id.clone()).collect()).await?;
    let items = rows
        .into_iter()
        .map(|n| Notification {
            kind: NotificationKind::parse(&n.kind).unwrap_or(NotificationKind::Reply),
            actor: n.actor_id.as_ref().and_then(|a| actors.get(a).cloned()),
            read: n.read_at.is_some(),
            id: n.id,
            topic_id: n.topic_id,
            topic_title: n.topic_title,
            post_id: n.post_id,
            created_at: n.created_at,
            message: n.message,
        })
        .collect();
    Ok(Page { items, next_cursor })
}

/// The unread count.
pub async fn unread(state: &AppState, actor: &Actor) -> ApiResult<UnreadCount> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let unread = notification::Entity::find()
        .filter(notification::Column::UserId.eq(me.id.clone()))
        .filter(notification::Column::ReadAt.is_null())
        .count(&state.db)
        .await?;
    Ok(UnreadCount { unread: i64::try_from(unread).unwrap_or(i64::MAX) })
}

/// Marks some or all of the actor's notifications read; returns the new unread count.
pub async fn mark_read(state: &AppState, actor: &Actor, ids: Vec<String>, all: bool) -> ApiResult<UnreadCount> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    if !all && ids.is_empty() {
        return Err(ApiError::field("ids", "required", "List notifications to mark read, or set `all`."));
    }
    let mut update = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(me.id.clone()))
        .filter(notification::Column::ReadAt.is_null());
    if !all {
        update = update.filter(notification::Column::Id.is_in(ids));
    }
    update.exec(&state.db).await?;
    unread(state, actor).await
}

//! A member's recent activity on their profile page, through the policy's SQL forms
//! (`visible_topics`, `visible_library_items`, `visible_groups`), so it never shows
//! the viewer anything a single read would refuse.

use std::collections::HashMap;

use copse_shared::discussions::GroupRef;
use copse_shared::groups::MembershipStatus;
use copse_shared::profiles::{MemberActivity, ReplyRef};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::load_active;
use crate::entities::{group, group_membership, library_item, post, topic};
use crate::error::ApiResult;
use crate::policy::{self, Action, Actor, Resource};
use crate::services::{community, discussions, library};
use crate::state::AppState;

/// Entries per section.
const RECENT: u64 = 10;

/// What the actor may see of a member's recent topics, replies, items and groups.
pub async fn get(state: &AppState, actor: &Actor, id: &str) -> ApiResult<MemberActivity> {
    policy::require(actor, Action::ReadProfiles, &Resource::Community)?;
    let member = load_active(&state.db, id).await?.user;
    let public_read = community::current(state).await?.public_read;
    let mut activity =
        MemberActivity { topics: Vec::new(), replies: Vec::new(), library_items: Vec::new(), groups: Vec::new() };
    if let Some(visible) = policy::visible_topics(actor, public_read) {
        let topics = topic::Entity::find()
            .filter(visible.clone())
            .filter(topic::Column::AuthorId.eq(member.id.clone()))
            .order_by_desc(topic::Column::CreatedAt)
            .order_by_desc(topic::Column::Id)
            .limit(RECENT)
            .all(&state.db)
            .await?;
        activity.topics = discussions::summaries(state, topics).await?;
        let readable = Query::select().column(topic::Column::Id).from(topic::Entity).cond_where(visible).to_owned();
        let replies = post::Entity::find()
            .filter(post::Column::AuthorId.eq(member.id.clone()))
            .filter(post::Column::Number.gt(1))
            .filter(post::Column::DeletedAt.is_null())
            .filter(post::Column::HiddenAt.is_null())
            .filter(post::Column::TopicId.in_subquery(readable))
            .order_by_desc(post::Column::CreatedAt)
            .order_by_desc(post::Column::Id)
            .limit(RECENT)
            .all(&state.db)
            .await?;
        let titles: HashMap<String, String> = if replies.is_empty() {
            HashMap::new()
        } else {
            topic::Entity::find()
                .select_only()
                .column(topic::Column::Id)
                .column(topic::Column::Title)
                .filter(topic::Column::Id.is_in(replies.iter().map(|p| p.topic_id.clone()).collect::<Vec<_>>()))
                .into_tuple::<(String, String)>()
                .all(&state.db)
                .await?
                .into_iter()
                .collect()
        };
        activity.replies = replies
            .into_iter()
            .map(|p| ReplyRef {
                topic_title: titles.get(&p.topic_id).cloned().unwrap_or_default(),
                excerpt: discussions::excerpt(&p.body, 200),
                post_id: p.id,
                topic_id: p.topic_id,
                created_at: p.created_at,
            })
            .collect();
    }
    if let Some(visible) = policy::visible_library_items(actor, public_read) {
        let items = library_item::Entity::find()
            .filter(visible)
            .filter(library_item::Column::OwnerId.eq(member.id.clone()))
            .order_by_desc(library_item::Column::CreatedAt)
            .order_by_desc(library_item::Column::Id)
            .limit(RECENT)
            .all(&state.db)
            .await?;
        activity.library_items = library::summaries(state, items).await?;
    }
    if let Some(visible) = policy::visible_groups(actor, public_read) {
        let theirs = Query::select()
            .column(group_membership::Column::GroupId)
            .from(group_membership::Entity)
            .and_where(Expr::col(group_membership::Column::UserId).eq(member.id.clone()))
            .and_where(Expr::col(group_membership::Column::Status).eq(MembershipStatus::Active.as_str()))
            .to_owned();
        activity.groups = group::Entity::find()
            .filter(Condition::all().add(visible).add(group::Column::Id.in_subquery(theirs)))
            .filter(group::Column::ArchivedAt.is_null())
            .order_by_asc(group::Column::Name)
            .limit(50)
            .all(&state.db)
            .await?
            .into_iter()
            .map(|g| GroupRef { id: g.id, slug: g.slug, name: g.name })
            .collect();
    }
    Ok(activity)
}

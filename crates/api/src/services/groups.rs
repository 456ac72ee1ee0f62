//! Groups: working-group rooms, public or private, and their membership. Every
//! decision goes through `policy`; lists use the policy's SQL form, so a list never
//! holds a group that a single read would refuse.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use chrono::Utc;
use copse_shared::groups::{
    CreateGroupRequest, Group, GroupMember, GroupRole, GroupVisibility, JoinResult, MembershipStatus, MyMembership,
    UpdateGroupRequest,
};
use copse_shared::members::MemberSummary;
use copse_shared::{ErrorCode, Page};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, ModelTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::{group, group_membership, user};
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, GroupFacts, Resource};
use crate::services::audit::{self, Event};
use crate::services::pagination::{self, TextCursor};
use crate::services::{accounts, community, markdown, validate};
use crate::state::AppState;

/// Longest description accepted, in characters.
pub const MAX_DESCRIPTION: usize = 20_000;

fn conflict(detail: &str) -> ApiError {
    ApiError::client(StatusCode::CONFLICT, ErrorCode::Conflict, detail)
}

/// 422: the change would leave the group with nobody to run it.
fn last_facilitator(detail: &str) -> ApiError {
    ApiError::client(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::LastFacilitator, detail)
}

/// Finds a group by id or slug.
async fn find(db: &impl ConnectionTrait, key: &str) -> ApiResult<Option<group::Model>> {
    let by_key = Condition::any().add(group::Column::Id.eq(key)).add(group::Column::Slug.eq(key));
    Ok(group::Entity::find().filter(by_key).one(db).await?)
}

async fn membership(
    db: &impl ConnectionTrait,
    group_id: &str,
    user_id: &str,
) -> ApiResult<Option<group_membership::Model>> {
    Ok(group_membership::Entity::find_by_id((group_id.to_owned(), user_id.to_owned())).one(db).await?)
}

/// A member's group memberships, whatever their status, by group id: from memory
/// when read less than `COPSE_COMMUNITY_CACHE_MS` ago (every write through this
/// server empties it), else one statement.
pub async fn memberships_of(state: &AppState, user_id: &str) -> ApiResult<Arc<Vec<group_membership::Model>>> {
    let trusted_for = std::time::Duration::from_millis(state.settings.community_cache_ms);
    let read = async {
        Ok(Some(
            group_membership::Entity::find()
                .filter(group_membership::Column::UserId.eq(user_id))
                .order_by_asc(group_membership::Column::GroupId)
                .all(&state.db)
                .await?,
        ))
    };
    let memberships = state.memo.memberships.get_or_read(user_id, trusted_for, read).await?;
    Ok(memberships.unwrap_or_default())
}

/// The ids of the groups a member belongs to as `policy::visible_groups` counts them
/// (active or invited), sorted.
pub async fn reading_memberships(state: &AppState, user_id: &str) -> ApiResult<Vec<String>> {
    let reads = [MembershipStatus::Active, MembershipStatus::Invited];
    Ok(memberships_of(state, user_id)
        .await?
        .iter()
        .filter(|m| reads.contains(&m.status()))
        .map(|m| m.group_id.clone())
        .collect())
}

/// The key under which a list page read for `actor` may be kept and shown to other
/// readers (`policy::list_reader`, with the actor's memberships from memory), or
/// `None` when pages are not kept (API keys, or `COPSE_COMMUNITY_CACHE_MS` = 0).
pub async fn list_reader(state: &AppState, actor: &Actor, public_read: bool) -> ApiResult<Option<String>> {
    if state.settings.community_cache_ms == 0 {
        return Ok(None);
    }
    let memberships = match actor.user() {
        Some(me) if policy::reader_needs_memberships(actor) => Some(reading_memberships(state, &me.id).await?),
        _ => None,
    };
    Ok(policy::list_reader(actor, public_read, memberships.as_deref()))
}

/// The key a list page is kept under: the reader (`list_reader`) and everything the
/// request asked for (filters, page size, cursor), or `None` when it is not kept.
pub async fn page_key(
    state: &AppState,
    actor: &Actor,
    public_read: bool,
    request: impl std::fmt::Debug,
) -> ApiResult<Option<String>> {
    Ok(list_reader(state, actor, public_read).await?.map(|reader| format!("{reader}|{request:?}")))
}

/// A group and what the policy needs to decide about it for this actor.
struct Loaded {
    group: group::Model,
    facts: GroupFacts,
    mine: Option<group_membership::Model>,
}

async fn load(state: &AppState, actor: &Actor, key: &str) -> ApiResult<Option<Loaded>> {
    let Some(group) = find(&state.db, key).await? else { return Ok(None) };
    let mine = match actor.user() {
        Some(me) => membership(&state.db, &group.id, &me.id).await?,
        None => None,
    };
    let public_read = community::current(state).await?.public_read;
    let facts = GroupFacts {
        id: group.id.clone(),
        visibility: group.visibility(),
        membership: mine.as_ref().map(|m| (m.role(), m.status())),
        public_read,
    };
    Ok(Some(Loaded { group, facts, mine }))
}

/// Loads a group the actor may act on, answering 404 when it is absent or invisible.
async fn load_for(state: &AppState, actor: &Actor, key: &str, action: Action) -> ApiResult<Loaded> {
    match load(state, actor, key).await? {
        Some(loaded) => {
            policy::require_group(actor, action, &loaded.facts)?;
            Ok(loaded)
        }
        None if matches!(actor, Actor::Anonymous) && !community::current(state).await?.public_read => {
            Err(policy::sign_in_required())
        }
        None => Err(ApiError::not_found()),
    }
}

#[derive(Debug, FromQueryResult)]
struct CountRow {
    group_id: String,
    members: i64,
}

/// Converts groups to DTOs with two queries in all: member counts and the actor's
/// memberships, for every group at once (no query per group).
async fn to_dtos(db: &impl ConnectionTrait, actor: &Actor, groups: Vec<group::Model>) -> ApiResult<Vec<Group>> {
    let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
    let counts: HashMap<String, i64> = group_membership::Entity::find()
        .select_only()
        .column(group_membership::Column::GroupId)
        .column_as(Expr::col(group_membership::Column::UserId).count(), "members")
        .filter(group_membership::Column::GroupId.is_in(ids.clone()))
        .filter(group_membership::Column::Status.eq(MembershipStatus::Active.as_str()))
        .group_by(group_membership::Column::GroupId)
        .into_model::<CountRow>()
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.group_id, row.members))
        .collect();
    let mine: HashMap<String, group_membership::Model> = match actor.user() {
        Some(me) => group_membership::Entity::find()
            .filter(group_membership::Column::UserId.eq(me.id.clone()))
            .filter(group_membership::Column::GroupId.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.group_id.clone(), m))
            .collect(),
        None => HashMap::new(),
    };
    Ok(groups
        .into_iter()
        .map(|g| {
            let count = u64::try_from(counts.get(&g.id).copied().unwrap_or(0)).unwrap_or(0);
            let membership = mine.get(&g.id).map(|m| MyMembership { role: m.role(), status: m.status() });
            dto(g, count, membership)
        })
        .collect())
}

fn dto(g: group::Model, member_count: u64, my_membership: Option<MyMembership>) -> Group {
    Group {
        description_html: markdown::render(&g.description),
        visibility: g.visibility(),
        archived: g.archived_at.is_some(),
        id: g.id,
        slug: g.slug,
        name: g.name,
        description: g.description,
        member_count,
        created_at: g.created_at,
        updated_at: g.updated_at,
        my_membership,
    }
}

/// The strong ETag of a group's stored version.
pub fn etag(g: &Group) -> String {
    let version = format!(
        "{}|{}|{}|{}|{:?}|{}",
        g.id,
        g.updated_at.to_rfc3339(),
        g.name,
        g.description,
        g.visibility,
        g.archived
    );
    let digest = Sha256::digest(version.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

async fn one_dto(state: &AppState, actor: &Actor, g: group::Model) -> ApiResult<Group> {
    to_dtos(&state.db, actor, vec![g]).await?.pop().ok_or_else(|| ApiError::internal(anyhow::anyhow!("group vanished")))
}

/// Filters of the group list.
#[derive(Debug, Default)]
pub struct GroupFilter {
    /// Only the actor's groups (member, invited, or requested).
    pub mine: bool,
    /// Include archived groups.
    pub include_archived: bool,
    /// Page size.
    pub limit: Option<u64>,
    /// Cursor.
    pub cursor: Option<String>,
}

/// Lists the groups the actor may see, by name.
pub async fn list(state: &AppState, actor: &Actor, filter: GroupFilter) -> ApiResult<Page<Group>> {
    let limit = pagination::page_size(filter.limit)?;
    let public_read = community::current(state).await?.public_read;
    let visible = policy::visible_groups(actor, public_read).ok_or_else(policy::sign_in_required)?;
    let mut query = group::Entity::find().filter(visible);
    if filter.mine {
        let me = actor.user().ok_or_else(policy::sign_in_required)?;
        let mine = sea_orm::sea_query::Query::select()
            .column(group_membership::Column::GroupId)
            .from(group_membership::Entity)
            .and_where(Expr::col(group_membership::Column::UserId).eq(me.id.clone()))
            .to_owned();
        query = query.filter(group::Column::Id.in_subquery(mine));
    }
    if !filter.include_archived {
        query = query.filter(group::Column::ArchivedAt.is_null());
    }
    if let Some(cursor) = &filter.cursor {
        let TextCursor { key, id } = TextCursor::decode(cursor)?;
        query = query.filter(
            Condition::any()
                .add(group::Column::Name.gt(key.clone()))
                .add(Condition::all().add(group::Column::Name.eq(key)).add(group::Column::Id.gt(id))),
        );
    }
    let rows =
        query.order_by_asc(group::Column::Name).order_by_asc(group::Column::Id).limit(limit + 1).all(&state.db).await?;
    let (rows, next_cursor) = pagination::split(rows, limit, |last| TextCursor::encode(&last.name, &last.id));
    Ok(Page { items: to_dtos(&state.db, actor, rows).await?, next_cursor })
}

/// Reads one group.
pub async fn get(state: &AppState, actor: &Actor, key: &str) -> ApiResult<Group> {
    let loaded = load_for(state, actor, key, Action::ReadGroup).await?;
    one_dto(state, actor, loaded.group).await
}

/// Turns a name into a slug: lower-case ASCII letters and digits joined by hyphens.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    slug.trim_end_matches('-').to_owned()
}

fn valid_slug(slug: &str) -> bool {
    (2..=60).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        // A slug shaped like an id would be ambiguous in `/groups/{group}`.
        && Uuid::parse_str(slug).is_err()
}

/// Creates a group; its creator becomes its first facilitator.
pub async fn create(state: &AppState, actor: &Actor, request: CreateGroupRequest) -> ApiResult<Group> {
    policy::require(actor, Action::CreateGroup, &Resource::Community)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let mut errors = validate::Errors::default();
    let name = validate::text(&mut errors, "name", &request.name, 2, 80);
    let description = validate::text(&mut errors, "description", &request.description, 0, MAX_DESCRIPTION);
    let explicit = request.slug.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    if let Some(slug) = &explicit
        && !valid_slug(slug)
    {
        errors.add("slug", "invalid_format", "Use 2 to 60 lower-case letters, digits and hyphens.");
    }
    errors.finish()?;
    let slug = match explicit {
        Some(slug) => {
            if find(&state.db, &slug).await?.is_some() {
                return Err(ApiError::field("slug", "taken", "Another group already uses this address."));
            }
            slug
        }
        None => free_slug(state, &name).await?,
    };
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let created = group::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        slug: Set(slug),
        name: Set(name),
        description: Set(description),
        visibility: Set(request.visibility.as_str().to_owned()),
        archived_at: Set(None),
        created_by: Set(Some(me.id.clone())),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    group_membership::ActiveModel {
        group_id: Set(created.id.clone()),
        user_id: Set(me.id.clone()),
        role: Set(GroupRole::Facilitator.as_str().to_owned()),
        status: Set(MembershipStatus::Active.as_str().to_owned()),
        invited_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let details = json!({"slug": created.slug, "visibility": created.visibility});
    audit::record(
        &txn,
        me,
        Event {
            action: "group.create",
            target_type: "group",
            target_id: &created.id,
            target_label: &created.name,
            details,
        },
    )
    .await?;
    txn.commit().await?;
    one_dto(state, actor, created).await
}

async fn free_slug(state: &AppState, name: &str) -> ApiResult<String> {
    let mut base = slugify(name);
    if base.len() < 2 {
        base = format!("group-{}", &Uuid::new_v4().simple().to_string()[..8]);
    }
    base.truncate(54);
    let base = base.trim_end_matches('-').to_owned();
    for n in 1..100 {
        let candidate = if n == 1 { base.clone() } else { format!("{base}-{n}") };
        if valid_slug(&candidate) && find(&state.db, &candidate).await?.is_none() {
            return Ok(candidate);
        }
    }
    Ok(format!("{base}-{}", &Uuid::new_v4().simple().to_string()[..6]))
}

/// Replaces a group's editable fields, with optimistic locking.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    key: &str,
    if_match: Option<&str>,
    request: UpdateGroupRequest,
) -> ApiResult<Group> {
    let loaded = load_for(state, actor, key, Action::UpdateGroup).await?;
    if loaded.group.visibility() != request.visibility {
        policy::require_group(actor, Action::ChangeGroupVisibility, &loaded.facts)?;
    }
    if loaded.group.archived_at.is_some() {
        return Err(conflict("This group is archived; unarchive it before editing."));
    }
    let mut errors = validate::Errors::default();
    let name = validate::text(&mut errors, "name", &request.name, 2, 80);
    let description = validate::text(&mut errors, "description", &request.description, 0, MAX_DESCRIPTION);
    errors.finish()?;
    let current = one_dto(state, actor, loaded.group.clone()).await?;
    if let Some(header) = if_match
        && !community::if_match_accepts(header, &etag(&current))
    {
        return Err(ApiError::client(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::PreconditionFailed,
            "The group changed since you loaded it; reload and apply your change again.",
        ));
    }
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let mut active: group::ActiveModel = loaded.group.into();
    active.name = Set(name);
    active.description = Set(description);
    active.visibility = Set(request.visibility.as_str().to_owned());
    active.updated_at = Set(Utc::now());
    let txn = crate::db::begin(&state.db).await?;
    let updated = active.update(&txn).await?;
    let details = json!({"visibility": updated.visibility});
    audit::record(
        &txn,
        me,
        Event {
            action: "group.update",
            target_type: "group",
            target_id: &updated.id,
            target_label: &updated.name,
            details,
        },
    )
    .await?;
    txn.commit().await?;
    // Topics show the group's new name or state at once (`discussions::refs`).
    state.memo.groups.forget();
    one_dto(state, actor, updated).await
}

/// Archives (or unarchives) a group.
pub async fn set_archived(state: &AppState, actor: &Actor, key: &str, archived: bool) -> ApiResult<Group> {
    let loaded = load_for(state, actor, key, Action::ArchiveGroup).await?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    if loaded.group.archived_at.is_some() == archived {
        return one_dto(state, actor, loaded.group).await;
    }
    let now = Utc::now();
    let mut active: group::ActiveModel = loaded.group.into();
    active.archived_at = Set(archived.then_some(now));
    active.updated_at = Set(now);
    let txn = crate::db::begin(&state.db).await?;
    let updated = active.update(&txn).await?;
    let action = if archived { "group.archive" } else { "group.unarchive" };
    audit::record(
        &txn,
        me,
        Event { action, target_type: "group", target_id: &updated.id, target_label: &updated.name, details: json!({}) },
    )
    .await?;
    txn.commit().await?;
    // Topics show the group's new name or state at once (`discussions::refs`).
    state.memo.groups.forget();
    one_dto(state, actor, updated).await
}

/// Joins a public group, accepts an invitation, or asks to join a private group.
/// For a private group the answer is the same whether or not it exists, so that
/// asking reveals nothing.
pub async fn join(state: &AppState, actor: &Actor, key: &str) -> ApiResult<JoinResult> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let requested = JoinResult { status: MembershipStatus::Requested };
    let Some(loaded) = load(state, actor, key).await? else {
        return Ok(requested);
    };
    policy::require_group(actor, Action::JoinGroup, &loaded.facts)?;
    let visible = policy::can(actor, Action::ReadGroup, &Resource::Group(&loaded.facts));
    if loaded.group.archived_at.is_some() {
        return if visible { Err(conflict("This group is archived.")) } else { Ok(requested) };
    }
    let now = Utc::now();
    match (&loaded.mine, loaded.group.visibility()) {
        (Some(m), _) if m.status() == MembershipStatus::Active => Ok(JoinResult { status: MembershipStatus::Active }),
        (Some(m), _) if m.status() == MembershipStatus::Requested => Ok(requested),
        (Some(m), _) => {
            // An invitation: accepting it makes the membership active.
            let mut active: group_membership::ActiveModel = m.clone().into();
            active.status = Set(MembershipStatus::Active.as_str().to_owned());
            active.updated_at = Set(now);
            active.update(&state.db).await?;
            Ok(JoinResult { status: MembershipStatus::Active })
        }
        (None, visibility) => {
            let status = if visibility == GroupVisibility::Public {
                MembershipStatus::Active
            } else {
                MembershipStatus::Requested
            };
            group_membership::ActiveModel {
                group_id: Set(loaded.group.id.clone()),
                user_id: Set(me.id.clone()),
                role: Set(GroupRole::Member.as_str().to_owned()),
                status: Set(status.as_str().to_owned()),
                invited_by: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&state.db)
            .await?;
            Ok(JoinResult { status })
        }
    }
}

async fn active_facilitators(db: &impl ConnectionTrait, group_id: &str) -> ApiResult<u64> {
    Ok(group_membership::Entity::find()
        .filter(group_membership::Column::GroupId.eq(group_id))
        .filter(group_membership::Column::Role.eq(GroupRole::Facilitator.as_str()))
        .filter(group_membership::Column::Status.eq(MembershipStatus::Active.as_str()))
        .count(db)
        .await?)
}

/// Leaves a group (or withdraws a request, or declines an invitation). The last
/// facilitator cannot leave while others remain: the group would have nobody to run it.
pub async fn leave(state: &AppState, actor: &Actor, key: &str) -> ApiResult<()> {
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let Some(loaded) = load(state, actor, key).await? else { return Err(ApiError::not_found()) };
    let Some(mine) = loaded.mine else { return Err(ApiError::not_found()) };
    if mine.role() == GroupRole::Facilitator && mine.status() == MembershipStatus::Active {
        let others = group_membership::Entity::find()
            .filter(group_membership::Column::GroupId.eq(loaded.group.id.clone()))
            .filter(group_membership::Column::Status.eq(MembershipStatus::Active.as_str()))
            .filter(group_membership::Column::UserId.ne(me.id.clone()))
            .count(&state.db)
            .await?;
        if others > 0 && active_facilitators(&state.db, &loaded.group.id).await? <= 1 {
            return Err(last_facilitator(
                "You are this group's only facilitator; make another member facilitator first.",
            ));
        }
    }
    let txn = crate::db::begin(&state.db).await?;
    let private = loaded.group.visibility() == GroupVisibility::Private;
    let user_id = mine.user_id.clone();
    mine.delete(&txn).await?;
    if private {
        crate::services::events::rsvp::withdraw_from_group(&txn, &loaded.group.id, &user_id).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Lists a group's memberships by member name. Active members are visible to whoever
/// may read the group's members; requests and invitations only to its managers.
pub async fn members(
    state: &AppState,
    actor: &Actor,
    key: &str,
    status: Option<MembershipStatus>,
    limit: Option<u64>,
    cursor: Option<String>,
) -> ApiResult<Page<GroupMember>> {
    let status = status.unwrap_or(MembershipStatus::Active);
    let action = if status == MembershipStatus::Active { Action::ReadGroupMembers } else { Action::ManageGroupMembers };
    let loaded = load_for(state, actor, key, action).await?;
    let limit = pagination::page_size(limit)?;
    let mut query = group_membership::Entity::find()
        .find_also_related(user::Entity)
        .filter(group_membership::Column::GroupId.eq(loaded.group.id.clone()))
        .filter(group_membership::Column::Status.eq(status.as_str()));
    if let Some(cursor) = cursor {
        let TextCursor { key, id } = TextCursor::decode(&cursor)?;
        query = query.filter(
            Condition::any()
                .add(user::Column::DisplayName.gt(key.clone()))
                .add(Condition::all().add(user::Column::DisplayName.eq(key)).add(user::Column::Id.gt(id))),
        );
    }
    let rows = query
        .order_by_asc(user::Column::DisplayName)
        .order_by_asc(user::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let rows: Vec<(group_membership::Model, user::Model)> =
        rows.into_iter().filter_map(|(m, u)| u.map(|u| (m, u))).collect();
    let (rows, next_cursor) = pagination::split(rows, limit, |(_, u)| TextCursor::encode(&u.display_name, &u.id));
    Ok(Page { items: rows.into_iter().map(|(m, u)| member_dto(&m, &u)).collect(), next_cursor })
}

fn member_dto(m: &group_membership::Model, u: &user::Model) -> GroupMember {
    GroupMember {
        member: MemberSummary { id: u.id.clone(), display_name: u.display_name.clone() },
        role: m.role(),
        status: m.status(),
        since: m.created_at,
    }
}

async fn managed(state: &AppState, actor: &Actor, key: &str) -> ApiResult<(Loaded, user::Model)> {
    let loaded = load_for(state, actor, key, Action::ManageGroupMembers).await?;
    if loaded.group.archived_at.is_some() {
        return Err(conflict("This group is archived."));
    }
    let me = actor.user().cloned().ok_or_else(policy::sign_in_required)?;
    Ok((loaded, me))
}

async fn audit_membership(
    db: &impl ConnectionTrait,
    me: &user::Model,
    action: &str,
    group: &group::Model,
    member: &user::Model,
    details: serde_json::Value,
) -> ApiResult<()> {
    let mut details = details;
    if let Some(object) = details.as_object_mut() {
        object.insert("member_id".into(), json!(member.id));
        object.insert("member".into(), json!(member.display_name));
    }
    audit::record(
        db,
        me,
        Event { action, target_type: "group", target_id: &group.id, target_label: &group.name, details },
    )
    .await
}

/// Invites a member (by email) into a group.
pub async fn invite(state: &AppState, actor: &Actor, key: &str, email: &str) -> ApiResult<GroupMember> {
    let (loaded, me) = managed(state, actor, key).await?;
    let email = email.trim().to_lowercase();
    let invitee = accounts::find_by_email(&state.db, &email)
        .await?
        .filter(|u| u.status() == copse_shared::auth::AccountStatus::Active)
        .ok_or_else(|| ApiError::field("email", "unknown", "No active member has this email address."))?;
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let membership = match membership(&txn, &loaded.group.id, &invitee.id).await? {
        Some(existing) if existing.status() == MembershipStatus::Active => {
            return Err(conflict("This person is already a member of the group."));
        }
        Some(existing) if existing.status() == MembershipStatus::Requested => {
            // They asked already: inviting them is approving them.
            let mut active: group_membership::ActiveModel = existing.into();
            active.status = Set(MembershipStatus::Active.as_str().to_owned());
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        Some(existing) => existing,
        None => {
            group_membership::ActiveModel {
                group_id: Set(loaded.group.id.clone()),
                user_id: Set(invitee.id.clone()),
                role: Set(GroupRole::Member.as_str().to_owned()),
                status: Set(MembershipStatus::Invited.as_str().to_owned()),
                invited_by: Set(Some(me.id.clone())),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    audit_membership(&txn, &me, "group.invite", &loaded.group, &invitee, json!({})).await?;
    txn.commit().await?;
    Ok(member_dto(&membership, &invitee))
}

async fn target_membership(
    state: &AppState,
    group: &group::Model,
    user_id: &str,
) -> ApiResult<(group_membership::Model, user::Model)> {
    let m = membership(&state.db, &group.id, user_id).await?.ok_or_else(ApiError::not_found)?;
    let u = accounts::find_by_id(&state.db, user_id).await?.ok_or_else(ApiError::not_found)?;
    Ok((m, u))
}

/// Approves a request to join.
pub async fn approve(state: &AppState, actor: &Actor, key: &str, user_id: &str) -> ApiResult<GroupMember> {
    let (loaded, me) = managed(state, actor, key).await?;
    let (m, u) = target_membership(state, &loaded.group, user_id).await?;
    match m.status() {
        // Approving twice (a double click, a retry) is harmless: same answer.
        MembershipStatus::Active => return Ok(member_dto(&m, &u)),
        MembershipStatus::Invited => {
            return Err(conflict("This person is invited, not asking; they join by accepting."));
        }
        MembershipStatus::Requested => {}
    }
    let mut active: group_membership::ActiveModel = m.into();
    active.status = Set(MembershipStatus::Active.as_str().to_owned());
    active.updated_at = Set(Utc::now());
    let txn = crate::db::begin(&state.db).await?;
    let updated = active.update(&txn).await?;
    audit_membership(&txn, &me, "group.approve", &loaded.group, &u, json!({})).await?;
    txn.commit().await?;
    Ok(member_dto(&updated, &u))
}

/// Denies a request to join.
pub async fn deny(state: &AppState, actor: &Actor, key: &str, user_id: &str) -> ApiResult<()> {
    let (loaded, me) = managed(state, actor, key).await?;
    let (m, u) = target_membership(state, &loaded.group, user_id).await?;
    if m.status() != MembershipStatus::Requested {
        return Err(conflict("Only requests to join can be denied."));
    }
    let txn = crate::db::begin(&state.db).await?;
    m.delete(&txn).await?;
    audit_membership(&txn, &me, "group.deny", &loaded.group, &u, json!({})).await?;
    txn.commit().await?;
    Ok(())
}

/// Removes a member (or cancels an invitation). The last facilitator stays.
pub async fn remove(state: &AppState, actor: &Actor, key: &str, user_id: &str) -> ApiResult<()> {
    let (loaded, me) = managed(state, actor, key).await?;
    let (m, u) = target_membership(state, &loaded.group, user_id).await?;
    if m.role() == GroupRole::Facilitator
        && m.status() == MembershipStatus::Active
        && active_facilitators(&state.db, &loaded.group.id).await? <= 1
    {
        return Err(last_facilitator("This is the group's only facilitator; make another member facilitator first."));
    }
    let txn = crate::db::begin(&state.db).await?;
    let details = json!({"status": m.status});
    m.delete(&txn).await?;
    if loaded.group.visibility() == GroupVisibility::Private {
        crate::services::events::rsvp::withdraw_from_group(&txn, &loaded.group.id, &u.id).await?;
    }
    audit_membership(&txn, &me, "group.remove", &loaded.group, &u, details).await?;
    txn.commit().await?;
    Ok(())
}

/// Changes a member's role in the group.
pub async fn change_role(
    state: &AppState,
    actor: &Actor,
    key: &str,
    user_id: &str,
    role: GroupRole,
) -> ApiResult<GroupMember> {
    let (loaded, me) = managed(state, actor, key).await?;
    let (m, u) = target_membership(state, &loaded.group, user_id).await?;
    if m.status() != MembershipStatus::Active {
        return Err(conflict("Only active members can change role."));
    }
    if m.role() == role {
        return Ok(member_dto(&m, &u));
    }
    if m.role() == GroupRole::Facilitator && active_facilitators(&state.db, &loaded.group.id).await? <= 1 {
        return Err(last_facilitator("This is the group's only facilitator; make another member facilitator first."));
    }
    let from = m.role();
    let mut active: group_membership::ActiveModel = m.into();
    active.role = Set(role.as_str().to_owned());
    active.updated_at = Set(Utc::now());
    let txn = crate::db::begin(&state.db).await?;
    let updated = active.update(&txn).await?;
    let details = json!({"from": from.as_str(), "to": role.as_str()});
    audit_membership(&txn, &me, "group.role_change", &loaded.group, &u, details).await?;
    txn.commit().await?;
    Ok(member_dto(&updated, &u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_derived_from_names() {
        assert_eq!(slugify("Soil Health: Working Group!"), "soil-health-working-group");
        assert_eq!(slugify("  --Água & Irrigação  "), "gua-irriga-o");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn slugs_are_checked() {
        assert!(valid_slug("soil-health"));
        assert!(!valid_slug("Soil"));
        assert!(!valid_slug("-x"));
        assert!(!valid_slug("a"));
        assert!(!valid_slug("5f0c8f3e-3f0e-4d5c-9a43-0c5a1f3c2b10"));
    }
}

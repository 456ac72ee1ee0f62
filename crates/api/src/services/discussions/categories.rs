//! Discussion categories: created and ordered by site facilitators and admins.

use chrono::Utc;
use copse_shared::discussions::{Category, CategoryRequest};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::entities::category;
use crate::error::{ApiError, ApiResult};
use crate::policy::{self, Action, Actor, Resource};
use crate::services::audit::{self, Event};
use crate::services::{community, groups, validate};
use crate::state::AppState;

fn dto(c: category::Model) -> Category {
    Category { id: c.id, slug: c.slug, name: c.name, description: c.description, position: c.position }
}

/// Finds a category by id or slug.
pub async fn find(db: &impl ConnectionTrait, key: &str) -> ApiResult<Option<category::Model>> {
    let by_key = Condition::any().add(category::Column::Id.eq(key)).add(category::Column::Slug.eq(key));
    Ok(category::Entity::find().filter(by_key).one(db).await?)
}

/// Every category, in order. Readable by whoever may read community content.
pub async fn list(state: &AppState, actor: &Actor) -> ApiResult<Vec<Category>> {
    if matches!(actor, Actor::Anonymous) && !community::current(state).await?.public_read {
        return Err(policy::sign_in_required());
    }
    let rows = category::Entity::find()
        .order_by_asc(category::Column::Position)
        .order_by_asc(category::Column::Name)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(dto).collect())
}

fn validated(request: &CategoryRequest) -> ApiResult<(String, String)> {
    let mut errors = validate::Errors::default();
    let name = validate::text(&mut errors, "name", &request.name, 2, 60);
    let description = validate::text(&mut errors, "description", &request.description, 0, 500);
    errors.finish()?;
    Ok((name, description))
}

/// Creates a category.
pub async fn create(state: &AppState, actor: &Actor, request: CategoryRequest) -> ApiResult<Category> {
    policy::require(actor, Action::ManageCategories, &Resource::Community)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let (name, description) = validated(&request)?;
    let mut slug = groups::slugify(&name);
    if slug.len() < 2 {
        slug = format!("category-{}", &Uuid::new_v4().simple().to_string()[..6]);
    }
    let base = slug.clone();
    let mut n = 2;
    while find(&state.db, &slug).await?.is_some() {
        slug = format!("{base}-{n}");
        n += 1;
    }
    let position = match request.position {
        Some(position) => position,
        None => {
            let max: Option<i32> = category::Entity::find()
                .select_only()
                .column_as(Expr::col(category::Column::Position).max(), "max")
                .into_tuple::<Option<i32>>()
                .one(&state.db)
                .await?
                .flatten();
            max.map_or(1, |m| m + 1)
        }
    };
    let now = Utc::now();
    let txn = crate::db::begin(&state.db).await?;
    let created = category::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        slug: Set(slug),
        name: Set(name),
        description: Set(description),
        position: Set(position),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let event = Event {
        action: "category.create",
        target_type: "category",
        target_id: &created.id,
        target_label: &created.name,
        details: json!({}),
    };
    audit::record(&txn, me, event).await?;
    txn.commit().await?;
    Ok(dto(created))
}

/// Renames, describes or reorders a category.
pub async fn update(state: &AppState, actor: &Actor, key: &str, request: CategoryRequest) -> ApiResult<Category> {
    policy::require(actor, Action::ManageCategories, &Resource::Community)?;
    let me = actor.user().ok_or_else(policy::sign_in_required)?;
    let current = find(&state.db, key).await?.ok_or_else(ApiError::not_found)?;
    let (name, description) = validated(&request)?;
    let mut active: category::ActiveModel = current.clone().into();
    active.name = Set(name);
    active.description = Set(description);
    if let Some(position) = request.position {
        active.position = Set(position);
    }
    active.updated_at = Set(Utc::now());
    let txn = crate::db::begin(&state.db).await?;
    let updated = active.update(&txn).await?;
    let details = json!({"from": current.name, "position": updated.position});
    let event = Event {
        action: "category.update",
        target_type: "category",
        target_id: &updated.id,
        target_label: &updated.name,
        details,
    };
    audit::record(&txn, me, event).await?;
    txn.commit().await?;
    // Topics show the new name at once (`discussions::refs`).
    state.memo.categories.forget();
    Ok(dto(updated))
}

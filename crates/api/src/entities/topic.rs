//! A topic: a discussion or a question.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "topics")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub category_id: String,
    pub group_id: Option<String>,
    pub author_id: Option<String>,
    pub title: String,
    pub kind: String,
    pub pinned: bool,
    pub locked: bool,
    pub hidden_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub accepted_post_id: Option<String>,
    pub reply_count: i64,
    pub excerpt: String,
    pub last_activity_at: DateTimeUtc,
    pub first_reply_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

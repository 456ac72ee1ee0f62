//! A library item: a document, tool, template, link, dataset or media, with files
//! (versions) or an external URL.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "library_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub group_id: Option<String>,
    pub owner_id: Option<String>,
    pub title: String,
    pub description: String,
    pub description_html: String,
    pub kind: String,
    pub language: Option<String>,
    pub licence: Option<String>,
    pub url: Option<String>,
    pub topic_id: Option<String>,
    pub current_version_id: Option<String>,
    pub version_count: i32,
    pub download_count: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

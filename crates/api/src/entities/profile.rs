//! A member's profile: what they tell others about themselves and their privacy choices.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: String,
    pub headline: Option<String>,
    pub organisation: Option<String>,
    pub job_title: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub time_zone: Option<String>,
    pub bio: String,
    pub bio_html: String,
    /// The links as a JSON array of `ProfileLink`.
    pub links: String,
    pub email_visibility: String,
    pub links_visibility: String,
    pub allow_contact: bool,
    pub avatar_version: Option<String>,
    /// Lower-cased name, headline, organisation and job title, for the directory's search.
    pub search_text: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

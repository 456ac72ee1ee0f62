//! A working group or special-interest room.

use copse_shared::groups::GroupVisibility;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "groups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub visibility: String,
    pub archived_at: Option<DateTimeUtc>,
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Visibility; an unknown stored value is treated as private, the safer reading.
    pub fn visibility(&self) -> GroupVisibility {
        GroupVisibility::parse(&self.visibility).unwrap_or(GroupVisibility::Private)
    }
}

//! The single row of community-wide settings.

use copse_shared::community::{Community, JoinPolicy};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "community_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub name: String,
    pub tagline: String,
    pub join_policy: String,
    pub public_read: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The join policy; an unknown stored value falls back to the strictest, invite-only.
    pub fn join_policy(&self) -> JoinPolicy {
        JoinPolicy::parse(&self.join_policy).unwrap_or(JoinPolicy::Invite)
    }

    /// The wire representation.
    pub fn to_dto(&self) -> Community {
        Community {
            name: self.name.clone(),
            tagline: self.tagline.clone(),
            join_policy: self.join_policy(),
            public_read: self.public_read,
            updated_at: self.updated_at,
        }
    }
}

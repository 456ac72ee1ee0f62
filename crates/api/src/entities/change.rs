//! One entry of the change log (written only by database triggers, read by the change
//! feed): a resource created, updated or deleted, with its group at that moment.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The feed's order: set at commit, in commit order (absent only inside the writing
    /// transaction, so never seen by readers).
    pub pos: Option<i64>,
    pub resource_type: String,
    pub resource_id: String,
    pub op: String,
    pub group_id: Option<String>,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

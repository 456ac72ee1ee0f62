//! One occurrence of an event, keyed `single` (a one-off event) or by its planned local
//! date (`20261203`), which stays its id when it is moved.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_occurrences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub cancelled: bool,
    pub moved: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! A partner endpoint that receives signed events: its address, the event types it
//! wants (comma-separated), its signing secret (and the previous one during a rotation).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub url: String,
    pub description: String,
    pub events: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_valid_until: Option<DateTimeUtc>,
    pub active: bool,
    pub from_pos: i64,
    pub created_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! Where a partner-synced resource came from: the partner's source and its id there,
//! the name shown to members ("from FAO e-Agriculture"), and the hash of the last body
//! upserted (so repeating an upsert changes nothing).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "external_refs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub resource_type: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub source: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub external_id: String,
    pub resource_id: String,
    pub source_name: String,
    pub source_url: Option<String>,
    pub content_hash: String,
    pub key_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

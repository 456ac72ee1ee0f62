//! sea-orm entities: the database's shape. They never cross the HTTP boundary;
//! services convert them into shared DTOs.

pub mod audit_entry;
pub mod community_settings;
pub mod group;
pub mod group_membership;
pub mod idempotency_key;
pub mod invitation;
pub mod refresh_token;
pub mod user;

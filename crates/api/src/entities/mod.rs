//! sea-orm entities: the database's shape. They never cross the HTTP boundary;
//! services convert them into shared DTOs.

pub mod audit_entry;
pub mod bookmark;
pub mod category;
pub mod community_settings;
pub mod deleted_account;
pub mod flag;
pub mod group;
pub mod group_membership;
pub mod idempotency_key;
pub mod invitation;
pub mod library_item;
pub mod library_item_tag;
pub mod library_version;
pub mod notification;
pub mod post;
pub mod post_revision;
pub mod profile;
pub mod profile_tag;
pub mod reaction;
pub mod refresh_token;
pub mod topic;
pub mod topic_tag;
pub mod user;
pub mod watch;

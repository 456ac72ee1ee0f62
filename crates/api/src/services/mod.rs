//! Business rules, one module per feature. Services know nothing of actix: they take
//! the state and plain inputs, check permissions, and return entities or `ApiError`.

pub mod accounts;
pub mod audit;
pub mod community;
pub mod discussions;
pub mod groups;
pub mod invitations;
pub mod library;
pub mod markdown;
pub mod members;
pub mod pagination;
pub mod profiles;
pub mod sessions;
pub mod validate;

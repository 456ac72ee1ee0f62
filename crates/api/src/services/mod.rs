//! Business rules, one module per feature. Services know nothing of actix: they take
//! the state and plain inputs, check permissions, and return entities or `ApiError`.

pub mod accounts;
pub mod audit;
pub mod community;
pub mod discussions;
pub mod events;
pub mod groups;
pub mod invitations;
pub mod library;
pub mod markdown;
pub mod members;
pub mod memo;
pub mod pagination;
pub mod partners;
pub mod profiles;
pub mod sessions;
pub mod validate;
pub mod webhooks;

/// A strong ETag of a resource's state: the first 8 bytes of its SHA-256, quoted.
pub fn strong_etag(state: &str) -> String {
    use sha2::{Digest, Sha256};
    let hex: String = Sha256::digest(state.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

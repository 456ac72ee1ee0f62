//! Copse's API contract: the wire types and typed endpoint definitions that the server
//! implements, the SPA and the tests call, and partners' Rust tools can reuse.
//!
//! This crate must stay wasm-clean: no database, no server runtime. The `openapi`
//! feature adds utoipa schema derives for the server; the `client` feature adds a
//! reqwest-based client that executes the endpoint definitions natively.

pub mod auth;
pub mod community;
pub mod discussions;
pub mod endpoint;
pub mod endpoints;
pub mod error;
pub mod events;
pub mod groups;
pub mod library;
pub mod members;
pub mod pagination;
pub mod partners;
pub mod profiles;
pub mod system;
pub mod webhooks;

#[cfg(feature = "client")]
pub mod client;

pub use endpoint::{Endpoint, Method, NoContent};
pub use error::{ErrorCode, FieldError, Problem};
pub use pagination::Page;

/// Minimum password length accepted at registration and password change.
pub const MIN_PASSWORD_LEN: usize = 12;
/// Maximum password length: argon2 handles more, but a cap stops hashing abuse.
pub const MAX_PASSWORD_LEN: usize = 256;
/// Maximum length of a display name, in characters.
pub const MAX_DISPLAY_NAME_LEN: usize = 80;

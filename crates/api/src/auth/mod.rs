//! Authentication: password hashing, access tokens, refresh cookies and the
//! extractors that turn a request's credential into an actor.

pub mod cookie;
pub mod extract;
pub mod jwt;
pub mod password;
pub mod secret;

pub use extract::{ApiClient, AuthUser, MaybeApiClient, MaybeAuthUser, TokenSubject};

//! Route components: each page loads what it shows and handles its own loading and
//! error states, so no page is ever blank.

pub mod admin;
pub mod api_keys;
pub mod auth;
pub mod discussions;
pub mod events;
pub mod groups;
pub mod home;
pub mod library;
pub mod members;
pub mod notifications;
pub mod paged;
pub mod placeholder;
pub mod webhooks;

//! HTTP routes, one module per feature. Handlers are thin: extract, call the
//! service, convert to a shared DTO.

use utoipa_actix_web::service_config::ServiceConfig;

pub mod audit;
pub mod auth;
pub mod community;
pub mod discussions;
pub mod events;
pub mod groups;
pub mod library;
pub mod members;
pub mod partners;
pub mod profiles;
pub mod system;
pub mod webhooks;

/// Registers every `/api/v1` operation (paths are relative to that scope).
pub fn configure(cfg: &mut ServiceConfig) {
    system::configure(cfg);
    auth::configure(cfg);
    community::configure(cfg);
    members::configure(cfg);
    groups::configure(cfg);
    audit::configure(cfg);
    discussions::configure(cfg);
    library::configure(cfg);
    events::configure(cfg);
    partners::configure(cfg);
    profiles::configure(cfg);
    webhooks::configure(cfg);
}

/// The client's IP address, as seen on the socket (no proxy headers are trusted).
pub fn client_ip(req: &actix_web::HttpRequest) -> String {
    req.peer_addr().map(|addr| addr.ip().to_string()).unwrap_or_else(|| "unknown".to_owned())
}

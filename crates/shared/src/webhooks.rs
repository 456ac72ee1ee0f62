//! Outgoing webhooks: admins register partner endpoints that receive a signed JSON
//! event for every change they subscribe to.
//!
//! Each request carries `Copse-Event-Id` (stable across retries: drop duplicates),
//! `Copse-Event-Type` and `Copse-Signature: t=<unix seconds>,v1=<hex>`, where the hex is
//! HMAC-SHA256 with the endpoint's secret over `"<t>.<raw body>"` (one `v1` per valid
//! secret while a rotation's grace period runs). Verify it in constant time and refuse
//! timestamps more than 5 minutes away: that refuses forged and replayed requests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::members::MemberSummary;
use crate::partners::Change;

/// Every event type an endpoint can subscribe to (`ping` is always sent on request).
pub const WEBHOOK_EVENTS: [&str; 12] = [
    "topic.created",
    "topic.updated",
    "topic.deleted",
    "post.created",
    "post.updated",
    "post.deleted",
    "library_item.created",
    "library_item.updated",
    "library_item.deleted",
    "event.created",
    "event.updated",
    "event.deleted",
];

/// The test event sent by `POST /api/v1/webhooks/{id}/ping`.
pub const PING_EVENT: &str = "ping";

/// What an endpoint receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookPayload {
    /// The event's id (also in `Copse-Event-Id`); the same for every retry and redelivery.
    pub id: String,
    /// `library_item.created`, ..., or `ping`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the change happened.
    pub created_at: DateTime<Utc>,
    /// The change (absent for `ping`): read the resource at `data.path` with an API key.
    pub data: Option<Change>,
}

/// A registered endpoint, as admins see it (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Webhook {
    /// Opaque identifier.
    pub id: String,
    /// Where events are posted (`https://...`).
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The event types it receives.
    pub events: Vec<String>,
    /// Whether events are sent (a paused endpoint receives nothing, and nothing is queued).
    pub active: bool,
    /// Who registered it.
    pub created_by: Option<MemberSummary>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Until when the secret replaced by the last rotation still signs (a second `v1`).
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    /// Deliveries waiting for their next attempt.
    pub pending: u64,
    /// Deliveries given up after every attempt failed.
    pub failed: u64,
}

/// Register an endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookRequest {
    /// An `https` (or `http`) address on the public internet; private, loopback and
    /// link-local addresses are refused unless the server allows them for development.
    pub url: String,
    /// Up to 200 characters.
    #[serde(default)]
    pub description: String,
    /// At least one of [`WEBHOOK_EVENTS`].
    pub events: Vec<String>,
    /// Whether to send events (default true).
    #[serde(default)]
    pub active: Option<bool>,
}

/// An endpoint with its signing secret: the only time the secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    /// The endpoint.
    pub webhook: Webhook,
    /// The secret (`whsec_...`) to verify `Copse-Signature` with.
    pub secret: String,
}

/// Replace an endpoint's secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotateWebhookSecretRequest {
    /// How long the old secret keeps signing too, in hours (0 to 720; default 24).
    #[serde(default)]
    pub grace_hours: Option<u32>,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Succeeded,
    /// Every attempt failed; redeliver it by hand.
    Failed,
}

/// One attempt to deliver an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryAttempt {
    /// 1 for the first attempt.
    pub number: u32,
    /// When it was made.
    pub at: DateTime<Utc>,
    /// The endpoint's HTTP status, if it answered.
    pub status_code: Option<u16>,
    /// What went wrong (`timeout`, `refused_address`, `connect`, `redirect`, `status`, ...).
    pub error_kind: Option<String>,
    /// A description of the failure.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: u64,
    /// The start of the endpoint's answer (at most 2 KB).
    pub response_excerpt: String,
}

/// One event sent (or to be sent) to an endpoint, with its attempts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    /// Opaque identifier.
    pub id: String,
    /// The event's id (the same for a redelivery).
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When the next attempt is due (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the endpoint accepted it.
    pub delivered_at: Option<DateTime<Utc>>,
    /// The JSON body sent.
    pub payload: String,
    /// Attempts so far, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

//! Outgoing partner webhooks: the primitives a delivery worker is built from.
//!
//! - [`sign`]: the `Copse-Signature` header (HMAC-SHA256, Stripe style) and its check,
//!   and new signing secrets;
//! - [`guard`]: the SSRF guard, refusing every non-public address, both in URLs and in
//!   DNS answers at connect time;
//! - [`send`]: one delivery attempt through a locked-down client, reported as data, and
//!   the retry schedule;
//! - [`outbox`]: changes turned into durable deliveries, sent, retried and logged;
//! - [`manage`]: endpoints registered by admins, their secrets and delivery logs.
//!
//! Invariant: every webhook request goes through [`send::Sender`], whose client resolves
//! names only through [`guard::GuardedResolver`] and follows no redirects, and which
//! checks literal IP hosts with [`guard::check_url`]. Another client sending webhooks
//! would bypass the guard.

pub mod guard;
pub mod manage;
pub mod outbox;
pub mod send;
pub mod sign;

//! Liveness and readiness answers.

use serde::{Deserialize, Serialize};

/// The answer of the liveness and readiness probes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"status": "ok", "version": "0.1.0"})))]
pub struct Health {
    /// `ok` when the process answers; `ready` when the database answers too.
    pub status: String,
    /// The server's version.
    pub version: String,
}

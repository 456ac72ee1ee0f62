//! Cursor pagination: every list answers `{ items, next_cursor }` in a stable order.

use serde::{Deserialize, Serialize};

/// Default page size when `limit` is absent.
pub const DEFAULT_LIMIT: u64 = 20;
/// Largest page size a client may ask for.
pub const MAX_LIMIT: u64 = 100;

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page, in the list's stable order.
    pub items: Vec<T>,
    /// Pass this as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

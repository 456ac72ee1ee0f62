//! Small, often-read rows kept in memory for a moment: the community settings, the
//! categories and the groups' names, which nearly every page of discussions shows.
//! A value is trusted for `COPSE_COMMUNITY_CACHE_MS` (default one second; 0 reads
//! every time): a change made through this process replaces or drops it at once, one
//! made through another instance is seen within that time. Each saves a statement
//! per request, and statements (each a hop to the driver's connection thread) are
//! most of what a read costs.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::error::ApiResult;

/// A value and when it was read.
type Slot<T> = Option<(Instant, Arc<T>)>;

/// One value, shared by the server's workers.
pub struct Memo<T>(Arc<RwLock<Slot<T>>>);

impl<T> Clone for Memo<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Self(Arc::new(RwLock::new(None)))
    }
}

impl<T> Memo<T> {
    /// The value, if read less than `trusted_for` ago.
    pub fn fresh(&self, trusted_for: Duration) -> Option<Arc<T>> {
        let slot = self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.as_ref().filter(|(at, _)| at.elapsed() < trusted_for).map(|(_, value)| Arc::clone(value))
    }

    /// Keeps a value just read or written.
    pub fn store(&self, value: T) -> Arc<T> {
        let value = Arc::new(value);
        *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((Instant::now(), Arc::clone(&value)));
        value
    }

    /// The value from memory when fresh, else `read` (a future, run only then) and kept.
    pub async fn get_or_read(
        &self,
        trusted_for: Duration,
        read: impl Future<Output = ApiResult<T>>,
    ) -> ApiResult<Arc<T>> {
        if let Some(value) = self.fresh(trusted_for) {
            return Ok(value);
        }
        Ok(self.store(read.await?))
    }

    /// Drops the value after a change, so the next reader reads it again. Called after
    /// the change committed: dropping it before would let a reader keep the old value.
    pub fn forget(&self) {
        *self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

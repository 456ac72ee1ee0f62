//! Small, often-read rows kept in memory for a moment: the community settings, the
//! categories and the groups' names, which nearly every page of discussions shows,
//! and the signed-in member's account, which every signed-in request checks.
//! A value is trusted for `COPSE_COMMUNITY_CACHE_MS` (default one second; 0 reads
//! every time): a change made through this process replaces or drops it at once, one
//! made through another instance is seen within that time. Each saves a statement
//! per request, and statements (each a hop to the driver's connection thread) are
//! most of what a read costs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
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

/// Past this many entries (`MAX`, by default), a store first drops the stale ones, so
/// the map holds about the members active within `trusted_for`, not every member
/// ever seen; when all are fresh, the new values are not kept, so the map never holds
/// more than `MAX` (maps of large values, such as pages, set a smaller one).
const PRUNE_ABOVE: usize = 4096;

/// Values by key and when each was read.
type Entries<V> = HashMap<String, (Instant, Arc<V>)>;

/// Values by key (accounts by id), with the same trust as [`Memo`]. A missing row is
/// never kept: it is read again next time.
pub struct MemoMap<V, const MAX: usize = PRUNE_ABOVE> {
    inner: Arc<RwLock<Entries<V>>>,
    /// Counts `forget`s: a value read while a change was committing (and so perhaps
    /// the old one) is not kept, because its reader began before the last forget.
    forgets: Arc<AtomicU64>,
}

impl<V, const MAX: usize> Clone for MemoMap<V, MAX> {
    fn clone(&self) -> Self {
        Self { inner: Arc::clone(&self.inner), forgets: Arc::clone(&self.forgets) }
    }
}

impl<V, const MAX: usize> Default for MemoMap<V, MAX> {
    fn default() -> Self {
        Self { inner: Arc::new(RwLock::new(HashMap::new())), forgets: Arc::new(AtomicU64::new(0)) }
    }
}

impl<V, const MAX: usize> MemoMap<V, MAX> {
    /// The value for `key` from memory when fresh, else `read` (run only then), kept
    /// when found and when no change was made meanwhile.
    pub async fn get_or_read(
        &self,
        key: &str,
        trusted_for: Duration,
        read: impl Future<Output = ApiResult<Option<V>>>,
    ) -> ApiResult<Option<Arc<V>>> {
        if let Some(value) = self.fresh(key, trusted_for) {
            return Ok(Some(value));
        }
        let seen = self.forgets();
        let Some(value) = read.await? else { return Ok(None) };
        let value = Arc::new(value);
        self.keep(seen, trusted_for, [(key.to_owned(), Arc::clone(&value))]);
        Ok(Some(value))
    }

    /// For reads that always find a value (a page of a list): the value for `key` from
    /// memory when fresh, else `read`, kept as `get_or_read` keeps; read and not kept
    /// when `key` is `None` (a reader whose pages are not shared).
    pub async fn shared(
        &self,
        key: Option<String>,
        trusted_for: Duration,
        read: impl Future<Output = ApiResult<V>>,
    ) -> ApiResult<Arc<V>> {
        let Some(key) = key else { return Ok(Arc::new(read.await?)) };
        let value = self.get_or_read(&key, trusted_for, async { read.await.map(Some) }).await?;
        value.ok_or_else(|| crate::error::ApiError::internal(anyhow::anyhow!("a value read was not given back")))
    }

    /// The value for `key`, if read less than `trusted_for` ago.
    pub fn fresh(&self, key: &str, trusted_for: Duration) -> Option<Arc<V>> {
        if trusted_for.is_zero() {
            return None;
        }
        let entries = self.inner.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.get(key).filter(|(at, _)| at.elapsed() < trusted_for).map(|(_, value)| Arc::clone(value))
    }

    /// A mark to take before reading from the database and give to [`MemoMap::keep`].
    pub fn forgets(&self) -> u64 {
        self.forgets.load(Ordering::Acquire)
    }

    /// Keeps values read since `seen` was taken, unless something was forgotten since
    /// (the read may have seen a row as it was before a change).
    pub fn keep(&self, seen: u64, trusted_for: Duration, values: impl IntoIterator<Item = (String, Arc<V>)>) {
        if trusted_for.is_zero() {
            return;
        }
        // Checked under the lock `forget` takes, so no forget slips between the check
        // and the insert.
        let mut entries = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.forgets.load(Ordering::Acquire) != seen {
            return;
        }
        if entries.len() >= MAX {
            entries.retain(|_, (at, _)| at.elapsed() < trusted_for);
            if entries.len() >= MAX {
                return;
            }
        }
        let now = Instant::now();
        entries.extend(values.into_iter().map(|(key, value)| (key, (now, value))));
    }

    /// Drops every value after a change that may touch any of them committed; reads
    /// under way are not kept (see [`MemoMap::keep`]).
    pub fn clear(&self) {
        let mut entries = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.forgets.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    /// Drops `key` after a change to its row committed (see [`Memo::forget`]).
    pub fn forget(&self, key: &str) {
        let mut entries = self.inner.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.forgets.fetch_add(1, Ordering::AcqRel);
        entries.remove(key);
    }
}

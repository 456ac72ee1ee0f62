//! A small in-process fixed-window rate limiter for login and registration.
//! One process holds the counters; a scale-out deployment would move them to Redis.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::ApiError;

#[derive(Debug)]
struct Window {
    started: Instant,
    period: Duration,
    count: u32,
}

/// Where a key stands after an accepted event, for the `RateLimit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowance {
    /// Events allowed per window.
    pub limit: u32,
    /// Events left in this window.
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset: u64,
}

/// Counts events per key in fixed windows.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, Window>>,
}

/// Above this many keys, expired windows are swept so memory stays bounded.
const SWEEP_THRESHOLD: usize = 10_000;

impl RateLimiter {
    /// Records one event for `key`; fails with 429 when more than `limit` happened
    /// within `period`.
    pub fn hit(&self, key: &str, limit: u32, period: Duration) -> Result<Allowance, ApiError> {
        let now = Instant::now();
        let mut windows = match self.windows.lock() {
            Ok(guard) => guard,
            // A panic while holding the lock cannot corrupt simple counters.
            Err(poisoned) => poisoned.into_inner(),
        };
        if windows.len() > SWEEP_THRESHOLD {
            windows.retain(|_, w| now.duration_since(w.started) < w.period);
        }
        let window = windows.entry(key.to_owned()).or_insert(Window { started: now, period, count: 0 });
        if now.duration_since(window.started) >= window.period {
            *window = Window { started: now, period, count: 0 };
        }
        if window.count >= limit {
            let elapsed = now.duration_since(window.started);
            let retry_after = window.period.saturating_sub(elapsed).as_secs().max(1);
            return Err(ApiError::RateLimited { retry_after, limit });
        }
        window.count += 1;
        let reset = window.period.saturating_sub(now.duration_since(window.started)).as_secs().max(1);
        Ok(Allowance { limit, remaining: limit - window.count, reset })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_after_the_limit_is_refused_with_a_retry_delay() {
        let limiter = RateLimiter::default();
        for _ in 0..3 {
            assert!(limiter.hit("k", 3, Duration::from_secs(60)).is_ok());
        }
        match limiter.hit("k", 3, Duration::from_secs(60)) {
            Err(ApiError::RateLimited { retry_after, limit }) => {
                assert!((1..=60).contains(&retry_after));
                assert_eq!(limit, 3);
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
        assert!(limiter.hit("other", 3, Duration::from_secs(60)).is_ok(), "keys are independent");
    }

    #[test]
    fn a_new_window_starts_after_the_period() {
        let limiter = RateLimiter::default();
        assert!(limiter.hit("k", 1, Duration::ZERO).is_ok());
        assert!(limiter.hit("k", 1, Duration::ZERO).is_ok());
    }
}

//! Observable events: one struct per thing an operator may ask about.
//!
//! Each event's `emit(self)` writes the log line and updates the metric from
//! the same fields, so the two cannot drift. Names are `<Noun><Verb>[Error]`;
//! metric names are `akhbar_<name>_total`, labels take bounded values only
//! (reason codes and stage names, never raw error text). Events that can
//! repeat at message rate are rate-limited: at most one line per interval,
//! with the number suppressed in between.

mod kafka;
mod lifecycle;
mod processing;

pub use kafka::*;
pub use lifecycle::*;
pub use processing::*;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Lets one log line through per interval and counts the rest.
pub struct RateLimit {
    interval: Duration,
    last_ms: AtomicU64,
    suppressed: AtomicU64,
}

fn process_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

impl RateLimit {
    pub const fn new(interval: Duration) -> Self {
        RateLimit {
            interval,
            last_ms: AtomicU64::new(u64::MAX),
            suppressed: AtomicU64::new(0),
        }
    }

    /// `Some(suppressed since the last line)` when a line may be written now.
    pub fn check(&self) -> Option<u64> {
        let now = process_start().elapsed().as_millis() as u64;
        let last = self.last_ms.load(Ordering::Relaxed);
        let due = last == u64::MAX || now.saturating_sub(last) >= self.interval.as_millis() as u64;
        if due
            && self
                .last_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            Some(self.suppressed.swap(0, Ordering::Relaxed))
        } else {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

/// The interval of every rate-limited event.
pub const LOG_INTERVAL: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_limit_lets_the_first_line_through_and_counts_the_rest() {
        let limit = RateLimit::new(Duration::from_secs(3600));
        assert_eq!(limit.check(), Some(0));
        assert_eq!(limit.check(), None);
        assert_eq!(limit.check(), None);
        assert_eq!(limit.suppressed.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_zero_interval_never_suppresses() {
        let limit = RateLimit::new(Duration::ZERO);
        assert_eq!(limit.check(), Some(0));
        assert_eq!(limit.check(), Some(0));
    }
}

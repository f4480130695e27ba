//! The dead-letter record and the failure-rate limit.
//!
//! A dead-letter record is the original message bytes (truncated past
//! `dead_letter.max_payload_bytes`, which the headers then say) with headers
//! naming the reason, the stage and the origin, so it can be inspected and
//! replayed.

use crate::config::DeadLetterConfig;
use std::collections::VecDeque;

/// Header names on dead-letter and output records.
pub mod headers {
    pub const REASON: &str = "akhbar.reason";
    pub const STAGE: &str = "akhbar.stage";
    pub const ERROR: &str = "akhbar.error";
    pub const SOURCE_TOPIC: &str = "akhbar.source.topic";
    pub const SOURCE_PARTITION: &str = "akhbar.source.partition";
    pub const SOURCE_OFFSET: &str = "akhbar.source.offset";
    pub const SCHEMA: &str = "akhbar.schema";
    pub const ORIGINAL_SIZE: &str = "akhbar.original.size";
    pub const TRUNCATED: &str = "akhbar.truncated";
}

/// Keeps the share of dead-lettered messages over a sliding window.
#[derive(Debug)]
pub struct DeadLetterLimit {
    window: VecDeque<bool>,
    size: usize,
    dead: usize,
    max_ratio: f64,
    min_messages: usize,
}

/// The limit was passed.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitExceeded {
    pub ratio: f64,
    pub limit: f64,
    pub window: usize,
}

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0}% of the last {} messages were dead-lettered, over the {:.0}% limit (dead_letter.max_ratio); check the dead-letter topic's akhbar.reason headers",
            self.ratio * 100.0,
            self.window,
            self.limit * 100.0
        )
    }
}

impl DeadLetterLimit {
    pub fn new(config: &DeadLetterConfig) -> Self {
        DeadLetterLimit {
            window: VecDeque::with_capacity(config.window),
            size: config.window.max(1),
            dead: 0,
            max_ratio: config.max_ratio,
            min_messages: config.min_messages,
        }
    }

    /// Records one finished message; `Err` once the limit is passed.
    pub fn record(&mut self, dead_lettered: bool) -> Result<(), LimitExceeded> {
        if self.window.len() == self.size && self.window.pop_front() == Some(true) {
            self.dead -= 1;
        }
        self.window.push_back(dead_lettered);
        if dead_lettered {
            self.dead += 1;
        }
        let seen = self.window.len();
        let ratio = self.dead as f64 / seen as f64;
        if self.max_ratio < 1.0 && seen >= self.min_messages.max(1) && ratio > self.max_ratio {
            return Err(LimitExceeded {
                ratio,
                limit: self.max_ratio,
                window: seen,
            });
        }
        Ok(())
    }
}

/// The payload stored in the dead-letter record and whether it was cut.
pub fn truncate_payload(payload: &[u8], max: usize) -> (&[u8], bool) {
    if payload.len() > max {
        (&payload[..max], true)
    } else {
        (payload, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(max_ratio: f64, window: usize, min_messages: usize) -> DeadLetterLimit {
        DeadLetterLimit::new(&DeadLetterConfig {
            max_ratio,
            window,
            min_messages,
            ..DeadLetterConfig::default()
        })
    }

    #[test]
    fn stays_quiet_below_the_minimum_number_of_messages() {
        let mut l = limit(0.5, 100, 10);
        for _ in 0..9 {
            assert!(l.record(true).is_ok());
        }
        assert!(l.record(true).is_err());
    }

    #[test]
    fn trips_when_the_share_passes_the_limit() {
        let mut l = limit(0.5, 10, 10);
        for i in 0..10 {
            assert!(l.record(i % 2 == 0).is_ok(), "50% is not over 50%");
        }
        assert!(
            l.record(true).is_ok(),
            "the oldest failure slid out: still 5 in 10"
        );
        let err = l.record(true).unwrap_err();
        assert!(err.ratio > 0.5);
        assert!(err.to_string().contains("dead_letter.max_ratio"));
    }

    #[test]
    fn old_failures_slide_out_of_the_window() {
        let mut l = limit(0.5, 4, 4);
        l.record(true).unwrap();
        l.record(true).unwrap();
        l.record(false).unwrap();
        l.record(false).unwrap();
        for _ in 0..10 {
            assert!(l.record(false).is_ok());
        }
        assert!(l.record(true).is_ok(), "1 in 4 now");
    }

    #[test]
    fn recent_failures_trip_the_limit_after_a_long_clean_run() {
        // A share over the whole stream (3 in 13) would stay quiet.
        let mut l = limit(0.5, 4, 4);
        for _ in 0..10 {
            l.record(false).unwrap();
        }
        l.record(true).unwrap();
        l.record(true).unwrap();
        let err = l.record(true).unwrap_err();
        assert_eq!((err.ratio, err.window), (0.75, 4));
    }

    #[test]
    fn a_ratio_of_one_disables_the_limit() {
        let mut l = limit(1.0, 10, 1);
        for _ in 0..100 {
            assert!(l.record(true).is_ok());
        }
    }

    #[test]
    fn payloads_over_the_limit_are_truncated() {
        assert_eq!(truncate_payload(b"abcdef", 4), (&b"abcd"[..], true));
        assert_eq!(truncate_payload(b"ab", 4), (&b"ab"[..], false));
    }
}

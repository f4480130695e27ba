//! Per-article events: stage failures and dead-lettering.

use super::{RateLimit, LOG_INTERVAL};
use tracing::{error, warn};

static STAGE_ERRORS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Stage failures recorded since start (the stats line's `stage_errors`).
pub fn stage_errors_total() -> u64 {
    STAGE_ERRORS.load(std::sync::atomic::Ordering::Relaxed)
}

/// A stage failed on one article; the record carries an `errors` entry.
pub struct StageFailed<'a> {
    pub stage: &'a str,
    pub article_id: Option<&'a str>,
    pub message: &'a str,
}

impl StageFailed<'_> {
    pub fn emit(self) {
        static LIMIT: RateLimit = RateLimit::new(LOG_INTERVAL);
        STAGE_ERRORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        metrics::counter!("akhbar_stage_errors_total", "stage" => self.stage.to_string())
            .increment(1);
        if let Some(suppressed) = LIMIT.check() {
            warn!(
                event = "stage_failed",
                stage = self.stage,
                article_id = self.article_id,
                error = self.message,
                suppressed,
                "Stage failed on an article; record marked."
            );
        }
    }
}

/// A message went to the dead-letter topic (or, in `enrich`, was skipped).
pub struct MessageDeadLettered<'a> {
    pub reason: &'static str,
    pub stage: Option<&'a str>,
    pub error: &'a str,
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
}

impl MessageDeadLettered<'_> {
    pub fn emit(self) {
        static LIMIT: RateLimit = RateLimit::new(LOG_INTERVAL);
        metrics::counter!("akhbar_dead_lettered_total", "reason" => self.reason).increment(1);
        if let Some(suppressed) = LIMIT.check() {
            warn!(
                event = "message_dead_lettered",
                reason = self.reason,
                stage = self.stage,
                error = self.error,
                topic = self.topic,
                partition = self.partition,
                offset = self.offset,
                suppressed,
                "Message dead-lettered."
            );
        }
    }
}

/// Too many messages were dead-lettered: the pipeline stops.
pub struct DeadLetterLimitExceeded {
    pub ratio: f64,
    pub limit: f64,
    pub window: usize,
}

impl DeadLetterLimitExceeded {
    pub fn emit(self) {
        error!(
            event = "dead_letter_limit_exceeded",
            ratio = self.ratio,
            limit = self.limit,
            window = self.window,
            "Dead-letter share over the limit; stopping instead of dead-lettering everything."
        );
    }
}

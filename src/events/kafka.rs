//! Consumer group, commit and delivery events.

use super::{RateLimit, LOG_INTERVAL};
use tracing::{debug, error, info, warn};

/// Partitions were assigned to this member.
pub struct PartitionsAssigned<'a> {
    pub partitions: &'a str,
    pub count: usize,
}

impl PartitionsAssigned<'_> {
    pub fn emit(self) {
        metrics::counter!("akhbar_rebalances_total", "kind" => "assign").increment(1);
        info!(
            event = "partitions_assigned",
            partitions = self.partitions,
            count = self.count,
            "Partitions assigned."
        );
    }
}

/// Partitions were revoked; their finished work was committed first.
pub struct PartitionsRevoked<'a> {
    pub partitions: &'a str,
    pub committed: &'a str,
    pub unfinished: usize,
}

impl PartitionsRevoked<'_> {
    pub fn emit(self) {
        metrics::counter!("akhbar_rebalances_total", "kind" => "revoke").increment(1);
        info!(
            event = "partitions_revoked",
            partitions = self.partitions,
            committed = self.committed,
            unfinished = self.unfinished,
            "Partitions revoked."
        );
    }
}

/// Offsets were committed to the group coordinator.
pub struct OffsetsCommitted<'a> {
    pub offsets: &'a str,
    pub trigger: &'a str,
}

impl OffsetsCommitted<'_> {
    pub fn emit(self) {
        metrics::counter!("akhbar_commits_total", "result" => "ok").increment(1);
        if self.trigger == "auto" {
            debug!(
                event = "offsets_committed",
                offsets = self.offsets,
                trigger = self.trigger,
                "Offsets committed."
            );
        } else {
            info!(
                event = "offsets_committed",
                offsets = self.offsets,
                trigger = self.trigger,
                "Offsets committed."
            );
        }
    }
}

/// A commit failed; the positions stay stored and are committed later.
pub struct OffsetsCommitError<'a> {
    pub error: &'a str,
    pub trigger: &'a str,
}

impl OffsetsCommitError<'_> {
    pub fn emit(self) {
        static LIMIT: RateLimit = RateLimit::new(LOG_INTERVAL);
        metrics::counter!("akhbar_commits_total", "result" => "error").increment(1);
        if let Some(suppressed) = LIMIT.check() {
            warn!(
                event = "offsets_commit_error",
                error = self.error,
                trigger = self.trigger,
                suppressed,
                "Offset commit failed."
            );
        }
    }
}

/// The consumer reported an error (broker down, fetch failed...).
pub struct ConsumerError<'a> {
    pub error: &'a str,
}

impl ConsumerError<'_> {
    pub fn emit(self) {
        static LIMIT: RateLimit = RateLimit::new(LOG_INTERVAL);
        metrics::counter!("akhbar_consumer_errors_total").increment(1);
        if let Some(suppressed) = LIMIT.check() {
            warn!(
                event = "consumer_error",
                error = self.error,
                suppressed,
                "Consumer error; retrying."
            );
        }
    }
}

/// A delivery failed transiently and will be retried.
pub struct DeliveryRetried<'a> {
    pub topic: &'a str,
    pub article_id: Option<&'a str>,
    pub error: &'a str,
    pub attempt: u32,
}

impl DeliveryRetried<'_> {
    pub fn emit(self) {
        static LIMIT: RateLimit = RateLimit::new(LOG_INTERVAL);
        metrics::counter!("akhbar_delivery_retries_total").increment(1);
        if let Some(suppressed) = LIMIT.check() {
            warn!(
                event = "delivery_retried",
                topic = self.topic,
                article_id = self.article_id,
                error = self.error,
                attempt = self.attempt,
                suppressed,
                "Delivery failed; retrying."
            );
        }
    }
}

/// The output topic refused a record for good; it goes to the dead-letter topic.
pub struct OutputRejected<'a> {
    pub article_id: &'a str,
    pub error: &'a str,
    pub partition: i32,
    pub offset: i64,
}

impl OutputRejected<'_> {
    pub fn emit(self) {
        static LIMIT: RateLimit = RateLimit::new(LOG_INTERVAL);
        metrics::counter!("akhbar_output_rejected_total").increment(1);
        if let Some(suppressed) = LIMIT.check() {
            warn!(
                event = "output_rejected",
                article_id = self.article_id,
                error = self.error,
                partition = self.partition,
                offset = self.offset,
                suppressed,
                "Output topic refused the record; dead-lettering it."
            );
        }
    }
}

/// A dead-letter publish failed for good: the commit stops here.
pub struct DeadLetterPublishError<'a> {
    pub error: &'a str,
    pub partition: i32,
    pub offset: i64,
}

impl DeadLetterPublishError<'_> {
    pub fn emit(self) {
        error!(
            event = "dead_letter_publish_error",
            error = self.error,
            partition = self.partition,
            offset = self.offset,
            "Dead-letter publish failed; stopping without committing past this message."
        );
    }
}

/// Exactly-once: a transaction was committed with these input offsets.
pub struct TransactionCommitted<'a> {
    pub offsets: &'a str,
}

impl TransactionCommitted<'_> {
    pub fn emit(self) {
        metrics::counter!("akhbar_commits_total", "result" => "ok").increment(1);
        debug!(
            event = "transaction_committed",
            offsets = self.offsets,
            "Transaction committed."
        );
    }
}

/// Exactly-once: the open transaction is being aborted; its input is read
/// again from the committed offsets.
pub struct TransactionAborted<'a> {
    pub reason: &'a str,
}

impl TransactionAborted<'_> {
    pub fn emit(self) {
        warn!(
            event = "transaction_aborted",
            reason = self.reason,
            "Transaction aborted; reading again from the committed offsets."
        );
    }
}

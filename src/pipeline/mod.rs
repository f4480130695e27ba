//! The running pipeline: source → workers → sink, and the state they share.
//!
//! ```text
//!  Kafka input ──► sources::kafka ──(Envelope)──► workers ──(Outcome)──► sinks::kafka ──► output / dead-letter
//!                      ▲   tracks offsets            stage Chain on            │ acknowledged by broker
//!                      └──────── offsets.rs ◄──────── blocking threads ─────────┘ (Acknowledge)
//! ```
//!
//! Every channel is bounded and the source pauses partitions when too much
//! is in flight, so a slow stage or sink stalls the consumer, not memory.
//! See `topology.rs` for start-up and the shutdown sequence.

pub mod dead_letter;
pub mod offsets;
pub mod process;
mod topology;
pub mod transactions;
pub mod workers;

pub use topology::{new_shared, run, run_with, spawn, PipelineError, RunSummary, Running};

use offsets::{OffsetTracker, Ticket};
use process::Processed;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Runs a blocking librdkafka call that may never return (a consumer close
/// or a synchronous commit waiting on a broker) on a thread of its own,
/// not the runtime's blocking pool: the runtime's shutdown waits for its
/// pool, so a stuck call there would keep the process from exiting. Await
/// the result under a timeout; `None` when the thread panicked.
pub async fn detached<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("akhbar-kafka-call".into())
        .spawn(move || {
            let _ = tx.send(f());
        });
    match spawned {
        Ok(_) => rx.await.ok(),
        Err(_) => None,
    }
}

/// One message taken from Kafka, copied out of librdkafka's buffers.
#[derive(Debug, Clone)]
pub struct Envelope {
    /// Identifies the message for offset tracking.
    pub ticket: Ticket,
    pub key: Option<Vec<u8>>,
    /// The value; a truncated prefix when the message is over the size limit.
    pub payload: Arc<Vec<u8>>,
    /// The value's size as it arrived.
    pub original_len: usize,
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    pub received_at: Instant,
}

/// A processed message on its way to the sink.
#[derive(Debug)]
pub struct Outcome {
    pub envelope: Envelope,
    pub processed: Processed,
    /// The article's span: its context goes out as the `traceparent` header.
    pub span: tracing::Span,
}

/// Told when the broker acknowledged a message's output or dead-letter
/// record. Implemented by the source, which then may store its offset.
pub trait Acknowledge: Send + Sync {
    fn ack(&self, ticket: &Ticket, dead_lettered: bool);
}

/// Counters behind the stats line.
#[derive(Debug, Default)]
pub struct Stats {
    pub consumed: AtomicU64,
    /// Output records acknowledged (exactly-once: in committed
    /// transactions only).
    pub published: AtomicU64,
    pub dead_lettered: AtomicU64,
    /// Exactly-once: records of the open transaction, counted into
    /// `published` and `dead_lettered` when it commits, dropped when it
    /// aborts (its work is done again).
    pub uncommitted: [AtomicU64; 2],
    /// Exactly-once mode: finished records wait in `uncommitted`.
    pub transactional: std::sync::atomic::AtomicBool,
    /// Consumer lag summed over assigned partitions; -1 when unknown.
    pub lag: AtomicI64,
    /// Partitions paused and resumed by backpressure, counted one per
    /// partition each time.
    pub pauses: AtomicU64,
    pub resumes: AtomicU64,
}

/// The first fatal error stops the pipeline; later ones are dropped.
#[derive(Debug, Default)]
pub struct Fatal {
    reason: Mutex<Option<String>>,
    token: CancellationToken,
}

impl Fatal {
    /// Records `reason` (if first) and signals the stop.
    pub fn trigger(&self, reason: String) {
        let mut slot = self.reason.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(reason);
        }
        self.token.cancel();
    }

    /// The reason, once triggered.
    pub fn reason(&self) -> Option<String> {
        self.reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Completes when triggered.
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }
}

/// State shared by the source, the sink and the rebalance callbacks.
#[derive(Debug)]
pub struct Shared {
    tracker: Mutex<OffsetTracker>,
    /// Signalled on every completion (revocation waits on it).
    pub completed: Condvar,
    /// Wakes the source to reconsider paused partitions.
    pub flow: Notify,
    pub stats: Stats,
    pub fatal: Fatal,
    pub limit: Mutex<dead_letter::DeadLetterLimit>,
    /// When the pipeline started; the clocks below count from here.
    pub started: Instant,
    /// Milliseconds since `started` of the last acknowledged message.
    pub last_progress_ms: AtomicU64,
    /// Milliseconds since `started` of the source loop's last turn.
    pub last_poll_ms: AtomicU64,
    /// Records queued in the producer, not yet acknowledged.
    pub producer_queue: AtomicI64,
}

impl Shared {
    pub fn new(limit: dead_letter::DeadLetterLimit) -> Self {
        Shared {
            tracker: Mutex::new(OffsetTracker::new()),
            completed: Condvar::new(),
            flow: Notify::new(),
            stats: Stats::default(),
            fatal: Fatal::default(),
            limit: Mutex::new(limit),
            started: Instant::now(),
            last_progress_ms: AtomicU64::new(0),
            last_poll_ms: AtomicU64::new(0),
            producer_queue: AtomicI64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Notes that the source loop is turning.
    pub fn mark_polled(&self) {
        self.last_poll_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    /// Ready: this member owns partitions (so it is connected and in the group).
    pub fn is_ready(&self) -> bool {
        !self.tracker().assigned().is_empty()
    }

    /// Live: the source loop turned recently, and work in flight is moving
    /// (an idle pipeline with nothing in flight is live). Never just "the
    /// broker answers".
    pub fn liveness(&self, stall: std::time::Duration) -> Result<(), String> {
        let now = self.now_ms();
        let stall_ms = stall.as_millis() as u64;
        let polled = self.last_poll_ms.load(Ordering::Relaxed);
        if now.saturating_sub(polled) > stall_ms {
            return Err(format!(
                "the consumer loop has not turned for {} s",
                (now - polled) / 1000
            ));
        }
        let in_flight = self.tracker().total_in_flight();
        let progress = self.last_progress_ms.load(Ordering::Relaxed);
        if in_flight > 0 && now.saturating_sub(progress) > stall_ms {
            return Err(format!(
                "{in_flight} messages in flight and none finished for {} s",
                (now - progress) / 1000
            ));
        }
        Ok(())
    }

    /// Locks the offset tracker (a poisoned lock is still usable: the
    /// tracker has no invariant a panic half-way could break).
    pub fn tracker(&self) -> MutexGuard<'_, OffsetTracker> {
        self.tracker.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Exactly-once: the open transaction ended; its records count as
    /// published and dead-lettered if it `committed`, and not at all if it
    /// aborted. Called before waiting records may enter the next one.
    pub fn settle_transaction(&self, committed: bool) {
        let published = self.stats.uncommitted[0].swap(0, Ordering::Relaxed);
        let dead = self.stats.uncommitted[1].swap(0, Ordering::Relaxed);
        if committed {
            self.stats.published.fetch_add(published, Ordering::Relaxed);
            self.stats.dead_lettered.fetch_add(dead, Ordering::Relaxed);
            metrics::counter!("akhbar_published_total").increment(published);
        }
    }

    /// Counts a finished message against the dead-letter limit.
    pub fn record_finished(&self, dead_lettered: bool) {
        self.last_progress_ms
            .store(self.now_ms(), Ordering::Relaxed);
        let counter = if self.stats.transactional.load(Ordering::Relaxed) {
            &self.stats.uncommitted[usize::from(dead_lettered)]
        } else if dead_lettered {
            &self.stats.dead_lettered
        } else {
            &self.stats.published
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let verdict = self
            .limit
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(dead_lettered);
        if let Err(exceeded) = verdict {
            crate::events::DeadLetterLimitExceeded {
                ratio: exceeded.ratio,
                limit: exceeded.limit,
                window: exceeded.window,
            }
            .emit();
            self.fatal.trigger(exceeded.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DeadLetterConfig;

    fn shared(transactional: bool) -> Shared {
        let shared = Shared::new(dead_letter::DeadLetterLimit::new(
            &DeadLetterConfig::default(),
        ));
        shared
            .stats
            .transactional
            .store(transactional, Ordering::Relaxed);
        shared
    }

    #[test]
    fn at_least_once_counts_a_record_when_it_is_acknowledged() {
        let s = shared(false);
        s.record_finished(false);
        s.record_finished(true);
        assert_eq!(s.stats.published.load(Ordering::Relaxed), 1);
        assert_eq!(s.stats.dead_lettered.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn exactly_once_counts_records_of_committed_transactions_only() {
        let s = shared(true);
        s.record_finished(false);
        s.record_finished(false);
        s.record_finished(true);
        assert_eq!(s.stats.published.load(Ordering::Relaxed), 0, "not yet");
        s.settle_transaction(false);
        // The aborted work is done again, in a transaction that commits.
        s.record_finished(false);
        s.record_finished(false);
        s.record_finished(true);
        s.settle_transaction(true);
        assert_eq!(s.stats.published.load(Ordering::Relaxed), 2);
        assert_eq!(s.stats.dead_lettered.load(Ordering::Relaxed), 1);
    }
}

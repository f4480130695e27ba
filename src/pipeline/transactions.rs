//! Exactly-once mode: output records and input offsets in one Kafka
//! transaction (consume-transform-produce, as librdkafka's transactions
//! example does it).
//!
//! The source drives it. Every `delivery.transaction_interval_ms`, and when
//! partitions are revoked, it *prepares* a commit: for each partition the
//! fence is one past the highest offset whose record went to the producer.
//! Records at or above a fence wait in the sink; records below it (work that
//! finished out of order, filling the gaps) still go. Once everything below
//! every fence is acknowledged, the fences are exactly the input positions
//! the transaction's output covers: they are sent to the transaction, it is
//! committed, and the waiting records go into the next one. Workers never
//! stop; only the out-of-order spread is waited for.
//!
//! A failed delivery does not re-send: the sink asks for an abort. The
//! transaction is aborted, work in flight is disowned (new epochs), and the
//! source rewinds every partition to its last committed offset, so the
//! aborted work is done again in the next transaction. A fatal error (this
//! producer fenced by a newer instance with the same `transactional.id`)
//! stops the pipeline: nothing more is committed.

use crate::pipeline::offsets::{Ticket, TopicPartition};
use crate::pipeline::Shared;
use rdkafka::consumer::ConsumerGroupMetadata;
use rdkafka::error::KafkaError;
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::{Offset, TopicPartitionList};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio::sync::Notify;

/// A transaction call failed.
#[derive(Debug, Error)]
pub enum TransactionError {
    /// The producer may not go on (fenced, or a broker refusing
    /// transactions): the pipeline must stop.
    #[error("{0}")]
    Fatal(String),
    /// The transaction must be aborted; the producer goes on.
    #[error("transaction must be aborted: {0}")]
    Abortable(String),
}

/// How often a transaction call that timed out or failed retriably is
/// made again before giving up ("retry call to resume", librdkafka says).
const ATTEMPTS: u32 = 3;

/// Makes a transaction call, again while its error is retriable.
fn call(mut f: impl FnMut() -> Result<(), KafkaError>) -> Result<(), TransactionError> {
    let mut attempt = 1;
    loop {
        match f() {
            Ok(()) => return Ok(()),
            Err(KafkaError::Transaction(t)) if t.is_retriable() && attempt < ATTEMPTS => {
                tracing::warn!(error = %t, attempt, "Transaction call failed; retrying.");
                attempt += 1;
            }
            Err(e) => return Err(TransactionError::from_kafka(e)),
        }
    }
}

impl TransactionError {
    fn from_kafka(e: KafkaError) -> Self {
        use rdkafka::types::RDKafkaErrorCode as C;
        if matches!(
            e.rdkafka_error_code(),
            Some(C::Fenced | C::ProducerFenced | C::InvalidProducerEpoch)
        ) {
            return TransactionError::Fatal(format!(
                "fenced: another instance took over the transactional id ({e})"
            ));
        }
        match &e {
            KafkaError::Transaction(t) if t.txn_requires_abort() && !t.is_fatal() => {
                TransactionError::Abortable(e.to_string())
            }
            _ => TransactionError::Fatal(format!("transaction failed for good: {e}")),
        }
    }
}

/// The transactional producer's state shared by the source (which commits
/// and aborts) and the sink (which produces into the open transaction).
pub struct Transactions {
    producer: FutureProducer,
    timeout: Duration,
    /// Set by the sink when a delivery failed; the source then aborts.
    abort_reason: Mutex<Option<String>>,
    /// While set, the sink drops outcomes instead of producing them.
    aborting: AtomicBool,
    /// Sends that passed the sink's checks and have not ended yet.
    sends: AtomicUsize,
    /// Set after an abort: the source must rewind before taking messages.
    rewind: AtomicBool,
    /// While a commit is prepared: per partition, the offset from which
    /// records wait for the next transaction.
    fences: Mutex<Option<HashMap<TopicPartition, i64>>>,
    /// Wakes records waiting at a fence.
    resumed: Notify,
    committed: AtomicU64,
    aborted: AtomicU64,
    /// The positions of the last commit: committing the same again is a
    /// no-op (nothing was taken since).
    last_positions: Mutex<Vec<(TopicPartition, i64)>>,
}

/// Counts of ended transactions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransactionCounts {
    pub committed: u64,
    pub aborted: u64,
}

impl Transactions {
    /// Registers the transactional id with the broker (fencing any older
    /// producer with the same id) and opens the first transaction.
    /// Blocking: call it off the async runtime.
    pub fn init(producer: FutureProducer, timeout: Duration) -> Result<Self, TransactionError> {
        call(|| producer.init_transactions(timeout))?;
        producer
            .begin_transaction()
            .map_err(TransactionError::from_kafka)?;
        Ok(Transactions {
            producer,
            timeout,
            abort_reason: Mutex::new(None),
            aborting: AtomicBool::new(false),
            sends: AtomicUsize::new(0),
            rewind: AtomicBool::new(false),
            fences: Mutex::new(None),
            resumed: Notify::new(),
            committed: AtomicU64::new(0),
            aborted: AtomicU64::new(0),
            last_positions: Mutex::new(Vec::new()),
        })
    }

    /// How many transactions were committed and aborted so far.
    pub fn counts(&self) -> TransactionCounts {
        TransactionCounts {
            committed: self.committed.load(Ordering::Relaxed),
            aborted: self.aborted.load(Ordering::Relaxed),
        }
    }

    /// Sink side: waits until the record of `ticket` may go into the open
    /// transaction. `None`: drop it (the transaction is being aborted, or
    /// an abort disowned the work; it is read again). While the returned
    /// guard lives the send counts as in progress, and an abort waits for it.
    pub async fn begin_send(&self, shared: &Shared, ticket: &Ticket) -> Option<SendGuard<'_>> {
        loop {
            let resumed = self.resumed.notified();
            {
                let mut tracker = shared.tracker();
                if self.aborting.load(Ordering::SeqCst) || !tracker.is_current(ticket) {
                    return None;
                }
                let fenced = self
                    .fences
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .as_ref()
                    // A partition with nothing below a fence waits too: no
                    // record may reach the producer while it commits.
                    .is_some_and(|f| {
                        f.get(&ticket.tp)
                            .is_none_or(|fence| ticket.offset >= *fence)
                    });
                if !fenced {
                    // Counted under the tracker lock: an abort or a prepared
                    // commit either sees this send or this send sees them.
                    tracker.mark_enqueued(ticket);
                    self.sends.fetch_add(1, Ordering::SeqCst);
                    return Some(SendGuard { txn: self });
                }
            }
            resumed.await;
        }
    }

    /// Source side: prepares a commit. Returns the fences; records at or
    /// above them wait until [`Transactions::resume`].
    pub fn prepare(&self, shared: &Shared) -> HashMap<TopicPartition, i64> {
        let tracker = shared.tracker();
        let fences = tracker.enqueued_highs();
        *self.fences.lock().unwrap_or_else(|e| e.into_inner()) = Some(fences.clone());
        fences
    }

    /// Source side: lets waiting records go into the (next) transaction.
    pub fn resume(&self) {
        *self.fences.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.resumed.notify_waiters();
    }

    /// Sink side: a delivery failed; the transaction must be aborted.
    pub fn request_abort(&self, reason: String) {
        let mut slot = self.abort_reason.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(reason);
    }

    /// Why an abort was asked for, if it was.
    pub fn abort_reason(&self) -> Option<String> {
        self.abort_reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether the sink asked for an abort.
    pub fn abort_requested(&self) -> bool {
        self.abort_reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Whether the source must rewind its partitions before going on.
    pub fn rewind_pending(&self) -> bool {
        self.rewind.load(Ordering::SeqCst)
    }

    /// The source has rewound.
    pub fn rewound(&self) {
        self.rewind.store(false, Ordering::SeqCst);
    }

    /// Commits the open transaction with the input `positions` (next offset
    /// to read per partition) and opens the next one; `false` when the
    /// positions are those of the last commit (nothing to commit). Blocking.
    /// Call only when every record of the transaction is acknowledged and
    /// `positions` cover exactly them (prepared fences, or nothing in flight).
    pub fn commit(
        &self,
        shared: &Shared,
        positions: &[(TopicPartition, i64)],
        group: &ConsumerGroupMetadata,
    ) -> Result<bool, TransactionError> {
        let mut sorted = positions.to_vec();
        sorted.sort();
        let mut last = self
            .last_positions
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if *last == sorted {
            return Ok(false);
        }
        let mut offsets = TopicPartitionList::new();
        for (tp, position) in positions {
            let _ =
                offsets.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*position));
        }
        if offsets.count() > 0 {
            call(|| {
                self.producer
                    .send_offsets_to_transaction(&offsets, group, self.timeout)
            })?;
        }
        call(|| self.producer.commit_transaction(self.timeout))?;
        shared.settle_transaction(true);
        *last = sorted;
        self.committed.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("akhbar_transactions_total", "outcome" => "committed").increment(1);
        self.producer
            .begin_transaction()
            .map_err(TransactionError::from_kafka)?;
        Ok(true)
    }

    /// Aborts the open transaction: stops the sink producing, waits for
    /// sends in progress to end, aborts, disowns all work in flight (new
    /// epochs) and opens the next transaction. The source must then rewind
    /// ([`Transactions::rewind_pending`]). Blocking.
    pub fn abort(&self, shared: &Shared) -> Result<(), TransactionError> {
        self.aborting.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + self.timeout;
        while self.sends.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        let result = call(|| self.producer.abort_transaction(self.timeout)).and_then(|()| {
            self.producer
                .begin_transaction()
                .map_err(TransactionError::from_kafka)
        });
        shared.tracker().disown_all();
        shared.settle_transaction(false);
        self.rewind.store(true, Ordering::SeqCst);
        *self.abort_reason.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.aborting.store(false, Ordering::SeqCst);
        self.resume();
        // Wake anything waiting for in-flight work: there is none now.
        shared.completed.notify_all();
        self.aborted.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("akhbar_transactions_total", "outcome" => "aborted").increment(1);
        result
    }
}

/// A send in progress inside the open transaction.
pub struct SendGuard<'a> {
    txn: &'a Transactions,
}

impl Drop for SendGuard<'_> {
    fn drop(&mut self) {
        self.txn.sends.fetch_sub(1, Ordering::SeqCst);
    }
}

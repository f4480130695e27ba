//! The Kafka source: one consumer in the shared group, offsets stored only
//! past acknowledged work, partitions paused under backpressure.
//!
//! Rebalance callbacks run on the thread polling the consumer. On revocation
//! the context waits (up to `shutdown.revoke_timeout_ms`) for the revoked
//! partitions' in-flight work, commits their finished positions, then lets the
//! partitions go: the next owner starts exactly past finished work.
//!
//! In exactly-once mode the source also drives the transaction (see
//! `pipeline::transactions`): it commits it on a timer and on revocation,
//! aborts it when the sink asks, and then rewinds to the committed offsets.

use crate::config::Config;
use crate::events::{
    ConsumerError, OffsetsCommitError, OffsetsCommitted, PartitionsAssigned, PartitionsRevoked,
    StatsReported, TransactionAborted, TransactionCommitted,
};
use crate::kafka_client::{consumer_config, ClientConfigError};
use crate::pipeline::offsets::{Ticket, TopicPartition};
use crate::pipeline::transactions::{TransactionError, Transactions};
use crate::pipeline::{Acknowledge, Envelope, Shared};
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::message::Message;
use rdkafka::statistics::Statistics;
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio_util::sync::CancellationToken;

/// Why the source could not start or had to stop.
#[derive(Debug, Error)]
pub enum SourceError {
    #[error(transparent)]
    Settings(#[from] ClientConfigError),
    #[error("cannot create the Kafka consumer: {0}")]
    Create(KafkaError),
    #[error("cannot subscribe to topic `{topic}`: {source}")]
    Subscribe { topic: String, source: KafkaError },
}

/// Consumer callbacks: rebalances, commits, statistics.
pub struct SourceContext {
    shared: Arc<Shared>,
    revoke_timeout: Duration,
    input: String,
    txn: Option<Arc<Transactions>>,
}

impl ClientContext for SourceContext {
    fn stats(&self, statistics: Statistics) {
        let Some(topic) = statistics.topics.get(&self.input) else {
            self.shared.stats.lag.store(-1, Ordering::Relaxed);
            return;
        };
        let mut total = 0;
        for p in topic.partitions.values() {
            // Partition -1 is librdkafka's internal UA partition; -1 lag is
            // "unknown" (not assigned or no committed offset yet).
            if p.partition >= 0 && p.consumer_lag >= 0 {
                total += p.consumer_lag;
                metrics::gauge!(
                    "akhbar_consumer_lag_messages",
                    "topic" => self.input.clone(),
                    "partition" => p.partition.to_string()
                )
                .set(p.consumer_lag as f64);
            }
        }
        self.shared.stats.lag.store(total, Ordering::Relaxed);
    }
}

fn describe(tpl: &TopicPartitionList) -> String {
    tpl.elements()
        .iter()
        .map(|e| match e.offset() {
            Offset::Offset(o) => format!("{}[{}]@{}", e.topic(), e.partition(), o),
            _ => format!("{}[{}]", e.topic(), e.partition()),
        })
        .collect::<Vec<_>>()
        .join(",")
}

impl ConsumerContext for SourceContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Revoke(tpl) = rebalance else {
            return;
        };
        let revoked: Vec<TopicPartition> = tpl
            .elements()
            .iter()
            .map(|e| TopicPartition::new(e.topic(), e.partition()))
            .collect();
        if let Some(txn) = &self.txn {
            return self.revoke_in_transaction(consumer, tpl, &revoked, txn);
        }
        let deadline = Instant::now() + self.revoke_timeout;
        let wait = || {
            let mut tracker = self.shared.tracker();
            loop {
                let unfinished: usize = revoked.iter().map(|tp| tracker.in_flight(tp)).sum();
                let now = Instant::now();
                if unfinished == 0 || now >= deadline {
                    let positions: Vec<_> = revoked
                        .iter()
                        .filter_map(|tp| tracker.revoke(tp).map(|p| (tp.clone(), p)))
                        .collect();
                    return (positions, unfinished);
                }
                tracker = match self.shared.completed.wait_timeout(tracker, deadline - now) {
                    Ok((guard, _)) => guard,
                    Err(poisoned) => poisoned.into_inner().0,
                };
            }
        };
        // Waiting blocks the thread polling the consumer; hand its other
        // tasks to the runtime meanwhile.
        let (positions, unfinished) = blocking(wait);
        let mut commit = TopicPartitionList::new();
        for (tp, position) in &positions {
            let _ = commit.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*position));
        }
        if commit.count() > 0 {
            if let Err(e) = consumer.commit(&commit, CommitMode::Sync) {
                OffsetsCommitError {
                    error: &e.to_string(),
                    trigger: "revoke",
                }
                .emit();
            }
        }
        PartitionsRevoked {
            partitions: &describe(tpl),
            committed: &describe(&commit),
            unfinished,
        }
        .emit();
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                let mut tracker = self.shared.tracker();
                for e in tpl.elements() {
                    tracker.assign(TopicPartition::new(e.topic(), e.partition()));
                }
                drop(tracker);
                if tpl.count() == 0 {
                    return;
                }
                PartitionsAssigned {
                    partitions: &describe(tpl),
                    count: tpl.count(),
                }
                .emit();
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(e) => ConsumerError {
                error: &format!("rebalance failed: {e}"),
            }
            .emit(),
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, offsets: &TopicPartitionList) {
        match result {
            Ok(()) => OffsetsCommitted {
                offsets: &describe(offsets),
                trigger: "auto",
            }
            .emit(),
            // Nothing stored since the last commit: not an error.
            Err(KafkaError::ConsumerCommit(rdkafka::types::RDKafkaErrorCode::NoOffset)) => {}
            Err(e) => OffsetsCommitError {
                error: &e.to_string(),
                trigger: "auto",
            }
            .emit(),
        }
    }
}

impl SourceContext {
    /// Exactly-once revocation: the revoked partitions' output must be
    /// committed with their offsets before they go. The transaction spans
    /// every partition, so wait for all work in flight, then commit it; if
    /// that cannot happen in time, abort it (the next owner, and this
    /// member for the partitions it keeps, read from the committed offsets).
    fn revoke_in_transaction(
        &self,
        consumer: &BaseConsumer<Self>,
        tpl: &TopicPartitionList,
        revoked: &[TopicPartition],
        txn: &Transactions,
    ) {
        let shared = &self.shared;
        let deadline = Instant::now() + self.revoke_timeout;
        let ended = blocking(|| {
            let fences = txn.prepare(shared);
            let mut tracker = shared.tracker();
            let done = loop {
                let done = tracker.finished_below(&fences);
                let now = Instant::now();
                if done || now >= deadline || txn.abort_requested() {
                    break done;
                }
                tracker = match shared.completed.wait_timeout(tracker, deadline - now) {
                    Ok((guard, _)) => guard,
                    Err(poisoned) => poisoned.into_inner().0,
                };
            };
            let unfinished = tracker.total_in_flight();
            drop(tracker);
            if shared.fatal.reason().is_some() {
                txn.resume();
                return (unfinished, None);
            }
            let positions: Vec<_> = fences.into_iter().collect();
            let committed = match consumer.group_metadata() {
                Some(group) if done && !txn.abort_requested() => {
                    txn.commit(shared, &positions, &group).map(|_| positions)
                }
                _ => Err(TransactionError::Abortable(format!(
                    "output below the commit point still unacknowledged at revocation ({unfinished} in flight)"
                ))),
            };
            txn.resume();
            let outcome = match committed {
                Ok(positions) => Some(Ok(positions)),
                Err(TransactionError::Abortable(reason)) => {
                    TransactionAborted { reason: &reason }.emit();
                    Some(txn.abort(shared).map(|()| Vec::new()))
                }
                Err(fatal) => Some(Err(fatal)),
            };
            (unfinished, outcome)
        });
        let mut tracker = shared.tracker();
        for tp in revoked {
            tracker.revoke(tp);
        }
        drop(tracker);
        let committed = match ended {
            (_, Some(Ok(positions))) => {
                let mut list = TopicPartitionList::new();
                for (tp, position) in positions.iter().filter(|(tp, _)| revoked.contains(tp)) {
                    let _ = list.add_partition_offset(
                        &tp.topic,
                        tp.partition,
                        Offset::Offset(*position),
                    );
                }
                describe(&list)
            }
            (_, Some(Err(e))) => {
                shared.fatal.trigger(e.to_string());
                String::new()
            }
            (_, None) => String::new(),
        };
        PartitionsRevoked {
            partitions: &describe(tpl),
            committed: &committed,
            unfinished: ended.0,
        }
        .emit();
    }
}

/// Runs `f`, which blocks, without stalling the runtime's other tasks when
/// called from one of its worker threads.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// The consumer type of the pipeline.
pub type PipelineConsumer = StreamConsumer<SourceContext>;

/// Backpressure limits.
#[derive(Debug, Clone, Copy)]
pub struct FlowLimits {
    pub max_in_flight: usize,
    pub max_in_flight_per_partition: usize,
    pub max_message_bytes: usize,
    pub keep_oversized_bytes: usize,
}

/// The Kafka source.
pub struct KafkaSource {
    consumer: Arc<PipelineConsumer>,
    shared: Arc<Shared>,
    limits: FlowLimits,
    stats_interval: Duration,
    /// Exactly-once mode: the transaction this source commits.
    txn: Option<Arc<Transactions>>,
    transaction_interval: Duration,
    /// A wake-up of the fetchers is under way (see [`Self::wake_fetchers`]).
    waking: Arc<AtomicBool>,
}

impl KafkaSource {
    /// Creates the consumer and subscribes to the input topic. With `txn`
    /// (exactly-once mode) offsets are committed only through it.
    pub fn new(
        config: &Config,
        shared: Arc<Shared>,
        txn: Option<Arc<Transactions>>,
    ) -> Result<Self, SourceError> {
        let mut settings = consumer_config(&config.kafka)?;
        if txn.is_some() {
            settings.set("enable.auto.commit", "false");
        }
        let context = SourceContext {
            shared: shared.clone(),
            revoke_timeout: Duration::from_millis(config.shutdown.revoke_timeout_ms),
            input: config.topics.input.clone(),
            txn: txn.clone(),
        };
        let consumer: PipelineConsumer = settings
            .create_with_context(context)
            .map_err(SourceError::Create)?;
        consumer
            .subscribe(&[&config.topics.input])
            .map_err(|source| SourceError::Subscribe {
                topic: config.topics.input.clone(),
                source,
            })?;
        Ok(KafkaSource {
            consumer: Arc::new(consumer),
            shared,
            limits: FlowLimits {
                max_in_flight: config.pipeline.max_in_flight,
                max_in_flight_per_partition: config.pipeline.max_in_flight_per_partition,
                max_message_bytes: config.pipeline.max_message_bytes,
                keep_oversized_bytes: config.dead_letter.max_payload_bytes,
            },
            stats_interval: Duration::from_secs(config.log.stats_interval_secs),
            txn,
            transaction_interval: Duration::from_millis(config.delivery.transaction_interval_ms),
            waking: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The acknowledgement handle the sink reports deliveries to.
    pub fn acker(&self) -> Arc<dyn Acknowledge> {
        Arc::new(KafkaAcker {
            consumer: self.consumer.clone(),
            shared: self.shared.clone(),
        })
    }

    /// Reads messages into `work` until `intake` fires, then keeps polling
    /// (partitions paused, nothing taken) until `stop` fires, so that
    /// rebalances and commits complete while the pipeline drains.
    pub async fn run(
        &self,
        work: flume::Sender<Envelope>,
        intake: CancellationToken,
        stop: CancellationToken,
    ) {
        let mut stats = tokio::time::interval(if self.stats_interval.is_zero() {
            Duration::from_secs(3600 * 24 * 365)
        } else {
            self.stats_interval
        });
        stats.tick().await;
        let mut last_report = (Instant::now(), 0u64);
        let mut backoff = Duration::from_millis(100);
        let mut work = Some(work);
        let mut heartbeat = tokio::time::interval(Duration::from_secs(1));
        let mut transaction = tokio::time::interval(self.transaction_interval);
        transaction.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            self.shared.mark_polled();
            let failed = self.shared.fatal.reason().is_some();
            if let (Some(txn), Some(_), false) = (&self.txn, &work, failed) {
                if txn.abort_requested() {
                    self.abort_transaction(txn).await;
                    continue;
                }
                if txn.rewind_pending() {
                    self.rewind(txn).await;
                    continue;
                }
            }
            tokio::select! {
                biased;
                _ = stop.cancelled() => break,
                _ = heartbeat.tick() => {}
                _ = transaction.tick(), if self.txn.is_some() && work.is_some() => {
                    self.end_transaction(&intake).await;
                }
                _ = intake.cancelled(), if work.is_some() => {
                    // Closing the channel lets the workers drain and end.
                    work = None;
                    self.pause_all();
                }
                _ = self.shared.flow.notified(), if work.is_some() => self.flow_control(),
                _ = stats.tick() => last_report = self.report_stats(last_report),
                received = self.consumer.recv() => match received {
                    Ok(message) => {
                        backoff = Duration::from_millis(100);
                        let Some(sender) = &work else {
                            // Draining: a partition assigned meanwhile; leave
                            // its messages to the next owner.
                            let mut tpl = TopicPartitionList::new();
                            let _ = tpl.add_partition(message.topic(), message.partition());
                            let _ = self.consumer.pause(&tpl);
                            continue;
                        };
                        if self.txn.as_ref().is_some_and(|t| t.rewind_pending()) {
                            // Read before the rewind: it comes again after it.
                            continue;
                        }
                        let envelope = self.envelope(&message);
                        drop(message);
                        self.shared.stats.consumed.fetch_add(1, Ordering::Relaxed);
                        metrics::counter!("akhbar_consumed_total").increment(1);
                        // An envelope dropped here stays tracked as unfinished,
                        // so no commit passes it: it is replayed, not lost.
                        tokio::select! {
                            sent = sender.send_async(envelope) => if sent.is_err() { work = None },
                            _ = intake.cancelled() => {}
                        }
                        self.flow_control();
                    }
                    Err(e) => {
                        ConsumerError { error: &e.to_string() }.emit();
                        // Errors like a broker going away repeat; do not spin.
                        tokio::select! {
                            _ = stop.cancelled() => break,
                            _ = tokio::time::sleep(backoff) => {}
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                    }
                }
            }
        }
    }

    /// Exactly-once: prepares a commit (records above the fences wait),
    /// waits until everything below the fences is acknowledged, commits
    /// the fences as the input positions, and lets the waiting records go.
    async fn end_transaction(&self, intake: &CancellationToken) {
        let Some(txn) = self.txn.clone() else { return };
        let fences = txn.prepare(&self.shared);
        loop {
            if txn.abort_requested() || intake.is_cancelled() || fences.is_empty() {
                return txn.resume();
            }
            if self.shared.tracker().finished_below(&fences) {
                break;
            }
            tokio::select! {
                _ = self.shared.flow.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(2)) => {}
            }
        }
        let result = self
            .commit_transaction(&txn, fences.into_iter().collect())
            .await;
        txn.resume();
        if let Err(e) = result {
            self.transaction_failed(&txn, e).await;
        }
    }

    async fn commit_transaction(
        &self,
        txn: &Arc<Transactions>,
        positions: Vec<(TopicPartition, i64)>,
    ) -> Result<(), TransactionError> {
        let Some(group) = self.consumer.group_metadata() else {
            return Err(TransactionError::Abortable(
                "no consumer group metadata".into(),
            ));
        };
        let described = {
            let mut list = TopicPartitionList::new();
            for (tp, position) in &positions {
                let _ =
                    list.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*position));
            }
            describe(&list)
        };
        let (committing, shared) = (txn.clone(), self.shared.clone());
        let committed =
            tokio::task::spawn_blocking(move || committing.commit(&shared, &positions, &group))
                .await
                .map_err(|e| TransactionError::Fatal(format!("commit task failed: {e}")))??;
        if committed {
            TransactionCommitted {
                offsets: &described,
            }
            .emit();
        }
        Ok(())
    }

    async fn transaction_failed(&self, txn: &Arc<Transactions>, error: TransactionError) {
        match error {
            TransactionError::Abortable(reason) => {
                txn.request_abort(reason);
                self.abort_transaction(txn).await;
            }
            fatal => self.shared.fatal.trigger(fatal.to_string()),
        }
    }

    /// Exactly-once: aborts the open transaction (the sink asked, or a
    /// commit failed); the next turn of the loop rewinds.
    async fn abort_transaction(&self, txn: &Arc<Transactions>) {
        let reason = txn.abort_reason().unwrap_or_default();
        TransactionAborted { reason: &reason }.emit();
        let (aborting, shared) = (txn.clone(), self.shared.clone());
        let result = tokio::task::spawn_blocking(move || aborting.abort(&shared)).await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.shared.fatal.trigger(e.to_string()),
            Err(e) => self.shared.fatal.trigger(format!("abort task failed: {e}")),
        }
    }

    /// Exactly-once, after an abort: every assigned partition goes back to
    /// its committed offset (the beginning when none was committed), and is
    /// resumed.
    async fn rewind(&self, txn: &Arc<Transactions>) {
        let consumer = self.consumer.clone();
        let result = tokio::task::spawn_blocking(move || -> KafkaResult<TopicPartitionList> {
            let committed = consumer.committed(Duration::from_secs(10))?;
            let mut seek = TopicPartitionList::new();
            for e in committed.elements() {
                let offset = match e.offset() {
                    Offset::Offset(o) => Offset::Offset(o),
                    _ => Offset::Beginning,
                };
                let _ = seek.add_partition_offset(e.topic(), e.partition(), offset);
            }
            let positions = consumer.seek_partitions(seek, Duration::from_secs(10))?;
            let _ = consumer.resume(&positions);
            Ok(positions)
        })
        .await;
        match result {
            Ok(Ok(positions)) => {
                tracing::info!(
                    event = "rewound",
                    partitions = %describe(&positions),
                    "Rewound to the committed offsets after the abort."
                );
                txn.rewound();
            }
            Ok(Err(e)) => self
                .shared
                .fatal
                .trigger(format!("cannot rewind after an aborted transaction: {e}")),
            Err(e) => self
                .shared
                .fatal
                .trigger(format!("rewind task failed: {e}")),
        }
    }

    /// Exactly-once shutdown: commits the transaction when everything
    /// taken finished, aborts it otherwise (the next owner reads it again).
    pub async fn end_transactions(&self, drained: bool) {
        let Some(txn) = self.txn.clone() else { return };
        if self.shared.fatal.reason().is_some() {
            return;
        }
        let positions = self.shared.tracker().positions();
        if drained && !txn.abort_requested() {
            if positions.is_empty() {
                return;
            }
            match self.commit_transaction(&txn, positions).await {
                Ok(()) => return,
                Err(TransactionError::Abortable(reason)) => txn.request_abort(reason),
                Err(fatal) => return self.shared.fatal.trigger(fatal.to_string()),
            }
        }
        self.abort_transaction(&txn).await;
    }

    fn envelope(&self, message: &rdkafka::message::BorrowedMessage<'_>) -> Envelope {
        let tp = TopicPartition::new(message.topic(), message.partition());
        let ticket = self.shared.tracker().track(&tp, message.offset());
        let value = message.payload().unwrap_or_default();
        let kept = if value.len() > self.limits.max_message_bytes {
            &value[..value.len().min(self.limits.keep_oversized_bytes)]
        } else {
            value
        };
        let headers = super::headers::of(message);
        Envelope {
            ticket,
            key: message.key().map(<[u8]>::to_vec),
            payload: Arc::new(kept.to_vec()),
            original_len: value.len(),
            headers,
            received_at: Instant::now(),
        }
    }

    /// Pauses partitions over their in-flight limit (or all of them when the
    /// total is over), resumes them once below three quarters.
    fn flow_control(&self) {
        let limits = self.limits;
        let mut pause = TopicPartitionList::new();
        let mut resume = TopicPartitionList::new();
        let mut tracker = self.shared.tracker();
        let total = tracker.total_in_flight();
        for tp in tracker.assigned() {
            let n = tracker.in_flight(&tp);
            let over = n >= limits.max_in_flight_per_partition || total >= limits.max_in_flight;
            // Resume early: a resumed partition refetches (its prefetched
            // messages were dropped on pause), and the remaining quarter
            // keeps the workers busy meanwhile.
            let under = n < (limits.max_in_flight_per_partition * 3).div_ceil(4)
                && total < (limits.max_in_flight * 3).div_ceil(4);
            if over && !tracker.set_paused(&tp, true) {
                let _ = pause.add_partition(&tp.topic, tp.partition);
            } else if under && tracker.set_paused(&tp, false) {
                let _ = resume.add_partition(&tp.topic, tp.partition);
            } else if !over && !under {
                // Between the marks: keep the current state.
            }
        }
        drop(tracker);
        if pause.count() > 0 {
            tracing::debug!(partitions = %describe(&pause), total, "Pausing partitions.");
            let n = pause.count() as u64;
            self.shared.stats.pauses.fetch_add(n, Ordering::Relaxed);
            metrics::counter!("akhbar_partition_pauses_total").increment(n);
            if let Err(e) = self.consumer.pause(&pause) {
                tracing::debug!(error = %e, "Pause failed.");
            }
        }
        if resume.count() > 0 {
            tracing::debug!(partitions = %describe(&resume), total, "Resuming partitions.");
            let n = resume.count() as u64;
            self.shared.stats.resumes.fetch_add(n, Ordering::Relaxed);
            metrics::counter!("akhbar_partition_resumes_total").increment(n);
            if let Err(e) = self.consumer.resume(&resume) {
                tracing::debug!(error = %e, "Resume failed.");
            }
            self.wake_fetchers(&resume);
        }
    }

    /// librdkafka applies a resume on its main thread and does not wake the
    /// broker thread that fetches the partition, which, with every partition
    /// paused, sleeps up to a second (confluent-kafka-go#630): the workers
    /// starved that long after each resume. Any request to the partition's
    /// leader wakes that thread; a watermark query is the cheapest, and its
    /// answer is not needed. One wake-up at a time, each bounded.
    fn wake_fetchers(&self, resumed: &TopicPartitionList) {
        if self.waking.swap(true, Ordering::AcqRel) {
            return;
        }
        let partitions: Vec<(String, i32)> = resumed
            .elements()
            .iter()
            .map(|e| (e.topic().to_string(), e.partition()))
            .collect();
        let (consumer, waking) = (self.consumer.clone(), self.waking.clone());
        tokio::task::spawn_blocking(move || {
            for (topic, partition) in partitions {
                // Only the request matters; a failed one wakes nothing, and
                // the fetcher then wakes on its own, as before.
                if let Err(e) =
                    consumer.fetch_watermarks(&topic, partition, Duration::from_millis(200))
                {
                    tracing::debug!(error = %e, %topic, partition, "Fetcher wake-up failed.");
                }
            }
            waking.store(false, Ordering::Release);
        });
    }

    fn report_stats(&self, last: (Instant, u64)) -> (Instant, u64) {
        let s = &self.shared.stats;
        let finished =
            s.published.load(Ordering::Relaxed) + s.dead_lettered.load(Ordering::Relaxed);
        let elapsed = last.0.elapsed().as_secs_f64().max(1e-3);
        let tracker = self.shared.tracker();
        let (in_flight, assigned, paused) = (
            tracker.total_in_flight(),
            tracker.assigned().len(),
            tracker.paused().len(),
        );
        drop(tracker);
        let lag = s.lag.load(Ordering::Relaxed);
        StatsReported {
            consumed: s.consumed.load(Ordering::Relaxed),
            published: s.published.load(Ordering::Relaxed),
            dead_lettered: s.dead_lettered.load(Ordering::Relaxed),
            stage_errors: crate::events::stage_errors_total(),
            in_flight,
            lag: (lag >= 0).then_some(lag),
            articles_per_sec: ((finished - last.1) as f64 / elapsed * 10.0).round() / 10.0,
            assigned,
            paused,
        }
        .emit();
        (Instant::now(), finished)
    }

    /// Commits every finished position (shutdown), retrying while a
    /// rebalance is in progress until `deadline`.
    pub async fn commit_finished(&self, deadline: Instant) -> KafkaResult<usize> {
        let positions = self.shared.tracker().positions();
        let mut tpl = TopicPartitionList::new();
        for (tp, position) in &positions {
            let _ = tpl.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*position));
        }
        if tpl.count() == 0 {
            return Ok(0);
        }
        let tpl = Arc::new(tpl);
        loop {
            // A synchronous commit can wait on a coordinator indefinitely:
            // run it aside and give up on it at the deadline.
            let commit = {
                let (consumer, tpl) = (self.consumer.clone(), tpl.clone());
                crate::pipeline::detached(move || consumer.commit(&tpl, CommitMode::Sync))
            };
            let left = deadline.saturating_duration_since(Instant::now());
            let result = match tokio::time::timeout(left, commit).await {
                Ok(Some(result)) => result,
                Ok(None) | Err(_) => Err(KafkaError::ConsumerCommit(
                    rdkafka::types::RDKafkaErrorCode::OperationTimedOut,
                )),
            };
            match result {
                Ok(()) => break,
                Err(e) if Instant::now() < deadline && is_retriable_commit(&e) => {
                    OffsetsCommitError {
                        error: &e.to_string(),
                        trigger: "shutdown",
                    }
                    .emit();
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                Err(e) => return Err(e),
            }
        }
        OffsetsCommitted {
            offsets: &describe(&tpl),
            trigger: "shutdown",
        }
        .emit();
        Ok(tpl.count())
    }

    /// Pauses every assigned partition (shutdown: stop fetching).
    pub fn pause_all(&self) {
        if let Ok(assignment) = self.consumer.assignment() {
            let _ = self.consumer.pause(&assignment);
        }
    }

    /// Leaves the group and closes the consumer. Blocks until done; the
    /// last handle to the consumer must be this one.
    pub fn close(self) {
        self.consumer.unsubscribe();
        drop(self.consumer);
    }
}

/// Commit failures that clear up by themselves (a rebalance finishing, a
/// coordinator moving).
fn is_retriable_commit(error: &KafkaError) -> bool {
    use rdkafka::types::RDKafkaErrorCode as C;
    matches!(
        error.rdkafka_error_code(),
        Some(
            C::RebalanceInProgress
                | C::CoordinatorLoadInProgress
                | C::CoordinatorNotAvailable
                | C::NotCoordinator
                | C::RequestTimedOut
                | C::OperationTimedOut
                | C::BrokerTransportFailure
                | C::AllBrokersDown
        )
    )
}

/// Reports acknowledged messages to the offset tracker and stores the
/// positions that become committable.
struct KafkaAcker {
    consumer: Arc<PipelineConsumer>,
    shared: Arc<Shared>,
}

impl Acknowledge for KafkaAcker {
    fn ack(&self, ticket: &Ticket, dead_lettered: bool) {
        {
            let mut tracker = self.shared.tracker();
            // Stored under the lock so that positions never go backwards.
            if let Some(position) = tracker.complete(ticket) {
                let mut tpl = TopicPartitionList::new();
                let _ = tpl.add_partition_offset(
                    &ticket.tp.topic,
                    ticket.tp.partition,
                    Offset::Offset(position),
                );
                if let Err(e) = self.consumer.store_offsets(&tpl) {
                    // The partition was revoked meanwhile: its new owner replays.
                    tracing::debug!(error = %e, partition = ticket.tp.partition, "Offset not stored.");
                }
            }
        }
        self.shared.completed.notify_all();
        self.shared.flow.notify_one();
        self.shared.record_finished(dead_lettered);
    }
}

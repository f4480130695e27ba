//! The Kafka sink: enriched records to the output topic, refusals to the
//! dead-letter topic, each acknowledged before its offset may move.
//!
//! Delivery policy:
//! - transient errors (timeouts, leader changes, broker down, queue full) are
//!   retried with exponential backoff for as long as the pipeline runs; the
//!   offset does not move meanwhile;
//! - the output topic refusing a record for good (too large, not authorised,
//!   invalid record) dead-letters it with reason `output_rejected`;
//! - the dead-letter topic refusing a record for good stops the pipeline:
//!   that message's offset is never committed, so nothing is lost.
//!
//! In exactly-once mode records go into the open transaction and a failed
//! delivery is not re-sent: it asks for the transaction to be aborted, and
//! the source reads the input again from the last committed offsets (see
//! `pipeline::transactions`). Records refused before they were queued (too
//! large) are still dead-lettered, inside the transaction.

use crate::config::{Config, Guarantee};
use crate::events::{DeadLetterPublishError, DeliveryRetried, MessageDeadLettered, OutputRejected};
use crate::kafka_client::{producer_config, transactional_producer_config, ClientConfigError};
use crate::pipeline::dead_letter::{headers as h, truncate_payload};
use crate::pipeline::process::{Processed, Refusal};
use crate::pipeline::transactions::Transactions;
use crate::pipeline::{Acknowledge, Envelope, Outcome, Shared};
use crate::record::SCHEMA;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::util::Timeout;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Why the sink could not start.
#[derive(Debug, Error)]
pub enum SinkError {
    #[error(transparent)]
    Settings(#[from] ClientConfigError),
    #[error("cannot create the Kafka producer: {0}")]
    Create(KafkaError),
    #[error("cannot start transactions: {0}")]
    Transactions(crate::pipeline::transactions::TransactionError),
}

/// How a send ended.
enum Sent {
    Acknowledged,
    /// Refused for good: retrying cannot help.
    Refused(KafkaError),
    /// The pipeline is stopping, or the transaction is being aborted; the
    /// record was not acknowledged.
    Abandoned,
}

/// One record to send.
struct OutRecord<'a> {
    topic: &'a str,
    key: Option<&'a [u8]>,
    payload: &'a [u8],
    headers: &'a OwnedHeaders,
    /// For logs.
    article_id: Option<&'a str>,
}

/// The Kafka sink.
pub struct KafkaSink {
    producer: FutureProducer,
    output: String,
    dead_letter: String,
    dead_letter_max_bytes: usize,
    backoff: Duration,
    backoff_max: Duration,
    /// Exactly-once mode: the open transaction records go into.
    txn: Option<Arc<Transactions>>,
}

impl KafkaSink {
    /// A sink with a plain idempotent producer, or a transactional one in
    /// exactly-once mode (then [`KafkaSink::init_transactions`] must run).
    pub fn new(config: &Config) -> Result<Self, SinkError> {
        let settings = match config.delivery.guarantee {
            Guarantee::AtLeastOnce => producer_config(&config.kafka)?,
            Guarantee::ExactlyOnce => transactional_producer_config(
                &config.kafka,
                &config.delivery.transactional_id(&config.kafka.group_id),
            )?,
        };
        let producer: FutureProducer = settings.create().map_err(SinkError::Create)?;
        Ok(KafkaSink {
            producer,
            output: config.topics.output.clone(),
            dead_letter: config.topics.dead_letter.clone(),
            dead_letter_max_bytes: config.dead_letter.max_payload_bytes,
            backoff: Duration::from_millis(config.delivery.retry_backoff_ms),
            backoff_max: Duration::from_millis(config.delivery.retry_backoff_max_ms),
            txn: None,
        })
    }

    /// Exactly-once mode: registers the transactional id (fencing an older
    /// instance with the same id) and opens the first transaction.
    /// Blocking.
    pub fn init_transactions(&mut self, timeout: Duration) -> Result<Arc<Transactions>, SinkError> {
        let txn = Arc::new(
            Transactions::init(self.producer.clone(), timeout).map_err(SinkError::Transactions)?,
        );
        self.txn = Some(txn.clone());
        Ok(txn)
    }

    /// Delivers every outcome until `outcomes` closes and all deliveries
    /// ended. `abandon` stops retries (after the drain deadline).
    pub async fn run(
        self: Arc<Self>,
        outcomes: flume::Receiver<Outcome>,
        acker: Arc<dyn Acknowledge>,
        shared: Arc<Shared>,
        abandon: CancellationToken,
    ) {
        let mut deliveries = JoinSet::new();
        loop {
            let outcome = tokio::select! {
                received = outcomes.recv_async() => match received {
                    Ok(outcome) => outcome,
                    Err(_) => break,
                },
                _ = abandon.cancelled() => break,
            };
            while deliveries.try_join_next().is_some() {}
            let (sink, acker, shared, abandon) =
                (self.clone(), acker.clone(), shared.clone(), abandon.clone());
            deliveries.spawn(async move {
                sink.deliver(outcome, &*acker, &shared, &abandon).await;
            });
        }
        while deliveries.join_next().await.is_some() {}
    }

    async fn deliver(
        &self,
        outcome: Outcome,
        acker: &dyn Acknowledge,
        shared: &Shared,
        abandon: &CancellationToken,
    ) {
        let Outcome {
            envelope,
            processed,
            span,
        } = outcome;
        // Exactly-once: nothing goes into a transaction being aborted, and
        // work disowned by an abort is dropped (it is read again).
        let _in_transaction = match &self.txn {
            Some(txn) => match txn.begin_send(shared, &envelope.ticket).await {
                Some(guard) => Some(guard),
                None => return,
            },
            None => None,
        };
        shared.producer_queue.store(
            i64::from(self.producer.in_flight_count()),
            Ordering::Relaxed,
        );
        let refusal = match processed {
            Processed::Enriched { id, payload } => {
                let mut headers = output_headers(&envelope);
                if let Some(tp) = crate::telemetry::traceparent(&span) {
                    headers = header(headers, TRACEPARENT, &tp);
                }
                let record = OutRecord {
                    topic: &self.output,
                    key: Some(id.as_bytes()),
                    payload: &payload,
                    headers: &headers,
                    article_id: Some(&id),
                };
                match self.send(record, shared, abandon).await {
                    Sent::Acknowledged => {
                        // Exactly-once counts it when its transaction commits.
                        if !shared.stats.transactional.load(Ordering::Relaxed) {
                            metrics::counter!("akhbar_published_total").increment(1);
                        }
                        acker.ack(&envelope.ticket, false);
                        return;
                    }
                    Sent::Abandoned => return,
                    Sent::Refused(e) => {
                        let error = e.to_string();
                        OutputRejected {
                            article_id: &id,
                            error: &error,
                            partition: envelope.ticket.tp.partition,
                            offset: envelope.ticket.offset,
                        }
                        .emit();
                        Refusal {
                            reason: "output_rejected",
                            stage: None,
                            message: error,
                        }
                    }
                }
            }
            Processed::Refused(refusal) => refusal,
        };
        self.dead_letter(envelope, refusal, acker, shared, abandon)
            .await;
    }

    async fn dead_letter(
        &self,
        envelope: Envelope,
        refusal: Refusal,
        acker: &dyn Acknowledge,
        shared: &Shared,
        abandon: &CancellationToken,
    ) {
        let (payload, truncated) = truncate_payload(&envelope.payload, self.dead_letter_max_bytes);
        let truncated = truncated || envelope.payload.len() < envelope.original_len;
        let headers = dead_letter_headers(&envelope, &refusal, truncated);
        let tp = &envelope.ticket.tp;
        let record = OutRecord {
            topic: &self.dead_letter,
            key: envelope.key.as_deref(),
            payload,
            headers: &headers,
            article_id: None,
        };
        match self.send(record, shared, abandon).await {
            Sent::Acknowledged => {
                MessageDeadLettered {
                    reason: refusal.reason,
                    stage: refusal.stage.as_deref(),
                    error: &refusal.message,
                    topic: &tp.topic,
                    partition: tp.partition,
                    offset: envelope.ticket.offset,
                }
                .emit();
                acker.ack(&envelope.ticket, true);
            }
            Sent::Abandoned => {}
            Sent::Refused(e) => {
                let error = e.to_string();
                DeadLetterPublishError {
                    error: &error,
                    partition: tp.partition,
                    offset: envelope.ticket.offset,
                }
                .emit();
                shared.fatal.trigger(format!(
                    "dead-letter topic `{}` refused {}[{}]@{}: {error}",
                    self.dead_letter, tp.topic, tp.partition, envelope.ticket.offset
                ));
            }
        }
    }

    /// Sends one record, retrying transient failures.
    async fn send(&self, out: OutRecord<'_>, shared: &Shared, abandon: &CancellationToken) -> Sent {
        let OutRecord {
            topic,
            key,
            payload,
            headers,
            article_id,
        } = out;
        let mut backoff = self.backoff;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut record = FutureRecord::to(topic)
                .payload(payload)
                .headers(headers.clone());
            if let Some(key) = key {
                record = record.key(key);
            }
            // Refusals before the record is queued (too large, unknown
            // topic) never touch a transaction; delivery failures may.
            let delivery = match self.producer.send_result(record) {
                Ok(delivery) => delivery,
                Err((e, _)) if is_fatal(&e) => return self.producer_failed(shared),
                Err((e, _)) if is_permanent(&e) => return Sent::Refused(e),
                Err((e, _))
                    if self.txn.is_some()
                        && !matches!(e.rdkafka_error_code(), Some(RDKafkaErrorCode::QueueFull)) =>
                {
                    // The producer refuses records once the transaction
                    // failed: it must be aborted first.
                    if let Some(txn) = &self.txn {
                        txn.request_abort(format!("`{topic}` refused a record: {e}"));
                    }
                    return Sent::Abandoned;
                }
                Err((e, _)) => {
                    if !matches!(e.rdkafka_error_code(), Some(RDKafkaErrorCode::QueueFull)) {
                        DeliveryRetried {
                            topic,
                            article_id,
                            error: &e.to_string(),
                            attempt,
                        }
                        .emit();
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_millis(10)) => continue,
                        _ = abandon.cancelled() => return Sent::Abandoned,
                    }
                }
            };
            let result = tokio::select! {
                r = delivery => r,
                _ = abandon.cancelled() => return Sent::Abandoned,
            };
            let error = match result {
                Ok(Ok(_)) => return Sent::Acknowledged,
                Ok(Err((e, _))) => e,
                Err(_) => KafkaError::Canceled,
            };
            if is_fatal(&error) {
                return self.producer_failed(shared);
            }
            if let Some(txn) = &self.txn {
                if is_fenced(&error) {
                    // A newer instance owns the transactional id: this one
                    // is a zombie and must stop, not abort and go on.
                    shared.fatal.trigger(format!(
                        "fenced: another instance took over transactional id: {error}"
                    ));
                    return Sent::Abandoned;
                }
                txn.request_abort(format!("delivery to `{topic}` failed: {error}"));
                return Sent::Abandoned;
            }
            if is_permanent(&error) {
                return Sent::Refused(error);
            }
            DeliveryRetried {
                topic,
                article_id,
                error: &error.to_string(),
                attempt,
            }
            .emit();
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = abandon.cancelled() => return Sent::Abandoned,
            }
            backoff = (backoff * 2).min(self.backoff_max);
        }
    }

    /// The producer hit a fatal error (fenced, or an idempotence
    /// sequence broken for good): nothing more can be sent, by anyone.
    /// Stops the pipeline with librdkafka's reason; nothing is committed
    /// past the record.
    fn producer_failed(&self, shared: &Shared) -> Sent {
        use rdkafka::client::Client;
        let client: &Client<_> = self.producer.client();
        let reason = match client.fatal_error() {
            Some((code, reason)) if is_fenced_code(code) => {
                format!("fenced: another instance took over the transactional id ({reason})")
            }
            Some((code, reason)) => format!("the producer failed fatally: {code:?}: {reason}"),
            None => "the producer failed fatally".to_string(),
        };
        shared.fatal.trigger(reason);
        Sent::Abandoned
    }

    /// Waits for queued records to be acknowledged.
    pub fn flush(&self, timeout: Duration) -> Result<(), KafkaError> {
        self.producer.flush(Timeout::After(timeout))
    }
}

/// The broker says a newer producer owns this transactional id.
fn is_fenced(error: &KafkaError) -> bool {
    error.rdkafka_error_code().is_some_and(is_fenced_code)
}

fn is_fenced_code(code: RDKafkaErrorCode) -> bool {
    use RDKafkaErrorCode as C;
    matches!(
        code,
        C::Fenced | C::ProducerFenced | C::InvalidProducerEpoch
    )
}

/// The producer itself failed for good (librdkafka's fatal error state).
fn is_fatal(error: &KafkaError) -> bool {
    matches!(error.rdkafka_error_code(), Some(RDKafkaErrorCode::Fatal))
}

/// Errors after which re-sending the same record cannot succeed.
fn is_permanent(error: &KafkaError) -> bool {
    use RDKafkaErrorCode as C;
    matches!(
        error.rdkafka_error_code(),
        Some(
            C::MessageSizeTooLarge
                | C::InvalidMessageSize
                | C::InvalidMessage
                | C::InvalidRecord
                | C::MessageBatchTooLarge
                | C::TopicAuthorizationFailed
                | C::ClusterAuthorizationFailed
                | C::InvalidTopic
                | C::PolicyViolation
        )
    )
}

/// The W3C trace context header.
const TRACEPARENT: &str = "traceparent";

fn header(headers: OwnedHeaders, key: &str, value: &str) -> OwnedHeaders {
    headers.insert(Header {
        key,
        value: Some(value.as_bytes()),
    })
}

/// Origin headers shared by output and dead-letter records.
fn origin_headers(envelope: &Envelope) -> OwnedHeaders {
    let mut headers = OwnedHeaders::new();
    // The input's own headers (trace context, producer metadata) go along.
    for (key, value) in &envelope.headers {
        // Our own headers are rewritten; a traceparent is replaced by the
        // article span's when tracing is exported.
        let replaced = key == TRACEPARENT && crate::telemetry::exporting();
        if !key.starts_with("akhbar.") && !replaced {
            headers = headers.insert(Header {
                key,
                value: value.as_deref(),
            });
        }
    }
    let tp = &envelope.ticket.tp;
    let headers = header(headers, h::SOURCE_TOPIC, &tp.topic);
    let headers = header(headers, h::SOURCE_PARTITION, &tp.partition.to_string());
    header(
        headers,
        h::SOURCE_OFFSET,
        &envelope.ticket.offset.to_string(),
    )
}

fn output_headers(envelope: &Envelope) -> OwnedHeaders {
    header(origin_headers(envelope), h::SCHEMA, SCHEMA)
}

fn dead_letter_headers(envelope: &Envelope, refusal: &Refusal, truncated: bool) -> OwnedHeaders {
    let mut headers = header(origin_headers(envelope), h::REASON, refusal.reason);
    if let Some(stage) = &refusal.stage {
        headers = header(headers, h::STAGE, stage);
    }
    let message: String = refusal.message.chars().take(1_000).collect();
    headers = header(headers, h::ERROR, &message);
    headers = header(
        headers,
        h::ORIGINAL_SIZE,
        &envelope.original_len.to_string(),
    );
    header(
        headers,
        h::TRUNCATED,
        if truncated { "true" } else { "false" },
    )
}

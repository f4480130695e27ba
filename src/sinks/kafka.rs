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

use crate::config::Config;
use crate::events::{DeadLetterPublishError, DeliveryRetried, MessageDeadLettered, OutputRejected};
use crate::kafka_client::{producer_config, ClientConfigError};
use crate::pipeline::dead_letter::{headers as h, truncate_payload};
use crate::pipeline::process::{Processed, Refusal};
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
}

/// How a send ended.
enum Sent {
    Acknowledged,
    /// Refused for good: retrying cannot help.
    Refused(KafkaError),
    /// The pipeline is stopping; the record was not acknowledged.
    Abandoned,
}

/// The Kafka sink.
pub struct KafkaSink {
    producer: FutureProducer,
    output: String,
    dead_letter: String,
    dead_letter_max_bytes: usize,
    backoff: Duration,
    backoff_max: Duration,
}

impl KafkaSink {
    pub fn new(config: &Config) -> Result<Self, SinkError> {
        let producer: FutureProducer = producer_config(&config.kafka)?
            .create()
            .map_err(SinkError::Create)?;
        Ok(KafkaSink {
            producer,
            output: config.topics.output.clone(),
            dead_letter: config.topics.dead_letter.clone(),
            dead_letter_max_bytes: config.dead_letter.max_payload_bytes,
            backoff: Duration::from_millis(config.delivery.retry_backoff_ms),
            backoff_max: Duration::from_millis(config.delivery.retry_backoff_max_ms),
        })
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
                match self
                    .send(
                        &self.output,
                        Some(id.as_bytes()),
                        &payload,
                        &headers,
                        Some(&id),
                        abandon,
                    )
                    .await
                {
                    Sent::Acknowledged => {
                        metrics::counter!("akhbar_published_total").increment(1);
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
        match self
            .send(
                &self.dead_letter,
                envelope.key.as_deref(),
                payload,
                &headers,
                None,
                abandon,
            )
            .await
        {
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
    async fn send(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        payload: &[u8],
        headers: &OwnedHeaders,
        article_id: Option<&str>,
        abandon: &CancellationToken,
    ) -> Sent {
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
            let result = tokio::select! {
                r = self.producer.send(record, Timeout::After(Duration::from_secs(5))) => r,
                _ = abandon.cancelled() => return Sent::Abandoned,
            };
            let error = match result {
                Ok(_) => return Sent::Acknowledged,
                Err((e, _)) => e,
            };
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

    /// Waits for queued records to be acknowledged.
    pub fn flush(&self, timeout: Duration) -> Result<(), KafkaError> {
        self.producer.flush(Timeout::After(timeout))
    }
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
                | C::Fatal
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

//! The worker pool: runs the stage chain on blocking threads.
//!
//! Each worker is a task that takes an [`Envelope`], runs decode + stages +
//! encode on tokio's blocking pool (CPU work never runs on the reactor) under
//! the per-article time limit, and hands the [`Outcome`] to the sink. A stage
//! that hangs costs one blocking thread, not a worker: the article is
//! dead-lettered with reason `timeout` naming the stage, and the worker goes
//! on with the next message. A blocking thread cannot be cancelled, so the
//! stage runs on until it returns; the stages after it do not run.

use super::process::{process, Processed, Refusal};
use super::{Envelope, Outcome};
use crate::document::SourceOffset;
use crate::stages::Chain;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Worker pool settings.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub workers: usize,
    pub max_message_bytes: usize,
    pub article_timeout: Duration,
}

/// Starts the workers; they stop when `input` is closed and drained.
pub fn spawn(
    settings: WorkerSettings,
    chain: Arc<Chain>,
    input: flume::Receiver<Envelope>,
    output: flume::Sender<Outcome>,
) -> Vec<JoinHandle<()>> {
    (0..settings.workers.max(1))
        .map(|_| {
            let (chain, input, output, settings) = (
                chain.clone(),
                input.clone(),
                output.clone(),
                settings.clone(),
            );
            tokio::spawn(async move {
                while let Ok(envelope) = input.recv_async().await {
                    let span = article_span(&envelope);
                    let processed = run_one(&settings, &chain, &envelope, &span).await;
                    if let Processed::Enriched { id, .. } = &processed {
                        span.record("article.id", id.as_str());
                    }
                    let outcome = Outcome {
                        envelope,
                        processed,
                        span,
                    };
                    if output.send_async(outcome).await.is_err() {
                        break;
                    }
                }
            })
        })
        .collect()
}

/// The span of one article (exported when `otel.endpoint` is set): a child
/// of the input's W3C `traceparent` header when it has one.
fn article_span(envelope: &Envelope) -> tracing::Span {
    let span = tracing::info_span!(
        "akhbar.article",
        article.id = tracing::field::Empty,
        messaging.source = %envelope.ticket.tp.topic,
        messaging.partition = envelope.ticket.tp.partition,
        messaging.offset = envelope.ticket.offset,
    );
    let parent = envelope
        .headers
        .iter()
        .find(|(k, _)| k == "traceparent")
        .and_then(|(_, v)| v.as_deref())
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(crate::telemetry::parse_traceparent);
    if let Some(parent) = parent {
        use tracing_opentelemetry::OpenTelemetrySpanExt;
        let _ = span.set_parent(parent);
    }
    span
}

async fn run_one(
    settings: &WorkerSettings,
    chain: &Arc<Chain>,
    envelope: &Envelope,
    span: &tracing::Span,
) -> Processed {
    let current = Arc::new(AtomicUsize::new(usize::MAX));
    // Set once the time limit passes: the blocking thread cannot be
    // cancelled, but it stops after the stage it is in.
    let abandoned = Arc::new(AtomicBool::new(false));
    let job = {
        let (chain, current, abandoned) = (chain.clone(), current.clone(), abandoned.clone());
        let payload = envelope.payload.clone();
        let original_len = envelope.original_len;
        let max = settings.max_message_bytes;
        let origin = SourceOffset {
            topic: envelope.ticket.tp.topic.clone(),
            partition: envelope.ticket.tp.partition,
            offset: envelope.ticket.offset,
        };
        let span = span.clone();
        tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            let names = chain.names();
            let mut clock: Option<(usize, Instant)> = None;
            let mut lap = |next: Option<usize>| {
                if let Some((i, since)) = clock.take() {
                    metrics::histogram!("akhbar_stage_duration_seconds", "stage" => names[i])
                        .record(since.elapsed().as_secs_f64());
                }
                clock = next.map(|i| (i, Instant::now()));
            };
            let processed = process(&chain, &payload, original_len, Some(origin), max, |i| {
                if abandoned.load(Ordering::Acquire) {
                    return false;
                }
                current.store(i, Ordering::Relaxed);
                lap(Some(i));
                true
            });
            lap(None);
            processed
        })
    };
    match tokio::time::timeout(settings.article_timeout, job).await {
        Ok(Ok(processed)) => processed,
        Ok(Err(join_error)) => Processed::Refused(Refusal {
            reason: "worker_panic",
            stage: None,
            message: format!("worker failed outside any stage: {join_error}"),
        }),
        Err(_) => {
            abandoned.store(true, Ordering::Release);
            let stage = chain
                .names()
                .get(current.load(Ordering::Relaxed))
                .map(|s| s.to_string());
            Processed::Refused(Refusal {
                reason: "timeout",
                message: format!(
                    "article not finished within {} ms (stage {})",
                    settings.article_timeout.as_millis(),
                    stage.as_deref().unwrap_or("decode")
                ),
                stage,
            })
        }
    }
}

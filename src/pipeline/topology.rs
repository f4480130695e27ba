//! Start-up and orderly shutdown of the Kafka pipeline.
//!
//! Shutdown starts at the source: stop fetching, let the workers and the
//! sink drain within `shutdown.drain_timeout_ms`, flush the producer, commit
//! every finished position, leave the group. Work still unfinished at the
//! deadline is not committed: the next owner of its partition replays it.

use super::dead_letter::DeadLetterLimit;
use super::workers::{self, WorkerSettings};
use super::Shared;
use crate::config::Config;
use crate::events::{DrainTimedOut, PipelineStarted, PipelineStopped, ShutdownPhase};
use crate::sinks::kafka::{KafkaSink, SinkError};
use crate::sources::kafka::{KafkaSource, SourceError};
use crate::stages::Chain;
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio_util::sync::CancellationToken;

/// Why the pipeline stopped with an error.
#[derive(Debug, Error)]
pub enum PipelineError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Sink(#[from] SinkError),
    #[error("{0}")]
    Fatal(String),
}

/// Counts of a finished run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub consumed: u64,
    pub published: u64,
    pub dead_lettered: u64,
    /// All in-flight work finished before the drain deadline.
    pub drained: bool,
}

/// Runs the pipeline until `shutdown` completes or a fatal error occurs.
pub async fn run(
    config: &Config,
    chain: Arc<Chain>,
    shutdown: impl Future<Output = ()>,
) -> Result<RunSummary, PipelineError> {
    let shared = Arc::new(Shared::new(DeadLetterLimit::new(&config.dead_letter)));
    let sink = Arc::new(KafkaSink::new(config)?);
    let source = KafkaSource::new(config, shared.clone())?;
    let settings = WorkerSettings {
        workers: config.pipeline.worker_count(),
        max_message_bytes: config.pipeline.max_message_bytes,
        article_timeout: Duration::from_millis(config.pipeline.article_timeout_ms),
    };
    PipelineStarted {
        brokers: &config.kafka.brokers,
        group_id: &config.kafka.group_id,
        input: &config.topics.input,
        output: &config.topics.output,
        dead_letter: &config.topics.dead_letter,
        stages: &chain.names().join(","),
        workers: settings.workers,
    }
    .emit();

    let (work_tx, work_rx) = flume::bounded(config.pipeline.max_in_flight);
    let (outcome_tx, outcome_rx) = flume::bounded(config.pipeline.max_in_flight);
    let worker_tasks = workers::spawn(settings, chain, work_rx, outcome_tx);
    let abandon = CancellationToken::new();
    let sink_task =
        tokio::spawn(
            sink.clone()
                .run(outcome_rx, source.acker(), shared.clone(), abandon.clone()),
        );

    // Intake runs until the shutdown signal or a fatal error.
    let fatal = shared.fatal.token();
    tokio::select! {
        _ = source.run(work_tx, CancellationToken::new()) => {}
        _ = shutdown => {}
        _ = fatal.cancelled() => {}
    }

    let in_flight = || shared.tracker().total_in_flight();
    ShutdownPhase {
        phase: "stopping intake",
        in_flight: in_flight(),
    }
    .emit();
    source.pause_all();
    let drain_timeout = Duration::from_millis(config.shutdown.drain_timeout_ms);
    let deadline = Instant::now() + drain_timeout;
    ShutdownPhase {
        phase: "draining in-flight work",
        in_flight: in_flight(),
    }
    .emit();
    let drain = async {
        for task in worker_tasks {
            let _ = task.await;
        }
    };
    let mut drained = tokio::time::timeout(drain_timeout, drain).await.is_ok();
    // Workers are done (or abandoned); let deliveries finish in what is left.
    let left = deadline.saturating_duration_since(Instant::now());
    let mut sink_task = sink_task;
    if tokio::time::timeout(left, &mut sink_task).await.is_err() {
        drained = false;
    }
    if !drained {
        DrainTimedOut {
            in_flight: in_flight(),
            timeout_ms: config.shutdown.drain_timeout_ms,
        }
        .emit();
        abandon.cancel();
        let _ = sink_task.await;
    }
    ShutdownPhase {
        phase: "flushing producer",
        in_flight: in_flight(),
    }
    .emit();
    let flush_sink = sink.clone();
    let _ = tokio::task::spawn_blocking(move || flush_sink.flush(Duration::from_secs(5))).await;
    ShutdownPhase {
        phase: "committing offsets",
        in_flight: in_flight(),
    }
    .emit();
    if let Err(e) = source.commit_finished() {
        crate::events::OffsetsCommitError {
            error: &e.to_string(),
            trigger: "shutdown",
        }
        .emit();
    }
    ShutdownPhase {
        phase: "leaving group",
        in_flight: in_flight(),
    }
    .emit();
    let _ = tokio::task::spawn_blocking(move || source.close()).await;

    let stats = &shared.stats;
    let summary = RunSummary {
        consumed: stats.consumed.load(Ordering::Relaxed),
        published: stats.published.load(Ordering::Relaxed),
        dead_lettered: stats.dead_lettered.load(Ordering::Relaxed),
        drained,
    };
    let reason = shared.fatal.reason();
    PipelineStopped {
        consumed: summary.consumed,
        published: summary.published,
        dead_lettered: summary.dead_lettered,
        error: reason.as_deref(),
    }
    .emit();
    match reason {
        Some(reason) => Err(PipelineError::Fatal(reason)),
        None => Ok(summary),
    }
}

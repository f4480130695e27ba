//! Start-up and orderly shutdown of the Kafka pipeline.
//!
//! Shutdown starts at the source: stop fetching, let the workers and the
//! sink drain within `shutdown.drain_timeout_ms`, flush the producer, commit
//! every finished position, leave the group. Work still unfinished at the
//! deadline is not committed: the next owner of its partition replays it.

use super::dead_letter::DeadLetterLimit;
use super::transactions::TransactionCounts;
use super::workers::{self, WorkerSettings};
use super::Shared;
use crate::config::{Config, Guarantee};
use crate::events::{
    DrainTimedOut, LeaveTimedOut, PipelineStarted, PipelineStopped, ShutdownPhase,
};
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
    /// Exactly-once mode: transactions committed and aborted.
    pub transactions: TransactionCounts,
}

/// Runs the pipeline until `shutdown` completes or a fatal error occurs.
pub async fn run(
    config: &Config,
    chain: Arc<Chain>,
    shutdown: impl Future<Output = ()>,
) -> Result<RunSummary, PipelineError> {
    run_with(config, chain, shutdown, new_shared(config)).await
}

/// A pipeline running in the background.
pub struct Running {
    /// Send (or drop) to stop it.
    pub stop: tokio::sync::oneshot::Sender<()>,
    pub task: tokio::task::JoinHandle<Result<RunSummary, PipelineError>>,
    /// Its state (readiness, counters, offsets).
    pub shared: Arc<Shared>,
}

/// Starts the pipeline on the current tokio runtime.
pub fn spawn(config: Config, chain: Arc<Chain>) -> Running {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shared = new_shared(&config);
    let task = {
        let shared = shared.clone();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            run_with(&config, chain, shutdown, shared).await
        })
    };
    Running { stop, task, shared }
}

/// The state a pipeline shares with its health endpoint.
pub fn new_shared(config: &Config) -> Arc<Shared> {
    let shared = Shared::new(DeadLetterLimit::new(&config.dead_letter));
    shared.stats.transactional.store(
        config.delivery.guarantee == crate::config::Guarantee::ExactlyOnce,
        std::sync::atomic::Ordering::Relaxed,
    );
    Arc::new(shared)
}

/// [`run`] with state created by the caller (who serves health from it).
pub async fn run_with(
    config: &Config,
    chain: Arc<Chain>,
    shutdown: impl Future<Output = ()>,
    shared: Arc<Shared>,
) -> Result<RunSummary, PipelineError> {
    let mut sink = KafkaSink::new(config)?;
    let txn = match config.delivery.guarantee {
        Guarantee::AtLeastOnce => None,
        Guarantee::ExactlyOnce => {
            let timeout = Duration::from_millis(config.shutdown.leave_timeout_ms.max(10_000));
            let (sink_back, txn) = tokio::task::spawn_blocking(move || {
                let txn = sink.init_transactions(timeout);
                (sink, txn)
            })
            .await
            .map_err(|e| PipelineError::Fatal(format!("transaction start-up failed: {e}")))?;
            sink = sink_back;
            Some(txn?)
        }
    };
    let sink = Arc::new(sink);
    let source = Arc::new(KafkaSource::new(config, shared.clone(), txn.clone())?);
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
    let mut sink_task =
        tokio::spawn(
            sink.clone()
                .run(outcome_rx, source.acker(), shared.clone(), abandon.clone()),
        );
    // The source polls until the very end, so that rebalances and commits
    // complete while the rest drains; `intake` only stops it taking work.
    let (intake, polling) = (CancellationToken::new(), CancellationToken::new());
    let poller = {
        let (source, intake, polling) = (source.clone(), intake.clone(), polling.clone());
        tokio::spawn(async move { source.run(work_tx, intake, polling).await })
    };

    let fatal = shared.fatal.token();
    tokio::select! {
        _ = shutdown => {}
        _ = fatal.cancelled() => {}
    }
    intake.cancel();

    let in_flight = || shared.tracker().total_in_flight();
    ShutdownPhase {
        phase: "stopping intake",
        in_flight: in_flight(),
    }
    .emit();
    let drain_timeout = Duration::from_millis(config.shutdown.drain_timeout_ms);
    let deadline = Instant::now() + drain_timeout;
    // After a fatal error nothing more is published or dead-lettered: work in
    // flight stays uncommitted and is replayed once the cause is fixed.
    let fatal_stop = shared.fatal.reason().is_some();
    if fatal_stop {
        abandon.cancel();
    }
    ShutdownPhase {
        phase: "draining in-flight work",
        in_flight: in_flight(),
    }
    .emit();
    let drain = async {
        for task in worker_tasks {
            let _ = task.await;
        }
        let _ = (&mut sink_task).await;
    };
    let drained = tokio::time::timeout(drain_timeout, drain).await.is_ok() && !fatal_stop;
    if !drained {
        if !fatal_stop {
            DrainTimedOut {
                in_flight: in_flight(),
                timeout_ms: config.shutdown.drain_timeout_ms,
            }
            .emit();
        }
        abandon.cancel();
        if !sink_task.is_finished() {
            let _ = sink_task.await;
        }
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
    let leave_timeout = Duration::from_millis(config.shutdown.leave_timeout_ms);
    let commit_deadline = deadline.max(Instant::now() + leave_timeout);
    if txn.is_some() {
        source.end_transactions(drained).await;
    } else if let Err(e) = source.commit_finished(commit_deadline).await {
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
    polling.cancel();
    // Each step is bounded: a rebalance callback or a close that waits on a
    // broker which never answers must not keep the process from exiting.
    let leave = async {
        let _ = poller.await;
        // The sink's acknowledgement handle is gone with the sink task, so
        // this is the last handle: dropping it closes the consumer.
        if let Ok(source) = Arc::try_unwrap(source) {
            super::detached(move || source.close()).await;
        }
    };
    if tokio::time::timeout(leave_timeout, leave).await.is_err() {
        LeaveTimedOut {
            timeout_ms: config.shutdown.leave_timeout_ms,
        }
        .emit();
    }

    let stats = &shared.stats;
    let summary = RunSummary {
        consumed: stats.consumed.load(Ordering::Relaxed),
        published: stats.published.load(Ordering::Relaxed),
        dead_lettered: stats.dead_lettered.load(Ordering::Relaxed),
        drained,
        transactions: txn.as_ref().map(|t| t.counts()).unwrap_or_default(),
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

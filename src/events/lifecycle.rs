//! Start, shutdown phases and the periodic stats line.

use tracing::{error, info, warn};

/// The pipeline is configured and about to connect.
pub struct PipelineStarted<'a> {
    pub brokers: &'a str,
    pub group_id: &'a str,
    pub input: &'a str,
    pub output: &'a str,
    pub dead_letter: &'a str,
    pub stages: &'a str,
    pub workers: usize,
}

impl PipelineStarted<'_> {
    pub fn emit(self) {
        info!(
            event = "pipeline_started",
            brokers = self.brokers,
            group_id = self.group_id,
            input = self.input,
            output = self.output,
            dead_letter = self.dead_letter,
            stages = self.stages,
            workers = self.workers,
            version = env!("CARGO_PKG_VERSION"),
            "Pipeline started."
        );
    }
}

/// One step of an orderly shutdown.
pub struct ShutdownPhase<'a> {
    pub phase: &'a str,
    pub in_flight: usize,
}

impl ShutdownPhase<'_> {
    pub fn emit(self) {
        info!(
            event = "shutdown_phase",
            phase = self.phase,
            in_flight = self.in_flight,
            "Shutdown: {}.",
            self.phase
        );
    }
}

/// The drain deadline passed with work unfinished: it will be replayed.
pub struct DrainTimedOut {
    pub in_flight: usize,
    pub timeout_ms: u64,
}

impl DrainTimedOut {
    pub fn emit(self) {
        warn!(
            event = "drain_timed_out",
            in_flight = self.in_flight,
            timeout_ms = self.timeout_ms,
            "Drain deadline passed with work in flight; it was not committed and will be processed again by the next owner."
        );
    }
}

/// Leaving the group did not finish in time (a broker not answering, or a
/// rebalance that does not end); the process stops without it.
pub struct LeaveTimedOut {
    pub timeout_ms: u64,
}

impl LeaveTimedOut {
    pub fn emit(self) {
        warn!(
            event = "leave_timed_out",
            timeout_ms = self.timeout_ms,
            "Leaving the consumer group did not finish in time; stopping without it (the group reassigns the partitions after the session timeout)."
        );
    }
}

/// The pipeline stopped.
pub struct PipelineStopped<'a> {
    pub consumed: u64,
    pub published: u64,
    pub dead_lettered: u64,
    pub error: Option<&'a str>,
}

impl PipelineStopped<'_> {
    pub fn emit(self) {
        match self.error {
            None => info!(
                event = "pipeline_stopped",
                consumed = self.consumed,
                published = self.published,
                dead_lettered = self.dead_lettered,
                "Pipeline stopped."
            ),
            Some(e) => error!(
                event = "pipeline_stopped",
                consumed = self.consumed,
                published = self.published,
                dead_lettered = self.dead_lettered,
                error = e,
                "Pipeline stopped on an error."
            ),
        }
    }
}

/// The periodic stats line.
pub struct StatsReported {
    pub consumed: u64,
    pub published: u64,
    pub dead_lettered: u64,
    pub stage_errors: u64,
    pub in_flight: usize,
    pub lag: Option<i64>,
    pub articles_per_sec: f64,
    pub assigned: usize,
    pub paused: usize,
}

impl StatsReported {
    pub fn emit(self) {
        metrics::gauge!("akhbar_in_flight_messages").set(self.in_flight as f64);
        info!(
            event = "stats",
            consumed = self.consumed,
            published = self.published,
            dead_lettered = self.dead_lettered,
            stage_errors = self.stage_errors,
            in_flight = self.in_flight,
            lag = self.lag,
            articles_per_sec = self.articles_per_sec,
            assigned_partitions = self.assigned,
            paused_partitions = self.paused,
            "Stats."
        );
    }
}

//! The health and metrics endpoint: `/healthz`, `/readyz`, `/metrics`.
//!
//! - `/healthz` (liveness) is 200 while the consumer loop turns and work in
//!   flight keeps finishing; 503 with the reason once the pipeline is stuck
//!   for `http.liveness_stall_secs`. It never only checks that a broker
//!   answers: a wedged pipeline with a healthy broker must be restarted.
//! - `/readyz` is 200 once this member owns partitions, 503 before.
//! - `/metrics` is the Prometheus text exposition of every `akhbar_*` series.

use crate::pipeline::Shared;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use thiserror::Error;
use tokio_util::sync::CancellationToken;

/// The endpoint could not start.
#[derive(Debug, Error)]
pub enum HttpError {
    #[error("http.listen `{0}` is not ip:port")]
    Address(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot install the metrics recorder: {0}")]
    Recorder(String),
}

/// Installs the process-wide Prometheus recorder (once) and returns its handle.
pub fn prometheus() -> Result<PrometheusHandle, HttpError> {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    if let Some(h) = HANDLE.get() {
        return Ok(h.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Suffix("_seconds".into()),
            &[
                0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
            ],
        )
        .map_err(|e| HttpError::Recorder(e.to_string()))?
        .install_recorder()
        .map_err(|e| HttpError::Recorder(e.to_string()))?;
    Ok(HANDLE.get_or_init(|| handle).clone())
}

#[derive(Clone)]
struct AppState {
    shared: Arc<Shared>,
    metrics: PrometheusHandle,
    stall: Duration,
}

/// Binds `listen` and serves until `stop` fires. Returns the bound address
/// (useful with port 0) once listening.
pub async fn start(
    listen: &str,
    shared: Arc<Shared>,
    stall: Duration,
    stop: CancellationToken,
) -> Result<SocketAddr, HttpError> {
    let addr: SocketAddr = listen
        .parse()
        .map_err(|_| HttpError::Address(listen.to_string()))?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| HttpError::Bind {
            addr: listen.to_string(),
            source,
        })?;
    let bound = listener.local_addr().map_err(|source| HttpError::Bind {
        addr: listen.to_string(),
        source,
    })?;
    let state = AppState {
        shared,
        metrics: prometheus()?,
        stall,
    };
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .with_state(state);
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!(event = "http_error", error = %e, "Health endpoint failed.");
        }
    });
    tracing::info!(event = "http_listening", address = %bound, "Health and metrics endpoint listening.");
    Ok(bound)
}

async fn healthz(State(s): State<AppState>) -> (StatusCode, String) {
    match s.shared.liveness(s.stall) {
        Ok(()) => (StatusCode::OK, "ok\n".into()),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("stuck: {reason}\n"),
        ),
    }
}

async fn readyz(State(s): State<AppState>) -> (StatusCode, &'static str) {
    if s.shared.is_ready() {
        (StatusCode::OK, "ready\n")
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: no partitions assigned yet\n",
        )
    }
}

async fn metrics_text(State(s): State<AppState>) -> String {
    // Gauges read from the pipeline's state when scraped.
    let (in_flight, assigned, paused) = {
        let t = s.shared.tracker();
        (t.total_in_flight(), t.assigned().len(), t.paused().len())
    };
    metrics::gauge!("akhbar_in_flight_messages").set(in_flight as f64);
    metrics::gauge!("akhbar_assigned_partitions").set(assigned as f64);
    metrics::gauge!("akhbar_paused_partitions").set(paused as f64);
    metrics::gauge!("akhbar_producer_queue_messages")
        .set(s.shared.producer_queue.load(Ordering::Relaxed) as f64);
    let lag = s.shared.stats.lag.load(Ordering::Relaxed);
    if lag >= 0 {
        metrics::gauge!("akhbar_consumer_lag_total_messages").set(lag as f64);
    }
    s.metrics.render()
}

//! One module per subcommand; `anyhow` lives here, at the edge.

pub mod bench;
pub mod build_df;
pub mod demo;
pub mod enrich;
pub mod eval_articles;
pub mod ner;
pub mod run;

use crate::config::Config;
use crate::stages::Chain;
use anyhow::Context;
use std::sync::Arc;

/// Builds the configured stage chain (models and tables load once here).
pub fn build_chain(config: &Config) -> anyhow::Result<Arc<Chain>> {
    let chain = Chain::build(&config.pipeline.stages, &config.stages)
        .context("cannot build the stage chain")?;
    Ok(Arc::new(chain))
}

/// Sets a consumer property unless the configuration sets it already, in
/// `kafka.options` or `kafka.consumer`. Consumer properties go to the
/// consumer alone: in `kafka.options` the producer warns that it ignores
/// them.
pub fn consumer_default(config: &mut Config, property: &str, value: &str) {
    let kafka = &mut config.kafka;
    if !kafka.options.contains_key(property) {
        kafka
            .consumer
            .entry(property.into())
            .or_insert_with(|| value.into());
    }
}

/// A multi-threaded runtime: at least two threads so that a rebalance
/// callback waiting for in-flight work never starves the deliveries.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!(event = "shutdown_requested", "Shutdown requested.");
}

//! `akhbar run`: the Kafka pipeline, with its health and metrics endpoint.

use super::{build_chain, runtime, shutdown_signal};
use crate::config::Config;
use crate::{http, pipeline};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub fn cmd(config: Config) -> anyhow::Result<()> {
    let chain = build_chain(&config)?;
    let rt = runtime()?;
    let summary = rt.block_on(async {
        let shared = pipeline::new_shared(&config);
        let stop_http = CancellationToken::new();
        if !config.http.listen.is_empty() {
            http::start(
                &config.http.listen,
                shared.clone(),
                Duration::from_secs(config.http.liveness_stall_secs),
                stop_http.clone(),
            )
            .await?;
        }
        let result = pipeline::run_with(&config, chain, shutdown_signal(), shared).await;
        stop_http.cancel();
        anyhow::Ok(result?)
    })?;
    if !summary.drained {
        tracing::warn!(
            event = "exit",
            "Exiting with unfinished work; it will be replayed."
        );
    }
    Ok(())
}

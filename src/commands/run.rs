//! `akhbar run`: the Kafka pipeline.

use super::{build_chain, runtime, shutdown_signal};
use crate::config::Config;
use crate::pipeline;

pub fn cmd(config: Config) -> anyhow::Result<()> {
    let chain = build_chain(&config)?;
    let rt = runtime()?;
    let summary = rt.block_on(pipeline::run(&config, chain, shutdown_signal()))?;
    if !summary.drained {
        tracing::warn!(
            event = "exit",
            "Exiting with unfinished work; it will be replayed."
        );
    }
    Ok(())
}

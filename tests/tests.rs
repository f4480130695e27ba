//! The integration test binary: one module per area.
//!
//! - `enrich`: the `akhbar enrich` command on JSON Lines.
//! - `cli`: config errors, `--help`, `akhbar config`.
//! - `speech`: bad input for the quotes and dates stages (proptest).
//! - `kafka`: the pipeline over the real Kafka protocol on the in-process
//!   mock cluster (N in / N out, dead letters, restart, rebalance, SIGTERM).
//! - `tansu`: end to end against a real broker process (feature
//!   `tansu-tests`; `.ci/run` starts the broker).

mod support;

mod cli;
mod deploy;
mod enrich;
mod faults;
mod http;
mod kafka;
mod speech;
#[cfg(feature = "tansu-tests")]
mod tansu;

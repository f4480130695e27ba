//! The integration test binary: one module per area.
//!
//! - `enrich`: the `akhbar enrich` command on JSON Lines.
//! - `insight`: keywords, themes, tone, summary, near-duplicates on the
//!   seed, its re-edit, bad input and 800 real articles.
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
mod insight;
mod kafka;
mod otel;
mod speech;
#[cfg(feature = "tansu-tests")]
mod tansu;

//! The integration test binary: one module per area.
//!
//! - `cli`: config errors, `--help`, `akhbar config`.
//! - `enrich`: the `akhbar enrich` command on JSON Lines.
//! - `kafka`: the pipeline over the real Kafka protocol on the in-process
//!   mock cluster (N in / N out, dead letters, restart, rebalance, SIGTERM).
//! - `faults`: broker down, injected errors, refusing topics, poison input,
//!   slow stages; each prints a REPORT line (lost, duplicated).
//! - `exactly_once`: transactions on the mock cluster (call sequence,
//!   injected abortable and fatal errors).
//! - `http`: `/healthz`, `/readyz`, `/metrics` of `akhbar run`.
//! - `otel`: span export over OTLP/HTTP and trace propagation.
//! - `dedup_redis`: the near-duplicate index shared by replicas in Redis
//!   (starts a `redis-server` when there is one, else skips).
//! - `deploy`: Dockerfile, compose and Kubernetes files validated offline.
//! - `insight`: keywords, themes, tone, summary, near-duplicates on the
//!   seed, its re-edit, bad input and 800 real articles.
//! - `speech`: bad input for the quotes and dates stages (proptest).
//! - `tansu`: end to end against a real broker process (feature
//!   `tansu-tests`; `.ci/run` starts the broker).

mod support;

mod cli;
mod dedup_redis;
mod deploy;
mod enrich;
mod exactly_once;
mod faults;
mod http;
mod insight;
mod kafka;
mod otel;
mod speech;
#[cfg(feature = "tansu-tests")]
mod tansu;

//! Where enriched records go: Kafka (`run`, `demo`) or JSON Lines (`enrich`).

pub mod file;
pub mod kafka;

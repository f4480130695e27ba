//! Where raw articles come from: Kafka (`run`), JSON Lines files (`enrich`),
//! and the bundled sample articles (`demo`).

pub mod file;
pub mod fixtures;
pub mod headers;
pub mod kafka;

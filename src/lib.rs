//! akhbar: a streaming news-enrichment pipeline.
//!
//! Raw articles flow from a source through an ordered chain of stages to a
//! sink; the tree follows the flow:
//!
//! | module | what |
//! | --- | --- |
//! | [`sources`] | Kafka consumer, JSON Lines files, bundled fixtures |
//! | [`decode`] | raw bytes to a [`document::RawArticle`], with refusal reasons |
//! | [`entities`] | entity tagger, gazetteers, rule tables (used by the `entities` stage) |
//! | [`stages`] | the [`stages::Stage`] trait and every extraction stage |
//! | [`text`] | folding, paragraphs, sentences, tokens: the shared text layer |
//! | [`dates`], [`speech`] | dates; quotes and speakers (on the shared [`text`] analysis) |
//! | [`pipeline`] | worker pool, offset tracking, dead-letter policy, shutdown |
//! | [`record`] | a finished [`document::Document`] to the enriched JSON record |
//! | [`sinks`] | Kafka producer (output and dead-letter), JSON Lines files |
//! | [`config`] | configuration file, environment overrides, validation |
//! | [`events`] | one struct per observable event (logs and metrics) |
//! | [`telemetry`] | log output (JSON lines or text) |
//! | [`embedded_cluster`], [`harness`] | in-process Kafka and real-client driver/reader for demo, bench and tests |
//! | [`eval`] | scoring quotes and dates against hand annotations of real articles |
//! | [`commands`] | `run`, `enrich`, `demo`, `bench`: the binary's subcommands |

pub mod cli;
pub mod commands;
pub mod config;
pub mod dates;
pub mod decode;
pub mod document;
pub mod embedded_cluster;
pub mod entities;
pub mod eval;
pub mod events;
pub mod harness;
pub mod http;
pub mod kafka_client;
pub mod pipeline;
pub mod record;
pub mod shared_data;
pub mod sinks;
pub mod sources;
pub mod speech;
pub mod stages;
pub mod telemetry;
pub mod text;

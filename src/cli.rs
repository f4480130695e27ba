//! Command-line interface.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// akhbar: a streaming news-enrichment pipeline.
///
/// Reads raw articles (JSON) from a Kafka topic, runs extraction stages on a
/// pool of workers and publishes enriched records to an output topic; what
/// cannot be processed goes to a dead-letter topic with its reason. Offsets
/// are committed only past acknowledged output, so a crash replays and never
/// loses a message.
#[derive(Debug, Parser)]
#[command(name = "akhbar", version, about, long_about)]
pub struct Cli {
    /// Configuration file (TOML); defaults are built in, see config/default.toml.
    /// Every key can also be set as AKHBAR_<SECTION>__<KEY>.
    #[arg(long, short, global = true, env = "AKHBAR_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the Kafka pipeline: consume `topics.input`, publish to
    /// `topics.output` and `topics.dead_letter` until SIGTERM or Ctrl-C.
    Run,
    /// Run the same stages over JSON Lines files (stdin to stdout by default),
    /// for trying it out and for backfills. A bad line is reported on stderr
    /// with its number and skipped.
    Enrich {
        /// Input file of raw articles, one JSON object per line (default: stdin).
        #[arg(long, short, value_name = "FILE")]
        input: Option<PathBuf>,
        /// Output file of enriched records (default: stdout).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run the whole pipeline on the bundled sample articles against an
    /// in-process Kafka cluster (no broker needed) and print a summary per
    /// article.
    Demo {
        /// Also write the enriched records to this file (JSON Lines).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Measure throughput: the stage chain in-process, and the whole Kafka
    /// path through an in-process cluster.
    Bench {
        /// Articles to push through the Kafka path (the in-process cluster
        /// keeps at most 5 MB per partition: raise --partitions with this).
        #[arg(long, default_value_t = 5_000)]
        messages: usize,
        /// Partitions of the benchmark input and output topics.
        #[arg(long, default_value_t = 8)]
        partitions: i32,
        /// Raw articles to use (JSON Lines); default: the bundled samples.
        #[arg(long, value_name = "FILE")]
        corpus: Option<PathBuf>,
        /// Use an existing broker instead of the in-process cluster
        /// (topics are created with the given partitions if missing).
        #[arg(long, value_name = "HOST:PORT")]
        brokers: Option<String>,
    },
    /// Count document frequencies of word keys over a corpus (zip, json,
    /// jsonl, conllu files or folders): the background table of the
    /// `keywords` stage, e.g. `data/insight/df_ar.tsv`.
    BuildDf {
        /// Corpus files or folders.
        #[arg(long, required = true, num_args = 1.., value_name = "PATH")]
        corpus: Vec<PathBuf>,
        /// Output table (TSV).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Keep the most frequent keys only.
        #[arg(long, default_value_t = 30_000)]
        top: usize,
        /// Drop keys seen in fewer documents.
        #[arg(long, default_value_t = 2)]
        min_df: u64,
    },
    /// Print the effective configuration (defaults, file, environment) with
    /// secrets redacted, and exit; fails with the reason if it is invalid.
    Config,
}

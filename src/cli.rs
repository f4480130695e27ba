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
        /// Produce at this many articles per second while the pipeline
        /// runs and report end-to-end latency (p50/p99, after the first
        /// second) instead of throughput; use about half the measured maximum.
        #[arg(long, value_name = "PER_SEC")]
        rate: Option<f64>,
        /// Run this many pipelines in the one consumer group, as that many
        /// replicas would (each with `pipeline.workers` workers), to see
        /// how throughput grows with members up to the cores and partitions.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
        replicas: u16,
    },
    /// Train the entity tagger on a CoNLL file (`token TAG` lines) or on a
    /// directory of GUM CoNLL-U files (English).
    TrainNer(TrainNerArgs),
    /// Build the place gazetteer (data/gazetteers/places.tsv) from the shared
    /// GeoNames, CLDR and iso-codes files.
    BuildGazetteers {
        /// The shared data directory.
        #[arg(long, value_name = "DIR", default_value = "../shared")]
        shared: PathBuf,
        /// Output directory (its `src/` holds the project's own inputs).
        #[arg(long, value_name = "DIR", default_value = "data/gazetteers")]
        out: PathBuf,
    },
    /// Build a word table (data/entities/LANG/words.tsv: general-usage
    /// frequencies, name-unit counts and word clusters) and, for Arabic, the letter model
    /// (data/entities/ar/letters.tsv) that the tagger's features read.
    BuildWords {
        /// The table's language: `ar` (Arabic-script words, with name units
        /// and the letter model) or `en` (lower-case Latin words).
        #[arg(long, value_name = "LANG", value_enum, default_value_t = WordsLanguage::Ar)]
        language: WordsLanguage,
        /// A wordfreq dump, `word<TAB>zipf` per line (the README says how to
        /// make it from the `wordfreq` package).
        #[arg(long, value_name = "FILE")]
        wordfreq: PathBuf,
        /// Name units, `unit<TAB>total<TAB>given<TAB>surname...` per line
        /// (`name_units.tsv` of the `arabic-name-romanizer` package);
        /// needed for `ar`.
        #[arg(long, value_name = "FILE")]
        names: Option<PathBuf>,
        /// Word clusters, `word<TAB>fine<TAB>middle<TAB>coarse` per line
        /// (`scripts/word_clusters.py`); without it the table has no
        /// cluster columns.
        #[arg(long, value_name = "FILE")]
        clusters: Option<PathBuf>,
        /// Where to write the table [default: data/entities/LANG/words.tsv].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Where to write the letter model (letter-trigram ratios of name
        /// units over common words; `ar` only).
        #[arg(
            long,
            value_name = "FILE",
            default_value = "data/entities/ar/letters.tsv"
        )]
        letters_out: PathBuf,
    },
    /// Tag tokens read from stdin, one per line with a blank line between
    /// sentences; writes `token<TAB>TAG` (BIO, PERS/LOC/ORG/MISC).
    Tag {
        /// Read and write CoNLL (the only format so far).
        #[arg(long, default_value_t = true)]
        conll: bool,
        /// A model file instead of the built-in one.
        #[arg(long, value_name = "FILE")]
        model: Option<PathBuf>,
        /// For a model with prediction history: a new document every N
        /// sentences (CoNLL files mark no articles; training used the same;
        /// 0 or 1: every sentence alone).
        #[arg(long, value_name = "N", default_value_t = crate::entities::history::DOCUMENT_SENTENCES)]
        document_sentences: usize,
    },
    /// Tag a labelled CoNLL file and print precision, recall and F1 per type
    /// (the tagger alone, or with --stage the whole entity stage).
    EvalNer(EvalNerArgs),
    /// Score quotes, speakers and dates against hand-annotated articles
    /// (offsets only; the article text is read from the corpus).
    EvalArticles {
        /// Gold files (JSON Lines), e.g. tests/data/saudinewsnet_speech_gold.jsonl.
        #[arg(required = true, value_name = "GOLD")]
        gold: Vec<PathBuf>,
        /// The articles (SaudiNewsNet JSON Lines); default: the shared sample.
        #[arg(long, value_name = "FILE")]
        corpus: Option<PathBuf>,
        /// Also list every miss.
        #[arg(long, short)]
        verbose: bool,
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
        /// In CoNLL `.txt` files (no article boundaries), count this many
        /// consecutive sentences as one document.
        #[arg(long, default_value_t = 10)]
        sentences_per_document: usize,
    },
    /// Print the effective configuration (defaults, file, environment) with
    /// secrets redacted, and exit; fails with the reason if it is invalid.
    Config,
}

/// Which documents of a GUM directory a command reads
/// (see [`crate::entities::gum::HELD_OUT`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GumDocuments {
    /// GUM's `train` partition.
    Train,
    /// GUM's `dev` and `test` partitions.
    Test,
    /// Every document.
    All,
}

/// The language of a word table (`build-words`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WordsLanguage {
    Ar,
    En,
}

impl WordsLanguage {
    /// The language's folder under `data/entities/`.
    pub fn dir(self) -> &'static str {
        match self {
            WordsLanguage::Ar => "ar",
            WordsLanguage::En => "en",
        }
    }
}

/// The tagger's feature templates (see [`crate::entities::features::FeatureSet`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NerFeatures {
    Arabic,
    English,
}

/// The tagger's tag scheme (see [`crate::entities::model::BILOU_TAGS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NerTagging {
    /// Begin, inside, outside.
    Bio,
    /// Begin, inside, last, unit, outside: the tagger also learns where a
    /// name ends.
    Bilou,
}

/// Options of `akhbar train-ner`.
#[derive(clap::Args, Debug, Clone)]
pub struct TrainNerArgs {
    /// Training data, e.g. ../shared/data/ner_ar/anercorp/ANERCorp_CamelLab_train.reconstructed.txt,
    /// or a directory of GUM `.conllu` files (../shared/data/ner_en/gum_news/dep).
    #[arg(long, value_name = "FILE|DIR")]
    pub train: PathBuf,
    /// Of a GUM directory, the documents used: GUM's `train` partition,
    /// its `dev` and `test` ones (`test`), or `all`.
    #[arg(long, value_enum, default_value_t = GumDocuments::Train)]
    pub documents: GumDocuments,
    /// Cross-validate instead of writing a model: GUM documents are
    /// dealt into this many folds, a CoNLL file is cut into this many
    /// contiguous blocks; each is held out in turn, and the summed
    /// score is printed after each epoch.
    #[arg(long, value_name = "K")]
    pub folds: Option<usize>,
    /// Where to write the model [default: models/ner-ar.bin, or
    /// models/ner-en.bin with --features english].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Seed of the sentence shuffles (training is deterministic for a
    /// seed) [default: 42].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Passes over the training data [default: 12, or 10 with --features
    /// english].
    #[arg(long, value_name = "N")]
    pub epochs: Option<usize>,
    /// Hashed feature rows, as a power of two [default: 17, or 16 with
    /// --features english].
    #[arg(long, value_name = "N")]
    pub buckets_log2: Option<u32>,
    /// Share of the training sentences held out and scored after each epoch.
    #[arg(long, default_value_t = 0.0)]
    pub dev_fraction: f64,
    /// Probability of hiding a token's word-identity features in a pass
    /// [default: 0.25].
    #[arg(long, value_name = "P")]
    pub word_dropout: Option<f64>,
    /// The feature templates (recorded in the model file). The defaults of
    /// the other options are the flags its committed model was trained
    /// with (models/NOTICE), so that `--train` alone rebuilds it.
    #[arg(long, value_enum, default_value_t = NerFeatures::Arabic)]
    pub features: NerFeatures,
    /// The tag scheme decoded (recorded in the model file); input and
    /// output stay BIO either way [default: bilou, or bio with --features
    /// english].
    #[arg(long, value_enum)]
    pub tagging: Option<NerTagging>,
    /// Prediction history (recorded in the model file): what the model
    /// said of a word earlier in the document is a feature of its next
    /// occurrence. Training reads documents of N consecutive sentences
    /// (CoNLL files mark no articles); 0 trains without it [default: 40,
    /// or 0 with --features english].
    #[arg(long, value_name = "N")]
    pub history: Option<usize>,
    /// Train K models, with the seeds --seed to --seed+K-1, and write
    /// their mean (the weights averaged): steadier than any one seed.
    /// With --folds, only the mean after the last epoch is scored
    /// [default: 5, or 1 with --features english].
    #[arg(long, value_name = "K")]
    pub average_seeds: Option<usize>,
    /// Cost-augmented training: while training decodes, each wrong tag
    /// of a token gets this much more score, so that the model learns to
    /// prefer the gold tags by a margin; 0 is the plain perceptron
    /// [default: 40].
    #[arg(long, value_name = "M", value_parser = margin)]
    pub margin: Option<f32>,
}

/// A `--margin`: a finite score of 0 or more (a negative one would
/// reward the wrong tags).
fn margin(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(m) if m.is_finite() && m >= 0.0 => Ok(m),
        Ok(_) => Err(format!("{s} is not a finite number of 0 or more")),
        Err(e) => Err(e.to_string()),
    }
}

/// Options of `akhbar eval-ner`.
#[derive(clap::Args, Debug, Clone)]
pub struct EvalNerArgs {
    /// `token TAG` lines, blank line between sentences, or a directory
    /// of GUM CoNLL-U files.
    pub file: PathBuf,
    /// Of a GUM directory, the documents scored.
    #[arg(long, value_enum, default_value_t = GumDocuments::Test)]
    pub documents: GumDocuments,
    /// A model file instead of the built-in one (the Arabic model for
    /// a CoNLL file, the English one for a GUM directory).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// For a model with prediction history: a new document every N
    /// sentences (CoNLL files mark no articles; training used the same;
    /// 0 or 1: every sentence alone); with --stage, the sentences of
    /// one article.
    #[arg(long, value_name = "N", default_value_t = crate::entities::history::DOCUMENT_SENTENCES)]
    pub document_sentences: usize,
    /// Score the whole entity stage (tables, rules, datelines, the
    /// stage's own sentences), configured as for `run`: each GUM
    /// document and each run of --document-sentences sentences is one
    /// article, its tokens joined by spaces, mentions mapped back onto
    /// the tokens they overlap.
    #[arg(long)]
    pub stage: bool,
    /// Also write `token<TAB>gold<TAB>predicted` lines to FILE, a blank
    /// line after each sentence (conlleval's input, for reading the
    /// errors).
    #[arg(long, value_name = "FILE")]
    pub predictions: Option<PathBuf>,
}

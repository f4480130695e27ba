//! `dedup`: a fingerprint on every record and the earlier near-duplicate.
//!
//! `fingerprint` is the 64-bit SimHash of the text's word shingles
//! ([`simhash`]) as 16 hex digits; `duplicate_of` is the id of an earlier
//! article of the same stream whose fingerprint is within `max_distance`
//! bits, else null. Recent fingerprints are held in a bounded index
//! ([`index`]: `capacity` entries, `window_secs` seconds of arrival time)
//! shared by the worker threads behind a mutex held only for one lookup and
//! insert. Texts of fewer than `min_words` words get a fingerprint but are
//! neither looked up nor indexed (every empty text would match every other).
//!
//! With `index = "memory"` (the default) each replica indexes only the
//! messages of its own partitions. With `index = "redis"` the replicas
//! share one fingerprint log in Redis ([`shared`]) and each keeps a copy of
//! all of it in its index, so the check is global; a store failure marks
//! the record (`errors[]`) and the article is checked against the local
//! copy. docs/insight.md has the details.

mod index;
mod shared;
mod simhash;

pub use index::DedupIndex;
pub use shared::{SharedLog, StoreError, MAX_BACKLOG};
pub use simhash::{distance, simhash, stable_hash, unweighted};

use super::{BuildError, DfTable, Stage, StageError};
use crate::document::Document;
use crate::text::is_arabic_letter;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Output field: the SimHash as 16 hex digits.
pub const FINGERPRINT_FIELD: &str = "fingerprint";
/// Output field: id of the earlier near-duplicate, or null.
pub const DUPLICATE_OF_FIELD: &str = "duplicate_of";

/// Options of the `dedup` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DedupConfig {
    /// Words per shingle.
    pub shingle: usize,
    /// Most differing bits (of 64) between near-duplicates, 0 to 24.
    pub max_distance: u32,
    /// Most fingerprints held (the oldest leaves first).
    pub capacity: usize,
    /// Seconds a fingerprint is held after it arrived.
    pub window_secs: u32,
    /// Texts with fewer words are not checked.
    pub min_words: usize,
    /// Where recent fingerprints are held: `memory` (this replica's
    /// articles only) or `redis` (a log shared by all replicas).
    pub index: IndexKind,
    /// The Redis server of `index = "redis"`.
    pub redis_url: String,
    /// The stream key of the shared log (one per input stream).
    pub redis_key: String,
    /// Connect, read and write timeout of a store call, in milliseconds.
    pub redis_timeout_ms: u64,
}

/// Where the `dedup` stage holds recent fingerprints.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IndexKind {
    /// In this process: duplicates across replicas are missed.
    Memory,
    /// A Redis stream shared by the replicas, copied into each one's index.
    Redis,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            shingle: 2,
            max_distance: 8,
            capacity: 1_000_000,
            window_secs: 7 * 24 * 3600,
            min_words: 20,
            index: IndexKind::Memory,
            redis_url: "redis://127.0.0.1:6379".into(),
            redis_key: "akhbar:dedup:fingerprints".into(),
            redis_timeout_ms: 500,
        }
    }
}

/// The index and, with `index = "redis"`, the shared log feeding it.
struct State {
    index: DedupIndex,
    log: Option<SharedLog>,
}

/// The `dedup` stage.
pub struct Dedup {
    config: DedupConfig,
    state: Mutex<State>,
    started: Instant,
    df_ar: DfTable,
    df_en: DfTable,
}

impl Dedup {
    pub fn new(config: &DedupConfig) -> Result<Dedup, BuildError> {
        let bad = |message: String| BuildError {
            stage: "dedup",
            message,
        };
        if config.max_distance > 24 {
            return Err(bad(format!(
                "max_distance must be 0 to 24, not {}",
                config.max_distance
            )));
        }
        if config.shingle == 0 || config.capacity == 0 {
            return Err(bad("shingle and capacity must be at least 1".into()));
        }
        let log = match config.index {
            IndexKind::Memory => None,
            IndexKind::Redis => {
                if config.redis_key.is_empty() || config.redis_timeout_ms == 0 {
                    return Err(bad(
                        "redis_key must not be empty and redis_timeout_ms at least 1".into(),
                    ));
                }
                Some(
                    SharedLog::new(
                        &config.redis_url,
                        &config.redis_key,
                        Duration::from_millis(config.redis_timeout_ms),
                        config.window_secs,
                        config.capacity,
                    )
                    .map_err(|e| bad(format!("redis_url: {e}")))?,
                )
            }
        };
        Ok(Dedup {
            config: config.clone(),
            state: Mutex::new(State {
                index: DedupIndex::new(config.capacity, config.window_secs, config.max_distance),
                log,
            }),
            started: Instant::now(),
            df_ar: DfTable::parse(include_str!("../../../data/insight/df_ar.tsv"))
                .map_err(|e| bad(format!("df_ar.tsv: {e}")))?,
            df_en: DfTable::parse(include_str!("../../../data/insight/df_en.tsv"))
                .map_err(|e| bad(format!("df_en.tsv: {e}")))?,
        })
    }

    /// The fingerprint of a document's text and its word count.
    pub fn fingerprint(&self, doc: &mut Document) -> (u64, usize) {
        let analysis = doc.analysis();
        let mut words: Vec<(&str, f64)> = Vec::with_capacity(analysis.tokens.len());
        words.extend(
            analysis
                .tokens
                .iter()
                .filter(|t| t.is_word)
                .map(|t| (t.lookup(), self.idf(t.lookup()))),
        );
        (simhash(&words, self.config.shingle), words.len())
    }

    /// IDF of a word key from the keyword stage's background tables.
    fn idf(&self, key: &str) -> f64 {
        if key.chars().next().is_some_and(is_arabic_letter) {
            self.df_ar.idf(key)
        } else {
            self.df_en.idf(key)
        }
    }

    /// Bytes held by the index.
    pub fn memory_bytes(&self) -> usize {
        self.state.lock().map_or(0, |s| s.index.memory_bytes())
    }
}

impl Stage for Dedup {
    fn name(&self) -> &'static str {
        "dedup"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let (fingerprint, words) = self.fingerprint(doc);
        doc.fields.insert(
            FINGERPRINT_FIELD.into(),
            json!(format!("{fingerprint:016x}")),
        );
        let mut duplicate_of = Value::Null;
        let mut failure = None;
        if words >= self.config.min_words {
            let id = doc
                .id
                .clone()
                .unwrap_or_else(|| format!("{fingerprint:016x}"));
            // A poisoned lock only means another worker panicked mid-insert;
            // the index is still consistent enough to use.
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let State { index, log } = &mut *state;
            let now = match log {
                None => u32::try_from(self.started.elapsed().as_secs()).unwrap_or(u32::MAX),
                Some(log) => match log.exchange(index, fingerprint, &id) {
                    Ok(at) => at,
                    Err(e) => {
                        let (waiting, dropped) = log.backlog();
                        failure = Some(format!(
                            "{e}; checked against this replica's copy only; \
                             {waiting} fingerprints wait to be shared, {dropped} dropped"
                        ));
                        shared::unix_secs()
                    }
                },
            };
            if let Some(earlier) = index.check_and_insert(fingerprint, &id, now) {
                duplicate_of = json!(earlier);
            }
        }
        doc.fields.insert(DUPLICATE_OF_FIELD.into(), duplicate_of);
        match failure {
            Some(message) => Err(StageError::Failed(message)),
            None => Ok(()),
        }
    }
}

//! The in-memory article every stage reads and writes.
//!
//! A [`RawArticle`] is what arrives (the input half of the record contract in
//! `spec/records.md`); a [`Document`] is the working state the stages fill in;
//! `record.rs` turns a finished `Document` into the enriched JSON record.
//! Stages share this one struct, so no stage re-parses JSON another produced.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A raw article as decoded from one input message or input line.
///
/// Known fields are typed; everything else is kept in `extra` and passed
/// through to the output under [`crate::record::EXTRA_FIELD`].
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct RawArticle {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub published_at: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub html: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// Unknown input fields, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Where a message came from in Kafka; absent in file mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceOffset {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// Detected language of the article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Language {
    /// ISO 639-1 code (`ar`, `en`, ...), or `und` when undetermined.
    pub code: String,
    /// 0.0 to 1.0.
    pub confidence: f64,
}

/// A photo caption with its credit (agency or photographer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Caption {
    pub text: String,
    pub credit: Option<String>,
}

/// One mention of an entity: code point offsets into `text`, end-exclusive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mention {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// One distinct real-world entity with all its mentions in the article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub mentions: Vec<Mention>,
    /// Linking fields (geo, country code, role, ...), flattened beside `name`.
    #[serde(flatten)]
    pub links: Map<String, Value>,
}

/// The speaker of a quote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Speaker {
    pub name: String,
    /// Index into `entities` when the speaker is a recognised entity.
    pub entity: Option<usize>,
}

/// Reported speech.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quote {
    /// `direct` or `indirect`.
    pub kind: String,
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub cue: Option<String>,
    pub speaker: Option<Speaker>,
}

/// A temporal expression resolved to a calendar value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DateMention {
    pub text: String,
    /// ISO 8601 at the expression's granularity, or null when unresolved.
    pub value: Option<String>,
    pub start: usize,
    pub end: usize,
}

/// A stage failure recorded on the article (the record still goes out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageFailure {
    pub stage: String,
    pub message: String,
}

/// The working state of one article while it passes through the stages.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The input as decoded.
    pub raw: RawArticle,
    /// Kafka origin, when read from Kafka.
    pub source_offset: Option<SourceOffset>,
    /// The article id (given, or derived by the `id` stage).
    pub id: Option<String>,
    /// Headline, given or extracted.
    pub title: Option<String>,
    /// Clean body text: every offset in the record points into it.
    pub text: String,
    pub language: Option<Language>,
    pub headings: Vec<String>,
    pub captions: Vec<Caption>,
    pub entities: Vec<Entity>,
    pub quotes: Vec<Quote>,
    pub dates: Vec<DateMention>,
    pub word_count: Option<usize>,
    /// Further project-owned output fields set by stages (keyed by field name).
    pub fields: Map<String, Value>,
    /// Failures of individual stages on this article.
    pub errors: Vec<StageFailure>,
    /// The cached [`crate::text::Analysis`] of `text`: read it with
    /// [`Document::analysis`].
    pub analysis_cache: AnalysisCache,
}

/// The analysis of a text with a hash of the text it was made from, so a
/// changed text invalidates it. Opaque: use [`Document::analysis`].
#[derive(Debug, Clone, Default)]
pub struct AnalysisCache(Option<(u64, Arc<crate::text::Analysis>)>);

impl Document {
    /// Starts a document from a decoded raw article.
    pub fn new(raw: RawArticle, source_offset: Option<SourceOffset>) -> Self {
        Document {
            id: raw.id.clone().filter(|id| !id.trim().is_empty()),
            title: raw.title.clone().filter(|t| !t.trim().is_empty()),
            raw,
            source_offset,
            ..Document::default()
        }
    }

    /// Paragraphs, sentences and tokens of `text`: computed on first use and
    /// cached, recomputed only when `text` has changed since. The
    /// `structure` stage stores its refined paragraph kinds here.
    pub fn analysis(&mut self) -> Arc<crate::text::Analysis> {
        let hash = text_hash(&self.text);
        match &self.analysis_cache.0 {
            Some((h, a)) if *h == hash => Arc::clone(a),
            _ => {
                let a = Arc::new(crate::text::analyze(&self.text));
                self.analysis_cache = AnalysisCache(Some((hash, Arc::clone(&a))));
                a
            }
        }
    }

    /// Replaces the cached analysis of the current `text` (used by stages
    /// that refine it, such as `structure`).
    pub fn set_analysis(&mut self, analysis: crate::text::Analysis) {
        self.analysis_cache = AnalysisCache(Some((text_hash(&self.text), Arc::new(analysis))));
    }
}

/// Tells whether `text` changed since the analysis was cached. Stages call
/// [`Document::analysis`] a dozen times per article, so this is a fast
/// non-cryptographic hash (the text is ours to compare, not a key an
/// adversary picks for a table).
fn text_hash(text: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    text.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_analysis_is_cached_until_the_text_changes() {
        let mut d = Document {
            text: "قال كيربي.".into(),
            ..Document::default()
        };
        let first = d.analysis();
        assert!(Arc::ptr_eq(&first, &d.analysis()));
        d.text.push_str(" وأضاف.");
        let second = d.analysis();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(second.sentences.len(), 2);
    }
}

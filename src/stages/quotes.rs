//! `quotes`: reported speech in `text` with its speakers.
//!
//! Runs after `entities` (speakers resolve to `doc.entities` by mention) and
//! fills `doc.quotes`; the detection is in `crate::speech`, its vocabulary in
//! `data/speech/`.

use super::{BuildError, Stage, StageError};
use crate::document::Document;
use crate::speech::{Limits, QuoteFinder};
use crate::text::View;
use serde::{Deserialize, Serialize};

/// Options of the `quotes` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct QuotesConfig {
    /// A quotation longer than this (characters) is treated as unbalanced:
    /// it ends with its paragraph.
    pub max_quote_chars: usize,
    /// Text in quotation marks with no reporting cue near it is a quote only
    /// from this many words on (shorter ones are names and scare quotes).
    pub min_uncued_words: usize,
}

impl Default for QuotesConfig {
    fn default() -> Self {
        let limits = Limits::default();
        QuotesConfig {
            max_quote_chars: limits.max_quote_chars,
            min_uncued_words: limits.min_uncued_words,
        }
    }
}

/// The `quotes` stage.
pub struct Quotes {
    finder: QuoteFinder,
}

impl Quotes {
    /// Loads the speech tables.
    pub fn new(config: &QuotesConfig) -> Result<Self, BuildError> {
        if config.max_quote_chars == 0 {
            return Err(BuildError {
                stage: "quotes",
                message: "max_quote_chars must be positive".into(),
            });
        }
        let limits = Limits {
            max_quote_chars: config.max_quote_chars,
            min_uncued_words: config.min_uncued_words,
        };
        let finder = QuoteFinder::new(limits).map_err(|e| BuildError {
            stage: "quotes",
            message: e.to_string(),
        })?;
        Ok(Quotes { finder })
    }
}

impl Stage for Quotes {
    fn name(&self) -> &'static str {
        "quotes"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        // The shared analysis, computed once per document (usually by
        // `structure`) and cached.
        let analysis = doc.analysis();
        let view = View::new(&doc.text, &analysis);
        doc.quotes = self.finder.find(&view, &doc.entities);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_the_quotes_of_the_document() {
        let stage = Quotes::new(&QuotesConfig::default()).unwrap();
        let mut d = Document {
            text: "وقال المتحدث إن المحادثات متعثرة.".into(),
            ..Document::default()
        };
        stage.apply(&mut d).unwrap();
        assert_eq!(d.quotes.len(), 1);
        assert_eq!(d.quotes[0].text, "المحادثات متعثرة");
    }

    #[test]
    fn a_zero_quote_limit_is_refused_at_build() {
        let config = QuotesConfig {
            max_quote_chars: 0,
            ..QuotesConfig::default()
        };
        assert!(Quotes::new(&config).is_err());
    }
}

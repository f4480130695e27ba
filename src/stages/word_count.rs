//! `word_count`: the number of words in `text`, as the shared text layer
//! reads them ([`crate::text`]: runs of letters and digits with their
//! marks, `O'Brien`, `3.5` and `U.S` one word each, punctuation none), so
//! the count agrees with what every other stage calls a word. The analysis
//! is shared, so counting costs nothing more in the default chain.

use super::{Stage, StageError};
use crate::document::Document;
use serde::{Deserialize, Serialize};

/// Options of the `word_count` stage (none yet).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct WordCountConfig {}

/// The `word_count` stage.
pub struct WordCount;

impl WordCount {
    pub fn new(_: &WordCountConfig) -> Self {
        WordCount
    }
}

impl Stage for WordCount {
    fn name(&self) -> &'static str {
        "word_count"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let analysis = doc.analysis();
        doc.word_count = Some(analysis.tokens.iter().filter(|t| t.is_word).count());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_arabic_and_english_words() {
        let mut d = Document {
            text: "قال المتحدث، إن المحادثات (وصلت) to a dead end.".into(),
            ..Document::default()
        };
        WordCount.apply(&mut d).unwrap();
        assert_eq!(d.word_count, Some(9));
    }

    #[test]
    fn joined_forms_count_once_and_punctuation_not_at_all() {
        let mut d = Document {
            text: "O'Brien paid 3.5 million in the U.S. — ٣٫٥ مليون!".into(),
            ..Document::default()
        };
        WordCount.apply(&mut d).unwrap();
        assert_eq!(d.word_count, Some(9));
    }
}

//! `word_count`: the number of words in `text` (Unicode word boundaries).

use super::{Stage, StageError};
use crate::document::Document;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

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
        doc.word_count = Some(doc.text.unicode_words().count());
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
}

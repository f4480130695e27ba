//! `tone`: how positive or negative the article's wording is.
//!
//! The scale follows GDELT's document tone: counts of positive and negative
//! words from a lexicon, as percentages of all words.
//!
//! - `positive`: positive words per 100 words; `negative`: likewise;
//! - `score` = `positive - negative` (typically -10 to +10; -100 to +100 in
//!   theory), below 0 is negative coverage;
//! - `polarity` = `positive + negative`: how emotionally charged, whatever
//!   the direction;
//! - `words`: the words counted (title and body and heading sentences).
//!
//! A tone word with a negator (`data/insight/negators.txt`: لا، لم، لن، ليس،
//! غير، not, no, never ...) among the three words before it in the same
//! sentence counts with the opposite sign (`غير مقبول` is negative). The
//! lexicons `data/insight/tone_ar.tsv` and `tone_en.tsv` were written for
//! the project; matching is on lookup forms, so `والهجمات` is `هجمات`.

use super::keywords::round4;
use super::lexicon::{rows, PhraseLexicon, WordSet};
use super::{BuildError, Stage, StageError};
use crate::document::Document;
use crate::text::{analyze, ParagraphKind, Token};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Output field: `{score, positive, negative, polarity, words}`.
pub const TONE_FIELD: &str = "tone";

const TONE_AR: &str = include_str!("../../data/insight/tone_ar.tsv");
const TONE_EN: &str = include_str!("../../data/insight/tone_en.tsv");
const NEGATORS: &str = include_str!("../../data/insight/negators.txt");

/// Options of the `tone` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ToneConfig {
    /// Words before a tone word in which a negator flips it.
    pub negation_window: usize,
}

impl Default for ToneConfig {
    fn default() -> Self {
        ToneConfig { negation_window: 3 }
    }
}

/// Word counts behind a tone.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ToneCounts {
    pub words: usize,
    pub positive: usize,
    pub negative: usize,
}

/// The `tone` stage.
pub struct Tone {
    config: ToneConfig,
    lexicon: PhraseLexicon<i8>,
    negators: WordSet,
}

impl Tone {
    pub fn new(config: &ToneConfig) -> Result<Tone, BuildError> {
        let mut lexicon = PhraseLexicon::default();
        for (name, table) in [("tone_ar.tsv", TONE_AR), ("tone_en.tsv", TONE_EN)] {
            for (i, row) in rows(table).enumerate() {
                let sign: i8 = match row.get(1).copied() {
                    Some("1") | Some("+1") => 1,
                    Some("-1") => -1,
                    other => {
                        return Err(BuildError {
                            stage: "tone",
                            message: format!(
                                "{name} row {}: polarity {other:?} is not 1 or -1",
                                i + 1
                            ),
                        })
                    }
                };
                lexicon.insert(row[0], sign);
            }
        }
        Ok(Tone {
            config: config.clone(),
            lexicon,
            negators: WordSet::parse(NEGATORS),
        })
    }

    /// Counts words and tone words of one sentence's tokens into `counts`.
    fn count(&self, tokens: &[Token], counts: &mut ToneCounts) {
        let ws: Vec<&Token> = tokens.iter().filter(|t| t.is_word).collect();
        counts.words += ws.len();
        let mut i = 0;
        while i < ws.len() {
            let Some((len, &sign)) = self.lexicon.longest_at(&ws, i) else {
                i += 1;
                continue;
            };
            let from = i.saturating_sub(self.config.negation_window);
            let negated = ws[from..i].iter().any(|t| self.negators.contains(t));
            if (sign > 0) != negated {
                counts.positive += 1;
            } else {
                counts.negative += 1;
            }
            i += len;
        }
    }

    /// Tone counts of a document's title and body.
    pub fn counts(&self, doc: &mut Document) -> ToneCounts {
        let mut counts = ToneCounts::default();
        if let Some(title) = doc.title.as_deref() {
            self.count(&analyze(title).tokens, &mut counts);
        }
        let analysis = doc.analysis();
        for (i, s) in analysis.sentences.iter().enumerate() {
            let kind = analysis.paragraphs.get(s.paragraph).map(|p| p.kind);
            if matches!(
                kind,
                Some(ParagraphKind::Body) | Some(ParagraphKind::Heading)
            ) {
                self.count(analysis.tokens_of(i), &mut counts);
            }
        }
        counts
    }
}

impl Stage for Tone {
    fn name(&self) -> &'static str {
        "tone"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let c = self.counts(doc);
        let per = |n: usize| {
            if c.words == 0 {
                0.0
            } else {
                n as f64 * 100.0 / c.words as f64
            }
        };
        let (positive, negative) = (per(c.positive), per(c.negative));
        doc.fields.insert(
            TONE_FIELD.into(),
            json!({
                "score": round4(positive - negative),
                "positive": round4(positive),
                "negative": round4(negative),
                "polarity": round4(positive + negative),
                "words": c.words,
            }),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(text: &str) -> serde_json::Value {
        let stage = Tone::new(&ToneConfig::default()).unwrap();
        let mut d = Document {
            text: text.into(),
            ..Document::default()
        };
        stage.apply(&mut d).unwrap();
        d.fields[TONE_FIELD].clone()
    }

    #[test]
    fn the_score_is_positive_minus_negative_per_hundred_words() {
        // 10 words, 1 negative (قتلى), 1 positive (نجاح).
        let t = tone("سقط قتلى في الهجوم وأعلنت الحكومة نجاح خطة الإخلاء اليوم");
        assert_eq!(t["words"], 10);
        // الهجوم is a tone word too: 2 negative, 1 positive.
        assert_eq!(t["negative"], 20.0);
        assert_eq!(t["positive"], 10.0);
        assert_eq!(t["score"], -10.0);
        assert_eq!(t["polarity"], 30.0);
    }

    #[test]
    fn a_negator_before_a_tone_word_flips_it() {
        assert!(tone("هذا غير مقبول")["score"].as_f64().unwrap() < 0.0);
        assert!(tone("هذا مقبول")["score"].as_f64().unwrap() > 0.0);
        assert!(tone("this is not good")["score"].as_f64().unwrap() < 0.0);
    }

    #[test]
    fn a_negator_far_before_does_not_flip() {
        assert!(
            tone("لا أحد يعرف متى ولماذا وأين النجاح")["score"]
                .as_f64()
                .unwrap()
                > 0.0
        );
    }

    #[test]
    fn empty_text_has_a_neutral_tone() {
        let t = tone("");
        assert_eq!(t["score"], 0.0);
        assert_eq!(t["words"], 0);
    }
}

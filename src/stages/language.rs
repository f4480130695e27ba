//! `language`: the article's language and a confidence.
//!
//! Detection uses `whatlang` restricted to the major news languages (so
//! Arabic is weighed against Persian and Urdu, which share its script, and
//! not against a hundred unlikely ones). The publisher's `language` hint is
//! used only when the text is too short or the detector is unsure.

use super::{BuildError, Stage, StageError};
use crate::document::{Document, Language};
use serde::{Deserialize, Serialize};
use whatlang::{Detector, Lang};

/// Options of the `language` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageConfig {
    /// Characters of text looked at; detection is stable long before 2,000.
    pub sample_chars: usize,
    /// Below this confidence the publisher's hint wins when there is one.
    pub min_confidence: f64,
}

impl Default for LanguageConfig {
    fn default() -> Self {
        LanguageConfig {
            sample_chars: 2_000,
            min_confidence: 0.5,
        }
    }
}

/// The languages considered, with their ISO 639-1 codes.
const LANGUAGES: &[(Lang, &str)] = &[
    (Lang::Ara, "ar"),
    (Lang::Pes, "fa"),
    (Lang::Urd, "ur"),
    (Lang::Eng, "en"),
    (Lang::Fra, "fr"),
    (Lang::Spa, "es"),
    (Lang::Deu, "de"),
    (Lang::Ita, "it"),
    (Lang::Por, "pt"),
    (Lang::Nld, "nl"),
    (Lang::Rus, "ru"),
    (Lang::Ukr, "uk"),
    (Lang::Tur, "tr"),
    (Lang::Heb, "he"),
    (Lang::Hin, "hi"),
    (Lang::Ind, "id"),
    (Lang::Cmn, "zh"),
    (Lang::Jpn, "ja"),
    (Lang::Kor, "ko"),
    (Lang::Pol, "pl"),
    (Lang::Swe, "sv"),
    (Lang::Ell, "el"),
];

/// The `language` stage.
pub struct LanguageStage {
    detector: Detector,
    sample_chars: usize,
    min_confidence: f64,
}

impl LanguageStage {
    pub fn new(config: &LanguageConfig) -> Result<Self, BuildError> {
        if !(0.0..=1.0).contains(&config.min_confidence) {
            return Err(BuildError {
                stage: "language",
                message: "min_confidence must be between 0 and 1".into(),
            });
        }
        Ok(LanguageStage {
            detector: Detector::with_allowlist(LANGUAGES.iter().map(|(l, _)| *l).collect()),
            sample_chars: config.sample_chars.max(16),
            min_confidence: config.min_confidence,
        })
    }

    /// Detects the language of `text`: `(code, confidence)`.
    pub fn detect(&self, text: &str) -> Option<(&'static str, f64)> {
        let end = text
            .char_indices()
            .nth(self.sample_chars)
            .map_or(text.len(), |(i, _)| i);
        let info = self.detector.detect(&text[..end])?;
        let code = LANGUAGES.iter().find(|(l, _)| *l == info.lang())?.1;
        Some((code, info.confidence()))
    }
}

impl Stage for LanguageStage {
    fn name(&self) -> &'static str {
        "language"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let hint = doc
            .raw
            .language
            .as_deref()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| h.len() == 2 && h.chars().all(|c| c.is_ascii_lowercase()));
        let detected = self.detect(&doc.text);
        doc.language = Some(match (detected, hint) {
            (Some((code, conf)), _) if conf >= self.min_confidence => Language {
                code: code.into(),
                confidence: round2(conf),
            },
            (_, Some(hint)) => Language {
                code: hint,
                confidence: 0.5,
            },
            (Some((code, conf)), None) => Language {
                code: code.into(),
                confidence: round2(conf),
            },
            (None, None) => Language {
                code: "und".into(),
                confidence: 0.0,
            },
        });
        Ok(())
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(text: &str) -> Language {
        let stage = LanguageStage::new(&LanguageConfig::default()).unwrap();
        let mut d = Document {
            text: text.into(),
            ..Document::default()
        };
        stage.apply(&mut d).unwrap();
        d.language.unwrap()
    }

    #[test]
    fn arabic_news_is_arabic_with_high_confidence() {
        let l = detect("قال المتحدث باسم وزارة الخارجية الأميركية إن روسيا أبلغت الولايات المتحدة برغبتها في تأجيل وقف إطلاق النار في حلب بضعة أيام.");
        assert_eq!(l.code, "ar");
        assert!(l.confidence >= 0.9, "{l:?}");
    }

    #[test]
    fn persian_is_not_taken_for_arabic() {
        let l = detect("وزیر امور خارجه ایران روز دوشنبه گفت که مذاکرات با کشورهای اروپایی همچنان ادامه دارد و ما امیدواریم به نتیجه برسیم.");
        assert_eq!(l.code, "fa");
    }

    #[test]
    fn english_news_is_english() {
        let l = detect("WASHINGTON (Reuters) - The State Department said on Monday that Russia had asked to delay a ceasefire in Aleppo by several days.");
        assert_eq!(l.code, "en");
    }

    #[test]
    fn empty_text_is_undetermined() {
        assert_eq!(detect("").code, "und");
    }
}

//! `language`: the article's language and a confidence.
//!
//! A text written wholly in the basic Arabic alphabet, with letters that
//! only Arabic writes, is Arabic by its orthography alone
//! ([`arabic_by_orthography`]). Every other text goes to `whatlang`,
//! restricted to the major news languages (so Arabic is weighed against
//! Persian and Urdu, which share its script, and not against a hundred
//! unlikely ones). The publisher's `language` hint is used only when the
//! text is too short or the detector is unsure.
//!
//! Mixed articles (an English statement quoted whole in an Arabic report)
//! are caught cheaply: only paragraphs whose dominant script differs from
//! the article's are run through the detector, and when one of them is in
//! another language every paragraph's language goes to
//! `doc.fields["paragraph_languages"]` as `{start, end, code, confidence}`.

use super::{BuildError, Stage, StageError};
use crate::document::{Document, Language};
use serde::{Deserialize, Serialize};
use serde_json::json;
use whatlang::{Detector, Lang};

/// Options of the `language` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageConfig {
    /// Characters of text looked at: on 3,000 SaudiNewsNet articles the
    /// language found from 1,000 is the one found from 2,000, and the
    /// detector's time grows with the sample.
    pub sample_chars: usize,
    /// Below this confidence the publisher's hint wins when there is one.
    pub min_confidence: f64,
}

impl Default for LanguageConfig {
    fn default() -> Self {
        LanguageConfig {
            sample_chars: 1_000,
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
        let sample = &text[..end];
        if arabic_by_orthography(sample) {
            return Some(("ar", 1.0));
        }
        let info = self.detector.detect(sample)?;
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
        let article = doc
            .language
            .as_ref()
            .map_or_else(|| "und".to_string(), |l| l.code.clone());
        let article_conf = doc.language.as_ref().map_or(0.0, |l| l.confidence);
        if let Some(mut paragraphs) = self.paragraphs(doc, &article) {
            if let Some(items) = paragraphs.as_array_mut() {
                for item in items {
                    if item["confidence"] == json!(0.0) && item["code"] == json!(article) {
                        item["confidence"] = json!(article_conf);
                    }
                }
            }
            doc.fields
                .insert(PARAGRAPH_LANGUAGES_FIELD.into(), paragraphs);
        }
        Ok(())
    }
}

/// Output field listing each paragraph's language in mixed articles.
pub const PARAGRAPH_LANGUAGES_FIELD: &str = "paragraph_languages";

/// Paragraphs shorter than this (characters) keep the article's language.
const MIN_PARAGRAPH_CHARS: usize = 30;

/// The broad script of a text: which letters dominate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Arabic,
    Latin,
    Other,
    None,
}

/// Letters counted per broad script.
#[derive(Debug, Default, Clone, Copy)]
struct Letters {
    arabic: usize,
    latin: usize,
    other: usize,
}

impl Letters {
    fn add(&mut self, c: char) {
        match letter_script(c) {
            Some(Script::Arabic) => self.arabic += 1,
            Some(Script::Latin) => self.latin += 1,
            Some(_) => self.other += 1,
            None => {}
        }
    }

    fn dominant(&self) -> Script {
        let max = self.arabic.max(self.latin).max(self.other);
        if max == 0 {
            Script::None
        } else if max == self.arabic {
            Script::Arabic
        } else if max == self.latin {
            Script::Latin
        } else {
            Script::Other
        }
    }
}

/// The script of a letter; `None` for anything that is not a letter.
///
/// ASCII and the main Arabic block, nearly every character of the texts
/// this pipeline reads, are answered from tables: `char::is_alphabetic`
/// outside ASCII is a binary search and was a tenth of the whole chain.
fn letter_script(c: char) -> Option<Script> {
    if c.is_ascii() {
        return c.is_ascii_alphabetic().then_some(Script::Latin);
    }
    let code = u32::from(c);
    let alphabetic = if (0x0600..0x0700).contains(&code) {
        ARABIC_BLOCK_ALPHABETIC[(code - 0x0600) as usize]
    } else {
        c.is_alphabetic()
    };
    if !alphabetic {
        None
    } else if (0x0600..0x0700).contains(&code)
        || (0x0750..0x0780).contains(&code)
        || (0xFB50..0xFF00).contains(&code)
    {
        Some(Script::Arabic)
    } else if (0x00C0..0x0250).contains(&code) {
        Some(Script::Latin)
    } else {
        Some(Script::Other)
    }
}

/// Letters the Arabic-script languages considered besides Arabic (Persian,
/// Urdu) do not write, though Arabic writes them constantly: taa marbuta
/// and alef maksura.
const ARABIC_ONLY_LETTERS: [char; 2] = ['\u{0629}', '\u{0649}'];

/// The basic Arabic alphabet (hamza to yeh, with tatweel). Persian, Urdu,
/// Kurdish, Pashto and Sindhi each need letters beyond it (`پ`, `ی`, `ک`,
/// `ے`, `ڕ`, `ښ`, ...), Arabic needs none.
const ARABIC_ALPHABET: std::ops::RangeInclusive<char> = '\u{0621}'..='\u{064A}';

/// Arabic diacritics and the superscript alef: marks, not letters.
fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}')
}

/// Letters of a sample needed before its orthography alone decides.
const MIN_ORTHOGRAPHY_LETTERS: usize = 100;

/// Whether a sample is Arabic by its letters alone: at least
/// [`MIN_ORTHOGRAPHY_LETTERS`] Arabic-script letters, outnumbering every
/// other script's, all from the basic Arabic alphabet, among them letters
/// only Arabic writes ([`ARABIC_ONLY_LETTERS`]). Such a text cannot be
/// Persian or Urdu in their standard spelling, so the statistical detector,
/// whose trigram scoring is most of this stage's time, is not asked (as
/// CLD2 decides script-unique languages from the script). The detector
/// still decides every text with a letter beyond the basic alphabet
/// (Persian `ی` or `ک`, a foreign `پ` in an Arabic text) and short texts.
fn arabic_by_orthography(sample: &str) -> bool {
    let (mut arabic, mut others, mut arabic_only) = (0usize, 0usize, false);
    for c in sample.chars() {
        if ARABIC_ALPHABET.contains(&c) {
            arabic += 1;
            arabic_only |= ARABIC_ONLY_LETTERS.contains(&c);
        } else if !is_arabic_mark(c) {
            match letter_script(c) {
                Some(Script::Arabic) => return false,
                Some(_) => others += 1,
                None => {}
            }
        }
    }
    arabic_only && arabic >= MIN_ORTHOGRAPHY_LETTERS && arabic > others
}

/// `char::is_alphabetic` of U+0600..U+06FF.
static ARABIC_BLOCK_ALPHABETIC: std::sync::LazyLock<[bool; 256]> = std::sync::LazyLock::new(|| {
    std::array::from_fn(|i| char::from_u32(0x0600 + i as u32).is_some_and(char::is_alphabetic))
});

impl LanguageStage {
    /// Per-paragraph languages when some paragraph is in another script
    /// and detected as another language than `article`; `None` otherwise.
    fn paragraphs(&self, doc: &mut Document, article: &str) -> Option<serde_json::Value> {
        let analysis = doc.analysis();
        let text = doc.text.as_str();
        // One pass over the text: the letters of the whole text and of each
        // paragraph, and each paragraph's byte range.
        let paragraphs = &analysis.paragraphs;
        let mut whole = Letters::default();
        let mut each = vec![(0usize, 0usize, Letters::default()); paragraphs.len()];
        let mut p = 0;
        for (offset, (byte, c)) in text.char_indices().enumerate() {
            whole.add(c);
            while paragraphs.get(p).is_some_and(|para| para.end <= offset) {
                p += 1;
            }
            if let (Some(para), Some(slot)) = (paragraphs.get(p), each.get_mut(p)) {
                if offset >= para.start {
                    if offset == para.start {
                        slot.0 = byte;
                    }
                    slot.1 = byte + c.len_utf8();
                    slot.2.add(c);
                }
            }
        }
        let main = whole.dominant();
        let mut mixed = false;
        let mut found = Vec::with_capacity(paragraphs.len());
        for (para, &(from, to, letters)) in paragraphs.iter().zip(&each) {
            let script = letters.dominant();
            let (code, confidence) = if para.end - para.start >= MIN_PARAGRAPH_CHARS
                && script != Script::None
                && script != main
            {
                match self.detect(text.get(from..to).unwrap_or("")) {
                    Some((code, conf)) if conf >= self.min_confidence => {
                        mixed |= code != article;
                        (code, conf)
                    }
                    _ => (article, 0.0),
                }
            } else {
                (article, 0.0)
            };
            found.push((para.start, para.end, code, confidence));
        }
        if !mixed {
            return None;
        }
        // Paragraphs that were not looked at carry the article's figure.
        Some(serde_json::Value::Array(
            found
                .into_iter()
                .map(|(start, end, code, confidence)| {
                    json!({
                        "start": start,
                        "end": end,
                        "code": code,
                        "confidence": round2(confidence),
                    })
                })
                .collect(),
        ))
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
    fn arabic_is_known_by_its_orthography_when_the_sample_is_long_enough() {
        let long = "قال المتحدث باسم وزارة الخارجية إن الحكومة ستواصل العمل مع الدول المجاورة لتعزيز التعاون الاقتصادي في المنطقة خلال السنة المقبلة.";
        assert!(arabic_by_orthography(long));
        // Diacritics are marks, not letters beyond the alphabet.
        assert!(arabic_by_orthography(&format!("{long} مُصْطَفى")));
        assert!(!arabic_by_orthography("وزير النقل"), "too short to decide");
    }

    #[test]
    fn a_letter_beyond_the_basic_alphabet_leaves_the_decision_to_the_detector() {
        let long = "قال المتحدث باسم وزارة الخارجية إن الحكومة ستواصل العمل مع الدول المجاورة لتعزيز التعاون الاقتصادي في المنطقة خلال السنة المقبلة.";
        assert!(!arabic_by_orthography(&format!("{long} پوتين")));
        assert!(!arabic_by_orthography(
            "وزیر امور خارجه ایران روز دوشنبه گفت که مذاکرات با کشورهای اروپایی همچنان ادامه دارد و ما امیدواریم به نتیجه برسیم."
        ));
    }

    #[test]
    fn arabic_sports_news_full_of_foreign_names_is_arabic_with_full_confidence() {
        // The trigram detector hesitated over texts like this one (0.84 on
        // a real article): the names look like any language's.
        let l = detect("يبدو ان مانشستر سيتي اقترب من حسم صفقة تعاقده مع لاعب الوسط البلجيكي كيفن دي بروين من فولفسبورغ الالماني مقابل مبلغ كبير، بحسب ما ذكرت صحيفة ديلي ميرور البريطانية.");
        assert_eq!(l.code, "ar");
        assert_eq!(l.confidence, 1.0);
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
    fn urdu_is_not_taken_for_arabic() {
        let l = detect("وزیر اعظم نے کہا کہ حکومت عوام کے مسائل حل کرنے کے لیے ہر ممکن اقدامات کر رہی ہے اور یہ سلسلہ جاری رہے گا۔");
        assert_eq!(l.code, "ur");
    }

    #[test]
    fn arabic_with_persian_names_stays_arabic() {
        let l = detect("قال وزير الخارجية الإيراني محمد جواد ظريف إن بلاده مستعدة للحوار مع دول الجوار، وأضاف أن طهران ترحب بأي مبادرة.");
        assert_eq!(l.code, "ar");
    }

    fn run(text: &str) -> Document {
        let stage = LanguageStage::new(&LanguageConfig::default()).unwrap();
        let mut d = Document {
            text: text.into(),
            ..Document::default()
        };
        stage.apply(&mut d).unwrap();
        d
    }

    #[test]
    fn an_english_paragraph_in_an_arabic_article_is_marked() {
        let d = run("قال المتحدث باسم وزارة الخارجية الأميركية إن روسيا أبلغت الولايات المتحدة برغبتها في تأجيل وقف إطلاق النار في حلب بضعة أيام، ووصفته بأنه اقتراح غير مقبول.\nInstead of accepting the proposal for an immediate ceasefire, the Russians told us it could not start for several days.\nوأضاف أن المحادثات مستمرة في جنيف بين الجانبين رغم الخلافات القائمة.");
        assert_eq!(d.language.as_ref().unwrap().code, "ar");
        let paragraphs = d.fields[PARAGRAPH_LANGUAGES_FIELD].as_array().unwrap();
        let codes: Vec<_> = paragraphs
            .iter()
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["ar", "en", "ar"]);
        let english_start = d.text.chars().position(|c| c == 'I').unwrap();
        assert_eq!(paragraphs[1]["start"], english_start);
    }

    #[test]
    fn a_single_language_article_has_no_paragraph_languages() {
        let d = run("قال المتحدث إن المحادثات مستمرة في جنيف بين الجانبين.\nوأضاف أن الخلافات قائمة حول عدد من النقاط الأساسية.");
        assert!(!d.fields.contains_key(PARAGRAPH_LANGUAGES_FIELD));
    }

    #[test]
    fn empty_text_is_undetermined() {
        assert_eq!(detect("").code, "und");
    }
}

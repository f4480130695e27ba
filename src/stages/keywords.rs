//! `keywords`: the phrases an editor would tag the article with, ranked.
//!
//! Candidates are runs of 1 to `max_words` words inside one sentence,
//! bounded by punctuation, numbers and stop words (`data/insight/stopwords_*.txt`),
//! so `وقف إطلاق النار` is a candidate and `وقف إطلاق النار في حلب` is two.
//! Words are compared by their lookup form (folded, proclitics stripped:
//! Arabic light stemming), so `لإطلاق` and `إطلاق` count together.
//!
//! Score of a candidate (TF-IDF with a phrase and a position prior):
//! `tf × mean idf of its words × (1 + phrase_bonus × (words - 1)) × (1 + lead_bonus / (1 + first sentence))`
//! where `idf = ln((N + 1) / (df + 1)) + 1` from the document-frequency
//! tables `data/insight/df_ar.tsv` (SaudiNewsNet) and `df_en.tsv` (GUM news),
//! built by `akhbar build-df`; a word missing from the table counts as
//! `df = 1` (rare). A phrase of two or more words must occur at least
//! `min_phrase_count` times. A phrase inside a kept longer phrase is dropped
//! when most of its occurrences are inside it (`وقف` under `وقف إطلاق النار`).
//! Scores are divided by the best one, so the first keyword scores 1.
//! The text shown is the most frequent written form, with conjunctions and
//! prepositions removed from its first word (`والولايات المتحدة` gives
//! `الولايات المتحدة`).

use super::lexicon::{rows, term_key, WordSet};
use super::{BuildError, Stage, StageError};
use crate::document::Document;
use crate::text::{analyze, is_arabic_letter, strip_proclitics, ParagraphKind, Token};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use unicode_normalization::char::is_combining_mark;

/// Output field: `[{text, score}]`, best first.
pub const KEYWORDS_FIELD: &str = "keywords";
/// The pseudo-term of a DF table holding its number of documents.
pub const DOCS_ROW: &str = "__docs__";

const STOP_AR: &str = include_str!("../../data/insight/stopwords_ar.txt");
const STOP_EN: &str = include_str!("../../data/insight/stopwords_en.txt");
const DF_AR: &str = include_str!("../../data/insight/df_ar.tsv");
const DF_EN: &str = include_str!("../../data/insight/df_en.tsv");

/// Options of the `keywords` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct KeywordsConfig {
    /// Keywords kept per article.
    pub max_keywords: usize,
    /// Longest phrase, in words (1 to 4).
    pub max_words: usize,
    /// Least occurrences of a phrase of two or more words.
    pub min_phrase_count: usize,
    /// Score factor per extra word of a phrase.
    pub phrase_bonus: f64,
    /// Score factor for a phrase first seen in the first sentence (halved
    /// for the second, and so on).
    pub lead_bonus: f64,
}

impl Default for KeywordsConfig {
    fn default() -> Self {
        KeywordsConfig {
            max_keywords: 10,
            max_words: 4,
            min_phrase_count: 2,
            phrase_bonus: 0.5,
            lead_bonus: 0.5,
        }
    }
}

/// Document frequencies of word keys over a background corpus.
#[derive(Debug, Clone, Default)]
pub struct DfTable {
    pub docs: u64,
    pub df: HashMap<String, u64>,
}

impl DfTable {
    /// Reads `term<TAB>df` rows and the `__docs__` row.
    pub fn parse(text: &str) -> Result<DfTable, String> {
        let mut table = DfTable::default();
        for (line, row) in rows(text).enumerate() {
            let (Some(term), Some(count)) = (row.first(), row.get(1)) else {
                return Err(format!("row {}: expected term and count", line + 1));
            };
            let count: u64 = count
                .parse()
                .map_err(|_| format!("row {}: bad count {count:?}", line + 1))?;
            if *term == DOCS_ROW {
                table.docs = count;
            } else {
                table.df.insert((*term).to_string(), count);
            }
        }
        if table.docs == 0 {
            return Err(format!("no {DOCS_ROW} row"));
        }
        Ok(table)
    }

    /// Inverse document frequency of a word key (unknown words count as
    /// seen in one document).
    pub fn idf(&self, key: &str) -> f64 {
        let df = self.df.get(key).copied().unwrap_or(1) as f64;
        ((self.docs as f64 + 1.0) / (df + 1.0)).ln() + 1.0
    }
}

/// The word keys a document contributes to document frequencies: each
/// distinct lookup form of a word that is not a number. `build-df` and
/// the stage use this one definition.
///
/// A word whose only proclitic is a bare conjunction (`و`, `ف`) also
/// contributes its whole form marked with [`WHOLE_MARK`] (`=وزير`), so the
/// table tells `وزير` (a word) from `وإخراج` (`و` + `إخراج`).
pub fn document_terms(text: &str) -> HashSet<String> {
    let mut terms = HashSet::new();
    for t in analyze(text).tokens {
        if !is_candidate_word(&t) {
            continue;
        }
        if is_bare_conjunction(t.prefix()) {
            terms.insert(format!("{WHOLE_MARK}{}", t.folded()));
        }
        terms.insert(t.lookup().to_string());
    }
    terms
}

/// Marks a whole-word row of a DF table (see [`document_terms`]).
pub const WHOLE_MARK: char = '=';

fn is_bare_conjunction(prefix: &str) -> bool {
    prefix == "و" || prefix == "ف"
}

fn is_candidate_word(t: &Token) -> bool {
    t.is_word && t.lookup().chars().count() >= 2 && !t.lookup().chars().any(|c| c.is_numeric())
}

/// The `keywords` stage.
pub struct Keywords {
    config: KeywordsConfig,
    stop: WordSet,
    df_ar: DfTable,
    df_en: DfTable,
}

/// One candidate phrase while counting.
struct Candidate {
    keys: Vec<String>,
    count: usize,
    first_sentence: usize,
    /// Written forms and how often each was seen.
    forms: HashMap<String, (usize, bool)>,
}

impl Keywords {
    pub fn new(config: &KeywordsConfig) -> Result<Keywords, BuildError> {
        if !(1..=4).contains(&config.max_words) {
            return Err(BuildError {
                stage: "keywords",
                message: format!("max_words must be 1 to 4, not {}", config.max_words),
            });
        }
        let bad = |m: String| BuildError {
            stage: "keywords",
            message: m,
        };
        let mut stop = WordSet::parse(STOP_AR);
        stop.extend(&WordSet::parse(STOP_EN));
        Ok(Keywords {
            config: config.clone(),
            stop,
            df_ar: DfTable::parse(DF_AR).map_err(|e| bad(format!("df_ar.tsv: {e}")))?,
            df_en: DfTable::parse(DF_EN).map_err(|e| bad(format!("df_en.tsv: {e}")))?,
        })
    }

    /// The key of a word and how many letters to drop from its shown
    /// form. The key is its lookup form, also without a single-letter
    /// preposition (`ل`, `ب`, `ك`, which the shared text layer leaves on
    /// because names start with them) when the background table shows the
    /// rest is the common word (`لإطلاق` is `إطلاق`; `لافروف` stays).
    fn key(&self, token: &Token) -> (String, usize) {
        let key = term_key(token);
        let mut chars = key.chars();
        if let (Some('ل' | 'ب' | 'ك'), rest) = (chars.next(), chars.as_str()) {
            let (prefix, stem) = strip_proclitics(rest);
            if stem.chars().count() >= 3 && self.df_ar_of(stem) >= 5 * self.df_ar_of(key).max(1) {
                let conjunction =
                    is_bare_conjunction(prefix) && self.conjunction_is_clitic(rest, stem);
                return (stem.to_string(), 1 + usize::from(conjunction));
            }
        }
        (key.to_string(), 0)
    }

    fn df_ar_of(&self, key: &str) -> u64 {
        self.df_ar.df.get(key).copied().unwrap_or(0)
    }

    /// True when a bare `و`/`ف` on `token` is a conjunction to drop from
    /// the shown form: the whole word is rare next to its stem.
    fn conjunction_is_clitic(&self, folded: &str, stem: &str) -> bool {
        let whole = self.df_ar_of(&format!("{WHOLE_MARK}{folded}"));
        whole * 2 < self.df_ar_of(stem)
    }

    fn idf(&self, key: &str) -> f64 {
        if key.chars().next().is_some_and(is_arabic_letter) {
            self.df_ar.idf(key)
        } else {
            self.df_en.idf(key)
        }
    }

    /// The stop-word list (shared with `summary`).
    pub fn stop_words(&self) -> &WordSet {
        &self.stop
    }

    /// Ranked keywords of `text` (and `title`, read as a sentence before it).
    pub fn extract(
        &self,
        text: &str,
        analysis: &crate::text::Analysis,
        title: Option<&str>,
    ) -> Vec<(String, f64)> {
        let mut candidates: HashMap<String, Candidate> = HashMap::new();
        let title_analysis = title.map(analyze);
        let mut sentences: Vec<(usize, &[Token], &str)> = Vec::new();
        if let (Some(a), Some(t)) = (&title_analysis, title) {
            sentences.push((0, &a.tokens[..], t));
        }
        for (i, s) in analysis.sentences.iter().enumerate() {
            let kind = analysis.paragraphs.get(s.paragraph).map(|p| p.kind);
            if matches!(
                kind,
                Some(ParagraphKind::Body) | Some(ParagraphKind::Heading)
            ) {
                sentences.push((i, analysis.tokens_of(i), text));
            }
        }
        for (position, tokens, source) in sentences {
            for chunk in tokens.split(|t| !is_candidate_word(t) || self.stop.contains(t)) {
                self.count_chunk(chunk, position, source, &mut candidates);
            }
        }
        self.rank(candidates)
    }

    fn count_chunk(
        &self,
        chunk: &[Token],
        position: usize,
        source: &str,
        candidates: &mut HashMap<String, Candidate>,
    ) {
        // Keys and first-word facts once per token, not once per window.
        let info: Vec<(String, usize, bool)> = chunk
            .iter()
            .map(|t| {
                let (key, extra) = self.key(t);
                let drop = is_bare_conjunction(t.prefix())
                    && self.conjunction_is_clitic(t.folded(), t.lookup());
                (key, extra, drop)
            })
            .collect();
        for n in 1..=self.config.max_words.min(chunk.len()) {
            for (i, window) in chunk.windows(n).enumerate() {
                let keys: Vec<String> = info[i..i + n].iter().map(|k| k.0.clone()).collect();
                let joined = keys.join(" ");
                let (_, extra, drop_conjunction) = info[i];
                let form = display_form(window, source, extra, drop_conjunction);
                let c = candidates.entry(joined).or_insert_with(|| Candidate {
                    keys,
                    count: 0,
                    first_sentence: position,
                    forms: HashMap::new(),
                });
                c.count += 1;
                c.first_sentence = c.first_sentence.min(position);
                let entry = c.forms.entry(form.0).or_insert((0, form.1));
                entry.0 += 1;
            }
        }
    }

    fn rank(&self, candidates: HashMap<String, Candidate>) -> Vec<(String, f64)> {
        let cfg = &self.config;
        let kept: Vec<&Candidate> = candidates
            .values()
            .filter(|c| c.keys.len() == 1 || c.count >= cfg.min_phrase_count)
            .collect();
        // A phrase mostly seen inside a longer kept phrase adds nothing.
        let mut scored: Vec<(f64, &Candidate)> = kept
            .iter()
            .filter(|c| {
                !kept.iter().any(|longer| {
                    longer.keys.len() > c.keys.len()
                        && longer.count * 2 >= c.count
                        && contains_run(&longer.keys, &c.keys)
                })
            })
            .map(|c| {
                let idf = c.keys.iter().map(|k| self.idf(k)).sum::<f64>() / c.keys.len() as f64;
                let score = c.count as f64
                    * idf
                    * (1.0 + cfg.phrase_bonus * (c.keys.len() - 1) as f64)
                    * (1.0 + cfg.lead_bonus / (1.0 + c.first_sentence as f64));
                (score, *c)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.keys.cmp(&b.1.keys)));
        let best = scored.first().map_or(1.0, |s| s.0);
        let mut seen_text = HashSet::new();
        scored
            .into_iter()
            .filter_map(|(score, c)| {
                let text = best_form(c)?;
                seen_text
                    .insert(text.clone())
                    .then_some((text, score / best))
            })
            .take(cfg.max_keywords)
            .collect()
    }
}

/// True when `inner` occurs as a contiguous run in `outer`.
fn contains_run(outer: &[String], inner: &[String]) -> bool {
    outer.windows(inner.len()).any(|w| w == inner)
}

/// The most frequent written form, preferring forms whose first word
/// keeps a bare conjunction only when nothing else was seen.
fn best_form(c: &Candidate) -> Option<String> {
    c.forms
        .iter()
        .max_by(|a, b| {
            (!a.1 .1, a.1 .0)
                .cmp(&(!b.1 .1, b.1 .0))
                .then_with(|| b.0.cmp(a.0))
        })
        .map(|(form, _)| form.clone())
}

/// The written form of a run of tokens, its first word without
/// conjunctions and prepositions (the article kept); and whether the first
/// word still carries a bare conjunction; `extra` more letters are
/// dropped from the first word (a preposition [`Keywords::key`] removed) (`وزير` may be a word or `و`+`زير`,
/// so a bare `و`/`ف` is left in place).
fn display_form(
    window: &[Token],
    source: &str,
    extra: usize,
    drop_conjunction: bool,
) -> (String, bool) {
    let Some(first) = window.first() else {
        return (String::new(), false);
    };
    let last = &window[window.len() - 1];
    let raw = source.get(first.byte_start..last.byte_end).unwrap_or("");
    let whole = if raw.contains(|c: char| c.is_whitespace() && c != ' ') || raw.contains("  ") {
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        raw.to_string()
    };
    let prefix = first.prefix();
    if prefix.is_empty() {
        return (skip_letters(&whole, extra).to_string(), false);
    }
    if is_bare_conjunction(prefix) {
        return if drop_conjunction {
            (skip_letters(&whole, 1).to_string(), false)
        } else {
            (whole, true)
        };
    }
    let stem = skip_letters(&whole, prefix.chars().count());
    if prefix.ends_with("ال") || prefix.ends_with("لل") {
        (format!("ال{stem}"), false)
    } else {
        (stem.to_string(), false)
    }
}

/// `s` after its first `n` base letters (and the marks that follow them).
fn skip_letters(s: &str, n: usize) -> &str {
    let mut seen = 0;
    for (i, c) in s.char_indices() {
        let is_mark = is_combining_mark(c) || c == '\u{0640}';
        if seen == n && !is_mark {
            return &s[i..];
        }
        if !is_mark {
            seen += 1;
        }
    }
    ""
}

impl Stage for Keywords {
    fn name(&self) -> &'static str {
        "keywords"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let analysis: Arc<crate::text::Analysis> = doc.analysis();
        let keywords = self.extract(&doc.text, &analysis, doc.title.as_deref());
        let value: Vec<_> = keywords
            .into_iter()
            .map(|(text, score)| json!({ "text": text, "score": round4(score) }))
            .collect();
        doc.fields.insert(KEYWORDS_FIELD.into(), json!(value));
        Ok(())
    }
}

/// Rounds to four decimals (scores are read by people).
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords(text: &str) -> Vec<String> {
        let stage = Keywords::new(&KeywordsConfig::default()).unwrap();
        let mut d = Document {
            text: text.into(),
            ..Document::default()
        };
        stage.apply(&mut d).unwrap();
        d.fields[KEYWORDS_FIELD]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["text"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn a_recurring_phrase_is_kept_whole_and_its_parts_are_not() {
        let k = keywords(
            "رفضت روسيا وقف إطلاق النار في حلب.\nوقالت واشنطن إن وقف إطلاق النار ضروري.\nوطالبت بوقف لإطلاق النار.",
        );
        assert!(k.contains(&"وقف إطلاق النار".to_string()), "{k:?}");
        assert!(!k.contains(&"وقف".to_string()), "{k:?}");
        assert!(!k.contains(&"إطلاق النار".to_string()), "{k:?}");
    }

    #[test]
    fn prepositions_and_conjunctions_leave_the_shown_form() {
        let k = keywords("والولايات المتحدة قالت.\nإن للولايات المتحدة رأيا.\nالولايات المتحدة");
        assert_eq!(k[0], "الولايات المتحدة");
    }

    #[test]
    fn stop_words_and_numbers_are_never_keywords() {
        let k = keywords("قال إنه في عام 2015 كان هناك ما قال.");
        for w in ["قال", "في", "2015", "كان", "هناك"] {
            assert!(!k.contains(&w.to_string()), "{k:?}");
        }
    }

    #[test]
    fn english_phrases_are_found_too() {
        let k = keywords(
            "The ceasefire talks in Geneva failed. Officials said the ceasefire talks would resume.",
        );
        assert_eq!(k[0], "ceasefire talks", "{k:?}");
    }

    #[test]
    fn empty_text_has_no_keywords() {
        assert!(keywords("").is_empty());
        assert!(keywords("،،، ... !!").is_empty());
    }

    #[test]
    fn a_df_table_without_its_document_count_is_refused() {
        assert!(DfTable::parse("حلب\t3\n").is_err());
        let t = DfTable::parse("__docs__\t100\nحلب\t3\n").unwrap();
        assert!(t.idf("حلب") < t.idf("كيربي"));
    }
}

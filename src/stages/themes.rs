//! `themes`: what kind of story this is, from a fixed taxonomy.
//!
//! The taxonomy and its Arabic and English cue phrases are one table,
//! `data/insight/themes.tsv` (`theme<TAB>phrase<TAB>weight`); a new theme
//! or language is new lines. Phrases are matched on lookup forms, longest
//! first, over the title and the body and heading sentences (captions,
//! credits and bylines are skipped). Scoring (also in docs/insight.md):
//!
//! - a hit adds its weight (1 an ordinary cue, 2 a cue that names the theme)
//!   times a position factor: 2 in the title, 1.5 in the first two body
//!   sentences, 1 elsewhere;
//! - a theme's score is the sum per 100 words, the length floored at 100
//!   words so that a short text is not over-read:
//!   `score = Σ weight × position × 100 / max(words, 100)`;
//! - a theme is kept when its score reaches `min_score` and at least
//!   `min_cues` different phrases hit; the `max_themes` best are written,
//!   best first, in `themes`, and every kept score in `theme_scores`.

use super::keywords::round4;
use super::lexicon::{phrase_keys, rows, PhraseLexicon};
use super::{BuildError, Stage, StageError};
use crate::document::Document;
use crate::text::{analyze, Analysis, ParagraphKind, Token};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

/// Output field: theme names, best first.
pub const THEMES_FIELD: &str = "themes";
/// Output field: `{theme: score}` of the themes written.
pub const THEME_SCORES_FIELD: &str = "theme_scores";

const THEMES_TABLE: &str = include_str!("../../data/insight/themes.tsv");

/// Options of the `themes` stage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ThemesConfig {
    /// Least score (weighted hits per 100 words) of a theme.
    pub min_score: f64,
    /// Least number of different cue phrases of a theme.
    pub min_cues: usize,
    /// Themes written per article.
    pub max_themes: usize,
}

impl Default for ThemesConfig {
    fn default() -> Self {
        ThemesConfig {
            min_score: 1.0,
            min_cues: 2,
            max_themes: 4,
        }
    }
}

/// The `themes` stage.
pub struct Themes {
    config: ThemesConfig,
    names: Vec<String>,
    /// Phrase to `(theme index, weight)` of every theme it cues.
    lexicon: PhraseLexicon<Vec<(usize, f64)>>,
}

impl Themes {
    pub fn new(config: &ThemesConfig) -> Result<Themes, BuildError> {
        Themes::from_table(config, THEMES_TABLE)
    }

    /// Builds the stage from a table in the `themes.tsv` format.
    pub fn from_table(config: &ThemesConfig, table: &str) -> Result<Themes, BuildError> {
        let mut names: Vec<String> = Vec::new();
        // Cue phrases by their keys, in table order: two spellings that key
        // alike (`لاجئين`, `اللاجئين`) are one phrase with both cue lists, and
        // the lexicon does not depend on a hash map's iteration order.
        let mut by_keys: HashMap<Vec<String>, usize> = HashMap::new();
        let mut phrases: Vec<(String, Vec<(usize, f64)>)> = Vec::new();
        for (i, row) in rows(table).enumerate() {
            let (Some(theme), Some(phrase)) = (row.first(), row.get(1)) else {
                return Err(BuildError {
                    stage: "themes",
                    message: format!("themes.tsv row {}: expected theme and phrase", i + 1),
                });
            };
            let weight: f64 = match row.get(2) {
                Some(w) => w.parse().map_err(|_| BuildError {
                    stage: "themes",
                    message: format!("themes.tsv row {}: bad weight {w:?}", i + 1),
                })?,
                None => 1.0,
            };
            let index = match names.iter().position(|n| n == theme) {
                Some(i) => i,
                None => {
                    names.push((*theme).to_string());
                    names.len() - 1
                }
            };
            let keys = phrase_keys(phrase);
            if keys.is_empty() {
                continue;
            }
            let slot = *by_keys.entry(keys).or_insert_with(|| {
                phrases.push(((*phrase).to_string(), Vec::new()));
                phrases.len() - 1
            });
            let cues = &mut phrases[slot].1;
            match cues.iter_mut().find(|(theme, _)| *theme == index) {
                Some(cue) => cue.1 = cue.1.max(weight),
                None => cues.push((index, weight)),
            }
        }
        let mut lexicon = PhraseLexicon::default();
        for (phrase, cues) in phrases {
            lexicon.insert(&phrase, cues);
        }
        Ok(Themes {
            config: config.clone(),
            names,
            lexicon,
        })
    }

    /// The theme names of the taxonomy, in table order.
    pub fn taxonomy(&self) -> &[String] {
        &self.names
    }

    /// Kept themes with their scores, best first.
    pub fn score(&self, analysis: &Analysis, title: Option<&str>) -> Vec<(String, f64)> {
        let mut totals = vec![0.0f64; self.names.len()];
        let mut cues: Vec<HashSet<usize>> = vec![HashSet::new(); self.names.len()];
        let mut words = 0usize;
        let mut body_sentences = 0usize;
        let title_analysis = title.map(analyze);
        let title_tokens = title_analysis.as_ref().map(|a| &a.tokens[..]);
        let mut scan = |tokens: &[Token], position: f64, count_words: bool| {
            let ws: Vec<&Token> = tokens.iter().filter(|t| t.is_word).collect();
            if count_words {
                words += ws.len();
            }
            let mut i = 0;
            while i < ws.len() {
                match self.lexicon.longest_at(&ws, i) {
                    Some((len, hits)) => {
                        for &(theme, weight) in hits {
                            totals[theme] += weight * position;
                            // The phrase's first token start identifies it
                            // well enough to count different cues.
                            cues[theme].insert(hash_key(&ws[i..i + len]));
                        }
                        i += len;
                    }
                    None => i += 1,
                }
            }
        };
        if let Some(tokens) = title_tokens {
            scan(tokens, 2.0, false);
        }
        for (i, s) in analysis.sentences.iter().enumerate() {
            let kind = analysis.paragraphs.get(s.paragraph).map(|p| p.kind);
            if !matches!(
                kind,
                Some(ParagraphKind::Body) | Some(ParagraphKind::Heading)
            ) {
                continue;
            }
            let position = if body_sentences < 2 { 1.5 } else { 1.0 };
            body_sentences += 1;
            scan(analysis.tokens_of(i), position, true);
        }
        let per = 100.0 / words.max(100) as f64;
        let mut kept: Vec<(String, f64)> = totals
            .iter()
            .enumerate()
            .map(|(i, t)| (i, t * per))
            .filter(|&(i, score)| {
                score >= self.config.min_score && cues[i].len() >= self.config.min_cues
            })
            .map(|(i, score)| (self.names[i].clone(), score))
            .collect();
        kept.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        kept.truncate(self.config.max_themes);
        kept
    }
}

/// Identifies a matched phrase by its keys.
fn hash_key(tokens: &[&Token]) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for t in tokens {
        t.lookup().hash(&mut h);
    }
    h.finish() as usize
}

impl Stage for Themes {
    fn name(&self) -> &'static str {
        "themes"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let analysis = doc.analysis();
        let themes = self.score(&analysis, doc.title.as_deref());
        let names: Vec<&str> = themes.iter().map(|(n, _)| n.as_str()).collect();
        let scores: Map<String, Value> = themes
            .iter()
            .map(|(n, s)| (n.clone(), json!(round4(*s))))
            .collect();
        doc.fields.insert(THEMES_FIELD.into(), json!(names));
        doc.fields
            .insert(THEME_SCORES_FIELD.into(), Value::Object(scores));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn themes(title: Option<&str>, text: &str) -> Vec<String> {
        let stage = Themes::new(&ThemesConfig::default()).unwrap();
        let mut d = Document {
            text: text.into(),
            title: title.map(String::from),
            ..Document::default()
        };
        stage.apply(&mut d).unwrap();
        d.fields[THEMES_FIELD]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn the_taxonomy_has_a_few_dozen_themes() {
        let stage = Themes::new(&ThemesConfig::default()).unwrap();
        assert!((25..=60).contains(&stage.taxonomy().len()));
    }

    #[test]
    fn cues_in_either_language_find_the_theme() {
        assert!(
            themes(None, "انتهت المباراة بفوز الهلال على النصر في الدوري.")
                .contains(&"sport".to_string())
        );
        assert!(themes(None, "The team won the match and the league title.")
            .contains(&"sport".to_string()));
    }

    #[test]
    fn an_article_can_have_several_themes() {
        let t = themes(
            Some("Ceasefire talks stall as shelling resumes"),
            "Negotiations on a truce failed. Troops resumed shelling and airstrikes killed civilians.",
        );
        assert!(t.contains(&"ceasefire_negotiations".to_string()), "{t:?}");
        assert!(t.contains(&"conflict".to_string()), "{t:?}");
    }

    #[test]
    fn a_single_passing_cue_is_not_a_theme() {
        assert!(themes(None, "He walked to the airport in the morning and had tea.").is_empty());
    }

    #[test]
    fn spellings_that_key_alike_give_each_theme_its_cue() {
        let table = "refugees\tاللاجئين\nrefugees\tمخيم\naid\tلاجئين\naid\tإغاثة\n";
        let stage = Themes::from_table(&ThemesConfig::default(), table).unwrap();
        let a = crate::text::analyze("وصل اللاجئين إلى مخيم. وبدأت إغاثة اللاجئين.");
        let found: Vec<String> = stage.score(&a, None).into_iter().map(|t| t.0).collect();
        assert!(found.contains(&"refugees".to_string()), "{found:?}");
        assert!(found.contains(&"aid".to_string()), "{found:?}");
    }

    #[test]
    fn a_bad_weight_is_refused_at_build() {
        assert!(Themes::from_table(&ThemesConfig::default(), "sport\tgoal\theavy\n").is_err());
    }
}
